"""Write a small crawl of the bundled cases/ into a folder, for `make scan-demo`.

    python scripts/demo_crawl.py out/crawl

The folder gets originals.sqlite (the originals of cases/) and three WARC files: every
case copy as an HTML page, unrelated pages, and broken records (see tests/warcs.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from warcs import build_crawl  # noqa: E402


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "out/crawl")
    folder.mkdir(parents=True, exist_ok=True)
    for stale in (*folder.glob("crawl-*.warc.gz"), folder / "originals.sqlite"):
        stale.unlink(missing_ok=True)
    crawl = build_crawl(folder)
    print(f"{folder}: {len(crawl.warcs)} WARC files, {crawl.records} response records,"
          f" archive {crawl.archive}")  # fmt: skip


if __name__ == "__main__":
    main()

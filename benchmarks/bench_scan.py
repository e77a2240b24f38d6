"""Scan benchmark: records/s per core of `provenance scan` (local and Spark engines)
against the audit loop on the same records, and the share the prefilter drops.

    .venv/bin/python benchmarks/bench_scan.py --records 1000 --archive-size 2000

Everything is on disk in a temporary directory: an archive of `--archive-size` real
corpus articles (shared/corpus/allsides_abp) plus the originals of cases/, and four
WARC files of `--records` HTML pages in all, as a crawl holds them: `--copy-share` of them
copies of archived articles (a paragraph dropped, a credit line added, site chrome
around), the rest other corpus articles that are not in the archive (real news prose, so
common phrases reach the prefilter as they would in a crawl). Without ../shared the
articles are generated prose (the figures are then less telling).

Measured in the same run, on the same files: the baseline, a loop in one process that
loads each record, splits it and runs `check_document` against the archive (what `audit`
does per item, without the policy); `run_scan --engine local` with 1 and 2 workers; and
`--engine spark` on local[1] and local[2] (when pyspark and Java are there), the
session's start-up timed apart. Prints a table and writes benchmarks/results/scan.json.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from bench_audit import corpus_articles  # noqa: E402 (the same corpus sample)
from warcs import build_archive, http_response, prose, warc_member  # noqa: E402

from provenance.archive import Archive  # noqa: E402
from provenance.load import WarcReader, WarcRecord, load_documents  # noqa: E402
from provenance.models import Document, Paragraph  # noqa: E402
from provenance.pipeline import check_document, split_posts  # noqa: E402
from provenance.scan import ScanOptions, run_scan  # noqa: E402
from provenance.settings import Settings  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "allsides_abp"
RESULTS = REPO / "benchmarks" / "results" / "scan.json"
SEED = 20251113
FILES = 4
CHROME_TOP = (
    "<nav><a href='/'>Home</a> <a href='/world'>World</a> <a href='/politics'>Politics</a>"
    " <a href='/business'>Business</a></nav><div class='ticker'>Markets: Dow +0.4% S&amp;P"
    " +0.2% Nasdaq -0.1%</div>"
)
CHROME_BOTTOM = (
    "<aside><h3>Most read</h3><ul><li>Weather: a cold week ahead</li><li>Local team wins"
    " again</li></ul></aside><footer>Copyright 2025. All rights reserved. Privacy policy."
    " Terms of use. Contact us.</footer>"
)


def articles(limit: int, rng: random.Random) -> list[tuple[str, str, list[str]]]:
    """(url, title, paragraphs) of `limit` articles: the corpus's, else generated."""
    if not CORPUS.is_dir():
        return [
            (f"https://origin{n % 50}.example/story-{n}", f"Story {n}", prose(rng, 8))
            for n in range(limit)
        ]
    return corpus_articles(limit, rng)


def page(title: str, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{html.escape(p)}</p>\n" for p in paragraphs)
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<script>var ads = {{slots: 4}};</script></head><body>{CHROME_TOP}<article><h1>"
        f"{html.escape(title)}</h1>\n{body}</article>{CHROME_BOTTOM}</body></html>"
    ).encode()


def build(folder: Path, records: int, archive_size: int, copy_share: float) -> dict[str, Any]:
    rng = random.Random(SEED)
    pool = articles(archive_size + records, rng)
    archived, others = pool[:archive_size], pool[archive_size:]
    archive = folder / "originals.sqlite"
    build_archive(archive)
    settings = Settings(offline=True, cache_dir=None)
    with Archive.open(archive, settings=settings) as store:
        docs = [
            Document(source=url, kind="text", url=url, title=title,
                     paragraphs=tuple(Paragraph(i, p) for i, p in enumerate(paras)))
            for url, title, paras in archived
        ]  # fmt: skip
        store.add_documents(docs, workers=0)
    copies = round(records * copy_share)
    pages = []
    for n in range(records):
        if n < copies:
            url, title, paras = archived[rng.randrange(len(archived))]
            body = [*paras[:-1], f"This article first appeared on {url.split('/')[2]}."]
            pages.append((f"https://copier{n % 7}.example/{n}", page(title, body)))
        else:
            url, title, paras = others[(n - copies) % len(others)]
            pages.append((f"https://site{n % 40}.example/{n}", page(title, paras)))
    rng.shuffle(pages)
    warcs = []
    for f in range(FILES):
        part = pages[f::FILES]
        path = folder / f"crawl-{f}.warc.gz"
        path.write_bytes(
            b"".join(warc_member(u, http_response(b), i) for i, (u, b) in enumerate(part))
        )
        warcs.append(path)
    return {"archive": archive, "warcs": warcs, "copies": copies, "corpus": CORPUS.is_dir()}


def baseline(warcs: list[Path], archive: Path) -> tuple[float, int]:
    """The audit loop: load, split and check every record in this process."""
    settings = Settings(offline=True, cache_dir=None, archive_path=archive)
    started, count = time.perf_counter(), 0
    with Archive.open(archive, settings=settings, read_only=True) as store:
        for path in warcs:
            with path.open("rb") as fh:
                for record in WarcReader(fh, name=str(path), settings=settings):
                    if not isinstance(record, WarcRecord):
                        continue
                    count += 1
                    try:
                        docs = load_documents(
                            record.body, source=str(path), settings=settings,
                            content_type=record.content_type, url=record.url,
                        )  # fmt: skip
                    except Exception:
                        continue
                    for doc in docs:
                        for post in split_posts(doc, settings):
                            check_document(post, settings=settings, archive=store)
    return time.perf_counter() - started, count


def timed_scan(built: dict[str, Any], out: Path, **options: Any) -> tuple[float, dict[str, int]]:
    started = time.perf_counter()
    result = run_scan(
        [str(p) for p in built["warcs"]],
        options=ScanOptions(archive=built["archive"], out=out, **options),
        settings=Settings(cache_dir=None),
    )
    return time.perf_counter() - started, dict(result.counts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--archive-size", type=int, default=2000)
    parser.add_argument("--copy-share", type=float, default=0.02)
    parser.add_argument("--no-spark", action="store_true")
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-scan-") as tmp:
        folder = Path(tmp)
        built = build(folder, args.records, args.archive_size, args.copy_share)
        seconds, count = baseline(built["warcs"], built["archive"])
        rows.append({"engine": "audit loop (baseline)", "cores": 1, "seconds": seconds})
        counts: dict[str, int] = {}
        for workers in (1, 2):
            seconds, counts = timed_scan(built, folder / f"local{workers}", workers=workers)
            rows.append(
                {"engine": f"local, {workers} workers", "cores": workers, "seconds": seconds}
            )
        reference = (folder / "local1" / "findings.jsonl").read_bytes()
        spark_start = None
        if not args.no_spark and shutil.which("java"):
            from provenance.scan.spark import start_session

            for cores in (1, 2):
                started = time.perf_counter()
                session = start_session(f"local[{cores}]")
                spark_start = time.perf_counter() - started
                out = folder / f"spark{cores}"
                started = time.perf_counter()
                run_scan([str(p) for p in built["warcs"]],
                         options=ScanOptions(archive=built["archive"], out=out, engine="spark"),
                         settings=Settings(cache_dir=None), spark_session=session)  # fmt: skip
                rows.append({"engine": f"spark local[{cores}]", "cores": cores,
                             "seconds": time.perf_counter() - started})  # fmt: skip
                session.stop()
                same = (out / "findings.jsonl").read_bytes() == reference
                rows[-1]["same_findings"] = same
    base_rate = count / rows[0]["seconds"]
    for row in rows:
        row["records_per_s"] = round(count / row["seconds"], 1)
        row["records_per_s_per_core"] = round(count / row["seconds"] / row["cores"], 1)
        row["vs_baseline_per_core"] = round(row["records_per_s_per_core"] / base_rate, 2)
        row["seconds"] = round(row["seconds"], 2)
    result = {
        "records": count,
        "copies_planted": built["copies"],
        "archive_articles": args.archive_size,
        "corpus": "shared/corpus/allsides_abp" if built["corpus"] else "generated prose",
        "prefilter_dropped_share": round(counts["dropped"] / max(counts["records"], 1), 3),
        "counts": counts,
        "spark_session_start_s": None if spark_start is None else round(spark_start, 1),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores,"
        f" Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}",
        "rows": rows,
    }
    print("| engine | cores | seconds | records/s | records/s per core | x baseline per core |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['engine']} | {row['cores']} | {row['seconds']} | {row['records_per_s']} |"
              f" {row['records_per_s_per_core']} | {row['vs_baseline_per_core']} |")  # fmt: skip
    print(f"prefilter dropped {result['prefilter_dropped_share']:.1%} of {count} records;"
          f" counts {counts}")  # fmt: skip
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

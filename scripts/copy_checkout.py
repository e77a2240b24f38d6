"""Copy this checkout's files (what git tracks, plus new files it does not ignore) to DEST.

    python scripts/copy_checkout.py DEST

The copy is what a fresh clone of the working tree would hold: no .venv, no out/, and no
../shared beside it unless DEST's parent has one (pick a fresh temporary folder). `make
test-alone` and tests/test_standalone.py run the suite or its collection there.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def checkout_files(repo: Path = REPO) -> list[str]:
    """Return the repository-relative paths git would put in a commit of the working tree.

    Raises subprocess.CalledProcessError when `repo` is not a git checkout.
    """
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=repo,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    return [name for name in listed.split("\0") if name and (repo / name).is_file()]


def copy_checkout(dest: Path, repo: Path = REPO) -> int:
    """Copy the checkout's files into `dest` (created); return how many were copied."""
    files = checkout_files(repo)
    for name in files:
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(repo / name, target)
    return len(files)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python scripts/copy_checkout.py DEST", file=sys.stderr)
        return 2
    dest = Path(argv[0])
    if (dest.resolve().parent / "shared").exists():
        print(
            f"copy_checkout: {dest.resolve().parent / 'shared'} exists beside DEST", file=sys.stderr
        )
        return 2
    count = copy_checkout(dest)
    print(f"copied {count} files to {dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

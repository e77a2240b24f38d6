"""The local engine: WARC files read one after another in this process, their records
checked by `scan_record` in worker processes (no Java needed)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from .record import Outcome, ScanContext, scan_file

Progress = Callable[[Counter[str], int, int], None]


def run_local(
    files: Sequence[str], ctx: ScanContext, *, workers: int, progress: Progress
) -> list[Outcome]:
    """Every copy, error and file outcome of `files`. `progress` is called with the
    running counters, the files done and the files in all after each record."""
    live: Counter[str] = Counter()
    kept: list[Outcome] = []

    def seen(outcome: Outcome) -> None:
        live["records_done"] += 1
        live["copies"] += outcome.kind == "copy"
        live["errors"] += outcome.kind == "error"
        progress(live, live["files_done"], len(files))

    for name in files:
        kept += scan_file(name, ctx, workers=workers, on_outcome=seen)
        live["files_done"] += 1
    progress(live, len(files), len(files))
    return kept

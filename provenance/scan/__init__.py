"""Scan WARC files for copies of the archive's originals (`provenance scan`).

    result = run_scan(["crawl/"], options=ScanOptions(archive=path, out=out_dir),
                      settings=Settings())

Every HTML response of the WARC files goes through one function, `record.scan_record`
(prefilter, then the same load, detect, locate (archive only), align and score code as
`check`), on either engine: `local` (worker processes on this machine, the default) or
`spark` (a Spark cluster, or `local[*]`). The outputs do not depend on the engine, the
partitioning or the number of executors (see `output`).

    inputs.py   SOURCE arguments -> WARC files and URLs
    record.py   the per-record and per-file functions both engines run
    local.py    the local engine
    spark.py    the Spark engine: the only pyspark import (loaded only when asked for)
    output.py   findings.jsonl/.parquet, errors.jsonl, summary.json/.md: the only pyarrow import

`run_scan` raises InputError for sources that cannot be read at all, ArchiveError when
the archive cannot be opened, ScanError when the engine cannot run; a bad record is an
error line in errors.jsonl and the scan goes on.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..archive import DEFAULT_FILTER_ENTRIES, Archive
from ..errors import InputError, ProvenanceError, ScanError
from ..load import load_documents
from ..pipeline import check_document
from ..settings import DEFAULT_ITEM_TIMEOUT, DEFAULT_MIN_SHARED, SCAN_ENGINES, Settings
from .inputs import expand_sources, is_url
from .local import run_local
from .output import FINDING_COLUMNS, write_outputs
from .record import COUNTERS, Outcome, ScanContext, scan_record

__all__ = [
    "COUNTERS",
    "DEFAULT_ITEM_TIMEOUT",
    "DEFAULT_MIN_SHARE",
    "DEFAULT_MIN_SHARED",
    "FINDING_COLUMNS",
    "SCAN_ENGINES",
    "ScanOptions",
    "ScanResult",
    "run_scan",
    "scan_record",
]

# ... and the share of its own shingles: the archive's search wants 20% of an article's
# shingles in an original, and page chrome rarely makes more than three quarters of a
# page; unrelated news pages share ~1% (common phrases), see benchmarks/README.md.
DEFAULT_MIN_SHARE = 0.05

Progress = Callable[[Mapping[str, int], int, int], None]


@dataclass(frozen=True)
class ScanOptions:
    """How to scan: the archive, the output folder and the engine."""

    archive: Path
    out: Path
    engine: str = "local"
    master: str | None = None
    workers: int = field(default_factory=lambda: max(1, os.cpu_count() or 1))
    item_timeout: float = DEFAULT_ITEM_TIMEOUT
    min_shared: int = DEFAULT_MIN_SHARED
    min_share: float = DEFAULT_MIN_SHARE
    filter_entries: int = DEFAULT_FILTER_ENTRIES


@dataclass(frozen=True)
class ScanResult:
    """The counters of the run (see `record.COUNTERS`), the files read and the summary."""

    counts: Mapping[str, int]
    files: tuple[str, ...]
    summary: Mapping[str, Any]
    out: Path


def run_scan(
    sources: Sequence[str],
    *,
    options: ScanOptions,
    settings: Settings,
    progress: Progress | None = None,
    spark_session: Any = None,
) -> ScanResult:
    """Scan the WARC files `sources` name; write the outputs into `options.out`.

    `progress` is called now and then with the running counters (records_done, copies,
    errors), the files done and the files in all. `spark_session` runs the Spark engine
    on an existing session. Raises InputError, ArchiveError or ScanError (see above).
    """
    if options.engine not in SCAN_ENGINES:
        raise InputError(f"unknown engine {options.engine!r} (use local or spark)")
    files = expand_sources(sources)
    remote = [f for f in files if is_url(f)]
    if remote and options.engine != "spark":
        raise InputError(f"{remote[0]}: URLs are read by --engine spark only")
    settings = replace(settings, offline=True, archive_path=options.archive)
    notify = progress or (lambda _counts, _done, _total: None)
    with tempfile.TemporaryDirectory(prefix="provenance-scan-") as tmp:
        ctx = _context(options, settings, Path(tmp))
        outcomes = _engine(files, ctx, options, notify, spark_session)
    counts = _totals(outcomes)
    try:
        summary = write_outputs(options.out, outcomes, counts)
    except OSError as exc:
        raise InputError(f"{options.out}: cannot write: {exc.strerror or exc}") from exc
    return ScanResult(counts, tuple(files), summary, options.out)


def _context(options: ScanOptions, settings: Settings, tmp: Path) -> ScanContext:
    """Build the prefilter (and, for Spark, the archive snapshot to ship) in `tmp`."""
    filter_path = tmp / "shingles.npy"
    with Archive.open(options.archive, settings=settings, read_only=True) as store:
        shingle_filter = store.shingle_filter(options.filter_entries)
        archive = options.archive
        if options.engine == "spark":
            archive = tmp / "archive.sqlite"
            store.snapshot(archive)
    try:
        shingle_filter.save(str(filter_path))
    except OSError as exc:
        raise InputError(f"{filter_path}: cannot write the prefilter: {exc}") from exc
    return ScanContext(
        settings=settings,
        archive=str(archive),
        filter=str(filter_path),
        every=shingle_filter.every,
        min_shared=options.min_shared,
        min_share=options.min_share,
        item_timeout=options.item_timeout,
    )


def _engine(
    files: list[str], ctx: ScanContext, options: ScanOptions, notify: Progress, session: Any
) -> list[Outcome]:
    if options.engine == "spark":
        try:
            from .spark import run_spark  # pyspark is an optional extra
        except ImportError as exc:
            raise ScanError(
                "--engine spark needs pyspark: pip install 'provenance[spark]'"
            ) from exc
        return run_spark(files, ctx, master=options.master, progress=notify, session=session)
    _warm_up(ctx.settings)
    return run_local(files, ctx, workers=options.workers, progress=notify)


def _totals(outcomes: Sequence[Outcome]) -> dict[str, int]:
    total: Counter[str] = Counter()
    for outcome in outcomes:
        if outcome.kind == "file":
            total.update(outcome.counts)
    return {name: int(total[name]) for name in COUNTERS}


_WARM_UP_TEXT = b"Warm-up\n\nThe council voted on Tuesday to expand bus service in the city."


def _warm_up(settings: Settings) -> None:
    """Check a tiny document before the workers fork, so that the detectors' data files
    are loaded once and a record's time budget is spent on that record."""
    try:
        doc = load_documents(_WARM_UP_TEXT, source="warm-up", settings=settings)[0]
        check_document(doc, original=doc, settings=settings)
    except ProvenanceError:
        return

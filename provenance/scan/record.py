"""The one function every engine runs on every HTML record: prefilter, load, check.

`scan_record` looks at the page's visible text first: a page sharing fewer than
`min_shared` word 5-shingles with the archive, or less than `min_share` of its own
(counted in the filter's sample), is dropped there, before the load stage extracts the
article (the common case in a crawl). Every other page is loaded by `load_documents`,
split by `split_detected` and checked by `check_document` offline against the archive, as
`provenance check --offline --archive` would: the same load, detect, locate (archive
only), align and score code. A copy found is a report whose original came from the
archive, is not the page's own site, and whose verdict says the page was derived from it.

`scan_file` reads one WARC file with the load stage's `WarcReader` and runs
`scan_record` on each record in worker processes, each record under the audit's time
budget (a record that hangs or crashes its worker is an error, the others go on).
"""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from ..archive import Archive, ShingleFilter
from ..audit.workers import WorkerPool
from ..detect.domains import registrable_domain
from ..errors import ProvenanceError
from ..load import WarcError, WarcReader, WarcRecord, load_documents, page_text
from ..models import Report, Verdict
from ..pipeline import check_document, split_detected
from ..report import report_to_dict
from ..report.serialize import dumps
from ..settings import Settings

DERIVED = frozenset({Verdict.FAITHFUL, Verdict.TRIMMED, Verdict.MODIFIED, Verdict.REWRITTEN})
COUNTERS = ("records", "skipped", "dropped", "checked", "copies", "errors")


@dataclass(frozen=True)
class ScanContext:
    """What a worker needs, shipped to it once: settings, the archive file (opened
    read-only) and the prefilter's file."""

    settings: Settings
    archive: str
    filter: str
    every: int
    min_shared: int
    min_share: float
    item_timeout: float
    immutable: bool = False

    def passes(self, shared: int, total: int) -> bool:
        """Whether a page with `shared` of its `total` sampled shingles in the archive
        is worth checking."""
        needed = max(1, math.ceil(self.min_shared / self.every))
        return shared >= needed and shared >= self.min_share * total


@dataclass(frozen=True)
class Outcome:
    """What became of one record (or of a stretch of a file that could not be read).

    kind: "copy" (`lines` holds one JSON line per copy found in the page), "clean" (checked,
    no copy), "dropped" (by the prefilter), "error" (`reason` says why), or "file" (the
    end of a file: `counts` holds its counters).
    """

    kind: str
    file: str
    offset: int
    url: str | None = None
    lines: tuple[str, ...] = ()
    reason: str | None = None
    counts: dict[str, int] = field(default_factory=dict)


# --------------------------------------------------------------------------- per record

_RESOURCES: dict[tuple[int, str, str], tuple[Archive, ShingleFilter]] = {}


def _resources(ctx: ScanContext) -> tuple[Archive, ShingleFilter]:
    """This process's archive connection and filter (opened once; never across a fork)."""
    key = (os.getpid(), ctx.archive, ctx.filter)
    if key not in _RESOURCES:
        archive = Archive.open(
            Path(ctx.archive), settings=ctx.settings, read_only=True, immutable=ctx.immutable
        )
        _RESOURCES[key] = (archive, ShingleFilter.load(ctx.filter, ctx.every))
    return _RESOURCES[key]


def scan_record(record: WarcRecord, ctx: ScanContext) -> Outcome:
    """Prefilter, load and check one HTML record; returns its Outcome (never raises for
    bad content: unreadable pages are "error" outcomes)."""
    archive, shingle_filter = _resources(ctx)
    where = f"{record.file}@{record.offset}"
    try:
        text = page_text(record.body, source=where, content_type=record.content_type)
        if not ctx.passes(*shingle_filter.shared(text)):
            return Outcome("dropped", record.file, record.offset, record.url)
        docs = load_documents(record.body, source=where, settings=ctx.settings,
                              content_type=record.content_type, url=record.url or None)  # fmt: skip
        posts = [post for doc in docs for post in split_detected(doc, ctx.settings)]
        reports = [
            check_document(p, settings=ctx.settings, archive=archive, evidence=evidence)
            for p, evidence in posts
        ]
    except ProvenanceError as exc:
        return Outcome("error", record.file, record.offset, record.url, reason=str(exc))
    lines = tuple(
        _line(report, record, n if len(reports) > 1 else None)
        for n, report in enumerate(reports)
        if is_copy(report)
    )
    return Outcome("copy" if lines else "clean", record.file, record.offset, record.url, lines)


def is_copy(report: Report) -> bool:
    """True when the report found, in the archive, an original this page was derived from
    and that is not on the page's own site."""
    if report.original is None or report.verdict not in DERIVED:
        return False
    page, original = report.copy.url, report.original.document.url
    return not (page and original and site_of(page) == site_of(original))


def site_of(url: str) -> str | None:
    """The registrable domain of `url` ("cnn.com"), else its host name."""
    try:
        return registrable_domain(url) or urlsplit(url).hostname
    except ValueError:
        return None


def _line(report: Report, record: WarcRecord, post: int | None) -> str:
    """The check report's JSON, with where the record is stored and the copy's lag."""
    data: dict[str, Any] = report_to_dict(report)
    warc: dict[str, Any] = {"file": record.file, "offset": record.offset, "date": record.date}
    if post is not None:
        warc["post"] = post
    data["warc"] = warc
    data["lag_hours"] = _lag_hours(report, record.date)
    return dumps(data, indent=None)


def _lag_hours(report: Report, warc_date: str | None) -> float | None:
    """Hours from the original's publication to the copy's (its page date, else the
    capture date); None when either is unknown."""
    assert report.original is not None
    start = report.original.document.published
    end = report.copy.published or _parse_date(warc_date)
    if start is None or end is None or (start.tzinfo is None) != (end.tzinfo is None):
        return None
    return round((end - start).total_seconds() / 3600, 1)


def _parse_date(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


# ----------------------------------------------------------------------------- per file


def _task(payload: tuple[WarcRecord, ScanContext]) -> Outcome:
    return scan_record(*payload)


def scan_stream(
    items: Iterable[WarcRecord | WarcError], ctx: ScanContext, *, name: str, workers: int
) -> Iterator[Outcome]:
    """Outcomes of the records of one reader, checked in `workers` processes, each under
    `ctx.item_timeout` seconds (in the order they finish)."""
    errors: list[Outcome] = []

    def tasks() -> Iterator[tuple[str, tuple[WarcRecord, ScanContext]]]:
        for item in items:
            if isinstance(item, WarcError):
                errors.append(_error(item.file, item.offset, item.url, item.reason))
            else:
                yield f"{item.offset}\x00{item.url}", (item, ctx)

    pool = WorkerPool(_task, workers=workers, timeout=ctx.item_timeout)
    for result in pool.run(tasks()):
        yield from errors
        errors.clear()
        if result.error is None:
            yield result.value
        else:
            offset, url = result.key.split("\x00", 1)
            yield _error(name, int(offset), url or None, result.error)
    yield from errors


def _error(file: str, offset: int, url: str | None, reason: str) -> Outcome:
    return Outcome("error", file, offset, url, reason=reason)


def scan_file(
    name: str,
    ctx: ScanContext,
    *,
    workers: int,
    stream: BinaryIO | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> Iterator[Outcome]:
    """The copy and error outcomes of one WARC file (opened from `name` unless `stream` is
    given), then one "file" outcome with its counters; `on_outcome` sees every outcome,
    dropped and clean records too. Raises nothing for bad files."""
    counts: Counter[str] = Counter()
    try:
        handle = stream if stream is not None else Path(name).open("rb")  # noqa: SIM115
    except OSError as exc:
        counts["errors"] += 1
        yield Outcome("error", name, 0, reason=f"cannot read: {exc.strerror or exc}")
        yield Outcome("file", name, 0, counts=_counts(counts))
        return
    with handle:
        reader = WarcReader(handle, name=name, settings=ctx.settings)
        for outcome in scan_stream(reader, ctx, name=name, workers=workers):
            counts[_COUNTED[outcome.kind]] += 1
            if on_outcome is not None:
                on_outcome(outcome)
            counts["checked"] += outcome.kind in {"copy", "clean"}
            if outcome.kind in {"copy", "error"}:
                yield outcome
        counts["records"], counts["skipped"] = reader.records, reader.skipped
    yield Outcome("file", name, 0, counts=_counts(counts))


_COUNTED = {"copy": "copies", "clean": "clean", "dropped": "dropped", "error": "errors"}


def _counts(counts: Counter[str]) -> dict[str, int]:
    return {name: int(counts[name]) for name in COUNTERS}


def with_paths(ctx: ScanContext, archive: str, filter_path: str) -> ScanContext:
    """`ctx` with the archive and filter found at other paths (an executor's copies)."""
    return replace(ctx, archive=archive, filter=filter_path, immutable=True)

"""Audit many items: read sources, check items in worker processes, apply the policy,
remember results in the state file so reruns check only new or changed items.

`run_audit` returns an `AuditResult`; it raises only when a source cannot be read at all
(FetchError / InputError: "the audit could not run"). A bad item is a record with an
error, and the audit goes on.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass, replace
from enum import Enum
from importlib import import_module, metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from ..errors import Interrupted, ProvenanceError, SettingsError
from ..models import SCHEMA_VERSION, Severity
from ..report.fragments import usable_fragment
from ..settings import DEFAULT_AUDIT_WORKERS, DEFAULT_ITEM_TIMEOUT, Settings
from .policy import Policy, RuleResult, evaluate_policy, failed_rules
from .sources import PageFetcher, SourceItem, SourcePage, iter_source_items
from .state import AuditState, StoredReport
from .workers import TaskResult, WorkerPool

# What checks an item (the pipeline, the fetcher, the archive) is imported when an item
# needs checking: a rerun that reuses every item starts without it.
if TYPE_CHECKING:
    from ..archive import Archive
    from ..fetch import Fetcher

DEFAULT_WORKERS = DEFAULT_AUDIT_WORKERS
_STATUS_ORDER = {"error": 0, "fail": 1, "pass": 2}

Progress = Callable[[str, "AuditRecord | None"], None]


@dataclass(frozen=True)
class AuditRecord:
    """The outcome for one checked document of a source."""

    key: str
    status: str
    report: Mapping[str, Any] | None
    rules: tuple[RuleResult, ...] = ()
    failures: tuple[RuleResult, ...] = ()
    error: str | None = None
    reused: bool = False
    # The report rendered when it was checked (`report.fragments`): what the writers
    # write instead of rendering the report again. Not compared: it is the report's copy.
    rendered: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    # What the summary and the order read of the report (`_brief`), stored with the
    # result so that a reused item's report is not parsed for them.
    brief: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)


class RecordSpool(Sequence[AuditRecord]):
    """The records of one audit, worst first, with their reports in a private temporary
    SQLite database (deleted when closed) and read back one record at a time: the main
    process holds a record's key, status and rules, never every report at once. The
    summary is counted as records are added."""

    def __init__(self) -> None:
        self._db = sqlite3.connect("")  # "": a temporary database on disk, private
        self._db.execute(
            "CREATE TABLE reports (id INTEGER PRIMARY KEY, report TEXT, rendered BLOB)"
        )
        self._rows: list[tuple[tuple[int, float, str], AuditRecord, int | None]] = []
        self._tally: dict[str, Counter[str]] = {
            name: Counter() for name in ("status", "verdicts", "credit", "origins")
        }

    def add(self, record: AuditRecord) -> None:
        self._tally["status"][record.status] += 1
        row = None
        if record.report is not None:
            brief = _brief_of(record)
            self._tally["verdicts"][brief["verdict"]] += 1
            self._tally["credit"][brief["credit"]] += 1
            self._tally["origins"][brief["origin"]] += 1
            row = self._db.execute(
                "INSERT INTO reports (report, rendered) VALUES (?, ?)", _spooled(record)
            ).lastrowid
        light = replace(record, report=None, rendered=None, brief=None)
        self._rows.append((_worst_first(record), light, row))

    def seal(self) -> RecordSpool:
        """Order the records worst first; returns self."""
        self._rows.sort(key=lambda r: r[0])
        return self

    def summary(self) -> dict[str, Any]:
        """What `summarise` gives for these records, from the counts."""
        return {
            "items": len(self._rows),
            **{name: dict(sorted(c.items())) for name, c in self._tally.items()},
        }

    def compact(self) -> list[AuditRecord]:
        """The records without their reports (statuses, keys, rules)."""
        return [record for _, record, _ in self._rows]

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> AuditRecord: ...
    @overload
    def __getitem__(self, index: slice) -> list[AuditRecord]: ...
    def __getitem__(self, index: int | slice) -> AuditRecord | list[AuditRecord]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        _, record, row = self._rows[index]
        if row is None:
            return record
        text, rendered = self._db.execute(
            "SELECT report, rendered FROM reports WHERE id = ?", (row,)
        ).fetchone()
        fragment = None
        if rendered is not None:
            fragment = {**pickle.loads(rendered), "json": text}
        return replace(record, report=StoredReport(text), rendered=fragment)

    def close(self) -> None:
        self._db.close()


def _spooled(record: AuditRecord) -> tuple[str, bytes | None]:
    """A record's report as the spool keeps it: its JSON text (a fragment's, which is
    the report as the writers read it, `jsonable`) and its fragment, pickled without that
    text (the spool is this process's own temporary file, and long strings come back
    from a pickle far faster than from JSON)."""
    fragment = usable_fragment(record)
    if fragment is not None:
        rest = {k: v for k, v in fragment.items() if k != "json"}
        return str(fragment["json"]), pickle.dumps(rest)
    if isinstance(record.report, StoredReport):
        return record.report.text, None
    return json.dumps(record.report, ensure_ascii=False), None


def compact_records(records: Sequence[AuditRecord]) -> Sequence[AuditRecord]:
    """`records` without reading their reports when they are spooled."""
    return records.compact() if isinstance(records, RecordSpool) else records


@dataclass(frozen=True)
class AuditResult:
    records: Sequence[AuditRecord]
    checked: int
    reused: int
    sources: tuple[str, ...] = ()
    summary: Mapping[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return any(r.status != "pass" for r in compact_records(self.records))


@dataclass(frozen=True)
class AuditOptions:
    policy: Policy
    state_path: Path | None
    fail_on: Severity = Severity.ERROR
    workers: int = DEFAULT_WORKERS
    item_timeout: float = DEFAULT_ITEM_TIMEOUT
    baseline: Mapping[str, frozenset[str]] = field(default_factory=dict)


def run_audit(
    sources: Sequence[str],
    *,
    settings: Settings,
    options: AuditOptions,
    fetcher: Any = None,
    progress: Progress | None = None,
) -> AuditResult:
    """Audit every item of `sources`; returns the records sorted worst first.

    Raises FetchError or InputError when a source itself cannot be read, and lets
    Interrupted (a signal) through with `.where` saying how far the audit got; the
    workers are stopped and every result stored so far stays in the state file.
    """
    notify = progress or (lambda _event, _record: None)
    state = AuditState(options.state_path) if options.state_path else None
    records = RecordSpool()
    counts = Counter[str]()
    own_fetcher = None
    if fetcher is None:  # one is made if a source asks for a page
        fetcher = own_fetcher = _LazyFetcher(settings)
    try:
        items = _items(sources, settings, fetcher)
        depends = dependencies(settings, options.policy, _archive_content(settings))
        pending: dict[str, tuple[str, dict[str, str]]] = {}
        tasks = _pending_tasks(
            items, settings, options, state, depends, pending, records, counts, notify
        )
        pool = WorkerPool(_check_task, workers=options.workers, timeout=options.item_timeout)
        for result in pool.run(tasks):
            new = _records_from(result, options)
            if state is not None and result.error is None:
                digest, item_depends = pending.pop(result.key)
                rendered = [r.rendered for r in new]
                state.store(result.key, digest, item_depends, _stored(new), rendered)
            counts["checked"] += 1
            for record in new:
                records.add(record)
                notify("checked", record)
    except Interrupted as exc:
        last = f", the last {records[-1].key}" if records else ""
        exc.where = (
            f"after {len(records)} item(s) ({counts['checked']} checked, "
            f"{counts['reused']} reused{last})"
        )
        raise
    finally:
        if state is not None:
            state.close()
        if own_fetcher is not None:
            own_fetcher.close()
    records.seal()
    return AuditResult(
        records, counts["checked"], counts["reused"], tuple(sources), records.summary()
    )


class _LazyFetcher:
    """The fetcher of an audit given none: made (and httpx imported) when a source first
    asks for a page."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._fetcher: Fetcher | None = None

    def fetch_page(self, url: str, *, trusted: bool = False) -> SourcePage:
        if self._fetcher is None:
            from ..fetch import Fetcher

            self._fetcher = Fetcher(self._settings)
        return self._fetcher.fetch_page(url, trusted=trusted)

    def close(self) -> None:
        if self._fetcher is not None:
            self._fetcher.close()
            self._fetcher = None


def content_hash(item: SourceItem) -> str:
    """A hash of what the user gave for an item: its bytes, their type and its original."""
    digest = hashlib.sha256()
    digest.update((item.content_type or "").encode("utf-8", "replace") + b"\x00")
    digest.update(item.data or b"")
    digest.update(b"\x00" + (item.original or b""))
    return digest.hexdigest()


# Settings that decide how patiently or from where a check reads, not what it finds: a
# run that changes only these reuses the stored results. (The archive counts by what it
# holds, `archive_content`, not by its path.)
_NEUTRAL_SETTINGS = frozenset(
    ("cache_dir", "archive_path", "user_agent", "connect_timeout", "read_timeout",
     "total_timeout", "max_retries", "per_host_delay")
)  # fmt: skip


def dependencies(settings: Settings, policy: Policy, archive_content: str | None) -> dict[str, str]:
    """What a run's results depend on besides each item itself: the tool's version, the
    report schema, digests of the settings that change a result and of the policy, and
    the content version of the archive (`Archive.content_version`; "none" without one).
    Where the settings or policy came from (a cache directory, the policy file's name)
    is left out: it changes no result.

    An item checked against its own original never looks in the archive: its entry
    records "not used" there (see `_item_dependencies`).
    """
    plain = _plain(settings)
    relevant = {k: v for k, v in plain.items() if k not in _NEUTRAL_SETTINGS}
    return {
        "tool": _tool_version(),
        "schema": SCHEMA_VERSION,
        "settings": _digest(_canonical(relevant)),
        "policy": _digest(_canonical({k: v for k, v in _plain(policy).items() if k != "source"})),
        "archive": archive_content or "none",
    }


def _item_dependencies(item: SourceItem, depends: Mapping[str, str]) -> dict[str, str]:
    if item.original is not None:
        return {**depends, "archive": "not used"}
    return dict(depends)


def _tool_version() -> str:
    try:
        return metadata.version("provenance")
    except metadata.PackageNotFoundError:  # run from a source tree that is not installed
        return "unknown"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:32]


def _archive_content(settings: Settings) -> str | None:
    """The content version of the archive the workers will open, or None without one."""
    path = settings.archive_path
    if not path.exists():
        return None
    from ..archive import Archive

    with Archive.open(path, create=False, settings=settings) as archive:
        return archive.content_version()


def _canonical(value: Any) -> str:
    """A JSON spelling of settings or a policy that is the same in every process.

    `repr` is not: the order of a frozenset depends on the per-process string hash seed,
    so a rerun would never find its stored results.
    """
    return json.dumps(_plain(value), sort_keys=True, ensure_ascii=False)


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((_plain(v) for v in value), key=repr)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def summarise(records: Sequence[AuditRecord]) -> dict[str, Any]:
    """Totals per status, verdict and origin."""
    reports = [r.report for r in records if r.report is not None]
    return {
        "items": len(records),
        "status": dict(sorted(Counter(r.status for r in records).items())),
        "verdicts": dict(sorted(Counter(str(r["verdict"]) for r in reports).items())),
        "credit": dict(sorted(Counter(str(r["credit"]) for r in reports).items())),
        "origins": dict(sorted(Counter(_origin_of(r) for r in reports).items())),
    }


def _origin_of(report: Mapping[str, Any]) -> str:
    return str((report.get("origin") or {}).get("domain") or "unknown")


def _items(
    sources: Sequence[str], settings: Settings, fetcher: PageFetcher
) -> Iterator[SourceItem]:
    for source in sources:
        yield from iter_source_items(source, settings=settings, fetcher=fetcher)


def _pending_tasks(
    items: Iterator[SourceItem],
    settings: Settings,
    options: AuditOptions,
    state: AuditState | None,
    depends: Mapping[str, str],
    pending: dict[str, tuple[str, dict[str, str]]],
    records: RecordSpool,
    counts: Counter[str],
    notify: Progress,
) -> Iterator[tuple[str, Any]]:
    """Items that need checking, as worker tasks (each key's content hash and dependencies
    go to `pending`, for the state); reused and failed items go to `records`. Before the
    first task (the workers fork then), the main process warms up: a run that reuses
    every item checks nothing, not even the warm-up document."""
    seen: set[str] = set()
    warm = False
    for item in items:
        if item.key in seen:
            continue
        seen.add(item.key)
        if item.error is not None:
            record = AuditRecord(item.key, "error", None, error=item.error)
            records.add(record)
            notify("error", record)
            continue
        digest = content_hash(item)
        item_depends = _item_dependencies(item, depends)
        stored = state.lookup(item.key, digest, item_depends) if state else None
        if stored is not None:
            counts["reused"] += 1
            for record in _records_from_stored(stored, options):
                records.add(record)
                notify("reused", record)
            continue
        if not warm:
            _warm_up(settings)
            warm = True
        pending[item.key] = (digest, item_depends)
        yield item.key, (item, settings, options.policy)


_WARM_UP_TEXT = (
    b"Warm-up story\n\nThe council voted on Tuesday to expand bus service across the city.\n\n"
    b"This story first appeared on Reuters."
)


_WORKER_MODULES = ("..archive", "..fetch", "..detect")


def _warm_up(settings: Settings) -> None:
    """Check a tiny document here, before the workers fork: the detectors' data files and
    lazy imports are then loaded once, and an item's time budget is spent on that item."""
    from ..load import load_documents
    from ..pipeline import check_document
    from ..report import report_to_dict
    from ..report.audit import render_fragment

    for module in _WORKER_MODULES:  # what a worker opens besides (`_worker_resources`)
        import_module(module, __package__)
    try:
        doc = load_documents(_WARM_UP_TEXT, source="warm-up", settings=settings)[0]
        report = check_document(doc, original=doc, settings=replace(settings, offline=True))
    except ProvenanceError:
        return
    render_fragment(report_to_dict(report))  # the renderers too, and the render version


_WORKER_RESOURCES: dict[Settings, tuple[Fetcher | None, Archive | None]] = {}


def _worker_resources(settings: Settings) -> tuple[Fetcher | None, Archive | None]:
    """The fetcher and archive of this worker process, opened once per settings."""
    if settings not in _WORKER_RESOURCES:
        from ..archive import Archive
        from ..fetch import Fetcher

        fetcher = None if settings.offline else Fetcher(settings)
        path = settings.archive_path
        archive = Archive.open(path, create=False, settings=settings) if path.exists() else None
        _WORKER_RESOURCES[settings] = (fetcher, archive)
    return _WORKER_RESOURCES[settings]


def _check_task(payload: tuple[SourceItem, Settings, Policy]) -> list[dict[str, Any]]:
    """Runs in a worker process: load, check and judge every document of one item."""
    from ..detect import detect_evidence
    from ..load import load_documents
    from ..pipeline import check_document
    from ..report import report_to_dict
    from ..report.audit import render_fragment

    item, settings, policy = payload
    fetcher, archive = _worker_resources(settings)
    original = None
    try:
        if item.original is not None:
            original = load_documents(
                item.original, source=f"{item.key} (original)", settings=settings, original=True
            )[0]
        docs = load_documents(item.data, source=item.key, settings=settings,
                              content_type=item.content_type, url=item.url)  # fmt: skip
    except ProvenanceError as exc:
        return [{"key": item.key, "error": str(exc)}]
    original_evidence = detect_evidence(original, settings) if original is not None else None
    out = []
    for i, doc in enumerate(docs):
        key = item.key if len(docs) == 1 else f"{item.key}#{i}"
        report = check_document(
            doc,
            original=original,
            settings=settings,
            fetcher=fetcher,
            archive=archive,
            original_evidence=original_evidence,
        )
        rules = evaluate_policy(report, policy)
        data = report_to_dict(report)
        out.append(
            {
                "key": key,
                "report": data,
                "rules": [_rule_dict(r) for r in rules],
                "rendered": render_fragment(data),
            }
        )
    return out


def _records_from(result: TaskResult, options: AuditOptions) -> list[AuditRecord]:
    key = result.key
    if result.error is not None:
        return [AuditRecord(key, "error", None, error=result.error)]
    return _records_from_stored({"entries": result.value}, options, reused=False)


def _records_from_stored(
    stored: Mapping[str, Any], options: AuditOptions, *, reused: bool = True
) -> list[AuditRecord]:
    records = []
    for entry in stored["entries"]:
        if entry.get("error"):
            records.append(
                AuditRecord(entry["key"], "error", None, error=entry["error"], reused=reused)
            )
            continue
        rules = tuple(
            RuleResult(r["rule"], r["passed"], Severity(r["severity"]), r["message"])
            for r in entry["rules"]
        )
        accepted = options.baseline.get(entry["key"], frozenset())
        failures = tuple(r for r in failed_rules(rules, options.fail_on) if r.rule not in accepted)
        status = "fail" if failures else "pass"
        records.append(
            AuditRecord(
                entry["key"],
                status,
                entry["report"],
                rules,
                failures,
                reused=reused,
                rendered=entry.get("rendered"),
                brief=entry.get("brief"),
            )
        )
    return records


def _stored(records: list[AuditRecord]) -> dict[str, Any]:
    """The result stored for an item's records (their fragments go beside it)."""
    entries: list[dict[str, Any]] = []
    for r in records:
        if r.error is not None:
            entries.append({"key": r.key, "error": r.error})
        else:
            entries.append(
                {
                    "key": r.key,
                    "report": r.report,
                    "rules": [_rule_dict(x) for x in r.rules],
                    **({"brief": _brief_of(r)} if r.report is not None else {}),
                }
            )
    return {"entries": entries}


def _rule_dict(rule: RuleResult) -> dict[str, Any]:
    return {
        "rule": rule.rule,
        "passed": rule.passed,
        "severity": rule.severity.value,
        "message": rule.message,
    }


def _worst_first(record: AuditRecord) -> tuple[int, float, str]:
    quality = 2.0 if record.report is None else float(_brief_of(record)["quality"])
    return (_STATUS_ORDER[record.status], quality, record.key)


def _brief(report: Mapping[str, Any]) -> dict[str, Any]:
    """What the summary counts and the records' order reads of one report dict."""
    scores = report.get("scores") or {}
    return {
        "verdict": str(report["verdict"]),
        "credit": str(report["credit"]),
        "origin": _origin_of(report),
        "quality": float(scores.get("coverage", 1.0)) + float(scores.get("fidelity", 1.0)),
    }


def _brief_of(record: AuditRecord) -> Mapping[str, Any]:
    if record.brief is not None:
        return record.brief
    assert record.report is not None
    return _brief(record.report)


def load_baseline(path: Path) -> dict[str, frozenset[str]]:
    """Read a baseline file: {"accepted": {item key: [rule ids]}}. Raises SettingsError."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {k: frozenset(v) for k, v in data["accepted"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SettingsError(f"{path}: invalid baseline ({exc})") from exc


def baseline_of(result: AuditResult) -> dict[str, Any]:
    """A baseline accepting every failure of `result` (for --write-baseline)."""
    records = compact_records(result.records)
    accepted = {r.key: sorted(f.rule for f in r.failures) for r in records if r.failures}
    return {"accepted": dict(sorted(accepted.items()))}

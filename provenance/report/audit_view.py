"""The audit as the renderers see it: a view model built from an audit result.

`audit_view(result)` reads results through the small protocols below and never imports
`provenance.audit`: data flows one way, into the report. The audit renderers (json,
markdown, text, junit, html) import this module, and it imports none of them. Each item's
report is the JSON dict of `report_to_dict` (it is stored in the state file between runs),
so items are rebuilt with `report_from_dict` here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast, overload

from ..errors import InputError
from ..models import Report, Severity
from ._text import clean, label
from .fragments import usable_fragment
from .serialize import report_from_dict


class RuleLike(Protocol):
    """One policy rule's outcome (`provenance.audit.policy.RuleResult`)."""

    @property
    def rule(self) -> str: ...
    @property
    def passed(self) -> bool: ...
    @property
    def severity(self) -> Severity: ...
    @property
    def message(self) -> str: ...


class AuditRecordLike(Protocol):
    """One audited item (`provenance.audit.run.AuditRecord`)."""

    @property
    def key(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def report(self) -> Mapping[str, Any] | None: ...
    @property
    def rules(self) -> Sequence[RuleLike]: ...
    @property
    def failures(self) -> Sequence[RuleLike]: ...
    @property
    def error(self) -> str | None: ...
    @property
    def reused(self) -> bool: ...


class AuditResultLike(Protocol):
    """A whole audit (`provenance.audit.run.AuditResult`)."""

    @property
    def records(self) -> Sequence[AuditRecordLike]: ...
    @property
    def checked(self) -> int: ...
    @property
    def reused(self) -> int: ...
    @property
    def sources(self) -> Sequence[str]: ...
    @property
    def summary(self) -> Mapping[str, Any]: ...


class AuditItem:
    """One record as the renderers draw it: its reasons as clean lines, its Report rebuilt
    from the stored dict when read (by the view, which keeps the last few: an item read
    field after field is rebuilt once, and a list of items holds no reports). An item that
    carries its rendered fragment (`AuditRecord.rendered`, made when it was checked) gives
    its name, page parts and error from it without rebuilding the report."""

    __slots__ = ("_index", "_owner", "key", "reasons", "reused", "status")

    def __init__(self, record: AuditRecordLike, owner: _Items, index: int) -> None:
        self.key, self.status, self.reused = record.key, record.status, record.reused
        reasons = tuple(_reason(r) for r in record.failures)
        if record.status == "fail" and not reasons:
            reasons = ("failed the audit policy",)
        self.reasons = reasons
        self._owner, self._index = owner, index

    @property
    def report(self) -> Report | None:
        return self._owner.built(self._index).rebuilt()[0]

    @property
    def error(self) -> str | None:
        """The item's error, or why its stored report cannot be read."""
        built = self._owner.built(self._index)
        if built.fragment is not None:
            return built.record.error
        return built.rebuilt()[1]

    @property
    def name(self) -> str:
        """The item's title (else URL or source) when it has a report, else its key."""
        built = self._owner.built(self._index)
        if built.fragment is not None:
            return str(built.fragment["html"]["label"])
        report = built.rebuilt()[0]
        return label(report) if report is not None else clean(self.key) or "(no key)"

    @property
    def verdict(self) -> str | None:
        """The report's verdict ("faithful", ...), None without a report."""
        built = self._owner.built(self._index)
        if built.fragment is not None:
            return str(built.fragment["html"]["chart"]["verdict"])
        report = built.rebuilt()[0]
        return None if report is None else report.verdict.value

    @property
    def scores(self) -> tuple[float, float] | None:
        """The report's (coverage, fidelity), None without a report or scores."""
        built = self._owner.built(self._index)
        if built.fragment is not None:
            scored = built.fragment["html"]["chart"]["scores"]
            return None if scored is None else (float(scored[0]), float(scored[1]))
        report = built.rebuilt()[0]
        if report is None or report.scores is None:
            return None
        return (report.scores.coverage, report.scores.fidelity)

    @property
    def rendered_html(self) -> Mapping[str, Any] | None:
        """The item's parts of the audit page as rendered when it was checked
        (`html.audit_item_parts`); None: the page renders its report."""
        built = self._owner.built(self._index)
        if built.fragment is None:
            return None
        return cast(Mapping[str, Any], built.fragment["html"])


class _Built:
    """One record read back, its report rebuilt only when asked for."""

    __slots__ = ("_rebuilt", "fragment", "record")

    def __init__(self, record: AuditRecordLike) -> None:
        self.record = record
        self.fragment = usable_fragment(record)
        self._rebuilt: tuple[Report | None, str | None] | None = None

    def rebuilt(self) -> tuple[Report | None, str | None]:
        if self._rebuilt is None:
            self._rebuilt = _rebuild(self.record)
        return self._rebuilt


class _Items(Sequence[AuditItem]):
    """The items of a view, built when read; reports are rebuilt one at a time."""

    def __init__(self, records: Sequence[AuditRecordLike]) -> None:
        self._records = records
        light = getattr(records, "compact", None)  # spooled records, reports left on disk
        self._light: Sequence[AuditRecordLike] = light() if callable(light) else records
        self._recent: dict[int, _Built] = {}

    def __len__(self) -> int:
        return len(self._light)

    @overload
    def __getitem__(self, index: int) -> AuditItem: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[AuditItem]: ...
    def __getitem__(self, index: int | slice) -> AuditItem | Sequence[AuditItem]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        index = range(len(self))[index]
        return AuditItem(self._light[index], self, index)

    def built(self, index: int) -> _Built:
        """One item's record read back; the last few are kept."""
        hit = self._recent.get(index)
        if hit is None:
            hit = _Built(self._records[index])
            if len(self._recent) >= _RECENT_ITEMS:
                del self._recent[next(iter(self._recent))]
            self._recent[index] = hit
        return hit


# Items a view keeps built (a renderer's lists of items hold their statuses and keys).
_RECENT_ITEMS = 4


@dataclass(frozen=True)
class AuditView:
    """Everything a renderer needs: items worst first, counts, and totals per category.
    `items` builds each item when read (see `AuditItem`)."""

    items: Sequence[AuditItem]
    checked: int
    reused: int
    sources: tuple[str, ...]
    totals: Mapping[str, Mapping[str, int]]

    def count(self, status: str) -> int:
        """Return how many items have `status` ("pass", "fail" or "error")."""
        return sum(item.status == status for item in self.items)


def _reason(rule: RuleLike) -> str:
    """ "rule: message", the message without a repeat of the rule's name ("verdict:
    rewritten", not "verdict: verdict rewritten")."""
    name, message = clean(rule.rule), clean(rule.message)
    if message.startswith(name + " "):
        message = message[len(name) + 1 :]
    return f"{name}: {message}"


def _rebuild(record: AuditRecordLike) -> tuple[Report | None, str | None]:
    report, error = None, record.error
    if record.report is not None:
        try:
            report = report_from_dict(record.report)
        except InputError as exc:
            error = error or f"stored report is unreadable ({exc})"
    return report, error


def _origin(report: Report) -> str:
    return report.evidence.origin.domain or "unknown"


def _totals(result: AuditResultLike, items: Sequence[AuditItem]) -> dict[str, dict[str, int]]:
    """Totals per category: the result's summary (counted as the audit ran), else counted
    here from the reports (rebuilt only when the summary lacks a category)."""
    totals: dict[str, dict[str, int]] = {}
    for name in ("status", "verdicts", "credit", "origins"):
        given = result.summary.get(name)
        source = given if isinstance(given, Mapping) else _count(name, items)
        # audit.summarise writes a missing origin domain as "None".
        totals[name] = {
            ("unknown" if str(k) in ("None", "") else clean(k)): int(v) for k, v in source.items()
        }
    return totals


def _count(name: str, items: Sequence[AuditItem]) -> Counter[str]:
    if name == "status":
        return Counter(i.status for i in items)
    reports = (i.report for i in items if i.report is not None)
    if name == "verdicts":
        return Counter(r.verdict.value for r in reports)
    if name == "credit":
        return Counter(r.credit.value for r in reports)
    return Counter(_origin(r) for r in reports)


def audit_view(result: AuditResultLike) -> AuditView:
    """Return the renderable view of `result`; records keep their (worst-first) order.

    Items are built when read (see `_Items`): a renderer drawing them one after the other
    holds one report at a time. A stored report that cannot be rebuilt makes its item
    show the reason as an error. Raises nothing.
    """
    items = _Items(result.records)
    return AuditView(
        items,
        result.checked,
        result.reused,
        tuple(result.sources),
        _totals(result, items),
    )

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
from typing import Any, Protocol

from ..errors import InputError
from ..models import Report, Severity
from ._text import clean, label
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


@dataclass(frozen=True)
class AuditItem:
    """One record as the renderers draw it: its Report rebuilt, its reasons as clean lines."""

    key: str
    status: str
    report: Report | None
    reasons: tuple[str, ...] = ()
    error: str | None = None
    reused: bool = False

    @property
    def name(self) -> str:
        """The item's title (else URL or source) when it has a report, else its key."""
        return label(self.report) if self.report is not None else clean(self.key) or "(no key)"


@dataclass(frozen=True)
class AuditView:
    """Everything a renderer needs: items worst first, counts, and totals per category."""

    items: tuple[AuditItem, ...]
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


def _item(record: AuditRecordLike) -> AuditItem:
    report, error = None, record.error
    if record.report is not None:
        try:
            report = report_from_dict(record.report)
        except InputError as exc:
            error = error or f"stored report is unreadable ({exc})"
    reasons = tuple(_reason(r) for r in record.failures)
    if record.status == "fail" and not reasons:
        reasons = ("failed the audit policy",)
    return AuditItem(record.key, record.status, report, reasons, error, record.reused)


def _origin(report: Report) -> str:
    return report.evidence.origin.domain or "unknown"


def _totals(result: AuditResultLike, items: Sequence[AuditItem]) -> dict[str, dict[str, int]]:
    reports = [i.report for i in items if i.report is not None]
    computed = {
        "status": Counter(i.status for i in items),
        "verdicts": Counter(r.verdict.value for r in reports),
        "credit": Counter(r.credit.value for r in reports),
        "origins": Counter(_origin(r) for r in reports),
    }
    totals: dict[str, dict[str, int]] = {}
    for name, counts in computed.items():
        given = result.summary.get(name)
        source = given if isinstance(given, Mapping) else counts
        # audit.summarise writes a missing origin domain as "None".
        totals[name] = {
            ("unknown" if str(k) in ("None", "") else clean(k)): int(v) for k, v in source.items()
        }
    return totals


def audit_view(result: AuditResultLike) -> AuditView:
    """Return the renderable view of `result`; records keep their (worst-first) order.

    A stored report that cannot be rebuilt makes its item show the reason as an error.
    Raises nothing.
    """
    items = tuple(_item(r) for r in result.records)
    return AuditView(
        items,
        result.checked,
        result.reused,
        tuple(result.sources),
        _totals(result, items),
    )

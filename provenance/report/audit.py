"""The results of `provenance audit` (many items) in every report format, and its progress.

    render_audit(result, "text" | "json" | "jsonl" | "markdown" | "junit" | "html")

The renderers draw the view model of `audit_view.py` (json, jsonl and markdown here; text,
junit and html in their own modules, imported when asked for). Nothing imports this
module back but the package's `__init__`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, TextIO

from ..errors import InputError, SettingsError
from ..models import SCHEMA_VERSION, Report
from ._text import clean, plural, trim
from .audit_view import AuditItem, AuditRecordLike, AuditResultLike, AuditView, RuleLike, audit_view
from .fragments import render_version, usable_fragment
from .markdown import link, md, render_markdown
from .serialize import dumps, jsonable, report_from_dict

if TYPE_CHECKING:
    from .terminal import ProgressBar

AUDIT_FORMATS = ("text", "json", "jsonl", "markdown", "junit", "html")
STATUSES = ("error", "fail", "pass")
# A GitHub comment holds at most 65,536 characters; per-item details stop well before.
MARKDOWN_BUDGET = 60_000
_STATUS_ICON = {"error": "💥", "fail": "❌", "pass": "✅"}


# ---- json and jsonl ------------------------------------------------------------------


def _rule(rule: RuleLike, *, passed: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rule": rule.rule,
        "severity": rule.severity.value,
        "message": rule.message,
    }
    if passed:
        out["passed"] = rule.passed
    return out


def _record_json(record: AuditRecordLike, *, rules: bool, report: bool = True) -> dict[str, Any]:
    """The record as JSON-ready builtins; with `report=False`, its report left null."""
    out: dict[str, Any] = {
        "key": record.key,
        "status": record.status,
        "reused": record.reused,
        "error": record.error,
        "failures": [_rule(r, passed=False) for r in record.failures],
        "report": None if record.report is None or not report else jsonable(record.report),
    }
    if rules:
        out["rules"] = [_rule(r, passed=True) for r in record.rules]
    return out


def _audit_json(result: AuditResultLike) -> dict[str, Any]:
    return {
        "sources": list(result.sources),
        "checked": result.checked,
        "reused": result.reused,
        "summary": jsonable(result.summary),
    }


def render_audit_json(result: AuditResultLike) -> str:
    """Return the audit as one deterministic JSON document ending in a newline.

    Shape: {"schema_version", "audit": {"sources", "checked", "reused", "summary"},
    "items": [{"key", "status", "reused", "error", "failures", "rules", "report"}]}, where
    "report" is the report schema of docs/schema.md (or null when the item errored).
    """
    return "".join(iter_audit_json(result))


# Where the items go in the envelope `dumps` writes (keys sorted, two-space indent).
_NO_ITEMS = '\n  "items": [],\n'


def iter_audit_json(result: AuditResultLike) -> Iterator[str]:
    """`render_audit_json` in pieces, one item at a time (the same text, joined)."""
    envelope = {"schema_version": SCHEMA_VERSION, "audit": _audit_json(result), "items": []}
    head, tail = (dumps(envelope) + "\n").split(_NO_ITEMS)
    if not result.records:
        yield head + _NO_ITEMS + tail
        return
    yield head + '\n  "items": [\n'
    for n, record in enumerate(result.records):
        text = _record_text(record).replace("\n", "\n    ")
        yield ("    " if n == 0 else ",\n    ") + text
    yield "\n  ],\n" + tail


# Where an item's report goes in its record as `dumps` writes it (keys sorted: "report"
# comes after "key" and before "reused"; a line starting with two spaces and a quote is a
# key of the record itself, since strings hold no raw line breaks).
_NO_REPORT = '\n  "report": null,\n'


def _record_text(record: AuditRecordLike) -> str:
    """`dumps(_record_json(record, rules=True))`, with the report's text taken from the
    record's fragment when it has one (a reused item's report is not encoded again)."""
    fragment = usable_fragment(record)
    if fragment is None:
        return dumps(_record_json(record, rules=True))
    shell = dumps(_record_json(record, rules=True, report=False))
    before, after = shell.split(_NO_REPORT)
    report = str(fragment["json"]).replace("\n", "\n  ")
    return f'{before}\n  "report": {report},\n{after}'


def render_audit_jsonl(result: AuditResultLike) -> str:
    """Return one JSON line per item, then a last line {"summary": {...}} with the totals."""
    return "".join(iter_audit_jsonl(result))


def iter_audit_jsonl(result: AuditResultLike) -> Iterator[str]:
    """`render_audit_jsonl` line by line."""
    for record in result.records:
        yield dumps(_record_json(record, rules=False), indent=None) + "\n"
    audit = _audit_json(result)
    summary = {**audit.pop("summary"), **audit}
    yield dumps({"summary": summary}, indent=None) + "\n"


# ---- fragments -----------------------------------------------------------------------


def render_fragment(report: Mapping[str, Any]) -> dict[str, Any] | None:
    """Return the fragment of one report dict (`report_to_dict`): {"version", "json",
    "html"}, JSON-ready; None when the dict is not a readable report (the writers then
    show why, as they do for any stored report).

    "json" is the report as the audit's JSON writes it (`dumps(jsonable(report))`);
    "html" is `html.audit_item_parts` of the report rebuilt from its JSON, as the writers
    rebuild a stored one. Raises nothing for a report dict.
    """
    from .html import audit_item_parts  # the page's renderer, only when asked for

    try:
        rebuilt = report_from_dict(json.loads(json.dumps(report, ensure_ascii=False)))
    except InputError:
        return None
    return {
        "version": render_version(),
        "json": dumps(jsonable(report)),
        "html": audit_item_parts(rebuilt),
    }


# ---- markdown ------------------------------------------------------------------------


def _counts(counts: Mapping[str, int]) -> str:
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return " · ".join(f"{md(k)} {v}" for k, v in ranked)


def _score(report: Report | None, name: str) -> str:
    scores = report.scores if report is not None else None
    return "" if scores is None else f"{getattr(scores, name):.3f}"


def _md_name(item: AuditItem) -> str:
    url = item.report.copy.url if item.report is not None else item.key
    return link(trim(item.name, 100), url)


def _md_attention(view: AuditView) -> list[str]:
    bad = [i for i in view.items if i.status != "pass"]
    if not bad:
        return []
    lines = [
        "### Needs attention",
        "",
        "| # | Item | Status | Verdict | Coverage | Fidelity | Reasons |",
        "|---:|---|---|---|---:|---:|---|",
    ]
    for n, item in enumerate(bad, 1):
        verdict = item.report.verdict.value if item.report is not None else ""
        reasons = [item.error] if item.error else list(item.reasons)
        why = "<br>".join(md(r, 300) for r in reasons)
        lines.append(
            f"| {n} | {_md_name(item)} | {_STATUS_ICON[item.status]} {item.status} | {verdict} "
            f"| {_score(item.report, 'coverage')} | {_score(item.report, 'fidelity')} | {why} |"
        )
    return [*lines, ""]


def _md_passing(view: AuditView) -> list[str]:
    good = [i for i in view.items if i.status == "pass"]
    if not good:
        return []
    lines = [
        "<details>",
        f"<summary>Passing items ({len(good)})</summary>",
        "",
        "| Item | Verdict | Credit | Coverage | Fidelity |",
        "|---|---|---|---:|---:|",
    ]
    for item in good:
        r = item.report
        verdict, credit = (r.verdict.value, r.credit.value) if r is not None else ("", "")
        lines.append(
            f"| {_md_name(item)} | {verdict} | {credit} "
            f"| {_score(r, 'coverage')} | {_score(r, 'fidelity')} |"
        )
    return [*lines, "", "</details>", ""]


def _md_details(view: AuditView, budget: int) -> list[str]:
    out: list[str] = []
    shown = 0
    failing = [i for i in view.items if i.status == "fail" and i.report is not None]
    for item in failing:
        assert item.report is not None
        block = (
            f"<details>\n<summary>Details: {md(item.name, 120)}</summary>\n\n"
            f"{render_markdown(item.report)}\n</details>\n"
        )
        if budget - len(block) < 0:
            break
        budget -= len(block)
        out.append(block)
        shown += 1
    if shown < len(failing):
        more = plural(len(failing) - shown, "more failing item")
        out.append(f"_Details of {more} are left out._\n")
    return out


def render_audit_markdown(view: AuditView) -> str:
    """Return the audit as a Markdown pull-request comment; copy text is escaped."""
    passed, failed, errors = view.count("pass"), view.count("fail"), view.count("error")
    icon = _STATUS_ICON["pass" if failed + errors == 0 else "fail"]
    head = [
        f"## {icon} Provenance audit: {failed} failing, {errors} error{'s' * (errors != 1)}, "
        f"{passed} passing "
        f"({plural(len(view.items), 'item')})",
        "",
        f"Checked {view.checked}, reused {view.reused} from an earlier run"
        + (f"; sources: {', '.join(md(s, 120) for s in view.sources)}" if view.sources else "")
        + ".",
        "",
    ]
    for title, name in (("Verdicts", "verdicts"), ("Credit", "credit"), ("Origins", "origins")):
        if view.totals.get(name):
            head.append(f"- **{title}:** {_counts(view.totals[name])}")
    text = "\n".join([*head, "", *_md_attention(view), *_md_passing(view)])
    return text + "\n".join(_md_details(view, MARKDOWN_BUDGET - len(text)))


# ---- dispatch ------------------------------------------------------------------------


def render_audit(
    result: AuditResultLike, fmt: str, *, color: bool = False, width: int | None = None
) -> str:
    """Return the audit `result` rendered in `fmt`, one of AUDIT_FORMATS.

    `color` adds ANSI colour and `width` (a terminal's columns) folds lines in "text"
    only; without it lines are left whole. Raises SettingsError for an unknown format.
    """
    if fmt == "json":
        return render_audit_json(result)
    if fmt == "jsonl":
        return render_audit_jsonl(result)
    view = audit_view(result)
    if fmt == "text":
        from .terminal import render_audit_text  # rich only when text is wanted

        return render_audit_text(view, color=color, width=width)
    if fmt == "markdown":
        return render_audit_markdown(view)
    if fmt == "junit":
        from .junit import render_audit_junit

        return render_audit_junit(view)
    if fmt == "html":
        from .html import render_audit_html

        return render_audit_html(view)
    raise SettingsError(f"unknown audit format {fmt!r}; choose one of {', '.join(AUDIT_FORMATS)}")


def iter_audit(
    result: AuditResultLike, fmt: str, *, color: bool = False, width: int | None = None
) -> Iterator[str]:
    """`render_audit` in pieces, for writing to a file as they come: JSON, JSON Lines and
    HTML item by item (an audit of any size is written without holding it all)."""
    if fmt == "json":
        yield from iter_audit_json(result)
    elif fmt == "jsonl":
        yield from iter_audit_jsonl(result)
    elif fmt == "html":
        from .html import iter_audit_html

        yield from iter_audit_html(audit_view(result))
    else:
        yield render_audit(result, fmt, color=color, width=width)


# ---- progress ------------------------------------------------------------------------


def progress_line(event: str, record: AuditRecordLike) -> str:
    """Return the log line for one finished item: "checked KEY: verdict (status)"."""
    key = trim(clean(record.key), 200)
    if record.report is None:
        what = trim(clean(record.error or "no report"), 200)
    else:
        what = clean(record.report.get("verdict")) or "no verdict"
    return f"{clean(event)} {key}: {what} ({clean(record.status)})"


class ProgressPrinter:
    """Receives the audit's progress events; a rich bar on a terminal, nothing elsewhere
    (a log or a CI step gets the summary, not a line per item before it).

    Call it as `printer(event, record)` (events "checked", "reused", "error"); the event
    "done" (or `close()`, or leaving a `with` block) ends the bar.
    """

    def __init__(self, stream: TextIO, *, is_terminal: bool) -> None:
        self._stream = stream
        self._counts = Counter[str]()
        self._bar: ProgressBar | None = None
        if is_terminal:
            from .terminal import ProgressBar  # rich is imported only for a terminal

            self._bar = ProgressBar(stream)

    def __call__(self, event: str, record: AuditRecordLike | None) -> None:
        if event == "done":
            self.close()
            return
        if record is None:
            self._emit(clean(event), loud=True)
            return
        self._counts[record.status] += 1
        self._emit(progress_line(event, record), loud=record.status != "pass")
        if self._bar is not None:
            self._bar.update(sum(self._counts.values()), self._description(record))

    def _description(self, record: AuditRecordLike) -> str:
        counts = ", ".join(f"{self._counts[s]} {s}" for s in STATUSES if self._counts[s])
        return f"{counts} · {trim(clean(record.key), 40)}"

    def _emit(self, line: str, *, loud: bool) -> None:
        if self._bar is not None and loud:  # only what needs attention scrolls above it
            self._bar.log(line)

    def close(self) -> None:
        """Stop the progress bar (if any); safe to call more than once."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> ProgressPrinter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def progress_printer(stream: TextIO, *, is_terminal: bool) -> ProgressPrinter:
    """Return a progress callback for `run_audit(progress=...)` writing to `stream`.

    On a terminal it draws a rich progress bar (and prints items that fail or error above
    it, "checked KEY: verdict (status)"); otherwise it writes nothing.
    The returned `ProgressPrinter` is a `Callable[[str, AuditRecord | None], None]`; call
    `.close()` or send "done" at the end.
    Raises nothing.
    """
    return ProgressPrinter(stream, is_terminal=is_terminal)

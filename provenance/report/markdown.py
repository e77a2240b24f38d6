"""Reports as Markdown for pull-request comments (GitHub-flavoured).

Copy text is inert here: control characters are stripped, HTML special characters become
entities and Markdown punctuation is backslash-escaped, so a title holding "<script>" or
"](javascript:" renders as the literal text. Links are made only for http(s) URLs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..models import DiffOp, ParagraphMatch, Report, Status
from ._text import (
    clean,
    iso_utc,
    label,
    lag_hours,
    origin_name,
    plural,
    safe_url,
    trim,
    whole_diff,
)

_MD_SPECIAL = set("\\`*_{}[]()#!|~$<>&")
_HTML_ENTITY = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
_URL_QUOTE = {"(": "%28", ")": "%29", "[": "%5B", "]": "%5D", "|": "%7C", "*": "%2A", "_": "%5F"}
_STATUS_MARK = {
    Status.VERBATIM: "= verbatim",
    Status.EDITED: "~ edited",
    Status.REWRITTEN: "≈ rewritten",
    Status.ADDED: "+ added",
    Status.DROPPED: "- dropped",
}
_SEVERITY_ICON = {"error": "❌", "warning": "⚠️", "info": "💬"}


def md(text: object, limit: int | None = None) -> str:
    """Return `text` cleaned to one line and escaped for Markdown and inline HTML."""
    value = clean(text)
    if limit is not None:
        value = trim(value, limit)
    out = []
    for char in value:
        if char == "@":
            out.append("@\u200b")  # keeps "@user" in a copy from pinging anyone on GitHub
        elif char in _HTML_ENTITY:
            out.append(_HTML_ENTITY[char])
        elif char in _MD_SPECIAL:
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def link(text: object, url: object) -> str:
    """Return a Markdown link when `url` is http(s), else the escaped text alone."""
    shown = md(text, 120) or md(url, 120)
    target = safe_url(url)
    if target is None:
        return shown
    return f"[{shown}]({''.join(_URL_QUOTE.get(c, c) for c in target)})"


def _num(value: float) -> str:
    return f"{value:.3f}"


def _summary(report: Report) -> list[str]:
    rows = [
        ("Verdict", f"**{report.verdict.value}**"),
        ("Credit", f"**{report.credit.value}**"),
    ]
    origin = report.evidence.origin
    if origin.publisher or origin.domain:
        who = md(origin_name(origin))
        rows.append(("Origin", f"{who} (confidence {origin.confidence:.2f})"))
    if report.scores is not None:
        s = report.scores
        rows += [
            ("Coverage", _num(s.coverage)),
            ("Fidelity", _num(s.fidelity)),
            ("Additions", _num(s.additions)),
            ("Order", _num(s.order)),
        ]
    lines = ["| | |", "|---|---|"]
    return lines + [f"| {name} | {value} |" for name, value in rows]


def _findings(report: Report) -> list[str]:
    if not report.findings:
        return ["_No findings._"]
    order = {"error": 0, "warning": 1, "info": 2}
    findings = sorted(report.findings, key=lambda f: order.get(f.severity.value, 3))
    return [
        f"- {_SEVERITY_ICON.get(f.severity.value, '')} **{md(f.severity.value)}** "
        f"`{clean(f.code).replace('`', '')}`: {md(f.message)}"
        for f in findings
    ]


def _evidence(report: Report) -> list[str]:
    ev = report.evidence
    lines = [
        f"- Attribution: “{md(a.text, 160)}” → {link(a.origin or a.name, a.url)}"
        + (f" (paragraph {a.paragraph_index})" if a.paragraph_index >= 0 else "")
        for a in ev.attributions
    ]
    for m in ev.markers:
        text = f"- Marker: {md(m.publisher)} `{clean(m.kind).replace('`', '')}` x{m.count}"
        earliest = m.details.get("earliest_created")
        if earliest is not None:
            shown = iso_utc(earliest) if hasattr(earliest, "astimezone") else earliest
            text += f", earliest created {md(shown)}"
        lag = lag_hours([m])
        if lag is not None:
            text += f", copy lag {lag:.1f} h"
        lines.append(text)
    lines += [f"- Signal {md(s.kind)}: {md(s.value, 160)}" for s in ev.signals]
    found = report.original
    if found is not None:
        doc = found.document
        lines.append(
            f"- Original: {link(doc.title or doc.url, doc.url)} (found by {md(found.found_by)})"
        )
    else:
        lines.append("- Original: not found")
    return lines


def _diff(ops: Iterable[DiffOp]) -> str:
    parts = []
    for op in ops:
        if op.op == "equal":
            parts.append(md(op.copy))
            continue
        if op.original and op.op in ("delete", "replace"):
            parts.append(f"<del>{md(op.original)}</del>")
        if op.copy and op.op in ("insert", "replace"):
            parts.append(f"<ins>{md(op.copy)}</ins>")
        if op.kind is not None:
            parts[-1] += f"<sup>{op.kind.value}</sup>"
    return " ".join(parts)


def _map_row(m: ParagraphMatch) -> str:
    copy = "" if m.copy_index is None else str(m.copy_index)
    orig = "" if m.original_index is None else str(m.original_index)
    if m.status is Status.EDITED and m.diff:
        text = _diff(whole_diff(m))
    else:
        text = md(m.original_text if m.status is Status.DROPPED else m.copy_text, 160)
    moved = " (moved)" if m.moved else ""
    mark = _STATUS_MARK.get(m.status, m.status.value)
    return f"| {mark}{moved} | {copy} | {orig} | {m.similarity:.3f} | {text} |"


def _paragraph_map(report: Report) -> list[str]:
    matches = report.alignment.matches if report.alignment else ()
    lines = [
        "<details>",
        f"<summary>Paragraph map ({plural(len(matches), 'row')})</summary>",
        "",
        "| status | copy | original | similarity | text |",
        "|---|---:|---:|---:|---|",
    ]
    lines += [_map_row(m) for m in matches]
    return [*lines, "", "</details>"]


def _one(report: Report) -> str:
    url = report.copy.url
    heading = f"## Provenance: {md(label(report), 200)}"
    parts = [heading]
    if safe_url(url):
        parts.append(link(url, url))
    parts += ["", *_summary(report), "", "### Findings", "", *_findings(report)]
    parts += ["", "### Evidence", "", *_evidence(report), "", *_paragraph_map(report)]
    return "\n".join(parts) + "\n"


def render_markdown(reports: Report | Sequence[Report]) -> str:
    """Return the report(s) as Markdown; several reports are separated by a rule."""
    items = [reports] if isinstance(reports, Report) else list(reports)
    return "\n---\n\n".join(_one(r) for r in items)

"""Many reports as ONE self-contained HTML page: charts, a sortable table, side-by-side views.

Safety: every string that came from a copy or an original goes through `_e` (control
characters stripped, then html.escape with quote=True); URLs become links only when they are
http(s); no copy content is ever placed in a <script>. A Content-Security-Policy meta with
the sha256 of the one inline script and stylesheet means even an escaping bug runs nothing.
"""

from __future__ import annotations

import base64
import hashlib
import html
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from ..models import DiffOp, ParagraphMatch, Report, Status, Verdict
from ._text import (
    clean,
    copy_lag,
    iso_utc,
    label,
    lag_hours,
    origin_name,
    plural,
    safe_url,
    trim,
    whole_diff,
)
from .charts import bar_chart, histogram

if TYPE_CHECKING:
    from .audit_view import AuditItem, AuditView

_LAG_BINS: tuple[tuple[str, float], ...] = (
    ("<1h", 1),
    ("1-6h", 6),
    ("6-24h", 24),
    ("1-3d", 72),
    ("3-7d", 168),
    (">7d", float("inf")),
)


def _e(text: object, limit: int | None = None) -> str:
    value = clean(text)
    return html.escape(trim(value, limit) if limit else value, quote=True)


def _e_block(text: object) -> str:
    return html.escape(clean(text), quote=True)


@cache
def _assets() -> tuple[str, str]:
    package = resources.files(__package__ or "provenance.report")
    css = package.joinpath("template.css").read_text(encoding="utf-8")
    js = package.joinpath("template.js").read_text(encoding="utf-8")
    return css, js


def _sha256(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(css: str, js: str) -> str:
    """Return the CSP that allows exactly the given inline stylesheet and script."""
    return (
        f"default-src 'none'; script-src {_sha256(js)}; style-src {_sha256(css)}; "
        "img-src data:; base-uri 'none'; form-action 'none'; frame-src 'none'; object-src 'none'"
    )


def _link(text: str, url: object, cls: str = "") -> str:
    target = safe_url(url)
    klass = f' class="{cls}"' if cls else ""
    if target is None:
        return f"<span{klass}>{text}</span>"
    return (
        f'<a{klass} href="{html.escape(target, quote=True)}" rel="noopener noreferrer nofollow"'
        f' target="_blank">{text}</a>'
    )


def _num(value: float | None, digits: int = 3) -> str:
    return "" if value is None else f"{value:.{digits}f}"


# ---- summary charts ---------------------------------------------------------------


def _bins(values: Iterable[float], count: int = 10) -> list[int]:
    bins = [0] * count
    for v in values:
        bins[min(max(int(v * count), 0), count - 1)] += 1
    return bins


def _lag_bins(lags: Iterable[float]) -> list[int]:
    bins = [0] * len(_LAG_BINS)
    for lag in lags:
        bins[next(i for i, (_, top) in enumerate(_LAG_BINS) if lag < top)] += 1
    return bins


def _figure(caption: str, svg: str, note: str = "") -> str:
    extra = f'<div class="muted">{html.escape(note)}</div>' if note else ""
    return f"<figure><figcaption>{html.escape(caption)}</figcaption>{svg}{extra}</figure>"


class _ChartInputs:
    """What the charts draw, gathered report by report (no report kept)."""

    def __init__(self) -> None:
        self.reports = 0
        self.verdicts: Counter[Verdict] = Counter()
        self.scored: list[tuple[float, float]] = []
        self.lags: list[float] = []

    def add(self, report: Report) -> None:
        self.add_chart(_chart_facts(report))

    def add_chart(self, chart: Mapping[str, Any]) -> None:
        """Count one report from its `_chart_facts`."""
        self.reports += 1
        self.verdicts[Verdict(chart["verdict"])] += 1
        if chart["scores"] is not None:
            coverage, fidelity = chart["scores"]
            self.scored.append((coverage, fidelity))
        if chart["lag"] is not None:
            self.lags.append(chart["lag"])

    def render(self, lead: Sequence[str] = ()) -> str:
        return _charts_of(self, lead)


def _chart_facts(report: Report) -> dict[str, Any]:
    """What the charts draw of one report (JSON-ready: it is stored with audit results)."""
    s = report.scores
    return {
        "verdict": report.verdict.value,
        "scores": None if s is None else [s.coverage, s.fidelity],
        "lag": copy_lag(report),
    }


def _charts(reports: Sequence[Report], lead: Sequence[str] = ()) -> str:
    inputs = _ChartInputs()
    for report in reports:
        inputs.add(report)
    return _charts_of(inputs, lead)


def _charts_of(inputs: _ChartInputs, lead: Sequence[str]) -> str:
    verdicts = [(v.value, inputs.verdicts[v]) for v in Verdict]
    scored, lags = inputs.scored, inputs.lags
    axis = ["0", "0.5", "1"]
    unscored = f"{inputs.reports - len(scored)} without scores"
    figures = [
        *lead,
        _figure("Verdicts", bar_chart(verdicts, "Verdict counts")),
        _figure(
            "Coverage",
            histogram(_bins(c for c, _ in scored), axis, "Coverage distribution"),
            unscored,
        ),
        _figure(
            "Fidelity",
            histogram(_bins(f for _, f in scored), axis, "Fidelity distribution", "bar-verbatim"),
            unscored,
        ),
    ]
    if lags:  # most copies carry no dated markup: no chart of nothing
        figures.append(
            _figure(
                "Copy lag (original → copy)",
                histogram(_lag_bins(lags), [b for b, _ in _LAG_BINS], "Copy lag", "bar-edited"),
                f"{inputs.reports - len(lags)} without dated markup or dates on both sides",
            )
        )
    return '<section class="charts" id="summary">' + "".join(figures) + "</section>"


# ---- table --------------------------------------------------------------------------

_COLUMNS = (
    ("#", "num"),
    ("Title", "text"),
    ("Verdict", "text"),
    ("Credit", "text"),
    ("Origin", "text"),
    ("Coverage", "num"),
    ("Fidelity", "num"),
    ("Additions", "num"),
    ("Lag (h)", "num"),
    ("Findings", "num"),
)


_LAG_COLUMN = "Lag (h)"


def _columns(columns: Sequence[tuple[str, str]], with_lag: bool) -> tuple[tuple[str, str], ...]:
    """The table's columns: the lag column only when some row has a lag."""
    return tuple(c for c in columns if with_lag or c[0] != _LAG_COLUMN)


def _cell(text: str, sort: str, numeric: bool = False, name: str = "") -> str:
    cls = ' class="num"' if numeric else ""
    # data-label names the column where a narrow screen shows each row as a card.
    label_attr = f' data-label="{html.escape(name, quote=True)}"' if name else ""
    return f'<td{cls}{label_attr} data-sort="{html.escape(sort, quote=True)}">{text}</td>'


def _cells(n: int, report: Report, with_lag: bool = True) -> list[str]:
    return _numbered_cells(n, _cell_parts(report), with_lag)


def _cell_parts(report: Report) -> dict[str, Any]:
    """The table cells of one report that do not depend on its row number."""
    s, origin = report.scores, report.evidence.origin
    lag = copy_lag(report)
    name = origin_name(origin) if origin.publisher or origin.domain else ""
    v, c = report.verdict.value, report.credit.value
    lag_text = _num(lag, 1) or '<span class="muted" title="no dated markup or dates">&ndash;</span>'
    return {
        "title": _e(label(report), 120),
        "sort": label(report).lower(),
        "cells": [
            _cell(f'<span class="badge v-{v}">{v}</span>', v, name="Verdict"),
            _cell(f'<span class="badge c-{c}">{c}</span>', c, name="Credit"),
            _cell(html.escape(name, quote=True), name.lower(), name="Origin"),
            _cell(
                _num(s.coverage if s else None), _num(s.coverage if s else None), True, "Coverage"
            ),
            _cell(
                _num(s.fidelity if s else None), _num(s.fidelity if s else None), True, "Fidelity"
            ),
            _cell(
                _num(s.additions if s else None),
                _num(s.additions if s else None),
                True,
                "Additions",
            ),
        ],
        "lag": _cell(lag_text, _num(lag, 3), True, _LAG_COLUMN),
        "findings": _cell(str(len(report.findings)), str(len(report.findings)), True, "Findings"),
    }


def _numbered_cells(n: int, parts: Mapping[str, Any], with_lag: bool) -> list[str]:
    return [
        _cell(str(n + 1), str(n + 1), True),
        _cell(f'<a href="#item-{n}">{parts["title"]}</a>', parts["sort"]),
        *parts["cells"],
        *([parts["lag"]] if with_lag else []),
        parts["findings"],
    ]


def _table(columns: Sequence[tuple[str, str]], rows: Iterable[str]) -> str:
    head = "".join(
        f'<th{" class=num" if kind == "num" else ""} data-type="{kind}" aria-sort="none">'
        f'<button type="button">{html.escape(name)}</button></th>'
        for name, kind in columns
    )
    rows = "".join(rows)
    return (
        '<h2>Items</h2><div class="table-wrap"><table class="items sortable" id="items">'
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>"
    )


# ---- one item -----------------------------------------------------------------------


def _facts(report: Report) -> str:
    copy, origin, found = report.copy, report.evidence.origin, report.original
    rows = [
        ("Copy", _link(_e(copy.url or copy.source, 160), copy.url)),
        ("Published", _e(iso_utc(copy.published) or "unknown")),
        (
            "Origin",
            f"{_e(origin_name(origin), 160)} (confidence {origin.confidence:.2f})",
        ),
    ]
    if found is not None:
        doc = found.document
        shown = _e(doc.title or doc.url or doc.source, 160)
        rows.append(("Original", f"{_link(shown, doc.url)} (found by {_e(found.found_by, 60)})"))
    else:
        rows.append(("Original", "not found"))
    if report.scores is not None:
        s = report.scores
        rows.append(
            (
                "Scores",
                f"coverage {s.coverage:.3f} · fidelity {s.fidelity:.3f} · "
                f"additions {s.additions:.3f} · order {s.order:.3f}",
            )
        )
    body = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    return f'<dl class="facts">{body}</dl>'


def _findings(report: Report) -> str:
    if not report.findings:
        return ""
    items = "".join(
        f'<li><span class="sev-{f.severity.value}">{f.severity.value}</span> '
        f"<code>{_e(f.code)}</code>: {_e(f.message)}</li>"
        for f in report.findings
    )
    return f'<h3>Findings</h3><ul class="findings">{items}</ul>'


def _evidence(report: Report) -> str:
    ev = report.evidence
    items = [
        f"<li>Attribution “{_e(a.text, 200)}” → {_link(_e(a.origin or a.name), a.url)}</li>"
        for a in ev.attributions
    ]
    for m in ev.markers:
        text = f"Marker {_e(m.publisher)} <code>{_e(m.kind)}</code> x{m.count}"
        earliest = m.details.get("earliest_created")
        if earliest is not None:
            shown = iso_utc(earliest) if hasattr(earliest, "astimezone") else earliest
            text += f", earliest created {_e(shown)}"
        lag = lag_hours([m])
        text += f", copy lag {lag:.1f} h" if lag is not None else ""
        items.append(f"<li>{text} <span class=muted>{_e(m.sample, 120)}</span></li>")
    items += [f"<li>Signal {_e(s.kind)}: {_e(s.value, 200)}</li>" for s in ev.signals]
    items += [
        f"<li>Tried {_e(a.strategy)} {_e(a.target, 120)}: {_e(a.outcome)} {_e(a.reason)}</li>"
        for a in report.attempts
    ]
    return f"<h3>Evidence</h3><ul>{''.join(items)}</ul>" if items else ""


def _side(ops: Iterable[DiffOp], side: str) -> str:
    tag, wanted = ("ins", "copy") if side == "copy" else ("del", "original")
    parts = []
    for op in ops:
        text = _e_block(getattr(op, wanted))
        if not text:
            continue
        if op.op == "equal":
            parts.append(text)
        elif op.kind is None:
            parts.append(f"<{tag}>{text}</{tag}>")
        else:
            kind = op.kind.value
            label = f'<sup class="kind k-{kind}">{kind}</sup>' if side == "copy" else ""
            parts.append(f'<{tag} class="k-{kind}" title="{kind} edit">{text}</{tag}>{label}')
    return " ".join(parts)


def _texts(m: ParagraphMatch) -> tuple[str, str]:
    if m.status is Status.EDITED and m.diff:
        ops = whole_diff(m)
        return _side(ops, "copy"), _side(ops, "original")
    if m.status is Status.ADDED:
        return f"<ins>{_e_block(m.copy_text)}</ins>", ""
    if m.status is Status.DROPPED:
        return "", f"<del>{_e_block(m.original_text)}</del>"
    return _e_block(m.copy_text), _e_block(m.original_text)


def _column(anchor: str, m: ParagraphMatch, side: str, text: str) -> str:
    index, prefix = (m.copy_index, "c") if side == "copy" else (m.original_index, "o")
    row = f"row-{m.status.value}"
    if index is None:
        return f'<div class="{row} gap">not in the {side}</div>'
    target = f"{anchor}-{prefix}{index}"
    link = f'<a class="pn" href="#{target}">¶{prefix}{index}</a>'
    return f'<div class="{row}" id="{target}">{link}{text}</div>'


def _match_row(anchor: str, m: ParagraphMatch) -> str:
    copy, original = _texts(m)
    status = m.status.value
    mid = f'<span class="badge s-{status}">{status}</span><br>{m.similarity:.3f}'
    if m.moved:
        mid += '<span class="moved">moved</span>'
    middle = f'<div class="mid row-{status}">{mid}</div>'
    for q in m.quote_changes:
        copy += (
            f'<span class="quote">Quote changed: <del>{_e(q.original, 80)}</del> → '
            f"<ins>{_e(q.copy, 80)}</ins></span>"
        )
    return _column(anchor, m, "copy", copy) + middle + _column(anchor, m, "original", original)


def _side_by_side(anchor: str, report: Report) -> str:
    head = (
        '<div class="head">Copy</div><div class="head mid">match</div>'
        '<div class="head">Original</div>'
    )
    if report.alignment is None or not report.alignment.matches:
        # Reports rebuilt from stored JSON hold empty placeholder paragraphs.
        paras = "".join(f"<p>{_e_block(p.text)}</p>" for p in report.copy.paragraphs if p.text)
        paras = paras or '<p class="muted">The copy\'s text is not stored with this result.</p>'
        return f'<h3>Copy text (no original to compare)</h3><div class="copy-only">{paras}</div>'
    rows = "".join(_match_row(anchor, m) for m in report.alignment.matches)
    return f'<h3>Side by side</h3><div class="sbs">{head}{rows}</div>'


def _item(n: int, report: Report, status: str = "", extra: str = "") -> str:
    return _numbered_item(n, _item_parts(report), status, extra)


# Stands for "item-N" in an item's details rendered before its number N is known. Every
# string from a copy or an original goes through `clean`, which removes NUL.
_ANCHOR = "\x00item\x00"


def _item_parts(report: Report) -> dict[str, Any]:
    """An item's details that do not depend on its number (`_ANCHOR` stands for it)."""
    v, c = report.verdict.value, report.credit.value
    body = _facts(report) + _findings(report) + _evidence(report)
    return {
        "badges": f'<span class="badge v-{v}">{v}</span> <span class="badge c-{c}">{c}</span> ',
        "title": _e(label(report), 200),
        "body": body + _side_by_side(_ANCHOR, report),
    }


def _numbered_item(n: int, parts: Mapping[str, Any], status: str, extra: str) -> str:
    summary = f"<summary>{status}{parts['badges']}{n + 1}. {parts['title']}</summary>"
    body = parts["body"].replace(_ANCHOR, f"item-{n}")
    return (
        f'<details class="item" id="item-{n}">{summary}'
        f'<div class="item-body">{extra}{body}</div></details>'
    )


def audit_item_parts(report: Report) -> dict[str, Any]:
    """What the audit page draws of one item's report, rendered once: its table cells, its
    details and its chart figures, none depending on the item's place in the page (plain
    JSON-ready values: an audit stores them with the result, so a reused item is read,
    not rendered again). Raises nothing."""
    return {
        "label": label(report),
        "chart": _chart_facts(report),
        "cells": _cell_parts(report),
        "item": _item_parts(report),
    }


def _page(title: str, header: str, body: str) -> str:
    """Return the whole document around `body`: inline assets, the CSP, no external fetch."""
    css, js = _assets()
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{content_security_policy(css, js)}">'
        '<meta name="referrer" content="no-referrer">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{css}</style></head><body>"
        f"<header>{header}</header>{body}"
        "<footer>Generated by provenance. Copied text is shown escaped; links open only for"
        f" http(s) URLs.</footer><script>{js}</script></body></html>\n"
    )


def render_html(reports: Report | Sequence[Report]) -> str:
    """Return one self-contained HTML page for the report(s): no external fetch, strict CSP."""
    items = [reports] if isinstance(reports, Report) else list(reports)
    count = f"{len(items)} item{'s' if len(items) != 1 else ''}"
    details = "".join(_item(n, r) for n, r in enumerate(items))
    with_lag = any(copy_lag(r) is not None for r in items)
    rows = (
        f'<tr id="row-{n}">' + "".join(_cells(n, r, with_lag)) + "</tr>"
        for n, r in enumerate(items)
    )
    body = (
        f"<h2>Summary</h2>{_charts(items)}{_table(_columns(_COLUMNS, with_lag), rows)}"
        f'<h2>Details</h2><section id="details">{details}</section>'
    )
    header = f'<h1>Provenance report</h1><p class="muted">{count}</p>'
    return _page(f"Provenance report: {count}", header, body)


# ---- audits (many items with a policy status) -------------------------------------------

_AUDIT_COLUMNS = (_COLUMNS[0], ("Status", "text"), *_COLUMNS[1:])
_STATUS_RANK = {"error": "0", "fail": "1", "pass": "2"}


def _status_badge(status: str) -> str:
    klass = status if status in _STATUS_RANK else "unknown"
    return f'<span class="badge st-{klass}">{_e(status)}</span> '


def _audit_cells(
    n: int, item: AuditItem, parts: Mapping[str, Any] | None, with_lag: bool
) -> list[str]:
    status = _cell(_status_badge(item.status), _STATUS_RANK.get(item.status, "9"))
    if parts is None:
        name = f'<a href="#item-{n}">{_e(item.name, 120)}</a>'
        blanks = [_cell("", "", kind == "num") for _, kind in _columns(_COLUMNS, with_lag)[2:]]
        return [
            _cell(str(n + 1), str(n + 1), True),
            status,
            _cell(name, item.name.lower()),
            *blanks,
        ]
    cells = _numbered_cells(n, parts["cells"], with_lag)
    return [cells[0], status, *cells[1:]]


def _audit_parts(item: AuditItem) -> Mapping[str, Any] | None:
    """The item's page parts: as rendered when it was checked, else from its report."""
    parts = item.rendered_html
    if parts is not None:
        return parts
    report = item.report
    return None if report is None else audit_item_parts(report)


def _reasons(item: AuditItem) -> str:
    if item.error:
        return f'<p class="audit-error">Could not check: {_e(item.error)}</p>'
    if not item.reasons:
        return ""
    lines = "".join(f"<li>{_e(r)}</li>" for r in item.reasons)
    return f'<h3>Policy failures</h3><ul class="findings">{lines}</ul>'


def _audit_item(n: int, item: AuditItem, parts: Mapping[str, Any] | None) -> str:
    if parts is not None:
        return _numbered_item(n, parts["item"], _status_badge(item.status), _reasons(item))
    summary = f"<summary>{_status_badge(item.status)}{n + 1}. {_e(item.name, 200)}</summary>"
    body = f'<div class="item-body">{_reasons(item)}</div>'
    return f'<details class="item" id="item-{n}">{summary}{body}</details>'


def _audit_overview(view: AuditView, errors: str) -> str:
    listed = f'<h3>Could not check</h3><ul class="errors">{errors}</ul>' if errors else ""
    sources = "".join(f"<li><code>{_e(s, 200)}</code></li>" for s in view.sources)
    return listed + (f"<h3>Sources</h3><ul>{sources}</ul>" if sources else "")


def render_audit_html(view: AuditView) -> str:
    """Return one self-contained page for an audit: status and charts, the sortable table
    with a status column, errored items with their reason, and every item's side by side.
    """
    return "".join(iter_audit_html(view))


# The page's details are held in a temporary file past this many characters.
_DETAILS_IN_MEMORY = 1 << 20


def iter_audit_html(view: AuditView) -> Iterator[str]:
    """`render_audit_html` in pieces, each item's report rebuilt once: one pass over the
    items gathers what the charts and the table need (small) and writes each item's
    details to a temporary file, which is then read back in order."""
    statuses = [(s, view.count(s)) for s in ("pass", "fail", "error")]
    status_chart = _figure("Status", bar_chart(statuses, "Status counts"))
    counts = ", ".join(f"{view.count(s)} {s}" for s in ("fail", "error", "pass"))
    summary = (
        f"{plural(len(view.items), 'item')}: {counts} · checked {view.checked}, "
        f"reused {view.reused}"
    )
    charts = _ChartInputs()
    rows: dict[bool, list[str]] = {False: [], True: []}
    errors: list[str] = []
    with tempfile.SpooledTemporaryFile(_DETAILS_IN_MEMORY, mode="w+", encoding="utf-8") as spool:
        for n, item in enumerate(view.items):
            parts = _audit_parts(item)
            if parts is not None:
                charts.add_chart(parts["chart"])
            for with_lag in (False, True):
                rows[with_lag].append(
                    f'<tr id="row-{n}" class="st-row-{_e(item.status)}">'
                    + "".join(_audit_cells(n, item, parts, with_lag))
                    + "</tr>"
                )
            if item.error:
                errors.append(
                    f'<li><a href="#item-{n}">{_e(item.name, 120)}</a>: {_e(item.error, 300)}</li>'
                )
            spool.write(_audit_item(n, item, parts))
        with_lag = bool(charts.lags)
        header = f'<h1>Provenance audit</h1><p class="muted" id="audit-summary">{summary}</p>'
        head, tail = _page(f"Provenance audit: {summary}", header, _BODY).split(_BODY)
        yield head
        yield f"<h2>Summary</h2>{charts.render([status_chart])}"
        yield _audit_overview(view, "".join(errors))
        yield _table(_columns(_AUDIT_COLUMNS, with_lag), rows[with_lag])
        yield '<h2>Details</h2><section id="details">'
        spool.seek(0)
        while chunk := spool.read(1 << 16):
            yield chunk
        yield "</section>"
        yield tail


# Stands for the body in the page template while the page is written in pieces.
_BODY = "\x00audit-body\x00"

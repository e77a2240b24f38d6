"""Reports for people at a terminal: the only module that imports rich.

Copy text is cleaned (`_text.clean`) and handed to rich only as `Text` objects, never as
markup, so neither escape sequences nor "[bold]"-style markup from a copy can act.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from io import StringIO
from typing import TYPE_CHECKING, TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from ..edits import MATERIAL_KINDS
from ..models import DiffOp, Marker, ParagraphMatch, Report, Status
from ._text import clean, iso_utc, label, lag_hours, origin_name, plural, trim, whole_diff

if TYPE_CHECKING:
    from .audit_view import AuditItem, AuditView

WIDTH = 100  # separators, and the console's width where lines are not folded
SNIPPET = 60
_VERDICT_STYLE = {
    "faithful": "bold white on green",
    "trimmed": "bold black on cyan",
    "modified": "bold black on yellow",
    "rewritten": "bold white on red",
    "unrelated": "bold white on blue",
    "unverified": "bold white on bright_black",
}
_CREDIT_STYLE = {
    "credited": "bold green",
    "uncredited": "bold red",
    "miscredited": "bold magenta",
    "unknown": "bold bright_black",
}
_SEVERITY_STYLE = {"error": "red", "warning": "yellow", "info": "blue"}
STATUS_SYMBOL = {
    Status.VERBATIM: "=",
    Status.EDITED: "~",
    Status.REWRITTEN: "≈",
    Status.ADDED: "+",
    Status.DROPPED: "-",
}
_STATUS_STYLE = {
    Status.VERBATIM: "green",
    Status.EDITED: "yellow",
    Status.REWRITTEN: "magenta",
    Status.ADDED: "cyan",
    Status.DROPPED: "red",
}


def _line(*parts: str | tuple[str, str]) -> Text:
    return Text.assemble(*parts)


def _header(report: Report) -> list[Text]:
    lines = [_line(("Provenance: ", "bold"), (label(report), "bold"))]
    if report.copy.url:
        lines.append(_line(("  ", ""), (clean(report.copy.url), "underline")))
    verdict, credit = report.verdict.value, report.credit.value
    lines.append(
        _line(
            ("Verdict: ", "bold"),
            (f" {verdict.upper()} ", _VERDICT_STYLE.get(verdict, "bold")),
            ("   Credit: ", "bold"),
            (credit.upper(), _CREDIT_STYLE.get(credit, "bold")),
        )
    )
    return lines


def _why(report: Report) -> list[Text]:
    order = {"error": 0, "warning": 1, "info": 2}
    findings = sorted(report.findings, key=lambda f: order.get(f.severity.value, 3))
    lines = [Text("Why", style="bold underline")]
    for f in findings[:8]:
        sev = f.severity.value
        lines.append(_line((f"  [{sev}] ", _SEVERITY_STYLE.get(sev, "")), (clean(f.code), "bold")))
        lines[-1].append(f": {clean(f.message)}")
    if len(findings) > 8:
        lines.append(Text(f"  … and {len(findings) - 8} more"))
    if not findings:
        lines.append(Text("  (no findings)"))
    return lines


def _marker_lines(m: Marker) -> list[Text]:
    text = f"  marker {clean(m.publisher)} ({clean(m.domain) or '?'}) {clean(m.kind)} x{m.count}"
    lines = [Text(text)]
    dated = []
    earliest = m.details.get("earliest_created")
    if earliest is not None:
        shown = iso_utc(earliest) if hasattr(earliest, "astimezone") else clean(earliest)
        dated.append(f"earliest created {shown}")
    lag = lag_hours([m])
    if lag is not None:
        dated.append(f"copy lag {lag:.1f} h")
    if dated:
        lines.append(Text("    " + ", ".join(dated)))
    if m.sample:
        lines.append(Text(f"    sample: {trim(clean(m.sample), 88)}"))
    return lines


def _evidence(report: Report) -> list[Text]:
    ev = report.evidence
    lines = [Text("Evidence", style="bold underline")]
    for a in ev.attributions:
        where = f"paragraph {a.paragraph_index}" if a.paragraph_index >= 0 else "metadata"
        names = clean(a.origin) or clean(a.name) or "?"
        lines.append(Text(f'  attribution "{trim(clean(a.text), 60)}" → {names} ({where})'))
    for m in ev.markers:
        lines += _marker_lines(m)
    for s in ev.signals:
        who = clean(s.publisher) or clean(s.domain)
        suffix = f" ({who})" if who else ""
        lines.append(Text(f"  signal {clean(s.kind)}: {trim(clean(s.value), 50)}{suffix}"))
    if len(lines) == 1:
        lines.append(Text("  (none found)"))
    origin = ev.origin
    lines.append(
        _line(("Origin: ", "bold"), f"{origin_name(origin)}, confidence {origin.confidence:.2f}")
    )
    if origin.supported_by:
        lines.append(Text("  supported by: " + "; ".join(clean(s) for s in origin.supported_by)))
    if origin.contradictions:
        lines.append(
            Text("  contradictions: " + "; ".join(clean(s) for s in origin.contradictions))
        )
    return lines


def _original(report: Report) -> list[Text]:
    found = report.original
    if found is None:
        lines = [_line(("Original: ", "bold"), "not found")]
    else:
        doc = found.document
        where = clean(doc.url) or clean(doc.source)
        lines = [_line(("Original: ", "bold"), f"{where} (found by {clean(found.found_by)})")]
        if doc.title:
            lines.append(Text(f'  "{trim(clean(doc.title), 94)}"'))
    for a in report.attempts:
        reason = f" — {clean(a.reason)}" if a.reason else ""
        lines.append(
            Text(f"  tried {clean(a.strategy)} {clean(a.target)}: {clean(a.outcome)}{reason}")
        )
    s = report.scores
    if s is not None:
        lines.append(
            _line(
                ("Scores: ", "bold"),
                f"coverage {s.coverage:.3f}  fidelity {s.fidelity:.3f}  "
                f"additions {s.additions:.3f}  order {s.order:.3f}  derived {s.derived:.3f}",
            )
        )
    return lines


_KIND_STYLE = {kind: "bold red" for kind in MATERIAL_KINDS}


def inline_diff(ops: Iterable[DiffOp]) -> Text:
    """Return a word diff as Text, whole: deletions as [-old-], insertions as {+new+}, each
    change followed by its kind in parentheses ("(number)", "(style)")."""
    out = Text()
    for op in ops:
        old, new = clean(op.original), clean(op.copy)
        if op.op == "equal":
            out.append(new + " ")
            continue
        if old and op.op in ("delete", "replace"):
            out.append(f"[-{old}-]", style="red strike")
        if new and op.op in ("insert", "replace"):
            out.append(f"{{+{new}+}}", style="green")
        if op.kind is not None:
            out.append(f"({op.kind.value})", style=_KIND_STYLE.get(op.kind, "dim"))
        out.append(" ")
    out.rstrip()
    return out


def _index(value: int | None, prefix: str) -> str:
    return f"{prefix}{value}" if value is not None else f"{prefix}-"


def _match_lines(m: ParagraphMatch) -> list[Text]:
    style = _STATUS_STYLE.get(m.status, "")
    head = _line(
        (f"  {STATUS_SYMBOL.get(m.status, '?')} ", style),
        f"{_index(m.copy_index, 'c'):>5} {_index(m.original_index, 'o'):>5} ",
        f"{m.similarity:5.3f} ",
        ("moved " if m.moved else "      ", "bold"),
        (f"{m.status.value:<9} ", style),
    )
    text = m.original_text if m.status is Status.DROPPED else m.copy_text
    head.append(trim(clean(text), SNIPPET))
    lines = [head]
    if m.status is Status.EDITED and m.diff:
        lines.append(Text("      ").append_text(inline_diff(whole_diff(m))))
    return lines


def _paragraph_map(report: Report) -> list[Text]:
    lines = [Text("Paragraph map", style="bold underline")]
    if report.alignment is None or not report.alignment.matches:
        return [*lines, Text("  (no alignment)")]
    for m in report.alignment.matches:
        lines += _match_lines(m)
    return lines


def _blocks(report: Report) -> list[Text]:
    sections = [_header, _why, _evidence, _original, _paragraph_map]
    out: list[Text] = []
    for section in sections:
        out += section(report)
        out.append(Text(""))
    return out[:-1]


def _console(buffer: TextIO, color: bool, width: int) -> Console:
    return Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        width=width,
        markup=False,
        emoji=False,
        highlight=False,
        legacy_windows=False,
    )


def render_text(
    reports: Report | Sequence[Report], *, color: bool = False, width: int | None = None
) -> str:
    """Return the human-readable report(s); ANSI colour only when `color` is true.

    Lines are folded at `width` columns (a terminal's); without it (a file, a pipe) they
    are left whole, so that a URL stays one piece.
    """
    items = [reports] if isinstance(reports, Report) else list(reports)
    buffer = StringIO()
    console = _console(buffer, color, width or WIDTH)
    for n, report in enumerate(items):
        if n:
            console.print(Text("─" * (width or WIDTH)), soft_wrap=True)
        for line in _blocks(report):
            _print(console, line, width)
    return buffer.getvalue()


def _print(console: Console, line: Text, width: int | None) -> None:
    if width is None:
        console.print(line, soft_wrap=True)
    else:
        console.print(line, overflow="fold", soft_wrap=False)


# ---- audits (many items) -------------------------------------------------------------

_AUDIT_STATUS_STYLE = {"error": "bold white on red", "fail": "bold red", "pass": "bold green"}
PASSING_LISTED = 10
TITLE_CHARS = 44
REASONS_LISTED = 5


def _tally(title: str, counts: Mapping[str, int], limit: int = 8) -> Text:
    order = {"error": 0, "fail": 1, "pass": 2}  # statuses worst first, the rest by count
    ranked = sorted(counts.items(), key=lambda kv: (order.get(kv[0], 3), -kv[1], kv[0]))
    shown = " · ".join(f"{name} {n}" for name, n in ranked[:limit]) or "none"
    more = f" (and {len(ranked) - limit} more)" if len(ranked) > limit else ""
    return _line((f"  {title:<9}", "bold"), shown + more)


def _audit_head(view: AuditView) -> list[Text]:
    sources = len(view.sources)
    where = f" from {sources} source{'s' if sources != 1 else ''}" if sources else ""
    count = plural(len(view.items), "item")
    lines = [
        _line(("Provenance audit: ", "bold"), (f"{count}{where}", "bold")),
        _line(("  ", ""), f"checked {view.checked} · reused {view.reused} from an earlier run"),
    ]
    for title, name in (
        ("status", "status"),
        ("verdicts", "verdicts"),
        ("credit", "credit"),
        ("origins", "origins"),
    ):
        lines.append(_tally(title, view.totals.get(name, {})))
    return lines


def _audit_item(item: AuditItem, *, reasons: bool) -> list[Text]:
    verdict = f"  [{item.verdict}]" if item.verdict is not None else ""
    reused = "  (reused)" if item.reused else ""
    scores = item.scores
    shown = "" if scores is None else f"  coverage {scores[0]:.3f}  fidelity {scores[1]:.3f}"
    head = _line(
        (f"  {item.status.upper():<6}", _AUDIT_STATUS_STYLE.get(item.status, "bold")),
        trim(item.name, TITLE_CHARS),
        (verdict, "bold"),
        shown + reused,
    )
    lines = [head]
    key = clean(item.key)
    if key and key != item.name:
        lines.append(Text(f"         {trim(key, 88)}", style="dim"))
    if not reasons and not item.error:
        return lines
    why = [item.error] if item.error else list(item.reasons)
    lines += [Text(f"         - {trim(clean(r), 86)}") for r in why[:REASONS_LISTED]]
    if len(why) > REASONS_LISTED:
        lines.append(Text(f"         … and {len(why) - REASONS_LISTED} more"))
    return lines


def _audit_blocks(view: AuditView) -> list[Text]:
    bad = [i for i in view.items if i.status != "pass"]
    good = [i for i in view.items if i.status == "pass"]
    lines = [*_audit_head(view), Text("")]
    if bad:
        lines.append(Text(f"Needs attention ({len(bad)}, worst first)", style="bold underline"))
        for item in bad:
            lines += _audit_item(item, reasons=True)
        lines.append(Text(""))
    if len(good) <= PASSING_LISTED:
        lines.append(Text(f"Passing ({len(good)})", style="bold underline"))
        for item in good:
            lines += _audit_item(item, reasons=False)
    else:
        verb = "passes" if len(good) == 1 else "pass"
        lines.append(_line(("Passing: ", "bold underline"), f"{plural(len(good), 'item')} {verb}"))
    return lines


def render_audit_text(view: AuditView, *, color: bool = False, width: int | None = None) -> str:
    """Return the audit summary for people: totals, then items needing attention first
    (lines folded at `width` columns; left whole without it)."""
    buffer = StringIO()
    console = _console(buffer, color, width or WIDTH)
    for line in _audit_blocks(view):
        _print(console, line, width)
    return buffer.getvalue()


class ProgressBar:
    """A rich progress bar on `stream` (a terminal) for an audit of unknown length."""

    def __init__(self, stream: TextIO) -> None:
        console = Console(
            file=stream, force_terminal=True, markup=False, emoji=False, highlight=False
        )
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("auditing", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            # The description holds an item key, so it is shown as plain text, never markup.
            TextColumn("{task.description}", markup=False),
            console=console,
        )
        self._task = self._progress.add_task("", total=None)
        self._progress.start()

    def update(self, done: int, description: str) -> None:
        """Show `done` items finished and a one-line `description` (cleaned of controls)."""
        self._progress.update(self._task, completed=done, description=clean(description))

    def log(self, line: str) -> None:
        """Print `line` (as plain text) above the bar."""
        self._progress.console.print(Text(clean(line)), soft_wrap=True)

    def close(self) -> None:
        """Stop the bar and leave its last state on screen."""
        self._progress.stop()

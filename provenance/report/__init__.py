"""The report stage: render Reports for people (text, markdown, html) and tools (json, junit).

    render_report(report_or_reports, "json" | "text" | "markdown" | "html" | "junit")
    render_audit(audit_result, "text" | "json" | "jsonl" | "markdown" | "junit" | "html")

JSON follows the versioned schema documented in docs/schema.md (`report_to_dict`, and its
inverse `report_from_dict`). `progress_printer` shows an audit's progress.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import SettingsError
from ..models import Report
from .audit import AUDIT_FORMATS, progress_printer, render_audit
from .html import render_html
from .junit import render_junit
from .markdown import render_markdown
from .serialize import render_json, report_from_dict, report_to_dict

__all__ = [
    "AUDIT_FORMATS",
    "FORMATS",
    "progress_printer",
    "render_audit",
    "render_html",
    "render_junit",
    "render_report",
    "report_from_dict",
    "report_to_dict",
]

FORMATS = ("json", "text", "markdown", "html", "junit")


def render_report(
    reports: Report | Sequence[Report], fmt: str, *, color: bool = False, width: int | None = None
) -> str:
    """Return `reports` (one Report or several) rendered in `fmt`, one of FORMATS.

    `color` adds ANSI colour and `width` (a terminal's columns) folds lines in the "text"
    format only; without it lines are left whole. Raises SettingsError for an unknown
    format.
    """
    if fmt == "json":
        return render_json(reports)
    if fmt == "text":
        from .terminal import render_text  # rich is imported only when text is wanted

        return render_text(reports, color=color, width=width)
    if fmt == "markdown":
        return render_markdown(reports)
    if fmt == "html":
        return render_html(reports)
    if fmt == "junit":
        return render_junit([reports] if isinstance(reports, Report) else reports)
    raise SettingsError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")

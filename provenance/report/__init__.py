"""The report stage: render Reports for people (text, markdown, html) and tools (json, junit).

    render_report(report_or_reports, "json" | "text" | "markdown" | "html" | "junit")
    render_audit(audit_result, "text" | "json" | "jsonl" | "markdown" | "junit" | "html")

JSON follows the versioned schema documented in docs/schema.md (`report_to_dict`, and its
inverse `report_from_dict`). `progress_printer` shows an audit's progress; `safe_line`
strips escape sequences and control characters from any content string before it
reaches a terminal.

Each renderer is imported when it is first used (a text report loads neither the HTML
nor the JUnit renderer); the names below are resolved on first access.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import import_module
from typing import TYPE_CHECKING, Any

from ..errors import SettingsError
from ..models import Report

if TYPE_CHECKING:
    from ._text import clean as safe_line
    from .audit import AUDIT_FORMATS, iter_audit, progress_printer, render_audit
    from .html import render_html
    from .junit import render_junit
    from .scan import progress_line
    from .serialize import report_from_dict, report_to_dict

_LAZY = {
    "AUDIT_FORMATS": "audit",
    "progress_printer": "audit",
    "render_audit": "audit",
    "iter_audit": "audit",
    "render_html": "html",
    "render_junit": "junit",
    "progress_line": "scan",
    "report_from_dict": "serialize",
    "report_to_dict": "serialize",
}
_ALIASES = {"safe_line": ("_text", "clean")}

__all__ = [
    "AUDIT_FORMATS",
    "FORMATS",
    "iter_audit",
    "progress_line",
    "progress_printer",
    "render_audit",
    "render_html",
    "render_junit",
    "render_report",
    "report_from_dict",
    "report_to_dict",
    "safe_line",
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
        from .serialize import render_json

        return render_json(reports)
    if fmt == "text":
        from .terminal import render_text  # rich is imported only when text is wanted

        return render_text(reports, color=color, width=width)
    if fmt == "markdown":
        from .markdown import render_markdown

        return render_markdown(reports)
    if fmt == "html":
        from .html import render_html

        return render_html(reports)
    if fmt == "junit":
        from .junit import render_junit

        return render_junit([reports] if isinstance(reports, Report) else reports)
    raise SettingsError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")


def __getattr__(name: str) -> Any:
    """Import a renderer's module when one of its names is first asked for."""
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    if name in _ALIASES:
        module, attribute = _ALIASES[name]
        return getattr(import_module(f".{module}", __name__), attribute)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

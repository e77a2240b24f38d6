"""Text hygiene shared by the renderers: copy text is hostile until cleaned.

Everything that came from a copy or an original (titles, paragraphs, URLs, marker samples)
passes through `clean` before any renderer formats it, so terminal escape sequences,
control characters and bidi overrides never reach a terminal, a PR comment or a page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime

from ..models import Marker, Report

# ESC-introduced sequences: CSI (ESC [ ... final), OSC/DCS/SOS/PM/APC (up to BEL or ST),
# and two-character escapes; plus their 8-bit C1 forms.
_ESCAPE_RE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b[\]PX^_].*?(?:\x07|\x1b\\|\x9c|$)"
    r"|\x1b[ -/]*[0-~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    r"|[\x90\x98\x9d\x9e\x9f].*?(?:\x07|\x1b\\|\x9c|$)",
    re.DOTALL,
)
# C0 (except tab/newline/CR, handled below), DEL, C1, bidi embeddings/overrides/isolates,
# zero-width and invisible formatting characters, and the BOM.
_CONTROL_RE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
    "\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]"
)
_SPACE_RE = re.compile(r"[\t\r\n\u2028\u2029\x85]+|\s{2,}")
_SAFE_URL_RE = re.compile(r"^https?://[^\s<>\"'`\\]+$", re.IGNORECASE)


def clean(text: object, *, one_line: bool = True) -> str:
    """Return `text` as a str without escape sequences or control characters.

    With `one_line`, line breaks and tabs become single spaces.
    """
    value = "" if text is None else str(text)
    value = _ESCAPE_RE.sub("", value)
    value = _CONTROL_RE.sub("", value)
    if one_line:
        return _SPACE_RE.sub(" ", value).strip()
    return value.replace("\r\n", "\n").replace("\r", "\n")


def trim(text: str, limit: int) -> str:
    """Return `text` cut to at most `limit` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


def safe_url(url: object) -> str | None:
    """Return the cleaned URL when it is plain http(s), else None (never link javascript: etc)."""
    value = clean(url)
    return value if _SAFE_URL_RE.match(value) else None


def iso_utc(value: datetime | None) -> str | None:
    """Return `value` as "YYYY-MM-DDTHH:MM:SSZ" in UTC (naive means UTC), or None."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def label(report: Report) -> str:
    """Return the human name of an item: its title, else its URL, else its source."""
    copy = report.copy
    return clean(copy.title) or clean(copy.url) or clean(copy.source) or "(untitled)"


def lag_hours(markers: Iterable[Marker]) -> float | None:
    """Return the smallest copy lag in hours that a marker decoder reported, or None."""
    lags: list[float] = []
    for marker in markers:
        hours = marker.details.get("lag_hours")
        seconds = marker.details.get("lag_seconds")
        if isinstance(hours, int | float) and not isinstance(hours, bool):
            lags.append(float(hours))
        elif isinstance(seconds, int | float) and not isinstance(seconds, bool):
            lags.append(float(seconds) / 3600)
    return min(lags) if lags else None


def is_failure(report: Report) -> list[str]:
    """Return the reasons `report` counts as a failure (empty when it passes).

    Failing: error-severity findings, verdict modified or rewritten, credit uncredited.
    """
    reasons: list[str] = []
    if report.verdict.value in ("modified", "rewritten"):
        reasons.append(f"verdict {report.verdict.value}")
    if report.credit.value == "uncredited":
        reasons.append("credit uncredited")
    reasons += [
        f"{f.code}: {clean(f.message)}" for f in report.findings if f.severity.value == "error"
    ]
    return reasons

"""Text hygiene shared by the renderers: copy text is hostile until cleaned.

Everything that came from a copy or an original (titles, paragraphs, URLs, marker samples)
passes through `clean` before any renderer formats it, so terminal escape sequences,
control characters and bidi overrides never reach a terminal, a PR comment or a page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import urlsplit

from ..models import DiffOp, Marker, Origin, ParagraphMatch, Report

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
_URL_LIKE_RE = re.compile(r"^\s*(?:https?://|www\.)\S+\s*$", re.IGNORECASE)
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


def plural(n: int, noun: str, nouns: str | None = None) -> str:
    """Return "1 item", "2 items" (`nouns` for an irregular plural)."""
    return f"{n} {noun}" if n == 1 else f"{n} {nouns or noun + 's'}"


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
    """Return the human name of an item: its title, never a URL ("untitled, on HOST" or
    "untitled, FILE" when it has no title)."""
    copy = report.copy
    title = clean(copy.title)
    if title and not _URL_LIKE_RE.match(title):
        return title
    where = _host(clean(copy.url)) or _host(title) or clean(copy.source).rsplit("/", 1)[-1]
    return f"untitled, {'on ' if _host(clean(copy.url) or title) else ''}{where}".rstrip(", ")


def _host(url: str) -> str:
    if not _URL_LIKE_RE.match(url):
        return ""
    try:
        return (urlsplit(url).hostname or "").removeprefix("www.")
    except ValueError:
        return ""


def origin_name(origin: Origin) -> str:
    """The publisher as one name with its domain, the same in every row and report:
    "CNN (cnn.com)"; the name comes from the publisher directory when the report has the
    domain only; the domain alone when no name is known; "unknown" without either."""
    name, domain = clean(origin.publisher), clean(origin.domain)
    if domain and not name:
        from ..detect.catalog import publisher_by_domain  # the directory, only when needed

        known = publisher_by_domain().get(domain)
        name = clean(known.name) if known is not None else ""
    if name and domain and name.casefold() != domain.casefold():
        return f"{name} ({domain})"
    return name or domain or "unknown"


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


def copy_lag(report: Report) -> float | None:
    """Hours from the original to the copy: from the creation time of leaked CMS markup
    (`lag_hours`), else from the two publication dates when both are known and in order;
    None when there is neither (most copies carry no dated markup, and many originals no
    date)."""
    lag = lag_hours(report.evidence.markers)
    if lag is not None:
        return lag
    copied = report.copy.published
    published = report.original.document.published if report.original is not None else None
    if copied is None or published is None:
        return None
    if copied.tzinfo is None:
        copied = copied.replace(tzinfo=UTC)
    if published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    hours = (copied - published).total_seconds() / 3600
    return hours if hours >= 0 else None


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


def whole_diff(m: ParagraphMatch) -> tuple[DiffOp, ...]:
    """The word diff of a row, covering both paragraphs whole.

    Alignment diffs the matched span only where a copy paragraph holds part of an original
    one (merged or split paragraphs); the words of either paragraph outside the span are
    added here, as inserted (copy) or deleted (original) text, so no renderer hides the
    opening or closing sentences of an edited paragraph. Raises nothing.
    """
    ops = list(m.diff)
    if not ops:
        return ()
    c_head, c_tail = _outside(m.copy_text, [op.copy for op in ops])
    o_head, o_tail = _outside(m.original_text, [op.original for op in ops])
    head = [_op(o_head, c_head)] if o_head or c_head else []
    tail = [_op(o_tail, c_tail)] if o_tail or c_tail else []
    return (*head, *ops, *tail)


def _op(original: str, copy: str) -> DiffOp:
    kind = "replace" if original and copy else ("insert" if copy else "delete")
    return DiffOp(kind, original, copy)


def _outside(text: str, pieces: list[str]) -> tuple[str, str]:
    """The words of `text` before and after the span the diff `pieces` spell ("", "" when
    the span covers it whole or cannot be found in it)."""
    words = text.split()
    span = " ".join(p for p in pieces if p).split()
    if not span or len(span) >= len(words):
        return "", ""
    for start in range(len(words) - len(span) + 1):
        if words[start : start + len(span)] == span:
            return " ".join(words[:start]), " ".join(words[start + len(span) :])
    return "", ""

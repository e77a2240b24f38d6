"""What every format parser of the load stage produces: an Item, the raw form of a Document."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

# A feed or a JSON list holding more items than this is read up to it (with a note):
# every item becomes a Document and a report, so the work grows with the count.
MAX_ITEMS = 1_000


def items_note(total: int) -> str:
    """The note on a source whose items past MAX_ITEMS were not read."""
    return f"only the first {MAX_ITEMS} of {total} items were read (the rest truncated)"


# One raw paragraph: its text, the tag of its element ("" for loose text) and the
# element's attributes.
Block = tuple[str, str, dict[str, str]]


@dataclass
class Item:
    """A document being built: raw paragraphs plus metadata; `_build` turns it into a Document."""

    kind: str
    blocks: list[Block]
    url: str | None = None
    title: str | None = None
    published: datetime | None = None
    html: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def parse_date(value: Any, *, assume_utc: bool = True) -> datetime | None:
    """ISO 8601 or RFC 822 date -> aware datetime (naive values taken as UTC), else None."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC) if assume_utc else None
    return parsed.astimezone(UTC)


def one_line(exc: BaseException) -> str:
    """The message of `exc` on one line, at most 200 characters (its type name if empty)."""
    return " ".join(str(exc).split())[:200] or type(exc).__name__

"""Text layouts: plain text, Markdown with front matter, and the pages-corpus header."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from ..errors import InputError
from .item import Block, Item, parse_date
from .title import TITLE_SCAN_LINES, text_title

_URL_RE = re.compile(r"^https?://\S+$")
_NOTE_PREFIX = "# NOTE"
_CORPUS_DATE_RE = re.compile(r"^\s*date (\d{4}-\d{2}-\d{2})\s+")
_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*)$", re.S)


@dataclass(frozen=True)
class CorpusHeader:
    """The header of a pages-corpus file and the stored page that follows it."""

    url: str
    notes: list[str]
    published: datetime | None
    rest: str


def is_corpus(body: str) -> bool:
    """Whether `body` has the pages-corpus layout: a URL on line 1, then `# NOTE` lines or
    text (a file that is only a list of URLs is not)."""
    first, _, rest = body.partition("\n")
    if not _URL_RE.match(first.strip()):
        return False
    if rest.startswith(_NOTE_PREFIX):
        return True
    following = rest.lstrip()[:2_000].partition("\n")[0].strip()
    return bool(following) and not _URL_RE.match(following)


def split_corpus(body: str, *, source: str) -> CorpusHeader:
    """Split a pages-corpus file into its header (URL, notes, `date` prefix) and the page.

    Raises InputError when no page follows the header.
    """
    lines = body.split("\n")
    n = 1
    while n < len(lines) and lines[n].startswith(_NOTE_PREFIX):
        n += 1
    rest = "\n".join(lines[n:])
    published = None
    dated = _CORPUS_DATE_RE.match(rest)
    if dated:
        published = datetime.fromisoformat(dated.group(1)).replace(tzinfo=UTC)
        rest = rest[dated.end() :]
    if not rest.strip():
        raise InputError(f"{source} has no text")
    notes = [line.strip() for line in lines[1:n]]
    return CorpusHeader(url=lines[0].strip(), notes=notes, published=published, rest=rest)


def parse_front_matter(body: str, *, url: str | None) -> Item:
    """Markdown with YAML front matter (simple `key: value` lines are read)."""
    lines = body.splitlines()
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        return parse_plain(body, url=url)
    front: dict[str, str] = {}
    for line in lines[1:end]:
        key, sep, value = line.partition(":")
        if sep and key.strip() and not key.startswith((" ", "\t")):
            front[key.strip()] = value.strip().strip("\"'")
    item = parse_plain("\n".join(lines[end + 1 :]), url=url)
    item.kind = "markdown"
    item.title = front.get("title") or None
    item.published = parse_date(front.get("date", ""))
    item.meta["front_matter"] = front
    if front.get("external_url"):
        item.meta["external_url"] = front["external_url"]
    item.blocks = [_markdown_heading(text) for text, _, _ in item.blocks]
    return item


def _markdown_heading(text: str) -> Block:
    match = _HEADING_RE.match(text)
    if match:
        return match.group(2), f"h{len(match.group(1))}", {}
    return text, "", {}


_WRAP_WIDTH = 100


def parse_plain(body: str, *, url: str | None) -> Item:
    """Paragraphs separated by blank lines; by line breaks where there are no blank lines.

    A short first line followed by more paragraphs is also taken as the title.
    """
    normalised = body.replace("\r\n", "\n").replace("\r", "\n")
    parts = re.split(r"\n[ \t\u00a0]*\n", normalised)
    if len(parts) == 1:
        parts = normalised.split("\n")
    lines = [line for part in parts for line in _unwrapped_lines(part)]
    blocks: list[Block] = [(p, "", {}) for p in lines if p.strip()]
    title = text_title([text.strip() for text, _, _ in blocks[:TITLE_SCAN_LINES]], url)
    return Item(kind="text", blocks=blocks, url=url, title=title)


def _unwrapped_lines(block: str) -> list[str]:
    """A block's lines as paragraphs of their own when the block is not hard-wrapped.

    Hard-wrapped prose has lines of a fixed width; a block with a line longer than any
    wrap width is a stack of separate lines (a label over a paragraph, a menu, a caption).
    """
    lines = block.split("\n")
    if len(lines) > 1 and max(len(line) for line in lines) > _WRAP_WIDTH:
        return lines
    return [block]

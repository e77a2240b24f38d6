"""Stage 1: bytes -> Documents.

Formats are sniffed from the content, never from a file extension: WordPress REST post
JSON (one post or a list), RSS 2.0 / RSS 1.0 / Atom feeds, whole HTML pages (main text
found by trafilatura, each paragraph mapped back to its own element so its attributes
survive), HTML fragments, the "pages-corpus" text layout of the shared real files (URL on
line 1, `# NOTE:` lines), Markdown with YAML front matter, and plain text. Every failure
to read is an InputError with a one-line message; no other exception escapes for any bytes.

A WARC file (gzip-compressed or not) gives one Document per HTML response it holds, read
record by record (`load_warc_documents`; `warc.WarcReader` for callers that stream).

Site discovery reads sitemaps and feeds with `load_sitemap_entries`, and links out of
markup with `extract_links`.

    decode.py     bytes -> text (BOMs, charsets)
    plain.py      plain text, Markdown front matter, the pages-corpus header
    html.py       pages, fragments, links: the only selectolax and trafilatura import
    wordpress.py  WordPress REST posts, and salvage of cut-off ones
    feeds.py      RSS / Atom items and sitemaps: the only lxml import
    item.py       Item, the raw document every parser returns
    warc.py       WARC records: the only fastwarc import
    coding.py     HTTP content codings undone with a bound: the only brotli import
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from ..errors import InputError
from ..models import Document, Paragraph
from ..settings import Settings
from ..text import clean_text, repair_mojibake
from .decode import decode
from .feeds import (
    XML_ERRORS,
    FeedPart,
    SitemapEntry,
    XmlListing,
    load_sitemap_entries,
    parse_feed,
    read_listing,
)
from .html import BLOCK_TAGS, extract_links, parse_fragment, parse_page, visible_text
from .item import Item, one_line
from .plain import is_corpus, parse_front_matter, parse_plain, split_corpus
from .title import strip_site_suffix
from .warc import WARC_HEAD, WarcError, WarcReader, WarcRecord, is_warc
from .wordpress import parse_json

__all__ = [
    "BLOCK_TAGS",
    "FeedPart",
    "SitemapEntry",
    "WarcError",
    "WarcReader",
    "WarcRecord",
    "XmlListing",
    "extract_links",
    "is_warc",
    "is_warc_file",
    "load_documents",
    "load_sitemap_entries",
    "load_warc_documents",
    "page_text",
    "read_input",
    "read_listing",
]

_LEADING_MARKUP_RE = re.compile(r"^(?:\s+|<!--.*?-->|<\?xml.*?\?>|<!doctype[^>]*>)*", re.I | re.S)
_FIRST_TAG_RE = re.compile(r"<([a-zA-Z][\w:.-]*)")
_PAGE_MARK_RE = re.compile(r"<(?:html|head|body)[\s>]", re.IGNORECASE)
_URL_SOURCE_RE = re.compile(r"^https?://", re.IGNORECASE)
_FEED_ROOTS = frozenset({"rss", "feed", "RDF"})
# What the parsers raise for input they cannot read; all of it becomes InputError.
_PARSE_ERRORS: tuple[type[Exception], ...] = (ValueError, LookupError, RecursionError, *XML_ERRORS)


def read_input(source: str, settings: Settings) -> bytes:
    """Return the bytes of `source`: a file path, or "-" for standard input.

    Raises InputError when the source is a URL (the fetch stage reads those), is
    missing or unreadable, or is larger than `settings.max_input_bytes`.
    """
    limit = settings.max_input_bytes
    if _URL_SOURCE_RE.match(source):
        raise InputError(f"{source}: URLs need the fetcher")
    try:
        if source == "-":
            stream = getattr(sys.stdin, "buffer", None)
            raw = stream.read(limit + 1) if stream else (sys.stdin or io.StringIO()).read()
            data = raw if isinstance(raw, bytes) else str(raw).encode("utf-8")
        else:
            with Path(source).open("rb") as fh:
                data = fh.read(limit + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InputError(f"{source}: cannot read: {reason}") from exc
    if len(data) > limit:
        raise InputError(f"{source} is larger than {limit} bytes")
    return data


def load_documents(
    data: bytes,
    *,
    source: str,
    settings: Settings,
    content_type: str | None = None,
    url: str | None = None,
    original: bool = False,
    on_error: Callable[[InputError], None] | None = None,
) -> list[Document]:
    """Parse `data` into one Document per item it holds (a feed or a JSON list hold several).

    The format is sniffed from the content. `content_type` (an HTTP Content-Type value)
    supplies a charset; `url` is the address the bytes came from, if known. For an
    `original` (given with --original, imported into the archive, paired in an audit)
    the page's own canonical or og:url becomes its URL when the bytes came without one or
    from the same host; a copy keeps the address it came from, as its canonical may
    name the page it copied.
    Raises InputError when the data is empty, of an unknown or malformed format, too
    large, or holds no text. An item that cannot be read (a malformed post inside a JSON
    list, an item without text; the error names its index) raises too, unless `on_error`
    is given: it is then passed that error and the other items are returned (when none
    is readable, the first error is raised).
    """
    if len(data) > settings.max_input_bytes:
        raise InputError(f"{source} is larger than {settings.max_input_bytes} bytes")
    if not data.strip():
        raise InputError(f"{source} has no text")
    if is_warc(data[:WARC_HEAD]):
        return load_warc_documents(io.BytesIO(data), source=source, settings=settings,
                                   on_error=on_error)  # fmt: skip
    text, notes = decode(data, content_type, source)
    try:
        items = _sniff(text, source=source, url=url)
    except _PARSE_ERRORS as exc:
        raise InputError(f"{source}: cannot parse: {one_line(exc)}") from exc
    docs: list[Document] = []
    errors: list[InputError] = []
    for n, item in enumerate(items):
        try:
            if isinstance(item, InputError):
                raise item
            item.notes[:0] = notes
            label = source if len(items) == 1 else f"{source} item {n}"
            if original:
                item.url = _declared_url(item)
            docs.append(_build(item, source=source, label=label, settings=settings))
        except InputError as exc:
            if on_error is None:
                raise
            errors.append(exc)
    if errors and not docs:
        raise errors[0]
    if on_error is not None:
        for error in errors:
            on_error(error)
    return docs


def page_text(data: bytes, *, source: str, content_type: str | None = None) -> str:
    """The visible text of an HTML page's bytes in one string (see `html.visible_text`):
    what a cheap prefilter looks at before `load_documents` extracts the article.

    Raises InputError when the data is binary rather than text, or its markup too costly
    to parse (the limits of `load_documents`).
    """
    text, _ = decode(data, content_type, source)
    return visible_text(text)


def is_warc_file(path: str) -> bool:
    """True when the file at `path` is a WARC file (gzip-compressed or not); False when it
    is not or cannot be read (reading it then says why)."""
    try:
        with Path(path).open("rb") as fh:
            return is_warc(fh.read(WARC_HEAD))
    except OSError:
        return False


def load_warc_documents(
    stream: BinaryIO,
    *,
    source: str,
    settings: Settings,
    on_error: Callable[[InputError], None] | None = None,
) -> list[Document]:
    """One Document per HTML response (status 200) of the WARC file read from `stream`,
    each loaded by `load_documents` with the URL and Content-Type it was captured with; its
    source is `source@offset`.

    Raises InputError when no record can be read, or for the first record that cannot be
    (a broken HTTP header, a truncated body, unparsable HTML) unless `on_error` is given:
    it is then passed each such error and the other records are returned.
    """
    docs: list[Document] = []
    errors: list[InputError] = []
    for item in WarcReader(stream, name=source, settings=settings):
        where = f"{source}@{item.offset}"
        if isinstance(item, WarcError):
            url = f" ({item.url})" if item.url else ""
            errors.append(InputError(f"{where}{url}: {item.reason}"))
        else:
            try:
                docs += load_documents(item.body, source=where, settings=settings,
                                       content_type=item.content_type, url=item.url or None,
                                       on_error=errors.append)  # fmt: skip
            except InputError as exc:
                errors.append(exc)
        if errors and on_error is None:
            raise errors[0]
    if not docs:
        raise errors[0] if errors else InputError(f"{source}: no HTML response in this WARC file")
    for error in errors:
        if on_error is not None:
            on_error(error)
    return docs


# -------------------------------------------------------------------------- sniffing


def _sniff(text: str, *, source: str, url: str | None) -> list[Item | InputError]:
    """Pick the format from the content and parse it into items."""
    body = text.lstrip("\ufeff \t\r\n")
    if is_corpus(body):
        return _parse_corpus(body, source=source)
    if body.startswith("---\n") or body.startswith("---\r\n"):
        return [parse_front_matter(body, url=url)]
    if body[:1] in "{[":
        return parse_json(body, source=source, url=url)
    if body.startswith("<"):
        kind = _markup_kind(body)
        if kind == "feed":
            return list(parse_feed(body, source=source))
        if kind == "page":
            return [parse_page(text, url=url)]
        return [parse_fragment(text, url=url)]
    return [parse_plain(body, url=url)]


def _markup_kind(body: str) -> str:
    """ "feed", "page" (a whole HTML document) or "fragment"."""
    rest = _LEADING_MARKUP_RE.sub("", body[:100_000], count=1)
    first = _FIRST_TAG_RE.match(rest)
    root = first.group(1).split(":")[-1] if first else ""
    if root in _FEED_ROOTS:
        return "feed"
    if root.lower() in {"html", "head", "body"} or _PAGE_MARK_RE.search(body[:20_000]):
        return "page"
    return "fragment"


def _parse_corpus(body: str, *, source: str) -> list[Item | InputError]:
    """The shared real files: page URL on line 1, `# NOTE:` lines, then the stored page."""
    header = split_corpus(body, source=source)
    items = _sniff(header.rest, source=source, url=header.url)
    for item in items:
        if isinstance(item, InputError):
            continue
        item.url = item.url or header.url
        item.published = item.published or header.published
        item.meta["corpus_notes"] = header.notes
    return items


# ----------------------------------------------------------------------------- build


def _build(item: Item, *, source: str, label: str, settings: Settings) -> Document:
    """Clean and repair every paragraph, apply the limits, refuse a document without text."""
    repairs: list[str] = []
    notes = list(item.notes)
    paragraphs: list[Paragraph] = []
    for raw, tag, attrs in item.blocks:
        text = _normalise(raw, repairs)
        if not text:
            continue
        if len(paragraphs) == settings.max_paragraphs:
            notes.append(f"only the first {settings.max_paragraphs} paragraphs were read")
            break
        if len(text) > settings.max_paragraph_chars:
            notes.append(
                f"paragraph {len(paragraphs)} cut to {settings.max_paragraph_chars} characters"
            )
            text = text[: settings.max_paragraph_chars]
        paragraphs.append(Paragraph(index=len(paragraphs), text=text, tag=tag, attrs=attrs))
    if not paragraphs:
        raise InputError(f"{label} has no text")
    title = _normalise(item.title, repairs) if item.title else None
    if title:
        site_name = item.meta.get("site_name")
        title = strip_site_suffix(
            title,
            site_name=site_name if isinstance(site_name, str) else None,
            url=item.url or _declared(item),
        )
    return Document(
        source=source,
        kind=item.kind,
        paragraphs=tuple(paragraphs),
        url=item.url,
        title=title or None,
        published=item.published,
        html=item.html,
        meta=item.meta,
        repairs=tuple(dict.fromkeys(repairs)),
        notes=tuple(dict.fromkeys(notes)),
    )


def _declared_url(item: Item) -> str | None:
    """The URL of an original: its canonical or og:url when it has no URL or the declared
    one is on the same host (a fetched AMP page or tracking-parameter variant), else
    its own."""
    declared = _declared(item)
    if declared is None:
        return item.url
    if item.url is None or _host(item.url) == _host(declared):
        return declared
    return item.url


def _declared(item: Item) -> str | None:
    for key in ("canonical", "og_url"):
        value = item.meta.get(key)
        if isinstance(value, str) and _URL_SOURCE_RE.match(value.strip()) and _host(value):
            return value.strip()
    return None


def _host(url: str) -> str:
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _normalise(raw: str, repairs: list[str]) -> str:
    fixed, repair = repair_mojibake(raw)
    if repair:
        repairs.append(f"mojibake: {repair}")
    return clean_text(fixed)

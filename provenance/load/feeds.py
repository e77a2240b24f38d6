"""Feeds and sitemaps for the load stage: RSS 2.0 / RSS 1.0 / Atom items, sitemap entries.

The only module importing lxml. The XML is untrusted: entities are never expanded
(billion laughs), no DTD or network resource is loaded (XXE), and lxml's size and depth
limits stay on. lxml's errors are mapped to InputError here, or listed in XML_ERRORS
for the one caller that maps them.
"""

from __future__ import annotations

import copy
import gzip
import io
import re
import zlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree

from ..errors import InputError
from ..text import clean_text
from .html import html_text, parse_fragment
from .item import MAX_ITEMS, Item, items_note, one_line, parse_date
from .plain import parse_plain

XML_ERRORS: tuple[type[Exception], ...] = (etree.LxmlError,)
# The sitemap protocol's own limit on an uncompressed sitemap file.
DEFAULT_MAX_SITEMAP_BYTES = 50 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>")
_HTTP_RE = re.compile(r"^https?://[^\s/?#]+", re.IGNORECASE)
_ATOM = "{http://www.w3.org/2005/Atom}"
_RSS1 = "{http://purl.org/rss/1.0/}"
_CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"
_DC_DATE = "{http://purl.org/dc/elements/1.1/}date"
_DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"


def _xml_parser() -> Any:
    # Untrusted input: no entity expansion (billion laughs), no DTD or network (XXE).
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=False,
    )  # fmt: skip


def _local(tag: Any) -> str:
    """Local name of an element tag; "" for comments, processing instructions, entities."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element: Any) -> dict[str, Any]:
    """First child per local name (and per full name for namespaced ones)."""
    found: dict[str, Any] = {}
    for child in element:
        if isinstance(child.tag, str):
            found.setdefault(child.tag, child)
            found.setdefault(_local(child.tag), child)
    return found


def _text_of(element: Any) -> str:
    return "".join(element.itertext()).strip() if element is not None else ""


def _first(kids: dict[str, Any], *names: str) -> Any:
    """The first of the children named `names` that exists, else None."""
    return next((kids[name] for name in names if name in kids), None)


# ---------------------------------------------------------------------------- feeds


def parse_feed(body: str, *, source: str) -> list[Item]:
    """Each RSS `item` or Atom `entry` becomes an Item; empty ones are skipped with a note.

    Only the first MAX_ITEMS entries are read; past that, each item carries a note.

    Raises InputError when the feed is malformed or no item holds text.
    """
    xml = _XML_DECLARATION_RE.sub("", body, count=1).encode("utf-8")
    try:
        root = etree.fromstring(xml, _xml_parser())
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{source}: malformed feed: {one_line(exc)}") from exc
    atom = root.tag == f"{_ATOM}feed"
    entries = [e for e in root.iter() if _local(e.tag) == "item"]
    if atom:
        entries = list(root.iter(f"{_ATOM}entry"))
    items = [_atom_item(e) if atom else _rss_item(e) for e in entries[:MAX_ITEMS]]
    kept = [item for item in items if any(text.strip() for text, _, _ in item.blocks)]
    skipped = [str(i) for i, item in enumerate(items) if item not in kept]
    if not kept:
        raise InputError(f"{source} has no text (feed with {len(entries)} items)")
    for item in kept:
        if skipped:
            item.notes.append(f"feed items without text skipped: {', '.join(skipped)}")
        if len(entries) > MAX_ITEMS:
            item.notes.append(items_note(len(entries)))
    return kept


def _rss_item(element: Any) -> Item:
    kids = _children(element)
    encoded = kids.get(_CONTENT_ENCODED)
    description = kids.get("description")
    chosen = encoded if encoded is not None and (encoded.text or "").strip() else description
    content = (chosen.text or "") if chosen is not None else ""
    item = parse_fragment(content, url=None)
    item.kind = "rss"
    item.url = _text_of(kids.get("link")) or None
    item.title = html_text(_text_of(kids.get("title"))) or None
    item.published = parse_date(_text_of(_first(kids, "pubDate", _DC_DATE)))
    source_el = kids.get("source")
    meta: dict[str, Any] = {"guid": _text_of(kids.get("guid")) or None}
    if source_el is not None:
        meta["source_url"] = source_el.get("url")
        meta["source_name"] = _text_of(source_el) or None
    meta["author"] = _text_of(_first(kids, _DC_CREATOR, "author")) or None
    item.meta = {k: v for k, v in meta.items() if v}
    return item


def _atom_item(element: Any) -> Item:
    kids = _children(element)
    body = kids.get(f"{_ATOM}content")
    if body is None or not "".join(body.itertext()).strip():
        body = kids.get(f"{_ATOM}summary")
    item = _atom_body(body)
    item.kind = "atom"
    item.url = _atom_link(element)
    item.title = html_text(_text_of(kids.get(f"{_ATOM}title"))) or None
    item.published = parse_date(_text_of(_first(kids, f"{_ATOM}published", f"{_ATOM}updated")))
    meta: dict[str, Any] = {"id": _text_of(kids.get(f"{_ATOM}id")) or None}
    source_el = kids.get(f"{_ATOM}source")
    if source_el is not None:
        meta["source_url"] = _atom_link(source_el) or _text_of(_children(source_el).get("id"))
    item.meta = {k: v for k, v in meta.items() if v}
    return item


def _atom_body(body: Any) -> Item:
    if body is None:
        return Item(kind="atom", blocks=[])
    kind = body.get("type", "text")
    if kind == "xhtml":
        markup = "".join(etree.tostring(child, encoding="unicode") for child in body)
        return parse_fragment(markup, url=None)
    if kind == "html" or "html" in kind:
        return parse_fragment(body.text or "", url=None)
    return parse_plain(body.text or "", url=None)


def _atom_link(element: Any) -> str | None:
    links = [c for c in element if c.tag == f"{_ATOM}link"]
    for link in links:
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return str(link.get("href"))
    return str(links[0].get("href")) if links and links[0].get("href") else None


# ------------------------------------------------------------------------- sitemaps


@dataclass(frozen=True)
class SitemapEntry:
    """One address listed by a sitemap, sitemap index or feed.

    `lastmod` is when the page was published or changed: a Google News
    `news:publication_date`, else `<lastmod>`; a feed item's `pubDate`, an Atom entry's
    `published`, else `updated`. `title` is the news or feed title, if any.
    `is_sitemap` marks the children of a sitemap index, which are sitemaps themselves.
    """

    url: str
    lastmod: datetime | None
    title: str | None
    is_sitemap: bool


def load_sitemap_entries(
    data: bytes, *, max_bytes: int = DEFAULT_MAX_SITEMAP_BYTES
) -> list[SitemapEntry]:
    """Return the http(s) entries of a sitemap, sitemap index, RSS or Atom feed, in order.

    `data` may be gzip-compressed. Entries without an http(s) address are left out, and
    an address listed twice is kept once. Image, video and alternate-language tags are
    ignored. Raises InputError when the data (decompressed) is larger than `max_bytes`,
    is not valid gzip or XML, or is neither a sitemap nor a feed.
    """
    entries = _root_entries(_listing_root(data, max_bytes))
    unique: dict[str, SitemapEntry] = {}
    for entry in entries:
        if _is_http(entry.url):
            unique.setdefault(entry.url, entry)
    return list(unique.values())


def _listing_root(data: bytes, max_bytes: int) -> Any:
    """The root element of a sitemap or feed, gzip-compressed or not. Raises InputError
    when it is larger than `max_bytes` (decompressed), not valid gzip or not XML."""
    xml = _gunzip(data, max_bytes) if data.startswith(_GZIP_MAGIC) else data
    if len(xml) > max_bytes:
        raise InputError(f"sitemap is larger than {max_bytes} bytes")
    xml = xml.removeprefix(b"\xef\xbb\xbf").lstrip()
    try:
        return etree.fromstring(xml, _xml_parser())
    except etree.LxmlError as exc:
        raise InputError(f"malformed sitemap: {one_line(exc)}") from exc


@dataclass(frozen=True)
class FeedPart:
    """One entry of a feed as a feed of its own: the feed's own elements and that entry."""

    url: str | None
    data: bytes
    content_type: str


@dataclass(frozen=True)
class XmlListing:
    """What a sitemap, sitemap index or feed lists, for walking a source.

    `kind` is "urlset", "sitemapindex" or "feed"; `locs` holds a sitemap's `<loc>` texts
    in order (relative ones too), `parts` a feed's first MAX_ITEMS entries and `total`
    how many entries (or locs) the listing holds.
    """

    kind: str
    locs: list[str]
    parts: list[FeedPart]
    total: int = 0


def read_listing(data: bytes, *, max_bytes: int = DEFAULT_MAX_SITEMAP_BYTES) -> XmlListing | None:
    """The listing `data` (gzip-compressed or not) holds; None for anything else:
    malformed or oversized XML, XML that declares entities, another root element."""
    if b"<!ENTITY" in data[:65536].upper():
        return None  # entity expansion is the classic XML bomb; listings need none
    try:
        root = _listing_root(data, max_bytes)
    except (InputError, ValueError):
        return None
    kind = _local(root.tag)
    if kind in ("urlset", "sitemapindex"):
        locs = [
            loc for loc in (_text_of(el) for el in root.iter() if _local(el.tag) == "loc") if loc
        ]
        return XmlListing(kind, locs, [], len(locs))
    if kind in ("rss", "feed", "RDF"):
        parts, total = _feed_parts(root)
        return XmlListing("feed", [], parts, total)
    return None


# The feed's own elements (title, link, ...) are copied into each one-entry feed up to
# this many bytes, skipping any single one over a quarter of it: they are context, never
# an item's content, and copying a huge head into every entry costs head x entries.
MAX_FEED_HEAD_BYTES = 64 * 1024


def _feed_parts(root: Any) -> tuple[list[FeedPart], int]:
    """The first MAX_ITEMS entries as one-entry feeds, and how many entries there are.

    The feed around the entries is serialised once (`_feed_frame`); each part is that
    frame with one entry inside, so the cost is the entries' size, not head x entries.
    """
    container = root.find("channel") if _local(root.tag) == "rss" else root
    if container is None:
        return [], 0
    atom = root.tag == f"{_ATOM}feed"
    entry_tags = {f"{_ATOM}entry"} if atom else {"item", f"{_RSS1}item"}
    entries = [el for el in container if el.tag in entry_tags]
    head = [el for el in container if el.tag not in entry_tags and isinstance(el.tag, str)]
    before, after = _feed_frame(root, container, head)
    ctype = "application/atom+xml" if atom else "application/rss+xml"
    parts = [
        FeedPart(
            _entry_url(entry, atom=atom),
            before + etree.tostring(entry, encoding="UTF-8", with_tail=False) + after,
            ctype,
        )
        for entry in entries[:MAX_ITEMS]
    ]
    return parts, len(entries)


_SLOT = "provenance-entry-slot"


def _feed_frame(root: Any, container: Any, head: list[Any]) -> tuple[bytes, bytes]:
    """The bytes of the feed before and after its one entry: root, container and the
    head's small elements (MAX_FEED_HEAD_BYTES in all)."""
    new_root = etree.Element(root.tag, dict(root.attrib), nsmap=root.nsmap)
    target = new_root
    if container is not root:
        target = etree.SubElement(new_root, container.tag, dict(container.attrib))
    room = MAX_FEED_HEAD_BYTES
    for element in head:
        size = len(etree.tostring(element, encoding="UTF-8", with_tail=False))
        if size <= min(room, MAX_FEED_HEAD_BYTES // 4):
            target.append(copy.deepcopy(element))
            room -= size
    target.append(etree.Comment(_SLOT))
    data: bytes = etree.tostring(new_root, encoding="UTF-8", xml_declaration=True)
    before, _, after = data.partition(f"<!--{_SLOT}-->".encode())
    return before, after


def _entry_url(entry: Any, *, atom: bool) -> str | None:
    url = _atom_link(entry) if atom else _rss_link(_children(entry))
    return url if url and _is_http(url) else None


def _gunzip(data: bytes, max_bytes: int) -> bytes:
    """Decompress at most `max_bytes` + 1 bytes, so a gzip bomb stops at the cap."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            out = stream.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"sitemap is not valid gzip: {one_line(exc)}") from exc
    if len(out) > max_bytes:
        raise InputError(f"sitemap is larger than {max_bytes} bytes once decompressed")
    return out


def _root_entries(root: Any) -> list[SitemapEntry]:
    kind = _local(root.tag)
    if kind == "urlset":
        return [_url_entry(e) for e in root if _local(e.tag) == "url"]
    if kind == "sitemapindex":
        return [_index_entry(e) for e in root if _local(e.tag) == "sitemap"]
    if root.tag == f"{_ATOM}feed":
        return [_atom_entry(e) for e in root.iter(f"{_ATOM}entry")]
    if kind in {"rss", "RDF"}:
        return [_rss_entry(e) for e in root.iter() if _local(e.tag) == "item"]
    raise InputError(f"not a sitemap or feed (root element <{kind or root.tag}>)")


def _url_entry(element: Any) -> SitemapEntry:
    kids = _children(element)
    news = _children(kids["news"]) if "news" in kids else {}
    when = parse_date(_text_of(news.get("publication_date"))) or parse_date(
        _text_of(kids.get("lastmod"))
    )
    title = clean_text(_text_of(news.get("title"))) or None
    return SitemapEntry(_text_of(kids.get("loc")), when, title, is_sitemap=False)


def _index_entry(element: Any) -> SitemapEntry:
    kids = _children(element)
    lastmod = parse_date(_text_of(kids.get("lastmod")))
    return SitemapEntry(_text_of(kids.get("loc")), lastmod, None, is_sitemap=True)


def _rss_entry(element: Any) -> SitemapEntry:
    kids = _children(element)
    url = _rss_link(kids)
    when = parse_date(_text_of(_first(kids, "pubDate", _DC_DATE)))
    return SitemapEntry(url, when, _feed_title(kids.get("title")), is_sitemap=False)


def _rss_link(kids: dict[str, Any]) -> str:
    """An RSS item's address: its link, else its guid when that is a permalink."""
    url = _text_of(kids.get("link"))
    guid = kids.get("guid")
    if not _is_http(url) and guid is not None and guid.get("isPermaLink", "true") != "false":
        url = _text_of(guid)
    return url


def _atom_entry(element: Any) -> SitemapEntry:
    kids = _children(element)
    when = parse_date(_text_of(_first(kids, f"{_ATOM}published", f"{_ATOM}updated")))
    title = _feed_title(kids.get(f"{_ATOM}title"))
    return SitemapEntry(_atom_link(element) or "", when, title, is_sitemap=False)


def _feed_title(element: Any) -> str | None:
    return clean_text(html_text(_text_of(element))) or None


def _is_http(url: str) -> bool:
    return bool(_HTTP_RE.match(url))

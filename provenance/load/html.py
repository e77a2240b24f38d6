"""HTML for the load stage: whole pages, fragments, the links they hold, and the parts of
the markup the detectors read (`parse_markup`).

The only module importing selectolax and trafilatura. A page's main text is found by
trafilatura and each of its paragraphs mapped back to its own element, so the element's
attributes survive; a fragment's paragraphs are its innermost block elements.
"""

from __future__ import annotations

import html as htmllib
import json
import re
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

# trafilatura's XML output is read with the standard library: it is trafilatura's own
# serialisation (no DTD, no entities), and lxml stays in feeds.py alone.
from xml.etree import ElementTree

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..errors import InputError
from ..text import comparison_key
from .item import Block, Item, parse_date
from .title import is_headline

BLOCK_TAGS = frozenset(
    ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "figcaption", "dd",
     "dt", "td", "th", "div", "section", "article", "aside", "header", "footer", "main",
     "figure", "ul", "ol", "dl", "table", "tbody", "thead", "tr", "form", "nav", "address")
)  # fmt: skip
# Blocks that are paragraphs when they hold no other block.
_LEAF_BLOCKS = "p,h1,h2,h3,h4,h5,h6,li,blockquote,pre,figcaption,dd,dt,td,th,div,address"
_BLOCK_SELECTOR = ",".join(sorted(BLOCK_TAGS))
_SKIP_TAGS = frozenset(
    ("script", "style", "noscript", "template", "head", "iframe", "svg", "canvas", "select",
     "option", "button")
)  # fmt: skip
_LOOSE_RE = re.compile(r"\W+")
# Extraction that keeps less than this share of the raw text of a page that holds more
# than _LOST_TEXT_MIN characters is reported as incomplete (lxml's depth limit, ...).
_LOST_TEXT_SHARE = 0.5
_LOST_TEXT_MIN = 2_000
# Past this depth the fragment walker takes a whole element as one paragraph, which
# keeps recursion bounded however deeply the markup nests.
_MAX_WALK_DEPTH = 600
# lexbor's parse time grows with the square of the nesting depth and of the number of
# attributes of one element (lxml's too); markup past these limits is refused.
MAX_MARKUP_DEPTH = 5_000
MAX_ELEMENT_ATTRIBUTES = 2_000
# lxml keeps no element below this depth: deeper text is lost to text extraction.
_LXML_MAX_DEPTH = 255
_LOST_DEEP_TEXT_MIN = 20
_TAG_EDGE_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)")
_LONG_TAG_RE = re.compile(rf"<[a-zA-Z][^<>]{{{4 * MAX_ELEMENT_ATTRIBUTES},}}")
# Elements that hold no children or close themselves implicitly: they add no depth.
_FLAT_TAGS = frozenset(
    ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
     "track", "wbr", "param", "keygen", "p", "li", "dt", "dd", "tr", "td", "th", "option",
     "optgroup", "rp", "rt", "tbody", "thead", "tfoot", "colgroup", "caption", "html", "head",
     "script", "style", "title", "textarea", "xmp",
     "body")
)  # fmt: skip
# Main-text extraction takes minutes on a page of 200,000 paragraphs; past this many
# block elements every block is taken instead (and the paragraph cap applies).
_MAX_EXTRACT_BLOCKS = 20_000
# The walker stops collecting here: far past the paragraphs a document may keep
# (Settings.max_paragraphs), whose cap then says the rest was not read.
_MAX_WALKED_BLOCKS = 50_000
# trafilatura takes ~16 ms per 100 KB and lxml parsing grows with the page: past this size
# the block walker (lexbor, ~20x faster) keeps a check within seconds.
_MAX_EXTRACT_CHARS = 5_000_000
_LXML_TEXT_XPATH = "//body//text()[not(ancestor::script) and not(ancestor::style)]"
_XML_BLOCKS = {"p": "p", "head": "h2", "item": "li", "quote": "blockquote", "code": "pre"}
_LINK_SCHEMES = frozenset({"http", "https"})


# ---------------------------------------------------------------------------- links


def extract_links(html: str, base_url: str | None = None) -> list[str]:
    """Return the absolute http(s) addresses the `<a href>` elements of `html` point to.

    In document order, each address once. Relative hrefs are resolved against the
    document's `<base href>` and `base_url` (urllib.parse.urljoin), and dropped when
    there is nothing to resolve them against; javascript:, mailto:, data: and other
    schemes are dropped. Never raises for any markup.
    """
    if "<" not in html:
        return []
    tree = LexborHTMLParser(html)
    base = _base_href(tree, base_url)
    links: dict[str, None] = {}
    for anchor in tree.css("a[href]"):
        link = _absolute(anchor.attributes.get("href") or "", base)
        if link is not None:
            links.setdefault(link, None)
    return list(links)


def _base_href(tree: LexborHTMLParser, base_url: str | None) -> str | None:
    node = tree.css_first("base[href]")
    declared = (node.attributes.get("href") or "").strip() if node is not None else ""
    if not declared:
        return base_url
    return _absolute(declared, base_url) or base_url


def _absolute(href: str, base: str | None) -> str | None:
    """`href` made absolute against `base`, or None unless that gives an http(s) URL."""
    href = href.strip()
    try:
        link = urljoin(base, href) if base else href
        parts = urlsplit(link)
    except ValueError:  # such as an unclosed IPv6 bracket
        return None
    if parts.scheme not in _LINK_SCHEMES or not parts.hostname:
        return None
    return link


# ------------------------------------------------------------------------- limits


def markup_depth(markup: str) -> int:
    """Return an upper estimate of how deeply the elements of `markup` nest.

    Counts open and close tags of elements that can hold others (void and implicitly
    closed elements such as `<p>` and `<li>` add nothing), in one pass.
    """
    depth = deepest = 0
    for match in _TAG_EDGE_RE.finditer(markup):
        if match.group(2).lower() in _FLAT_TAGS:
            continue
        if match.group(1):
            depth = max(0, depth - 1)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def check_markup(markup: str) -> int:
    """Return `markup_depth(markup)`; raise InputError when the markup is too costly to parse.

    Raises InputError when elements nest deeper than MAX_MARKUP_DEPTH or one element has
    more than MAX_ELEMENT_ATTRIBUTES attributes.
    """
    for tag in _LONG_TAG_RE.finditer(markup):
        count = len(tag.group(0).split("=")) - 1
        if count > MAX_ELEMENT_ATTRIBUTES:
            raise InputError(
                f"an element has {count} attributes (the limit is {MAX_ELEMENT_ATTRIBUTES})"
            )
    depth = markup_depth(markup)
    if depth > MAX_MARKUP_DEPTH:
        raise InputError(
            f"markup nests about {depth} levels deep (the limit is {MAX_MARKUP_DEPTH})"
        )
    return depth


# ------------------------------------------------------------------------ fragments


def html_tree(markup: str) -> LexborHTMLParser:
    """Parse `markup` with the elements that hold no readable text removed, `<br>` as a space."""
    tree = LexborHTMLParser(markup)
    tree.strip_tags(sorted(_SKIP_TAGS - {"head"}))
    for br in tree.css("br"):
        br.replace_with(" ")
    return tree


def html_text(markup: str) -> str:
    """Visible text of an HTML snippet such as a WordPress `title.rendered`."""
    if "<" not in markup:
        return markup
    body = html_tree(markup).body
    return body.text(deep=True) if body is not None else ""


def parse_fragment(markup: str, *, url: str | None) -> Item:
    """An HTML fragment: paragraphs straight from its block elements.

    Raises InputError when the markup nests too deeply or an element has too many attributes.
    """
    check_markup(markup)
    tree = html_tree(markup)
    blocks: list[Block] = []
    if tree.body is not None:
        _walk(tree.body, blocks, depth=0)
    return Item(kind="html-fragment", blocks=blocks, url=url, html=markup)


def _has_block(node: LexborNode) -> bool:
    """Whether a block element lies below `node` (lexbor's css_first also matches the node)."""
    return any(child.css_first(_BLOCK_SELECTOR) is not None for child in node.iter())


def _walk(node: LexborNode, out: list[Block], depth: int) -> None:
    """Append the innermost blocks under `node` (and runs of loose inline text) to `out`."""
    run: list[str] = []

    def flush() -> None:
        if "".join(run).strip():
            out.append(("".join(run), "", {}))
        run.clear()

    child = node.child
    while child is not None and len(out) < _MAX_WALKED_BLOCKS:
        tag = child.tag or ""
        if tag == "-text":
            run.append(child.text(deep=False))
        elif tag.startswith(("-", "_", "!")) or tag in _SKIP_TAGS:
            pass
        elif tag in BLOCK_TAGS or _has_block(child):
            flush()
            if not _has_block(child):
                out.append((child.text(deep=True), tag, _attrs(child)))
            elif depth < _MAX_WALK_DEPTH:
                _walk(child, out, depth + 1)
            else:
                out.append((child.text(deep=True, separator=" "), tag, _attrs(child)))
        else:
            run.append(child.text(deep=True))
        child = child.next
    flush()


def _attrs(node: LexborNode) -> dict[str, str]:
    return {str(k): (v or "") for k, v in node.attributes.items()}


# ---------------------------------------------------------------------------- pages


def parse_page(body: str, *, url: str | None) -> Item:
    """A whole HTML page: main text by trafilatura, mapped back to the source elements.

    Raises InputError when the markup nests too deeply or an element has too many attributes.
    """
    depth = check_markup(body)
    tree = LexborHTMLParser(body)
    meta = _page_meta(tree)
    title = meta.pop("title", None)
    published = parse_date(meta.get("published_time"))
    tree.strip_tags(sorted(_SKIP_TAGS - {"head"}))
    for br in tree.css("br"):
        br.replace_with(" ")
    blocks, notes = _page_blocks(body, tree, depth)
    return Item(
        kind="html", blocks=blocks, url=url, title=title, published=published, html=body,
        meta=meta, notes=notes,
    )  # fmt: skip


def visible_text(body: str) -> str:
    """All the text of a page outside scripts, styles and the head, in one string: a cheap
    first look (no main-text extraction) that keeps every sentence of the article whole.

    Raises InputError for markup too costly to parse (`check_markup`), as `parse_page` does.
    """
    check_markup(body)
    tree = LexborHTMLParser(body)
    tree.strip_tags(sorted(_SKIP_TAGS))
    root = tree.body or tree.root
    return root.text(separator=" ") if root is not None else ""


def _page_meta(tree: LexborHTMLParser) -> dict[str, Any]:
    """Title, canonical, og:url and publication time declared by the page."""
    meta: dict[str, Any] = {}

    def first(selector: str, attr: str) -> str | None:
        node = tree.css_first(selector)
        value = node.attributes.get(attr) if node is not None else None
        return value.strip() if value and value.strip() else None

    title = first('meta[property="og:title"]', "content") or _headline(tree)
    if title is None:
        title_node = tree.css_first("title")
        title = title_node.text() if title_node is not None else None
    if title and title.strip():
        meta["title"] = title
    site_name = first('meta[property="og:site_name"]', "content")
    if site_name:
        meta["site_name"] = site_name
    canonical = first('link[rel="canonical"]', "href")
    og_url = first('meta[property="og:url"]', "content")
    published = (
        first('meta[property="article:published_time"]', "content")
        or first('meta[itemprop="datePublished"]', "content")
        or _json_ld_date(tree)
    )
    found = {"canonical": canonical, "og_url": og_url, "published_time": published}
    meta.update({k: v for k, v in found.items() if v})
    return meta


def _headline(tree: LexborHTMLParser) -> str | None:
    """The text of the page's first `<h1>` when it reads as a headline (not a logo)."""
    h1 = tree.css_first("h1")
    text = " ".join(h1.text(deep=True).split()) if h1 is not None else ""
    return text if is_headline(text) else None


def _json_ld_date(tree: LexborHTMLParser) -> str | None:
    for script in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(script.text(deep=True))
        except (json.JSONDecodeError, RecursionError):
            continue
        for node in _json_ld_nodes(data, depth=0):
            value = node.get("datePublished")
            if isinstance(value, str) and value.strip():
                return value
    return None


def _json_ld_nodes(data: Any, depth: int) -> Iterator[Mapping[str, Any]]:
    if depth > 4:
        return
    if isinstance(data, list):
        for entry in data:
            yield from _json_ld_nodes(entry, depth + 1)
    elif isinstance(data, dict):
        yield data
        yield from _json_ld_nodes(data.get("@graph"), depth + 1)


def _page_blocks(body: str, tree: LexborHTMLParser, depth: int) -> tuple[list[Block], list[str]]:
    """Main-text paragraphs of a page, with a note when extraction lost text.

    The text is lost when lxml read less than half of it, or when the markup nests past
    lxml's depth limit and any text is missing.
    """
    notes: list[str] = []
    if len(body) > _MAX_EXTRACT_CHARS:
        notes.append(
            f"the page is {len(body) // 1_000_000} MB, too large for main-text extraction; "
            "paragraphs taken from all block elements"
        )
        return _all_blocks(tree), notes
    import trafilatura  # ~0.1-0.2 s to import: only when a whole page is read

    html_tree = trafilatura.load_html(body)
    full_text = len(tree.body.text(deep=True)) if tree.body is not None else 0
    lxml_text = 0
    if html_tree is not None:
        lxml_text = sum(len(t) for t in html_tree.xpath(_LXML_TEXT_XPATH))
    lost = full_text - lxml_text
    too_deep = depth > _LXML_MAX_DEPTH and lost > _LOST_DEEP_TEXT_MIN
    if too_deep or (full_text > _LOST_TEXT_MIN and lxml_text < _LOST_TEXT_SHARE * full_text):
        notes.append(
            f"the HTML parser behind text extraction read {lxml_text} of {full_text} "
            "characters (markup nested too deeply?); paragraphs taken from all block elements"
        )
        return _all_blocks(tree), notes
    blocks = len(tree.css(_LEAF_BLOCKS))
    if blocks > _MAX_EXTRACT_BLOCKS:
        notes.append(
            f"the page has {blocks} block elements, too many for main-text extraction; "
            "paragraphs taken from all block elements"
        )
        return _all_blocks(tree), notes
    extracted = _extract_main(html_tree) if html_tree is not None else []
    if len(extracted) < 2:
        return _all_blocks(tree), notes
    return _map_to_source(extracted, tree), notes


def _all_blocks(tree: LexborHTMLParser) -> list[Block]:
    blocks: list[Block] = []
    if tree.body is not None:
        _walk(tree.body, blocks, depth=0)
    return blocks


def _extract_main(html_tree: Any) -> list[tuple[str, str]]:
    """(text, tag) of the main-text blocks trafilatura finds, in order.

    Raises ValueError (ElementTree.ParseError) if trafilatura's XML cannot be read.
    """
    import trafilatura

    xml = trafilatura.extract(
        html_tree,
        output_format="xml",
        include_comments=False,
        include_tables=False,
        include_images=False,
        deduplicate=False,
        favor_recall=True,
    )
    if not xml:
        return []
    try:
        root = ElementTree.fromstring(xml.encode("utf-8"))
    except ElementTree.ParseError as exc:
        raise ValueError(f"text extraction gave unreadable XML: {exc}") from exc
    out: list[tuple[str, str]] = []
    for element in root.iter():
        if element.tag not in _XML_BLOCKS or _holds_block(element):
            continue
        for lb in element.iter("lb"):
            lb.text = " "
        tag = _XML_BLOCKS[element.tag]
        if element.tag == "head":
            tag = element.get("rend") or tag
        out.append(("".join(element.itertext()), tag))
    return out


def _holds_block(element: ElementTree.Element) -> bool:
    return any(d is not element and d.tag in _XML_BLOCKS for d in element.iter())


def _loose_key(text: str) -> str:
    return _LOOSE_RE.sub("", comparison_key(text))


def _map_to_source(extracted: list[tuple[str, str]], tree: LexborHTMLParser) -> list[Block]:
    """Give each extracted paragraph the tag and attributes of the element it came from."""
    index: dict[str, deque[LexborNode]] = {}
    for node in tree.css(_LEAF_BLOCKS):
        if node.tag == "div" and _has_block(node):
            continue
        key = _loose_key(node.text(deep=True))
        if key:
            index.setdefault(key, deque()).append(node)
    blocks: list[Block] = []
    for text, tag in extracted:
        candidates = index.get(_loose_key(text))
        if candidates:
            node = candidates.popleft()
            blocks.append((node.text(deep=True), node.tag or tag, _attrs(node)))
        else:
            blocks.append((text, tag, {}))
    return blocks


# ---------------------------------------------------------------- markup for detectors

_DROP_RES = tuple(
    re.compile(pattern, re.I | re.S)
    for pattern in (
        # An unclosed element runs to the end (as in a browser), which also keeps the
        # scan linear: many unclosed `<script>` tags would otherwise each scan to the end.
        r"<script\b.*?(?:</script\s*>|\Z)",
        r"<style\b.*?(?:</style\s*>|\Z)",
        r"<noscript\b.*?(?:</noscript\s*>|\Z)",
        r"<template\b.*?(?:</template\s*>|\Z)",
        r"<svg\b.*?(?:</svg\s*>|\Z)",
        r"<!--.*?(?:-->|\Z)",
    )
)
_BLOCK_RE = re.compile(
    r"</?(?:p|div|li|ul|ol|br|hr|h[1-6]|blockquote|footer|header|section|article|aside|"
    r"td|tr|table|figure|figcaption|address|main|nav|pre)\b[^>]*>",
    re.I,
)
_TAG_RE = re.compile(r"<[^>]*>")
_SPACE_RE = re.compile(r"[ \t\r\f\v\u00a0]+")
_MAX_JSONLD_CHARS = 200_000


@dataclass(frozen=True)
class Anchor:
    text: str
    href: str
    classes: str


@dataclass(frozen=True)
class Markup:
    """The parts of a page the detectors read. All text is whitespace-collapsed."""

    anchors: tuple[Anchor, ...] = ()
    metas: tuple[tuple[str, str], ...] = ()  # (name or property, lowercased; content)
    links: tuple[tuple[str, str, str], ...] = ()  # (rel lowercased, href, type)
    scripts: tuple[tuple[str, str, str], ...] = ()  # (type lowercased, id, src)
    jsonld: tuple[str, ...] = ()
    images: tuple[tuple[str, str], ...] = ()  # (src, id)
    text_lines: tuple[str, ...] = ()


def _clean(text: str) -> str:
    return _SPACE_RE.sub(" ", text).strip()


def _attr(attrs: dict[str, str | None], key: str) -> str:
    return (attrs.get(key) or "").strip()


def html_text_lines(markup: str) -> tuple[str, ...]:
    """Return the visible text of `markup`, one line per block element."""
    for drop_re in _DROP_RES:
        markup = drop_re.sub(" ", markup)
    text = htmllib.unescape(_TAG_RE.sub("", _BLOCK_RE.sub("\n", markup)))
    lines = _SPACE_RE.sub(" ", text).split("\n")
    return tuple(stripped for line in lines if (stripped := line.strip()))


def parse_markup(markup: str) -> Markup:
    """Return the anchors, meta/link tags, scripts, images and text lines of `markup`.

    Never raises on malformed markup: the parser recovers as a browser would.
    """
    if not markup.strip():
        return Markup()
    tree = LexborHTMLParser(markup)
    anchors = tuple(
        Anchor(_clean(a.text(deep=True)), _attr(a.attributes, "href"), _attr(a.attributes, "class"))
        for a in tree.css("a[href]")
    )
    metas = tuple(
        (
            (_attr(m.attributes, "name") or _attr(m.attributes, "property")).lower(),
            _attr(m.attributes, "content"),
        )
        for m in tree.css("meta")
    )
    links = tuple(
        (
            _attr(n.attributes, "rel").lower(),
            _attr(n.attributes, "href"),
            _attr(n.attributes, "type"),
        )
        for n in tree.css("link")
    )
    scripts = tuple(
        (_attr(s.attributes, "type").lower(), _attr(s.attributes, "id"), _attr(s.attributes, "src"))
        for s in tree.css("script")
    )
    jsonld = tuple(
        (s.text(deep=True) or "")[:_MAX_JSONLD_CHARS]
        for s in tree.css('script[type="application/ld+json"]')
    )
    images = tuple((_attr(i.attributes, "src"), _attr(i.attributes, "id")) for i in tree.css("img"))
    return Markup(anchors, metas, links, scripts, jsonld, images, html_text_lines(markup))

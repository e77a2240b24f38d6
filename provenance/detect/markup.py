"""What the detectors read from a document's markup: the only selectolax import.

The markup is untrusted: it is parsed (lexbor), never rendered, and no script in it
is executed. `parse_markup` gathers everything the detectors need in one pass.
"""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

_DROP_RES = tuple(
    re.compile(pattern, re.I | re.S)
    for pattern in (
        r"<script\b.*?</script\s*>",
        r"<style\b.*?</style\s*>",
        r"<noscript\b.*?</noscript\s*>",
        r"<template\b.*?</template\s*>",
        r"<svg\b.*?</svg\s*>",
        r"<!--.*?-->",
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

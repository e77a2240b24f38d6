"""Declared provenance signals: canonical, og:url, JSON-LD, meta tags, WordPress and
autoblog post meta, tracking pixels, C2PA manifests, a feed item's source link.

Every signal is reported as found; whether it points away from the copy's own domain
is judged in `conclude`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from ..load.html import Markup
from ..models import Document, Signal
from ..text import may_hold_surrogates, scrub_surrogates
from .domains import publisher_prefix, resolve_name, site_domain

JSONLD_KEYS = ("isBasedOn", "sourceOrganization", "publisher", "author", "copyrightHolder")
AUTOBLOG_KEYS = (
    "feedzy_item_url",
    "wpe_sourcepermalink",
    "wpe_campaignid",
    "wprss_item_permalink",
    "syndication_permalink",
    "original_link",
)
_CONVERSATION_PIXEL_RE = re.compile(r"counter\.theconversation\.com/content/(\d+)/count\.gif")
_PROPUBLICA_PIXEL_RE = re.compile(r"pixel\.propublica\.org|pixelping", re.IGNORECASE)
_TRACKER_RE = re.compile(
    r"republication-tracker-tool|creative-commons-sharing|republication-pixel", re.IGNORECASE
)
_TRAILING_COMMA_RE = re.compile(r",\s*([}\]])")
_LOOSE_JSONLD_RE = re.compile(r'"(isBasedOn|sourceOrganization)"\s*:\s*"([^"]{1,500})"')
_MAX_NODES = 2_000
# Meta names that carry indexing rules: all robots, Google's crawlers by name.
_ROBOTS_NAMES = frozenset({"robots", "googlebot", "googlebot-news", "bingbot"})


def _signal(kind: str, value: str, publisher: str | None = None) -> Signal:
    domain = site_domain(value) if "/" in value or "." in value else None
    if domain is None and publisher:
        domain = resolve_name(publisher)
    return Signal(kind=kind, value=value, domain=domain, publisher=publisher)


def _meta_signals(markup: Markup) -> Iterator[Signal]:
    for rel, href, type_ in markup.links:
        rels = rel.split()
        if "canonical" in rels and href:
            yield _signal("canonical", href)
        if "c2pa-manifest" in rels:
            yield Signal("c2pa", href or type_ or "link")
    for name, content in markup.metas:
        if not content:
            continue
        if name in ("og:url", "original-source", "syndication-source"):
            kind = name if name == "og:url" else f"meta:{name}"
            yield _signal(kind, content)
        elif name in _ROBOTS_NAMES and "noindex" in content.lower():
            value = content.lower() if name == "robots" else f"{name}: {content.lower()}"
            yield Signal("robots", value)
        elif name == "article:author":
            pub = publisher_prefix(content)
            if pub is not None:
                yield Signal("meta:article:author", content, pub.domain, pub.name)


def _loads(text: str) -> Any:
    for candidate in (text, _TRAILING_COMMA_RE.sub(r"\1", text)):
        try:
            data = json.loads(candidate, strict=False)
            return scrub_surrogates(data) if may_hold_surrogates(candidate) else data
        except (ValueError, RecursionError):  # RecursionError: JSON nested too deeply
            continue
    return None


def _walk(node: Any, budget: list[int]) -> Iterator[Mapping[str, Any]]:
    budget[0] -= 1
    if budget[0] < 0:
        return
    if isinstance(node, Mapping):
        yield node
        for value in node.values():
            yield from _walk(value, budget)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item, budget)


def _entity(value: Any) -> tuple[str | None, str | None]:
    """Return (name, url) of a JSON-LD value: a string, an object or a list of them."""
    if isinstance(value, list):
        return _entity(value[0]) if value else (None, None)
    if isinstance(value, str):
        return (None, value) if "/" in value else (value, None)
    if isinstance(value, Mapping):
        name = value.get("name")
        url = value.get("url") or value.get("@id")
        return (
            name if isinstance(name, str) else None,
            url if isinstance(url, str) else None,
        )
    return None, None


def _jsonld_signals(markup: Markup) -> Iterator[Signal]:
    for raw in markup.jsonld:
        data = _loads(raw)
        if data is None:
            for key, value in _LOOSE_JSONLD_RE.findall(raw):
                yield _signal(f"jsonld:{key}", value)
            continue
        for node in _walk(data, [_MAX_NODES]):
            for key in JSONLD_KEYS:
                if key in node:
                    name, url = _entity(node[key])
                    if name or url:
                        yield _signal(f"jsonld:{key}", (url or name or "").strip(), name)


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None or isinstance(value, Mapping):
        return None
    text = str(value).strip()
    return text or None


def _wordpress_signals(meta: Mapping[str, Any]) -> Iterator[Signal]:
    yoast = meta.get("yoast_head_json")
    if isinstance(yoast, Mapping):
        for key in ("canonical", "og_url"):
            value = _first(yoast.get(key))
            if value:
                yield _signal(f"yoast:{key}", value)
        robots = yoast.get("robots")
        if isinstance(robots, Mapping) and "noindex" in {str(v).lower() for v in robots.values()}:
            yield Signal("robots", "noindex (yoast)")
    post_meta = meta.get("meta")
    sources = [post_meta, meta] if isinstance(post_meta, Mapping) else [meta]
    for source in sources:
        for key in AUTOBLOG_KEYS:
            value = _first(source.get(key))
            if value:
                yield _signal(f"autoblog:{key}", value)
    source_url = _first(meta.get("source_url"))
    if source_url:
        yield _signal("feed:source", source_url)


def _pixel_signals(markup: Markup) -> Iterator[Signal]:
    srcs = [(src, id_) for src, id_ in markup.images]
    srcs += [(src, id_) for _, id_, src in markup.scripts]
    for src, id_ in srcs:
        conversation = _CONVERSATION_PIXEL_RE.search(src)
        if conversation:
            yield Signal(
                "pixel:the-conversation",
                conversation.group(1),
                "theconversation.com",
                "The Conversation",
            )
        elif _PROPUBLICA_PIXEL_RE.search(src):
            yield Signal("pixel:propublica", src, "propublica.org", "ProPublica")
        elif _TRACKER_RE.search(src) or _TRACKER_RE.search(id_):
            yield _signal("pixel:republication-tracker", src)
    for type_, _, _ in markup.scripts:
        if type_ == "application/c2pa":
            yield Signal("c2pa", "inline manifest")


def _plugin_signals(markup: Markup) -> Iterator[Signal]:
    for anchor in markup.anchors:
        if "feedzy-rss-link-icon" in anchor.classes.split():
            yield _signal("autoblog:feedzy-link", anchor.href)


def find_signals(doc: Document, markup: Markup) -> tuple[Signal, ...]:
    """Return the declared provenance signals of `doc`, deduplicated and sorted."""
    found = {
        *_meta_signals(markup),
        *_jsonld_signals(markup),
        *_wordpress_signals(doc.meta),
        *_pixel_signals(markup),
        *_plugin_signals(markup),
    }
    return tuple(sorted(found, key=lambda s: (s.kind, s.value, s.domain or "", s.publisher or "")))

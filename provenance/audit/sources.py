"""Audit sources -> a stream of items, each to be loaded and checked on its own.

`iter_source_items` turns what the user named into `SourceItem`s without checking any:

- a WordPress site (any page that declares the REST API with `Link: <...>; rel="https://api.w.org/"`
  or `<link rel="https://api.w.org/">`): every post, paged through `/wp/v2/posts` 100 at a
  time by `X-WP-TotalPages`; a single post's page gives that post, a category, tag or author
  archive gives that archive's posts;
- a posts endpoint (`/wp-json/wp/v2/posts`, `?rest_route=/wp/v2/posts`, with any filters the
  user put in its query), or the API root `/wp-json/`;
- an RSS or Atom feed: each item, as a feed of its own holding that one item;
- a sitemap (or sitemap index, gzip or not): each listed page, fetched;
- any other URL: that one page;
- a local file: a JSON list of posts or a JSON Lines file gives one item per post or line
  (`{"url": ..., "html": ...}` lines are pages), a feed gives its items, a sitemap its
  pages, anything else is one item; a directory gives the items of each file in it; `-` is
  standard input.

Each WordPress post is one item whose `data` is that post's JSON, which the loader reads as
a WordPress post. The source itself is the user's choice, so it and the URLs derived from
it on the same host are fetched with `trusted=True`; a URL found in content that points to
another host is fetched untrusted. A source that cannot be read raises (FetchError,
InputError); a bad item is yielded with `error` set and the stream goes on.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from ..errors import FetchError, FetchStatusError, FetchTimeout, InputError, ProvenanceError
from ..load import WarcError, WarcReader, XmlListing, is_warc_file, read_listing
from ..paths import display_path, inside, read_regular, resolve_inside
from ..settings import Settings

__all__ = ["PageFetcher", "SourceItem", "SourcePage", "iter_source_items", "shared_case_file"]

API_REL = "https://api.w.org/"
DEFAULT_PER_PAGE = 100
# The budget of one source (docs/robustness.md): each cut is named in an error item.
MIN_PER_PAGE = 10  # a failing page is split down to this many posts before it is an error
PAGE_BACKOFF = 1.0  # seconds before a page that timed out is asked for again
MAX_API_PAGES = 1_000  # requests of one posts walk (X-WP-TotalPages: 1000000 is a lie)
MAX_SOURCE_ITEMS = 10_000  # posts of a walk, lines of a JSONL file, posts of a JSON list
MAX_SITEMAPS = 1_000  # sitemap files fetched for one source, each once
MAX_SITEMAP_PAGES = 50_000  # pages listed by a source's sitemaps (the protocol's own limit)
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
_CONTENT_TYPES = {
    ".json": "application/json",
    ".jsonl": "application/json",
    ".ndjson": "application/json",
    ".html": "text/html",
    ".htm": "text/html",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".txt": "text/plain",
    ".md": "text/markdown",
}
_SITEMAP_KINDS = frozenset({"urlset", "sitemapindex"})
_XML_STARTS = (b"\x1f\x8b", b"<?xml", b"<rss", b"<feed", b"<rdf:rdf", b"<urlset", b"<sitemapindex")
_LINK_RE = re.compile(r"<([^>]*)>([^<]*)")
_PARAM_RE = re.compile(r';\s*([A-Za-z*-]+)\s*=\s*(?:"([^"]*)"|([^;,\s]*))')
# The REST route of a queried resource -> the posts filter that lists that archive.
_ARCHIVE_FILTERS = {"categories": "categories", "tags": "tags", "users": "author"}
_ROUTE_RE = re.compile(r"/wp/v2/([a-z0-9_-]+)/(\d+)/?$")
_COLLECTION_RE = re.compile(r"/wp/v2/[a-z0-9_-]+/?$")
_CONTROL_KEY_RE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


CASE_FILE = "case.json"
# A case flagged `requires_shared` may name its copy or original inside the read-only
# material beside the repository, by a path relative to the repository root.
SHARED_PREFIX = "../shared/"


@dataclass(frozen=True)
class SourceItem:
    """One item of a source: `data` to load, or `error` saying why it could not be read.

    `key` is stable across runs (a post's link, a page URL, `path#n`); `url` is where the
    item lives on the web, if known.
    """

    key: str
    data: bytes = b""
    content_type: str | None = None
    url: str | None = None
    error: str | None = None
    original: bytes | None = None


class SourcePage(Protocol):
    """What this module reads of a fetched page (provenance.fetch's Page has it)."""

    @property
    def body(self) -> bytes: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    @property
    def content_type(self) -> str | None: ...
    @property
    def final_url(self) -> str: ...
    @property
    def status_code(self) -> int: ...


class PageFetcher(Protocol):
    """Fetches one URL; raises FetchError (or a subclass) when it cannot."""

    def fetch_page(self, url: str, *, trusted: bool = ...) -> SourcePage: ...


def iter_source_items(
    source: str, *, settings: Settings, fetcher: PageFetcher, embed: bool = False
) -> Iterator[SourceItem]:
    """Return an iterator over the items of `source` (a URL, a file, a directory or "-").

    The source itself is fetched or opened at once; its items are produced lazily.
    `embed` asks WordPress for `_embed`ded authors and terms. Raises FetchError when the
    source URL cannot be fetched, InputError when the source path cannot be read or the
    URL scheme is not http(s); the same errors come from the iterator when the first page
    of a discovered WordPress API fails. Later failures are items with `error` set.
    """
    scheme = urlsplit(source).scheme.lower()
    if scheme in {"http", "https"}:
        walker = _Walker(source, settings=settings, fetcher=fetcher, embed=embed)
        return _validated(walker.walk(walker.fetch(source)))
    if len(scheme) > 1 and "://" in source:
        raise InputError(f"{source}: unsupported URL scheme {scheme!r} (use http or https)")
    return _validated(_iter_local(source, settings=settings, fetcher=fetcher))


def _validated(items: Iterator[SourceItem]) -> Iterator[SourceItem]:
    """Items whose keys are safe: a key holding NUL or another control character (a
    post `link` with a NUL byte) could pose as another item's key or escape a terminal,
    so it is spelled with escapes and its item becomes an error."""
    for item in items:
        key = safe_key(item.key)
        if key == item.key:
            yield item
        else:
            yield SourceItem(key=key, url=None, error="item key holds control characters")


def safe_key(key: str) -> str:
    """`key` with control characters (C0, DEL, C1) and lone surrogates spelled `\\xNN`."""
    if _CONTROL_KEY_RE.search(key) is None:
        return key
    return _CONTROL_KEY_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", key)


# --------------------------------------------------------------------------- URLs


class _Walker:
    """Walks one URL source; knows which host the user chose, to decide what to trust."""

    def __init__(
        self, source: str, *, settings: Settings, fetcher: PageFetcher, embed: bool
    ) -> None:
        self.source = source
        self.settings = settings
        self.fetcher = fetcher
        self.embed = embed
        self.origins = {_origin(source)}
        self.sitemaps_seen: set[str] = set()
        self.sitemap_pages = 0

    def walk(self, page: SourcePage) -> Iterator[SourceItem]:
        """The items of the source, given its fetched page."""
        self.origins.add(_origin(page.final_url))
        return self.dispatch(page)

    def fetch(self, url: str) -> SourcePage:
        return self.fetcher.fetch_page(url, trusted=_origin(url) in self.origins)

    def dispatch(self, page: SourcePage) -> Iterator[SourceItem]:
        kind = _sniff(page.body, page.content_type)
        if kind == "json":
            return self.from_json(page)
        if kind == "xml":
            return self.from_xml(page)
        if kind == "html":
            return self.from_html(page)
        return iter([_page_item(page)])

    def from_json(self, page: SourcePage) -> Iterator[SourceItem]:
        data = _json_or_none(page.body)
        collection = _wp_total_pages(page.headers) is not None or _is_collection(page.final_url)
        if isinstance(data, list) and collection:
            return self.posts(page.final_url, first=page)
        if isinstance(data, list):
            return _post_items(data, where=page.final_url)
        if isinstance(data, dict) and "wp/v2" in (data.get("namespaces") or []):
            return self.posts(_posts_endpoint(page.final_url))
        return iter([_page_item(page)])

    def from_xml(self, page: SourcePage) -> Iterator[SourceItem]:
        listing = read_listing(page.body)
        if listing is not None and listing.kind in _SITEMAP_KINDS:
            return self.sitemap(listing, page.final_url, depth=0)
        if listing is not None:
            return _feed_items(listing, where=page.final_url)
        return iter([_page_item(page)])

    def from_html(self, page: SourcePage) -> Iterator[SourceItem]:
        links = _declared_links(page)
        api = links.get(API_REL)
        if api is None:
            return iter([_page_item(page)])
        endpoint = _posts_endpoint(urljoin(page.final_url, api))
        resource = links.get("alternate-json")
        route = _queried_route(resource) if resource else None
        if route is None or resource is None:
            return self.posts(endpoint)
        kind, ident = route
        if kind in _ARCHIVE_FILTERS:
            return self.posts(_with_query(endpoint, {_ARCHIVE_FILTERS[kind]: ident}))
        return self.single_post(urljoin(page.final_url, resource))

    def single_post(self, url: str) -> Iterator[SourceItem]:
        page = self.fetch(url)
        post = _json_or_none(page.body)
        if not isinstance(post, dict):
            raise InputError(f"{url}: not a WordPress post")
        yield _post_item(post, key=_post_key(post, url, 0))

    def posts(self, endpoint: str, *, first: SourcePage | None = None) -> Iterator[SourceItem]:
        """Page through a posts collection, honouring filters and `per_page` in `endpoint`.

        A page that times out or answers 5xx is retried after a pause, then asked for in
        halves (per_page down to MIN_PER_PAGE, by `offset`) and the walk goes on at the
        size that answered; a range that still fails is one error item. Nothing read at
        all raises (FetchError/InputError). Stops at X-WP-Total / X-WP-TotalPages, or
        without them at a short, empty or repeated page; at most MAX_SOURCE_ITEMS posts
        and MAX_API_PAGES requests, the cut named in an error item.
        """
        per_page = _query_int(endpoint, "per_page")
        if per_page is None or self.embed:
            first = None
        paging = _Paging(
            endpoint, size=per_page or DEFAULT_PER_PAGE, page=_query_int(endpoint, "page") or 1
        )
        if self.embed:
            paging.base = _with_query(paging.base, {"_embed": "1"})
        seen: set[str] = set()
        while not paging.finished():
            if paging.read >= MAX_SOURCE_ITEMS or paging.requests >= MAX_API_PAGES:
                yield paging.cut_item()
                return
            try:
                posts, headers = self.adaptive_page(paging, first)
            except (FetchError, InputError) as exc:
                if paging.read == 0 and paging.offset == paging.start:
                    raise  # nothing of the source could be read
                if paging.limit is None and _is_past_end(exc):
                    return
                yield paging.error_item(exc)
                if paging.limit is None:
                    return
                paging.skip()
                continue
            first = None
            paging.learn(headers)
            keys = [_post_key(p, paging.url(), n) for n, p in enumerate(posts)]
            if not posts or seen.issuperset(keys):
                return
            seen.update(keys)
            yield from _post_items(posts, where=paging.url())
            paging.advance(len(posts))

    def adaptive_page(
        self, paging: _Paging, first: SourcePage | None
    ) -> tuple[list[Any], Mapping[str, str]]:
        """The posts at the paging's position: retried once after a pause on a timeout,
        then asked for in smaller pages (which `paging` keeps for the rest of the walk).
        Raises the FetchError or InputError of the last attempt."""
        retried = False
        while True:
            paging.requests += 1
            try:
                return self.posts_page(paging.url(), first)
            except FetchError as exc:
                if not _is_slow(exc):
                    raise
                paging.note_failure(exc)
                if isinstance(exc, FetchTimeout) and not retried:
                    retried = True
                    time.sleep(PAGE_BACKOFF)
                    continue
                if not paging.shrink():
                    raise
                retried = False

    def posts_page(self, url: str, page: SourcePage | None) -> tuple[list[Any], Mapping[str, str]]:
        """The posts of one page and its headers; raises FetchError or InputError."""
        page = page or self.fetch(url)
        data = _json_or_none(page.body)
        if not isinstance(data, list):
            raise InputError(f"{url}: not a list of WordPress posts")
        return data, page.headers

    def sitemap(self, listing: XmlListing, where: str, *, depth: int) -> Iterator[SourceItem]:
        """Each page a `urlset` lists; a `sitemapindex` is followed up to 3 levels deep.

        Each sitemap is fetched once (an index listing itself, or its parent, is not
        walked again), at most MAX_SITEMAPS of them and MAX_SITEMAP_PAGES pages per
        source; a cut is named in an error item.
        """
        self.sitemaps_seen.add(where)
        if listing.kind == "urlset":
            for loc in listing.locs:
                if self.sitemap_pages >= MAX_SITEMAP_PAGES:
                    yield _cut(where, "pages", MAX_SITEMAP_PAGES, "MAX_SITEMAP_PAGES")
                    return
                self.sitemap_pages += 1
                yield self.page_item(urljoin(where, loc))
            return
        for loc in listing.locs if depth < 3 else []:
            url = urljoin(where, loc)
            if url in self.sitemaps_seen:
                continue
            if len(self.sitemaps_seen) >= MAX_SITEMAPS:
                yield _cut(where, "sitemaps", MAX_SITEMAPS, "MAX_SITEMAPS")
                return
            self.sitemaps_seen.add(url)
            try:
                child = read_listing(self.fetch(url).body)
            except FetchError as exc:
                yield SourceItem(key=url, url=url, error=f"sitemap: {exc.reason}")
                continue
            if child is None or child.kind not in _SITEMAP_KINDS:
                yield SourceItem(key=url, url=url, error="sitemap: not a sitemap")
                continue
            yield from self.sitemap(child, url, depth=depth + 1)

    def page_item(self, url: str) -> SourceItem:
        try:
            page = self.fetch(url)
        except FetchError as exc:
            return SourceItem(key=url, url=url, error=exc.reason)
        return SourceItem(
            key=url, data=page.body, content_type=page.content_type, url=page.final_url
        )


class _Paging:
    """Where a walk through a posts collection is: by `page` at a fixed size until a page
    fails, then by `offset` at the size that answers."""

    def __init__(self, endpoint: str, *, size: int, page: int) -> None:
        self.base = _without_query(endpoint, ("page", "offset"))
        self.size = size
        self.page = page
        self.offset = self.start = (page - 1) * size
        self.by_offset = False
        self.limit: int | None = None  # offset past the last post, once the headers say
        self.read = 0
        self.requests = 0
        self.failed: FetchError | None = None  # the first failure of the current range
        self.failed_url = ""
        self.last_short = False

    def url(self) -> str:
        if self.by_offset:
            params = {"per_page": str(self.size), "offset": str(self.offset)}
        else:
            params = {"per_page": str(self.size), "page": str(self.page)}
        return _with_query(self.base, params)

    def finished(self) -> bool:
        if self.limit is not None:
            return self.offset >= self.limit
        return self.last_short

    def learn(self, headers: Mapping[str, str]) -> None:
        total = _header_int(headers, "x-wp-total")
        pages = _wp_total_pages(headers)
        if total is not None and not self.by_offset:
            self.limit = total if pages is None else min(total, pages * self.size)
        elif total is not None:
            self.limit = total
        elif pages is not None and not self.by_offset:
            self.limit = pages * self.size

    def advance(self, count: int) -> None:
        self.read += count
        self.last_short = count < self.size
        self.offset += self.size
        self.page += 1
        self.failed, self.failed_url = None, ""

    def skip(self) -> None:
        """Past a range that could not be read."""
        self.offset += self.size
        self.page += 1
        self.failed, self.failed_url = None, ""

    def note_failure(self, exc: FetchError) -> None:
        if self.failed is None:
            self.failed, self.failed_url = exc, self.url()

    def shrink(self) -> bool:
        """Ask for half as many posts at a time (not below MIN_PER_PAGE); False when the
        size is already the smallest."""
        if self.size <= MIN_PER_PAGE:
            return False
        self.size = max(MIN_PER_PAGE, self.size // 2)
        self.by_offset = True
        return True

    def error_item(self, exc: ProvenanceError) -> SourceItem:
        """The error item of the range that could not be read, keyed by the first URL
        that failed for it."""
        first = self.failed
        key = self.failed_url or self.url()
        span = f"posts {self.offset + 1}-{self.offset + self.size}"
        if first is None or first is exc:
            return SourceItem(key=key, url=key, error=f"{span}: {_reason(exc)}")
        reason = f"{span}: {first.reason}, and {self.size} at a time: {_reason(exc)}"
        return SourceItem(key=key, url=key, error=reason)

    def cut_item(self) -> SourceItem:
        what = f"{self.read} posts" if self.read >= MAX_SOURCE_ITEMS else f"{self.requests} pages"
        bound = (
            f"MAX_SOURCE_ITEMS={MAX_SOURCE_ITEMS}"
            if self.read >= MAX_SOURCE_ITEMS
            else f"MAX_API_PAGES={MAX_API_PAGES}"
        )
        total = f" of {self.limit}" if self.limit is not None else ""
        return SourceItem(
            key=f"{self.base}#rest",
            error=f"not read: the posts after the first {what}{total} (limit {bound})",
        )


def _is_slow(exc: FetchError) -> bool:
    """A failure a smaller page may cure: a timeout or a server error."""
    if isinstance(exc, FetchTimeout):
        return True
    return isinstance(exc, FetchStatusError) and 500 <= exc.status_code < 600


def _header_int(headers: Mapping[str, str], name: str) -> int | None:
    value = (headers.get(name) or "").strip()
    return int(value) if value.isdigit() else None


def _without_query(url: str, names: tuple[str, ...]) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in names]
    return urlunsplit(parts._replace(query=urlencode(query, safe="/")))


def _origin(url: str) -> tuple[str, int | None]:
    """Host and port, the scheme's default port filled in (http->https keeps the origin)."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    return (parts.hostname or "").lower(), (port if port not in (None, default) else None)


def _with_query(url: str, params: Mapping[str, str]) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    return urlunsplit(parts._replace(query=urlencode([*query, *params.items()], safe="/")))


def _query_int(url: str, name: str) -> int | None:
    value = dict(parse_qsl(urlsplit(url).query)).get(name, "")
    return int(value) if value.isdigit() and int(value) > 0 else None


def _queried_route(href: str) -> tuple[str, str] | None:
    """`.../wp/v2/posts/5` (or `?rest_route=/wp/v2/posts/5`) -> ("posts", "5")."""
    parts = urlsplit(href)
    route = dict(parse_qsl(parts.query)).get("rest_route") or parts.path
    match = _ROUTE_RE.search(route)
    return (match.group(1), match.group(2)) if match else None


def _is_collection(url: str) -> bool:
    """A WordPress REST collection route: `/wp/v2/posts`, `?rest_route=/wp/v2/posts`, ..."""
    parts = urlsplit(url)
    route = dict(parse_qsl(parts.query)).get("rest_route") or parts.path
    return _COLLECTION_RE.search(route) is not None


def _is_past_end(exc: ProvenanceError) -> bool:
    """WordPress answers 400 (rest_post_invalid_page_number) for a page past the last."""
    return isinstance(exc, FetchStatusError) and exc.status_code == 400


def _reason(exc: ProvenanceError) -> str:
    return exc.reason if isinstance(exc, FetchError) else str(exc)


def _posts_endpoint(api_root: str) -> str:
    """`/wp-json/` -> `/wp-json/wp/v2/posts`; `?rest_route=/` -> `?rest_route=/wp/v2/posts`."""
    parts = urlsplit(api_root)
    query = dict(parse_qsl(parts.query))
    if "rest_route" in query:
        route = query["rest_route"].rstrip("/") + "/wp/v2/posts"
        return _with_query(api_root, {"rest_route": route})
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return urlunsplit(parts._replace(path=path + "wp/v2/posts"))


def _wp_total_pages(headers: Mapping[str, str]) -> int | None:
    value = (headers.get("x-wp-totalpages") or "").strip()
    return int(value) if value.isdigit() else None


def _page_item(page: SourcePage) -> SourceItem:
    url = page.final_url
    return SourceItem(key=url, data=page.body, content_type=page.content_type, url=url)


# ------------------------------------------------------------------- discovery in HTML


class _LinkCollector(HTMLParser):
    """Collects `<link rel=... href=...>`; `alternate-json` is the queried resource's route."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "link":
            return
        values = {k: v or "" for k, v in attrs}
        _remember(self.links, values.get("href", ""), values)


def _remember(links: dict[str, str], href: str, params: Mapping[str, str]) -> None:
    if not href:
        return
    for rel in params.get("rel", "").lower().split():
        name = rel
        if rel == "alternate" and "json" in params.get("type", "").lower():
            name = "alternate-json"
        links.setdefault(name, href)


def _declared_links(page: SourcePage) -> dict[str, str]:
    """rel -> href from the Link header first, then from the page's `<link>` tags."""
    links: dict[str, str] = {}
    for href, rest in _LINK_RE.findall(page.headers.get("link", "")):
        params = {m[0].lower(): m[1] or m[2] for m in _PARAM_RE.findall(rest)}
        _remember(links, href.strip(), params)
    collector = _LinkCollector()
    collector.feed(page.body[:2_000_000].decode("utf-8", errors="replace"))
    for rel, href in collector.links.items():
        links.setdefault(rel, href)
    return links


# ------------------------------------------------------------------ formats and items


def _sniff(data: bytes, content_type: str | None) -> str:
    """ "json", "xml", "html" or "other": from the bytes first, the Content-Type second."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head[:1] in (b"{", b"["):
        return "json"
    if head.startswith((b"<!doctype html", b"<html")):
        return "html"
    if head.startswith(_XML_STARTS):
        return "xml"
    ctype = (content_type or "").lower()
    for kind in ("json", "html", "xml"):
        if kind in ctype:
            return kind
    return "other"


def _json_or_none(data: bytes) -> Any:
    """The JSON value of `data`, or None when it is not JSON (or nests too deep to read:
    `[` x 100,000 raises RecursionError in the decoder)."""
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        return None


def _post_key(post: Any, where: str, n: int) -> str:
    """A post's link, else its id at `where`, else its position there."""
    if isinstance(post, dict):
        if isinstance(post.get("link"), str) and post["link"]:
            return str(post["link"])
        if isinstance(post.get("id"), int | str):
            return f"{where}#id={post['id']}"
    return f"{where}#{n}"


def _post_item(post: Mapping[str, Any], *, key: str) -> SourceItem:
    link = post.get("link")
    url = link if isinstance(link, str) and link else None
    data = json.dumps(post, ensure_ascii=False).encode("utf-8")
    return SourceItem(key=key, data=data, content_type="application/json", url=url)


def _post_items(posts: list[Any], *, where: str) -> Iterator[SourceItem]:
    """One item per post of a plain JSON list: the first MAX_SOURCE_ITEMS of them."""
    for n, post in enumerate(posts[:MAX_SOURCE_ITEMS]):
        key = _post_key(post, where, n)
        if isinstance(post, dict):
            yield _post_item(post, key=key)
        else:
            yield SourceItem(key=key, error=f"item {n} is not a post (JSON {type(post).__name__})")
    if len(posts) > MAX_SOURCE_ITEMS:
        yield _cut(where, "posts", MAX_SOURCE_ITEMS, "MAX_SOURCE_ITEMS", total=len(posts))


def _feed_items(listing: XmlListing, *, where: str) -> Iterator[SourceItem]:
    """Each entry as a feed of its own: the feed's own fields and that one entry (the
    first MAX_ITEMS entries; the cut is an error item)."""
    for n, part in enumerate(listing.parts):
        key = part.url or f"{where}#{n}"
        yield SourceItem(key=key, data=part.data, content_type=part.content_type, url=part.url)
    if listing.total > len(listing.parts):
        yield _cut(where, "feed items", len(listing.parts), "MAX_ITEMS", total=listing.total)


def _cut(where: str, what: str, limit: int, bound: str, *, total: int | None = None) -> SourceItem:
    """The error item that names a source's budget cut: nothing is cut silently."""
    of = f" of {total}" if total is not None else ""
    return SourceItem(
        key=f"{where}#rest",
        error=f"not read: the {what} after the first {limit}{of} (limit {bound}={limit})",
    )


# --------------------------------------------------------------------- local files


def _iter_local(source: str, *, settings: Settings, fetcher: PageFetcher) -> Iterator[SourceItem]:
    if source == "-":
        data = sys.stdin.buffer.read(settings.max_input_bytes + 1)
        return _bytes_items(data, name="-", suffix="", settings=settings, fetcher=fetcher)
    path = Path(source)
    if path.is_dir():
        return _dir_items(path, settings=settings, fetcher=fetcher)
    if is_warc_file(source):
        return _warc_items(path, settings)
    try:
        data = _read_capped(path, settings)
    except OSError as exc:
        raise InputError(f"{source}: cannot read: {exc.strerror or exc}") from exc
    return _bytes_items(
        data, name=source, suffix=path.suffix.lower(), settings=settings, fetcher=fetcher
    )


def _read_capped(path: Path, settings: Settings) -> bytes:
    with path.open("rb") as handle:
        return handle.read(settings.max_input_bytes + 1)


def _dir_items(root: Path, *, settings: Settings, fetcher: PageFetcher) -> Iterator[SourceItem]:
    """Every non-hidden file under `root`, sorted, symlinked directories not followed.

    A file that is a symlink leading out of `root`, a FIFO, a device or a socket is an
    error item, never read. A folder holding a `case.json` (see docs/cases.md) is one
    item: its copy, checked against its original when the case names one.
    """
    for dirpath, dirnames, filenames in os.walk(root):
        if CASE_FILE in filenames:
            dirnames[:] = []
            yield _case_item(Path(dirpath), settings)
            continue
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(f for f in filenames if not f.startswith(".")):
            path = Path(dirpath) / name
            key = display_path(path)
            if not inside(root, path):
                yield SourceItem(key=key, error=f"not read: a symlink out of {display_path(root)}")
                continue
            if path.is_file() and is_warc_file(str(path)):
                yield from _warc_items(path, settings)
                continue
            try:
                data = read_regular(path, settings.max_input_bytes)
            except InputError as exc:
                yield SourceItem(key=key, error=str(exc).removeprefix(f"{key}: "))
                continue
            suffix = path.suffix.lower()
            yield from _bytes_items(
                data, name=key, suffix=suffix, settings=settings, fetcher=fetcher
            )


def shared_case_file(case_dir: Path, name: str) -> Path:
    """The file a `requires_shared` case names in ../shared, the folder beside the repository.

    `name` is relative to the repository root, the folder that holds `cases/`, so a case at
    `<repo>/cases/<slug>/` naming "../shared/real/x.txt" means `<repo>/../shared/real/x.txt`.
    This is the one place such names are resolved; every other name in a case.json stays
    inside its case folder. Returns the path (which may not exist: ../shared is optional).
    Raises InputError when `name` does not start with "../shared/" or leaves that folder.
    """
    if not name.startswith(SHARED_PREFIX) or ".." in Path(name[len(SHARED_PREFIX) :]).parts:
        raise InputError(f"{name!r}: a shared case file must be {SHARED_PREFIX}<path> (no '..')")
    shared = case_dir.absolute().parent.parent.parent / "shared"
    path = shared / name[len(SHARED_PREFIX) :]
    if path.exists() and not path.resolve().is_relative_to(shared.resolve()):
        raise InputError(f"{name!r}: leaves {SHARED_PREFIX} (a link?)")
    return path


def _case_file(folder: Path, case: Mapping[str, Any], key: str) -> Path:
    """The file `case[key]` names: under ../shared for a `requires_shared` case naming
    "../shared/...", else inside the case folder only (`paths.resolve_inside`: no `..`, no
    absolute path, no symlink out). Raises InputError."""
    name = case.get(key)
    if (
        case.get("requires_shared") is True
        and isinstance(name, str)
        and name.startswith(SHARED_PREFIX)
    ):
        path = shared_case_file(folder, name)
        if not path.is_file():
            raise InputError(
                f"{key} {name} is not here: this case needs ../shared beside the repository"
            )
        return path
    return resolve_inside(folder, name)


def _warc_items(path: Path, settings: Settings) -> Iterator[SourceItem]:
    """One item per HTML response of a WARC file, keyed `path@offset`, read record by
    record (the file may be far larger than one item may be)."""
    with path.open("rb") as stream:
        for record in WarcReader(stream, name=str(path), settings=settings):
            key = f"{path}@{record.offset}"
            if isinstance(record, WarcError):
                yield SourceItem(key=key, url=record.url, error=record.reason)
            else:
                yield SourceItem(key=key, data=record.body, content_type=record.content_type,
                                 url=record.url or None)  # fmt: skip


def _case_item(folder: Path, settings: Settings) -> SourceItem:
    """The copy (and original) a case folder's `case.json` names, read from inside
    that folder only (`paths.resolve_inside`)."""
    key = display_path(folder)
    limit = settings.max_input_bytes
    try:
        case = json.loads(read_regular(folder / CASE_FILE, limit))
        if not isinstance(case, dict):
            raise InputError(f"{CASE_FILE} is not a JSON object")
        copy = read_regular(_case_file(folder, case, "copy"), limit)
        original = case.get("original")
        original_data = (
            read_regular(_case_file(folder, case, "original"), limit) if original else None
        )
    except InputError as exc:
        return SourceItem(key=key, error=_one_line(exc))
    except (ValueError, RecursionError) as exc:
        return SourceItem(key=key, error=f"unreadable case: {_one_line(exc)}")
    if len(copy) > limit or len(original_data or b"") > limit:
        return SourceItem(key=key, error=f"unreadable case: larger than {limit} bytes")
    return SourceItem(key=key, data=copy, original=original_data)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300] or type(exc).__name__


def _bytes_items(
    data: bytes, *, name: str, suffix: str, settings: Settings, fetcher: PageFetcher
) -> Iterator[SourceItem]:
    """The items one local file holds."""
    ctype = _CONTENT_TYPES.get(suffix)
    if len(data) > settings.max_input_bytes:
        yield SourceItem(key=name, error=f"larger than {settings.max_input_bytes} bytes")
        return
    kind = _sniff(data, ctype)
    if suffix in JSONL_SUFFIXES or (kind == "json" and _looks_like_jsonl(data)):
        yield from _jsonl_items(data, name=name)
        return
    whole = _json_or_none(data) if kind == "json" else None
    if isinstance(whole, list):
        yield from _post_items(whole, where=name)
        return
    listing = read_listing(data) if kind == "xml" else None
    if listing is not None and listing.kind == "feed":
        yield from _feed_items(listing, where=name)
    elif listing is not None and listing.kind == "urlset":
        yield from _local_sitemap(listing, name=name, fetcher=fetcher)
    else:
        yield SourceItem(key=name, data=data, content_type=ctype)


def _looks_like_jsonl(data: bytes) -> bool:
    lines = [line for line in data.splitlines() if line.strip()]
    return (
        len(lines) > 1 and _json_or_none(data) is None and isinstance(_json_or_none(lines[0]), dict)
    )


def _jsonl_items(data: bytes, *, name: str) -> Iterator[SourceItem]:
    """One item per non-blank line: the first MAX_SOURCE_ITEMS of them."""
    count = 0
    for number, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        if count == MAX_SOURCE_ITEMS:
            yield _cut(name, "lines", MAX_SOURCE_ITEMS, "MAX_SOURCE_ITEMS")
            return
        count += 1
        yield _jsonl_item(line, key=f"{name}#{number}")


def _jsonl_item(line: bytes, *, key: str) -> SourceItem:
    """A WordPress post, or `{"url": ..., "html": ...}` for a page."""
    try:
        value = json.loads(line)
    except ValueError as exc:
        return SourceItem(key=key, error=f"invalid JSON: {str(exc).splitlines()[0]}")
    except RecursionError:
        return SourceItem(key=key, error="invalid JSON: nested too deep to read")
    if not isinstance(value, dict):
        return SourceItem(key=key, error=f"not a JSON object (JSON {type(value).__name__})")
    url = value.get("url") if isinstance(value.get("url"), str) else None
    if "html" in value:
        if not isinstance(value["html"], str):
            return SourceItem(key=key, url=url, error='"html" is not a string')
        return SourceItem(
            key=key, data=value["html"].encode("utf-8"), content_type="text/html", url=url
        )
    if "content" in value or "title" in value:
        link = value.get("link") if isinstance(value.get("link"), str) else None
        return SourceItem(key=key, data=line.strip(), content_type="application/json", url=link)
    return SourceItem(key=key, url=url, error='expected a WordPress post or {"url", "html"}')


def _local_sitemap(listing: XmlListing, *, name: str, fetcher: PageFetcher) -> Iterator[SourceItem]:
    """Pages listed in a local sitemap: URLs found in a file, so fetched untrusted
    (the first MAX_SITEMAP_PAGES of them)."""
    if len(listing.locs) > MAX_SITEMAP_PAGES:
        yield _cut(name, "pages", MAX_SITEMAP_PAGES, "MAX_SITEMAP_PAGES", total=len(listing.locs))
    for url in listing.locs[:MAX_SITEMAP_PAGES]:
        try:
            page = fetcher.fetch_page(url, trusted=False)
        except FetchError as exc:
            yield SourceItem(key=url, url=url, error=exc.reason)
            continue
        yield SourceItem(
            key=url, data=page.body, content_type=page.content_type, url=page.final_url
        )

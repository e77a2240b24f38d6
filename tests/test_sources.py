"""Audit sources -> items: a real WordPress, its feed, loopback sitemaps and APIs, local files."""

from __future__ import annotations

import gzip
import json
import re
import socket
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from shared_dir import SEED, SHARED
from wordpress import POST_COUNT, WordPressSite, wordpress_site

from provenance.audit.sources import SourceItem, iter_source_items
from provenance.errors import FetchError, FetchStatusError, InputError
from provenance.settings import Settings

__all__ = ["wordpress_site"]  # the fixture, imported so pytest finds it in this module

SETTINGS = Settings(offline=False, cache_dir=None, per_host_delay=0.0)


# --- a tiny fetcher over httpx, standing in for provenance.fetch in these tests ----------


@dataclass(frozen=True)
class _Page:
    url: str
    final_url: str
    status_code: int
    headers: Mapping[str, str]
    content_type: str
    body: bytes


@dataclass
class HttpxFetcher:
    """Fetches with httpx and records every (url, trusted) asked for."""

    calls: list[tuple[str, bool]] = field(default_factory=list)
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30.0))

    def fetch_page(self, url: str, *, trusted: bool = False) -> _Page:
        self.calls.append((url, trusted))
        try:
            response = self.client.get(url, follow_redirects=True)
        except httpx.HTTPError as exc:
            raise FetchError(url, type(exc).__name__) from exc
        if response.status_code >= 400:
            raise FetchStatusError(url, response.status_code)
        headers = {k.lower(): v for k, v in response.headers.items()}
        ctype = headers.get("content-type", "")
        return _Page(url, str(response.url), response.status_code, headers, ctype, response.content)

    def urls(self) -> list[str]:
        return [url for url, _ in self.calls]


@pytest.fixture
def fetcher() -> Iterator[HttpxFetcher]:
    f = HttpxFetcher()
    yield f
    f.client.close()


def items_of(source: str | Path, fetcher: HttpxFetcher, **kw: bool) -> list[SourceItem]:
    return list(iter_source_items(str(source), settings=SETTINGS, fetcher=fetcher, **kw))


def api_pages(fetcher: HttpxFetcher) -> list[str]:
    """The `page` parameter of every posts-collection request, in order."""
    urls = [urlsplit(u) for u in fetcher.urls()]
    return [dict(parse_qsl(u.query)).get("page", "") for u in urls if "wp/v2/posts" in str(u)]


# --- against the real WordPress --------------------------------------------------------


def assert_all_posts(items: list[SourceItem], site: WordPressSite) -> None:
    assert len(items) == POST_COUNT
    assert all(item.error is None for item in items)
    posts = [json.loads(item.data) for item in items]
    assert sorted(p["id"] for p in posts) == sorted(site.post_ids)
    assert [item.key for item in items] == [p["link"] for p in posts]
    assert len({item.key for item in items}) == POST_COUNT
    assert {item.content_type for item in items} == {"application/json"}
    assert all(p["content"]["rendered"] and p["title"]["rendered"] for p in posts)


@pytest.mark.parametrize("suffix", ["", "/"])
def test_site_base_url_discovers_the_api_and_pages_by_100(
    wordpress_site: WordPressSite, fetcher: HttpxFetcher, suffix: str
) -> None:
    items = items_of(wordpress_site.base_url + suffix, fetcher)
    assert_all_posts(items, wordpress_site)
    assert api_pages(fetcher) == ["1", "2", "3"]
    assert all("per_page=100" in u for u in fetcher.urls()[1:])
    assert all(trusted for _, trusted in fetcher.calls)
    newest = json.loads(items[0].data)
    assert newest["id"] == wordpress_site.post_ids[-1]


def test_direct_endpoint(wordpress_site: WordPressSite, fetcher: HttpxFetcher) -> None:
    items = items_of(wordpress_site.posts_endpoint, fetcher)
    assert_all_posts(items, wordpress_site)
    # the default page of 10 is asked once, then the pages of 100
    assert api_pages(fetcher) == ["", "1", "2", "3"]


def test_endpoint_keeps_the_users_per_page_and_filters(
    wordpress_site: WordPressSite, fetcher: HttpxFetcher
) -> None:
    items = items_of(wordpress_site.posts_endpoint + "?per_page=60&orderby=id&order=asc", fetcher)
    assert [json.loads(i.data)["id"] for i in items] == sorted(wordpress_site.post_ids)
    assert api_pages(fetcher) == ["", "2", "3", "4", "5"]  # the user's page 1 is reused


@pytest.mark.parametrize("path", ["/?rest_route=/wp/v2/posts", "/wp-json/", "/?rest_route=/"])
def test_rest_route_and_api_root(
    wordpress_site: WordPressSite, fetcher: HttpxFetcher, path: str
) -> None:
    assert_all_posts(items_of(wordpress_site.base_url + path, fetcher), wordpress_site)


def test_embed_is_asked_for(wordpress_site: WordPressSite, fetcher: HttpxFetcher) -> None:
    items = items_of(wordpress_site.base_url, fetcher, embed=True)
    assert len(items) == POST_COUNT
    assert "_embedded" in json.loads(items[0].data)
    assert all("_embed=1" in u for u in fetcher.urls()[1:])


def test_single_post_page_gives_that_post(
    wordpress_site: WordPressSite, fetcher: HttpxFetcher
) -> None:
    post_id = wordpress_site.post_ids[7]
    link = httpx.get(f"{wordpress_site.posts_endpoint}/{post_id}").json()["link"]
    [item] = items_of(link, fetcher)
    assert json.loads(item.data)["id"] == post_id
    assert item.key == item.url == link


def test_feed_gives_each_item_as_a_one_item_feed(
    wordpress_site: WordPressSite, fetcher: HttpxFetcher
) -> None:
    items = items_of(wordpress_site.base_url + "/feed/", fetcher)
    assert len(items) == 10  # WordPress's default posts_per_rss
    newest = httpx.get(wordpress_site.posts_endpoint, params={"per_page": 10}).json()
    assert [item.key for item in items] == [post["link"] for post in newest]
    for item in items:
        assert item.content_type == "application/rss+xml"
        assert len(re.findall(rb"<item[\s>]", item.data)) == 1
        assert b"encoded>" in item.data  # content:encoded, whatever prefix it got
    assert fetcher.calls == [(wordpress_site.base_url + "/feed/", True)]


def test_items_load_as_wordpress_posts(
    wordpress_site: WordPressSite, fetcher: HttpxFetcher
) -> None:
    load = pytest.importorskip("provenance.load")
    item = next(iter_source_items(wordpress_site.base_url, settings=SETTINGS, fetcher=fetcher))
    [doc] = load.load_documents(
        item.data, source=item.key, settings=SETTINGS, content_type=item.content_type, url=item.url
    )
    assert doc.kind == "wordpress"
    assert doc.url == item.url
    feed_item = next(
        iter_source_items(wordpress_site.base_url + "/feed/", settings=SETTINGS, fetcher=fetcher)
    )
    [doc] = load.load_documents(feed_item.data, source=feed_item.key, settings=SETTINGS)
    assert doc.url == feed_item.url
    assert doc.paragraphs


@pytest.mark.parametrize("path", ["", "/feed/", "/wp-json/wp/v2/posts?per_page=100"])
def test_with_the_real_fetcher(wordpress_site: WordPressSite, path: str) -> None:
    fetch = pytest.importorskip("provenance.fetch")
    with fetch.Fetcher(SETTINGS) as real:
        items = list(
            iter_source_items(wordpress_site.base_url + path, settings=SETTINGS, fetcher=real)
        )
    assert len(items) == (10 if path == "/feed/" else POST_COUNT)
    assert all(item.error is None for item in items)


def test_changed_post_shows_in_the_next_walk(
    wordpress_site: WordPressSite, fetcher: HttpxFetcher
) -> None:
    post_id = wordpress_site.post_ids[-1]
    first = {i.key: i.data for i in items_of(wordpress_site.base_url, fetcher)}
    raw = json.loads(wordpress_site.run_php(_RAW, str(post_id)))
    try:
        wordpress_site.update_post(post_id, "<p>Rewritten.</p>")
        second = {i.key: i.data for i in items_of(wordpress_site.base_url, fetcher)}
    finally:
        wordpress_site.update_post(post_id, raw["content"])
    changed = [key for key in first if first[key] != second[key]]
    assert len(changed) == 1 and set(first) == set(second)
    assert json.loads(second[changed[0]])["id"] == post_id


_RAW = """<?php
require __DIR__ . '/wp-load.php';
echo json_encode(['content' => get_post((int) $argv[1])->post_content]);
"""


# --- loopback servers without WordPress ---------------------------------------------------


Route = tuple[int, dict[str, str], bytes]


class _Handler(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, Route]] = {}

    def do_GET(self) -> None:
        status, headers, body = self.routes.get(self.path, (404, {}, b"not found"))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass
class Loopback:
    server: ThreadingHTTPServer
    routes: dict[str, Route]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"


@pytest.fixture
def loopback() -> Iterator[Loopback]:
    routes: dict[str, Route] = {}
    handler = type("Handler", (_Handler,), {"routes": routes})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield Loopback(server, routes)
    server.shutdown()
    server.server_close()
    thread.join()


HTML = {"Content-Type": "text/html; charset=utf-8"}
XML = {"Content-Type": "application/xml"}
JSON = {"Content-Type": "application/json"}


def _urlset(urls: list[str]) -> bytes:
    locs = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
    ns = "http://www.sitemaps.org/schemas/sitemap/0.9"
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="{ns}">{locs}</urlset>'.encode()


def test_sitemap_fetches_each_page(loopback: Loopback, fetcher: HttpxFetcher) -> None:
    for n in (1, 2, 3):
        loopback.routes[f"/story-{n}"] = (200, HTML, f"<html><p>story {n}</p></html>".encode())
    pages = [loopback.url(f"/story-{n}") for n in (1, 2, 3, 4)]  # 4 is missing
    loopback.routes["/sitemap.xml"] = (200, XML, _urlset(pages))
    items = items_of(loopback.url("/sitemap.xml"), fetcher)
    assert [i.key for i in items] == pages
    assert [i.data for i in items[:3]] == [
        f"<html><p>story {n}</p></html>".encode() for n in (1, 2, 3)
    ]
    assert items[3].error == "HTTP 404" and items[3].data == b""
    assert all(i.content_type == HTML["Content-Type"] for i in items[:3])
    assert all(trusted for _, trusted in fetcher.calls)


def test_sitemap_index_gzip_and_foreign_hosts(loopback: Loopback, fetcher: HttpxFetcher) -> None:
    here = loopback.url("/a")
    elsewhere = here.replace("127.0.0.1", "localhost")  # another host name: not the user's choice
    loopback.routes["/a"] = (200, HTML, b"<p>a</p>")
    loopback.routes["/child.xml.gz"] = (
        200,
        {"Content-Type": "application/gzip"},
        gzip.compress(_urlset([here, elsewhere])),
    )
    ns = "http://www.sitemaps.org/schemas/sitemap/0.9"
    index = (
        f'<sitemapindex xmlns="{ns}">'
        "<sitemap><loc>/child.xml.gz</loc></sitemap><sitemap><loc>/nope.xml</loc></sitemap>"
        "</sitemapindex>"
    )
    loopback.routes["/index.xml"] = (200, XML, index.encode())
    items = items_of(loopback.url("/index.xml"), fetcher)
    assert [(i.key, i.error) for i in items] == [
        (here, None),
        (elsewhere, None),
        (loopback.url("/nope.xml"), "sitemap: HTTP 404"),
    ]
    assert dict(fetcher.calls)[elsewhere] is False
    assert dict(fetcher.calls)[here] is True


def _posts(start: int, count: int) -> bytes:
    return json.dumps(
        [
            {
                "id": n,
                "link": f"http://x.test/p{n}",
                "title": {"rendered": f"P{n}"},
                "content": {"rendered": f"<p>{n}</p>"},
            }
            for n in range(start, start + count)
        ]
    ).encode()


def test_link_tag_discovery_and_a_failing_middle_page(
    loopback: Loopback, fetcher: HttpxFetcher
) -> None:
    api = loopback.url("/api/")
    loopback.routes["/"] = (
        200,
        HTML,
        f'<html><head><link rel="https://api.w.org/" href="{api}"></head></html>'.encode(),
    )
    pages = {"X-WP-Total": "250", "X-WP-TotalPages": "3", **JSON}
    loopback.routes["/api/wp/v2/posts?per_page=100&page=1"] = (200, pages, _posts(1, 100))
    loopback.routes["/api/wp/v2/posts?per_page=100&page=2"] = (500, JSON, b"{}")
    # Asked for in halves (by offset), posts 101-200 keep failing, 201-250 answer.
    for size in (50, 25, 12, 10):
        for offset in range(100, 200):
            loopback.routes[f"/api/wp/v2/posts?per_page={size}&offset={offset}"] = (
                500,
                JSON,
                b"{}",
            )
    for offset in range(200, 250, 10):
        loopback.routes[f"/api/wp/v2/posts?per_page=10&offset={offset}"] = (
            200, pages, _posts(offset + 1, 10),
        )  # fmt: skip
    items = items_of(loopback.url("/"), fetcher)
    errors = [i for i in items if i.error]
    assert len(items) == 100 + 10 + 50 and len(errors) == 10
    assert errors[0].key == loopback.url("/api/wp/v2/posts?per_page=100&page=2")
    assert errors[0].error == "posts 101-110: HTTP 500, and 10 at a time: HTTP 500"
    assert errors[-1].error == "posts 191-200: HTTP 500"
    assert [i.key for i in items[110:112]] == ["http://x.test/p201", "http://x.test/p202"]


def test_without_total_pages_stops_at_a_short_page(
    loopback: Loopback, fetcher: HttpxFetcher
) -> None:
    for page, (start, count) in enumerate([(1, 2), (3, 2), (5, 1)], start=1):
        loopback.routes[f"/wp/v2/posts?per_page=2&page={page}"] = (200, JSON, _posts(start, count))
    items = items_of(loopback.url("/wp/v2/posts?per_page=2&page=1"), fetcher)
    assert [json.loads(i.data)["id"] for i in items] == [1, 2, 3, 4, 5]
    assert fetcher.urls()[-1].endswith("page=3")


def test_without_total_pages_stops_at_400_or_a_repeated_page(
    loopback: Loopback, fetcher: HttpxFetcher
) -> None:
    routes = loopback.routes
    routes["/wp/v2/posts?per_page=2"] = (200, JSON, _posts(1, 2))
    routes["/wp/v2/posts?per_page=2&page=2"] = (200, JSON, _posts(3, 2))
    routes["/wp/v2/posts?per_page=2&page=3"] = (
        400,
        JSON,
        b'{"code":"rest_post_invalid_page_number"}',
    )
    assert len(items_of(loopback.url("/wp/v2/posts?per_page=2"), fetcher)) == 4
    routes["/wp/v2/posts?per_page=2&page=3"] = (200, JSON, _posts(5, 2))
    routes["/wp/v2/posts?per_page=2&page=4"] = (200, JSON, _posts(5, 2))  # `page` ignored
    items = items_of(loopback.url("/wp/v2/posts?per_page=2"), fetcher)
    assert [json.loads(i.data)["id"] for i in items] == [1, 2, 3, 4, 5, 6]
    assert fetcher.urls()[-1].endswith("page=4")


def test_plain_json_list_is_not_paged(loopback: Loopback, fetcher: HttpxFetcher) -> None:
    loopback.routes["/export.json"] = (200, JSON, _posts(1, 3))
    items = items_of(loopback.url("/export.json"), fetcher)
    assert [i.key for i in items] == ["http://x.test/p1", "http://x.test/p2", "http://x.test/p3"]
    assert fetcher.urls() == [loopback.url("/export.json")]


def test_unreachable_source_raises(loopback: Loopback, fetcher: HttpxFetcher) -> None:
    with pytest.raises(FetchStatusError):
        items_of(loopback.url("/missing"), fetcher)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/"
    with pytest.raises(FetchError):
        items_of(closed, fetcher)


def test_source_is_fetched_at_the_call_items_lazily(
    wordpress_site: WordPressSite, fetcher: HttpxFetcher
) -> None:
    items = iter_source_items(wordpress_site.base_url, settings=SETTINGS, fetcher=fetcher)
    assert fetcher.urls() == [wordpress_site.base_url]
    next(items)
    assert len(fetcher.calls) == 2


def test_first_api_page_failing_raises(loopback: Loopback, fetcher: HttpxFetcher) -> None:
    loopback.routes["/"] = (
        200,
        {"Link": f'<{loopback.url("/wp-json/")}>; rel="https://api.w.org/"', **HTML},
        b"<html></html>",
    )
    with pytest.raises(FetchStatusError):
        items_of(loopback.url("/"), fetcher)


def test_plain_page_is_one_item(loopback: Loopback, fetcher: HttpxFetcher) -> None:
    loopback.routes["/story"] = (200, HTML, b"<html><p>just a page</p></html>")
    [item] = items_of(loopback.url("/story"), fetcher)
    assert item.key == item.url == loopback.url("/story")
    assert item.data == b"<html><p>just a page</p></html>"


# --- local files ------------------------------------------------------------------------------


def test_jsonl_posts_pages_and_bad_lines(tmp_path: Path, fetcher: HttpxFetcher) -> None:
    seed = json.loads(SEED.read_text(encoding="utf-8"))
    lines = [
        json.dumps(seed),
        json.dumps({"url": "https://example.org/a", "html": "<p>page</p>"}),
        "{not json",
        "[1, 2]",
        "",
        json.dumps({"url": "https://example.org/b"}),
        json.dumps({"html": 5}),
    ]
    path = tmp_path / "audit.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = items_of(path, fetcher)
    assert [i.key for i in items] == [f"{path}#{n}" for n in (1, 2, 3, 4, 6, 7)]
    assert json.loads(items[0].data)["id"] == seed["id"]
    assert items[0].url == seed["link"] and items[0].content_type == "application/json"
    assert (items[1].data, items[1].url, items[1].content_type) == (
        b"<p>page</p>",
        "https://example.org/a",
        "text/html",
    )
    assert items[2].error is not None and items[2].error.startswith("invalid JSON")
    assert items[3].error == "not a JSON object (JSON list)"
    assert items[4].error == 'expected a WordPress post or {"url", "html"}'
    assert items[5].error == '"html" is not a string'
    assert fetcher.calls == []


def test_directory_gives_each_files_items(tmp_path: Path, fetcher: HttpxFetcher) -> None:
    (tmp_path / "a.html").write_bytes(b"<html><p>a</p></html>")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text("https://example.org/b\n\nSome text.\n")
    (tmp_path / "sub" / "posts.json").write_text(
        json.dumps([{"id": 1, "content": {"rendered": "x"}}, {"id": 2}])
    )
    (tmp_path / "c.jsonl").write_text('{"html": "<p>c</p>"}\n{"html": "<p>d</p>"}\n')
    (tmp_path / ".hidden").write_text("skip me")
    items = items_of(tmp_path, fetcher)
    assert [(i.key, i.content_type) for i in items] == [
        (str(tmp_path / "a.html"), "text/html"),
        (f"{tmp_path / 'c.jsonl'}#1", "text/html"),
        (f"{tmp_path / 'c.jsonl'}#2", "text/html"),
        (str(tmp_path / "sub" / "b.txt"), "text/plain"),
        (f"{tmp_path / 'sub' / 'posts.json'}#id=1", "application/json"),
        (f"{tmp_path / 'sub' / 'posts.json'}#id=2", "application/json"),
    ]
    assert items[3].data == (tmp_path / "sub" / "b.txt").read_bytes()


@pytest.mark.shared
def test_real_copies_directory(fetcher: HttpxFetcher) -> None:
    items = items_of(SHARED / "real" / "copies", fetcher)
    files = sorted(p for p in (SHARED / "real" / "copies").iterdir() if not p.name.startswith("."))
    assert [i.key for i in items] == [str(p) for p in files]
    assert all(i.error is None and i.data for i in items)


def test_local_feed_file_and_oversized_file(tmp_path: Path, fetcher: HttpxFetcher) -> None:
    atom = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
        '<entry><title>One</title><link href="https://example.org/1"/>'
        '<content type="html">&lt;p&gt;1&lt;/p&gt;</content></entry>'
        '<entry><title>Two</title><link rel="alternate" href="https://example.org/2"/>'
        "<summary>2</summary></entry>"
        "</feed>"
    )
    path = tmp_path / "feed.atom"
    path.write_text(atom, encoding="utf-8")
    items = items_of(path, fetcher)
    assert [(i.key, i.content_type) for i in items] == [
        ("https://example.org/1", "application/atom+xml"),
        ("https://example.org/2", "application/atom+xml"),
    ]
    assert b"<title>T</title>" in items[1].data and b"One" not in items[1].data
    small = Settings(max_input_bytes=10)
    [big] = iter_source_items(str(path), settings=small, fetcher=fetcher)
    assert big.error == "larger than 10 bytes"


def test_a_gzip_bomb_sitemap_is_not_expanded(tmp_path: Path, fetcher: HttpxFetcher) -> None:
    # 60 MB of a sitemap once decompressed (60 KB on disk): past the 50 MB cap of the
    # sitemap protocol, so it is read as one opaque item, not decompressed in full.
    ns = "http://www.sitemaps.org/schemas/sitemap/0.9"
    head = f'<urlset xmlns="{ns}"><url><loc>https://example.org/a</loc></url>'.encode()
    bomb = tmp_path / "sitemap.xml"
    bomb.write_bytes(gzip.compress(head + b" " * (60 * 2**20) + b"</urlset>"))
    [item] = items_of(bomb, fetcher)
    assert (item.key, item.error, fetcher.calls) == (str(bomb), None, [])


@pytest.mark.parametrize(
    ("source", "message"),
    [("/no/such/path.json", "cannot read"), ("ftp://example.org/feed", "unsupported URL scheme")],
)
def test_unreadable_sources_raise(source: str, message: str, fetcher: HttpxFetcher) -> None:
    with pytest.raises(InputError, match=message):
        items_of(source, fetcher)

"""The fetcher's normal behaviour: Page, robots.txt, User-Agent, cache, per-host delay,
and the mapping of httpx errors."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from servers import LoopbackServer, Reply, Request

from provenance.errors import BlockedURL, FetchError, FetchStatusError, FetchTimeout
from provenance.fetch import ERROR_MAP, Fetcher, Page, map_httpx_error
from provenance.fetch.body import detect_encoding, is_document_type
from provenance.settings import DEFAULT_USER_AGENT, Settings

HOST = "news.example.com"
OTHER = "wire.example.org"
STORY = b"<html><body><p>The story.</p></body></html>"


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as srv:
        srv.route("/story", Reply(body=STORY))
        yield srv


def settings_for(server: LoopbackServer, **changes: object) -> Settings:
    values: dict[str, object] = {
        "cache_dir": None,
        "per_host_delay": 0.0,
        "resolve_overrides": ((HOST, server.host), (OTHER, server.host)),
    }
    values.update(changes)
    return Settings(**values)  # type: ignore[arg-type]


class FakeClock:
    """A monotonic clock that only moves when the fetcher sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_page_fields_and_user_agent(server: LoopbackServer) -> None:
    with Fetcher(settings_for(server)) as fetcher:
        page = fetcher.fetch_page(f"http://{HOST}/story")
    assert page.url == page.final_url == f"http://{HOST}/story"
    assert (page.status_code, page.content_type, page.encoding) == (200, "text/html", "utf-8")
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.body == STORY and page.text == STORY.decode()
    assert not page.from_cache and page.elapsed >= 0
    request = server.requests[-1]
    assert request.path == "/story"
    assert request.headers["user-agent"] == DEFAULT_USER_AGENT
    assert request.headers["host"] == HOST
    assert "gzip" in request.headers["accept-encoding"]


def test_robots_disallow_is_honoured(server: LoopbackServer) -> None:
    robots = b"User-agent: *\nDisallow: /private\n"
    server.route("/robots.txt", Reply(body=robots, content_type="text/plain"))
    server.route("/private/story", Reply(body=STORY))
    with Fetcher(settings_for(server)) as fetcher:
        with pytest.raises(BlockedURL, match=r"robots\.txt"):
            fetcher.fetch_page(f"http://{HOST}/private/story")
        assert fetcher.fetch_page(f"http://{HOST}/story").body == STORY
        assert fetcher.allowed_by_robots(f"http://{HOST}/story")
    assert server.hits("/private/story") == 0
    assert server.hits("/robots.txt") == 1  # parsed once per origin


def test_robots_group_for_our_user_agent(server: LoopbackServer) -> None:
    robots = b"User-agent: provenance\nDisallow: /\n\nUser-agent: *\nAllow: /\n"
    server.route("/robots.txt", Reply(body=robots, content_type="text/plain"))
    with Fetcher(settings_for(server)) as fetcher, pytest.raises(BlockedURL):
        fetcher.fetch_page(f"http://{HOST}/story")
    assert server.hits("/story") == 0


def test_robots_ignored_when_settings_say_so(server: LoopbackServer) -> None:
    server.route("/robots.txt", Reply(body=b"User-agent: *\nDisallow: /\n"))
    with Fetcher(settings_for(server, obey_robots=False)) as fetcher:
        assert fetcher.fetch_page(f"http://{HOST}/story").body == STORY
    assert server.hits("/robots.txt") == 0


@pytest.mark.parametrize(("status", "allowed"), [(404, True), (403, True), (503, False)])
def test_robots_status(server: LoopbackServer, status: int, allowed: bool) -> None:
    server.route("/robots.txt", Reply(status=status))
    with Fetcher(settings_for(server), sleep=lambda s: None) as fetcher:
        assert fetcher.allowed_by_robots(f"http://{HOST}/story") is allowed


def test_robots_crawl_delay_lengthens_the_host_delay(server: LoopbackServer) -> None:
    robots = b"User-agent: *\nCrawl-delay: 7\n"
    server.route("/robots.txt", Reply(body=robots, content_type="text/plain"))
    clock = FakeClock()
    with Fetcher(settings_for(server), clock=clock, sleep=clock.sleep) as fetcher:
        fetcher.fetch_page(f"http://{HOST}/story")
    assert clock.sleeps == [7.0]  # between robots.txt and the page


def test_per_host_delay_with_injected_clock(server: LoopbackServer) -> None:
    settings = settings_for(server, per_host_delay=2.5, obey_robots=False)
    clock = FakeClock()
    with Fetcher(settings, clock=clock, sleep=clock.sleep) as fetcher:
        fetcher.fetch_page(f"http://{HOST}/story")
        fetcher.fetch_page(f"http://{OTHER}/story")  # another host: no wait
        assert clock.sleeps == []
        fetcher.fetch_page(f"http://{HOST}/story")
        assert clock.sleeps == [2.5]
        clock.now += 10  # long after: no wait
        fetcher.fetch_page(f"http://{HOST}/story")
    assert clock.sleeps == [2.5]
    assert server.hits("/story") == 4


def test_cache_hit_on_rerun_does_not_touch_the_server(
    server: LoopbackServer, tmp_path: Path
) -> None:
    server.route("/cached", Reply(body=STORY, headers={"Cache-Control": "max-age=3600"}))
    settings = settings_for(server, cache_dir=tmp_path)
    with Fetcher(settings) as fetcher:
        first = fetcher.fetch_page(f"http://{HOST}/cached")
    hits = server.hits()
    with Fetcher(settings) as fetcher:  # a new run, same cache directory
        again = fetcher.fetch_page(f"http://{HOST}/cached")
    assert server.hits() == hits  # neither the page nor robots.txt was asked for
    assert (first.from_cache, again.from_cache) == (False, True)
    assert again.body == first.body and again.final_url == first.final_url


def test_stale_entry_is_revalidated_with_etag(server: LoopbackServer, tmp_path: Path) -> None:
    def answer(request: Request) -> Reply:
        if request.headers.get("if-none-match") == '"v1"':
            return Reply(status=304, headers={"ETag": '"v1"'}, content_type=None)
        return Reply(body=STORY, headers={"ETag": '"v1"', "Cache-Control": "no-cache"})

    server.route("/etag", answer)
    settings = settings_for(server, cache_dir=tmp_path, obey_robots=False)
    with Fetcher(settings) as fetcher:
        first = fetcher.fetch_page(f"http://{HOST}/etag")
        second = fetcher.fetch_page(f"http://{HOST}/etag")
    assert server.hits("/etag") == 2
    assert server.requests[-1].headers["if-none-match"] == '"v1"'
    assert (first.from_cache, second.from_cache) == (False, True)
    assert second.body == STORY and second.status_code == 200


def test_no_store_is_not_cached(server: LoopbackServer, tmp_path: Path) -> None:
    server.route("/private", Reply(body=STORY, headers={"Cache-Control": "no-store, max-age=60"}))
    settings = settings_for(server, cache_dir=tmp_path, obey_robots=False)
    with Fetcher(settings) as fetcher:
        fetcher.fetch_page(f"http://{HOST}/private")
        assert not fetcher.fetch_page(f"http://{HOST}/private").from_cache
    assert server.hits("/private") == 2


def test_mock_transport_sees_pinned_address_host_and_sni() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, html="<p>hi</p>")

    settings = Settings(cache_dir=None, per_host_delay=0.0, obey_robots=False)
    transport = httpx.MockTransport(handler)
    with Fetcher(settings, transport=transport, resolver=lambda h: ["203.0.114.7"]) as fetcher:
        page = fetcher.fetch_page("https://news.example.net/a?b=1")
    assert page.text == "<p>hi</p>" and page.final_url == "https://news.example.net/a?b=1"
    assert str(seen[0].url) == "https://203.0.114.7/a?b=1"
    assert seen[0].headers["host"] == "news.example.net"
    assert seen[0].extensions["sni_hostname"] == "news.example.net"


def _httpx_exception_classes() -> list[type[Exception]]:
    return [
        obj
        for name in httpx.__all__
        if inspect.isclass(obj := getattr(httpx, name)) and issubclass(obj, Exception)
    ]


def test_every_httpx_exception_is_mapped() -> None:
    missing = [cls.__name__ for cls in _httpx_exception_classes() if cls not in ERROR_MAP]
    assert missing == []


def _instance(cls: type[Exception]) -> Exception:
    request = httpx.Request("GET", "https://example.com/")
    if cls is httpx.HTTPStatusError:
        response = httpx.Response(418, request=request)
        return httpx.HTTPStatusError("teapot", request=request, response=response)
    for args in (("boom",), ()):
        try:
            return cls(*args)
        except TypeError:
            continue
    raise AssertionError(cls)


@pytest.mark.parametrize("cls", _httpx_exception_classes(), ids=lambda c: c.__name__)
def test_httpx_exception_raised_by_transport_becomes_ours(cls: type[Exception]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise _instance(cls)

    settings = Settings(cache_dir=None, per_host_delay=0.0, obey_robots=False)
    fetcher = Fetcher(
        settings,
        transport=httpx.MockTransport(handler),
        resolver=lambda h: ["93.184.216.34"],
        sleep=lambda s: None,
    )
    with fetcher, pytest.raises(FetchError) as info:
        fetcher.fetch_page("https://news.example.net/")
    expected, reason = ERROR_MAP[cls]
    assert type(info.value) is expected
    assert info.value.reason.startswith("HTTP 418" if cls is httpx.HTTPStatusError else reason)
    assert isinstance(info.value.__cause__, cls)


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (httpx.ReadTimeout("slow"), FetchTimeout),
        (httpx.ConnectError("refused"), FetchError),
        (httpx.UnsupportedProtocol("ftp"), BlockedURL),
        (httpx.InvalidURL("bad"), BlockedURL),
    ],
)
def test_map_httpx_error(exc: Exception, expected: type[FetchError]) -> None:
    mapped = map_httpx_error("https://x.example/", exc)
    assert type(mapped) is expected and mapped.url == "https://x.example/"


def test_status_error_keeps_its_code() -> None:
    request = httpx.Request("GET", "https://x.example/")
    exc = httpx.HTTPStatusError("gone", request=request, response=httpx.Response(410))
    mapped = map_httpx_error("https://x.example/", exc)
    assert isinstance(mapped, FetchStatusError) and mapped.status_code == 410


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        ("text/html; charset=ISO-8859-1", b"<p>x</p>", "cp1252"),  # as browsers do
        ("text/html; charset=iso-8859-15", b"<p>x</p>", "iso8859-15"),
        ('text/html; charset="utf-8"', b"<p>x</p>", "utf-8"),
        ("text/html", b'<meta charset="windows-1252"><p>x</p>', "cp1252"),
        (
            "text/html",
            b'<meta http-equiv="Content-Type" content="text/html; charset=koi8-r">',
            "koi8-r",
        ),
        ("text/xml", b'<?xml version="1.0" encoding="iso-8859-2"?><rss/>', "iso8859-2"),
        ("text/html; charset=bogus", b"<meta charset=nonsense><p>x</p>", "utf-8"),
        ("text/html; charset=base64", b"<p>x</p>", "utf-8"),
        ("text/html; charset=latin-1", b"\xef\xbb\xbf<p>x</p>", "utf-8-sig"),
        ("", b"\xff\xfe<\x00p\x00>\x00", "utf-16"),
    ],
)
def test_detect_encoding(content_type: str, body: bytes, expected: str) -> None:
    assert detect_encoding(content_type, body) == expected


@pytest.mark.parametrize(
    ("mtype", "accepted"),
    [
        ("text/html", True),
        ("application/xhtml+xml", True),
        ("application/rss+xml", True),
        ("application/ld+json", True),
        ("application/json", True),
        ("text/plain", True),
        ("", True),
        ("application/pdf", False),
        ("image/jpeg", False),
        ("application/octet-stream", False),
        ("video/mp4", False),
    ],
)
def test_document_types(mtype: str, accepted: bool) -> None:
    assert is_document_type(mtype) is accepted


def test_page_text_never_raises() -> None:
    page = Page("u", "u", 200, {}, "text/html", "no-such-codec", b"caf\xe9")
    assert page.text == "caf\ufffd"

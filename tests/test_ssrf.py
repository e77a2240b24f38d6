"""The SSRF guard: nothing non-global is contacted unless the user typed it."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from servers import LoopbackServer, Reply, redirect

from provenance.errors import BlockedURL, FetchError
from provenance.fetch import Fetcher, blocked_reason, parse_ip_literal
from provenance.fetch.cache import CACHE_FILE, HttpCache
from provenance.settings import Settings

SECRET = b"<p>internal secret</p>"
PUBLIC_IP = "93.184.216.34"


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as srv:
        srv.route("/secret", Reply(body=SECRET))
        yield srv


def defaults(**changes: object) -> Settings:
    """Default settings, minus the on-disk cache (tests must not write to ~/.cache) and
    the per-host delay (which would make a test sleep)."""
    values: dict[str, object] = {"cache_dir": None, "per_host_delay": 0.0, **changes}
    return Settings(**values)  # type: ignore[arg-type]


def internal_urls(port: int) -> list[str]:
    hosts = [
        "127.0.0.1",
        "localhost",
        "0.0.0.0",
        "10.0.0.1",
        "172.16.0.1",
        "192.168.0.1",
        "169.254.169.254",
        "100.64.0.1",
        "[::1]",
        "[::ffff:127.0.0.1]",
        "[2002:7f00:1::]",
        "[64:ff9b::7f00:1]",
        "2130706433",
        "0177.0.0.1",
        "0x7f.1",
        "127.1",
    ]
    return [f"http://{host}:{port}/secret" for host in hosts]


INTERNAL_COUNT = len(internal_urls(1))


@pytest.mark.parametrize("index", range(INTERNAL_COUNT))
def test_internal_address_is_not_contacted(server: LoopbackServer, index: int) -> None:
    url = internal_urls(server.port)[index]
    with Fetcher(defaults()) as fetcher, pytest.raises(BlockedURL) as info:
        fetcher.fetch_page(url)
    assert "non-global" in info.value.reason, url
    assert server.hits() == 0, url


@pytest.mark.parametrize(
    "resolved",
    [["127.0.0.1"], ["::1"], [PUBLIC_IP, "127.0.0.1"], ["10.1.2.3"], ["fe80::1%eth0"]],
)
def test_hostname_resolving_to_internal_is_refused(
    server: LoopbackServer, resolved: list[str]
) -> None:
    fetcher = Fetcher(defaults(), resolver=lambda host: resolved)
    with fetcher, pytest.raises(BlockedURL, match="non-global"):
        fetcher.fetch_page(f"http://intranet.example:{server.port}/secret")
    assert server.hits() == 0


@pytest.mark.parametrize("index", range(INTERNAL_COUNT))
def test_public_url_redirecting_inside_is_refused(server: LoopbackServer, index: int) -> None:
    server.route("/go", redirect(internal_urls(server.port)[index]))
    settings = defaults(resolve_overrides=(("news.example.com", server.host),))
    with Fetcher(settings) as fetcher, pytest.raises(BlockedURL):
        fetcher.fetch_page("http://news.example.com/go")
    assert server.hits("/go") == 1  # the public-looking hop was fetched ...
    assert server.hits("/secret") == 0  # ... the internal one never


def test_override_allows_only_its_own_host(server: LoopbackServer) -> None:
    server.route("/story", Reply(body=b"<p>story</p>"))
    settings = defaults(resolve_overrides=(("news.example.com", server.host),))
    with Fetcher(settings, resolver=lambda host: ["127.0.0.1"]) as fetcher:
        assert fetcher.fetch_page("http://news.example.com/story").body == b"<p>story</p>"
        with pytest.raises(BlockedURL):
            fetcher.fetch_page(server.url("/secret"))
        with pytest.raises(BlockedURL):
            fetcher.fetch_page(f"http://other.example.com:{server.port}/secret")
    assert server.hits("/secret") == 0


def test_dns_rebinding_goes_to_the_checked_address(server: LoopbackServer) -> None:
    """The resolver answers public, then loopback: the request goes to the public IP
    checked first (never re-resolved at connect time); the next fetch is refused."""
    answers = iter([[PUBLIC_IP], ["127.0.0.1"], ["127.0.0.1"]])
    seen: list[httpx.Request] = []

    def transport(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, html="<p>public</p>")

    settings = defaults(obey_robots=False)
    resolver = lambda host: next(answers)  # noqa: E731
    with Fetcher(settings, transport=httpx.MockTransport(transport), resolver=resolver) as f:
        page = f.fetch_page(f"https://rebind.example:{server.port}/secret")
        with pytest.raises(BlockedURL):
            f.fetch_page(f"https://rebind.example:{server.port}/secret")
    assert page.text == "<p>public</p>"
    assert [r.url.host for r in seen] == [PUBLIC_IP]
    assert seen[0].headers["host"] == f"rebind.example:{server.port}"
    assert seen[0].extensions["sni_hostname"] == "rebind.example"
    assert server.hits() == 0


def test_connection_is_pinned_on_real_sockets(server: LoopbackServer) -> None:
    """A name the OS cannot resolve still reaches the address the guard checked, so the
    socket never asks DNS again."""
    server.route("/page", Reply(body=b"<p>pinned</p>"))
    settings = defaults(obey_robots=False)
    with Fetcher(settings, resolver=lambda host: ["127.0.0.1"]) as fetcher:
        page = fetcher.fetch_page(f"http://pinned.invalid:{server.port}/page", trusted=True)
    assert page.body == b"<p>pinned</p>"
    assert server.requests[-1].headers["host"] == f"pinned.invalid:{server.port}"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/x",
        "gopher://example.com/x",
        "data:text/html,<p>hi</p>",
        "javascript:alert(1)",
        "//example.com/no-scheme",
        "http:///no-host",
    ],
)
def test_other_schemes_are_refused(url: str) -> None:
    with Fetcher(defaults()) as fetcher, pytest.raises(BlockedURL):
        fetcher.fetch_page(url)


def test_trusted_loopback_url_works(server: LoopbackServer) -> None:
    with Fetcher(defaults()) as fetcher:
        page = fetcher.fetch_page(server.url("/secret"), trusted=True)
    assert page.body == SECRET
    assert server.hits("/secret") == 1


def test_trust_covers_the_first_hop_only(server: LoopbackServer) -> None:
    server.route("/typed", redirect(server.url("/secret")))
    with Fetcher(defaults()) as fetcher, pytest.raises(BlockedURL):
        fetcher.fetch_page(server.url("/typed"), trusted=True)
    assert server.hits("/typed") == 1
    assert server.hits("/secret") == 0


def test_unresolvable_name_is_a_fetch_error() -> None:
    def fail(host: str) -> list[str]:
        raise OSError("no such host")

    with Fetcher(defaults(), resolver=fail) as fetcher, pytest.raises(FetchError) as info:
        fetcher.fetch_page("http://nowhere.example/")
    assert type(info.value) is FetchError
    assert "cannot resolve" in info.value.reason


@pytest.mark.parametrize(
    ("address", "blocked"),
    [
        ("8.8.8.8", False),
        ("2606:4700::1111", False),
        ("64:ff9b::808:808", False),  # NAT64 of 8.8.8.8
        ("2002:808:808::1", False),  # 6to4 of 8.8.8.8
        ("64:ff9b::a00:1", True),  # NAT64 of 10.0.0.1
        ("64:ff9b:1::1", True),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", True),  # Teredo
        ("::ffff:10.0.0.1", True),
        ("::127.0.0.1", True),
        ("224.0.0.1", True),
        ("ff0e::1", True),
        ("fe80::1", True),
        ("fc00::1", True),
        ("100.127.255.255", True),
        ("0.0.0.0", True),
        ("255.255.255.255", True),
        ("192.0.2.1", True),
        ("2001:db8::1", True),
    ],
)
def test_blocked_reason(address: str, blocked: bool) -> None:
    assert (blocked_reason(ipaddress.ip_address(address)) is not None) is blocked


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("2130706433", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("[::1]", "::1"),
        ("example.com", None),
        ("deadbeef", None),
        ("1.2.3.4.5", None),
    ],
)
def test_parse_ip_literal_reads_ipv4_like_the_os(host: str, expected: str | None) -> None:
    parsed = parse_ip_literal(host)
    assert (str(parsed) if parsed else None) == expected


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("[::1]", "loopback"),
        ("[::]", "unspecified"),
        ("[::ffff:0:7f00:1]", "IPv4-translated"),
        ("[::ffff:0:808:808]", "IPv4-translated"),
        ("[fec0::1]", "site-local"),
        ("[::7f00:1]", "IPv4-compatible"),
    ],
)
def test_ipv6_forms_are_refused_with_their_name(
    server: LoopbackServer, host: str, reason: str
) -> None:
    with Fetcher(defaults()) as fetcher, pytest.raises(BlockedURL) as info:
        fetcher.fetch_page(f"http://{host}:{server.port}/secret")
    assert reason in info.value.reason
    assert server.hits() == 0


def test_a_cached_internal_page_is_not_served_to_content(
    server: LoopbackServer, tmp_path: Path
) -> None:
    """The user fetched an internal URL (cached, fresh); a URL found in content naming the
    same address is refused by the guard before the cache is read."""
    server.route("/cached", Reply(body=SECRET, headers={"Cache-Control": "max-age=3600"}))
    settings = defaults(cache_dir=tmp_path, obey_robots=False)
    with Fetcher(settings) as fetcher:
        assert fetcher.fetch_page(server.url("/cached"), trusted=True).body == SECRET
        with pytest.raises(BlockedURL, match="non-global"):
            fetcher.fetch_page(server.url("/cached"))
        assert fetcher.fetch_page(server.url("/cached"), trusted=True).from_cache
    assert server.hits("/cached") == 1


def test_cache_entries_remember_the_users_word(server: LoopbackServer, tmp_path: Path) -> None:
    """An entry fetched on the user's word is never served to an untrusted request, even
    for a name the guard lets through now."""
    server.route("/page", Reply(body=b"<p>page</p>", headers={"Cache-Control": "max-age=3600"}))
    overrides = (("news.example", server.host),)
    settings = defaults(cache_dir=tmp_path, obey_robots=False, resolve_overrides=overrides)
    url = f"http://news.example:{server.port}/page"
    with Fetcher(settings) as fetcher:
        fetcher.fetch_page(url, trusted=True)
        again = fetcher.fetch_page(url)
        assert not again.from_cache
        assert fetcher.fetch_page(url).from_cache  # its own, untrusted, entry now
    assert server.hits("/page") == 2


def test_the_cache_keeps_to_its_size_cap(server: LoopbackServer, tmp_path: Path) -> None:
    big = b"<p>" + b"x" * 200_000 + b"</p>"
    server.route("/never", Reply(body=big))  # no freshness, no validator: never reusable
    server.route("/fresh", Reply(body=big, headers={"Cache-Control": "max-age=3600"}))
    settings = defaults(cache_dir=tmp_path, obey_robots=False, max_cache_bytes=1_000_000)
    with Fetcher(settings, resolver=lambda host: ["127.0.0.1"]) as fetcher:
        for n in range(25):
            fetcher.fetch_page(server.url(f"/never?{n}"), trusted=True)
        assert HttpCache(tmp_path).size() == 0
        for n in range(25):
            fetcher.fetch_page(server.url(f"/fresh?{n}"), trusted=True)
    cache = HttpCache(tmp_path)
    assert 0 < cache.size() <= 1_000_000
    assert (tmp_path / CACHE_FILE).stat().st_size < 2_000_000
    cache.close()

"""Servers that misbehave: every fault ends as a specific FetchError (or a Page), fast."""

from __future__ import annotations

import gzip
import socket
import time
import zlib
from collections.abc import Iterator

import pytest
from servers import LoopbackServer, Reply, endless, redirect

from provenance.errors import (
    BlockedURL,
    FetchError,
    FetchStatusError,
    FetchTimeout,
    FetchTooLarge,
)
from provenance.fetch import Fetcher, Page
from provenance.settings import Settings

HOST = "news.example.com"
CAP = 1_000_000
BOUND = 10.0  # generous: each fault must end well within this many seconds


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as srv:
        srv.route("/secret", Reply(body=b"<p>internal</p>"))
        yield srv


def settings_for(server: LoopbackServer, **changes: object) -> Settings:
    values: dict[str, object] = {
        "cache_dir": None,
        "per_host_delay": 0.0,
        "obey_robots": False,
        "connect_timeout": 1.0,
        "read_timeout": 0.5,
        "total_timeout": 5.0,
        "max_body_bytes": CAP,
        "resolve_overrides": ((HOST, server.host),),
    }
    values.update(changes)
    return Settings(**values)  # type: ignore[arg-type]


class Run:
    """Fetch through a Fetcher whose sleeps are recorded, not slept."""

    def __init__(self, settings: Settings) -> None:
        self.waits: list[float] = []
        self.settings = settings
        self.elapsed = 0.0

    def fetch(self, url: str) -> Page:
        started = time.monotonic()
        try:
            with Fetcher(self.settings, sleep=self.waits.append) as fetcher:
                return fetcher.fetch_page(url)
        finally:
            self.elapsed = time.monotonic() - started


def fails(run: Run, url: str, kind: type[FetchError], reason: str) -> FetchError:
    """Fetch `url`, expecting exactly `kind` with `reason` in its reason, in bounded time."""
    with pytest.raises(FetchError) as info:
        run.fetch(url)
    assert type(info.value) is kind, info.value
    assert reason in info.value.reason, info.value.reason
    assert run.elapsed < BOUND
    return info.value


def url(path: str) -> str:
    return f"http://{HOST}{path}"


def test_refused_connection_is_retried_then_fails(server: LoopbackServer) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    run = Run(settings_for(server, resolve_overrides=((HOST, f"127.0.0.1:{port}"),)))
    fails(run, url("/"), FetchError, "connection failed")
    assert run.waits == [0.5, 1.0, 2.0]  # max_retries=3, exponential backoff


def test_reset_mid_body(server: LoopbackServer) -> None:
    server.route("/reset", Reply(body=b"<p>" * 1000, content_length=100_000, end="reset"))
    run = Run(settings_for(server))
    fails(run, url("/reset"), FetchError, "connection broken while reading")
    assert server.hits("/reset") == 4  # a broken connection is retried


def test_slow_drip_is_ended_by_the_total_deadline(server: LoopbackServer) -> None:
    server.route("/drip", Reply(body=endless(b"<"), delay=0.05))
    run = Run(settings_for(server, read_timeout=0.5, total_timeout=1.0))
    fails(run, url("/drip"), FetchTimeout, "total deadline of 1s exceeded")
    assert run.elapsed < 3.0


def test_silent_server_hits_the_read_timeout(server: LoopbackServer) -> None:
    def silent(request: object) -> Reply:
        server.stopping.wait(5)
        return Reply()

    server.route("/silent", silent)
    run = Run(settings_for(server, read_timeout=0.2, total_timeout=1.0, max_retries=0))
    fails(run, url("/silent"), FetchTimeout, "read timeout")


def test_endless_body_stops_at_the_cap(server: LoopbackServer) -> None:
    server.route("/endless", Reply(body=endless()))
    fails(Run(settings_for(server)), url("/endless"), FetchTooLarge, f"larger than {CAP}")


def test_declared_length_over_the_cap_is_refused_before_reading(server: LoopbackServer) -> None:
    server.route("/big", Reply(body=b"x" * 10, content_length=CAP + 1, end="close"))
    fails(Run(settings_for(server)), url("/big"), FetchTooLarge, f"larger than {CAP}")


def test_redirect_loop(server: LoopbackServer) -> None:
    server.route("/a", redirect("/b"))
    server.route("/b", redirect(url("/a")))
    fails(Run(settings_for(server)), url("/a"), FetchError, "redirect loop")
    assert server.hits("/a") == 1 and server.hits("/b") == 1


def test_twenty_chained_redirects_stop_at_the_limit(server: LoopbackServer) -> None:
    for i in range(20):
        server.route(f"/r{i}", redirect(f"/r{i + 1}", status=301))
    server.route("/r20", Reply(body=b"<p>end</p>"))
    fails(Run(settings_for(server)), url("/r0"), FetchError, "too many redirects (more than 5)")
    assert server.hits() == 6


def test_five_redirects_are_followed(server: LoopbackServer) -> None:
    for i in range(5):
        server.route(f"/r{i}", redirect(f"/r{i + 1}", status=307))
    server.route("/r5", Reply(body=b"<p>end</p>"))
    page = Run(settings_for(server)).fetch(url("/r0"))
    assert (page.final_url, page.body) == (url("/r5"), b"<p>end</p>")


@pytest.mark.parametrize("target", ["http://127.0.0.1:{port}/secret", "http://169.254.169.254/"])
def test_redirect_to_internal_address(server: LoopbackServer, target: str) -> None:
    server.route("/go", redirect(target.format(port=server.port)))
    fails(Run(settings_for(server)), url("/go"), BlockedURL, "non-global address")
    assert server.hits("/secret") == 0


def test_429_with_retry_after_then_200(server: LoopbackServer) -> None:
    server.route("/busy", Reply(status=429, headers={"Retry-After": "1"}), Reply(body=b"<p>ok</p>"))
    run = Run(settings_for(server))
    assert run.fetch(url("/busy")).body == b"<p>ok</p>"
    assert run.waits == [1.0]


def test_retry_after_beyond_the_deadline_gives_up_at_once(server: LoopbackServer) -> None:
    server.route("/later", Reply(status=429, headers={"Retry-After": "3600"}))
    run = Run(settings_for(server))
    error = fails(run, url("/later"), FetchStatusError, "HTTP 429")
    assert isinstance(error, FetchStatusError) and error.status_code == 429
    assert run.waits == [] and server.hits("/later") == 1


def test_503_then_200(server: LoopbackServer) -> None:
    server.route("/flaky", Reply(status=503), Reply(body=b"<p>ok</p>"))
    run = Run(settings_for(server))
    assert run.fetch(url("/flaky")).text == "<p>ok</p>"
    assert run.waits == [0.5]


def test_500_always_is_retried_as_the_policy_says(server: LoopbackServer) -> None:
    server.route("/down", Reply(status=500))
    run = Run(settings_for(server, max_retries=3))
    error = fails(run, url("/down"), FetchStatusError, "HTTP 500")
    assert isinstance(error, FetchStatusError) and error.status_code == 500
    assert server.hits("/down") == 4 and len(run.waits) == 3


def test_404_is_not_retried(server: LoopbackServer) -> None:
    fails(Run(settings_for(server)), url("/missing"), FetchStatusError, "HTTP 404")
    assert server.hits("/missing") == 1


@pytest.mark.parametrize(
    ("content_type", "body"),
    [("application/pdf", b"%PDF-1.7\n" + b"x" * 5000), ("image/png", b"\x89PNG\r\n\x1a\n")],
)
def test_non_document_content_type(server: LoopbackServer, content_type: str, body: bytes) -> None:
    server.route("/file", Reply(body=body, content_type=content_type))
    fails(
        Run(settings_for(server)),
        url("/file"),
        FetchError,
        f"unsupported content type {content_type}",
    )


def _bomb_reply(encoding: str, payload: bytes) -> Reply:
    return Reply(body=payload, headers={"Content-Encoding": encoding})


def test_gzip_bomb_stops_at_the_cap(server: LoopbackServer) -> None:
    bomb = gzip.compress(b"\0" * 50_000_000, compresslevel=9)
    assert len(bomb) < CAP  # the raw body is under the cap; only the inflated one is not
    server.route("/bomb", _bomb_reply("gzip", bomb))
    fails(Run(settings_for(server)), url("/bomb"), FetchTooLarge, "decompressed")


def test_brotli_bomb_stops_at_the_cap(server: LoopbackServer) -> None:
    brotli = pytest.importorskip("brotli")
    bomb = brotli.compress(b"\0" * 50_000_000, quality=5)
    assert len(bomb) < 1000
    server.route("/bomb", _bomb_reply("br", bomb))
    fails(Run(settings_for(server)), url("/bomb"), FetchTooLarge, "decompressed")


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_compressed_page_under_the_cap_is_decoded(server: LoopbackServer, encoding: str) -> None:
    text = b"<p>" + b"news " * 10_000 + b"</p>"
    if encoding == "br":
        payload = pytest.importorskip("brotli").compress(text)
    else:
        payload = gzip.compress(text) if encoding == "gzip" else zlib.compress(text)
    server.route("/z", _bomb_reply(encoding, payload))
    assert Run(settings_for(server)).fetch(url("/z")).body == text


def test_corrupt_gzip_body(server: LoopbackServer) -> None:
    server.route("/bad", _bomb_reply("gzip", b"\x1f\x8b\x08\x00garbage-not-deflate"))
    fails(Run(settings_for(server)), url("/bad"), FetchError, "corrupt compressed body")


def test_unknown_content_encoding(server: LoopbackServer) -> None:
    server.route("/zstd", _bomb_reply("zstd", b"\x28\xb5\x2f\xfd"))
    fails(Run(settings_for(server)), url("/zstd"), FetchError, "unsupported content encoding zstd")


@pytest.mark.parametrize("charset", ["utf-8", "no-such-charset", "base64", "utf-16"])
def test_wrong_charset_header_does_not_crash(server: LoopbackServer, charset: str) -> None:
    body = "<p>Café Zürich</p>".encode("latin-1")
    server.route("/cs", Reply(body=body, content_type=f"text/html; charset={charset}"))
    page = Run(settings_for(server)).fetch(url("/cs"))
    assert page.body == body
    assert "Caf" in page.text or charset == "utf-16"  # decodes, possibly with U+FFFD
    assert isinstance(page.text, str)


def test_truncated_chunked_body(server: LoopbackServer) -> None:
    server.route("/chunked", Reply(body=[b"<p>part one", b" part two"], chunked=True, end="close"))
    fails(Run(settings_for(server)), url("/chunked"), FetchError, "server broke the HTTP protocol")


def test_complete_chunked_body(server: LoopbackServer) -> None:
    server.route("/chunked", Reply(body=[b"<p>part one", b" part two</p>"], chunked=True))
    assert Run(settings_for(server)).fetch(url("/chunked")).body == b"<p>part one part two</p>"


def test_oversized_headers(server: LoopbackServer) -> None:
    server.route("/headers", Reply(body=b"<p>x</p>", headers={"X-Filler": "a" * 200_000}))
    fails(Run(settings_for(server)), url("/headers"), FetchError, "server broke the HTTP protocol")


def test_garbage_instead_of_http(server: LoopbackServer) -> None:
    server.route("/garbage", Reply(raw=b"SSH-2.0-OpenSSH_9.6\r\n\r\n"))
    fails(Run(settings_for(server)), url("/garbage"), FetchError, "server broke the HTTP protocol")


def _header_drip() -> Iterator[bytes]:
    yield b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
    while True:
        yield b"X"  # one byte of a header line that never ends


def test_header_drip_cannot_outlast_the_total_deadline(server: LoopbackServer) -> None:
    """Each byte arrives well within the read timeout; only a total deadline at the socket
    ends it (h11 alone would wait for as long as the server drips)."""
    server.route("/headers", Reply(raw=_header_drip(), delay=0.1))
    run = Run(settings_for(server, read_timeout=0.5, total_timeout=1.0, max_retries=0))
    fails(run, url("/headers"), FetchTimeout, "total deadline of 1s exceeded")


def test_robots_is_obeyed_on_every_redirect_hop(server: LoopbackServer) -> None:
    robots = b"User-agent: *\nDisallow: /private\n"
    server.route("/robots.txt", Reply(body=robots, content_type="text/plain"))
    server.route("/start", redirect(f"http://{HOST}/private/page"))
    server.route("/private/page", Reply(body=b"<p>private</p>"))
    run = Run(settings_for(server, obey_robots=True))
    fails(run, url("/start"), BlockedURL, "disallowed by robots.txt")
    assert server.hits("/private/page") == 0

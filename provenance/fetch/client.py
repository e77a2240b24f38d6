"""`Fetcher`: the HTTP client of `provenance`, and the one boundary where httpx errors
become `FetchError`s."""

from __future__ import annotations

import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any

import httpx
from protego import Protego

from ..errors import BlockedURL, FetchError, FetchStatusError, FetchTimeout, FetchTooLarge
from ..settings import Settings
from .body import (
    ACCEPT_ENCODING,
    BodyDecodeError,
    BodyTooLarge,
    BoundedBody,
    detect_encoding,
    is_document_type,
    media_type,
)
from .cache import CachedResponse, HttpCache
from .deadline import DeadlineBackend, deadline
from .guard import AddressGuard, Resolver, Target, blocked_reason, parse_ip_literal
from .page import Page

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
DEFAULT_BACKOFF = 0.5  # seconds before the first retry; doubled for each further one
MAX_RETRY_AFTER = 60.0  # a longer Retry-After is cut to this (and then to the deadline)
MAX_CRAWL_DELAY = 30.0
ROBOTS_MAX_BYTES = 512_000  # RFC 9309 asks crawlers to parse at least 500 KiB
ROBOTS_LIFETIME = 86_400.0  # RFC 9309: do not use a cached robots.txt for more than 24 h
_DISALLOW_ALL = "User-agent: *\nDisallow: /"
DEFAULT_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

# Exact httpx class -> (our class, reason). A test checks that every exception class
# httpx exports is listed, so a new httpx error cannot slip through unmapped.
ERROR_MAP: Mapping[type[Exception], tuple[type[FetchError], str]] = {
    httpx.HTTPError: (FetchError, "HTTP error"),
    httpx.RequestError: (FetchError, "request failed"),
    httpx.TransportError: (FetchError, "transport error"),
    httpx.TimeoutException: (FetchTimeout, "timed out"),
    httpx.ConnectTimeout: (FetchTimeout, "connect timeout"),
    httpx.ReadTimeout: (FetchTimeout, "read timeout"),
    httpx.WriteTimeout: (FetchTimeout, "write timeout"),
    httpx.PoolTimeout: (FetchTimeout, "timed out waiting for a free connection"),
    httpx.NetworkError: (FetchError, "network error"),
    httpx.ConnectError: (FetchError, "connection failed"),
    httpx.ReadError: (FetchError, "connection broken while reading"),
    httpx.WriteError: (FetchError, "connection broken while writing"),
    httpx.CloseError: (FetchError, "connection broken while closing"),
    httpx.ProtocolError: (FetchError, "HTTP protocol error"),
    httpx.LocalProtocolError: (FetchError, "invalid request"),
    httpx.RemoteProtocolError: (FetchError, "server broke the HTTP protocol"),
    httpx.ProxyError: (FetchError, "proxy error"),
    httpx.UnsupportedProtocol: (BlockedURL, "unsupported URL scheme"),
    httpx.DecodingError: (FetchError, "cannot decode the body"),
    httpx.TooManyRedirects: (FetchError, "too many redirects"),
    httpx.HTTPStatusError: (FetchStatusError, "error status"),
    httpx.InvalidURL: (BlockedURL, "invalid URL"),
    httpx.CookieConflict: (FetchError, "cookie conflict"),
    httpx.StreamError: (FetchError, "stream misuse"),
    httpx.StreamConsumed: (FetchError, "stream already consumed"),
    httpx.StreamClosed: (FetchError, "stream closed"),
    httpx.ResponseNotRead: (FetchError, "response not read"),
    httpx.RequestNotRead: (FetchError, "request not read"),
}
_HTTPX_ERRORS = (httpx.HTTPError, httpx.InvalidURL, httpx.CookieConflict, httpx.StreamError)
_RETRYABLE_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.ReadError, httpx.WriteError)


def map_httpx_error(url: str, exc: Exception) -> FetchError:
    """Return the FetchError (subclass) standing for httpx exception `exc` at `url`."""
    if isinstance(exc, httpx.HTTPStatusError):
        return FetchStatusError(url, exc.response.status_code)
    ours, reason = next(
        (ERROR_MAP[cls] for cls in type(exc).__mro__ if cls in ERROR_MAP),
        (FetchError, "unexpected error"),
    )
    detail = str(exc)
    return ours(url, f"{reason}: {detail}" if detail else reason)


class _Retry(Exception):
    """An attempt failed in a way worth retrying; `error` is raised when retries run out."""

    def __init__(self, error: FetchError, wait: float | None = None) -> None:
        super().__init__(error.reason)
        self.error = error
        self.wait = wait


@contextmanager
def _mapped_errors(url: str) -> Iterator[None]:
    """The boundary: httpx exceptions become FetchErrors (or a _Retry carrying one)."""
    try:
        yield
    except _RETRYABLE_ERRORS as exc:
        error = map_httpx_error(url, exc)
        error.__cause__ = exc
        raise _Retry(error) from exc
    except _HTTPX_ERRORS as exc:
        raise map_httpx_error(url, exc) from exc


@dataclass(frozen=True)
class _Want:
    """What a caller accepts: a body cap, and whether only document types may pass."""

    cap: int
    documents_only: bool


@dataclass(frozen=True)
class _Hop:
    """One HTTP response: redirects and 304s carry no body."""

    url: str
    status_code: int
    headers: Mapping[str, str]
    body: bytes = b""


class _HostGate:
    """At most one request in flight per host, and `delay` seconds between requests."""

    def __init__(
        self, delay: float, clock: Callable[[], float], sleep: Callable[[float], None]
    ) -> None:
        self._delay = delay
        self._clock = clock
        self._sleep = sleep
        self._locks: dict[str, threading.Lock] = {}
        self._last: dict[str, float] = {}
        self._delays: dict[str, float] = {}
        self._guard = threading.Lock()

    def set_delay(self, host: str, delay: float) -> None:
        """Use `delay` (if longer than the default) for `host`, e.g. a robots Crawl-delay."""
        self._delays[host] = max(self._delay, delay)

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        """Wait for `host`'s turn; the request runs inside the `with` block."""
        with self._guard:
            lock = self._locks.setdefault(host, threading.Lock())
        with lock:
            last = self._last.get(host)
            if last is not None:
                wait = last + self._delays.get(host, self._delay) - self._clock()
                if wait > 0:
                    self._sleep(wait)
            try:
                yield
            finally:
                self._last[host] = self._clock()


def _default_transport() -> httpx.HTTPTransport:
    # No keep-alive: connections are keyed by the pinned IP, and reusing one for another
    # hostname on the same IP would skip that hostname's TLS certificate check (SNI).
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=0)
    transport = httpx.HTTPTransport(limits=limits, trust_env=False, retries=0)
    # httpx offers no public way to hand httpcore a network backend; the deadline one
    # bounds every socket operation, so a server dripping bytes cannot outlast a fetch.
    pool = transport._pool
    pool._network_backend = DeadlineBackend(pool._network_backend)
    return transport


def _lower_headers(response: httpx.Response) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in response.headers.multi_items():
        key = name.lower()
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out


def _retry_after(headers: Mapping[str, str], now: float) -> float | None:
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - now
        except (TypeError, ValueError, IndexError):
            return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


class Fetcher:
    """Fetches pages safely; see the package docstring for the guarantees.

    `transport` replaces the network (tests pass `httpx.MockTransport`); `resolver`
    replaces getaddrinfo; `clock` (monotonic seconds) and `sleep` drive the per-host
    delay, the backoff and the deadline. Use as a context manager, or call `close()`.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.BaseTransport | None = None,
        resolver: Resolver | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._settings = settings
        self._guard = AddressGuard(settings, resolver)
        self._clock = clock
        self._sleep = sleep
        self._gate = _HostGate(settings.per_host_delay, clock, sleep)
        self._robots: dict[str, Any] = {}
        self._cache = (
            HttpCache(settings.cache_dir, max_bytes=settings.max_cache_bytes)
            if settings.cache_dir is not None
            else None
        )
        self._headers = {
            "User-Agent": settings.user_agent,
            "Accept": DEFAULT_ACCEPT,
            "Accept-Encoding": ACCEPT_ENCODING,
        }
        # The transport is driven directly, not through httpx.Client: no cookies, no
        # auth, no proxies from the environment, no parsing of Location behind our back.
        self._transport = transport or _default_transport()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool and the cache."""
        self._transport.close()
        if self._cache is not None:
            self._cache.close()

    def fetch_page(self, url: str, *, trusted: bool = False) -> Page:
        """Fetch the document at `url` and return it as a Page.

        `trusted=True` (a URL the user typed) lets the FIRST hop reach a non-global
        address; redirect hops are always checked strictly. A fresh cached copy is
        returned without contacting the server.

        Raises BlockedURL (scheme, non-global address, robots.txt, invalid URL),
        FetchTimeout (connect/read timeout, total deadline), FetchStatusError (error
        status after retries), FetchTooLarge (decompressed body over the cap) and
        FetchError for everything else (refused connection, redirect loop, too many
        redirects, unsupported content type, broken or corrupt body). `.url` of the
        error is the hop that failed; when robots.txt cannot be read it is `url` itself,
        with the cause in `.reason`.
        """
        started = self._clock()
        parsed = self._parse(url)
        cached = self._cached(url, trusted=trusted)
        if cached is not None:  # the guard before the cache: no way around it to a cached page
            self._guard.check(url, parsed.host, _port(parsed), trusted=trusted)
        if cached is not None and self._cache is not None and cached.is_fresh(self._cache.now()):
            return self._page(url, cached, from_cache=True, started=started)
        self._obey_robots(url, trusted=trusted)
        deadline = self._clock() + self._settings.total_timeout
        want = _Want(self._settings.max_body_bytes, documents_only=True)
        hop = self._follow(
            url, trusted=trusted, deadline=deadline, want=want, cached=cached, robots=True
        )
        entry, from_cache = self._store(url, hop, cached, trusted=trusted)
        return self._page(url, entry, from_cache=from_cache, started=started)

    def _obey_robots(self, url: str, *, trusted: bool) -> None:
        """Raise BlockedURL when robots.txt (if obeyed) disallows `url`."""
        if self._settings.obey_robots and not self._robots_allow(url, trusted=trusted):
            raise BlockedURL(url, f"disallowed by robots.txt for {self._settings.user_agent!r}")

    def _robots_allow(self, url: str, *, trusted: bool) -> bool:
        """`allowed_by_robots`, with an unreadable robots.txt reported against `url` itself
        (the page asked for, such as the URL a user typed), its cause kept in the reason."""
        try:
            return self.allowed_by_robots(url, trusted=trusted)
        except FetchError as exc:
            if exc.url == url:
                raise
            kind = FetchError if isinstance(exc, FetchStatusError) else type(exc)
            raise kind(url, f"its robots.txt could not be read ({exc.reason})") from exc

    def allowed_by_robots(self, url: str, *, trusted: bool = False) -> bool:
        """Return whether robots.txt of `url`'s origin lets our User-Agent fetch `url`.

        Raises what `fetch_robots` raises.
        """
        robots = self.fetch_robots(url, trusted=trusted)
        return bool(robots.can_fetch(url, self._settings.user_agent))

    def fetch_robots(self, url: str, *, trusted: bool = False) -> Any:
        """Return the parsed robots.txt (a `protego.Protego`) of `url`'s origin.

        Cached per origin for the life of the Fetcher (and in the HTTP cache for at most
        24 h). Per RFC 9309: a 4xx answer allows everything, a 5xx answer (after retries)
        disallows everything. An unreachable server (refused, timeout, DNS failure)
        raises that FetchError, so nothing is fetched and the real cause is reported;
        BlockedURL for a bad or refused URL.
        """
        parsed = self._parse(url)
        origin = f"{parsed.scheme}://{parsed.netloc.decode('ascii')}"
        if origin not in self._robots:
            robots = self._load_robots(f"{origin}/robots.txt", trusted=trusted)
            delay = robots.crawl_delay(self._settings.user_agent)
            if delay:
                self._gate.set_delay(parsed.host, min(float(delay), MAX_CRAWL_DELAY))
            self._robots[origin] = robots
        return self._robots[origin]

    # -- robots ----------------------------------------------------------------------

    def _load_robots(self, robots_url: str, *, trusted: bool) -> Any:
        cached = self._cached(robots_url, trusted=trusted)
        now = self._cache.now() if self._cache is not None else 0.0
        if cached is not None and cached.is_fresh(now, ROBOTS_LIFETIME):
            return Protego.parse(cached.body.decode("utf-8", errors="replace"))
        deadline = self._clock() + self._settings.total_timeout
        want = _Want(ROBOTS_MAX_BYTES, documents_only=False)
        try:
            hop = self._follow(
                robots_url, trusted=trusted, deadline=deadline, want=want, cached=cached
            )
        except FetchStatusError as exc:
            return Protego.parse("" if 400 <= exc.status_code < 500 else _DISALLOW_ALL)
        except BlockedURL:
            return Protego.parse("")  # redirected somewhere refused: the page is guarded anyway
        entry, _ = self._store(robots_url, hop, cached, trusted=trusted, lifetime=ROBOTS_LIFETIME)
        return Protego.parse(entry.body.decode("utf-8", errors="replace"))

    # -- cache -----------------------------------------------------------------------

    def _cached(self, url: str, *, trusted: bool) -> CachedResponse | None:
        """The cache entry of `url`, unless it was fetched on the user's word and this
        request is not: such an entry may hold what only the user could reach."""
        entry = self._cache.get(url) if self._cache is not None else None
        if entry is not None and entry.trusted and not trusted:
            return None
        return entry

    def _store(
        self,
        url: str,
        hop: _Hop,
        cached: CachedResponse | None,
        *,
        trusted: bool,
        lifetime: float = 0.0,
    ) -> tuple[CachedResponse, bool]:
        now = self._cache.now() if self._cache is not None else time.time()
        if hop.status_code == 304 and cached is not None:
            entry, from_cache = cached.refreshed(hop.headers, now), True
        else:
            entry = CachedResponse(
                hop.url, hop.status_code, hop.headers, hop.body, now, trusted=trusted
            )
            from_cache = False
        if self._cache is not None and entry.status_code == 200:
            self._cache.put(url, entry, default_lifetime=lifetime)
        return entry, from_cache

    def _page(self, url: str, entry: CachedResponse, *, from_cache: bool, started: float) -> Page:
        content_type = entry.headers.get("content-type", "")
        return Page(
            url=url,
            final_url=entry.final_url,
            status_code=entry.status_code,
            headers=dict(entry.headers),
            content_type=media_type(content_type),
            encoding=detect_encoding(content_type, entry.body),
            body=entry.body,
            from_cache=from_cache,
            elapsed=self._clock() - started,
        )

    # -- redirects and retries -------------------------------------------------------

    def _follow(
        self,
        url: str,
        *,
        trusted: bool,
        deadline: float,
        want: _Want,
        cached: CachedResponse | None,
        robots: bool = False,
    ) -> _Hop:
        """Follow redirects by hand, checking every hop (with `robots`, against its
        robots.txt too); return the last response."""
        current, seen = url, {url}
        for index in range(self._settings.max_redirects + 1):
            conditional = cached.validators() if cached and current == cached.final_url else {}
            first = trusted and index == 0
            hop = self._with_retries(current, first, deadline, want, conditional)
            location = hop.headers.get("location")
            if hop.status_code not in REDIRECT_STATUSES:
                if hop.status_code == 304 and not conditional:
                    raise FetchStatusError(current, 304)
                return hop
            if not location:
                raise FetchError(current, f"HTTP {hop.status_code} redirect without Location")
            target = self._join(current, location)
            if target in seen:
                raise FetchError(target, f"redirect loop: {current} -> {target}")
            seen.add(target)
            if robots:
                self._obey_robots(target, trusted=False)
            current = target
        raise FetchError(current, f"too many redirects (more than {self._settings.max_redirects})")

    def _with_retries(
        self, url: str, trusted: bool, deadline: float, want: _Want, extra: Mapping[str, str]
    ) -> _Hop:
        """Run one hop, retrying 408/429/5xx and connection errors with backoff."""
        attempt = 0
        while True:
            try:
                return self._attempt(url, trusted, deadline, want, extra)
            except _Retry as retry:
                wait = retry.wait if retry.wait is not None else DEFAULT_BACKOFF * 2**attempt
                if attempt >= self._settings.max_retries or self._clock() + wait >= deadline:
                    raise retry.error from retry.error.__cause__
                self._sleep(wait)
                attempt += 1

    # -- one request -----------------------------------------------------------------

    def _attempt(
        self, url: str, trusted: bool, deadline: float, want: _Want, extra: Mapping[str, str]
    ) -> _Hop:
        parsed = self._parse(url)
        target = self._guard.check(url, parsed.host, _port(parsed), trusted=trusted)
        request = self._build(url, parsed, target, deadline, extra)
        try:
            with (
                self._gate.slot(target.host),
                _mapped_errors(url),
                _within(deadline - self._clock()),
            ):
                response = self._transport.handle_request(request)
                try:
                    return self._read(url, response, deadline, want)
                finally:
                    response.close()
        except FetchTimeout as exc:
            if self._clock() < deadline:
                raise
            limit = self._settings.total_timeout
            raise FetchTimeout(url, f"total deadline of {limit:g}s exceeded") from exc

    def _build(
        self,
        url: str,
        parsed: httpx.URL,
        target: Target,
        deadline: float,
        extra: Mapping[str, str],
    ) -> httpx.Request:
        """The request goes to the checked address; Host and SNI keep the hostname."""
        remaining = deadline - self._clock()
        if remaining <= 0:
            raise FetchTimeout(url, f"total deadline of {self._settings.total_timeout:g}s exceeded")
        connect = min(self._settings.connect_timeout, remaining)
        read = min(self._settings.read_timeout, remaining)
        timeout = httpx.Timeout(connect=connect, read=read, write=read, pool=connect)
        pinned = parsed.copy_with(host=target.address, port=target.port)
        headers = {**self._headers, "Host": parsed.netloc.decode("ascii"), **extra}
        extensions: dict[str, Any] = {"timeout": timeout.as_dict()}
        if parse_ip_literal(parsed.host) is None:
            extensions["sni_hostname"] = parsed.host
        return httpx.Request("GET", pinned, headers=headers, extensions=extensions)

    def _read(self, url: str, response: httpx.Response, deadline: float, want: _Want) -> _Hop:
        status = response.status_code
        headers = _lower_headers(response)
        if status in REDIRECT_STATUSES or status == 304:
            return _Hop(url, status, headers)
        if status in RETRY_STATUSES:
            raise _Retry(FetchStatusError(url, status), _retry_after(headers, time.time()))
        if not 200 <= status < 300:
            raise FetchStatusError(url, status)
        mtype = media_type(headers.get("content-type", ""))
        if want.documents_only and not is_document_type(mtype):
            raise FetchError(url, f"unsupported content type {mtype}")
        return _Hop(url, status, headers, self._read_body(url, response, headers, deadline, want))

    def _read_body(
        self,
        url: str,
        response: httpx.Response,
        headers: Mapping[str, str],
        deadline: float,
        want: _Want,
    ) -> bytes:
        """Stream the raw body through bounded decoders; stop at the cap or the deadline."""
        too_large = FetchTooLarge(url, f"body larger than {want.cap} bytes (decompressed)")
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > want.cap:
            raise too_large
        try:
            body = BoundedBody(headers.get("content-encoding", ""), want.cap)
            # The raw byte stream: `iter_raw` would refuse a response a MockTransport
            # built already read, and `iter_bytes` decompresses without a bound.
            stream = response.stream
            if not isinstance(stream, httpx.SyncByteStream):
                raise FetchError(url, "transport returned an async stream")
            for chunk in stream:
                body.feed(chunk)
                if self._clock() > deadline:
                    limit = self._settings.total_timeout
                    raise FetchTimeout(url, f"total deadline of {limit:g}s exceeded reading body")
        except BodyTooLarge as exc:
            raise too_large from exc
        except BodyDecodeError as exc:
            raise FetchError(url, str(exc)) from exc
        return body.value()

    # -- URLs ------------------------------------------------------------------------

    def _parse(self, url: str) -> httpx.URL:
        """Return the parsed http(s) URL. Raises BlockedURL for anything else."""
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise _invalid_url(url, exc) from exc
        if parsed.scheme not in ("http", "https"):
            scheme = parsed.scheme or "(none)"
            raise BlockedURL(url, f"scheme {scheme}: is not allowed, only http and https")
        if not parsed.host:
            raise BlockedURL(url, "URL has no host")
        return parsed

    def _join(self, current: str, location: str) -> str:
        try:
            return str(httpx.URL(current).join(location))
        except httpx.InvalidURL as exc:
            raise _invalid_url(location, exc) from exc


def _port(parsed: httpx.URL) -> int:
    return parsed.port or (443 if parsed.scheme == "https" else 80)


@contextmanager
def _within(seconds: float) -> Iterator[None]:
    """Every socket operation inside ends by `seconds` from now (deadline.DeadlineBackend)."""
    with deadline(max(seconds, 0.0)):
        yield


def _invalid_url(url: str, exc: httpx.InvalidURL) -> BlockedURL:
    """httpx rejects some IPv4 spellings the OS accepts (0177.0.0.1): say what they mean."""
    try:
        host = urllib.parse.urlsplit(url).hostname or ""
    except ValueError:
        host = ""
    ip = parse_ip_literal(host)
    reason = blocked_reason(ip) if ip is not None else None
    if ip is not None and reason is not None:
        return BlockedURL(url, f"{host} is a non-global address {ip}: {reason}")
    return BlockedURL(url, f"invalid URL: {exc}")


def fetch_page(url: str, settings: Settings, *, trusted: bool = False) -> Page:
    """Fetch one page with a short-lived Fetcher; see `Fetcher.fetch_page`."""
    with Fetcher(settings) as fetcher:
        return fetcher.fetch_page(url, trusted=trusted)

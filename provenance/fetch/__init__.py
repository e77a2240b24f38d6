"""fetch: the safe HTTP fetcher (the only part of `provenance` that imports httpx).

    with Fetcher(settings) as fetcher:
        page = fetcher.fetch_page("https://news.example.com/story")   # -> Page
        page.text, page.final_url, page.from_cache

API
    Fetcher(settings, *, transport=None, resolver=None, clock=time.monotonic, sleep=time.sleep)
        .fetch_page(url, *, trusted=False) -> Page
        .allowed_by_robots(url, *, trusted=False) -> bool
        .fetch_robots(url, *, trusted=False) -> protego.Protego   (cached per origin)
        .close() / context manager
    fetch_page(url, settings, *, trusted=False) -> Page     one-shot helper
    Page            url, final_url, status_code, headers (lowercased), content_type,
                    encoding, body, from_cache, elapsed; .text
    AddressGuard    the SSRF guard; blocked_reason(ip) says why an address is refused
    map_httpx_error the one mapping of httpx exceptions to the FetchError tree

Guarantees
    - Only http and https. Every hop (first, redirect, retry) resolves its host and is
      refused (BlockedURL) unless EVERY address is global; IPv4-mapped, 6to4 and NAT64
      addresses are judged by the IPv4 address they embed; odd IPv4 spellings
      (2130706433, 0177.0.0.1, 0x7f.1) are read as the OS reads them. `trusted=True`
      (the user typed the URL) relaxes this for the first hop only.
    - The connection goes to the address that was checked (the request URL carries the
      IP; Host header and TLS SNI carry the hostname), so DNS rebinding cannot redirect
      it. No proxies from the environment; no keep-alive, so a connection opened for one
      hostname is never reused for another.
    - Redirects are followed by hand: at most `settings.max_redirects`, loops refused.
    - robots.txt is obeyed (`settings.obey_robots`), `settings.user_agent` is sent, one
      request at a time per host, `settings.per_host_delay` (or a longer Crawl-delay,
      up to 30 s) between them.
    - Connect/read timeouts plus an overall deadline (`settings.total_timeout`) that
      also ends a slow drip. 408/429/500/502/503/504 and connection errors are retried
      up to `settings.max_retries` times with exponential backoff or Retry-After (cut
      to 60 s, and never past the deadline).
    - The DECOMPRESSED body is capped at `settings.max_body_bytes` while streaming:
      gzip/deflate/brotli bombs stop at the cap (FetchTooLarge). Only HTML, XML, JSON
      and text are accepted as documents.
    - On-disk cache under `settings.cache_dir` (None disables): a fresh entry is served
      without a request; a stale one is revalidated with ETag/Last-Modified.
    - `settings.resolve_overrides` (tests only) routes named hosts to a given address,
      loopback included, like `curl --resolve`; all other hosts stay guarded.

Errors (from provenance.errors): BlockedURL, FetchTimeout, FetchStatusError,
FetchTooLarge, and FetchError for the rest; `.url` is the hop that failed, `.reason`
says why. Every httpx exception is mapped at one boundary (`ERROR_MAP`).
"""

from __future__ import annotations

from .client import ERROR_MAP, Fetcher, fetch_page, map_httpx_error
from .guard import AddressGuard, Target, blocked_reason, parse_ip_literal, system_resolver
from .page import Page

__all__ = [
    "ERROR_MAP",
    "AddressGuard",
    "Fetcher",
    "Page",
    "Target",
    "blocked_reason",
    "fetch_page",
    "map_httpx_error",
    "parse_ip_literal",
    "system_resolver",
]

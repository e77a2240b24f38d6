"""A total deadline for each request, enforced at every socket operation.

httpcore (under httpx) applies its read timeout to each socket read, so a server that
drips one header byte every few seconds keeps a request alive for as long as it likes.
`DeadlineBackend` wraps httpcore's network backend: inside `deadline(seconds)` every
connect, read, write and TLS handshake waits at most until the deadline, and one that
starts after it raises httpcore's timeout at once. httpx maps those to its own timeouts,
which the fetcher maps to FetchTimeout. The only module importing httpcore.
"""

from __future__ import annotations

import threading
import time
import typing
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import httpcore

__all__ = ["DeadlineBackend", "deadline"]

_LOCAL = threading.local()
DEADLINE_MESSAGE = "the request's total deadline passed"


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Bound every socket operation of this thread's requests to `seconds` from now."""
    previous = getattr(_LOCAL, "at", None)
    _LOCAL.at = time.monotonic() + seconds
    try:
        yield
    finally:
        _LOCAL.at = previous


def _bounded(timeout: float | None, error: type[Exception]) -> float | None:
    """`timeout` cut to what is left before the deadline; raises `error` when none is."""
    at: float | None = getattr(_LOCAL, "at", None)
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise error(DEADLINE_MESSAGE)
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: typing.Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, bounded))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's network backend with every operation bounded by `deadline`."""

    def __init__(self, inner: httpcore.NetworkBackend | None = None) -> None:
        self._inner = inner or httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        stream = self._inner.connect_tcp(host, port, bounded, local_address, socket_options)
        return _Stream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.connect_unix_socket(path, bounded, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)

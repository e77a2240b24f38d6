"""Undoing an HTTP Content-Encoding with a bound on the output: the only brotli import.

zlib and brotli decompress without a limit when asked to (a 77-byte brotli body inflates to
50 MB in one call), so every call here passes the room left under the cap: a bomb stops at
the cap instead of filling memory. The fetcher decodes response bodies with it and the WARC
reader the payloads of records stored with their Content-Encoding.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Protocol

try:  # optional: `br` is only advertised when a decoder with an output bound exists
    import brotli  # imported only here

    HAVE_BROTLI = hasattr(brotli.Decompressor(), "can_accept_more_data")
except ImportError:  # pragma: no cover - depends on the environment
    HAVE_BROTLI = False

ACCEPT_ENCODING = "gzip, deflate, br" if HAVE_BROTLI else "gzip, deflate"


class BodyTooLarge(Exception):
    """The decoded body grew past the cap."""


class BodyDecodeError(Exception):
    """The body's content coding is unknown or the compressed data is corrupt."""


class _Decoder(Protocol):
    def decode(self, data: bytes, room: int) -> bytes: ...


class _Identity:
    def decode(self, data: bytes, room: int) -> bytes:
        return data


class _Zlib:
    """gzip or deflate (zlib-wrapped, or raw as some servers send it)."""

    def __init__(self, wbits: int, *, raw_fallback: bool = False) -> None:
        self._obj = zlib.decompressobj(wbits)
        self._raw_fallback = raw_fallback
        self._started = False

    def decode(self, data: bytes, room: int) -> bytes:
        try:
            out = self._obj.decompress(data, room)
        except zlib.error:
            if not self._raw_fallback or self._started:
                raise
            self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._obj.decompress(data, room)
        self._started = True
        if self._obj.unconsumed_tail:  # stopped at `room`: more output was coming
            raise BodyTooLarge
        return out


class _Brotli:
    def __init__(self) -> None:
        self._obj = brotli.Decompressor()

    def decode(self, data: bytes, room: int) -> bytes:
        out: bytes = self._obj.process(data, output_buffer_limit=room)
        if len(out) >= room or not self._obj.can_accept_more_data():
            raise BodyTooLarge
        return out


_DECODERS: dict[str, Callable[[], _Decoder]] = {
    "identity": _Identity,
    "gzip": lambda: _Zlib(16 + zlib.MAX_WBITS),
    "x-gzip": lambda: _Zlib(16 + zlib.MAX_WBITS),
    "deflate": lambda: _Zlib(zlib.MAX_WBITS, raw_fallback=True),
}
if HAVE_BROTLI:
    _DECODERS["br"] = _Brotli


class BoundedBody:
    """Accumulates a body, undoing `Content-Encoding`, never holding more than `cap` bytes.

    Raises BodyTooLarge past the cap, BodyDecodeError on an unknown coding or bad data.
    """

    def __init__(self, content_encoding: str, cap: int) -> None:
        codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
        unknown = [c for c in codings if c not in _DECODERS]
        if unknown:
            raise BodyDecodeError(f"unsupported content encoding {', '.join(unknown)}")
        # Codings are listed in the order they were applied: undo them last first.
        self._decoders = [_DECODERS[c]() for c in reversed(codings)]
        self._cap = cap
        self._parts: list[bytes] = []
        self._size = 0

    def feed(self, raw: bytes) -> None:
        """Decode one raw chunk and keep it. Raises BodyTooLarge past the cap."""
        data = raw
        try:
            for decoder in self._decoders:
                data = decoder.decode(data, self._cap - self._size + 1)
        except (zlib.error, _brotli_error()) as exc:
            raise BodyDecodeError(f"corrupt compressed body: {exc}") from exc
        self._size += len(data)
        if self._size > self._cap:
            raise BodyTooLarge
        self._parts.append(data)

    def value(self) -> bytes:
        """Return the decoded body read so far."""
        return b"".join(self._parts)


def _brotli_error() -> type[Exception]:
    return brotli.error if HAVE_BROTLI else zlib.error

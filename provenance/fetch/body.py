"""Reading a response body safely: bounded decompression, content types, charsets.

httpx decompresses without a limit (a 77-byte brotli body inflates to 50 MB in one
call), so the fetcher reads raw bytes and decodes them here with an output bound on
every call: a bomb stops at the cap instead of filling memory.
"""

from __future__ import annotations

import codecs
import re
import zlib
from collections.abc import Callable
from typing import Protocol

try:  # optional: `br` is only advertised when a decoder with an output bound exists
    import brotli  # imported only here

    HAVE_BROTLI = hasattr(brotli.Decompressor(), "can_accept_more_data")
except ImportError:  # pragma: no cover - depends on the environment
    HAVE_BROTLI = False

ACCEPT_ENCODING = "gzip, deflate, br" if HAVE_BROTLI else "gzip, deflate"

_DOCUMENT_TYPES = frozenset(
    {"application/json", "application/xml", "application/xhtml+xml", "application/x-rss+xml"}
)
_META_CHARSET_RE = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I
)
_XML_ENCODING_RE = re.compile(rb"""^<\?xml[^>]{0,100}?encoding\s*=\s*["']([A-Za-z0-9._:-]+)""")
_WHATWG_ALIASES = {"iso8859-1": "cp1252", "ascii": "cp1252"}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


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


def media_type(content_type: str) -> str:
    """Return the lowercased media type of a Content-Type value ("" when absent)."""
    return content_type.split(";", 1)[0].strip().lower()


def is_document_type(mtype: str) -> bool:
    """True for HTML, XML, JSON and text types (and for a missing type, left to sniff)."""
    if not mtype or mtype.startswith("text/") or mtype in _DOCUMENT_TYPES:
        return True
    return mtype.startswith("application/") and mtype.endswith(("+xml", "+json"))


def _usable_codec(name: str) -> str | None:
    try:
        b"a".decode(name, errors="replace")  # also rejects non-text codecs such as "base64"
        found = codecs.lookup(name).name
    except (LookupError, ValueError):
        return None
    # WHATWG Encoding: browsers read these labels as windows-1252, and pages rely on it.
    return _WHATWG_ALIASES.get(found, found)


def _header_charset(content_type: str) -> str | None:
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            return _usable_codec(value.strip().strip("\"'"))
    return None


def detect_encoding(content_type: str, body: bytes) -> str:
    """Return the codec to decode `body` with: BOM, then the header's charset, then a
    `<meta charset>` / XML declaration, else utf-8. Unknown names are skipped."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    declared = _header_charset(content_type)
    if declared:
        return declared
    head = body[:4096]
    for pattern in (_XML_ENCODING_RE, _META_CHARSET_RE):
        match = pattern.search(head)
        if match:
            found = _usable_codec(match.group(1).decode("ascii"))
            if found:
                return found
    return "utf-8"

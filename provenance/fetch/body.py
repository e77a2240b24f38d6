"""Reading a response body safely: bounded decompression, content types, charsets.

httpx decompresses without a limit (a 77-byte brotli body inflates to 50 MB in one
call), so the fetcher reads raw bytes and decodes them here with an output bound on
every call: a bomb stops at the cap instead of filling memory.
"""

from __future__ import annotations

import codecs
import re

from ..load.coding import (
    ACCEPT_ENCODING,
    HAVE_BROTLI,
    BodyDecodeError,
    BodyTooLarge,
    BoundedBody,
)

__all__ = [
    "ACCEPT_ENCODING",
    "HAVE_BROTLI",
    "BodyDecodeError",
    "BodyTooLarge",
    "BoundedBody",
    "detect_encoding",
    "is_document_type",
    "media_type",
]

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

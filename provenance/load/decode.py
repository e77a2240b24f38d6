"""Bytes -> text for the load stage: BOMs, UTF-8, declared charsets, BOM-less UTF-16, and
detected legacy code pages. The only module that imports charset_normalizer."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator

import charset_normalizer

from ..errors import InputError

_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
_XML_ENCODING_RE = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""")
_CONTENT_TYPE_CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
# Control characters of text other than tab, line feed, form feed and carriage return.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode(data: bytes, content_type: str | None, source: str) -> tuple[str, list[str]]:
    """Return the text of `data` and notes on what decoding had to give up.

    Tries a BOM, UTF-8, the charset declared by `content_type` or the markup, BOM-less
    UTF-16, then the legacy code page charset-normalizer detects (windows-1252 among the
    equally likely ones, as browsers assume for Western text; a note names it), and last
    UTF-8 with bad bytes replaced (and a note saying so).
    Raises InputError when the data is binary rather than text.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _check_text(data[len(bom) :].decode(codec, errors="replace"), source), []
    if b"\x00" in data[:4096]:
        utf16 = _sniff_utf16(data)
        if utf16 is None:
            raise InputError(f"{source}: unknown format (binary data)")
        return _check_text(data.decode(utf16, errors="replace"), source), []
    try:
        return _check_text(data.decode("utf-8"), source), []
    except UnicodeDecodeError:
        pass
    for charset in _declared_charsets(data, content_type):
        try:
            return _check_text(data.decode(charset), source), []
        except (UnicodeDecodeError, LookupError):
            continue
    replaced = data.decode("utf-8", errors="replace")
    detected = None if _has_utf8_sequences(replaced) else _detect_charset(data)
    if detected is not None:
        text, codec = detected
        note = f"input is not valid UTF-8 and declares no usable charset; read as {codec}"
        return _check_text(text, source), [note]
    text = _check_text(replaced, source)
    return text, ["input is not valid UTF-8 and declares no usable charset; bad bytes replaced"]


def _has_utf8_sequences(text: str) -> bool:
    """Whether UTF-8 decoding found real multi-byte characters: then the text is UTF-8 with
    a few bad bytes, and reading it in a code page would garble every good one."""
    return any(c > "\x7f" and c != "\ufffd" for c in text)


# Matches whose "chaos" (charset-normalizer's mess measure) is within this of the best one
# are equally likely; among them windows-1252 is preferred.
_CHAOS_TIE = 0.01
_WESTERN = frozenset({"cp1252", "latin_1"})


def _detect_charset(data: bytes) -> tuple[str, str] | None:
    """(text, codec name) of `data` in the single-byte code page it most likely uses.

    Short Western text fits many code pages equally well (windows-1250 reads the curly
    quotes of windows-1252 the same way, but not its accented letters); among the matches
    that fit best, one that windows-1252 or latin-1 also explains is read as windows-1252
    (latin-1 where a byte is undefined in windows-1252). None when nothing fits.
    """
    matches = list(charset_normalizer.from_bytes(data[:200_000]))
    if not matches:
        return None
    best = min(m.chaos for m in matches)
    for match in matches:
        if match.chaos <= best + _CHAOS_TIE and _WESTERN & set(match.could_be_from_charset):
            for codec, name in (("cp1252", "windows-1252"), ("latin-1", "latin-1")):
                try:
                    return data.decode(codec), name
                except UnicodeDecodeError:
                    continue
    codec = matches[0].encoding
    try:
        return data.decode(codec), codec
    except (UnicodeDecodeError, LookupError):
        return None


def _declared_charsets(data: bytes, content_type: str | None) -> Iterator[str]:
    if content_type:
        found = _CONTENT_TYPE_CHARSET_RE.search(content_type)
        if found:
            yield found.group(1)
    head = data[:4096]
    for pattern in (_XML_ENCODING_RE, _META_CHARSET_RE):
        match = pattern.search(head)
        if match:
            yield match.group(1).decode("ascii")


def _sniff_utf16(data: bytes) -> str | None:
    """Name the UTF-16 byte order of BOM-less text whose every other byte is NUL, else None."""
    sample = data[:4096]
    even, odd = sample[0::2], sample[1::2]
    if not odd:
        return None
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _check_text(text: str, source: str) -> str:
    """Refuse decoded text that is really binary: many control or replacement characters."""
    sample = text[:20_000]
    controls = len(_CONTROL_RE.findall(sample))
    replaced = sample.count("\ufffd")
    # Text in a legacy code page read as UTF-8 loses one character in a few dozen;
    # binary data has control bytes everywhere.
    if controls > 0.02 * len(sample) or replaced > 0.25 * len(sample):
        raise InputError(f"{source}: unknown format (binary data)")
    return text

"""Text normalisation: cleaning, mojibake repair and the comparison form of a paragraph.

The only module that imports ftfy, sentencex and PyStemmer. `clean_text` gives the
human-readable form stored in `Paragraph.text`; `comparison_key` gives the form paragraphs
are compared in, where changes of style only (curly quotes, dash kind, case, spacing)
disappear; `sentences` and `stem` serve the sentence links of align.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from functools import cache, lru_cache
from typing import Any

import ftfy

# Opening quotation mark -> the marks that close it.
_OPENERS = {
    '"': '"',
    "\u201c": '\u201d"',  # “ closed by ” (or a straight " typed by mistake)
    "\u201e": "\u201c\u201d",  # „ closed by “ (German) or ”
    "\u00ab": "\u00bb",  # « »
    "\u2018": "\u2019",  # single curly quotes used as quotation marks
}
# Punctuation around a token that may stand outside a quotation mark: ("Yes," / "No").
_TRAILING_PUNCT = ".,;:!?)]"
_LEADING_PUNCT = "(["
# Zero-width characters that carry no meaning in running text. ZWJ/ZWNJ (U+200C/D) are
# kept: they change rendering and meaning in Persian, Indic scripts and emoji.
_INVISIBLE_RE = re.compile("[\u200b\u2060\ufeff\u00ad]")
_SINGLE_QUOTES_RE = re.compile("[\u2018\u2019\u201a\u201b\u2032\u0060\u00b4\u02bc]")
_DOUBLE_QUOTES_RE = re.compile("[\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb]|''")
# A run of dashes (a regex led by the character class: it is found by a fast scan).
_DASHES_RE = re.compile(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d-]+")
# Words: letters and digits, joined by an inner apostrophe, period or comma. Possessive
# quantifiers find the same words (no part of a match is ever given back) with less work.
_WORD_RE = re.compile(r"\w++(?:[.,']\w++)*+")
# `_WORD_RE` for lower-case ASCII text: the class is scanned faster than `\w`.
_ASCII_WORD_RE = re.compile(r"[a-z0-9_]++(?:[.,'][a-z0-9_]++)*+")
_THAI_RE = re.compile("[\u0e00-\u0e7f]")
# A character one of the steps of `_key` past NFKC changes (or a lone surrogate): text
# without one, once NFKC-normalised, is keyed by the steps plain ASCII takes.
_KEY_STEPS_RE = re.compile(
    "[\u2018\u2019\u201a\u201b\u2032\u00b4\u02bc\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"
    "\u2010-\u2015\u2212\ufe58\ufe63\uff0d\u200b\u2060\ufeff\u00ad\ud800-\udfff]"
)
# The typography that keeps most English text from being ASCII, as `_key` has it after
# NFKC, its quote unification and its dash runs: text whose other characters are ASCII
# (and hold no entity) gets the same key from the ASCII steps once these are replaced.
_KEY_TYPOGRAPHY = (
    ("\u2018", "'"), ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"'), ("\u2013", "-"),
    ("\u2014", "-"), ("\u2026", "..."), ("\u00a0", " "),
)  # fmt: skip
# Typography of clean text that ftfy's test for mojibake (`ftfy.badness.is_bad`) never
# flags in text of these characters and ASCII alone, whatever their order: ftfy returns
# such text unchanged, so it is not handed to ftfy (tests/test_text.py proves this on the
# pattern of the installed ftfy). Curly quotes, dashes, ellipses, guillemets, bullets.
CLEAN_TYPOGRAPHY = (
    "\u00a0\u00ad\u00b7\u00b4\u2013\u2014\u2015\u2026\u2018\u2019\u201a\u201c\u201d\u201e"
    "\u00ab\u00bb\u2022\u2039\u203a"
)
_MAY_BE_MOJIBAKE_RE = re.compile(rf"[^\x00-\x7f{CLEAN_TYPOGRAPHY}]")
# Lone UTF-16 surrogates: JSON escapes such as "\\ud800" decode to them, and no UTF-8
# output (a terminal, a file) can hold them.
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE_RE = re.compile(r"\\u[dD][89a-fA-F]")


def scrub_surrogates(value: Any) -> Any:
    """Return decoded JSON `value` with every lone surrogate in its strings (keys too)
    replaced by U+FFFD. Raises RecursionError for data nested deeper than Python recurses.
    """
    if isinstance(value, str):
        return _SURROGATE_RE.sub("\ufffd", value)
    if isinstance(value, list):
        return [scrub_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {scrub_surrogates(k): scrub_surrogates(v) for k, v in value.items()}
    return value


def may_hold_surrogates(json_text: str) -> bool:
    """Whether JSON text holds a surrogate escape (paired or not), cheaply."""
    return _SURROGATE_ESCAPE_RE.search(json_text) is not None


def clean_text(s: str) -> str:
    """Return `s` with HTML entities decoded, NFC-normalised and whitespace collapsed.

    Non-breaking and other Unicode spaces become one ASCII space; zero-width spaces,
    word joiners, BOMs and soft hyphens are removed; lone surrogates become U+FFFD.
    Never raises.
    """
    if s.isascii() and "&" not in s:
        return " ".join(s.split())  # no entity, nothing to normalise, no invisible character
    return " ".join(_decoded(s).split())


def _decoded(s: str) -> str:
    """`clean_text` but for the whitespace: entities decoded, NFC, no invisible characters."""
    s = unicodedata.normalize("NFC", _SURROGATE_RE.sub("\ufffd", html.unescape(s)))
    return _INVISIBLE_RE.sub("", s)


def repair_mojibake(s: str) -> tuple[str, str | None]:
    """Undo UTF-8 text that was decoded with a legacy single-byte code page.

    Returns (text, description); description is None when nothing was changed, else
    e.g. "utf-8 read as windows-1252". Covers what ftfy covers (windows-1250/1251/1252/
    1253/1254/1257, latin-1, MacRoman, ...) plus windows-874 (Thai), which ftfy lacks.
    Correct text in any script is returned unchanged. Never raises.
    """
    if s.isascii():
        return s, None
    if _THAI_RE.search(s):
        fixed = _repair_windows_874(s)
        if fixed is not None:
            return fixed, "utf-8 read as windows-874"
    if not _MAY_BE_MOJIBAKE_RE.search(s):
        return s, None  # what ftfy returns for it (see CLEAN_TYPOGRAPHY), in a fraction of the time
    explained = ftfy.fix_encoding_and_explain(s)
    if explained.text == s:
        return s, None
    return explained.text, _describe(explained.explanation or [])


def _describe(steps: Sequence[tuple[str, str]]) -> str:
    encodings = [param for action, param in steps if action == "encode"]
    if encodings:
        names = ", ".join(e.removeprefix("sloppy-") for e in encodings)
        return f"utf-8 read as {names}"
    applied = ", ".join(param for _, param in steps)
    return f"encoding fixes: {applied}" if applied else "encoding fixes"


@cache
def _windows_874_tables() -> tuple[dict[str, int], re.Pattern[str]]:
    """Char -> byte of "sloppy" windows-874 and a regex for UTF-8 sequences read through it.

    Browsers and text stores decode bytes windows-874 leaves undefined (most of 0x80-0x9F)
    as windows-1252 or as C1 controls; the real copy this was written from
    (real/families/cnn-nato-scramble-2025-02-12/lapost.txt) shows U+0E42 U+20AC U+2122
    for a right single quote (bytes E2 80 99) and U+0E42 U+20AC U+009D for a right double
    quote (E2 80 9D).
    """
    to_byte: dict[str, int] = {}
    for b in range(256):
        char = None
        for codec in ("cp874", "cp1252", "latin-1"):
            try:
                char = bytes([b]).decode(codec)
                break
            except UnicodeDecodeError:
                continue
        if char is not None and char not in to_byte:
            to_byte[char] = b

    def cls(lo: int, hi: int) -> str:
        chars = (c for c, b in to_byte.items() if lo <= b <= hi)
        return "[" + "".join(re.escape(c) for c in sorted(chars)) + "]"

    cont = cls(0x80, 0xBF)
    pattern = f"{cls(0xC2, 0xDF)}{cont}|{cls(0xE0, 0xEF)}{cont}{{2}}|{cls(0xF0, 0xF4)}{cont}{{3}}"
    return to_byte, re.compile(pattern)


def _repair_windows_874(s: str) -> str | None:
    """Decode windows-874 mojibake sequences; None unless the result is clearly better.

    Accepted only when every Thai character of `s` was part of a plausible sequence that
    decodes as UTF-8 and no decoded character is a control or unassigned one: genuine Thai
    text has Thai characters outside such sequences, so it is left alone.
    """
    to_byte, sequence_re = _windows_874_tables()
    failed = False

    def decode(match: re.Match[str]) -> str:
        nonlocal failed
        raw = bytes(to_byte[c] for c in match.group())
        if not _plausible_874(s, match, raw):
            failed = True
            return match.group()
        try:
            out = raw.decode("utf-8")
        except UnicodeDecodeError:
            failed = True
            return match.group()
        if any(unicodedata.category(c) in ("Cc", "Cn", "Co", "Cs") for c in out):
            failed = True
        return out

    fixed = sequence_re.sub(decode, s)
    if failed or fixed == s or _THAI_RE.search(fixed):
        return None
    return fixed


def _plausible_874(s: str, match: re.Match[str], raw: bytes) -> bool:
    """A sequence counts as mojibake if it holds a byte of 0x80-0x9F (curly quotes and
    dashes always do) or touches a Latin letter or digit, as inside 'Sprลซds'. Two-letter
    Thai words such as 'รก' also decode as UTF-8 but stand between spaces or Thai letters."""
    if any(0x80 <= b <= 0x9F for b in raw):
        return True
    before = s[match.start() - 1] if match.start() > 0 else ""
    after = s[match.end()] if match.end() < len(s) else ""
    return (before.isascii() and before.isalnum()) or (after.isascii() and after.isalnum())


# Paragraph keys kept: about the paragraphs of a few dozen articles.
_KEY_CACHE_SIZE = 4096


@lru_cache(maxsize=_KEY_CACHE_SIZE)
def comparison_key(s: str) -> str:
    """Return the form paragraphs are compared in (memoised: a check aligns the same
    paragraphs more than once, verifying candidates and then aligning the original).
    See `_key`."""
    return _key(s)


def key_once(s: str) -> str:
    """`comparison_key` without its memo, for a text keyed once (a sentence of a
    paragraph: the memo would only hash it, and push paragraph keys out)."""
    return _key(s)


def _key(s: str) -> str:
    """NFKC (so '…' becomes '...', full-width forms become ASCII), curly and straight quotes
    unified, every dash kind (and the spaces around it) made one '-', whitespace collapsed,
    casefolded. Two paragraphs that differ only in such style get equal keys.
    """
    plain = _plain_form(s)
    if plain is not None:
        # Of the steps below only these change such text (and the only dash is "-", whose
        # runs `_DASHES_RE` would make one).
        s = " ".join(plain.replace("`", "'").replace("''", '"').split())
        if "-" in s:
            if "--" in s:
                s = _DASHES_RE.sub("-", s)
            s = s.replace(" -", "-").replace("- ", "-")
        return s.casefold()
    # Whitespace is collapsed once, after NFKC (which makes some spaces ASCII).
    s = unicodedata.normalize("NFKC", _decoded(s))
    s = _DOUBLE_QUOTES_RE.sub('"', _SINGLE_QUOTES_RE.sub("'", s))
    s = " ".join(s.split())
    if _DASHES_RE.search(s):
        s = _DASHES_RE.sub("-", s).replace(" -", "-").replace("- ", "-")
    return s.casefold()


def _plain_form(s: str) -> str | None:
    """`s` with its common typography replaced (`_KEY_TYPOGRAPHY`), when the steps `_key`
    takes for plain ASCII key it as all its steps would: no entity and, outside ASCII,
    no character that NFKC or the quote, dash or invisible classes change. Else None."""
    if "&" in s:
        return None
    if s.isascii():
        return s
    typed = _plain_typography(s)
    if typed.isascii() or (
        _KEY_STEPS_RE.search(typed) is None and unicodedata.is_normalized("NFKC", typed)
    ):
        return typed
    return None


def _plain_typography(s: str) -> str:
    """`s` with the typography of `_KEY_TYPOGRAPHY` made what `_key` makes of it."""
    for mark, plain in _KEY_TYPOGRAPHY:
        if mark in s:
            s = s.replace(mark, plain)
    return s


def words(s: str) -> list[str]:
    """Return the word tokens of `comparison_key(s)`: letters/digits, keeping inner
    apostrophes, periods and commas ("don't", "u.s", "1,000", "0.3")."""
    return key_words(comparison_key(s))


def key_words(key: str) -> list[str]:
    """The word tokens of a comparison key (`words` of the text it was made from)."""
    return (_ASCII_WORD_RE if key.isascii() else _WORD_RE).findall(key)


@lru_cache(maxsize=65_536)
def token_words(token: str) -> tuple[str, ...]:
    """`words` of one whitespace-free token, memoised apart from the paragraph keys (a
    text's tokens would otherwise push its paragraphs out of `comparison_key`'s cache)."""
    plain = _lowered_words_form(token)
    if plain is not None:
        return tuple(_ASCII_WORD_RE.findall(plain))
    return tuple(_WORD_RE.findall(_key(token)))


def words_by_token(text: str) -> list[Sequence[str]]:
    """`token_words` of each whitespace-separated token of `text`, in order.

    Text of plain ASCII (once its common typography is replaced) is lower-cased once and
    read by one regex call per token, without a memo lookup each.
    """
    plain = _lowered_words_form(text)
    if plain is not None:
        return list(map(_ASCII_WORD_RE.findall, plain.split()))
    return list(map(token_words, text.split()))


def text_words(text: str) -> list[str]:
    """The `token_words` of every token of `text`, in one list (for plain ASCII text one
    regex call: no word runs across whitespace, so the whole text splits as its tokens)."""
    plain = _lowered_words_form(text)
    if plain is not None:
        return _ASCII_WORD_RE.findall(plain)
    return [w for token in text.split() for w in token_words(token)]


def _lowered_words_form(text: str) -> str | None:
    """`text` lower-cased, when its words are those of its comparison key (no entity, no
    backtick, which the key makes an apostrophe inside a word, and ASCII once the
    typography of `_KEY_TYPOGRAPHY` is replaced, which keeps its whitespace); else None."""
    if "&" in text or "`" in text:
        return None
    if not text.isascii():
        text = _plain_typography(text)
        if not text.isascii():
            return None
    return text.lower()


@lru_cache(maxsize=_KEY_CACHE_SIZE)
def sentences(text: str, language: str = "en") -> tuple[str, ...]:
    """Split a paragraph into sentences (sentencex's rules for `language`), stripped.

    A piece that starts with a lower-case letter is joined to the sentence before it: the
    rules cut after abbreviations they do not know ("rose 5 pct. to 10 dlrs"), and a
    sentence of news prose never starts in lower case. Never raises.
    """
    from sentencex import segment

    found: list[str] = []
    for piece in segment(language, text):
        piece = piece.strip()
        if not piece:
            continue
        if found and piece[0].islower():
            found[-1] = f"{found[-1]} {piece}"
        else:
            found.append(piece)
    return tuple(found)


def quote_mask(tokens: list[str]) -> list[bool]:
    """Which tokens lie inside quotation marks (straight, curly, guillemets, single curly).

    A single closing mark only closes a quote that a single opening mark began, so
    apostrophes (Trump's, the Smiths' written with U+2019) inside a double-quoted
    passage are not taken as closers.
    """
    joined = "".join(tokens)
    if not any(mark in joined for mark in _OPENERS):
        return [False] * len(tokens)
    mask: list[bool] = []
    closer = ""
    for tok in tokens:
        core = tok.lstrip(_LEADING_PUNCT).rstrip(_TRAILING_PUNCT)
        if not closer and core[:1] in _OPENERS:
            closer, core = _OPENERS[core[:1]], core[1:]
        mask.append(bool(closer))
        if closer and core[-1:] and core[-1] in closer:
            closer = ""
    return mask


_STEMMERS = {
    "en": "english",
    "es": "spanish",
    "fr": "french",
    "de": "german",
    "pt": "portuguese",
    "it": "italian",
}


def stems(words: list[str], language: str = "en") -> list[str]:
    """The Snowball stems of lower-case words in `language` (PyStemmer; the words
    themselves for another language). Never raises."""
    stemmer = _stemmer(language)
    return words if stemmer is None else list(stemmer.stemWords(words))


@cache
def _stemmer(language: str) -> Any:
    import Stemmer

    name = _STEMMERS.get(language)
    # No memo of its own: stemming a word (~0.2 µs) costs less than memoising it (~0.6 µs),
    # and a memo kept across texts would make a check's cost depend on the ones before.
    return None if name is None else Stemmer.Stemmer(name, 0)

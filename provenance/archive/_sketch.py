"""Shingles and MinHash signatures: the only module that imports rensa.

A document's shingles are the word 5-grams of each paragraph's comparison form (never
spanning two paragraphs, so a copy that keeps some paragraphs keeps exactly their
shingles). Its signature is a MinHash of those shingles with `NUM_PERM` permutations,
banded one row per band: band `i` collides with probability equal to the Jaccard
similarity, so a copy keeping 30% of an original (Jaccard ~0.3) misses all 64 bands
with probability 0.7**64 ~ 1e-10 and the number of colliding bands estimates Jaccard.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

# rensa ships no type information (pyproject's mypy overrides do not list it yet).
import rensa

from ..text import words

SHINGLE_WORDS = 5
NUM_PERM = 64
# Fixed seed: signatures are persisted, so they must be the same in every process.
SEED = 20_250_213
# Stored with the index; a change of any part means the stored signatures must be rebuilt.
SCHEME = f"rensa-rminhash-a{rensa.RMinHash.ALGORITHM_VERSION}/p{NUM_PERM}/r1/w{SHINGLE_WORDS}/t1"

_MIN_SHORT_WORDS = 2
_BAND_SHIFT = 32
# text.words' token pattern restricted to ASCII text (its curly apostrophe is mapped first).
_WORD_RE = re.compile(r"\w+(?:[.,']\w+)*")
# Characters the comparison form maps to ASCII (or to a space, for words() alike).
_TO_ASCII = (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"'),
             ("\u2014", "-"), ("\u2013", "-"), ("\u00a0", " "))  # fmt: skip


def tokens(text: str) -> list[str]:
    """Return the word tokens of `text`, equal to `text.words(text)`.

    Plain ASCII text (after mapping curly quotes and dashes, which the comparison form
    unifies anyway) takes a fast path that skips Unicode normalisation; anything else
    goes through `text.words`. The fast path is ~4x faster and is what lets imports
    reach thousands of articles per second.
    """
    plain = text
    if not plain.isascii():
        for char, ascii_char in _TO_ASCII:
            plain = plain.replace(char, ascii_char)
    if plain.isascii() and "&" not in plain:
        return _WORD_RE.findall(plain.lower())
    return words(text)


def shingles(paragraphs: Iterable[str]) -> list[str]:
    """Return the word 5-shingles of each paragraph (a shorter paragraph of at least two
    words is one shingle), in order, duplicates kept."""
    out: list[str] = []
    for text in paragraphs:
        w = tokens(text)
        if len(w) >= SHINGLE_WORDS:
            out.extend(map(" ".join, zip(w, w[1:], w[2:], w[3:], w[4:], strict=False)))
        elif len(w) >= _MIN_SHORT_WORDS:
            out.append(" ".join(w))
    return out


def band_keys(shingle_list: Sequence[str]) -> list[int]:
    """Return the LSH bucket keys of a shingle list: band number in the high 32 bits,
    that band's MinHash value in the low 32 bits. Empty input gives no keys."""
    if not shingle_list:
        return []
    sketch = rensa.RMinHash(NUM_PERM, SEED)
    sketch.update(list(shingle_list))
    digest: list[int] = sketch.digest()
    return [(band << _BAND_SHIFT) | value for band, value in enumerate(digest)]

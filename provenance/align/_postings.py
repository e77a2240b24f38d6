"""Inverted indexes of hashed terms (paragraph and sentence bigrams, content words).

Most terms of a text occur in one place only, so a term held once keeps the 1-tuple its
holder shares with all its other such terms, not a list of its own: on a 2,000-paragraph
original that is about half the memory of a dict of lists. Terms held by more than a limit
say nothing about which place matches and are left out.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Container, Iterable
from itertools import chain, filterfalse, repeat
from typing import TypeAlias

__all__ = ["Hashes", "Postings", "compact", "distinct"]

# Hashed terms of one text: a frozenset (the fastest to build and to intersect), or in a
# long alignment an array (8 bytes a hash where a set spends about 70: memory linear in
# the text, ~12 MB at 2,000 x 2,000 paragraphs).
Hashes: TypeAlias = "array[int] | frozenset[int]"
# Alignments of at least this many paragraphs (both sides) keep their hashes in arrays.
_COMPACT_FROM = 400


def compact(n_paragraphs: int) -> bool:
    """Whether an alignment of `n_paragraphs` (both sides) keeps its hashes in arrays."""
    return n_paragraphs >= _COMPACT_FROM


def distinct(
    terms: Iterable[int], without: Container[int] | None = None, *, compact: bool
) -> Hashes:
    """The distinct terms not in `without`: an array when `compact` (made through a set
    and a list: an array filled straight from a set grows term by term, at twice the
    cost), else a frozenset."""
    if without is not None:
        terms = filterfalse(without.__contains__, terms)
    return array("q", list(set(terms))) if compact else frozenset(terms)


class Postings:
    """Term -> the places holding it, in the order they were given."""

    def __init__(
        self,
        items: Iterable[tuple[int, Iterable[int]]],
        limit: int,
        asked: Container[int] | None = None,
    ) -> None:
        """`items`: (place, its distinct terms); only the terms in `asked` are kept when
        given (the places of a term are counted against `limit` all the same)."""
        found: dict[int, tuple[int] | list[int]] = {}
        held = found.setdefault
        common: list[int] = []  # terms held by more than `limit` places
        for place, terms in items:
            alone = (place,)
            if asked is not None:
                terms = [t for t in terms if t in asked]
            for term in terms:
                hits = held(term, alone)
                if hits is alone:
                    continue
                if isinstance(hits, list):
                    hits.append(place)
                else:
                    hits = found[term] = [*hits, place]
                if len(hits) == limit + 1:
                    common.append(term)
        for term in common:
            del found[term]
        self._found = found

    def shared(self, terms: Iterable[int]) -> Counter[int]:
        """Place -> how many of `terms` it holds."""
        return Counter(chain.from_iterable(map(self._found.get, terms, repeat(()))))

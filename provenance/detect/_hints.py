"""Many short strings found in a text in one pass (ahocorasick-rs's Aho-Corasick automaton)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Generic, TypeVar

import ahocorasick_rs

Value = TypeVar("Value")


class HintFinder(Generic[Value]):
    """Where each of a fixed set of strings occurs in a text, overlaps included."""

    def __init__(self, values: Mapping[str, Value]) -> None:
        """`values`: each string to find, with what a hit of it hands back."""
        self._keys = list(values)
        self._values = [values[key] for key in self._keys]
        # A DFA: the fastest search for a few hundred short strings, built once.
        self._automaton = ahocorasick_rs.AhoCorasick(
            self._keys, implementation=ahocorasick_rs.Implementation.DFA
        )

    def found_in(self, text: str) -> Iterator[tuple[int, Value]]:
        """(index where it starts, value) of every occurrence in `text`."""
        for k, start, _ in self._automaton.find_matches_as_indexes(text, overlapping=True):
            yield start, self._values[k]

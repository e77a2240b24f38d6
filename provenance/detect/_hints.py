"""Many short strings found in a text in one pass (pyahocorasick's Aho-Corasick automaton)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Generic, TypeVar

import ahocorasick

Value = TypeVar("Value")


class HintFinder(Generic[Value]):
    """Where each of a fixed set of strings occurs in a text, overlaps included."""

    def __init__(self, values: Mapping[str, Value]) -> None:
        """`values`: each string to find, with what a hit of it hands back."""
        self._automaton = ahocorasick.Automaton()
        for key, value in values.items():
            self._automaton.add_word(key, value)
        self._automaton.make_automaton()
        self._empty = not values

    def found_in(self, text: str) -> Iterator[tuple[int, Value]]:
        """(index of the last character, value) of every occurrence in `text`."""
        if self._empty:  # an automaton with no word refuses to search
            return iter(())
        found: Iterator[tuple[int, Value]] = self._automaton.iter(text)
        return found

"""Many strings found in one pass (provenance/hints.py), and the prefilters built on it."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from provenance.edits import _NUMBER_WORD_STEMS, _may_hold_number_words
from provenance.hints import HintFinder, masks_by_hint


def test_hints_are_found_where_they_overlap_and_an_empty_finder_finds_nothing() -> None:
    finder = HintFinder({"report": 1, "reported by": 2, "by ": 3})
    assert sorted(finder.found_in("reported by ap")) == [(0, 1), (0, 2), (9, 3)]
    assert sorted(finder.found_in("\u00e9t\u00e9 report")) == [(4, 1)]  # characters, not bytes
    assert finder.occurs_in("a report") and not finder.occurs_in("a repo")
    assert list(HintFinder({}).found_in("anything")) == []
    assert not HintFinder({}).occurs_in("anything")


_NUMBER_WORDS_RE = re.compile("|".join(_NUMBER_WORD_STEMS))


@given(st.text(alphabet=st.sampled_from("onetwhrfivsxgu ndcmlz\u00fc\u00e9"), max_size=30))
def test_number_words_are_looked_for_as_the_plain_pattern_would(text: str) -> None:
    assert _may_hold_number_words(text) == (_NUMBER_WORDS_RE.search(text) is not None)


def test_masks_by_hint_set_the_bit_of_every_rule_holding_the_hint() -> None:
    assert masks_by_hint([("by ", "(ap"), (), ("by ",)]) == {"by ": 0b101, "(ap": 0b001}

"""Page furniture rules (provenance/data/chrome.toml): each matches its example, and a
rule's hints only spare regex runs, never change an answer."""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provenance.detect.chrome import _folded, chrome_rules, is_chrome


def _plainly(text: str) -> bool:
    """`is_chrome` without the hints."""
    stripped = text.strip()
    n_words = len(stripped.split())
    return not stripped or any(
        n_words <= r.max_words and r.regex.fullmatch(stripped) for r in chrome_rules()
    )


@pytest.mark.parametrize("rule", chrome_rules(), ids=lambda r: r.example[:30])
def test_each_rule_matches_its_example_and_the_example_holds_a_hint(rule) -> None:  # type: ignore[no-untyped-def]
    assert rule.regex.fullmatch(rule.example)
    assert any(hint in _folded(rule.example) for hint in rule.hints) or not rule.hints
    assert is_chrome(rule.example)


_PIECES = st.sampled_from(
    ["Photo: ", "PHOTOS:", "\u0130mage: x", "\u0131mages: y", "cred\u0131t: z", "Getty Images", "getty",
     "from shutterstock.com", "FROM \u017fhutterstock.com", "/Flickr, CC BY", "file 20240101 3 ab.jpg",
     "(AP Photo/Jane Doe)", "(Reuters/x)", "(AFP/y)", "(EPA PHOTO/z)", "(Upi/w)", "(getty/v)", " • ", " | ", "»", "·", "The council met on Tuesday.",
     "Read more", "February 12, 2025", " ", "picture", "Pictures: them", "x"]
)  # fmt: skip


@given(st.lists(_PIECES, max_size=6).map("".join))
def test_hints_never_change_whether_a_line_is_furniture(line: str) -> None:
    assert is_chrome(line) == _plainly(line)


def test_folding_gives_every_letter_a_regex_takes_for_an_ascii_letter_as_that_letter() -> None:
    ascii_letter = re.compile("[a-z]", re.IGNORECASE)
    for point in range(sys.maxunicode + 1):
        char = chr(point)
        if not 0xD800 <= point <= 0xDFFF and ascii_letter.fullmatch(char):
            folded = _folded(char)
            assert len(folded) == 1 and "a" <= folded <= "z", hex(point)
            assert re.fullmatch(folded, char, re.IGNORECASE), hex(point)

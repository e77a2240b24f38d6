"""Patterns naming publishers, compiled with only the names a text holds, find what the
full pattern finds; folding finds every name where re, ignoring case, would."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from provenance.detect.catalog import (
    AttributionRule,
    _name_ignores_case,
    attribution_rules,
    fold,
    names_in,
    publishers,
)

CASES = Path(__file__).resolve().parents[1] / "cases"
NAMED = [r for r in attribution_rules() if r.screen_pattern]


def _case_texts() -> list[str]:
    """Every paragraph and line of the bundled cases' text files."""
    texts: list[str] = []
    for path in sorted(CASES.glob("*/*")):
        if path.suffix in {".txt", ".html", ".json", ".md"} and path.name != "case.json":
            body = path.read_text(encoding="utf-8", errors="replace")
            texts.extend(p for p in body.split("\n\n") if p.strip())
    return texts


def _tricky_texts() -> list[str]:
    """Examples standing alone, cased otherwise, glued to words, and names side by side."""
    examples = [r.example for r in attribution_rules()]
    names = sorted({a for p in publishers() for a in (p.name, *p.aliases)})[::7]
    return [
        *examples,
        *(e.upper() for e in examples),
        *(e.lower() for e in examples),
        *(f"X{e}y" for e in examples),
        *(f"According to {n}\n{n}\nBy Jo Smith | {n}\n\u00a9 2024 {n}" for n in names),
        *(f"told {n}s analyst, {n}'s analyst said" for n in names),
        "According to the Associated Press and AP News reports (AP) \u2014",
        "Reuters Health reported; REUTERS reports; reuters reported",
        "\u0130stanbul (AFP) \u2014 According to D\u0131W and \u017fpiegel",
    ]


def _spans(
    regex: re.Pattern[str], text: str
) -> list[tuple[tuple[int, int], dict[str, str | None]]]:
    return [(m.span(), m.groupdict()) for m in regex.finditer(text)]


@pytest.mark.parametrize("rule", NAMED, ids=[r.id for r in NAMED])
def test_a_narrowed_pattern_finds_what_the_full_pattern_finds(rule) -> None:  # type: ignore[no-untyped-def]
    for text in [*_tricky_texts(), *_case_texts()]:
        narrowed = rule.regex_among(rule.names_found(text))
        assert _spans(narrowed, text) == _spans(rule.regex, text), (rule.id, text[:200])


@pytest.mark.parametrize("rule", NAMED, ids=[r.id for r in NAMED])
def test_a_rule_finds_what_a_full_search_finds(rule) -> None:  # type: ignore[no-untyped-def]
    """Screened, narrowed, tried at line starts or where names start, then (after a few
    texts) with the full pattern: the matches of `finditer` with the full pattern."""
    from provenance.detect.attribution import _line_starts, _matches

    for text in [*_tricky_texts(), *_case_texts()]:
        found = [(m.span(), m.groupdict()) for m in _matches(rule, text, _line_starts(text))]
        assert found == _spans(rule.regex, text), (rule.id, text[:200])


def test_some_narrowed_patterns_find_something() -> None:
    """The comparison above is not between two patterns that never match."""
    texts = _tricky_texts()
    found = sum(bool(r.regex_among(r.names_found(t)).search(t)) for r in NAMED for t in texts)
    assert found > 100


def test_folding_finds_a_name_wherever_re_ignoring_case_does() -> None:
    """Every character there is, against every letter of every name: where re, ignoring
    case, takes the character for the letter, both fold to the same one character."""
    letters = sorted({c for p in publishers() for a in (p.name, *p.aliases) for c in a})
    one_of = re.compile("[" + "".join(re.escape(c) for c in letters) + "]", re.IGNORECASE)
    singles = {c: re.compile(re.escape(c), re.IGNORECASE) for c in letters}
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if 0xD800 <= code <= 0xDFFF or not one_of.fullmatch(char):
            continue
        for letter, single in singles.items():
            if single.fullmatch(char):
                assert fold(char) == fold(letter), (hex(code), letter)


def test_names_in_finds_names_anywhere_in_any_case() -> None:
    found = names_in("xxREUTERSyy and the bbc's reporter")
    assert {"Reuters", "BBC"} <= found
    assert "CNN" not in found
    assert names_in("") == frozenset()


@pytest.mark.parametrize(
    ("pattern", "ignores"),
    [
        ("(?i)by {PUBLISHER}", True),
        ("(?im)by {PUBLISHER}", True),
        ("(?:(?i:told|asked by))\\s+{PUBLISHER}\\b", False),
        ("(?i:according to (?:the )?{PUBLISHER})", True),
        ("(?i:according to (?-i:{PUBLISHER}))", False),
        ("(?i:a)[(]{PUBLISHER}", False),
        ("\\((?i:a)\\){WIRE}", False),
        ("^\\s*{PUBLISHER}\\s*$", False),
    ],
)
def test_a_name_ignores_case_where_its_pattern_says_so(pattern: str, ignores: bool) -> None:
    assert _name_ignores_case(pattern) is ignores


def test_a_rule_ignoring_case_is_narrowed_to_names_in_any_case() -> None:
    """Today's wordings all match names with case; one that ignores case keeps the names
    its text holds in another case."""
    rule = AttributionRule(
        id="test-ignoring-case",
        kind="mention",
        language="en",
        pattern="(?i)according to (?:the )?{PUBLISHER}",
        example="",
        source="",
        screen_pattern="x",
    )
    for text in ["ACCORDING TO THE ASSOCIATED PRESS", "according to reuters, said", "according to"]:
        assert _spans(rule.regex_among(rule.names_found(text)), text) == _spans(rule.regex, text)
    assert rule.regex.search("according to reuters")

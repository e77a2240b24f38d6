"""Edit kinds, one word-level change at a time (provenance/edits.py)."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provenance.edits import (
    _WORD_TOKEN_RE,
    Side,
    _ascii_word_tokens,
    _word_counts,
    detect_language,
    edit_kind,
)
from provenance.models import EditKind

S, NUM, NEG, NAME, MOD, WORD = (
    EditKind.STYLE,
    EditKind.NUMBER,
    EditKind.NEGATION,
    EditKind.NAME,
    EditKind.MODALITY,
    EditKind.WORDING,
)

# (original span, copy span, words before, words after, language, kind)
TABLE = [
    ("said", "stated", "the company", "on", "en", S),
    ("pct", "percent", "rose 5", "to", "en", S),
    ("5%", "5 percent", "rose", "to", "en", S),
    ("$5m", "5 mln dlrs", "profit of", "in", "en", S),
    ("five million dollars", "$5 million", "profit of", "in", "en", S),
    ("1,000", "1000", "about", "people", "en", S),
    ("1.000", "1000", "etwa", "Menschen", "de", S),
    ("cinco", "5", "", "personas", "es", S),
    ("did not", "didn't", "he", "say", "en", S),
    ("labor", "labour", "the", "party", "en", S),
    ("Mr.", "", "said", "Rutte", "en", S),
    ("Rutte's", "Rutte", "said", "office", "en", S),
    ("on Tuesday", "yesterday", "said", "that", "en", S),
    ("here", "in Islamabad", "said", "on", "en", S),
    ("3-year-old", "three-year-old", "a", "boy", "en", S),
    ("well-known", "well known", "a", "case", "en", S),
    ("Feb. 12", "12th February", "on", "the", "en", S),
    ("Smith beat Jones", "Jones beat Smith", "", "in", "en", WORD),
    ("5", "50", "$", "million", "en", NUM),
    ("2024", "2025", "in", "the", "en", NUM),
    ("Monday", "Tuesday", "said on", "that", "en", NUM),
    ("5 million", "5 billion", "cost", "dollars", "en", NUM),
    ("not", "", "Trump had", "broached the", "en", NEG),
    ("never", "", "he had", "visited", "en", NEG),
    ("", "not", "it was", "approved", "en", NEG),
    ("", "nicht", "er hat", "gesagt", "de", NEG),
    ("", "no", "el gobierno", "aprobó", "es", NEG),
    ("Smith", "Jones", "said", "on", "en", NAME),
    ("", "Jones", "the minister", "said", "en", NAME),
    ("will", "may", "the bank", "raise", "en", MOD),
    ("alleged", "convicted", "the", "killer", "en", MOD),
    ("plans to", "has agreed to", "the company", "buy", "en", MOD),
    ("reportedly", "", "the firm", "cut", "en", MOD),
    ("big", "large", "a", "deal", "en", WORD),
    ("the minister", "", "said", "on", "en", WORD),
]


@pytest.mark.parametrize(
    ("original", "copy", "before", "after", "language", "kind"),
    TABLE,
    ids=[f"{o or '_'}->{c or '_'}" for o, c, *_ in TABLE],
)
def test_edit_kind(
    original: str, copy: str, before: str, after: str, language: str, kind: EditKind
) -> None:
    got = edit_kind(Side(original, before, after), Side(copy, before, after), language)
    assert got is kind


def test_a_surname_only_form_is_not_a_name_change() -> None:
    original = Side("Joe", "said President", "Biden on", "said President Joe Biden on Monday")
    copy = Side("", "said President", "Biden on", "said President Biden on Monday")
    assert edit_kind(original, copy) is not EditKind.NAME


def test_a_name_the_original_paragraph_already_holds_is_no_new_name() -> None:
    paragraph = "Anna Weber leads the council. On Monday she said the plan was ready."
    original = Side("she", "On Monday", "said the", paragraph)
    copy = Side("Weber", "On Monday", "said the", paragraph.replace(" she ", " Weber "))
    assert edit_kind(original, copy) is not EditKind.NAME


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The minister said the talks were at an impasse for now.", "en"),
        ("El ministro dijo que las negociaciones están en un punto muerto por ahora.", "es"),
        ("Le ministre a dit que les négociations sont dans une impasse pour le moment.", "fr"),
        ("Der Minister sagte, die Gespräche seien derzeit in einer Sackgasse.", "de"),
        ("O ministro disse que as negociações estão num impasse por enquanto.", "pt"),
        ("Il ministro ha detto che i negoziati sono in una fase di stallo per ora.", "it"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


_SIGNIFICANT = "'\u2019%$\u20ac\u00a3\u00a5"


@given(
    st.text(alphabet=st.sampled_from("abcXYZ09 '%$-\u2019\u00e9\u00c9\u00a3\u0131"), max_size=12),
    st.text(max_size=12),
)
def test_plain_edit_reads_ascii_and_unicode_text_alike(original: str, copy: str) -> None:
    """The ASCII fast path of plain_edit says what the character-by-character rule says."""
    from provenance.edits import _may_hold_number_words, plain_edit

    text = f"{original} {copy}"
    reference = not any(c.isdigit() or c.isupper() or c in _SIGNIFICANT for c in text)
    assert plain_edit(original, copy) == (reference and not _may_hold_number_words(text))


@given(st.text(alphabet=st.sampled_from("ab \u00e9'\u2019.,5$%-_\u00df"), max_size=30))
def test_word_tokens_are_the_word_tokens_of_the_full_tokenizer(text: str) -> None:
    """Languages are counted on word tokens found alone: the same ones the full tokenizer
    (numbers and currency signs as well) finds."""
    from provenance.edits import _TOKEN_RE, _WORD_TOKEN_RE

    words = [t for t in _TOKEN_RE.findall(text) if not (t[0].isdigit() or t in "$€£¥%")]
    assert _WORD_TOKEN_RE.findall(text) == words


@given(st.sampled_from(["labour", "Colour", "analyse", "grey", "centre", "word"]) | st.text())
def test_american_reads_breames_table_as_breame_does(word: str) -> None:
    from breame.spelling import get_american_spelling

    from provenance.edits import american

    expected = str(get_american_spelling(word)) if word.isalpha() else word
    assert american(word) == expected


@given(st.text(alphabet=st.sampled_from("abZ '.,5_-\u00e9"), max_size=30))
def test_ascii_word_tokens_are_the_word_tokens(text: str) -> None:
    from provenance.edits import _ASCII_WORD_TOKEN_RE, _WORD_TOKEN_RE

    sample = text.casefold()
    if sample.isascii():
        assert _ASCII_WORD_TOKEN_RE.findall(sample) == _WORD_TOKEN_RE.findall(sample)


def _reference_ranked_languages(text: str) -> list[tuple[str, int]]:
    """Languages ranked as before the fast paths: every token of the sample, accents
    stripped, looked up in each language's function words."""
    from collections import Counter

    from provenance.edits import (
        _TOKEN_RE,
        LANGUAGE_SAMPLE_CHARS,
        _lexicon,
        _strip_accents,
    )

    tokens = Counter(
        _strip_accents(t) for t in _TOKEN_RE.findall(text[:LANGUAGE_SAMPLE_CHARS].casefold())
    )
    scores = {lang: sum(tokens[w] for w in words) for lang, words in _lexicon().stopwords.items()}
    return sorted(scores.items(), key=lambda item: (-item[1], item[0] != "en"))


@given(
    st.lists(
        st.sampled_from(
            [
                "the",
                "and",
                "de",
                "la",
                "der",
                "und",
                "il",
                "não",
                "nao",
                "más",
                "mas",
                "é",
                "e",
                "à",
                "a",
                "über",
                "uber",
                "ß",
                "l'",
                "d\u2019",
                "qu'il",
                "don\u2019t",
                "\u201cthe\u201d",
                "\u2014",
                "\u2013",
                "\u2026",
                "\u00a0",
                "\u2018la",
                "caf\u00e9",
                "5",
                "Die",
                "È",
                "5,000",
                " ",
            ]
        ),
        max_size=40,
    ).map("".join)
    | st.text(max_size=60)
)
def test_languages_are_ranked_as_the_reference_ranks_them(text: str) -> None:
    from provenance.edits import _ranked_languages

    assert _ranked_languages.__wrapped__(text) == _reference_ranked_languages(text)


@given(st.text(alphabet=st.sampled_from("azAZ09' .,\n\t-_`\x00~"), max_size=40))
def test_ascii_word_tokens_are_the_pattern_s_tokens(text: str) -> None:
    assert _ascii_word_tokens(text) == re.findall(r"[a-z]+(?:'[a-z]+)*", text)


@given(
    st.text(
        alphabet=st.sampled_from("az' .,\n1_\u00e9\u00fc\u00df\u00a3\u2019-\u00e0"), max_size=40
    )
)
def test_word_counts_are_the_counts_of_the_pattern_s_tokens(text: str) -> None:
    kept = {"a", "ab", "za", "\u00e9", "a\u00e9"}
    counts, accented = _word_counts(text, kept)
    assert counts == Counter(t for t in _WORD_TOKEN_RE.findall(text) if t in kept)
    every = _WORD_TOKEN_RE.findall(text)
    assert {t for t in every if not t.isascii()} <= accented.keys()  # every accented token

"""The anchor index: what a translation keeps of an article, to find its original by.

A translation rewords every sentence, so it shares no word 5-shingle with its original
and the MinHash index cannot find it. What it keeps are the story's anchors: numbers and
names (people, places, agencies, acronyms). Each stored version whose language is sure
(`edits.sure_language`) is indexed by the distinct anchors of its title and lead
(`LEAD_CHARS`) in an FTS5 table, `anchor_index` (rowid = version id; a `language` column
and a `terms` column; contentless: versions are never deleted). A lookup asks for the
versions in another language than the copy's that share the most of the copy's anchors,
ranked by BM25 (rare anchors weigh more), and verifies each by the share of the copy's
anchors it holds.

The anchors here are a cheap, coarse form of `edits.anchors` (a regular expression, no
number words, no phrase folding): they only choose candidates. Whether a candidate is the
original is decided later, by the translation alignment (align/translation.py) and its
verdict (score/translation.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ..edits import LANGUAGES, sure_language

# Stored in meta('anchor_scheme'): an archive indexed with another scheme is reindexed.
ANCHOR_SCHEME = "anchors-1"
ANCHOR_DDL = (
    """CREATE VIRTUAL TABLE anchor_index USING fts5 (
        language, terms, content = '', detail = column,
        tokenize = 'unicode61 remove_diacritics 2'
    )""",
)
# Anchors are taken from the title and this many characters of the text (at least the first
# paragraph): a translation, whole or partial, starts with the lead, and the cost of an
# import stays bounded for long articles.
LEAD_CHARS = 3_000
# The language is told from the start of the text, as the alignment does.
_LANGUAGE_PARAGRAPHS = 20
# At most this many of a copy's anchors go into a query (numbers and longer names first).
MAX_QUERY_TERMS = 48
# A name: a capitalised word of three letters or more that does not open a sentence (or
# the paragraph; see `_opens_sentence`); a number: digits with their separators (dropped:
# "5,000" = "5.000").
_ANCHOR_RE = re.compile(r"\b(?:([A-ZÀ-ÖØ-Þ][^\W\d_]{2,})|(\d[\d.,]*\d))")
_SEPARATORS_RE = re.compile(r"[.,]")
_BEFORE_WORD = " \t\"'\u201c\u2018\u00ab\u201e(["
_SENTENCE_END = ".!?"
# Characters of a text its language is told from (enough function words for a sure call).
_LANGUAGE_CHARS = 1_000


def language_of(texts: Sequence[str]) -> str | None:
    """The language of a text (its paragraphs) when it is sure, else None."""
    return sure_language(" ".join(texts[:_LANGUAGE_PARAGRAPHS])[:_LANGUAGE_CHARS])


def index_terms(title: str | None, texts: Sequence[str]) -> list[str]:
    """The distinct anchors of a title and the lead of a text, casefolded, sorted."""
    found: set[str] = set()
    for text in _lead(([title] if title else []) + list(texts), LEAD_CHARS):
        for match in _ANCHOR_RE.finditer(text):
            name, number = match.groups()
            if number:
                found.add(_SEPARATORS_RE.sub("", number))
            elif not _opens_sentence(text, match.start()):
                found.add(name.casefold())
    return sorted(found)


def _opens_sentence(text: str, start: int) -> bool:
    """Whether the word at `start` opens the text or a sentence (after quotes, brackets)."""
    j = start
    while j > 0 and text[j - 1] in _BEFORE_WORD:
        j -= 1
    return j == 0 or (j < start and text[j - 1] in _SENTENCE_END)


def _lead(texts: Iterable[str], budget: int) -> Iterable[str]:
    for text in texts:
        yield text
        budget -= len(text)
        if budget <= 0:
            return


def anchor_query(terms: Sequence[str], language: str) -> str | None:
    """An FTS5 query for versions in a language other than `language` holding any of
    `terms` (the first MAX_QUERY_TERMS by `_weight`), or None when there are none."""
    chosen = sorted(terms, key=lambda t: (-_weight(t), t))[:MAX_QUERY_TERMS]
    words = [t for t in chosen if t.isalnum()]
    others = [lang for lang in LANGUAGES if lang != language]
    if not words or not others:
        return None
    return (
        "{terms} : (" + " OR ".join(f'"{w}"' for w in words) + ")"
        " AND {language} : (" + " OR ".join(others) + ")"
    )


def _weight(term: str) -> int:
    """Numbers of four digits or more (amounts, years) and long names first."""
    return len(term) + (4 if term.isdigit() and len(term) >= 4 else 0)


def other_languages_query(language: str) -> str:
    """An FTS5 query for any version in a language other than `language`."""
    return "{language} : (" + " OR ".join(x for x in LANGUAGES if x != language) + ")"

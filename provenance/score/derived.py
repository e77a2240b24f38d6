"""How much of the copy comes from the original, read from the sentence links of align.

* derived   share of the copy's words in sentences that come from the original (literal
            or reworded links); page furniture and short lines weigh less (`weight`).
* literal   the same with literal links only: text kept word for word or edited.
* runs      share of the copy's words inside runs of `RUN_WORDS` or more words found in
            the original, wherever they stand (word n-gram containment): what a copy keeps
            word for word, however it regroups sentences. A spinner's copy, which replaces
            every other content word, keeps few such runs.
* ordered   the share of the copy's words in linked sentences that also follow the
            original's order (a longest increasing run of original positions, weighted by
            words): a paraphrase follows the original sentence by sentence, independent
            reports of one event share a few sentences' worth of facts in any order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, compress, repeat
from operator import and_
from typing import TypeVar

from ..align import heaviest_chain
from ..models import Alignment, SentenceLink
from ..text import quote_mask, text_words, words_by_token

__all__ = [
    "LONG_RUN_WORDS",
    "RUN_WORDS",
    "Derivation",
    "derivation",
    "run_shares",
    "shared_runs",
]


RUN_WORDS = 3
# Runs this long are kept word for word: a spinner's synonyms break them.
LONG_RUN_WORDS = 5

_T = TypeVar("_T")
# Marks that may stand before a capital (a name in quotes or brackets).
_OPENING_MARKS = "\"'\u201c\u2018(\u00ab\u201e"


@dataclass(frozen=True)
class Derivation:
    derived: float
    literal: float
    ordered: float
    reworded_ordered: float
    runs: float = 0.0


def shared_runs(copy: Sequence[str], original: Sequence[str], n: int = RUN_WORDS) -> float:
    """Share of the copy's words inside word runs of `n` words also in the original.

    Words inside quotation marks are left out (independent reports quote the same
    statement), and so are runs made of names and numbers alone ("Mr Justice Smith").
    """
    return run_shares(copy, original, (n,))[0]


def run_shares(
    copy: Sequence[str], original: Sequence[str], lengths: Sequence[int] = (RUN_WORDS,)
) -> tuple[float, ...]:
    """`shared_runs` for each run length of `lengths`, both sides read once for all.

    Runs of the original stay within its paragraphs; the copy is read as one sequence.
    """
    keys: list[str] = []
    plain: list[bool] = []
    quoted: list[bool] = []
    known: dict[str, tuple[str, ...]] = {}  # a paragraph both sides hold is read once
    for text in copy:
        text_keys, text_plain, text_quoted = _tokens(text)
        keys += text_keys
        plain += text_plain
        quoted += text_quoted
        known[text] = text_keys
    counted = quoted.count(False)
    if not counted:
        return tuple(0.0 for _ in lengths)
    original_keys = [known[text] if text in known else _keys(text) for text in original]
    unquoted = [not q for q in quoted]
    return tuple(
        round(_covered_words(keys, plain, unquoted, original_keys, n) / counted, 4) for n in lengths
    )


def _covered_words(
    keys: list[str],
    plain: list[bool],
    unquoted: list[bool],
    original_keys: list[tuple[str, ...]],
    n: int,
) -> int:
    """How many unquoted copy words stand in a run of `n` words of the original that
    holds a plain word (each word once, however many runs cover it)."""
    grams: set[tuple[str, ...]] = set()
    for text_keys in original_keys:
        grams.update(_ngrams(text_keys, n))
    # starts[i]: a shared run with a plain word starts at copy word i
    starts = list(map(and_, map(grams.__contains__, _ngrams(keys, n)), map(any, _ngrams(plain, n))))
    # word j is covered when a run starts at one of the n words ending at j
    pad = [False] * (n - 1)
    covered = map(any, _ngrams(pad + starts + pad, n))
    return sum(compress(covered, unquoted))


@lru_cache(maxsize=4_096)
def _keys(text: str) -> tuple[str, ...]:
    """Word keys of `text` (`_tokens`'s first part, without the flags)."""
    return tuple(text_words(text))


@lru_cache(maxsize=4_096)
def _tokens(text: str) -> tuple[tuple[str, ...], tuple[bool, ...], tuple[bool, ...]]:
    """Word keys of `text`, whether each is a plain word (not a name or number), and
    whether it stands inside quotation marks (memoised: a copy shares most paragraphs
    with its original, and a located original is scored once as a candidate and again)."""
    display = text.split()
    found = words_by_token(text)
    keys = tuple(chain.from_iterable(found))
    plain = tuple(
        not (token.lstrip(_OPENING_MARKS)[:1].isupper() or w[:1].isdigit())
        for token, token_keys in zip(display, found, strict=True)
        for w in token_keys
    )
    counts = map(len, found)
    quoted = tuple(chain.from_iterable(map(repeat, quote_mask(display), counts)))
    return keys, plain, quoted


def _ngrams(tokens: Sequence[_T], n: int) -> Iterable[tuple[_T, ...]]:
    return zip(*(tokens[i:] for i in range(n)), strict=False)


def derivation(
    alignment: Alignment, weight: Callable[[int], float], skip: Iterable[int] = ()
) -> Derivation:
    """Shares of the copy's (weighted) words that come from the original; copy paragraphs
    in `skip` (text past the end of a cut-off original) are left out.

    `derived` counts literal links wherever they stand and reworded links only where they
    follow the original's order: a reworded sentence on its own is as likely an
    independent report of the same fact.
    """
    skipped = set(skip)
    total = sum(
        weight(p) * sum(words)
        for p, words in alignment.copy_sentence_words.items()
        if p not in skipped
    )
    if not total:
        return Derivation(0.0, 0.0, 0.0, 0.0)
    links = [k for k in alignment.sentence_links if k.copy_paragraph not in skipped]
    chain = _ordered_chain(links, weight)
    literal = [k for k in links if k.literal]
    in_order_reworded = [k for k in chain if not k.literal]
    reworded_chain = _ordered_chain(links, weight, literal=False)
    return Derivation(
        derived=_share(_words(literal + in_order_reworded, weight), total),
        literal=_share(_words(literal, weight), total),
        ordered=_share(_words(chain, weight), total),
        reworded_ordered=_share(_words(reworded_chain, weight), total),
    )


def _share(part: float, total: float) -> float:
    return round(min(1.0, part / total), 4)


def _words(links: list[SentenceLink], weight: Callable[[int], float]) -> float:
    seen = {(k.copy_paragraph, k.copy_sentence): k for k in links}
    return sum(weight(k.copy_paragraph) * k.copy_words for k in seen.values())


def _ordered_chain(
    links: list[SentenceLink], weight: Callable[[int], float], *, literal: bool = True
) -> list[SentenceLink]:
    """The heaviest run of copy sentences whose original positions increase (each copy
    sentence by its first link; without `literal`, reworded links only)."""
    first: dict[tuple[int, int], SentenceLink] = {}
    for k in links:
        if literal or not k.literal:
            first.setdefault((k.copy_paragraph, k.copy_sentence), k)
    items = sorted(first.values(), key=lambda k: (k.copy_paragraph, k.copy_sentence))
    positions = sorted({(k.original_paragraph, k.original_sentence) for k in items})
    rank = {position: r for r, position in enumerate(positions)}
    return heaviest_chain(
        items,
        lambda k: k.copy_paragraph * 1_000_000 + k.copy_sentence,
        lambda k: rank[k.original_paragraph, k.original_sentence],
        lambda k: weight(k.copy_paragraph) * k.copy_words,
    )

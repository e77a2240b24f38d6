"""Sentences under the paragraph map: which copy sentence comes from which original one.

Newspapers stitch, split and merge a wire story's sentences into paragraphs of their own,
so a copy paragraph may draw on several original paragraphs and the other way round. Each
copy sentence is compared with the original sentences that share an informative word
bigram or two rare content words with it (an inverted index, so the cost grows with the
text, not with its square):

* literal    the character ratio of the two sentences is at least `edited_threshold`, or
             `_MIN_CONTAINMENT` of the shorter one's informative bigrams stand in the
             longer one (a sentence cut short, or two merged into one);
* reworded   the two (or the copy sentence and two consecutive original sentences, which a
             paraphrase often merges) share `rewritten_threshold` (Dice) of their content
             words' lemmas, names and numbers left out: independent reports of one event
             share names, numbers and quotes, a paraphrase keeps the rest of the vocabulary.

A copy sentence keeps every literal link (a merged sentence has two sources) or else its
best reworded one. Sentences of fewer than `_MIN_WORDS` words are not linked (a dateline,
"He declined to comment.").
"""

from __future__ import annotations

import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from ..edits import american
from ..models import Paragraph, SentenceLink
from ..settings import Settings
from ..text import comparison_key, lemma, sentences
from ._fuzz import fuzz

__all__ = ["link_sentences", "sentence_words"]

_MIN_WORDS = 4
# Paragraphs are split into sentences on their first this many characters.
MAX_SENTENCE_CHARS = 50_000
_MIN_CONTAINMENT = 0.6
# At most this many candidate original sentences are scored per copy sentence.
_MAX_CANDIDATES = 8
# A bigram or word found in more original sentences than this names no candidate.
_MAX_POSTINGS = 50
# Reworded links need this many content words on each side.
_MIN_CONTENT = 4
_WORD_RE = re.compile(r"\w+(?:[.,']\w+)*")
_NAME_RE = re.compile(r"^[A-ZÀ-ÖØ-Þ]")
_FUNCTION_WORDS = frozenset(
    """a about after against all also an and any are as at be been before being but by can
    could did do does for from had has have he her here him his how i if in into is it its
    just more most no not of on one or our out over said says she so some than that the
    their them then there these they this those to up was we were what when where which
    while who will with would you your el la los las de del y en que un una por con para
    le les des et du au est pour dans sur der die das und den ist mit von zu o os as um uma
    para com il lo gli di che per non""".split()  # noqa: SIM905
)


@dataclass(frozen=True)
class _Sentence:
    paragraph: int
    index: int
    key: str
    n_words: int
    bigrams: frozenset[tuple[str, str]]
    content: frozenset[str]


def link_sentences(
    copy: Sequence[Paragraph],
    original: Sequence[Paragraph],
    settings: Settings,
    language: str,
    deadline: float,
    notes: list[str],
) -> tuple[SentenceLink, ...]:
    """Every copy sentence's link(s) to the original sentences it comes from, in copy order.

    Paragraphs whose comparison keys are equal link sentence for sentence without scoring.
    Stops with a note in `notes` when `deadline` (a time.monotonic value) has passed.
    Raises nothing for any text.
    """
    if time.monotonic() > deadline:
        return ()
    originals = [s for p in original for s in _split(p, language)]
    same = {comparison_key(p.text): p.index for p in original}
    links: list[SentenceLink] = []
    index = _Index(originals)
    for p in copy:
        if time.monotonic() > deadline:
            notes.append(
                f"time budget spent; sentences from copy paragraph {p.index} on not linked"
            )
            break
        twin = same.get(comparison_key(p.text))
        split = _split(p, language)
        if twin is not None:
            links += [
                SentenceLink(p.index, s.index, twin, s.index, 1.0, True, s.n_words) for s in split
            ]
            continue
        for s in split:
            links += _links_of(s, index, settings)
    return tuple(links)


def sentence_words(paragraphs: Iterable[Paragraph], language: str) -> dict[int, tuple[int, ...]]:
    """Words per sentence of each paragraph, by paragraph index."""
    return {p.index: tuple(s.n_words for s in _split(p, language)) for p in paragraphs}


def _split(p: Paragraph, language: str) -> list[_Sentence]:
    out = []
    for i, text in enumerate(sentences(p.text[:MAX_SENTENCE_CHARS], language)):
        key = comparison_key(text)
        toks = _WORD_RE.findall(key)
        bigrams = frozenset(
            bg
            for bg in pairwise(toks)
            if bg[0] not in _FUNCTION_WORDS or bg[1] not in _FUNCTION_WORDS
        )
        content = _content_words(text, language)
        out.append(_Sentence(p.index, i, key, len(toks), bigrams, content))
    return out


def _content_words(text: str, language: str) -> frozenset[str]:
    """Lemmas of the content words, in US spelling: no function words, names or numbers."""
    found = set()
    for k, token in enumerate(text.split()):
        word = token.strip(".,;:!?\"'()[]\u201c\u201d\u2018\u2019\u00ab\u00bb\u2014-")
        if not word or (k and _NAME_RE.match(word)) or any(c.isdigit() for c in word):
            continue
        key = word.casefold()
        if len(key) > 2 and key not in _FUNCTION_WORDS:
            found.add(american(lemma(key, language)))
    return frozenset(found)


class _Index:
    """Original sentences by informative bigram and by content word."""

    def __init__(self, originals: list[_Sentence]) -> None:
        self.sentences = originals
        self.by_bigram: defaultdict[tuple[str, str], list[int]] = defaultdict(list)
        self.by_word: defaultdict[str, list[int]] = defaultdict(list)
        for k, s in enumerate(originals):
            for bg in s.bigrams:
                self.by_bigram[bg].append(k)
            for w in s.content:
                self.by_word[w].append(k)

    def candidates(self, s: _Sentence) -> list[tuple[int, int]]:
        """(original sentence, shared bigrams) of the most promising candidates."""
        shared: Counter[int] = Counter()
        for bg in s.bigrams:
            hits = self.by_bigram.get(bg, ())
            if len(hits) <= _MAX_POSTINGS:
                shared.update(hits)
        words: Counter[int] = Counter()
        for w in s.content:
            hits = self.by_word.get(w, ())
            if len(hits) <= _MAX_POSTINGS:
                words.update(hits)
        pool = set(shared) | {k for k, n in words.items() if n >= 2}
        ranked = sorted(pool, key=lambda k: (-shared[k], -words[k], k))[:_MAX_CANDIDATES]
        return [(k, shared[k]) for k in ranked]


def _links_of(s: _Sentence, index: _Index, settings: Settings) -> list[SentenceLink]:
    if s.n_words < _MIN_WORDS:
        return []
    literal: list[SentenceLink] = []
    best: tuple[float, int, int] | None = None
    for k, n_shared in index.candidates(s):
        o = index.sentences[k]
        if o.n_words < _MIN_WORDS:
            continue
        ratio = fuzz.ratio(s.key, o.key) / 100
        shorter = min(len(s.bigrams), len(o.bigrams))
        contain = n_shared / shorter if shorter else 0.0
        if ratio >= settings.edited_threshold or contain >= _MIN_CONTAINMENT:
            similarity = round(max(ratio, contain), 4)
            literal.append(
                SentenceLink(
                    s.paragraph, s.index, o.paragraph, o.index, similarity, True, s.n_words
                )
            )
            continue
        for span in (1, 2):
            sources = index.sentences[k : k + span]
            content = frozenset().union(*(x.content for x in sources))
            dice = _dice(s.content, content)
            if dice >= settings.rewritten_threshold and (best is None or dice > best[0]):
                best = (dice, k, len(sources))
    if literal:
        return sorted(literal, key=lambda link: (link.original_paragraph, link.original_sentence))
    if best is None:
        return []
    dice, k, span = best
    return [
        SentenceLink(s.paragraph, s.index, o.paragraph, o.index, round(dice, 4), False, s.n_words)
        for o in index.sentences[k : k + span]
    ]


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    if len(a) < _MIN_CONTENT or len(b) < _MIN_CONTENT:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))

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
             words' stems, names and numbers left out: independent reports of one event
             share names, numbers and quotes, a paraphrase keeps the rest of the vocabulary.

A copy sentence keeps every literal link (a merged sentence has two sources) or else its
best reworded one. Sentences of fewer than `_MIN_WORDS` words are not linked (a dateline,
"He declined to comment.").
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from functools import cache, lru_cache, partial
from itertools import pairwise, product

from ..edits import american
from ..models import Paragraph, SentenceLink
from ..settings import Settings
from ..text import comparison_key, key_once, key_words, sentences, stems
from ._fuzz import fuzz
from ._postings import Hashes, Postings, compact, distinct

__all__ = ["link_sentences"]

_MIN_WORDS = 4
# Paragraphs are split into sentences on their first this many characters.
MAX_SENTENCE_CHARS = 50_000
_MIN_CONTAINMENT = 0.6
# At most this many candidate original sentences are scored per copy sentence.
_MAX_CANDIDATES = 8
# A bigram or word found in more original sentences than this names no candidate.
_MAX_POSTINGS = 50
# An index of the original's sentences holds every bigram up to this many sentences;
# beyond, only those the copy's sentences can ask for (memory, not results).
_SMALL_INDEX = 1_000
# Reworded links need this many content words on each side.
_MIN_CONTENT = 4
# Stripped from both ends of a token before it is read as a content word.
_PUNCTUATION = ".,;:!?\"'()[]\u201c\u201d\u2018\u2019\u00ab\u00bb\u2014-"
# A word starting with one of these inside a sentence is a name.
_CAPITALS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞ")
_FUNCTION_WORDS = frozenset(
    """a about after against all also an and any are as at be been before being but by can
    could did do does for from had has have he her here him his how i if in into is it its
    just more most no not of on one or our out over said says she so some than that the
    their them then there these they this those to up was we were what when where which
    while who will with would you your el la los las de del y en que un una por con para
    le les des et du au est pour dans sur der die das und den ist mit von zu o os as um uma
    para com il lo gli di che per non""".split()  # noqa: SIM905
)


Ratio = Callable[[str, str], float]


def _rapidfuzz_ratio(a: str, b: str) -> float:
    return float(fuzz.ratio(a, b)) / 100


@cache
def _function_pairs() -> frozenset[int]:
    """Hashes of every bigram of two function words."""
    return frozenset(hash(pair) for pair in product(_FUNCTION_WORDS, repeat=2))


class _Sentence:
    """One sentence of a paragraph; its informative bigrams are read off its key when an
    index or a containment first needs them (a sentence kept word for word never does)."""

    __slots__ = ("_bigrams", "_content", "compact", "index", "key", "n_words", "paragraph", "text")

    def __init__(
        self, paragraph: int, index: int, text: str, key: str, n_words: int, compact: bool
    ) -> None:
        self.paragraph, self.index, self.text, self.key = paragraph, index, text, key
        self.n_words, self.compact = n_words, compact
        self._bigrams: Hashes | None = None
        self._content: frozenset[int] | None = None

    @property
    def bigrams(self) -> Hashes:
        """Hashes of the informative bigrams, each once (as in the paragraph aligner)."""
        if self._bigrams is None:
            pairs = map(hash, pairwise(key_words(self.key)))
            self._bigrams = distinct(pairs, _function_pairs(), compact=self.compact)
        return self._bigrams

    def content(self, language: str) -> frozenset[int]:
        """The hashes of its content words (`_contents`)."""
        if self._content is None:
            self._content = frozenset(_contents([self.text], language, compact=False)[0])
        return self._content


def link_sentences(
    copy: Sequence[Paragraph],
    original: Sequence[Paragraph],
    settings: Settings,
    language: str,
    deadline: float,
    notes: list[str],
    partners: Mapping[int, int] | None = None,
    ratio: Ratio = _rapidfuzz_ratio,
    original_bigrams: Sequence[Hashes] | None = None,
) -> tuple[tuple[SentenceLink, ...], dict[int, tuple[int, ...]]]:
    """Every copy sentence's link(s) to the original sentences it comes from, in copy order,
    and the words of each copy sentence by paragraph index.

    Paragraphs whose comparison keys are equal link sentence for sentence without scoring.
    A copy paragraph the paragraph map pairs with an original paragraph (`partners`, by
    position in `copy` and `original`) is linked to that paragraph's sentences first; the
    index of all the original's sentences is built only when a sentence finds no source
    there, and only for a sentence that may have one there: one sharing a bigram with the
    original (`original_bigrams`: the informative bigrams of each original paragraph, a
    superset of its sentences'; None when not known) or with content words enough for a
    reworded link. `ratio` is the character similarity in [0, 1] (the benchmark swaps it).
    Stops with a note in `notes` when `deadline` (a time.monotonic value) has passed.
    Raises nothing for any text.
    """
    same = {comparison_key(p.text): p.index for p in original}
    links: list[SentenceLink] = []
    words: dict[int, tuple[int, ...]] = {}
    index: _Index | None = None
    partners = partners or {}
    in_arrays = compact(len(copy) + len(original))
    split_original = _SplitOnce(original, language, in_arrays)
    split_copy = _SplitOnce(copy, language, in_arrays)
    asking = [pos for pos, p in enumerate(copy) if comparison_key(p.text) not in same]
    held = _Held(original_bigrams)
    for pos, p in enumerate(copy):
        counts = tuple(n_words for _, _, n_words in _sentences(p.text, language))
        words[p.index] = counts
        if time.monotonic() > deadline:
            if not notes or "sentences" not in notes[-1]:
                notes.append(f"time budget spent; sentences from copy paragraph {p.index} on "
                             "not linked")  # fmt: skip
            continue
        twin = same.get(comparison_key(p.text))
        if twin is not None:
            links += [SentenceLink(p.index, i, twin, i, 1.0, True, n) for i, n in enumerate(counts)]
            continue
        split = split_copy[pos]
        partner = partners.get(pos)
        theirs = split_original[partner] if partner is not None else []
        local: _Index | None = None
        for i, s in enumerate(split):
            if s.n_words < _MIN_WORDS:
                continue  # too short to link anywhere
            found = _same_place(s, theirs[i], settings, ratio) if len(theirs) == len(split) else []
            if not found and theirs:
                local = local or _Index(theirs, language, in_arrays)
                found = _links_of(s, local, settings, language, ratio, reworded=False)
            if found:
                links += found
                continue
            may_share = held.may_share(s)
            if not may_share and len(s.content(language)) < _MIN_CONTENT:
                continue  # no source anywhere: no bigram in the original, too few words
            if index is None:
                everything = split_original.all()
                asked = None
                if len(everything) > _SMALL_INDEX:
                    asked = partial(_bigrams_asked, split_copy, asking[bisect_left(asking, pos) :])
                index = _Index(everything, language, in_arrays, asked)
            links += _links_of(s, index, settings, language, ratio, may_share=may_share)
    return tuple(links), words


def _bigrams_asked(split_copy: _SplitOnce, positions: list[int]) -> set[int]:
    """The bigrams of the copy sentences at `positions` long enough to be looked up: the
    only ones an index of the original's sentences is ever asked for (a copy kept mostly
    word for word asks for few of the original's)."""
    return {
        bg for pos in positions for s in split_copy[pos] if s.n_words >= _MIN_WORDS
        for bg in s.bigrams
    }  # fmt: skip


class _Held:
    """The informative bigrams the original holds, put together when first asked for."""

    def __init__(self, by_paragraph: Sequence[Hashes] | None) -> None:
        self._by_paragraph = by_paragraph
        self._held: frozenset[int] | None = None

    def may_share(self, s: _Sentence) -> bool:
        """False when no original sentence shares a bigram with `s` (no literal link)."""
        if self._by_paragraph is None:
            return True
        if self._held is None:
            self._held = frozenset().union(*self._by_paragraph)
        return not self._held.isdisjoint(s.bigrams)


def _same_place(s: _Sentence, o: _Sentence, settings: Settings, ratio: Ratio) -> list[SentenceLink]:
    """A literal link to the sentence in the same place of the partner paragraph (an edited
    paragraph keeps its sentences where they were), or none."""
    if s.n_words < _MIN_WORDS or o.n_words < _MIN_WORDS:
        return []
    similar = 1.0 if s.key == o.key else ratio(s.key, o.key)
    if similar < settings.edited_threshold:
        return []
    return [SentenceLink(s.paragraph, s.index, o.paragraph, o.index, round(similar, 4), True,
                         s.n_words)]  # fmt: skip


class _SplitOnce:
    """A text's paragraphs split into sentences, each when first asked for (a sentence's
    bigrams, once read, then serve every paragraph that looks at it)."""

    def __init__(self, paragraphs: Sequence[Paragraph], language: str, compact: bool) -> None:
        self._paragraphs, self._language, self._compact = paragraphs, language, compact
        self._split: dict[int, list[_Sentence]] = {}

    def __getitem__(self, position: int) -> list[_Sentence]:
        if position not in self._split:
            paragraph = self._paragraphs[position]
            self._split[position] = _split(paragraph, self._language, self._compact)
        return self._split[position]

    def all(self) -> list[_Sentence]:
        return [s for position in range(len(self._paragraphs)) for s in self[position]]


def _split(p: Paragraph, language: str, compact: bool) -> list[_Sentence]:
    return [
        _Sentence(p.index, i, text, key, n_words, compact)
        for i, (text, key, n_words) in enumerate(_sentences(p.text, language))
    ]


@lru_cache(maxsize=8_192)
def _sentences(text: str, language: str) -> tuple[tuple[str, str, int], ...]:
    """(text, comparison key, words) of each sentence of a paragraph."""
    out = []
    for sentence in sentences(text[:MAX_SENTENCE_CHARS], language):
        key = key_once(sentence)
        out.append((sentence, key, len(key_words(key))))
    return tuple(out)


def _contents(texts: Sequence[str], language: str, *, compact: bool) -> list[Hashes]:
    """The hashes of each text's content words, each once: Snowball stems, in US spelling,
    of the words that are no function word, name or number (a stem, unlike a dictionary
    lemma, needs no table loaded: a first check pays nothing for it). A word met in many
    texts is spelled and stemmed once. `compact`: arrays (an index of thousands of
    sentences keeps a word in 8 bytes); no memo cache holds them, only the index."""
    words = [_content_words(text) for text in texts]
    unique = list({word: None for found in words for word in found})
    stemmed = stems([american(word) for word in unique], language)
    hashes = dict(zip(unique, map(hash, stemmed), strict=True))
    return [distinct(map(hashes.__getitem__, found), compact=compact) for found in words]


def _content_words(text: str) -> list[str]:
    """The casefolded words of a sentence that may carry content: not function words,
    names (capitalised inside the sentence), numbers or words of two letters or fewer."""
    words = [token.strip(_PUNCTUATION) for token in text.split()]
    kept = [
        word.casefold()
        for k, word in enumerate(words)
        if word
        and (not k or word[0] not in _CAPITALS)
        and (word.isalpha() or not any(map(str.isdigit, word)))
    ]
    return [key for key in kept if len(key) > 2 and key not in _FUNCTION_WORDS]


class _Index:
    """Original sentences by informative bigram and by content word (each index built
    when first asked)."""

    def __init__(
        self,
        originals: list[_Sentence],
        language: str,
        compact: bool,
        asked: Callable[[], set[int]] | None = None,
    ) -> None:
        """`compact`: hashes kept in arrays; `asked`: the only bigrams it will be asked
        for (None: any), told when the bigram index is first needed."""
        self.sentences = originals
        self.language = language
        self._compact = compact
        self._asked = asked
        self._by_bigram: Postings | None = None
        self._by_word: Postings | None = None
        self._contents: list[Hashes] = []

    def content(self, k: int) -> Hashes:
        self.by_word()
        return self._contents[k]

    def by_word(self) -> Postings:
        if self._by_word is None:
            texts = [s.text for s in self.sentences]
            self._contents = _contents(texts, self.language, compact=self._compact)
            self._by_word = Postings(enumerate(self._contents), _MAX_POSTINGS)
        return self._by_word

    def shared_bigrams(self, s: _Sentence) -> Counter[int]:
        """Original sentence -> informative bigrams it shares with `s`."""
        if self._by_bigram is None:
            bigrams = ((k, o.bigrams) for k, o in enumerate(self.sentences))
            asked = self._asked() if self._asked is not None else None
            self._by_bigram = Postings(bigrams, _MAX_POSTINGS, asked)
        return self._by_bigram.shared(s.bigrams)

    def reworded_candidates(self, content: frozenset[int], shared: Counter[int]) -> list[int]:
        """Original sentences sharing bigrams or two rare content words, most first."""
        words = self.by_word().shared(content)
        pool = set(shared) | {k for k, n in words.items() if n >= 2}
        return sorted(pool, key=lambda k: (-shared[k], -words[k], k))[:_MAX_CANDIDATES]


def _links_of(
    s: _Sentence,
    index: _Index,
    settings: Settings,
    language: str,
    ratio: Ratio,
    *,
    reworded: bool = True,
    may_share: bool = True,
) -> list[SentenceLink]:
    """Literal links among the sentences sharing informative bigrams (none looked for
    unless `may_share`: `s` shares none with them); else (unless not `reworded`) the best
    reworded link (content words are compared only then)."""
    if s.n_words < _MIN_WORDS:
        return []
    shared = index.shared_bigrams(s) if may_share else Counter()
    literal: list[SentenceLink] = []
    for k in sorted(shared, key=lambda k: (-shared[k], k))[:_MAX_CANDIDATES]:
        o = index.sentences[k]
        if o.n_words < _MIN_WORDS:
            continue
        similar = ratio(s.key, o.key)
        shorter = min(len(s.bigrams), len(o.bigrams))
        contain = shared[k] / shorter if shorter else 0.0
        if similar >= settings.edited_threshold or contain >= _MIN_CONTAINMENT:
            similarity = round(max(similar, contain), 4)
            literal.append(
                SentenceLink(
                    s.paragraph, s.index, o.paragraph, o.index, similarity, True, s.n_words
                )
            )
    if literal:
        return sorted(literal, key=lambda link: (link.original_paragraph, link.original_sentence))
    return _reworded_link(s, index, settings, language, shared) if reworded else []


def _reworded_link(
    s: _Sentence, index: _Index, settings: Settings, language: str, shared: Counter[int]
) -> list[SentenceLink]:
    """The original sentence (or two consecutive ones) whose content words `s` shares
    most, from `rewritten_threshold` (Dice)."""
    content = s.content(language)
    if len(content) < _MIN_CONTENT:
        return []  # too few content words to share rewritten_threshold of (see _dice)
    best: tuple[float, int, int] | None = None
    for k in index.reworded_candidates(content, shared):
        if index.sentences[k].n_words < _MIN_WORDS:
            continue
        for span in (1, 2):
            joined = frozenset().union(*(index.content(j) for j in range(k, k + span)
                                         if j < len(index.sentences)))  # fmt: skip
            dice = _dice(content, joined)
            if dice >= settings.rewritten_threshold and (best is None or dice > best[0]):
                best = (dice, k, min(span, len(index.sentences) - k))
    if best is None:
        return []
    dice, k, span = best
    return [
        SentenceLink(s.paragraph, s.index, o.paragraph, o.index, round(dice, 4), False, s.n_words)
        for o in index.sentences[k : k + span]
    ]


def _dice(a: frozenset[int], b: frozenset[int]) -> float:
    if len(a) < _MIN_CONTENT or len(b) < _MIN_CONTENT:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))

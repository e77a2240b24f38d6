"""Stage 5: copy paragraphs x original paragraphs -> Alignment.

rapidfuzz is imported in `_fuzz` only. How a pair is judged:

* `ratio`   character similarity of the comparison keys (rapidfuzz `fuzz.ratio` / 100);
* `overlap` Dice coefficient of the two sets of content words (function words removed):
            a paraphrase or a spun copy keeps most content words but few character runs;
* `contain` share of the shorter paragraph's informative word bigrams found in the longer
            one: a paragraph split in two, or several paragraphs merged into one block.

Assignment is order-aware. First the heaviest chain of pairs increasing on both sides (a
sparse weighted LCS solved with a Fenwick tree); then a lone unmatched paragraph on each
side between two chain neighbours is paired when alike (a short heading with a word
changed); then a greedy pass over what is left, best first (those pairs are `moved`); then
the split/merge pass, where the longer side may take part in several pairs (unless the
pairs it already has explain the shorter side's words; an original paragraph of one word,
which has no bigram, joins the copy block both its neighbours went to if the block holds
the word). Under the paragraph map, copy
sentences are linked to the original sentences they come from (`sentences.py`), and
paragraphs left unmatched that share sentences are paired on them. Every copy and original
paragraph appears in at least one ParagraphMatch (`added` / `dropped` when nothing
matched). Each word edit of a pair gets its kind (`provenance/edits.py`). A copy in another
language than its original is aligned on anchors instead (`translation.py`).

Status of a matched pair, from the word diff (Indel opcodes on word lists; punctuation and
quote/dash style never count as a change):
* verbatim   equal comparison keys, or ratio >= verbatim_threshold with no replaced or
             inserted word and no deletion of kind negation or modality (deletions only,
             e.g. a dropped ticker code);
* rewritten  at least `_MIN_SPUN_REPLACEMENTS` one- or two-word replacements that are not
             edits of style only, making up
             `_SPUN_REPLACEMENT_SHARE` of the words (a spinner's synonyms), or a pair found
             by content-word overlap >= rewritten_threshold, or ratio < edited_threshold;
* edited     otherwise. Changed words inside quotation marks go to `quote_changes`.

Thresholds, measured on the 256 synthetic pairs of `benchmarks/bench_align.py` (20
articles): edited paragraphs (3 words replaced) have ratio 0.86-0.98, so verbatim cannot
rest on ratio alone (0.97 still lets a one-word edit through: hence "no replaced word");
spun paragraphs (every second content word replaced) have ratio 0.69-0.90 and overlap
0.44-0.79, unrelated paragraphs' best overlap has median 0.05 and p95 0.13, so
edited_threshold 0.70 and rewritten_threshold 0.40 separate them; the scattered-replacement
rule, not the ratio, tells spinning from editing.

Work is bounded and follows the text, not its square: keys are compared on their first
`_MAX_SCORE_CHARS` characters (with a note); an inverted index of informative bigrams
proposes the pairs worth judging (one path for every size: no full similarity matrix);
scoring stops with a note when `settings.time_budget_seconds` is spent. Deterministic: no
randomness, no threads, every tie broken by position.
"""

from __future__ import annotations

import itertools
import string
import time
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from functools import cache, cached_property, lru_cache
from itertools import filterfalse, pairwise
from typing import NamedTuple

from ..edits import (
    CONTEXT_WORDS,
    LANGUAGE_SAMPLE_CHARS,
    MATERIAL_KINDS,
    Side,
    detect_language,
    edit_kind,
    plain_edit,
    plain_kind,
    sure_language,
)
from ..models import (
    Alignment,
    DiffOp,
    EditKind,
    Paragraph,
    ParagraphMatch,
    SentenceLink,
    SentencePair,
    Status,
)
from ..settings import Settings
from ..text import comparison_key, key_words, quote_mask, words_by_token
from ..text import sentences as split_sentences
from ._chain import heaviest_chain
from ._fuzz import Indel, fuzz, process
from ._postings import Hashes, Postings, compact, distinct
from .sentences import link_sentences
from .translation import align_translation

__all__ = ["align_paragraphs", "heaviest_chain"]

# Keys longer than this are compared on their first part only (ratio is O(n*m/64)).
_MAX_SCORE_CHARS = 50_000
# A bigram repeated this often (occurrences in one side times the other) casts no vote.
_MAX_WINDOW_VOTES = 64
# Pairs sharing less than this share of their informative bigrams get no character ratio.
_MIN_SHARED_SHARE = 0.1
# A bigram found in more original paragraphs than this says nothing about which one matches.
_MAX_POSTINGS = 100
# Split/merge: the shorter side must have this many words and this share of its bigrams
# in the longer side (all of them when it has fewer than _SHORT_PARTIAL_WORDS words).
# Keep _MIN_PARTIAL_WORDS >= 2: a one-word paragraph has no bigram.
_MIN_PARTIAL_WORDS = 2
_SHORT_PARTIAL_WORDS = 6
_MIN_CONTAINMENT = 0.5
# Spinning: at least this many one- or two-word replacements, and this share of the words.
_MIN_SPUN_REPLACEMENTS = 4
_SPUN_REPLACEMENT_SHARE = 0.12
# A copy and an original paragraph alone between two matched neighbours pair up above this.
_MIN_GAP_RATIO = 0.5
# A rewritten pair needs this many content words on each side.
_MIN_CONTENT_WORDS = 3

# English function words: they carry no content, so they do not count as shared content.
# A word list reads best as one string, hence the exemption.
_STOPWORDS = frozenset(
    """a about after against all also an and any are as at be been before being but by can
    could did do does for from had has have he her here him his how i if in into is it its
    just more most no not of on one or our out over said says she so some than that the
    their them then there these they this those to up was we were what when where which
    while who will with would you your""".split()  # noqa: SIM905
)
# Not content words: function words, and words of one character.
_NOT_CONTENT = _STOPWORDS | frozenset(string.ascii_lowercase + string.digits + "_")

_Op = tuple[str, int, int, int, int]
# (copy keys, original keys, settings) -> similarities; below edited_threshold may be 0.
# Matches this short between runs of the longer side's words are chance, not the window.
_STRAY_MATCH_WORDS = 3
_RatioMatrix = Callable[[list[str], list[str], Settings], list[list[float]]]
# Word-level opcodes (tag, src_start, src_end, dest_start, dest_end) of two token lists.
_RawOpcodes = Callable[[list[str], list[str]], list[_Op]]
# A text's language is told from its first paragraphs.
_LANGUAGE_SAMPLE = 20
# Sentences shared by two otherwise unmatched paragraphs pair them from this many words.
_MIN_SENTENCE_PAIR_WORDS = 8


class _Side(NamedTuple):
    """One paragraph prepared for comparison (a named tuple: thousands are made per
    alignment, and a tuple is the cheapest immutable record to make)."""

    pos: int
    number: int  # the Paragraph's index
    text: str
    key: str
    n_words: int
    content: Hashes  # hashes of the content words, each once
    # Hashes of the informative bigrams (not two function words), each once.
    bigrams: Hashes


class _Pair(NamedTuple):
    ci: int
    oj: int
    kind: str  # "full", "partial", "rewritten" or "gap"
    score: float
    ratio: float
    contain: float = 0.0  # bigram containment of the shorter side, 0 if not a split/merge


class _Tokens:
    """A paragraph's words as shown, their comparison keys, which lie inside quotes, and
    (computed when a split or merge first asks) where each informative bigram starts."""

    def __init__(self, text: str) -> None:
        self.display = text.split()
        # A token's words; punctuation-only tokens get "" and so never count as a change.
        self.keys = list(map(" ".join, words_by_token(text)))
        self.quoted = quote_mask(self.display)

    @cached_property
    def bigrams(self) -> dict[tuple[str, str], list[int]]:
        return _positions(self.keys)


def align_paragraphs(
    copy: Sequence[Paragraph], original: Sequence[Paragraph], settings: Settings
) -> Alignment:
    """Align the copy's paragraphs with the original's.

    Returns an Alignment whose matches cover every paragraph of both sides, ordered by the
    copy (dropped originals placed after the copy paragraph that precedes them), and whose
    notes say when paragraphs were truncated for scoring or the time budget ran out.
    Raises nothing for any text input.
    """
    return _align(copy, original, settings)


def _align(
    copy: Sequence[Paragraph],
    original: Sequence[Paragraph],
    settings: Settings,
    ratio_matrix: _RatioMatrix | None = None,
    raw_opcodes: _RawOpcodes | None = None,
    sentence_ratio: Callable[[str, str], float] | None = None,
) -> Alignment:
    """`align_paragraphs`, with optional replacements for the ratio matrix, the word diff
    and the sentence ratio (the benchmark's difflib baseline)."""
    translation = _translation(copy, original)
    if translation is not None:
        matches = align_translation(copy, original, translation)
        return Alignment(matches=tuple(matches), translation=translation)
    deadline = time.monotonic() + settings.time_budget_seconds
    notes: list[str] = []
    copy_sides, orig_sides = _prepare_all(copy, original, notes)
    pairs = _score_pairs(copy_sides, orig_sides, settings, deadline, notes, ratio_matrix)
    chain = heaviest_chain(pairs, lambda p: p.ci, lambda p: p.oj, lambda p: p.score)
    chain = sorted(chain + _gap_pairs(chain, copy_sides, orig_sides), key=lambda p: p.ci)
    moved = _leftover_pairs(pairs, chain)
    partial = _partial_pairs(pairs, chain + moved, copy_sides, orig_sides)
    partial += _merged_words(chain + moved + partial, copy_sides, orig_sides)
    raw = raw_opcodes or _indel_opcodes
    language = detect_language(_sample(original))
    partners = {p.ci: p.oj for p in chain if p.kind in ("full", "gap")}
    links, sentence_words = link_sentences(
        copy,
        original,
        settings,
        language,
        deadline,
        notes,
        partners,
        sentence_ratio or _exact_ratio,
        _whole_bigrams(orig_sides, len(copy_sides)),
    )
    by_pair = _links_by_pair(links, copy_sides, orig_sides)
    partial += _sentence_pairs(by_pair, chain + moved + partial, copy_sides, orig_sides)
    matches = _build_matches(
        copy_sides, orig_sides, chain, moved, partial, settings, raw, language, by_pair
    )
    return Alignment(
        matches=tuple(matches),
        notes=tuple(notes),
        sentence_links=links,
        copy_sentence_words=sentence_words,
    )


def _whole_bigrams(sides: list[_Side], n_copy: int) -> list[Hashes] | None:
    """Each original paragraph's informative bigrams, when they are all of them (a
    paragraph cut for scoring has more) and the alignment is short (their union, a set,
    would cost a long one more memory than the sentence index it can spare)."""
    if compact(n_copy + len(sides)) or any(len(s.key) >= _MAX_SCORE_CHARS for s in sides):
        return None
    return [s.bigrams for s in sides]


def _sample(paragraphs: Sequence[Paragraph]) -> str:
    """The start of a text, to tell its language from."""
    taken: list[str] = []
    size = 0
    for p in paragraphs[:_LANGUAGE_SAMPLE]:
        if size >= LANGUAGE_SAMPLE_CHARS:
            break
        taken.append(p.text)
        size += len(p.text) + 1
    return " ".join(taken)[:LANGUAGE_SAMPLE_CHARS]


def _translation(
    copy: Sequence[Paragraph], original: Sequence[Paragraph]
) -> tuple[str, str] | None:
    """(copy language, original language) when both are sure and differ, else None."""
    copy_language = sure_language(_sample(copy))
    original_language = sure_language(_sample(original))
    if copy_language and original_language and copy_language != original_language:
        return copy_language, original_language
    return None


def _links_by_pair(
    links: tuple[SentenceLink, ...], copy: list[_Side], orig: list[_Side]
) -> dict[tuple[int, int], list[SentenceLink]]:
    """Links grouped by (copy position, original position)."""
    copy_pos = {s.number: s.pos for s in copy}
    orig_pos = {s.number: s.pos for s in orig}
    grouped: dict[tuple[int, int], list[SentenceLink]] = defaultdict(list)
    for link in links:
        grouped[copy_pos[link.copy_paragraph], orig_pos[link.original_paragraph]].append(link)
    return grouped


def _sentence_pairs(
    by_pair: dict[tuple[int, int], list[SentenceLink]],
    taken: list[_Pair],
    copy: list[_Side],
    orig: list[_Side],
) -> list[_Pair]:
    """Restructured reuse: a copy paragraph the paragraph map left unmatched that holds
    sentences of original paragraphs (and an unmatched original paragraph whose sentences
    stand in copy paragraphs), paired on those sentences alone."""
    used_c = {p.ci for p in taken}
    used_o = {p.oj for p in taken}
    paired = {(p.ci, p.oj) for p in taken}
    found: list[_Pair] = []
    for (ci, oj), group in sorted(by_pair.items()):
        literal = [link for link in group if link.literal]
        if not literal or (ci, oj) in paired or (ci in used_c and oj in used_o):
            continue
        words = sum({(k.copy_sentence): k.copy_words for k in literal}.values())
        if words < _MIN_SENTENCE_PAIR_WORDS:
            continue
        score = max(link.similarity for link in literal)
        found.append(_Pair(ci, oj, "sentences", score, score, score))
    return found


@cache
def _stopword_pairs() -> frozenset[int]:
    """Hashes of every bigram of two function words (they say nothing about a match)."""
    return frozenset(hash(pair) for pair in itertools.product(_STOPWORDS, repeat=2))


def _prepare_all(
    copy: Sequence[Paragraph], original: Sequence[Paragraph], notes: list[str]
) -> tuple[list[_Side], list[_Side]]:
    """Both sides prepared; a paragraph the copy kept word for word is prepared once."""
    prepare = _Preparer(notes, compact(len(copy) + len(original)))
    copy_sides = [prepare(p, pos, "copy") for pos, p in enumerate(copy)]
    orig_sides = [prepare(p, pos, "original") for pos, p in enumerate(original)]
    return copy_sides, orig_sides


class _Preparer:
    """Paragraphs made `_Side`s, each text once; `compact`: hashes kept in arrays."""

    def __init__(self, notes: list[str], compact: bool) -> None:
        self._notes, self._compact = notes, compact
        self._seen: dict[str, _Side] = {}

    def __call__(self, p: Paragraph, pos: int, side: str) -> _Side:
        known = self._seen.get(p.text)
        if known is not None:
            return _Side(
                pos, p.index, p.text, known.key, known.n_words, known.content, known.bigrams
            )
        # Normalising never shrinks text to less than half, so twice the cap is enough.
        key = comparison_key(p.text[: 2 * _MAX_SCORE_CHARS])
        if len(key) > _MAX_SCORE_CHARS:
            self._notes.append(
                f"{side} paragraph {p.index} has {len(p.text):,} characters; "
                f"compared on its first {_MAX_SCORE_CHARS:,}"
            )
            key = key[:_MAX_SCORE_CHARS]
        toks = key_words(key)
        # Bigrams are kept as their hashes: about half the memory of word pairs, and a
        # collision of two 64-bit hashes within one alignment is out of reach.
        bigrams = distinct(map(hash, pairwise(toks)), _stopword_pairs(), compact=self._compact)
        words = set(filterfalse(_NOT_CONTENT.__contains__, toks))  # no ASCII one-letter word
        if not key.isascii() and words and min(map(len, words)) == 1:  # a one-letter word
            words = {t for t in words if len(t) > 1}
        content = distinct(map(hash, words), compact=self._compact)
        prepared = _Side(pos, p.index, p.text, key, len(toks), content, bigrams)
        if len(key) < _MAX_SCORE_CHARS:  # a cut paragraph is noted on each side
            self._seen[p.text] = prepared
        return prepared


# --- scoring -------------------------------------------------------------------------


def _score_pairs(
    copy: list[_Side],
    orig: list[_Side],
    settings: Settings,
    deadline: float,
    notes: list[str],
    ratio_matrix: _RatioMatrix | None,
) -> list[_Pair]:
    """Every admissible pair, sorted by (copy position, original position).

    Only pairs sharing an informative bigram (or, for paragraphs without one, alike
    enough in characters) are judged, and only those sharing `_MIN_SHARED_SHARE` of
    their bigrams get a character ratio: the cost follows the text, not its square. A
    `ratio_matrix` (the benchmark's difflib baseline) scores every pair instead.
    """
    if not copy or not orig:
        return []
    index = _bigram_index(orig)
    ratios = None
    if ratio_matrix is not None:
        ratios = ratio_matrix([c.key for c in copy], [o.key for o in orig], settings)
    bare = _BareIndex(orig, settings)
    pairs: list[_Pair] = []
    for c in copy:
        if time.monotonic() > deadline:
            notes.append(
                f"time budget of {settings.time_budget_seconds:g} s spent; copy paragraphs "
                f"from position {c.pos} on were not compared"
            )
            break
        found = index.shared(c.bigrams)
        words = frozenset(c.content)
        alike = bare.alike(c) if ratios is None else {}
        candidates = range(len(orig)) if ratios is not None else sorted({*found, *alike})
        for oj in candidates:
            o, n_shared = orig[oj], found.get(oj, 0)
            if ratios is not None:
                r = ratios[c.pos][oj]
            elif oj in alike:
                r = alike[oj]
            elif n_shared >= _MIN_SHARED_SHARE * min(len(c.bigrams), len(o.bigrams)):
                r = _ratio(c.key, o.key, settings)
            else:
                r = 0.0
            below = r < settings.edited_threshold
            if below and not (n_shared and _related(c, o, n_shared, settings, words)):
                continue  # neither split/merge nor rewrite
            pair = _judge(c, o, r, n_shared, settings, words)
            if pair is not None:
                pairs.append(pair)
    return pairs


class _BareIndex:
    """Original paragraphs without an informative bigram ("Advertisement", "Read more"),
    which the bigram index cannot propose: a copy paragraph without one is compared with
    them on characters (rapidfuzz's extract, above the edited threshold)."""

    def __init__(self, orig: list[_Side], settings: Settings) -> None:
        self._positions = [o.pos for o in orig if not o.bigrams]
        self._keys = [orig[j].key for j in self._positions]
        self._cutoff = 100 * settings.edited_threshold

    def alike(self, c: _Side) -> dict[int, float]:
        if c.bigrams or not self._keys:
            return {}
        return {
            self._positions[k]: score / 100
            for _, score, k in process.extract(
                c.key, self._keys, scorer=fuzz.ratio, score_cutoff=self._cutoff, limit=None
            )
        }


def _bigram_index(orig: list[_Side]) -> Postings:
    """The original's paragraphs by informative bigram (bigrams found in more than
    `_MAX_POSTINGS` of them left out)."""
    return Postings(((o.pos, o.bigrams) for o in orig), _MAX_POSTINGS)


def _ratio(a: str, b: str, settings: Settings) -> float:
    """Character similarity, or 0.0 when below the edited threshold (fast length filter)."""
    return fuzz.ratio(a, b, score_cutoff=100 * settings.edited_threshold) / 100


def _exact_ratio(a: str, b: str) -> float:
    return fuzz.ratio(a, b) / 100


def _judge(
    c: _Side, o: _Side, ratio: float, shared: int, settings: Settings, words: frozenset[int]
) -> _Pair | None:
    """Classify a pair as full, partial (split/merge) or rewritten; None if unrelated.
    `words` are c's content words as a set."""
    contain = _containment(c, o, shared)
    if ratio >= settings.edited_threshold:
        return _Pair(c.pos, o.pos, "full", ratio, ratio, contain)
    if contain:
        return _Pair(c.pos, o.pos, "partial", contain, ratio, contain)
    overlap = _dice(words, o.content)
    if overlap >= settings.rewritten_threshold:
        return _Pair(c.pos, o.pos, "rewritten", overlap, ratio)
    return None


def _related(c: _Side, o: _Side, shared: int, settings: Settings, words: frozenset[int]) -> bool:
    """False when `_judge` would find a pair below the edited threshold neither a
    split/merge nor a rewrite, told without building the pair (most candidates of a long
    text share one common bigram and are neither)."""
    short = c if c.n_words <= o.n_words else o
    if shared >= _MIN_CONTAINMENT * len(short.bigrams):
        return True
    return _dice(words, o.content) >= settings.rewritten_threshold


def _containment(c: _Side, o: _Side, shared: int) -> float:
    """Share of the shorter side's bigrams in the longer side, when high enough to call it
    a split or merge; else 0."""
    short = c if c.n_words <= o.n_words else o
    if short.n_words < _MIN_PARTIAL_WORDS or not short.bigrams:
        return 0.0
    share = shared / len(short.bigrams)
    needed = _MIN_CONTAINMENT if short.n_words >= _SHORT_PARTIAL_WORDS else 1.0
    return share if share >= needed else 0.0


def _dice(words: frozenset[int], other: Hashes) -> float:
    if len(words) < _MIN_CONTENT_WORDS or len(other) < _MIN_CONTENT_WORDS:
        return 0.0
    return 2 * len(words.intersection(other)) / (len(words) + len(other))


# --- assignment ----------------------------------------------------------------------


def _gap_pairs(chain: list[_Pair], copy: list[_Side], orig: list[_Side]) -> list[_Pair]:
    """Pair the one unmatched copy paragraph and the one unmatched original paragraph
    sandwiched between two chain neighbours, when they look alike (a short heading with a
    word changed, which character ratios judge poorly)."""
    bounds = [(-1, -1), *((p.ci, p.oj) for p in chain), (len(copy), len(orig))]
    found: list[_Pair] = []
    for (c0, o0), (c1, o1) in pairwise(bounds):
        if c1 - c0 == 2 and o1 - o0 == 2:
            c, o = copy[c0 + 1], orig[o0 + 1]
            ratio = _exact_ratio(c.key, o.key)
            if ratio >= _MIN_GAP_RATIO and not frozenset(c.content).isdisjoint(o.content):
                found.append(_Pair(c.pos, o.pos, "gap", ratio, ratio))
    return found


def _leftover_pairs(pairs: list[_Pair], taken: list[_Pair]) -> list[_Pair]:
    """Greedy one-to-one matching of what the chain left, best first: moved paragraphs."""
    used_c = {p.ci for p in taken}
    used_o = {p.oj for p in taken}
    chosen: list[_Pair] = []
    for p in sorted(pairs, key=lambda q: (-q.score, q.ci, q.oj)):
        if p.kind != "partial" and p.ci not in used_c and p.oj not in used_o:
            chosen.append(p)
            used_c.add(p.ci)
            used_o.add(p.oj)
    return chosen


def _partial_pairs(
    pairs: list[_Pair], taken: list[_Pair], copy: list[_Side], orig: list[_Side]
) -> list[_Pair]:
    """Split and merged paragraphs: an unmatched shorter side inside a longer one.

    Skipped when the longer side's partners already hold most of the shorter side's
    bigrams: a name or phrase repeated in another paragraph is not a split.
    """
    used_c = {p.ci for p in taken}
    used_o = {p.oj for p in taken}
    partners: dict[tuple[str, int], list[_Side]] = defaultdict(list)
    for p in taken:
        partners["copy", p.ci].append(orig[p.oj])
        partners["original", p.oj].append(copy[p.ci])
    chosen: list[_Pair] = []
    for p in sorted(pairs, key=lambda q: (-q.contain, q.ci, q.oj)):
        if not p.contain:
            break
        c, o = copy[p.ci], orig[p.oj]
        copy_is_short = c.n_words <= o.n_words
        short, long_key = (c, ("original", p.oj)) if copy_is_short else (o, ("copy", p.ci))
        if (copy_is_short and p.ci in used_c) or (not copy_is_short and p.oj in used_o):
            continue
        if _explained(short, c if short is o else o, partners[long_key]):
            continue
        (used_c if copy_is_short else used_o).add(short.pos)
        partners[long_key].append(short)
        chosen.append(_Pair(p.ci, p.oj, "partial", p.contain, p.ratio, p.contain))
    return chosen


def _merged_words(taken: list[_Pair], copy: list[_Side], orig: list[_Side]) -> list[_Pair]:
    """Original paragraphs of one word alone (a one-word heading, a picture's number), which
    no bigram can place, merged with both their neighbours into one copy paragraph that holds
    the word: they are part of that block."""
    copy_of: dict[int, set[int]] = defaultdict(set)
    for p in taken:
        copy_of[p.oj].add(p.ci)
    found: list[_Pair] = []
    for o in orig:
        if o.n_words != 1 or len(o.text.split()) != 1 or o.pos in copy_of:
            continue
        around = copy_of.get(o.pos - 1, set()) & copy_of.get(o.pos + 1, set())
        for ci in sorted(around):
            if key_words(o.key)[0] in key_words(copy[ci].key):
                found.append(_Pair(ci, o.pos, "partial", 1.0, 0.0, 1.0))
                break
    return found


def _explained(short: _Side, long_: _Side, partners: list[_Side]) -> bool:
    """True when at least half of `short`'s bigrams occur in `long_` no more often than in
    the partners `long_` is already matched with (so they are the partners' words)."""
    in_long = _bigram_counts(long_.key)
    wanted = set(short.bigrams)
    in_partners = Counter(bg for s in partners for bg in _bigram_list(s.key) if bg in wanted)
    held = sum(in_long[bg] <= in_partners[bg] for bg in wanted)
    return held >= _MIN_CONTAINMENT * len(short.bigrams)


@lru_cache(maxsize=1_024)
def _bigram_list(key: str) -> list[int]:
    """Hashes of every bigram of a comparison key, in order, repeats included."""
    return list(map(hash, pairwise(key_words(key))))


@lru_cache(maxsize=1_024)
def _bigram_counts(key: str) -> Counter[int]:
    return Counter(_bigram_list(key))


# --- matches -------------------------------------------------------------------------


def _build_matches(
    copy: list[_Side],
    orig: list[_Side],
    chain: list[_Pair],
    moved: list[_Pair],
    partial: list[_Pair],
    settings: Settings,
    raw: _RawOpcodes,
    language: str,
    by_pair: dict[tuple[int, int], list[SentenceLink]],
) -> list[ParagraphMatch]:
    entries: list[tuple[tuple[int, int, int], ParagraphMatch]] = []
    anchors = sorted((p.ci, p.oj) for p in chain)
    tagged = [(p, False) for p in chain] + [(p, True) for p in moved]
    tagged += [(p, _out_of_order(p, anchors)) for p in partial]
    uses = Counter(("copy", p.ci) for p, _ in tagged)
    uses.update(("original", p.oj) for p, _ in tagged)
    tokens = _TokenCache(uses)
    for p, is_moved in tagged:
        links = by_pair.get((p.ci, p.oj), [])
        match = _match(copy[p.ci], orig[p.oj], p, is_moved, tokens, settings, raw, language, links)
        entries.append(((p.ci, 0, p.oj), match))
    matched_c = {p.ci for p, _ in tagged}
    for c in copy:
        if c.pos not in matched_c:
            m = ParagraphMatch(c.number, None, c.text, "", Status.ADDED, 0.0)
            entries.append(((c.pos, 0, -1), m))
    entries += _dropped_entries(orig, [p for p, _ in tagged])
    return [m for _, m in sorted(entries, key=lambda e: e[0])]


def _dropped_entries(
    orig: list[_Side], pairs: list[_Pair]
) -> list[tuple[tuple[int, int, int], ParagraphMatch]]:
    """Dropped originals, each placed after the last copy paragraph matching an earlier one."""
    last_copy_before = [-1] * (len(orig) + 1)
    for p in pairs:
        last_copy_before[p.oj + 1] = max(last_copy_before[p.oj + 1], p.ci)
    for k in range(1, len(last_copy_before)):
        last_copy_before[k] = max(last_copy_before[k], last_copy_before[k - 1])
    matched = {p.oj for p in pairs}
    return [
        ((last_copy_before[o.pos], 1, o.pos), _dropped(o)) for o in orig if o.pos not in matched
    ]


def _dropped(o: _Side) -> ParagraphMatch:
    return ParagraphMatch(None, o.number, "", o.text, Status.DROPPED, 0.0)


def _out_of_order(p: _Pair, anchors: list[tuple[int, int]]) -> bool:
    """True when p's original position lies outside its chain neighbours' on the copy side."""
    k = bisect_left(anchors, (p.ci, -1))
    low = anchors[k - 1][1] if k > 0 else -1
    k = bisect_right(anchors, (p.ci, 1 << 30))
    high = anchors[k][1] if k < len(anchors) else 1 << 30
    return not low <= p.oj <= high


class _TokenCache:
    """Tokens of each paragraph, computed once even when it takes part in many pairs, and
    let go after its last pair (`uses`: how many pairs each (side, position) is in)."""

    def __init__(self, uses: Counter[tuple[str, int]]) -> None:
        self._cache: dict[tuple[str, int], _Tokens] = {}
        self._uses = uses

    def get(self, side: str, s: _Side) -> _Tokens:
        key = (side, s.pos)
        tokens = self._cache.get(key) or _tokenize(s.text)
        self._uses[key] -= 1
        if self._uses[key] > 0:
            self._cache[key] = tokens
        else:
            self._cache.pop(key, None)
        return tokens


def _match(
    c: _Side,
    o: _Side,
    p: _Pair,
    moved: bool,
    tokens: _TokenCache,
    settings: Settings,
    raw: _RawOpcodes,
    language: str,
    links: list[SentenceLink],
) -> ParagraphMatch:
    pairs = _sentence_groups(links)
    if c.key == o.key:
        return ParagraphMatch(
            c.number, o.number, c.text, o.text, Status.VERBATIM, 1.0, moved, sentences=pairs
        )
    if p.kind == "sentences":
        ct, ot = _linked_tokens(c, o, links, language)
    else:
        ct, ot = tokens.get("copy", c), tokens.get("original", o)
    if p.kind in ("partial", "sentences"):
        ops, similarity = _partial_ops(ot, ct, raw)
    else:
        ops = _opcodes(ot.keys, ct.keys, raw)
        similarity = p.ratio if p.kind == "full" else _exact_ratio(c.key, o.key)
    kinds = _Kinds(ops, ot, ct, o.text, c.text, language)
    quoted = [op[0] != "equal" and _in_quote(op, ot, ct) for op in ops]
    status = _status(p.kind, similarity, ops, kinds, settings)
    # A rewritten pair shows no word diff: only its quote changes need their kinds.
    wanted = [status is not Status.REWRITTEN or q for q in quoted]
    diff = tuple(
        _diff_op(op, ot, ct, kinds.get(i) if wanted[i] else None) for i, op in enumerate(ops)
    )
    quotes = tuple(d for d, q in zip(diff, quoted, strict=True) if q)
    return ParagraphMatch(
        c.number, o.number, c.text, o.text, status, round(similarity, 4), moved, diff, quotes, pairs
    )


def _linked_tokens(
    c: _Side, o: _Side, links: list[SentenceLink], language: str
) -> tuple[_Tokens, _Tokens]:
    """Tokens of the linked sentences alone, in order, on each side."""
    copy_ids = sorted({k.copy_sentence for k in links})
    orig_ids = sorted({k.original_sentence for k in links})
    copy_sentences = split_sentences(c.text, language)
    orig_sentences = split_sentences(o.text, language)
    copy_text = " ".join(copy_sentences[i] for i in copy_ids if i < len(copy_sentences))
    orig_text = " ".join(orig_sentences[j] for j in orig_ids if j < len(orig_sentences))
    return _tokenize(copy_text), _tokenize(orig_text)


def _sentence_groups(links: list[SentenceLink]) -> tuple[SentencePair, ...]:
    """Links of one paragraph pair as groups: sentences joined by links belong together
    (a copy sentence made of two original ones, or the other way round)."""
    pairs = sorted((link.copy_sentence, link.original_sentence) for link in links)
    if len({c for c, _ in pairs}) == len(pairs) == len({o for _, o in pairs}):
        return tuple(SentencePair((c,), (o,)) for c, o in pairs)  # one to one: no groups
    groups: list[tuple[set[int], set[int]]] = []
    for link in links:
        hits = [g for g in groups if link.copy_sentence in g[0] or link.original_sentence in g[1]]
        merged: tuple[set[int], set[int]] = ({link.copy_sentence}, {link.original_sentence})
        for g in hits:
            merged[0].update(g[0])
            merged[1].update(g[1])
            groups.remove(g)
        groups.append(merged)
    return tuple(
        SentencePair(tuple(sorted(cs)), tuple(sorted(os)))
        for cs, os in sorted(groups, key=lambda g: (min(g[0]), min(g[1])))
    )


class _Kinds:
    """The edit kind of each op of a pair, classified when first asked for (a spinner's
    pair is known to be rewritten before all its replacements are classified)."""

    def __init__(
        self, ops: list[_Op], ot: _Tokens, ct: _Tokens, original: str, copy: str, language: str
    ) -> None:
        self.ops, self.ot, self.ct = ops, ot, ct
        self.original, self.copy, self.language = original, copy, language
        self._kinds: dict[int, EditKind | None] = {}

    def get(self, i: int) -> EditKind | None:
        if i not in self._kinds:
            self._kinds[i] = self._classify(self.ops[i])
        return self._kinds[i]

    def costly(self, i: int) -> bool:
        """False when op i's kind is told from its words alone (`plain_edit`)."""
        return not plain_edit(*self._spans(self.ops[i]))

    def _spans(self, op: _Op) -> tuple[str, str]:
        _, s0, s1, d0, d1 = op
        return " ".join(self.ot.display[s0:s1]), " ".join(self.ct.display[d0:d1])

    def _classify(self, op: _Op) -> EditKind | None:
        tag, s0, s1, d0, d1 = op
        if tag == "equal":
            return None
        o_span, c_span = self._spans(op)
        quick = plain_kind(o_span, c_span)
        if quick is not None:
            return quick
        ot, ct, n = self.ot, self.ct, CONTEXT_WORDS
        return edit_kind(
            Side(o_span, _join(ot.display, s0 - n, s0), _join(ot.display, s1, s1 + n),
                 self.original),
            Side(c_span, _join(ct.display, d0 - n, d0), _join(ct.display, d1, d1 + n),
                 self.copy),
            self.language,
        )  # fmt: skip


def _status(
    kind: str, similarity: float, ops: list[_Op], kinds: _Kinds, settings: Settings
) -> Status:
    """Verbatim needs no replaced or inserted word and no deletion that changes the
    meaning; many small scattered replacements that are not style are the mark of a
    spinner (rewritten), a few are an edit."""
    if kind == "rewritten":
        return Status.REWRITTEN
    copy_words = sum(d1 - d0 for _, _, _, d0, d1 in ops)
    spun = max(_MIN_SPUN_REPLACEMENTS, _SPUN_REPLACEMENT_SHARE * copy_words)
    small = [
        i
        for i, (tag, s0, s1, d0, d1) in enumerate(ops)
        if tag == "replace" and s1 - s0 <= 2 and d1 - d0 <= 2
    ]
    if len(small) >= spun:
        not_style = 0
        # The cheapest to classify first: once enough are not style, the rest need not be.
        for i in sorted(small, key=kinds.costly):
            not_style += kinds.get(i) is not EditKind.STYLE
            if not_style >= spun:
                return Status.REWRITTEN
    changed = any(
        op[0] in ("replace", "insert") or (op[0] == "delete" and kinds.get(i) in MATERIAL_KINDS)
        for i, op in enumerate(ops)
    )
    if similarity >= settings.verbatim_threshold and not changed:
        return Status.VERBATIM
    if similarity >= settings.edited_threshold or kind == "gap":
        return Status.EDITED
    return Status.REWRITTEN


# --- word diff -----------------------------------------------------------------------


def _tokenize(text: str) -> _Tokens:
    return _Tokens(text[:_MAX_SCORE_CHARS])


def _positions(keys: list[str]) -> dict[tuple[str, str], list[int]]:
    """Where each informative bigram of `keys` starts."""
    index: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, bg in enumerate(pairwise(keys)):
        if bg[0] not in _STOPWORDS or bg[1] not in _STOPWORDS:
            index[bg].append(i)
    return index


def _indel_opcodes(src: list[str], dest: list[str]) -> list[_Op]:
    return [
        (o.tag, o.src_start, o.src_end, o.dest_start, o.dest_end) for o in Indel.opcodes(src, dest)
    ]


def _opcodes(src: list[str], dest: list[str], raw: _RawOpcodes) -> list[_Op]:
    """Word-level opcodes with adjacent delete+insert runs merged into "replace"."""
    merged: list[_Op] = []
    for tag, s0, s1, d0, d1 in raw(src, dest):
        if (
            merged
            and merged[-1][0] in ("delete", "insert", "replace")
            and tag in ("delete", "insert")
        ):
            _, ps0, _, pd0, _ = merged[-1]
            merged[-1] = ("replace", ps0, s1, pd0, d1)
        else:
            merged.append((tag, s0, s1, d0, d1))
    return [_retag(op) for op in merged]


def _retag(op: _Op) -> _Op:
    tag, s0, s1, d0, d1 = op
    if tag == "replace" and s0 == s1:
        return ("insert", s0, s1, d0, d1)
    if tag == "replace" and d0 == d1:
        return ("delete", s0, s1, d0, d1)
    return op


def _partial_ops(ot: _Tokens, ct: _Tokens, raw: _RawOpcodes) -> tuple[list[_Op], float]:
    """Diff of the shorter side against its stretch of the longer side; their similarity."""
    if len(ct.keys) <= len(ot.keys):
        start, end = _window(ct, ot)
        long_keys = ot.keys[start:end]
        ops = _trim(_opcodes(long_keys, ct.keys, raw), long_keys, long_is_src=True)
        ops = [(t, s0 + start, s1 + start, d0, d1) for t, s0, s1, d0, d1 in ops]
    else:
        start, end = _window(ot, ct)
        long_keys = ct.keys[start:end]
        ops = _trim(_opcodes(ot.keys, long_keys, raw), long_keys, long_is_src=False)
        ops = [(t, s0, s1, d0 + start, d1 + start) for t, s0, s1, d0, d1 in ops]
    src = sum(s1 - s0 for _, s0, s1, _, _ in ops)
    dest = sum(d1 - d0 for _, _, _, d0, d1 in ops)
    equal = sum(s1 - s0 for t, s0, s1, _, _ in ops if t == "equal")
    similarity = 2 * equal / (src + dest) if src + dest else 0.0
    return ops, similarity


def _window(short: _Tokens, long_: _Tokens) -> tuple[int, int]:
    """The stretch of `long_` that holds `short`.

    Every shared informative bigram votes for a diagonal (its position in `long_` minus its
    position in `short`); the stretch spans the hits near the most voted diagonal, so a
    phrase repeated elsewhere in `long_` does not widen it.
    """
    in_long = long_.bigrams
    votes = Counter(
        pos - i
        for bg, in_short in short.bigrams.items()
        if len(in_long.get(bg, ())) * len(in_short) <= _MAX_WINDOW_VOTES
        for pos in in_long.get(bg, ())
        for i in in_short
    )
    if not votes:
        # A one-word paragraph (`_merged_words`) has no bigram: its word's first place.
        if len(short.keys) == 1 and short.keys[0] in long_.keys:
            start = long_.keys.index(short.keys[0])
            return start, start + 1
        return 0, 0
    best = min(votes, key=lambda d: (-votes[d], d))
    slack = max(5, len(short.keys) // 5)
    # A diagonal with one vote is usually a common bigram met by chance.
    near = [d for d in votes if abs(d - best) <= slack and (votes[d] > 1 or d == best)]
    start = max(0, min(near))
    end = min(len(long_.keys), max(near) + len(short.keys))
    return start, max(start, end)


def _trim(ops: list[_Op], long_keys: list[str], *, long_is_src: bool) -> list[_Op]:
    """Drop leading/trailing ops that only hold words of the longer side.

    A word-level LCS also finds stray matches of a word or three ("the", "said") among
    the extra words, which go too. And it may start the match on an earlier repeat of the
    short side's first words ("Klobuchar split ... Klobuchar split"): such a leading match
    is moved onto the repeat that ends the extra run, so the extra words stay outside.
    """
    extra = "delete" if long_is_src else "insert"
    ops = _shift_leading_repeat(ops, long_keys, extra, long_is_src)

    def stray(op: _Op, following: _Op) -> bool:
        return op[0] == "equal" and op[2] - op[1] <= _STRAY_MATCH_WORDS and following[0] == extra

    while ops and (ops[0][0] == extra or (len(ops) > 1 and stray(ops[0], ops[1]))):
        ops = ops[1:]
    while ops and (ops[-1][0] == extra or (len(ops) > 1 and stray(ops[-1], ops[-2]))):
        ops = ops[:-1]
    return ops


def _shift_leading_repeat(
    ops: list[_Op], long_keys: list[str], extra: str, long_is_src: bool
) -> list[_Op]:
    if len(ops) < 2 or ops[0][0] != "equal" or ops[1][0] != extra:
        return ops
    (_, s0, s1, d0, d1), following = ops[0], ops[1]
    a, b = (s0, s1) if long_is_src else (d0, d1)
    end = following[2] if long_is_src else following[4]
    k = b - a
    if long_keys[a:b] != long_keys[end - k : end]:
        return ops
    moved = ("equal", end - k, end, d0, d1) if long_is_src else ("equal", s0, s1, end - k, end)
    return [moved, *ops[2:]]


def _diff_op(op: _Op, ot: _Tokens, ct: _Tokens, kind: EditKind | None) -> DiffOp:
    tag, s0, s1, d0, d1 = op
    return DiffOp(tag, " ".join(ot.display[s0:s1]), " ".join(ct.display[d0:d1]), kind)


def _join(tokens: list[str], start: int, end: int) -> str:
    return " ".join(tokens[max(0, start) : end])


def _in_quote(op: _Op, ot: _Tokens, ct: _Tokens) -> bool:
    _, s0, s1, d0, d1 = op
    return any(ot.quoted[s0:s1]) or any(ct.quoted[d0:d1])

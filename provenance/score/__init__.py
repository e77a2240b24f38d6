"""Stage 6 (pure): evidence + alignment -> scores, verdict, credit and findings.

Counting unit: whitespace-separated tokens of `Paragraph.text` (the same tokens the word
diffs of `align` are made of), so numerators and denominators always agree.

Scores, each in [0, 1]:
* coverage  share of the original's tokens present in the copy: a verbatim pair without a
            diff counts in full, a pair with a diff counts its "equal" tokens and its edits
            of style only, a rewritten pair counts the words it shares with the original;
            dropped paragraphs count 0.
* fidelity  how close the present part is: token-weighted mean over matched pairs of
            kept / (kept + replaced + inserted) tokens, where edits of style only count as
            kept (deletions are trimming, not unfaithfulness), and the character
            similarity for rewritten pairs. 0.0 when nothing matched.
* additions share of the copy's tokens that do not come from the original (added
            paragraphs and inserted words). Short lines (< `_CHROME_WORDS` tokens) and page
            furniture (detect/chrome.py) weigh `_CHROME_WEIGHT` of a token.
* order     share of matched pairs not moved out of the original's order; 1.0 when nothing
            matched (nothing is out of order).
* derived   share of the copy's (weighted) words in sentences that come from the original,
            kept or reworded (`score.derived`, from the sentence links of align).

Stored excerpts are cut off: copy paragraphs after the one matching the cut-off end of the
original are not additions, and a change or a quotation cut where one side ends is not an
edit. A credit written into a paragraph ("Brussels, (APP) -") is not an edit either.

Every word-level edit has a kind (provenance/edits.py). Number, negation, name and
modality edits change what the copy says: each is an error finding of its own and makes
the copy `modified` however small; edits of style only are counted in one info finding and
change neither fidelity nor coverage.

Verdict, first rule that applies (thresholds and the data behind them: docs/thresholds.md):
1. UNVERIFIED  no original (or no alignment).
2. UNRELATED   the copy shows no derivation: fewer than settings.derived_min_runs of its
               words stand in runs of three or more words of the original (quotes, names
               and numbers aside), it follows fewer than settings.paraphrase_min_ordered of
               them sentence by sentence in order, and it reproduces less than
               settings.paraphrase_min_share of the original's content-word bigrams in
               order. Independent reports of one event share names, numbers, quotes and
               stock phrases, which none of these counts.
3. REWRITTEN   unless settings.literal_min_runs of the copy's words stand in runs of five
               or more of the original's words (a copy that keeps the wording is never a
               rewrite, however much it leaves out): at least `_REWRITTEN_SHARE` of the
               covered tokens come from rewritten pairs, fidelity <
               settings.rewritten_max_fidelity, or coverage < settings.unrelated_max_coverage.
4. MODIFIED    a word inside quotation marks changed (style aside), an edit of number,
               negation, name or modality, a wording edit of at least
               `_MATERIAL_EDIT_TOKENS` replaced/inserted tokens in a pair, an added block of
               prose of `_SUBSTANTIVE_ADDITION_TOKENS` tokens, fidelity <
               settings.faithful_min_fidelity, or additions > settings.faithful_max_additions.
5. TRIMMED     content coverage < settings.trimmed_min_coverage, where content coverage
               leaves out the original's page furniture, its headline and its own credit
               lines (a dropped "WASHINGTON (Reuters) -" does not trim an article).
6. FAITHFUL    otherwise.
Order does not change the verdict (reordering keeps the text); moved paragraphs are an
info finding. Rewritten and unrelated verdicts carry a `paraphrase` finding with the
figures they were decided on.

Credit compares what the copy credits (credit lines, datelines, bylines, source labels,
and "according to X"; "told X" is not a credit) with the origin: the original's registrable
domain and, when the original is itself a credited copy, the origin it names; without an
original, the detected origin. CREDITED when a credit names it, MISCREDITED when credit
lines name only others, UNCREDITED when nothing credits a known origin, UNKNOWN when the
origin is not known or nothing was copied (unrelated).
"""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache

from ..detect.catalog import CREDIT_KINDS, CREDITING_KINDS, WIRE_KINDS
from ..detect.chrome import is_chrome
from ..detect.domains import publisher_for_domain, site_domain
from ..edits import MATERIAL_KINDS
from ..models import (
    Alignment,
    Attribution,
    Credit,
    DiffOp,
    Document,
    EditKind,
    Evidence,
    Finding,
    Origin,
    Original,
    ParagraphMatch,
    Report,
    Scores,
    Severity,
    Status,
    Verdict,
)
from ..settings import Settings
from ..text import comparison_key, words
from .derived import LONG_RUN_WORDS, RUN_WORDS, Derivation, derivation, run_shares
from .translation import judge_translation

__all__ = ["score"]

_CHROME_WORDS = 10
_CHROME_WEIGHT = 0.1
_REWRITTEN_SHARE = 0.5
_MATERIAL_EDIT_TOKENS = 3
# Headlines: short, unpunctuated lines among the first paragraphs.
_HEADLINE_WINDOW = 5
_HEADLINE_MAX_WORDS = 20
# An added paragraph this long is material in itself, whatever its share of the copy.
_SUBSTANTIVE_ADDITION_TOKENS = 40
_STOPWORDS = frozenset(
    [
        "the",
        "and",
        "for",
        "are",
        "was",
        "were",
        "has",
        "have",
        "had",
        "his",
        "her",
        "its",
        "their",
        "they",
        "this",
        "that",
        "with",
        "from",
        "will",
        "would",
        "been",
        "not",
        "but",
        "who",
        "which",
        "said",
        "also",
        "than",
        "into",
        "after",
        "over",
        "about",
        "more",
    ]
)
# Load notes that say content was cut or left unread.
_CUT_NOTE_RE = re.compile(r"truncat|\bcut (?:to|off)\b|only the first", re.IGNORECASE)
_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
_COPY_VERDICTS = frozenset(
    {Verdict.FAITHFUL, Verdict.TRIMMED, Verdict.MODIFIED, Verdict.REWRITTEN, Verdict.UNVERIFIED}
)
_NAME_RE = re.compile(r"[^a-z0-9]+")


@dataclass
class _Tally:
    """Token counts gathered over an alignment, and the figures of derivation that are
    read only when a verdict or finding asks (each costs more than the whole count)."""

    alignment: Alignment
    orig_total: dict[int, int] = field(default_factory=dict)
    orig_covered: defaultdict[int, float] = field(default_factory=lambda: defaultdict(float))
    copy_total: dict[int, int] = field(default_factory=dict)
    copy_covered: defaultdict[int, float] = field(default_factory=lambda: defaultdict(float))
    fidelity_sum: float = 0.0
    fidelity_weight: float = 0.0
    rewritten_tokens: float = 0.0
    matched: int = 0
    moved: int = 0
    material_edits: int = 0
    meaning_edits: list[tuple[int, DiffOp, str]] = field(default_factory=list)
    style_edits: list[DiffOp] = field(default_factory=list)
    quote_changes: dict[tuple[int, int], tuple[DiffOp, ...]] = field(default_factory=dict)
    cuts: _Cuts = field(default_factory=lambda: _Cuts())
    credit_spans: dict[int, tuple[str, ...]] = field(default_factory=dict)
    original_credit_spans: dict[int, tuple[str, ...]] = field(default_factory=dict)
    orig_credit_dropped: defaultdict[int, float] = field(default_factory=lambda: defaultdict(float))
    orig_chrome: set[int] = field(default_factory=set)
    copy_chrome: set[int] = field(default_factory=set)
    substantive_additions: int = 0
    derivation: Derivation = field(default_factory=lambda: Derivation(0.0, 0.0, 0.0, 0.0))
    copy_texts: list[str] = field(default_factory=list)  # the article's paragraphs
    original_texts: list[str] = field(default_factory=list)

    @cached_property
    def _run_shares(self) -> tuple[float, ...]:
        return run_shares(self.copy_texts, self.original_texts, (RUN_WORDS, LONG_RUN_WORDS))

    @property
    def runs(self) -> float:
        """Share of the copy's words in runs of 3+ words of the original."""
        return self._run_shares[0]

    @property
    def long_runs(self) -> float:
        """Share of the copy's words in runs of 5+ words of the original."""
        return self._run_shares[1]

    @cached_property
    def paraphrase_share(self) -> float:
        """`paraphrase_share` of the alignment."""
        return paraphrase_share(self.alignment)


def score(
    copy: Document,
    evidence: Evidence,
    original: Original | None,
    alignment: Alignment | None,
    settings: Settings,
) -> Report:
    """Judge the copy: scores, verdict, credit and findings (see the module docstring).

    Returns a Report; `scores` is None when there is no original or no alignment.
    Pure: no I/O, raises nothing.
    """
    translated: Finding | None = None
    tally = None
    scores: Scores | None
    if original is not None and alignment is not None and alignment.translation is not None:
        scores, verdict, translated = judge_translation(alignment, settings)
    else:
        if original is not None and alignment is not None:
            tally = _tally(
                alignment,
                _cuts(copy, original.document, alignment),
                _credit_spans(evidence),
                _credit_spans(original.evidence) if original.evidence else {},
            )
        scores = _scores(tally, alignment) if tally is not None and alignment else None
        verdict = _verdict(tally, scores, settings) if tally and scores else Verdict.UNVERIFIED
    targets = _targets(evidence, original)
    credit = _credit(evidence, targets, verdict)
    findings = _findings(copy, evidence, alignment, tally, verdict, credit, targets, settings)
    if translated is not None:
        findings = tuple(sorted((*findings, translated), key=_finding_order))
    origin, findings = _agreeing(_settled_origin(evidence, original, verdict), findings, evidence)
    return Report(
        copy=copy,
        evidence=replace(evidence, origin=origin),
        original=original,
        alignment=alignment,
        scores=scores,
        verdict=verdict,
        credit=credit,
        findings=findings,
        attempts=original.attempts if original is not None else (),
    )


# --- scores --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cuts:
    """Where a stored excerpt ends: text past the end of a cut-off document was never
    compared, so it is neither an addition nor a change.

    `beyond_original`: copy paragraphs after the one that matches the original's cut-off
    last paragraph. `cut_pairs`: (copy, original) pairs whose tail is cut on one side.
    """

    beyond_original: frozenset[int] = frozenset()
    cut_pairs: frozenset[tuple[int, int]] = frozenset()
    original_cut_at: int | None = None


def _cuts(copy: Document, original: Document, alignment: Alignment) -> _Cuts:
    pairs = [
        (m.copy_index, m.original_index, m)
        for m in alignment.matches
        if m.copy_index is not None and m.original_index is not None
    ]
    cut_pairs: set[tuple[int, int]] = set()
    beyond: frozenset[int] = frozenset()
    last_original = _last_index(m.original_index for m in alignment.matches)
    last_copy = _last_index(m.copy_index for m in alignment.matches)
    tail = [(ci, oi, m) for ci, oi, m in pairs if oi == last_original]
    cut_at = None
    if tail and (_is_excerpt(original) or _looks_cut(tail[0][2].original_text)):
        cut_at = last_original
        end = max(ci for ci, _, _ in tail)
        beyond = frozenset(
            m.copy_index
            for m in alignment.matches
            if m.status is Status.ADDED and m.copy_index is not None and m.copy_index > end
        )
        cut_pairs |= {(ci, oi) for ci, oi, _ in tail}
    cut_pairs |= {(ci, oi) for ci, oi, m in pairs if ci == last_copy and _looks_cut(m.copy_text)}
    return _Cuts(beyond, frozenset(cut_pairs), cut_at)


def _last_index(indices: Iterable[int | None]) -> int | None:
    present = [i for i in indices if i is not None]
    return max(present) if present else None


# Sentence ends, closing brackets and closing quotes (straight and typographic).
_SENTENCE_END_RE = re.compile("[.!?\u2026:;)\\]\"'\u201d\u2019\u00bb]\\s*$")


def _looks_cut(text: str) -> bool:
    """A paragraph that stops mid-sentence (a stored excerpt cut off there)."""
    return _count(text) >= _CHROME_WORDS and not _SENTENCE_END_RE.search(text)


def _is_excerpt(doc: Document) -> bool:
    notes = list(doc.notes) + [str(n) for n in doc.meta.get("corpus_notes", ()) or ()]
    return any("excerpt" in n.lower() for n in notes)


def _credit_spans(evidence: Evidence) -> dict[int, tuple[str, ...]]:
    """Per copy paragraph, the comparison keys of the credits written into it."""
    spans: dict[int, list[str]] = defaultdict(list)
    for a in evidence.attributions:
        if a.paragraph_index >= 0 and a.kind in _FIRM_CREDIT_KINDS:
            spans[a.paragraph_index].append(comparison_key(a.text))
    return {i: tuple(keys) for i, keys in spans.items()}


def _tally(
    alignment: Alignment,
    cuts: _Cuts,
    credit_spans: dict[int, tuple[str, ...]],
    original_credit_spans: dict[int, tuple[str, ...]],
) -> _Tally:
    t = _Tally(
        alignment, cuts=cuts, credit_spans=credit_spans, original_credit_spans=original_credit_spans
    )
    for m in alignment.matches:
        if m.original_index is not None:
            t.orig_total[m.original_index] = _count(m.original_text)
            if _is_chrome(m.original_text) or _is_headline(m.original_text, m.original_index):
                t.orig_chrome.add(m.original_index)
        if m.copy_index is not None and m.copy_index not in cuts.beyond_original:
            t.copy_total[m.copy_index] = _count(m.copy_text)
            if _is_chrome(m.copy_text):
                t.copy_chrome.add(m.copy_index)
        if m.copy_index is None or m.original_index is None:
            t.substantive_additions += _is_substantive_addition(m, t)
            continue
        _add_pair(t, m, m.copy_index, m.original_index)
    t.derivation = derivation(alignment, _copy_weight(t), cuts.beyond_original)
    t.copy_texts = [m.copy_text for m in _copy_paragraphs(alignment, t)]
    t.original_texts = [m.original_text for m in _original_paragraphs(alignment)]
    return t


@lru_cache(maxsize=16_384)
def _count(text: str) -> int:
    """The whitespace-separated tokens of `text` (memoised: a paragraph and the runs of
    its diff are counted by several scores)."""
    return len(text.split())


# Page furniture, memoised per text: a paragraph the copy kept is the same text on both
# sides, and a located original is scored as a candidate and then again.
_is_chrome = lru_cache(maxsize=4_096)(is_chrome)


def _copy_paragraphs(alignment: Alignment, t: _Tally) -> list[ParagraphMatch]:
    """One entry per copy paragraph of the article (no furniture, nothing past a cut)."""
    seen: dict[int, ParagraphMatch] = {}
    for m in alignment.matches:
        i = m.copy_index
        if i is not None and i in t.copy_total and i not in t.copy_chrome:
            seen.setdefault(i, m)
    return [seen[i] for i in sorted(seen)]


def _original_paragraphs(alignment: Alignment) -> list[ParagraphMatch]:
    seen: dict[int, ParagraphMatch] = {}
    for m in alignment.matches:
        if m.original_index is not None:
            seen.setdefault(m.original_index, m)
    return [seen[i] for i in sorted(seen)]


def _is_headline(text: str, index: int) -> bool:
    """A headline near the top: copies often retitle, which is not trimming the article."""
    stripped = text.strip()
    return (
        index < _HEADLINE_WINDOW
        and _count(stripped) <= _HEADLINE_MAX_WORDS
        and not stripped.endswith((".", "!", "?", ".”", '."'))
    )


def _is_substantive_addition(m: ParagraphMatch, t: _Tally) -> bool:
    """An added block of prose (not furniture, not text past the end of a cut original)."""
    return (
        m.status is Status.ADDED
        and m.copy_index not in t.copy_chrome
        and m.copy_index not in t.cuts.beyond_original
        and _count(m.copy_text) >= _SUBSTANTIVE_ADDITION_TOKENS
    )


def _add_pair(t: _Tally, m: ParagraphMatch, ci: int, oi: int) -> None:
    cut = (ci, oi) in t.cuts.cut_pairs
    orig_covered, copy_covered = _covered(m, cut)
    t.orig_covered[oi] += orig_covered
    t.copy_covered[ci] += copy_covered
    weight = max(orig_covered, 1.0)
    t.fidelity_sum += weight * _pair_fidelity(m, cut)
    t.fidelity_weight += weight
    t.matched += 1
    t.moved += m.moved
    spans = t.original_credit_spans.get(oi, ())
    t.orig_credit_dropped[oi] += sum(
        _count(d.original)
        for d in m.diff
        if d.op == "delete" and any(comparison_key(d.original) in span for span in spans)
    )
    quotes = tuple(q for q in _effective_quote_changes(m, cut) if q.kind is not EditKind.STYLE)
    if quotes:
        t.quote_changes[(ci, oi)] = quotes
    if m.status is Status.REWRITTEN:
        t.rewritten_tokens += orig_covered
        return
    changed = _changed_tokens(m, cut, t.credit_spans.get(ci, ()))
    if changed >= _MATERIAL_EDIT_TOKENS:
        t.material_edits += 1
    _collect_edit_kinds(t, m, ci, cut)


def _collect_edit_kinds(t: _Tally, m: ParagraphMatch, ci: int, cut: bool) -> None:
    """Edits that change the meaning (one finding each) and edits of style only."""
    diff = _uncut(m.diff) if cut else m.diff
    credits = t.credit_spans.get(ci, ())
    for k, d in enumerate(diff):
        if d.kind is EditKind.STYLE:
            t.style_edits.append(d)
        elif d.kind in MATERIAL_KINDS:
            if d.op == "insert" and any(comparison_key(d.copy) in span for span in credits):
                continue
            before = diff[k - 1] if k else None
            after = diff[k + 1] if k + 1 < len(diff) else None
            t.meaning_edits.append((ci, d, _edit_phrase(d, before, after)))


def _edit_phrase(d: DiffOp, before: DiffOp | None, after: DiffOp | None) -> str:
    """ "5 million -> 50 million": the change with a word of context on each side."""

    def side(text: str, left: str, right: str) -> str:
        return " ".join(p for p in (left, text, right) if p)

    left_o = before.original.split()[-1:] if before else []
    left_c = before.copy.split()[-1:] if before else []
    right_o = after.original.split()[:1] if after else []
    right_c = after.copy.split()[:1] if after else []
    original = side(d.original, " ".join(left_o), " ".join(right_o))
    copy = side(d.copy, " ".join(left_c), " ".join(right_c))
    return f"{_clip(original)} -> {_clip(copy)}"


def _effective_quote_changes(m: ParagraphMatch, cut: bool) -> tuple[DiffOp, ...]:
    """Quote changes, less a quotation that is only cut off where an excerpt ends."""
    if not cut:
        return m.quote_changes
    ends = (m.original_text.rstrip(), m.copy_text.rstrip())
    return tuple(
        q
        for q in m.quote_changes
        if not any(
            part.strip() and end.endswith(part.strip())
            for part, end in zip((q.original, q.copy), ends, strict=True)
        )
    )


def _covered(m: ParagraphMatch, cut: bool = False) -> tuple[float, float]:
    """(original tokens present in the copy, copy tokens standing for original tokens)."""
    orig_n, copy_n = _count(m.original_text), _count(m.copy_text)
    if m.status is Status.REWRITTEN:
        shared = _shared_words(m.original_text, m.copy_text)
        return orig_n * shared, float(copy_n)
    if not m.diff:
        return float(orig_n), float(copy_n)
    diff = _uncut(m.diff) if cut else m.diff
    equal = sum(_count(d.original) for d in diff if _keeps_meaning(d))
    kept = sum(
        _count(d.copy) for d in diff if d.op in ("equal", "replace") or d.kind is EditKind.STYLE
    )
    if cut:
        # the side that runs on past the cut was never compared: it is neither kept nor added
        kept += sum(_count(d.copy) for d in m.diff[len(diff) :])
    return float(equal), float(kept)


def _keeps_meaning(d: DiffOp) -> bool:
    """An unchanged run, or a change of style only ("pct" -> "percent")."""
    return d.op == "equal" or (d.op == "replace" and d.kind is EditKind.STYLE)


def _uncut(diff: tuple[DiffOp, ...]) -> tuple[DiffOp, ...]:
    """The diff without its trailing run of changes: where one side of the pair was cut off."""
    end = len(diff)
    while end and diff[end - 1].op != "equal":
        end -= 1
    return diff[:end]


def _shared_words(original: str, copy: str) -> float:
    """Share of the original's words (as a multiset) that the copy also has."""
    orig_words = Counter(words(original))
    total = sum(orig_words.values())
    if not total:
        return 0.0
    return sum((orig_words & Counter(words(copy))).values()) / total


def _pair_fidelity(m: ParagraphMatch, cut: bool = False) -> float:
    if m.status is Status.REWRITTEN:
        return m.similarity
    if not m.diff:
        return 1.0
    equal = sum(_count(d.original) for d in m.diff if _keeps_meaning(d))
    changed = _changed_tokens(m, cut)
    return equal / (equal + changed) if equal + changed else 0.0


def _changed_tokens(m: ParagraphMatch, cut: bool = False, credits: tuple[str, ...] = ()) -> int:
    """Replaced and inserted tokens (not deleted ones) of a pair's diff, less changes of
    style only.

    A credit written into a paragraph ("Brussels, (APP) - ...") is provenance, not an edit.
    """
    total = 0
    for d in _uncut(m.diff) if cut else m.diff:
        if d.kind is EditKind.STYLE:
            continue
        if d.op == "insert" and any(comparison_key(d.copy) in span for span in credits):
            continue
        if d.op == "replace":
            total += max(_count(d.original), _count(d.copy))
        elif d.op == "insert":
            total += _count(d.copy)
    return total


def _copy_weight(t: _Tally) -> Callable[[int], float]:
    """Weight of a copy paragraph's words: page furniture and short lines count little."""

    def weight(i: int) -> float:
        n = t.copy_total.get(i, 0)
        return _CHROME_WEIGHT if n < _CHROME_WORDS or i in t.copy_chrome else 1.0

    return weight


def _scores(t: _Tally, alignment: Alignment) -> Scores:
    orig_total = sum(t.orig_total.values())
    covered = sum(min(t.orig_covered[i], n) for i, n in t.orig_total.items())
    added = weighted = 0.0
    for i, n in t.copy_total.items():
        weight = _CHROME_WEIGHT if n < _CHROME_WORDS or i in t.copy_chrome else 1.0
        added += weight * max(0.0, n - t.copy_covered[i])
        weighted += weight * n
    return Scores(
        coverage=_unit(covered / orig_total if orig_total else 0.0),
        fidelity=_unit(t.fidelity_sum / t.fidelity_weight if t.fidelity_weight else 0.0),
        additions=_unit(added / weighted if weighted else 0.0),
        order=_unit(1.0 - t.moved / t.matched if t.matched else 1.0),
        derived=_unit(t.derivation.derived),
    )


def _content_coverage(t: _Tally) -> float:
    """Coverage of the article itself: page furniture of the original and its own credit
    lines (a dropped "WASHINGTON (Reuters) -") do not make a copy trimmed."""
    content = {i: n for i, n in t.orig_total.items() if i not in t.orig_chrome}
    total = sum(content.values())
    if not total:
        return 1.0
    kept = sum(min(t.orig_covered[i] + t.orig_credit_dropped[i], n) for i, n in content.items())
    return kept / total


def _unit(x: float) -> float:
    return round(min(1.0, max(0.0, x)), 4)


def paraphrase_figures(alignment: Alignment, settings: Settings) -> dict[str, float]:
    """The figures the paraphrase-or-independent decision reads, by name."""
    d = derivation(alignment, lambda _: 1.0)
    copy = _paragraph_texts(alignment, "copy", literal_too=True)
    original = _paragraph_texts(alignment, "original", literal_too=True)
    runs, long_runs = run_shares(copy, original, (RUN_WORDS, LONG_RUN_WORDS))
    return {
        "runs": runs,
        "long_runs": long_runs,
        "share": round(paraphrase_share(alignment), 4),
        "derived": d.derived,
        "literal": d.literal,
        "ordered": d.ordered,
        "reworded_ordered": d.reworded_ordered,
    }


def paraphrase_share(alignment: Alignment) -> float:
    """Share of the original's content-word bigrams that the copy reproduces in order.

    Computed over paragraphs with a monotone alignment (longest common subsequence with
    shared bigrams as weights), so it sees a paraphrase that follows the original sentence
    by sentence while independent reports of one event, which share names and quotes in
    another order, stay low.
    """
    original = _paragraph_texts(alignment, "original")
    copy = _paragraph_texts(alignment, "copy")
    ob = [_content_bigrams(text) for text in original]
    cb = [_content_bigrams(text) for text in copy]
    total = sum(len(b) for b in ob)
    if not total or not cb:
        return 0.0
    row = [0] * (len(cb) + 1)
    for bigrams in ob:
        previous_diagonal, row[0] = 0, 0
        for j, other in enumerate(cb, start=1):
            above = row[j]
            row[j] = max(above, row[j - 1], previous_diagonal + len(bigrams & other))
            previous_diagonal = above
    return row[-1] / total


def _content_words(text: str) -> set[str]:
    return {w for w in words(text) if len(w) > 2 and w not in _STOPWORDS and not w.isdigit()}


def _paragraph_texts(alignment: Alignment, side: str, *, literal_too: bool = False) -> list[str]:
    """The paragraphs of one side that were not matched word for word (all of them with
    `literal_too`): shared verbatim text (a quoted statement two reports both carry) is
    copying or quoting, not paraphrase, and is judged by coverage instead."""
    literal = set() if literal_too else {Status.VERBATIM, Status.EDITED}
    copied = {
        (m.original_index if side == "original" else m.copy_index)
        for m in alignment.matches
        if m.status in literal
    }
    texts: dict[int, str] = {}
    for m in alignment.matches:
        index = m.original_index if side == "original" else m.copy_index
        if index is not None and index not in copied:
            texts.setdefault(index, m.original_text if side == "original" else m.copy_text)
    return [texts[i] for i in sorted(texts)]


def _content_bigrams(text: str) -> set[tuple[str, str]]:
    content = [w for w in words(text) if len(w) > 2 and w not in _STOPWORDS and not w.isdigit()]
    return set(itertools.pairwise(content))


def _verdict(t: _Tally, s: Scores, settings: Settings) -> Verdict:
    if not _is_derived(t, settings):
        return Verdict.UNRELATED
    covered = sum(min(t.orig_covered[i], n) for i, n in t.orig_total.items())
    reworded = covered and t.rewritten_tokens / covered >= _REWRITTEN_SHARE
    if (
        reworded
        or s.fidelity < settings.rewritten_max_fidelity
        or s.coverage < settings.unrelated_max_coverage
    ) and t.long_runs < settings.literal_min_runs:  # kept word for word: never a rewrite
        return Verdict.REWRITTEN
    if (
        t.quote_changes
        or t.meaning_edits
        or t.material_edits
        or t.substantive_additions
        or s.fidelity < settings.faithful_min_fidelity
        or s.additions > settings.faithful_max_additions
    ):
        return Verdict.MODIFIED
    if _content_coverage(t) < settings.trimmed_min_coverage:
        return Verdict.TRIMMED
    return Verdict.FAITHFUL


def _is_derived(t: _Tally, settings: Settings) -> bool:
    """The copy comes from the original: it keeps its wording in runs of words, or follows
    its sentences in order (a paraphrase). Independent reports of one event share names,
    numbers, quotes and a stock phrase or two, which neither figure counts."""
    return (  # the cheapest figure first
        t.derivation.ordered >= settings.paraphrase_min_ordered
        or t.paraphrase_share >= settings.paraphrase_min_share
        or t.runs >= settings.derived_min_runs
    )


# --- credit --------------------------------------------------------------------------

_FIRM_CREDIT_KINDS = CREDIT_KINDS | WIRE_KINDS
# An origin settled by a verified original (an alignment, not a clue).
_SETTLED_CONFIDENCE = 0.99
# An original's own evidence names its upstream origin when at least this confident.
_UPSTREAM_MIN_CONFIDENCE = 0.4


def _targets(evidence: Evidence, original: Original | None) -> tuple[str, ...]:
    """Registrable domains a credit may name: the original's site and, when the original is
    itself a credited copy, its own origin; without an original, the detected origin."""
    found: list[str | None] = []
    if original is not None:
        found.append(site_domain(original.document.url) if original.document.url else None)
        upstream = original.evidence.origin if original.evidence else None
        if upstream and upstream.confidence >= _UPSTREAM_MIN_CONFIDENCE:
            found.append(upstream.domain)
    if not any(found) and evidence.origin.domain:
        found.append(evidence.origin.domain)
    return tuple(dict.fromkeys(d for d in found if d))


def _settled_origin(evidence: Evidence, original: Original | None, verdict: Verdict) -> Origin:
    """The origin once an original is verified: the original's own origin when it is itself
    a credited copy, else the original's site. Evidence in the copy that names another
    site stays as a contradiction. Without a verified original, the detector's conclusion."""
    if original is None or verdict in (Verdict.UNRELATED, Verdict.UNVERIFIED):
        return evidence.origin
    upstream = original.evidence.origin if original.evidence else None
    url = original.document.url
    publisher: str | None
    domain: str | None
    support: tuple[str, ...]
    if upstream and upstream.domain and upstream.confidence >= _UPSTREAM_MIN_CONFIDENCE:
        publisher, domain = upstream.publisher, upstream.domain
        support = (f"original: {url or original.document.source}, which credits {domain}",)
    elif url and (domain := site_domain(url)):
        known = publisher_for_domain(domain)
        publisher = known.name if known is not None else None
        support = (f"original: {url} ({verdict.value} copy, found by {original.found_by})",)
    else:
        return evidence.origin
    if evidence.origin.domain == domain:
        publisher = publisher or evidence.origin.publisher
        support += evidence.origin.supported_by
    contradictions = evidence.origin.contradictions
    if evidence.origin.domain not in (None, domain) and evidence.origin.confidence >= 0.4:
        contradictions += (f"the copy's own evidence points to {evidence.origin.domain}",)
    return Origin(publisher, domain, _SETTLED_CONFIDENCE, support, contradictions)


def _credit_names(a: Attribution) -> set[str]:
    """What a credit names: registrable domains, else the squashed publisher name."""
    names = {d for d in (a.origin, site_domain(a.url) if a.url else None) if d}
    if not names:
        squashed = _NAME_RE.sub("", a.name.lower())
        if squashed:
            names.add(squashed)
    return names


def _names_target(names: Iterable[str], targets: Iterable[str]) -> bool:
    for target in targets:
        label = target.split(".")[0]
        if any(n == target or (len(label) >= 3 and n.startswith(label)) for n in names):
            return True
    return False


def _credits(evidence: Evidence, kinds: frozenset[str] = CREDITING_KINDS) -> list[set[str]]:
    found = (_credit_names(a) for a in evidence.attributions if a.kind in kinds)
    return [names for names in found if names]


def _credit(evidence: Evidence, targets: tuple[str, ...], verdict: Verdict) -> Credit:
    """Credit of a copy; UNKNOWN when there is no known origin or nothing was copied.

    An in-text "according to X" credits X when X is the origin, but naming another source in
    the text (as the original itself may) does not make a copy miscredited: only credit lines,
    datelines, bylines and source labels can.
    """
    if not targets or verdict is Verdict.UNRELATED:
        return Credit.UNKNOWN
    if any(_names_target(names, targets) for names in _credits(evidence)):
        return Credit.CREDITED
    return Credit.MISCREDITED if _credits(evidence, _FIRM_CREDIT_KINDS) else Credit.UNCREDITED


# --- findings ------------------------------------------------------------------------


def _findings(
    copy: Document,
    evidence: Evidence,
    alignment: Alignment | None,
    tally: _Tally | None,
    verdict: Verdict,
    credit: Credit,
    targets: tuple[str, ...],
    settings: Settings,
) -> tuple[Finding, ...]:
    found = list(evidence.findings)
    found += [
        Finding("mojibake-repaired", Severity.INFO, f"text repaired: {r}") for r in copy.repairs
    ]
    found += [_note_finding(n) for n in copy.notes]
    if alignment is not None:
        found += [Finding("alignment-limited", Severity.WARNING, n) for n in alignment.notes]
    if verdict in _COPY_VERDICTS:
        found += _credit_findings(evidence, credit, " or ".join(targets), verdict)
    if alignment is not None and tally is not None and verdict is not Verdict.UNRELATED:
        found += _alignment_findings(alignment, tally)
    if tally is not None and verdict in (Verdict.REWRITTEN, Verdict.UNRELATED):
        found.append(_paraphrase_finding(tally, settings))
    return tuple(sorted(set(found), key=_finding_order))


def _finding_order(f: Finding) -> tuple[int, str, str]:
    return (_SEVERITY_ORDER[f.severity], f.code, f.message)


def _paraphrase_finding(t: _Tally, settings: Settings) -> Finding:
    """The figures a rewritten-or-unrelated call was made on, with the thresholds."""
    message = (
        f"derived {t.derivation.derived:.2f} of the copy; in runs of 3+ words of the original "
        f"{t.runs:.2f} (derived from {settings.derived_min_runs:g}), of 5+ words "
        f"{t.long_runs:.2f} (word for word from {settings.literal_min_runs:g}); sentences "
        f"in the original's order {t.derivation.ordered:.2f} (paraphrase from "
        f"{settings.paraphrase_min_ordered:g}); content-word bigrams in order "
        f"{t.paraphrase_share:.2f} (from {settings.paraphrase_min_share:g})"
    )
    return Finding("paraphrase", Severity.INFO, message)


def _note_finding(note: str) -> Finding:
    """A load note: content that was cut or not read is a warning, not a silent gap."""
    if _CUT_NOTE_RE.search(note):
        return Finding("content-truncated", Severity.WARNING, note)
    return Finding("load-note", Severity.INFO, note)


_NO_CREDIT = "markup present but no credit"


def _agreeing(
    origin: Origin, findings: tuple[Finding, ...], evidence: Evidence
) -> tuple[Origin, tuple[Finding, ...]]:
    """The origin and findings without the "no credit" claims that the credit status
    contradicts: the detectors count credit lines only, the credit status also counts
    datelines ("(CNN)"), bylines and source labels."""
    credits = _credits(evidence)

    def credited(domain: str) -> bool:
        return any(_names_target(names, (domain,)) for names in credits)

    kept = tuple(
        f
        for f in findings
        if not (f.code == "markup-without-credit" and credited(f.message.rsplit(" ", 1)[-1]))
    )
    if origin.domain and credited(origin.domain) and _NO_CREDIT in origin.contradictions:
        contradictions = tuple(c for c in origin.contradictions if c != _NO_CREDIT)
        origin = replace(origin, contradictions=contradictions)
    return origin, kept


def _credit_findings(
    evidence: Evidence, credit: Credit, target: str, verdict: Verdict
) -> list[Finding]:
    if credit is Credit.UNCREDITED:
        message = f"no credit line names {target}, the origin of this {verdict.value} copy"
        return [Finding("uncredited-copy", Severity.ERROR, message)]
    if credit is Credit.MISCREDITED:
        named = ", ".join(
            sorted(n for names in _credits(evidence, _FIRM_CREDIT_KINDS) for n in names)
        )
        message = f"credit lines name {named}, but the original is on {target}"
        return [Finding("miscredited-copy", Severity.ERROR, message)]
    return []


def _alignment_findings(alignment: Alignment, t: _Tally) -> list[Finding]:
    found = [_quote_finding(ci, quotes) for (ci, _), quotes in sorted(t.quote_changes.items())]
    found += [
        Finding(_EDIT_FINDINGS[d.kind], Severity.ERROR, f"paragraph {ci}: {phrase}")
        for ci, d, phrase in t.meaning_edits
        if d.kind is not None
    ]
    if t.style_edits:
        found.append(_style_finding(t.style_edits))
    if t.cuts.beyond_original:
        message = (
            f"the original is an excerpt cut off at its paragraph {t.cuts.original_cut_at}: "
            f"{len(t.cuts.beyond_original)} copy paragraphs after it were not compared"
        )
        found.append(Finding("original-truncated", Severity.INFO, message))
    dropped = [
        m
        for m in alignment.matches
        if m.status is Status.DROPPED and m.original_index not in t.orig_chrome
    ]
    if dropped:
        found.append(_dropped_finding(alignment, dropped, len(t.orig_total)))
    added = [
        m
        for m in alignment.matches
        if m.status is Status.ADDED
        and _count(m.copy_text) >= _CHROME_WORDS
        and m.copy_index not in t.cuts.beyond_original
    ]
    if added:
        found.append(_added_finding(alignment, added, len(t.cuts.beyond_original)))
    if t.moved:
        message = f"{t.moved} of {t.matched} matched paragraphs appear out of the original's order"
        found.append(Finding("paragraphs-moved", Severity.INFO, message))
    return found


_EDIT_FINDINGS = {
    EditKind.NUMBER: "number-changed",
    EditKind.NEGATION: "negation-changed",
    EditKind.NAME: "name-changed",
    EditKind.MODALITY: "modality-changed",
}


def _style_finding(edits: list[DiffOp]) -> Finding:
    first = edits[0]
    message = (
        f"{_plural(len(edits), 'edit')} of style only (meaning kept), "
        f"e.g. '{_clip(first.original)}' -> '{_clip(first.copy)}'"
    )
    return Finding("style-edits", Severity.INFO, message)


# Counts in these messages are those of the paragraph map (every `dropped` or `added`
# row), with the rows that are not text (page furniture, short lines) said apart.


def _dropped_finding(alignment: Alignment, text: list[ParagraphMatch], total: int) -> Finding:
    rows = sum(m.status is Status.DROPPED for m in alignment.matches)
    words = _plural(sum(_count(m.original_text) for m in text), "word")
    verb = "is" if rows == 1 else "are"
    message = f"{rows} of {total} original paragraphs {verb} missing from the copy"
    if rows == len(text):
        message += f" ({words})"
    else:
        message += f": {len(text)} of text ({words}), {rows - len(text)} of page furniture"
    return Finding("paragraphs-dropped", Severity.WARNING, message)


def _added_finding(alignment: Alignment, text: list[ParagraphMatch], beyond: int) -> Finding:
    rows = sum(m.status is Status.ADDED for m in alignment.matches)
    words = _plural(sum(_count(m.copy_text) for m in text), "word")
    noun = "copy paragraph is" if rows == 1 else "copy paragraphs are"
    message = f"{rows} {noun} not in the original"
    if rows == len(text):
        return Finding("paragraphs-added", Severity.WARNING, f"{message} ({words})")
    parts = [f"{len(text)} of text ({words})"]
    if beyond:
        parts.append(f"{beyond} after the end of the excerpted original")
    short = rows - len(text) - beyond
    if short > 0:
        parts.append(f"{_plural(short, 'short line')} (captions, labels, menus)")
    return Finding("paragraphs-added", Severity.WARNING, f"{message}: {', '.join(parts)}")


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _quote_finding(copy_index: int, quotes: tuple[DiffOp, ...]) -> Finding:
    first = quotes[0]
    message = (
        f"copy paragraph {copy_index}: {_plural(len(quotes), 'change')} inside quotation "
        f"marks, e.g. '{_clip(first.original)}' -> '{_clip(first.copy)}'"
    )
    return Finding("quote-altered", Severity.ERROR, message)


def _clip(s: str, limit: int = 60) -> str:
    return s if len(s) <= limit else s[: limit - 1] + "…"

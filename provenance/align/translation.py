"""A copy in another language than its original: paragraphs paired on what translation keeps.

A translation rewords every sentence but keeps the story's anchors: its numbers (as
values: "5 millones" is "5 million"), its names (people, places, acronyms), and their order.
Each paragraph's anchors come from `edits.anchors` (numbers, dates, names); two paragraphs
correspond when they share at least `_MIN_SHARED` anchors (a name may be written a little
differently: "Departamento" and "Department" match by character ratio), scored by the
cosine of the two anchor multisets,
and the pairs kept are the heaviest chain in the order of both texts (the same chain as
the paragraph map uses). Paired paragraphs are `rewritten` (the wording is another
language's); the others are `added` or `dropped`. Words are not diffed.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence

from ..edits import anchors
from ..models import Paragraph, ParagraphMatch, Status
from ._chain import heaviest_chain
from ._fuzz import fuzz

__all__ = ["align_translation"]

_MIN_SHARED = 2
# Names of at least this many letters match across languages from this character ratio.
_MIN_COGNATE = 5
_COGNATE_RATIO = 80
# Only the best this many pairs are weighed (a long text in one language shares a year or
# two with every paragraph of another).
_MAX_PAIRS = 20_000
_MAX_POSTINGS = 100


def align_translation(
    copy: Sequence[Paragraph],
    original: Sequence[Paragraph],
    languages: tuple[str, str],
) -> list[ParagraphMatch]:
    """The paragraph map of a translated copy, in copy order (dropped originals after the
    copy paragraph that precedes them). Raises nothing for any text."""
    copy_language, original_language = languages
    copy_anchors = [anchors(p.text, copy_language) for p in copy]
    original_anchors = [anchors(p.text, original_language) for p in original]
    postings: defaultdict[str, list[int]] = defaultdict(list)
    for oj, b in enumerate(original_anchors):
        for anchor in b:
            postings[anchor].append(oj)
    scored = []
    for ci, a in enumerate(copy_anchors):
        # candidates share an anchor as written; an anchor in very many paragraphs (a
        # year, the story's main name) names no paragraph in particular
        candidates = {
            oj
            for anchor in a
            for oj in postings.get(anchor, ())
            if len(postings[anchor]) <= _MAX_POSTINGS
        }
        scored += [
            (ci, oj, score)
            for oj in sorted(candidates)
            if (score := _score(a, original_anchors[oj])) > 0
        ]
    kept = sorted(sorted(scored, key=lambda x: -x[2])[:_MAX_PAIRS])
    chain = heaviest_chain(kept, lambda x: x[0], lambda x: x[1], lambda x: x[2])
    entries: list[tuple[tuple[int, int, int], ParagraphMatch]] = []
    for ci, oj, score in chain:
        c, o = copy[ci], original[oj]
        match = ParagraphMatch(c.index, o.index, c.text, o.text, Status.REWRITTEN, round(score, 4))
        entries.append(((ci, 0, oj), match))
    paired_copy = {ci for ci, _, _ in chain}
    paired_original = {oj for _, oj, _ in chain}
    for ci, c in enumerate(copy):
        if ci not in paired_copy:
            entries.append(
                ((ci, 0, -1), ParagraphMatch(c.index, None, c.text, "", Status.ADDED, 0.0))
            )
    for oj, o in enumerate(original):
        if oj not in paired_original:
            before = max((ci for ci, oi, _ in chain if oi < oj), default=-1)
            dropped = ParagraphMatch(None, o.index, "", o.text, Status.DROPPED, 0.0)
            entries.append(((before, 1, oj), dropped))
    return [m for _, m in sorted(entries, key=lambda e: e[0])]


def _cognates(a: Counter[str], b: Counter[str]) -> int:
    """Names written a little differently in the two languages ("Departamento" and
    "Department", "Ucrania" and "Ukraine"), each matched once."""
    left = [w for w in a if len(w) >= _MIN_COGNATE and not w.startswith("#")]
    right = {w for w in b if len(w) >= _MIN_COGNATE and not w.startswith("#")}
    found = 0
    for word in left:
        match = next((w for w in sorted(right) if fuzz.ratio(word, w) >= _COGNATE_RATIO), None)
        if match is not None:
            right.discard(match)
            found += 1
    return found


def _score(a: Counter[str], b: Counter[str]) -> float:
    exact = a & b
    shared = sum(exact.values()) + _cognates(a - exact, b - exact)
    if shared < _MIN_SHARED:
        return 0.0
    norm = math.sqrt(sum(a.values()) * sum(b.values()))
    return shared / norm if norm else 0.0

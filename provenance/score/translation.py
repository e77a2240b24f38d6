"""Scores and verdict of a copy in another language than its original.

The paragraph map of a translation (align/translation.py) pairs paragraphs on their names
and numbers, in order. A copy is a translation of the original (`rewritten`, with a
`translated` finding naming both languages) when at least two paragraphs correspond and
they make `settings.translation_min_share` of the paragraphs that hold anchors on the
shorter side; otherwise it is another story in another language (`unrelated`).

* coverage  share of the original's words in paragraphs the copy translates;
* derived   share of the copy's words in paragraphs translated from the original;
* additions the rest of the copy; fidelity the mean anchor similarity of the pairs;
  order 1.0 (the pairs follow both texts' order by construction).
"""

from __future__ import annotations

from ..edits import anchors
from ..models import Alignment, Finding, ParagraphMatch, Scores, Severity, Status, Verdict
from ..settings import Settings

__all__ = ["judge_translation"]

_MIN_PAIRS = 2
# A paragraph holds anchors when it has at least this many.
_ANCHORED = 2


def judge_translation(alignment: Alignment, settings: Settings) -> tuple[Scores, Verdict, Finding]:
    """(scores, verdict, the `translated` or `paraphrase` finding) of a translated copy's
    alignment (`alignment.translation` is set)."""
    assert alignment.translation is not None
    copy_language, original_language = alignment.translation
    pairs = [m for m in alignment.matches if m.status is Status.REWRITTEN]
    copy_rows = _rows(alignment.matches, "copy")
    original_rows = _rows(alignment.matches, "original")
    anchored = min(
        sum(len(anchors(t, copy_language)) >= _ANCHORED for t in copy_rows),
        sum(len(anchors(t, original_language)) >= _ANCHORED for t in original_rows),
    )
    share = len(pairs) / anchored if anchored else 0.0
    scores = _scores(pairs, copy_rows, original_rows)
    languages = f"copy in {copy_language}, original in {original_language}"
    figures = (
        f"{len(pairs)} of {anchored} paragraphs holding names and numbers correspond, in "
        f"order ({share:.2f}; a translation from {settings.translation_min_share:g})"
    )
    if len(pairs) >= _MIN_PAIRS and share >= settings.translation_min_share:
        return (
            scores,
            Verdict.REWRITTEN,
            Finding("translated", Severity.WARNING, f"{languages}: {figures}"),
        )
    return (
        scores,
        Verdict.UNRELATED,
        Finding("paraphrase", Severity.INFO, f"{languages}: {figures}"),
    )


def _rows(matches: tuple[ParagraphMatch, ...], side: str) -> list[str]:
    texts: dict[int, str] = {}
    for m in matches:
        index = m.copy_index if side == "copy" else m.original_index
        if index is not None:
            texts.setdefault(index, m.copy_text if side == "copy" else m.original_text)
    return [texts[i] for i in sorted(texts)]


def _scores(pairs: list[ParagraphMatch], copy_rows: list[str], original_rows: list[str]) -> Scores:
    copy_words = sum(len(t.split()) for t in copy_rows)
    original_words = sum(len(t.split()) for t in original_rows)
    copy_kept = sum(len(m.copy_text.split()) for m in pairs)
    original_kept = sum(len(m.original_text.split()) for m in pairs)
    derived = copy_kept / copy_words if copy_words else 0.0
    return Scores(
        coverage=round(original_kept / original_words if original_words else 0.0, 4),
        fidelity=round(sum(m.similarity for m in pairs) / len(pairs) if pairs else 0.0, 4),
        additions=round(1.0 - derived, 4),
        order=1.0,
        derived=round(derived, 4),
    )

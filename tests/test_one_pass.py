"""Each document is run through evidence detection once per check (issue 14)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from provenance import pipeline
from provenance.detect import detect_evidence
from provenance.models import Document, Evidence
from provenance.settings import Settings

CASE = Path(__file__).resolve().parents[1] / "cases" / "synthetic-added-1"
SETTINGS = Settings(offline=True, cache_dir=None)


@pytest.fixture
def detected(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Counts, by source, the documents the pipeline runs detection on."""
    seen: Counter[str] = Counter()

    def counting(doc: Document, settings: Settings) -> Evidence:
        seen[doc.source] += 1
        return detect_evidence(doc, settings)

    monkeypatch.setattr(pipeline, "detect_evidence", counting)
    return seen


def test_copy_and_original_are_each_detected_once(detected: Counter[str]) -> None:
    copy, original = str(CASE / "copy.txt"), str(CASE / "original.txt")
    [report] = pipeline.check_source(copy, original=original, settings=SETTINGS)
    assert report.scores is not None and report.scores.coverage == 1.0
    assert detected == Counter({copy: 1, original: 1})


def test_posts_of_a_split_page_share_the_original_detection(
    detected: Counter[str], tmp_path: Path
) -> None:
    prose = "The council voted on the new budget for the river bridge repairs this week."
    page = tmp_path / "archive.txt"
    page.write_text(
        f"{prose}\n\nThis post appeared first on FOX NEWS.\n\n{prose} Again.\n\n"
        "This post appeared first on FOX NEWS.\n\nA third post with enough words to count "
        "as prose on its own line here.\n",
        encoding="utf-8",
    )
    original = str(CASE / "original.txt")
    reports = pipeline.check_source(str(page), original=original, settings=SETTINGS)
    assert len(reports) == 3
    # the page once to split it, each renumbered post once, the original once in all
    assert detected == Counter({str(page): 1 + 3, original: 1})

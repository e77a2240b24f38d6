"""Translated copies: derived (`rewritten` with a `translated` finding), paired on the
names, numbers and dates a translation keeps; another story in another language stays
`unrelated`. The translations (tests/translations/) were written for these tests from the
Fox News story kept in cases/."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance import Settings, Verdict, check_source
from provenance.edits import anchors, sure_language
from provenance.models import Status

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ORIGINAL = ROOT / "cases/real-fox-timeandsales/timeandsalesreporter_p95152.txt"
SETTINGS = Settings(offline=True)


def _check(copy: Path, original: Path = ORIGINAL):  # type: ignore[no-untyped-def]
    [report] = check_source(str(copy), original=str(original), settings=SETTINGS)
    return report


@pytest.mark.parametrize("language", ["es", "fr", "de", "pt", "it"])
def test_a_translation_is_rewritten_and_says_translated(language: str) -> None:
    report = _check(HERE / "translations" / f"fox-dhs-{language}.txt")
    assert report.verdict is Verdict.REWRITTEN
    [translated] = [f for f in report.findings if f.code == "translated"]
    assert translated.message.startswith(f"copy in {language}, original in en: ")
    assert report.alignment is not None and report.alignment.translation == (language, "en")
    pairs = [m for m in report.alignment.matches if m.status is Status.REWRITTEN]
    assert len(pairs) >= 4
    # the pairs follow both texts' order
    assert [m.original_index for m in pairs] == sorted(m.original_index for m in pairs)
    assert report.scores is not None and report.scores.derived >= 0.4


def test_the_mayorkas_paragraph_is_paired_with_its_translation() -> None:
    report = _check(HERE / "translations" / "fox-dhs-es.txt")
    assert report.alignment is not None
    [pair] = [m for m in report.alignment.matches if "Mayorkas, declaró" in m.copy_text]
    assert pair.status is Status.REWRITTEN
    assert "Mayorkas testified in April 2022" in pair.original_text


def test_another_story_in_another_language_stays_unrelated() -> None:
    report = _check(HERE / "translations" / "other-topic-es.txt")
    assert report.verdict is Verdict.UNRELATED
    assert "translated" not in {f.code for f in report.findings}
    [figures] = [f for f in report.findings if f.code == "paraphrase"]
    assert figures.message.startswith("copy in es, original in en: ")


@pytest.mark.parametrize("language", ["fr", "de", "pt", "it"])
def test_the_other_story_is_no_translation_of_any_translation(language: str) -> None:
    report = _check(
        HERE / "translations" / "other-topic-es.txt",
        HERE / "translations" / f"fox-dhs-{language}.txt",
    )
    assert report.verdict is Verdict.UNRELATED


def test_a_copy_in_the_original_language_is_not_taken_for_a_translation() -> None:
    report = _check(ORIGINAL)
    assert report.alignment is not None and report.alignment.translation is None
    assert report.verdict is Verdict.FAITHFUL


@pytest.mark.parametrize(
    ("text", "language", "anchor"),
    [
        ("ganó 5 millones de dólares el martes", "es", "#5000000|usd"),
        ("won 5 million dollars on Tuesday", "en", "#5000000|usd"),
        ("a gagné 5 millions de dollars mardi", "fr", "tuesday"),
        ("gewann am Dienstag 5 Millionen Dollar", "de", "tuesday"),
        ("disse Alejandro Mayorkas em abril", "pt", "mayorkas"),
    ],
)
def test_anchors_are_the_same_across_languages(text: str, language: str, anchor: str) -> None:
    assert anchor in anchors(text, language)


def test_a_language_is_sure_only_with_enough_function_words() -> None:
    assert sure_language((HERE / "translations" / "fox-dhs-it.txt").read_text()) == "it"
    assert sure_language("Alejandro Mayorkas, 2022.") is None

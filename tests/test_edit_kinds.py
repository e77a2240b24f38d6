"""Edit kinds end to end: one edit of one kind in a real article, and the check's answer.

Each case (tests/make_edit_cases.py) copies an article with exactly one edit; the check
must name the edit's kind in the word diff, report the matching finding, and give the
verdict an editor would: `modified` for a changed number, negation, name or modality
however small, `faithful` for an edit of style only.
"""

from __future__ import annotations

import pytest
from make_edit_cases import MEANING, REUTERS, EditCase, bundled_cases, reuters_cases

from provenance import Settings, Verdict, check_document
from provenance.models import Document, EditKind, Paragraph

SETTINGS = Settings(offline=True)
FINDING = {
    "number": "number-changed",
    "negation": "negation-changed",
    "name": "name-changed",
    "modality": "modality-changed",
    "style": "style-edits",
}
BUNDLED = bundled_cases()


def _doc(paragraphs: list[str], source: str) -> Document:
    return Document(
        source=source,
        kind="text",
        paragraphs=tuple(Paragraph(i, t) for i, t in enumerate(paragraphs)),
    )


def _assert_case(case: EditCase) -> None:
    report = check_document(
        _doc(case.copy, "copy"), original=_doc(case.original, "original"), settings=SETTINGS
    )
    kinds = {
        op.kind for m in report.alignment.matches for op in m.diff if op.kind is not None
    } if report.alignment else set()  # fmt: skip
    codes = {f.code for f in report.findings}
    where = f"{case.id} ({case.before})"
    assert EditKind(case.kind) in kinds, f"{where}: kinds {kinds}"
    assert FINDING[case.kind] in codes, f"{where}: findings {codes}"
    expected = Verdict.MODIFIED if case.kind in MEANING else Verdict.FAITHFUL
    assert report.verdict is expected, f"{where}: {report.verdict}, findings {codes}"
    if case.kind == "style":
        material = codes & {"number-changed", "negation-changed", "name-changed",
                            "modality-changed", "quote-altered"}  # fmt: skip
        assert not material, f"{where}: {material}"


def test_the_bundled_articles_give_every_edit_kind() -> None:
    made = {(c.kind, c.edit) for c in BUNDLED}
    assert {k for k, _ in made} == set(FINDING)
    assert len({e for _, e in made}) >= 9


@pytest.mark.parametrize("case", BUNDLED, ids=[c.id for c in BUNDLED])
def test_one_edit_in_a_real_article(case: EditCase) -> None:
    _assert_case(case)


@pytest.mark.skipif(not REUTERS.is_dir(), reason="../shared/corpus/reuters21578 is not here")
def test_one_edit_in_reuters_wire_stories() -> None:
    cases = reuters_cases()
    failures = []
    for case in cases:
        try:
            _assert_case(case)
        except AssertionError as exc:
            failures.append(str(exc).splitlines()[0])
    # Every meaning edit caught and every style edit left faithful, on wire copy
    # (abbreviations, datelines, tables of figures) nobody here wrote.
    assert len(cases) >= 200
    assert not failures, f"{len(failures)} of {len(cases)}:\n" + "\n".join(failures[:20])

"""The archive over the whole AllSides corpus plus the originals of cases/: `archive search`
ranks each case's original first for every copy that keeps at least a third of its text
(faithful, trimmed or modified copies; a paraphrase keeps no text to look up), and never
offers the original of an unrelated copy.

Some copies (Newsmax's republication of Reuters) are in the corpus themselves; a copy
finding itself is right but not the point, so it (same URL or text) is left out of the
ranking."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from shared_dir import MISSING, SHARED, have_shared
from test_cases import case_file as case_file_path

from provenance.archive import Archive, Candidate
from provenance.models import Document
from provenance.pipeline import check_source, read_documents
from provenance.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
CORPUS = SHARED / "corpus" / "allsides_abp"
SETTINGS = Settings(offline=True, cache_dir=None)


def _cases_with_originals() -> list[tuple[str, Path, Path, dict[str, object]]]:
    """Cases with an original whose files are all here (../shared ones only beside it)."""
    found = []
    for case_file in sorted((ROOT / "cases").glob("*/case.json")):
        data = json.loads(case_file.read_text(encoding="utf-8"))
        folder = case_file.parent
        copy, original = (
            case_file_path(folder, data, "copy"),
            case_file_path(folder, data, "original"),
        )
        if copy is not None and original is not None and copy.is_file() and original.is_file():
            found.append((folder.name, copy, original, data))
    return found


CASES = _cases_with_originals()


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    if not have_shared():
        pytest.skip(MISSING)
    path = tmp_path_factory.mktemp("archive") / "corpus.sqlite"
    store = Archive.open(path, settings=SETTINGS)
    result = store.import_paths([CORPUS], SETTINGS)
    assert result.added >= 6900, result.errors[:5]
    for _, _, original, _ in CASES:
        for doc in read_documents(str(original), settings=SETTINGS):
            store.add_document(doc)
    return store


def _is_itself(candidate: Candidate, doc: Document, wanted: Document) -> bool:
    if candidate.url == wanted.url:
        return False
    if doc.url is not None and candidate.url == doc.url:
        return True
    mine = {p.text for p in doc.paragraphs}
    theirs = {p.text for p in candidate.document.paragraphs}
    return len(mine ^ theirs) <= 2  # the same text, give or take a title line


def _keeps_a_third(copy: Path, original: Path, data: dict[str, object]) -> bool:
    [report] = check_source(str(copy), original=str(original), settings=SETTINGS)[
        int(data.get("item", 0)) : int(data.get("item", 0)) + 1
    ]
    assert report.scores is not None
    kept_text = report.verdict.value in ("faithful", "trimmed", "modified")
    return kept_text and report.scores.coverage >= 1 / 3


@pytest.mark.shared
@pytest.mark.parametrize(("slug", "copy", "original", "data"), CASES, ids=[c[0] for c in CASES])
def test_archive_search_ranks_the_original_first(
    archive: Archive, slug: str, copy: Path, original: Path, data: dict[str, object]
) -> None:
    expected = data["expected"]
    assert isinstance(expected, dict)
    docs = read_documents(str(copy), settings=SETTINGS)
    doc = docs[int(data.get("item", 0))]
    wanted = read_documents(str(original), settings=SETTINGS)[0]
    candidates = [c for c in archive.search(doc, limit=6) if not _is_itself(c, doc, wanted)]
    if expected["verdict"] == "unrelated":
        assert not any(c.document.url == wanted.url for c in candidates[:1]), slug
        assert all(c.url != wanted.url for c in candidates), f"{slug}: unrelated copy matched"
        return
    if not _keeps_a_third(copy, original, data):
        pytest.skip(f"{slug} keeps less than a third of its original")
    assert candidates, f"{slug}: no candidate"
    top = candidates[0]
    assert top.url == wanted.url or top.document.title == wanted.title, (
        f"{slug}: top candidate {top.url} ({top.score:.2f}), wanted {wanted.url}"
    )

"""The archive finds the original of a translated copy by its anchors (names, numbers).

A real SQLite archive holds the Fox News story kept in cases/ and the other originals of
cases/ (18 other articles, 21 versions); the translations of tests/translations/ share no word
5-shingle with it, so the MinHash index finds nothing and the anchor index is asked.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from provenance import Settings
from provenance.archive import Archive
from provenance.archive._anchors import anchor_query, index_terms
from provenance.cli import cli
from provenance.errors import ArchiveError
from provenance.load import load_documents
from provenance.models import Document, Paragraph

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TRANSLATIONS = HERE / "translations"
ORIGINAL = ROOT / "cases/real-fox-timeandsales/timeandsalesreporter_p95152.txt"
ORIGINAL_URL = "https://timeandsalesreporter.com/?p=95152"
LANGUAGES = ["es", "fr", "de", "pt", "it"]
SETTINGS = Settings(offline=True)


def _originals() -> list[Path]:
    """The Fox story and the other originals the cases keep (each file once)."""
    files = [ORIGINAL]
    for case in sorted((ROOT / "cases").glob("*/case.json")):
        name = json.loads(case.read_text(encoding="utf-8")).get("original")
        if name and (case.parent / name).is_file():
            files.append(case.parent / name)
    return files


def _load(path: Path) -> Document:
    return load_documents(path.read_bytes(), source=str(path), settings=SETTINGS)[0]


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("translated") / "originals.sqlite"
    with Archive.open(path, settings=SETTINGS) as archive:
        result = archive.import_paths(_originals(), SETTINGS, workers=0)
        stored = archive.stats()
    assert result.errors == []
    assert (stored.documents, stored.versions) >= (19, 21)  # the story and 18 others
    return path


def _check(copy: Path, archive: Path) -> dict:  # type: ignore[type-arg]
    args = ["check", str(copy), "--archive", str(archive), "--offline", "--format", "json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)  # type: ignore[no-any-return]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_translation_is_found_in_the_archive_and_is_rewritten(
    archive_path: Path, language: str
) -> None:
    report = _check(TRANSLATIONS / f"fox-dhs-{language}.txt", archive_path)
    assert report["verdict"] == "rewritten"
    assert report["original"]["url"] == ORIGINAL_URL
    assert report["original"]["found_by"] == "archive"
    [translated] = [f for f in report["findings"] if f["code"] == "translated"]
    assert translated["message"].startswith(f"copy in {language}, original in en: ")
    [attempt] = [a for a in report["attempts"] if a["strategy"] == "archive"]
    assert (attempt["target"], attempt["outcome"]) == (ORIGINAL_URL, "found")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_search_ranks_the_original_first_by_its_anchors(
    archive_path: Path, language: str
) -> None:
    copy = _load(TRANSLATIONS / f"fox-dhs-{language}.txt")
    with Archive.open(archive_path, create=False, settings=SETTINGS) as archive:
        found = archive.search(copy)
    assert found, f"{language}: nothing found"
    assert (found[0].url, found[0].matched_by) == (ORIGINAL_URL, "anchors")
    assert found[0].score >= SETTINGS.archive_min_anchor_share
    assert found[0].document.paragraphs  # the text comes with it, for the alignment


@pytest.mark.parametrize(
    "story",
    [
        # shares 2 anchors with the original, under the 4 a candidate needs
        "other-topic-es.txt",
        # shares Jankowicz, the Wilson Center and Mayorkas in 2022, so the archive offers the
        # original; 2 of its 5 anchored paragraphs correspond (0.40, under
        # `translation_min_share` 0.5), so the alignment rejects it
        "other-topic-fr.txt",
    ],
)
def test_another_story_on_the_topic_in_another_language_gets_no_original(
    story: str, archive_path: Path
) -> None:
    report = _check(TRANSLATIONS / story, archive_path)
    assert report["original"] is None
    assert report["verdict"] == "unverified"
    assert "translated" not in {f["code"] for f in report["findings"]}


def test_a_copy_in_the_language_of_the_original_is_still_found_by_its_shingles(
    archive_path: Path,
) -> None:
    copy = _load(ORIGINAL)
    with Archive.open(archive_path, create=False, settings=SETTINGS) as archive:
        [first, *_] = archive.search(copy)
        assert (first.url, first.matched_by) == (ORIGINAL_URL, "lsh")
        # and it is never looked up by anchors: the archive holds no other language
        assert archive.search_translated(copy) == []


def test_a_copy_whose_language_is_not_sure_is_not_looked_up_by_anchors(
    archive_path: Path,
) -> None:
    names = "Mayorkas, McLaughlin, Gaskill, Silvers, Jankowicz, CISA, DHS, 2022."
    copy = Document(source="names.txt", kind="text", paragraphs=(Paragraph(0, names),))
    with Archive.open(archive_path, create=False, settings=SETTINGS) as archive:
        assert archive.search_translated(copy) == []


def test_an_archive_holding_only_the_copys_language_is_not_searched_by_anchors(
    tmp_path: Path,
) -> None:
    path = tmp_path / "spanish.sqlite"
    with Archive.open(path, settings=SETTINGS) as archive:
        archive.import_paths([TRANSLATIONS / "other-topic-es.txt"], SETTINGS, workers=0)
        assert archive.search_translated(_load(TRANSLATIONS / "fox-dhs-es.txt")) == []
        # in English, the same copy's original would be a candidate
        archive.import_paths([ORIGINAL], SETTINGS, workers=0)
        [found] = archive.search_translated(_load(TRANSLATIONS / "fox-dhs-es.txt"))
        assert found.url == ORIGINAL_URL


def test_a_schema_5_archive_gets_its_anchor_index_filled_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    with Archive.open(path, settings=SETTINGS) as archive:
        archive.import_paths(_originals()[:6], SETTINGS, workers=0)
    with sqlite3.connect(path) as conn:  # what schema 5 did not have
        conn.execute("DROP TABLE anchor_index")
        conn.execute("DELETE FROM meta WHERE key = 'anchor_scheme'")
        conn.execute("PRAGMA user_version = 5")
    with pytest.raises(ArchiveError, match="archive schema 5, this version of provenance reads"):
        Archive.open(path, read_only=True)
    copy = _load(TRANSLATIONS / "fox-dhs-fr.txt")
    with Archive.open(path, create=False, settings=SETTINGS) as archive:
        [found] = archive.search(copy)
        assert (found.url, found.matched_by) == (ORIGINAL_URL, "anchors")
        assert archive.integrity_check() == "ok"
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (6,)
        indexed = conn.execute("SELECT count(*) FROM anchor_index").fetchone()[0]
        versions = conn.execute("SELECT count(*) FROM versions").fetchone()[0]
        assert 0 < indexed <= versions
    with Archive.open(path, read_only=True, settings=SETTINGS) as archive:
        assert [c.url for c in archive.search(copy)] == [ORIGINAL_URL]


def test_an_anchor_index_of_another_scheme_is_rebuilt_or_refused(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite"
    with Archive.open(path, settings=SETTINGS) as archive:
        archive.import_paths([ORIGINAL], SETTINGS, workers=0)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = 'anchors-0' WHERE key = 'anchor_scheme'")
        conn.execute("INSERT INTO anchor_index (anchor_index) VALUES ('delete-all')")
    with pytest.raises(ArchiveError, match="anchor index was built with another scheme"):
        Archive.open(path, read_only=True)
    with Archive.open(path, create=False, settings=SETTINGS) as archive:
        [found] = archive.search(_load(TRANSLATIONS / "fox-dhs-it.txt"))
        assert found.url == ORIGINAL_URL


@pytest.mark.parametrize(
    ("title", "texts", "expected"),
    [
        # numbers lose their separators: 5,000 (en) and 5.000 (es) are one anchor
        (None, ["It cost 5,000 dollars in 2022."], ["2022", "5000"]),
        (None, ["Costó 5.000 dólares en 2022."], ["2022", "5000"]),
        # a capitalised word inside a sentence is a name, a sentence's first word is not
        (None, ["The board met. Then Mayorkas spoke to CISA."], ["cisa", "mayorkas"]),
        # accents and case aside; the title counts too
        ("Informe de la Agencia", ["Según Scripps, la Sécurité habló."], ["agencia", "scripps", "sécurité"]),
        # single digits and short words are no anchors
        (None, ["He saw 3 of Al's dogs in Rome."], ["rome"]),
    ],
)  # fmt: skip
def test_index_terms(title: str | None, texts: list[str], expected: list[str]) -> None:
    assert index_terms(title, texts) == expected


def test_an_anchor_query_asks_for_other_languages_only() -> None:
    query = anchor_query(["mayorkas", "2022", "o'neil"], "es")
    assert query == (
        '{terms} : ("2022" OR "mayorkas") AND {language} : (en OR fr OR de OR pt OR it)'
    )
    assert anchor_query([], "es") is None


def test_archive_search_says_a_candidate_was_found_by_anchors(archive_path: Path) -> None:
    copy = str(TRANSLATIONS / "fox-dhs-fr.txt")
    result = CliRunner().invoke(cli, ["archive", "search", copy, "--archive", str(archive_path)])
    assert result.exit_code == 0, result.output
    assert result.output == f"0.789  {ORIGINAL_URL}    (anchors of a translation)\n"
    as_json = CliRunner().invoke(
        cli, ["archive", "search", copy, "--archive", str(archive_path), "--json"]
    )
    [row] = json.loads(as_json.output)
    assert (row["url"], row["matched_by"], row["score"]) == (ORIGINAL_URL, "anchors", 0.789)

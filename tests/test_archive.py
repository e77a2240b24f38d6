"""The archive of originals: real SQLite files, the real corpus, real WARC files."""

from __future__ import annotations

import csv
import functools
import io
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from shared_dir import MISSING, SHARED, have_shared
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from provenance.archive import Archive, ImportResult, _store
from provenance.archive._sketch import (
    band_keys,
    block_hits,
    blocks_holding,
    containment,
    containment_batch,
    pack_blocks,
    shingles,
    top_hits,
    unpack_blocks,
)
from provenance.cli import cli
from provenance.errors import ArchiveError, FetchError, InputError
from provenance.load import load_documents
from provenance.models import Document, Paragraph
from provenance.settings import Settings

REPO = Path(__file__).resolve().parents[1]
CORPUS = SHARED / "corpus" / "allsides_abp"
SETTINGS = Settings()


def _corpus_files(n: int, *, seed: int = 7, min_paragraphs: int = 1) -> list[Path]:
    """`n` corpus articles, none of which shares paragraphs with another outlet's article.

    Skips the test (saying why) when ../shared is not there.
    """
    if not have_shared():
        pytest.skip(MISSING)
    rows = list(_independent_rows())
    random.Random(seed).shuffle(rows)
    picked = []
    for row in rows:
        path = CORPUS / row
        if len(_paragraphs(path)) >= min_paragraphs:
            picked.append(path)
        if len(picked) == n:
            break
    return picked


@functools.cache
def _independent_rows() -> tuple[str, ...]:
    overlap = (CORPUS / "derived_cross_source_overlap_pairs.tsv").read_text(encoding="utf-8")
    lines = [line for line in overlap.splitlines() if not line.startswith("#")]
    shared = {ident for row in csv.reader(lines, delimiter="\t") for ident in row[:2]}
    with (CORPUS / "metadata.tsv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    return tuple(r["path"] for r in rows if r["ID"] not in shared and r["url"])


def _paragraphs(path: Path) -> list[str]:
    _, _, body = path.read_text(encoding="utf-8").partition("\n")
    return [" ".join(block.split()) for block in body.split("\n\n") if block.strip()]


def _doc(texts: list[str], *, url: str | None = None, title: str | None = None) -> Document:
    return Document(
        source="test",
        kind="text",
        paragraphs=tuple(Paragraph(i, t) for i, t in enumerate(texts)),
        url=url,
        title=title,
    )


def _copy_keeping(path: Path, share: float, rng: random.Random) -> Document:
    paragraphs = _paragraphs(path)
    keep = max(1, round(len(paragraphs) * share))
    kept = rng.sample(paragraphs, keep)  # a random subset, shuffled
    return _doc(kept, url="https://copier.example/post", title="Breaking news")


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with Archive.open(tmp_path / "archive.sqlite") as opened:
        yield opened


@pytest.fixture(scope="module")
def corpus_archive(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Archive, list[Path]]]:
    files = _corpus_files(300)
    path = tmp_path_factory.mktemp("corpus") / "archive.sqlite"
    opened = Archive.open(path)
    result = opened.import_paths(files, SETTINGS)
    assert (result.added, result.errors) == (300, [])
    yield opened, files
    opened.close()


# ---------------------------------------------------------------------- import


@pytest.mark.shared
def test_import_corpus_takes_url_title_and_date_from_metadata(archive: Archive) -> None:
    files = _corpus_files(40)
    result = archive.import_paths(files, SETTINGS)
    assert result == ImportResult(added=40)
    with (CORPUS / "metadata.tsv").open(encoding="utf-8", newline="") as fh:
        meta = {r["path"]: r for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)}
    row = meta[files[0].relative_to(CORPUS).as_posix()]
    stored = archive.find_url(row["url"])
    assert stored is not None
    # The file is read by the load stage, as `check --original` reads it.
    [loaded] = load_documents(files[0].read_bytes(), source=str(files[0]), settings=SETTINGS)
    assert stored.title == loaded.title
    assert [p.text for p in stored.paragraphs] == [p.text for p in loaded.paragraphs]
    assert stored.published == datetime.fromisoformat(row["date"]).replace(tzinfo=UTC)
    stats = archive.stats()
    assert (stats.documents, stats.versions) == (40, 40)
    assert stats.paragraphs == sum(
        len(load_documents(f.read_bytes(), source=str(f), settings=SETTINGS)[0].paragraphs)
        for f in files
    )
    assert stats.size_bytes > 0


@pytest.mark.shared
def test_reimport_is_idempotent(archive: Archive) -> None:
    files = _corpus_files(30)
    archive.import_paths(files, SETTINGS)
    again = archive.import_paths(files, SETTINGS, batch_size=7)
    assert again == ImportResult(unchanged=30)
    assert archive.stats().documents == 30


@pytest.mark.shared
def test_changed_page_is_a_new_version(archive: Archive) -> None:
    paragraphs = _paragraphs(_corpus_files(1, min_paragraphs=8)[0])
    url = "https://news.example/story"
    assert archive.add_document(_doc(paragraphs, url=url, title="Story")) == "added"
    assert archive.add_document(_doc(paragraphs, url=url, title="Story")) == "unchanged"
    changed = [*paragraphs[:-2], "An update added after publication, with new details."]
    assert archive.add_document(_doc(changed, url=url, title="Story (updated)")) == "updated"
    stats = archive.stats()
    assert (stats.documents, stats.versions) == (1, 2)
    latest = archive.find_url(url)
    assert latest is not None and latest.title == "Story (updated)"
    # A copy of the first version still finds it, and says which version matched.
    [hit] = archive.search(_doc(paragraphs[-2:]))
    assert (hit.url, hit.version, hit.versions, hit.score) == (url, 1, 2, 1.0)


def test_document_without_url_is_stored_once(archive: Archive) -> None:
    doc = _doc(["One paragraph of text that is long enough to shingle."], title="T")
    assert [archive.add_document(doc) for _ in range(2)] == ["added", "unchanged"]
    assert archive.stats().documents == 1


def test_document_without_text_is_refused(archive: Archive) -> None:
    with pytest.raises(InputError, match="no text"):
        archive.add_document(_doc(["   "], url="https://x.example/a"))


def _warc(path: Path, pages: list[tuple[str, str, bytes]]) -> None:
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for uri, content_type, body in pages:
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1"
            )
            record = writer.create_warc_record(
                uri, "response", payload=io.BytesIO(body), length=len(body), http_headers=headers
            )
            writer.write_record(record)


def _html(title: str, paragraphs: list[str]) -> bytes:
    ps = "".join(f"<p>{p}</p>" for p in paragraphs)
    page = f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{ps}"
    return (page + "</article></body></html>").encode()


@pytest.mark.shared
def test_warc_import_keeps_html_responses(archive: Archive, tmp_path: Path) -> None:
    paragraphs = _paragraphs(_corpus_files(1, seed=3, min_paragraphs=6)[0])[:6]
    warc = tmp_path / "crawl.warc.gz"
    _warc(
        warc,
        [
            ("https://origin.example/a", "text/html; charset=utf-8", _html("Origin", paragraphs)),
            ("https://origin.example/logo.png", "image/png", b"\x89PNG\r\n\x1a\n"),
        ],
    )
    result = archive.import_paths([warc], SETTINGS)
    assert (result.added, result.errors) == (1, [])
    stored = archive.find_url("https://origin.example/a")
    assert stored is not None
    assert any(paragraphs[2] in p.text for p in stored.paragraphs)
    [hit] = archive.search(_doc(paragraphs[1:3]))
    assert hit.url == "https://origin.example/a"


@pytest.mark.shared
def test_broken_files_are_errors_and_the_import_goes_on(archive: Archive, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    good = _corpus_files(2)
    for n, path in enumerate(good):
        (folder / f"good{n}.txt").write_bytes(path.read_bytes())
    (folder / "bad.json").write_text('{"title": {"rendered": "x"', encoding="utf-8")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "blank.txt").write_text("\n \n", encoding="utf-8")
    (folder / "broken.warc").write_bytes(b"this is not a WARC file at all\n")
    result = archive.import_paths([folder, tmp_path / "missing"], SETTINGS)
    assert result.added == 2
    reasons = {Path(source).name: reason for source, reason in result.errors}
    assert set(reasons) == {"bad.json", "binary.txt", "blank.txt", "broken.warc", "missing"}
    assert "binary data" in reasons["binary.txt"]
    assert "no text" in reasons["blank.txt"]
    assert "WARC" in reasons["broken.warc"]


def test_undeclared_latin1_text_is_read_as_check_reads_it(archive: Archive, tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes(
        "https://o.example/caf\n\nLe caf\xe9 cr\xe8me\n\nUn caf\xe9 \xe0 Z\xfcrich.".encode(
            "latin-1"
        )
    )
    assert archive.import_paths([path], SETTINGS).added == 1
    stored = archive.find_url("https://o.example/caf")
    assert stored is not None
    assert [p.text for p in stored.paragraphs] == ["Le café crème", "Un café à Zürich."]


@pytest.mark.shared
def test_url_list_offline_and_with_a_fetcher(archive: Archive, tmp_path: Path) -> None:
    urls = tmp_path / "originals.urls"
    urls.write_text("https://a.example/1\n\nhttps://a.example/2\n", encoding="utf-8")
    offline = archive.import_paths([urls], SETTINGS)
    assert offline.added == 0
    assert [(u, r.split(":")[0]) for u, r in offline.errors] == [
        ("https://a.example/1", "offline"),
        ("https://a.example/2", "offline"),
    ]
    paragraphs = _paragraphs(_corpus_files(1, seed=5, min_paragraphs=4)[0])

    def fetch(url: str) -> tuple[bytes, str | None]:
        if url.endswith("/2"):
            raise FetchError(url, "HTTP 404")
        return _html("Fetched", paragraphs), "text/html"

    result = archive.import_paths([urls], SETTINGS, fetch=fetch)
    assert result.added == 1
    assert result.errors == [("https://a.example/2", "cannot fetch: HTTP 404")]
    assert archive.find_url("https://a.example/1") is not None


# ---------------------------------------------------------------------- search


@pytest.mark.shared
@pytest.mark.parametrize("share", [1.0, 0.6, 0.35])
def test_search_ranks_the_original_first(
    corpus_archive: tuple[Archive, list[Path]], share: float
) -> None:
    archive, files = corpus_archive
    rng = random.Random(int(share * 100))
    for original in _corpus_files(10, seed=7, min_paragraphs=6)[:10]:
        assert original in files
        hits = archive.search(_copy_keeping(original, share, rng))
        assert hits, f"{original.name} at {share}: no candidate"
        assert hits[0].document.source == str(original), f"{original.name} at {share}"
        assert hits[0].score >= 0.95
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


@pytest.mark.shared
def test_unrelated_article_finds_nothing(corpus_archive: tuple[Archive, list[Path]]) -> None:
    archive, files = corpus_archive
    outsider = next(f for f in _corpus_files(400, seed=11) if f not in files)
    assert archive.search(_doc(_paragraphs(outsider), title="Unrelated")) == []


def test_title_match_alone_is_not_reported(archive: Archive) -> None:
    text = ["The council approved the budget for the new library after a long debate."]
    archive.add_document(_doc(text, url="https://a.example/x", title="Council approves library"))
    other = _doc(["Completely different words about weather in another town today."])
    other = Document("t", "text", other.paragraphs, title="Council approves library")
    assert archive.search(other) == []


@pytest.mark.shared
def test_recall_at_1_for_copies_keeping_30_percent_or_more(
    corpus_archive: tuple[Archive, list[Path]],
) -> None:
    archive, files = corpus_archive
    rng = random.Random(2024)
    misses = []
    for original in files:
        share = rng.uniform(0.3, 1.0)
        hits = archive.search(_copy_keeping(original, share, rng), limit=1)
        if not hits or hits[0].document.source != str(original):
            misses.append((original.name, round(share, 2)))
    assert 1 - len(misses) / len(files) >= 0.99, misses


@pytest.mark.shared
def test_index_survives_reopening_and_a_scheme_change(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite"
    paragraphs = _paragraphs(_corpus_files(1, min_paragraphs=5)[0])
    with Archive.open(path) as archive:
        archive.add_document(_doc(paragraphs, url="https://o.example/1"))
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = 'old-scheme' WHERE key = 'index_scheme'")
        conn.execute("DELETE FROM lsh_blocks")
        conn.execute("DELETE FROM lsh_runs")
    with Archive.open(path, create=False) as archive:
        [hit] = archive.search(_doc(paragraphs[:2]))
        assert (hit.url, hit.matched_by) == ("https://o.example/1", "lsh")


def test_band_keys_are_stable_across_processes_and_releases() -> None:
    # Signatures are persisted: a change here silently breaks every stored index.
    keys = band_keys(shingles(["the quick brown fox jumps over the lazy dog"]))
    assert len(keys) == 64
    assert [k >> 32 for k in keys] == list(range(64))
    assert keys[:3] == PINNED_KEYS


# Scheme t2 (shingles hashed to u64 in numpy, then MinHashed by rensa from the hashes):
# changed on purpose from t1's [1564277523, 7519624550, 11847392455] for a faster import.
PINNED_KEYS = [3629794664, 7647748717, 12122570199]


# ---------------------------------------------------------------------- failures


def test_opening_a_file_that_is_not_an_archive(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database" * 100)
    with pytest.raises(ArchiveError, match="cannot open archive"):
        Archive.open(junk)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(ArchiveError, match="not a provenance archive"):
        Archive.open(other)
    with pytest.raises(ArchiveError, match="no archive there"):
        Archive.open(tmp_path / "absent.sqlite", create=False)


def test_archive_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite"
    Archive.open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(ArchiveError, match="newer"):
        Archive.open(path)


def _descendants(pid: int) -> list[int]:
    """Process ids of every descendant of `pid` (from /proc)."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found += children
        todo += children
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


_CHILD = """
import sys
from pathlib import Path
from provenance.archive import Archive
from provenance.settings import Settings

def progress(done):
    print(done, flush=True)
    sys.stdin.readline()

with Archive.open(Path(sys.argv[1])) as archive:
    archive.import_paths([Path(p) for p in sys.argv[2:]], Settings(), batch_size=25,
                         progress=progress, workers=2)
print("finished", flush=True)
"""


@pytest.mark.shared
def test_kill_mid_import_loses_only_the_open_batch(tmp_path: Path) -> None:
    files = _corpus_files(300)
    path = tmp_path / "archive.sqlite"
    paths = [str(REPO), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    with subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(path), *map(str, files)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    ) as child:
        assert child.stdin is not None and child.stdout is not None
        for done in ("25", "50"):
            assert child.stdout.readline().strip() == done
            child.stdin.write("\n")
            child.stdin.flush()
        # The child has just started its third batch: kill it in the middle.
        helpers = _descendants(child.pid)
        assert helpers, "the import ran without worker processes"
        child.send_signal(signal.SIGKILL)
        assert child.wait() == -signal.SIGKILL
    # Its worker processes (and their forkserver) see it gone and exit.
    deadline = time.monotonic() + 10
    while (alive := [pid for pid in helpers if _running(pid)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert alive == []

    with Archive.open(path, create=False) as archive:
        assert archive.integrity_check() == "ok"
        kept = archive.stats().documents
        assert kept % 25 == 0 and 50 <= kept < 300
        result = archive.import_paths(files, SETTINGS)
        assert (result.unchanged, result.added, result.errors) == (kept, 300 - kept, [])
        assert archive.stats().documents == 300
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(DISTINCT url) FROM documents").fetchone() == (300,)


# ---------------------------------------------------------------------- command line


@pytest.mark.shared
def test_cli_import_reports_each_bad_file_and_search_ranks_a_third_copy_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = tmp_path / "originals"
    folder.mkdir()
    files = _corpus_files(20, seed=13, min_paragraphs=9)
    for n, path in enumerate(files):
        (folder / f"{n:02}.txt").write_bytes(path.read_bytes())
    (folder / "bad.json").write_text('{"title": {"rendered": "x"', encoding="utf-8")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    db = tmp_path / "a.sqlite"
    runner = CliRunner()
    imported = runner.invoke(
        cli, ["archive", "import", str(folder), "--archive", str(db), "--offline"]
    )
    assert imported.exit_code == 0, imported.output
    assert imported.stdout == f"20 added, 0 updated, 0 unchanged, 2 skipped ({db})\n"
    skipped = imported.stderr.splitlines()
    assert [line.split(": ")[0] for line in skipped] == [
        f"skipped {folder / 'bad.json'}",
        f"skipped {folder / 'binary.txt'}",
    ]
    assert "binary data" in skipped[1]

    original = files[11]
    paragraphs = _paragraphs(original)
    kept = random.Random(3).sample(paragraphs, len(paragraphs) // 3)  # a third, shuffled
    copy = tmp_path / "copy.txt"
    copy.write_text("Copied story\n\n" + "\n\n".join(kept) + "\n", encoding="utf-8")
    found = runner.invoke(cli, ["archive", "search", str(copy), "--archive", str(db)])
    assert found.exit_code == 0, found.output
    title = original.read_text(encoding="utf-8").split("\n", 1)[0].strip()
    score, url, first_title = found.stdout.splitlines()[0].split("  ", 2)
    assert (url, first_title) == ("-", title)  # ranked first (no URL: no metadata.tsv)
    assert float(score) >= 0.95


@pytest.mark.shared
def test_index_runs_merge_level_by_level_and_stay_searchable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_store, "BLOCK_ENTRIES", 16)  # runs of many blocks
    monkeypatch.setattr(_store, "LEVEL1_ENTRIES", 256)  # 4 articles; then 16, 64, ...
    monkeypatch.setattr(_store, "LEVEL_RATIO", 4)
    files = _corpus_files(80, seed=17, min_paragraphs=8)
    with Archive.open(tmp_path / "archive.sqlite") as archive:
        # One run of 64 keys per article: levels fill, spill and merge many times over.
        assert archive.import_paths(files, SETTINGS, batch_size=1, workers=0).added == 80
        conn = archive._conn
        levels = conn.execute("SELECT level, count(*), max(rows) FROM lsh_runs GROUP BY level")
        by_level = {level: (count, rows) for level, count, rows in levels}
        assert max(by_level) >= 3
        assert by_level.get(0, (0, 0))[0] < _store.LEVEL0_RUNS
        for level, (count, rows) in by_level.items():
            if level:  # levelled: one run per level, within its capacity
                assert count == 1 and rows <= 256 * 4 ** (level - 1), by_level
        runs = conn.execute("SELECT run, rows, fences FROM lsh_runs ORDER BY run").fetchall()
        assert sum(rows for _, rows, _ in runs) == 80 * 64
        for run, rows, fences in runs:
            firsts = np.frombuffer(fences, dtype=np.int64)
            bands = (firsts >> 32).tolist()
            pairs = [  # (32-bit MinHash value, 32-bit version id) per entry
                np.frombuffer(data, dtype="<u4").reshape(-1, 2).astype(np.int64)
                for (data,) in conn.execute(
                    "SELECT data FROM lsh_blocks WHERE id >> 32 = ? ORDER BY id", (run,)
                )
            ]
            assert len(pairs) == len(bands)
            for n, block in enumerate(pairs):
                # Full blocks of 16, but for the last block of each band.
                last_of_band = n + 1 == len(pairs) or bands[n + 1] != bands[n]
                assert len(block) == 16 or (last_of_band and 0 < len(block) < 16)
                assert (bands[n] << 32 | int(block[0, 0])) == firsts[n]
            keys = np.concatenate(
                [(band << 32) | b[:, 0] for band, b in zip(bands, pairs, strict=True)]
            )
            vids = np.concatenate([b[:, 1] for b in pairs])
            assert (
                len(keys) == rows
                and len(set(zip(keys.tolist(), vids.tolist(), strict=True))) == rows
            )
            assert (np.diff(keys) >= 0).all()  # sorted by key
        rng = random.Random(5)
        for original in files:
            [hit, *_] = archive.search(_copy_keeping(original, 0.5, rng), limit=1)
            assert hit.document.source == str(original)


@pytest.mark.shared
def test_a_band_key_shared_by_many_versions_is_found_across_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_store, "BLOCK_ENTRIES", 4)  # each key's entries span many blocks
    paragraphs = _paragraphs(_corpus_files(1, seed=3, min_paragraphs=5)[0])
    with Archive.open(tmp_path / "archive.sqlite") as archive:
        docs = [_doc(paragraphs, url=f"https://o.example/{n}") for n in range(30)]
        assert archive.add_documents(docs, batch_size=7).added == 30
        hits = archive._lsh_hits(band_keys(shingles(paragraphs)))
        # Every copy collides in all 64 bands; the 16 with the lowest version ids are kept.
        assert list(hits.items()) == [(vid, 64) for vid in range(1, 17)]


@pytest.mark.shared
def test_index_blocks_kept_by_lookups_go_with_runs_that_another_import_merges(
    tmp_path: Path,
) -> None:
    """A process keeps the index blocks its lookups read; another process's import merges
    the runs they belong to, and the next lookup finds both old and new originals."""
    path = tmp_path / "archive.sqlite"
    files = _corpus_files(40, seed=21, min_paragraphs=4)
    docs = [_doc(_paragraphs(f), url=f"https://o.example/{n}") for n, f in enumerate(files)]
    rng = random.Random(2)
    with Archive.open(path) as reader:
        assert reader.add_documents(docs[:20], batch_size=5).added == 20
        for n in range(20):
            [hit, *_] = reader.search(_copy_keeping(files[n], 0.5, rng), limit=1)
            assert hit.url == f"https://o.example/{n}"
        cached = set(reader._block_cache)
        assert cached and reader._block_cache_bytes == sum(map(len, reader._block_cache.values()))
        with Archive.open(path) as writer:
            assert writer.add_documents(docs[20:], batch_size=5).added == 20
        live = {r for (r,) in reader._conn.execute("SELECT run FROM lsh_runs")}
        assert {i >> 32 for i in cached} - live  # a run whose blocks are kept is gone
        for n in rng.sample(range(40), 20):
            [hit, *_] = reader.search(_copy_keeping(files[n], 0.5, rng), limit=1)
            assert hit.url == f"https://o.example/{n}"
        assert {i >> 32 for i in reader._block_cache} <= live


@pytest.mark.shared
def test_block_cache_stays_within_its_budget_and_changes_no_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _corpus_files(12, seed=23, min_paragraphs=4)
    path = tmp_path / "archive.sqlite"
    with Archive.open(path) as archive:
        for n, f in enumerate(files):
            archive.add_document(_doc(_paragraphs(f), url=f"https://o.example/{n}"))
    copies = [_copy_keeping(f, 0.4, random.Random(n)) for n, f in enumerate(files)]

    def results() -> list[list[tuple[str | None, float]]]:
        with Archive.open(path, read_only=True) as archive:
            found = [
                [(c.url, c.score) for c in archive.search(copy, min_containment=0.0)]
                for copy in [*copies, *copies]  # the second time from the cache, if kept
            ]
            kept = archive._block_cache_bytes
            assert kept <= _store.BLOCK_CACHE_BYTES and (kept > 0) == (_store.BLOCK_CACHE_BYTES > 0)
            return found

    monkeypatch.setattr(_store, "BLOCK_CACHE_BYTES", 0)
    uncached = results()
    for budget in (3_000, 1 << 20):  # the index's 6 KB in part, then all
        monkeypatch.setattr(_store, "BLOCK_CACHE_BYTES", budget)
        assert results() == uncached
    assert [hits[0][0] for hits in uncached] == [f"https://o.example/{n}" for n in range(12)] * 2


@pytest.mark.shared
@pytest.mark.parametrize("version", [1, 2, 3])
def test_older_archive_is_migrated_and_reindexed(tmp_path: Path, version: int) -> None:
    path = tmp_path / "archive.sqlite"
    paragraphs = _paragraphs(_corpus_files(1, seed=9, min_paragraphs=5)[0])
    with Archive.open(path) as archive:
        archive.add_document(_doc(paragraphs, url="https://o.example/old"))
    with sqlite3.connect(path) as conn:  # schema 4's load notes and archive id go
        conn.execute("ALTER TABLE versions DROP COLUMN extra")
        conn.execute("DELETE FROM meta WHERE key = 'archive_id'")
    if version == 3:
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA user_version = 3")
        with Archive.open(path, create=False) as archive:
            [hit] = archive.search(_doc(paragraphs[1:3]))
            assert hit.url == "https://o.example/old"
            assert archive.content_version().split(":")[1] == "1"
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA user_version").fetchone() == (6,)
        return
    with sqlite3.connect(path) as conn:  # schema 3's index tables and indexes go
        conn.execute("DROP TABLE lsh_blocks")
        conn.execute("DROP TABLE lsh_runs")
        conn.execute("DROP INDEX versions_paragraphs")
        conn.execute("DROP INDEX documents_content_hash")
        conn.execute("CREATE INDEX documents_content_hash ON documents (content_hash)")
        if version == 1:  # one B-tree of band keys
            conn.execute(
                "CREATE TABLE lsh (key INTEGER NOT NULL, version_id INTEGER NOT NULL,"
                " PRIMARY KEY (key, version_id)) WITHOUT ROWID"
            )
        else:  # runs of one row per key
            conn.execute(
                "CREATE TABLE lsh (run INTEGER NOT NULL, key INTEGER NOT NULL,"
                " version_id INTEGER NOT NULL, PRIMARY KEY (run, key, version_id)) WITHOUT ROWID"
            )
            conn.execute(
                "CREATE TABLE lsh_runs (run INTEGER PRIMARY KEY, level INTEGER NOT NULL,"
                " rows INTEGER NOT NULL)"
            )
        conn.execute(f"PRAGMA user_version = {version}")
    with Archive.open(path, create=False) as archive:
        [hit] = archive.search(_doc(paragraphs[1:3]))
        assert (hit.url, hit.matched_by) == ("https://o.example/old", "lsh")
        assert archive.integrity_check() == "ok"
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (6,)
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
        assert "lsh" not in tables
        [(index,)] = conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'documents_content_hash'"
        ).fetchall()
        assert index.endswith("WHERE url IS NULL")
        plan = conn.execute("EXPLAIN QUERY PLAN SELECT sum(paragraphs) FROM versions").fetchall()
        assert "COVERING INDEX versions_paragraphs" in plan[0][-1]


def _index_of(archive: Archive) -> list[tuple[int, bytes]]:
    return archive._conn.execute("SELECT id, data FROM lsh_blocks ORDER BY id").fetchall()


@pytest.mark.shared
def test_imports_with_and_without_worker_processes_store_the_same(tmp_path: Path) -> None:
    files = _corpus_files(120, seed=21)
    stored = []
    for workers in (0, 2):
        with Archive.open(tmp_path / f"archive-{workers}.sqlite") as archive:
            result = archive.import_paths(files, SETTINGS, batch_size=20, workers=workers)
            assert (result.added, result.errors) == (120, [])
            assert (archive._workers is not None) == (workers > 0)
            documents = archive._conn.execute(
                "SELECT d.source, v.content_hash, v.body FROM versions v"
                " JOIN documents d ON d.id = v.doc_id ORDER BY v.id"
            ).fetchall()
            stored.append((documents, _index_of(archive)))
    assert stored[0] == stored[1]


@pytest.mark.shared
def test_import_goes_on_when_a_worker_process_dies(tmp_path: Path) -> None:
    files = _corpus_files(200, seed=22)
    archive = Archive.open(tmp_path / "archive.sqlite")
    killed: list[int] = []

    def items() -> Iterator[Document | tuple[str, str]]:
        for n, path in enumerate(files):
            if n == 60 and archive._workers is not None:  # batches of 20 are in flight
                for pid in list(archive._workers._processes):
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
            yield _doc(_paragraphs(path), url=f"https://o.example/{n}")

    with archive:
        result = archive.add_documents(items(), batch_size=20, workers=2)
        assert killed and (result.added, result.errors) == (200, [])
        assert archive._workers is None  # the rest was prepared in this process
        rng = random.Random(8)
        for n in rng.sample(range(200), 20):
            [hit, *_] = archive.search(_copy_keeping(files[n], 0.5, rng), limit=1)
            assert hit.url == f"https://o.example/{n}"


def test_index_blocks_round_trip_and_refuse_version_ids_beyond_32_bits() -> None:
    rng = np.random.default_rng(4)
    bands = rng.integers(0, 64, 5_000, dtype=np.int64)
    keys = (bands << 32) | rng.integers(0, 1 << 32, 5_000, dtype=np.int64)
    keys[:300] = keys[0]  # one key shared by 300 versions spans several blocks
    entries = np.column_stack((keys, rng.integers(1, 1 << 32, 5_000, dtype=np.int64)))
    entries = entries[np.lexsort((entries[:, 1], entries[:, 0]))]
    blocks, fences = pack_blocks(entries, 64)
    assert all(len(b) <= 64 * 8 for b in blocks) and len(fences) == len(blocks)
    assert (unpack_blocks(blocks, fences) == entries).all()
    # The blocks a key's entries can be in are exactly those found for it.
    wanted = np.unique(entries[rng.integers(0, 5_000, 50), 0])
    numbers = blocks_holding(np.array(fences), wanted)
    found = unpack_blocks([blocks[n] for n in numbers], [fences[n] for n in numbers])
    for key in wanted:
        assert (found[:, 0] == key).sum() == (entries[:, 0] == key).sum()
    with pytest.raises(OverflowError):
        pack_blocks(np.array([[1, 1 << 32]], dtype=np.int64), 64)


def test_containment_of_many_originals_at_once_is_that_of_each() -> None:
    rng = np.random.default_rng(8)
    pool = rng.integers(0, 1 << 63, 3_000, dtype=np.int64).astype(np.uint64) * np.uint64(2)
    copy = np.unique(rng.choice(pool, 400))
    originals = [np.unique(rng.choice(pool, n)) for n in (0, 1, 50, 900, 2_500)]
    originals.append(copy.copy())  # the copy itself: every shingle shared
    originals.append(np.unique(pool[:200] + np.uint64(1)))  # none shared, same top bits
    expected = [containment(copy, o) for o in originals]
    assert containment_batch(copy, originals) == expected
    assert expected[-2] == (copy.size, copy.size) and expected[-1] == (0, copy.size + 200)
    assert containment_batch(copy[:0], originals[2:4]) == [(0, 50), (0, originals[3].size)]
    assert containment_batch(copy, []) == []


@pytest.mark.parametrize("per_band", [1, 3])
def test_hits_counted_in_packed_blocks_are_those_of_the_unpacked_entries(per_band: int) -> None:
    """`block_hits` reads the packed blocks (one key per band) or unpacks them (several
    keys in a band): either way it finds what `top_hits` finds in the entries."""
    rng = np.random.default_rng(6)
    values = rng.integers(0, 40, (64, 400), dtype=np.int64)  # many versions share a value
    vids = np.tile(np.arange(1, 401, dtype=np.int64), 64)
    keys = ((np.arange(64, dtype=np.int64)[:, None] << 32) | values).ravel()
    entries = np.column_stack((keys, vids))
    entries = entries[np.lexsort((entries[:, 1], entries[:, 0]))]
    blocks, fences = pack_blocks(entries, 16)
    wanted = np.unique(
        [(band << 32) | int(v) for band in range(0, 64, 2) for v in rng.integers(0, 40, per_band)]
    )
    numbers = blocks_holding(np.array(fences), wanted)
    read = [blocks[n] for n in numbers]
    firsts = [fences[n] for n in numbers]
    expected = top_hits(unpack_blocks(read, firsts), wanted, 400)
    assert len(expected) > 100 and expected[0][1] > expected[-1][1]
    assert block_hits(read, firsts, wanted, 400) == expected
    assert block_hits(read, firsts, wanted, 25) == expected[:25]
    # Blocks of a band no key has (as read for a key at a band's edge) count for nothing.
    extra = [n for n in range(len(blocks)) if fences[n] >> 32 == 1]
    assert block_hits(read + [blocks[n] for n in extra], firsts + [fences[n] for n in extra],
                      wanted, 400) == expected  # fmt: skip


@pytest.mark.shared
def test_candidates_are_verified_from_the_shingles_stored_with_each_version(
    tmp_path: Path,
) -> None:
    """A version keeps its shingles (schema 5): a search reads them instead of shingling
    the candidates' text, and finds what shingling the text finds; a version stored
    before (no shingles) is verified from its text, with the same scores."""
    path = tmp_path / "archive.sqlite"
    articles = [_paragraphs(p) for p in _corpus_files(6, seed=11, min_paragraphs=5)]
    with Archive.open(path) as archive:
        for n, paragraphs in enumerate(articles):
            archive.add_document(_doc(paragraphs, url=f"https://o.example/{n}"))
    copies = [_doc(paragraphs[1:4]) for paragraphs in articles]
    with Archive.open(path, create=False) as archive:
        stored = [archive.search(c, min_containment=0.0) for c in copies]
    with sqlite3.connect(path) as conn:
        blobs = conn.execute("SELECT shingles FROM versions").fetchall()
        assert len(blobs) == 6 and all(isinstance(b, bytes) and b for (b,) in blobs)
        conn.execute("UPDATE versions SET shingles = NULL WHERE id % 2 = 0")
    with Archive.open(path, create=False) as archive:
        mixed = [archive.search(c, min_containment=0.0) for c in copies]
    assert [[(c.url, c.score, c.jaccard) for c in hits] for hits in mixed] == [
        [(c.url, c.score, c.jaccard) for c in hits] for hits in stored
    ]
    assert [hits[0].url for hits in stored] == [f"https://o.example/{n}" for n in range(6)]


@pytest.mark.shared
def test_schema_4_archive_gains_a_shingles_column_and_is_still_searched(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite"
    paragraphs = _paragraphs(_corpus_files(1, seed=9, min_paragraphs=5)[0])
    with Archive.open(path) as archive:
        archive.add_document(_doc(paragraphs, url="https://o.example/old"))
    with sqlite3.connect(path) as conn:
        conn.execute("ALTER TABLE versions DROP COLUMN shingles")
        conn.execute("PRAGMA user_version = 4")
    with Archive.open(path, create=False) as archive:
        [hit] = archive.search(_doc(paragraphs[1:3]))
        assert hit.url == "https://o.example/old" and hit.score == 1.0
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (6,)
        assert conn.execute("SELECT shingles FROM versions").fetchall() == [(None,)]

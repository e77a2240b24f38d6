"""The archive of originals: documents, their versions, and the near-duplicate index.

Every sqlite3 error is turned into ArchiveError here, the one boundary that talks to SQLite.
"""

from __future__ import annotations

import hashlib
import sqlite3
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from ..errors import ArchiveError, InputError, ProvenanceError
from ..models import Document, Paragraph
from ..settings import Settings
from . import _schema
from ._sketch import (
    NUM_PERM,
    SCHEME,
    Hashes,
    Keys,
    band_key_batch,
    band_keys,
    containment,
    distinct_shingles,
    index_rows,
    shingle_batch,
    tokens,
)
from ._sources import Fetch, Item, iter_items

DEFAULT_BATCH_SIZE = 500
# Index runs of one level merged into one run of the next level (see _schema.LSH_DDL).
RUN_FANOUT = 8
# Band keys a level-0 run grows to (~4,000 articles, ~4 MB) before a new run is started.
LEVEL0_ROWS = 64 * 4096
# How many LSH candidates are verified against their stored text, at most.
MAX_VERIFIED = 16
MAX_TITLE_CANDIDATES = 5
_TITLE_TERMS = 3
_SEPARATOR = "\x1e"  # between paragraphs in a stored body; never part of cleaned text

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Candidate:
    """A stored original that a copy was found to share text with.

    `score` is the verified containment: the share of the copy's word 5-shingles that
    occur in this version. `jaccard` is the verified resemblance, `estimate` the LSH
    estimate of Jaccard (colliding bands / bands). `version` is the 1-based number of
    the matching version out of `versions`; `matched_by` is "lsh", "title" or "lsh+title".
    """

    url: str | None
    title: str | None
    score: float
    jaccard: float
    estimate: float
    document: Document
    version: int
    versions: int
    added_at: str
    matched_by: str


@dataclass(frozen=True)
class ImportResult:
    """Counts of one import; `errors` holds (path or URL, reason) for each item skipped."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class ArchiveStats:
    documents: int
    versions: int
    paragraphs: int
    size_bytes: int
    path: Path


@dataclass
class _Stored:
    """One stored version, as loaded for verification."""

    version_id: int
    doc_id: int
    number: int
    versions: int
    added_at: str
    document: Document


class Archive:
    """A SQLite archive of originals. Open with `Archive.open(path)`; use as a context manager."""

    def __init__(self, conn: sqlite3.Connection, path: Path, settings: Settings) -> None:
        self._conn = conn
        self.path = path
        self.settings = settings
        # (version id, band keys) of the versions stored in the open transaction, indexed
        # when it commits.
        self._pending: list[tuple[int, Keys]] = []

    @classmethod
    def open(cls, path: Path, *, create: bool = True, settings: Settings | None = None) -> Archive:
        """Open (and with `create`, create if missing) the archive at `path`.

        Rebuilds the near-duplicate index when it was built with another scheme.
        Raises ArchiveError when the file is missing (create=False), is not a provenance
        archive, was written by a newer version, or cannot be opened.
        """
        path = Path(path)
        if not create and not path.is_file():
            raise ArchiveError(f"{path}: no archive there")
        try:
            if create:
                path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise ArchiveError(f"{path}: cannot open archive: {exc}") from exc
        archive = cls(conn, path, settings or Settings())
        try:
            with archive._guard("open archive"):
                archive._prepare()
        except ArchiveError:
            conn.close()
            raise
        return archive

    def close(self) -> None:
        """Close the connection. Raises nothing."""
        self._conn.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ writing

    def add_document(self, doc: Document) -> str:
        """Store `doc`; return "added", "updated" (a new version of a stored URL) or
        "unchanged" (that content is already stored). Raises InputError for a document
        without text, ArchiveError when the archive cannot be written."""
        [prepared] = _prepare([doc])
        with self._guard("add document"), self._transaction():
            return self._add(doc, prepared, _now())

    def add_documents(
        self,
        items: Iterable[Item],
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        progress: Progress | None = None,
    ) -> ImportResult:
        """Store many documents, committing once per `batch_size` items.

        `items` may hold (source, reason) pairs for items that could not be read; they
        and documents that cannot be stored are listed in `errors` and the import goes
        on. A kill loses at most the uncommitted batch; rerunning is idempotent.
        `progress` is called with the number of items done after each commit.
        Raises ArchiveError when the archive cannot be written.
        """
        counts = {"added": 0, "updated": 0, "unchanged": 0}
        errors: list[tuple[str, str]] = []
        done = 0
        iterator = iter(items)
        # One thread reads and prepares (hashes, compresses, sketches) the next batch
        # while this one writes the current one: zlib, numpy and SQLite release the GIL.
        with self._guard("import documents"), ThreadPoolExecutor(1) as reader:
            upcoming = reader.submit(_read_batch, iterator, batch_size)
            while batch := upcoming.result():
                upcoming = reader.submit(_read_batch, iterator, batch_size)
                with self._transaction():
                    now = _now()
                    for item, prepared in batch:
                        self._add_item(item, prepared, now, counts, errors)
                done += len(batch)
                if progress is not None:
                    progress(done)
            # Fold the write-ahead log back into the file: lookups through a WAL of
            # hundreds of megabytes (left by index merges) are many times slower.
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return ImportResult(errors=errors, **counts)

    def import_paths(
        self,
        paths: Sequence[Path],
        settings: Settings,
        *,
        fetch: Fetch | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        progress: Progress | None = None,
    ) -> ImportResult:
        """Import directories (recursively), text/HTML/JSON/RSS files, WARC files and URL
        lists (fetched with `fetch`; without it each URL is an "offline" error).

        Returns the counts; unreadable items are in `errors`. Raises ArchiveError when the
        archive cannot be written.
        """
        items = iter_items(paths, settings, fetch)
        return self.add_documents(items, batch_size=batch_size, progress=progress)

    def _add_item(
        self,
        item: Item,
        prepared: _Prepared | None,
        now: str,
        counts: dict[str, int],
        errors: list[tuple[str, str]],
    ) -> None:
        if isinstance(item, tuple):
            errors.append(item)
            return
        try:
            counts[self._add(item, prepared, now)] += 1
        except ProvenanceError as exc:
            errors.append((item.url or item.source, str(exc)))

    def _add(self, doc: Document, prepared: _Prepared | None, now: str) -> str:
        if prepared is None:
            raise InputError(f"{doc.url or doc.source}: no text to archive")
        digest = prepared.digest
        if doc.url is None:
            sql = "SELECT id FROM documents WHERE url IS NULL AND content_hash = ?"
            if self._conn.execute(sql, (digest,)).fetchone() is not None:
                return "unchanged"
            self._insert_version(self._insert_document(doc, digest, now), 1, doc, prepared)
            return "added"
        row = self._conn.execute("SELECT id FROM documents WHERE url = ?", (doc.url,)).fetchone()
        if row is None:
            self._insert_version(self._insert_document(doc, digest, now), 1, doc, prepared)
            return "added"
        return self._add_version(row[0], doc, prepared, now)

    def _add_version(self, doc_id: int, doc: Document, prepared: _Prepared, now: str) -> str:
        digest = prepared.digest
        sql = "SELECT 1 FROM versions WHERE doc_id = ? AND content_hash = ?"
        if self._conn.execute(sql, (doc_id, digest)).fetchone() is not None:
            return "unchanged"
        sql = "SELECT max(number) FROM versions WHERE doc_id = ?"
        number = self._conn.execute(sql, (doc_id,)).fetchone()[0] + 1
        self._insert_version(doc_id, number, doc, prepared)
        self._conn.execute(
            "UPDATE documents SET title = ?, published = ?, content_hash = ?, updated_at = ?"
            " WHERE id = ?",
            (doc.title, _iso(doc.published), digest, now, doc_id),
        )
        self._conn.execute("DELETE FROM titles WHERE rowid = ?", (doc_id,))
        self._index_title(doc_id, doc.title)
        return "updated"

    def _insert_document(self, doc: Document, digest: str, now: str) -> int:
        cursor = self._conn.execute(
            "INSERT INTO documents (url, title, published, content_hash, source, kind,"
            " added_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (doc.url, doc.title, _iso(doc.published), digest, doc.source, doc.kind, now, now),
        )
        doc_id = int(cursor.lastrowid or 0)
        self._index_title(doc_id, doc.title)
        return doc_id

    def _index_title(self, doc_id: int, title: str | None) -> None:
        if title:
            self._conn.execute("INSERT INTO titles (rowid, title) VALUES (?, ?)", (doc_id, title))

    def _insert_version(self, doc_id: int, number: int, doc: Document, prepared: _Prepared) -> None:
        cursor = self._conn.execute(
            "INSERT INTO versions (doc_id, number, content_hash, title, published, added_at,"
            " paragraphs, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (doc_id, number, prepared.digest, doc.title, _iso(doc.published), _now(),
             prepared.paragraphs, prepared.body),
        )  # fmt: skip
        self._pending.append((int(cursor.lastrowid or 0), prepared.keys))

    def _flush_index(self) -> None:
        """Add the pending band keys to the newest level-0 run (or a new one when it is
        full), then merge every level that has RUN_FANOUT runs into one run of the next."""
        if not self._pending:
            return
        rows = index_rows(self._pending)
        self._pending.clear()
        newest = self._conn.execute(
            "SELECT run, level, rows FROM lsh_runs ORDER BY run DESC LIMIT 1"
        ).fetchone()
        if newest is not None and newest[1] == 0 and newest[2] + len(rows) <= LEVEL0_ROWS:
            # The newest run is small enough for its pages to stay in cache: grow it.
            run = int(newest[0])
            self._conn.execute(
                "UPDATE lsh_runs SET rows = rows + ? WHERE run = ?", (len(rows), run)
            )
        else:
            run = self._next_run()
            self._add_run(run, 0, len(rows))
        self._conn.executemany(
            f"INSERT OR IGNORE INTO lsh (run, key, version_id) VALUES ({run}, ?, ?)", rows
        )
        level = 0
        while True:
            sql = "SELECT min(run), max(run), count(*), sum(rows) FROM lsh_runs WHERE level = ?"
            first, last, count, total = self._conn.execute(sql, (level,)).fetchone()
            if count < RUN_FANOUT:
                return
            self._merge_runs(first, last, level + 1, total)
            level += 1

    def _merge_runs(self, first: int, last: int, level: int, rows: int) -> None:
        """Rewrite runs first..last (all of one level, consecutive) as one sorted run."""
        run = self._next_run()
        self._conn.execute(
            "INSERT OR IGNORE INTO lsh (run, key, version_id) SELECT ?, key, version_id"
            " FROM lsh WHERE run BETWEEN ? AND ? ORDER BY key, version_id",
            (run, first, last),
        )
        self._conn.execute("DELETE FROM lsh WHERE run BETWEEN ? AND ?", (first, last))
        self._conn.execute("DELETE FROM lsh_runs WHERE run BETWEEN ? AND ?", (first, last))
        self._add_run(run, level, rows)

    def _next_run(self) -> int:
        last = self._conn.execute("SELECT max(run) FROM lsh_runs").fetchone()[0]
        return 1 if last is None else int(last) + 1

    def _add_run(self, run: int, level: int, rows: int) -> None:
        self._conn.execute(
            "INSERT INTO lsh_runs (run, level, rows) VALUES (?, ?, ?)", (run, level, rows)
        )

    # ------------------------------------------------------------------ reading

    def find_url(self, url: str) -> Document | None:
        """Return the latest stored version of `url`, or None. Raises ArchiveError."""
        with self._guard("read archive"):
            row = self._conn.execute(
                "SELECT v.id FROM versions v JOIN documents d ON d.id = v.doc_id"
                " WHERE d.url = ? ORDER BY v.number DESC LIMIT 1",
                (url,),
            ).fetchone()
            if row is None:
                return None
            return self._load([row[0]])[0].document

    def search(
        self, doc: Document, *, limit: int = 5, min_containment: float | None = None
    ) -> list[Candidate]:
        """Return up to `limit` stored originals that `doc` shares text with.

        Candidates come from the LSH index and from title matches; each is verified by
        counting the copy's shingles present in it, and only those whose containment is at
        least `min_containment` (default: settings.archive_min_containment) are returned,
        best first (score descending, then URL). Raises ArchiveError.
        """
        threshold = (
            self.settings.archive_min_containment if min_containment is None else min_containment
        )
        copy = distinct_shingles(p.text for p in doc.paragraphs)
        if not copy.size or limit <= 0:
            return []
        with self._guard("search archive"):
            counts = self._lsh_hits(band_keys(copy))
            by_title = self._title_hits(doc.title)
            stored = self._load(list(counts) + [v for v in by_title if v not in counts])
        best: dict[int, Candidate] = {}
        texts = [[p.text for p in item.document.paragraphs] for item in stored]
        hashes, offsets = shingle_batch(texts)  # every candidate in one pass
        for n, item in enumerate(stored):
            original = hashes[offsets[n] : offsets[n + 1]]
            candidate = _verify(
                copy, original, item, counts.get(item.version_id, 0), item.version_id in by_title
            )
            if candidate.score < threshold:
                continue
            kept = best.get(item.doc_id)
            if kept is None or (candidate.score, candidate.version) > (kept.score, kept.version):
                best[item.doc_id] = candidate
        ranked = sorted(best.values(), key=lambda c: (-c.score, c.url or "", -c.version))
        return ranked[:limit]

    def _lsh_hits(self, keys: list[int]) -> dict[int, int]:
        runs = [r for (r,) in self._conn.execute("SELECT run FROM lsh_runs")]
        if not runs:
            return {}
        # One B-tree seek per (run, key); runs and keys are integers, inlined as literals.
        rows = self._conn.execute(
            f"SELECT version_id, count(*) AS n FROM lsh WHERE run IN ({_ints(runs)})"
            f" AND key IN ({_ints(keys)}) GROUP BY version_id ORDER BY n DESC, version_id"
            " LIMIT ?",
            (MAX_VERIFIED,),
        ).fetchall()
        return {int(v): int(n) for v, n in rows}

    def _title_hits(self, title: str | None) -> set[int]:
        query = _title_query(title)
        if query is None:
            return set()
        rows = self._conn.execute(
            "SELECT (SELECT v.id FROM versions v WHERE v.doc_id = t.rowid"
            " ORDER BY v.number DESC LIMIT 1) FROM titles t WHERE titles MATCH ? LIMIT ?",
            (query, MAX_TITLE_CANDIDATES),
        ).fetchall()
        return {int(r[0]) for r in rows if r[0] is not None}

    def _load(self, version_ids: list[int]) -> list[_Stored]:
        if not version_ids:
            return []
        marks = ",".join("?" * len(version_ids))
        rows = self._conn.execute(
            "SELECT v.id, v.doc_id, v.number, v.title, v.published, v.added_at, v.body,"
            " d.url, d.source, d.kind,"
            " (SELECT count(*) FROM versions w WHERE w.doc_id = v.doc_id)"
            f" FROM versions v JOIN documents d ON d.id = v.doc_id WHERE v.id IN ({marks})"
            " ORDER BY v.id",
            version_ids,
        ).fetchall()
        return [self._stored(row) for row in rows]

    def _stored(self, row: tuple[Any, ...]) -> _Stored:
        vid, doc_id, number, title, published, added_at, body, url, source, kind, count = row
        try:
            texts = zlib.decompress(body).decode("utf-8").split(_SEPARATOR)
        except (zlib.error, UnicodeDecodeError) as exc:
            raise ArchiveError(f"{self.path}: version {vid} is damaged: {exc}") from exc
        doc = Document(
            source=source,
            kind=kind,
            paragraphs=tuple(Paragraph(i, t) for i, t in enumerate(texts)),
            url=url,
            title=title,
            published=datetime.fromisoformat(published) if published else None,
        )
        return _Stored(vid, doc_id, number, count, added_at, doc)

    def stats(self) -> ArchiveStats:
        """Return counts and the on-disk size (database plus WAL). Raises ArchiveError."""
        with self._guard("read archive"):
            documents = self._conn.execute("SELECT count(*) FROM documents").fetchone()[0]
            versions, paragraphs = self._conn.execute(
                "SELECT count(*), coalesce(sum(paragraphs), 0) FROM versions"
            ).fetchone()
        size = sum(
            p.stat().st_size
            for p in (self.path, self.path.with_name(self.path.name + "-wal"))
            if p.exists()
        )
        return ArchiveStats(documents, versions, paragraphs, size, self.path)

    def integrity_check(self) -> str:
        """Return SQLite's integrity_check verdict ("ok" when sound). Raises ArchiveError."""
        with self._guard("check archive"):
            rows = self._conn.execute("PRAGMA integrity_check").fetchall()
        return "\n".join(str(r[0]) for r in rows)

    # ------------------------------------------------------------------ plumbing

    def _prepare(self) -> None:
        for pragma in _schema.PRAGMAS:
            self._conn.execute(pragma)
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        if version == 0:
            tables = self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables:
                raise ArchiveError(f"{self.path}: not a provenance archive")
            with self._transaction():
                _schema.create(self._conn, SCHEME)
        elif version < _schema.SCHEMA_VERSION:
            with self._transaction():
                _schema.migrate(self._conn, version)
        elif version > _schema.SCHEMA_VERSION:
            raise ArchiveError(
                f"{self.path}: archive schema {version} is newer than this version"
                f" of provenance understands ({_schema.SCHEMA_VERSION})"
            )
        sql = "SELECT value FROM meta WHERE key = 'index_scheme'"
        if self._conn.execute(sql).fetchone()[0] != SCHEME:
            self._reindex()

    def _reindex(self) -> None:
        """Rebuild the LSH index from the stored text (after a change of index scheme)."""
        with self._transaction():
            self._conn.execute("DELETE FROM lsh")
            self._conn.execute("DELETE FROM lsh_runs")
            rows = self._conn.execute("SELECT id, body FROM versions ORDER BY id")
            while chunk := rows.fetchmany(DEFAULT_BATCH_SIZE):
                texts = [
                    zlib.decompress(body).decode("utf-8").split(_SEPARATOR) for _, body in chunk
                ]
                keys = band_key_batch(texts)
                self._pending.extend(zip((vid for vid, _ in chunk), keys, strict=True))
                self._flush_index()
            sql = "UPDATE meta SET value = ? WHERE key = 'index_scheme'"
            self._conn.execute(sql, (SCHEME,))

    @contextmanager
    def _guard(self, action: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise ArchiveError(f"{self.path}: cannot {action}: {exc}") from exc

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            self._flush_index()
        except BaseException:
            self._pending.clear()
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")


@dataclass(frozen=True)
class _Prepared:
    """What storing a document needs that does not depend on the archive's content."""

    digest: str
    paragraphs: int
    body: bytes
    keys: Keys


def _read_batch(iterator: Iterator[Item], n: int) -> list[tuple[Item, _Prepared | None]]:
    """The next `n` items and what storing each needs (None: not a document with text)."""
    batch = _take(iterator, n)
    docs = [item for item in batch if not isinstance(item, tuple)]
    prepared = iter(_prepare(docs))
    return [(item, None if isinstance(item, tuple) else next(prepared)) for item in batch]


def _prepare(docs: Sequence[Document]) -> list[_Prepared | None]:
    """Content hash, compressed body and LSH keys of each document, or None for one
    without text; all documents are shingled in one batch."""
    texts = [[p.text for p in doc.paragraphs if p.text.strip()] for doc in docs]
    keys = band_key_batch(texts)
    return [
        _Prepared(
            digest=_content_hash(doc.title, t),
            paragraphs=len(t),
            body=zlib.compress(_SEPARATOR.join(t).encode("utf-8"), 1),
            keys=k,
        )
        if t
        else None
        for doc, t, k in zip(docs, texts, keys, strict=True)
    ]


def _ints(values: Iterable[int]) -> str:
    return ",".join(str(int(v)) for v in values)


def _verify(copy: Hashes, original: Hashes, item: _Stored, bands: int, by_title: bool) -> Candidate:
    shared, union = containment(copy, original)
    matched_by = "+".join(name for name, hit in (("lsh", bands), ("title", by_title)) if hit)
    return Candidate(
        url=item.document.url,
        title=item.document.title,
        score=round(shared / copy.size, 6),
        jaccard=round(shared / union, 6) if union else 0.0,
        estimate=round(bands / NUM_PERM, 6),
        document=item.document,
        version=item.number,
        versions=item.versions,
        added_at=item.added_at,
        matched_by=matched_by or "lsh",
    )


def _title_query(title: str | None) -> str | None:
    """An FTS5 query requiring the title's longest plain words (rarest, as a rule)."""
    if not title:
        return None
    plain = {w for w in tokens(title) if w.isalnum() and len(w) >= 3}
    chosen = sorted(plain, key=lambda w: (-len(w), w))[:_TITLE_TERMS]
    if len(chosen) < 2:
        return None
    return " ".join(f'"{w}"' for w in chosen)


def _take(iterator: Iterator[Item], n: int) -> list[Item]:
    batch: list[Item] = []
    for item in iterator:
        batch.append(item)
        if len(batch) >= n:
            break
    return batch


def _content_hash(title: str | None, texts: list[str]) -> str:
    payload = (title or "") + "\x1f" + _SEPARATOR.join(texts)
    return hashlib.blake2b(payload.encode("utf-8"), digest_size=16).hexdigest()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")

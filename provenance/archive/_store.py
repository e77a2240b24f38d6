"""The archive of originals: documents, their versions, and the near-duplicate index.

Every sqlite3 error is turned into ArchiveError here, the one boundary that talks to SQLite.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import sqlite3
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote

from ..errors import ArchiveError, InputError, ProvenanceError
from ..models import Document, Paragraph
from ..settings import Settings
from . import _schema
from ._anchors import ANCHOR_SCHEME, anchor_query, index_terms, language_of, other_languages_query
from ._filter import DEFAULT_FILTER_ENTRIES, ShingleFilter
from ._sketch import (
    BAND_SHIFT,
    NUM_PERM,
    SCHEME,
    Entries,
    Fences,
    Hashes,
    Keys,
    band_key_batch,
    band_keys,
    block_hits,
    blocks_to_read,
    containment_batch,
    distinct,
    distinct_shingles,
    first_block_at,
    key_array,
    merge_entries,
    merge_shingles,
    np_empty,
    pack_blocks,
    pack_fences,
    run_entries,
    sample_shingles,
    shingle_batch,
    sketch_batch,
    tokens,
    unpack_blocks,
    unpack_fences,
    unpack_shingles,
)
from ._sources import Fetch, Item, iter_items

DEFAULT_BATCH_SIZE = 500
# The index's shape (see _schema.LSH_DDL). Entries per stored block (8 bytes each): a
# lookup reads one block per band key and run.
BLOCK_ENTRIES = 128
# Index blocks a process keeps in memory once lookups have read them (the index takes 512
# bytes an article: 64 MiB holds all of it up to ~120,000 articles, a part beyond); the
# rest are read from SQLite per lookup.
BLOCK_CACHE_BYTES = 64 << 20
# Level-0 runs (one per import batch) that trigger a compaction.
LEVEL0_RUNS = 4
# Entries level 1 holds (~4,000 articles); each next level holds LEVEL_RATIO times more.
LEVEL1_ENTRIES = 1 << 18
LEVEL_RATIO = 8
_RUN_SHIFT = 32  # lsh_blocks.id = run << _RUN_SHIFT | block number
_NO_KEY = 1 << 62  # above every band key (band << 32 | 32-bit value, 64 bands)
# How many LSH candidates are verified against their stored text, at most.
MAX_VERIFIED = 16
MAX_TITLE_CANDIDATES = 5
# A version found by anchors shares at least this many distinct anchors with the copy.
MIN_SHARED_ANCHORS = 4
_TITLE_TERMS = 3
_SEPARATOR = "\x1e"  # between paragraphs in a stored body; never part of cleaned text
# Document.meta entries kept with a version (see `_extra`).
_KEPT_META = ("corpus_notes",)

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Candidate:
    """A stored original that a copy was found to share text with.

    `score` is the verified containment: the share of the copy's word 5-shingles that
    occur in this version. `jaccard` is the verified resemblance, `estimate` the LSH
    estimate of Jaccard (colliding bands / bands). `version` is the 1-based number of
    the matching version out of `versions`; `matched_by` is "lsh", "title" or "lsh+title".
    A candidate for the original of a translation (`matched_by` "anchors", see
    `Archive.search_translated`) is scored on anchors instead: `score` is the share of the
    copy's anchors it holds, `jaccard` their resemblance, `estimate` 0.
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
    """Counts of one import; `errors` holds (path or URL, reason) for each item skipped.

    `unchanged` counts documents the archive held before the import, `duplicates` those
    that repeat a document stored earlier in the same import (the same original in two
    folders), so a new archive reports no "unchanged".
    """

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    duplicates: int = 0


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


@dataclass(frozen=True)
class _Shingled:
    """One candidate version, as read for verification: its distinct shingles (sorted)
    and what ranking it needs."""

    version_id: int
    doc_id: int
    number: int
    url: str | None
    shingles: Hashes


class Archive:
    """A SQLite archive of originals. Open with `Archive.open(path)`; use as a context manager."""

    def __init__(self, conn: sqlite3.Connection, path: Path, settings: Settings) -> None:
        self._conn = conn
        self.path = path
        self.settings = settings
        # (version id, band keys) of the versions stored in the open transaction, indexed
        # when it commits.
        self._pending: list[tuple[int, Keys]] = []
        self._fence_cache: dict[tuple[int, int], Fences] = {}
        # Index blocks read by lookups (id -> data), up to BLOCK_CACHE_BYTES: a block never
        # changes while its run is there, and they go with it (see `_fences`).
        self._block_cache: dict[int, bytes] = {}
        self._block_cache_bytes = 0
        self._workers: ProcessPoolExecutor | None = None
        self._workers_failed = False
        # Documents stored or given a new version by the running import.
        self._written: set[int] = set()

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        create: bool = True,
        settings: Settings | None = None,
        read_only: bool = False,
        immutable: bool = False,
    ) -> Archive:
        """Open (and with `create`, create if missing) the archive at `path`.

        Rebuilds the near-duplicate index when it was built with another scheme.
        `read_only` opens it with SQLite's `mode=ro` (nothing is ever written; a stale
        index is then an error); `immutable` also tells SQLite that no process changes the
        file, so it takes no locks (for a copy shipped to scan executors, see `snapshot`).
        Raises ArchiveError when the file is missing (create=False or read-only), is not a
        provenance archive, was written by a newer version, or cannot be opened.
        """
        path = Path(path)
        read_only = read_only or immutable
        if (read_only or not create) and not path.is_file():
            raise ArchiveError(f"{path}: no archive there")
        try:
            if create and not read_only:
                path.parent.mkdir(parents=True, exist_ok=True)
            conn = _connect(path, read_only=read_only, immutable=immutable)
        except (OSError, sqlite3.Error) as exc:
            raise ArchiveError(f"{path}: cannot open archive: {exc}") from exc
        archive = cls(conn, path, settings or Settings())
        try:
            with archive._guard("open archive"):
                archive._check() if read_only else archive._prepare()
        except ArchiveError:
            conn.close()
            raise
        return archive

    def close(self) -> None:
        """Close the connection and stop the import workers. Raises nothing."""
        self._close_workers()
        self._conn.close()

    def _close_workers(self) -> None:
        if self._workers is not None:
            self._workers.shutdown(wait=True, cancel_futures=True)
            self._workers = None

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
        self._written.clear()
        [prepared] = _prepare([_texts(doc)])
        with self._guard("add document"), self._transaction():
            return self._add(doc, prepared, _now())

    def add_documents(
        self,
        items: Iterable[Item],
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        progress: Progress | None = None,
        workers: int | None = None,
    ) -> ImportResult:
        """Store many documents, committing once per `batch_size` items.

        `items` may hold (source, reason) pairs for items that could not be read; they
        and documents that cannot be stored are listed in `errors` and the import goes
        on. A kill loses at most the uncommitted batch; rerunning is idempotent.
        `progress` is called with the number of items done after each commit.
        `workers` processes hash, compress and sketch the documents while this one
        writes (default: one per CPU, at most 4, none on one CPU; used once a batch is
        full, 0 = prepare in a thread of this process); started once, they stay until
        `close`.
        Raises ArchiveError when the archive cannot be written.
        """
        counts = {"added": 0, "updated": 0, "unchanged": 0, "duplicates": 0}
        errors: list[tuple[str, str]] = []
        done = 0
        self._written.clear()
        with self._guard("import documents"):
            for batch in self._prepared_batches(iter(items), batch_size, workers):
                with self._transaction():
                    now = _now()
                    for item, prepared in batch:
                        self._add_item(item, prepared, now, counts, errors)
                done += len(batch)
                if progress is not None:
                    progress(done)
            with self._transaction():
                self._compact(settle=True)
            # Fold the write-ahead log back into the file: lookups through a WAL of
            # hundreds of megabytes (left by index merges) are many times slower.
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return ImportResult(errors=errors, **counts)

    def _prepared_batches(
        self, items: Iterator[Item], batch_size: int, workers: int | None
    ) -> Iterator[list[tuple[Item, _Prepared | None]]]:
        """The items in batches, each with what storing it needs, in order. A thread
        reads the next batches while this one writes; preparing them (CPU-bound) goes to
        worker processes once a batch is full, so that it neither waits for the writer
        nor holds the GIL the writer needs."""
        wanted = _default_workers() if workers is None else workers
        in_flight: deque[tuple[list[Item], Future[list[_Prepared | None]]]] = deque()
        with ThreadPoolExecutor(1) as reader:
            upcoming: Future[list[Item]] | None = reader.submit(_take, items, batch_size)
            while True:
                while upcoming is not None and len(in_flight) <= max(wanted, 1):
                    batch = upcoming.result()
                    if not batch:
                        upcoming = None
                        break
                    upcoming = reader.submit(_take, items, batch_size)
                    texts = [_texts(item) for item in batch if not isinstance(item, tuple)]
                    pool = self._pool(wanted) if len(batch) >= batch_size else None
                    submit = pool.submit if pool is not None else reader.submit
                    in_flight.append((batch, submit(_prepare, texts)))
                if not in_flight:
                    return
                batch, future = in_flight.popleft()
                yield _pair(batch, self._prepared(future, batch))

    def _pool(self, workers: int) -> ProcessPoolExecutor | None:
        """The preparing processes, started on first use (None: prepare in a thread)."""
        if workers <= 0 or self._workers_failed:
            return None
        if self._workers is None:
            # Not fork: this process has threads (the reader, maybe the caller's).
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context(
                "forkserver" if "forkserver" in methods else "spawn"
            )
            self._workers = ProcessPoolExecutor(
                workers, mp_context=context, initializer=_exit_with, initargs=(os.getpid(),)
            )
        return self._workers

    def _prepared(
        self, future: Future[list[_Prepared | None]], batch: list[Item]
    ) -> list[_Prepared | None]:
        try:
            return future.result()
        except BrokenProcessPool:
            # A worker died (killed, out of memory): prepare here and go on without them.
            self._workers_failed = True
            self._close_workers()
            return _prepare([_texts(item) for item in batch if not isinstance(item, tuple)])

    def import_paths(
        self,
        paths: Sequence[Path],
        settings: Settings,
        *,
        fetch: Fetch | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        progress: Progress | None = None,
        workers: int | None = None,
    ) -> ImportResult:
        """Import directories (recursively), text/HTML/JSON/RSS files, WARC files and URL
        lists (fetched with `fetch`; without it each URL is an "offline" error).
        `batch_size`, `progress` and `workers` are those of `add_documents`.

        Returns the counts; unreadable items are in `errors`. Raises ArchiveError when the
        archive cannot be written.
        """
        items = iter_items(paths, settings, fetch)
        return self.add_documents(items, batch_size=batch_size, progress=progress, workers=workers)

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
            outcome = self._add(item, prepared, now)
            counts["duplicates" if outcome == "duplicate" else outcome] += 1
        except ProvenanceError as exc:
            errors.append((item.url or item.source, str(exc)))

    def _add(self, doc: Document, prepared: _Prepared | None, now: str) -> str:
        if prepared is None:
            raise InputError(f"{doc.url or doc.source}: no text to archive")
        digest = prepared.digest
        if doc.url is None:
            sql = (
                "SELECT id FROM documents INDEXED BY documents_content_hash"
                " WHERE url IS NULL AND content_hash = ?"
            )
            row = self._conn.execute(sql, (digest,)).fetchone()
        else:
            sql = "SELECT id FROM documents WHERE url = ?"
            row = self._conn.execute(sql, (doc.url,)).fetchone()
        if row is None:
            doc_id = self._insert_document(doc, digest, now)
            self._insert_version(doc_id, 1, doc, prepared)
            self._written.add(doc_id)
            return "added"
        outcome = "unchanged" if doc.url is None else self._add_version(row[0], doc, prepared, now)
        if outcome == "unchanged" and row[0] in self._written:
            return "duplicate"
        if outcome == "updated":
            self._written.add(row[0])
        return outcome

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
            " paragraphs, body, extra, shingles) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (doc_id, number, prepared.digest, doc.title, _iso(doc.published), _now(),
             prepared.paragraphs, prepared.body, _extra(doc), prepared.shingles),
        )  # fmt: skip
        version_id = int(cursor.lastrowid or 0)
        self._pending.append((version_id, prepared.keys))
        self._index_anchors(version_id, prepared.language, prepared.anchors)

    def _index_anchors(self, version_id: int, language: str | None, anchors: str) -> None:
        if language and anchors:
            self._conn.execute(
                "INSERT INTO anchor_index (rowid, language, terms) VALUES (?, ?, ?)",
                (version_id, language, anchors),
            )

    def _flush_index(self) -> None:
        """Write the pending band keys as a new level-0 run, then compact the index."""
        if not self._pending:
            return
        writer = _RunWriter(self._conn, self._next_run(), level=0)
        writer.add(run_entries(self._pending))
        self._pending.clear()
        writer.close()
        self._compact()

    def _compact(self, *, settle: bool = False) -> None:
        """Once level 0 holds LEVEL0_RUNS runs, merge them: among themselves while they are
        small, else into level 1, taking in each next level whose capacity is exceeded
        (levelled: above level 0 each level is one run). `settle` (at the end of an
        import) moves whatever level 0 holds up, so that lookups read fewer runs."""
        runs = [
            _Run(int(run), int(level), int(rows))
            for run, level, rows in self._conn.execute(
                "SELECT run, level, rows FROM lsh_runs ORDER BY run"
            )
        ]
        merging = [r for r in runs if r.level == 0]
        if not merging or (len(merging) < LEVEL0_RUNS and not settle):
            return
        level = 0
        if settle or sum(r.rows for r in merging) >= _capacity(1) // LEVEL_RATIO:
            level = 1
            while True:
                merging += [r for r in runs if r.level == level]
                if sum(r.rows for r in merging) <= _capacity(level):
                    break
                level += 1
        self._merge_runs(merging, level)

    def _merge_runs(self, runs: list[_Run], level: int) -> None:
        """Rewrite `runs` as one sorted run of `level`, one band at a time, deleting their
        blocks as they are read (memory holds about 1/64 of them; freed pages are reused)."""
        writer = _RunWriter(self._conn, self._next_run(), level)
        readers = [_RunReader(self._conn, run.run) for run in runs]
        for band in range(1, NUM_PERM + 1):
            high = band << BAND_SHIFT if band < NUM_PERM else _NO_KEY
            writer.add(merge_entries([reader.below(high) for reader in readers]))
        self._conn.execute(f"DELETE FROM lsh_runs WHERE run IN ({_ints(r.run for r in runs)})")
        writer.close()

    def _next_run(self) -> int:
        last = self._conn.execute("SELECT max(run) FROM lsh_runs").fetchone()[0]
        return 1 if last is None else int(last) + 1

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

    def versions(self, url: str) -> list[Candidate]:
        """Every stored version of `url`, oldest first, as candidates scored 0 (their
        `version` and `versions` number them; `added_at` says when each was stored).
        Raises ArchiveError."""
        with self._guard("read archive"):
            rows = self._conn.execute(
                "SELECT v.id FROM versions v JOIN documents d ON d.id = v.doc_id"
                " WHERE d.url = ? ORDER BY v.number",
                (url,),
            ).fetchall()
            stored = self._load([int(r[0]) for r in rows])
        return [
            Candidate(item.document.url, item.document.title, 0.0, 0.0, 0.0, item.document,
                      item.number, item.versions, item.added_at, "url")
            for item in sorted(stored, key=lambda s: s.number)
        ]  # fmt: skip

    def search(
        self, doc: Document, *, limit: int = 5, min_containment: float | None = None
    ) -> list[Candidate]:
        """Return up to `limit` stored originals that `doc` shares text with.

        Candidates come from the LSH index and from title matches; each is verified by
        counting the copy's shingles present in it, and only those whose containment is at
        least `min_containment` (default: settings.archive_min_containment) are returned,
        best first (score descending, then URL). When none is, the originals in another
        language sharing the copy's anchors are returned (`search_translated`).
        Raises ArchiveError.
        """
        threshold = (
            self.settings.archive_min_containment if min_containment is None else min_containment
        )
        copy = distinct_shingles(p.text for p in doc.paragraphs)
        if not copy.size or limit <= 0:
            return []
        with self._guard("search archive"), self._snapshot():
            counts = self._lsh_hits(band_keys(copy))
            by_title = self._title_hits(doc.title)
            wanted = list(counts) + [v for v in by_title if v not in counts]
            ranked = _rank(copy, self._read_shingles(wanted), threshold, limit)
            # Only the versions returned are read in full (with their text).
            stored = {
                item.version_id: item for item in self._load([r.version_id for r, *_ in ranked])
            }
        if not ranked:
            return self.search_translated(doc, limit=limit)
        return [
            _candidate(stored[item.version_id], shared, union, copy.size,
                       counts.get(item.version_id, 0), item.version_id in by_title)
            for item, shared, union in ranked
        ]  # fmt: skip

    def search_translated(self, doc: Document, *, limit: int = 5) -> list[Candidate]:
        """Return up to `limit` stored originals in another language than `doc`'s that
        share its anchors (names and numbers, see `_anchors`): candidates for the original
        of a translation, which `search` returns when no original shares text with `doc`.

        Each candidate's `score` is the share of the copy's anchors it holds, `jaccard`
        the anchors' resemblance, `matched_by` "anchors"; only those sharing
        MIN_SHARED_ANCHORS and `settings.archive_min_anchor_share` of them are returned,
        best first. Nothing is looked up for a copy whose language is not sure, nor in an
        archive holding no text in another language. These are candidates only: the
        translation alignment decides whether one is the original. Raises ArchiveError.
        """
        texts = [p.text for p in doc.paragraphs if p.text.strip()]
        language = language_of(texts)
        if language is None or limit <= 0:
            return []
        with self._guard("search archive"), self._snapshot():
            # Most archives hold one language: then the copy's anchors are not even read.
            if not self._holds_other_language(language):
                return []
            terms = index_terms(doc.title, texts)
            query = anchor_query(terms, language)
            if query is None:
                return []
            sql = "SELECT rowid FROM anchor_index WHERE anchor_index MATCH ? ORDER BY rank LIMIT ?"
            hits = [int(r[0]) for r in self._conn.execute(sql, (query, MAX_VERIFIED))]
            stored = self._load(hits)
        best: dict[int, Candidate] = {}
        for item in stored:
            candidate, shared = _verify_anchors(set(terms), item)
            if (
                shared < MIN_SHARED_ANCHORS
                or candidate.score < self.settings.archive_min_anchor_share
            ):
                continue
            kept = best.get(item.doc_id)
            if kept is None or (candidate.score, candidate.version) > (kept.score, kept.version):
                best[item.doc_id] = candidate
        return sorted(best.values(), key=lambda c: (-c.score, c.url or "", -c.version))[:limit]

    def _holds_other_language(self, language: str) -> bool:
        sql = "SELECT rowid FROM anchor_index WHERE anchor_index MATCH ? LIMIT 1"
        return self._conn.execute(sql, (other_languages_query(language),)).fetchone() is not None

    def _read_shingles(self, version_ids: list[int], *, text: bool = False) -> list[_Shingled]:
        """What verifying the versions needs: their shingles as stored with each, else (a
        version stored before schema 5, or all with `text`) from its text, all such
        versions shingled in one batch."""
        if not version_ids:
            return []
        body = "v.body" if text else "CASE WHEN v.shingles IS NULL THEN v.body END"
        rows = self._conn.execute(
            f"SELECT v.id, v.doc_id, v.number, d.url, v.shingles, {body}"
            " FROM versions v JOIN documents d ON d.id = v.doc_id"
            f" WHERE v.id IN ({','.join('?' * len(version_ids))}) ORDER BY v.id",
            version_ids,
        ).fetchall()
        unshingled = [self._texts(r[5]) for r in rows if r[5] is not None]
        hashes, offsets = shingle_batch(unshingled) if unshingled else (np_empty(), [0])
        from_text = iter(range(len(unshingled)))
        out = []
        for vid, doc_id, number, url, packed, body in rows:
            if body is not None:
                n = next(from_text)
                own = distinct(hashes[offsets[n] : offsets[n + 1]])
            else:
                try:
                    own = unpack_shingles(packed)
                except ValueError as exc:  # zlib.error is one
                    raise ArchiveError(f"{self.path}: version {vid} is damaged: {exc}") from exc
            out.append(_Shingled(vid, doc_id, number, url, own))
        return out

    def _lsh_hits(self, keys: list[int]) -> dict[int, int]:
        """Version id -> colliding bands, for the MAX_VERIFIED versions with most."""
        wanted = key_array(keys)
        runs = [(run << _RUN_SHIFT, fences) for run, fences in self._fences().items()]
        ids, firsts = blocks_to_read(runs, wanted)
        if not ids:
            return {}
        blocks = self._blocks(ids)
        return dict(block_hits(blocks, firsts, wanted, MAX_VERIFIED))

    def _blocks(self, ids: list[int]) -> list[bytes]:
        """The data of the index blocks `ids`, in that order: from the block cache, the
        others read by one statement (the same text each time, so SQLite keeps it
        prepared) and kept while the cache has room."""
        cache = self._block_cache
        missing = [i for i in ids if i not in cache]
        if missing:
            rows = self._conn.execute(
                "SELECT b.id, b.data FROM json_each(?) j JOIN lsh_blocks b ON b.id = j.value",
                (f"[{_ints(missing)}]",),
            ).fetchall()
            read = dict(rows)
            for block_id, data in rows:
                if self._block_cache_bytes + len(data) > BLOCK_CACHE_BYTES:
                    break
                cache[block_id] = data
                self._block_cache_bytes += len(data)
            # (A block the index lists but cannot find holds nothing, as before.)
            return [read.get(i, b"") if i not in cache else cache[i] for i in ids]
        return [cache[i] for i in ids]

    def _fences(self) -> dict[int, Fences]:
        """The fences of every run, read once per run (a run never changes, it only goes;
        keyed with its size too, as a rebuilt index numbers its runs from 1 again)."""
        listed = self._conn.execute("SELECT run, rows FROM lsh_runs").fetchall()
        runs = {(int(run), int(rows)) for run, rows in listed}
        gone = set(self._fence_cache) - runs
        for key in gone:
            del self._fence_cache[key]
        if gone and self._block_cache:
            kept = {run for run, _ in self._fence_cache}
            self._block_cache = {
                i: data for i, data in self._block_cache.items() if i >> _RUN_SHIFT in kept
            }
            self._block_cache_bytes = sum(map(len, self._block_cache.values()))
        missing = {run for run, _ in runs - set(self._fence_cache)}
        if missing:
            sql = f"SELECT run, rows, fences FROM lsh_runs WHERE run IN ({_ints(missing)})"
            for run, rows, fences in self._conn.execute(sql):
                self._fence_cache[int(run), int(rows)] = unpack_fences(fences)
        return {run: fences for (run, _), fences in self._fence_cache.items()}

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
        """The versions, with their text, in version id order."""
        if not version_ids:
            return []
        marks = ",".join("?" * len(version_ids))
        rows = self._conn.execute(
            "SELECT v.id, v.doc_id, v.number, v.title, v.published, v.added_at, v.body,"
            " v.extra, d.url, d.source, d.kind,"
            " (SELECT count(*) FROM versions w WHERE w.doc_id = v.doc_id)"
            f" FROM versions v JOIN documents d ON d.id = v.doc_id WHERE v.id IN ({marks})"
            " ORDER BY v.id",
            version_ids,
        ).fetchall()
        return [self._stored(row) for row in rows]

    def _stored(self, row: tuple[Any, ...]) -> _Stored:
        vid, doc_id, number, title, published, added_at, body, extra, *rest = row
        url, source, kind, count = rest
        try:
            texts = zlib.decompress(body).decode("utf-8").split(_SEPARATOR)
            kept = json.loads(extra) if extra else {}
        except (zlib.error, UnicodeDecodeError, ValueError) as exc:
            raise ArchiveError(f"{self.path}: version {vid} is damaged: {exc}") from exc
        doc = Document(
            source=source,
            kind=kind,
            paragraphs=tuple(map(Paragraph, range(len(texts)), texts)),
            url=url,
            title=title,
            published=datetime.fromisoformat(published) if published else None,
            meta={k: v for k, v in kept.items() if k in _KEPT_META},
            notes=tuple(str(n) for n in kept.get("notes", ())),
        )
        return _Stored(vid, doc_id, number, count, added_at, doc)

    def content_version(self) -> str:
        """A name for what the archive holds now: its id and its last version's id. It
        changes whenever an import stores a document or a new version of one (and only
        then), so a result that used the archive can tell it is out of date.
        Raises ArchiveError."""
        with self._guard("read archive"):
            row = self._conn.execute("SELECT value FROM meta WHERE key = 'archive_id'").fetchone()
            last = self._conn.execute("SELECT max(id) FROM versions").fetchone()[0]
        return f"{row[0] if row else '-'}:{last or 0}"

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

    def snapshot(self, dest: Path) -> None:
        """Write a consistent copy of the archive to `dest` (one file, no WAL beside it),
        to be shipped to scan executors and opened there with `immutable=True`.
        Raises ArchiveError."""
        try:
            target = sqlite3.connect(dest)
            try:
                with self._guard("copy archive"):
                    self._conn.backup(target)
                target.execute("PRAGMA journal_mode=DELETE")
            finally:
                target.close()
        except sqlite3.Error as exc:
            raise ArchiveError(f"{dest}: cannot write a copy of the archive: {exc}") from exc

    def shingle_filter(self, max_entries: int = DEFAULT_FILTER_ENTRIES) -> ShingleFilter:
        """The word 5-shingles of every stored version, as a `ShingleFilter`: one in
        `every` of them (by hash, so a copy and its original keep the same ones), `every`
        the smallest power of two that keeps at most `max_entries`. Raises ArchiveError."""
        every, kept = 1, sample_shingles(np_empty(), 1)
        parts: list[Hashes] = []
        with self._guard("read archive"), self._snapshot():
            rows = self._conn.execute("SELECT body FROM versions ORDER BY id")
            while chunk := rows.fetchmany(DEFAULT_BATCH_SIZE):
                texts = [self._texts(body) for (body,) in chunk]
                hashes, _ = shingle_batch(texts)
                parts.append(sample_shingles(hashes, every))
                if sum(p.size for p in parts) > max_entries:
                    kept = merge_shingles([kept, *parts])
                    parts = []
                    while kept.size > max_entries:
                        every *= 2
                        kept = sample_shingles(kept, every)
        return ShingleFilter(merge_shingles([kept, *parts]), every)

    def _texts(self, body: bytes) -> list[str]:
        try:
            return zlib.decompress(body).decode("utf-8").split(_SEPARATOR)
        except (zlib.error, UnicodeDecodeError) as exc:
            raise ArchiveError(f"{self.path}: a stored version is damaged: {exc}") from exc

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
                _schema.create(self._conn, SCHEME, ANCHOR_SCHEME)
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
        sql = "SELECT value FROM meta WHERE key = 'anchor_scheme'"
        if self._conn.execute(sql).fetchone()[0] != ANCHOR_SCHEME:
            self._reanchor()

    def _check(self) -> None:
        """What `_prepare` checks, for an archive opened read-only (nothing is written)."""
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        if version != _schema.SCHEMA_VERSION:
            raise ArchiveError(
                f"{self.path}: archive schema {version}, this version of provenance reads"
                f" {_schema.SCHEMA_VERSION} (open it once for writing to migrate it)"
            )
        sql = "SELECT value FROM meta WHERE key = 'index_scheme'"
        if self._conn.execute(sql).fetchone()[0] != SCHEME:
            raise ArchiveError(
                f"{self.path}: the near-duplicate index was built with another scheme"
                " (open it once for writing to rebuild it)"
            )
        sql = "SELECT value FROM meta WHERE key = 'anchor_scheme'"
        if self._conn.execute(sql).fetchone()[0] != ANCHOR_SCHEME:
            raise ArchiveError(
                f"{self.path}: the anchor index was built with another scheme"
                " (open it once for writing to rebuild it)"
            )

    def _reindex(self) -> None:
        """Rebuild the LSH index from the stored text (after a change of index scheme)."""
        with self._transaction():
            self._conn.execute("DELETE FROM lsh_blocks")
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

    def _reanchor(self) -> None:
        """Fill the anchor index from the stored text (a migrated archive, or a change of
        anchor scheme)."""
        with self._transaction():
            # (a contentless FTS5 table is emptied with its 'delete-all' command)
            self._conn.execute("INSERT INTO anchor_index (anchor_index) VALUES ('delete-all')")
            rows = self._conn.execute("SELECT id, title, body FROM versions ORDER BY id")
            while chunk := rows.fetchmany(DEFAULT_BATCH_SIZE):
                for version_id, title, body in chunk:
                    fields = _anchor_fields(title, self._texts(body))
                    self._index_anchors(
                        version_id, fields.get("language"), fields.get("anchors", "")
                    )
            sql = "UPDATE meta SET value = ? WHERE key = 'anchor_scheme'"
            self._conn.execute(sql, (ANCHOR_SCHEME,))

    @contextmanager
    def _guard(self, action: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise ArchiveError(f"{self.path}: cannot {action}: {exc}") from exc

    @contextmanager
    def _snapshot(self) -> Iterator[None]:
        """A read transaction: every query inside sees the same state of the archive."""
        self._conn.execute("BEGIN")
        try:
            yield
        finally:
            self._conn.execute("COMMIT")

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


def _connect(path: Path, *, read_only: bool, immutable: bool) -> sqlite3.Connection:
    if not read_only:
        return sqlite3.connect(path, isolation_level=None)
    mode = "mode=ro&immutable=1" if immutable else "mode=ro"
    uri = f"file:{quote(str(path.resolve()))}?{mode}"
    return sqlite3.connect(uri, uri=True, isolation_level=None)


def _capacity(level: int) -> int:
    """Entries a level (>= 1) holds at most."""
    return int(LEVEL1_ENTRIES * LEVEL_RATIO ** max(level - 1, 0))


@dataclass(frozen=True)
class _Run:
    run: int
    level: int
    rows: int


class _RunReader:
    """Reads a stored run one band after another, deleting each block once it is read."""

    def __init__(self, conn: sqlite3.Connection, run: int) -> None:
        self._conn = conn
        self._base = run << _RUN_SHIFT
        [fences] = conn.execute("SELECT fences FROM lsh_runs WHERE run = ?", (run,)).fetchone()
        self._fences = unpack_fences(fences)
        self._next = 0  # the first block not read yet

    def below(self, high: int) -> Entries:
        """The entries not read yet whose key is below `high`, a band boundary: as a block
        never holds two bands, they are exactly the blocks whose first key is below it."""
        stop = first_block_at(self._fences, high)
        if stop == self._next:
            return unpack_blocks([], [])
        span = (self._base + self._next, self._base + stop - 1)
        sql = "SELECT data FROM lsh_blocks WHERE id BETWEEN ? AND ? ORDER BY id"
        blocks = [data for (data,) in self._conn.execute(sql, span)]
        self._conn.execute("DELETE FROM lsh_blocks WHERE id BETWEEN ? AND ?", span)
        read = unpack_blocks(blocks, self._fences[self._next : stop])
        self._next = stop
        return read


class _RunWriter:
    """Writes one index run: entries are added in key order, each band in one call at
    most (a block never holds two bands); `close` lists the run with its fences."""

    def __init__(self, conn: sqlite3.Connection, run: int, level: int) -> None:
        self._conn = conn
        self._run = run
        self._level = level
        self._fences: list[int] = []
        self._rows = 0

    def add(self, entries: Entries) -> None:
        try:
            blocks, fences = pack_blocks(entries, BLOCK_ENTRIES)
        except OverflowError as exc:
            raise ArchiveError(f"cannot index the archive: {exc}") from exc
        base = (self._run << _RUN_SHIFT) + len(self._fences)
        self._conn.executemany(
            "INSERT INTO lsh_blocks (id, data) VALUES (?, ?)",
            ((base + n, block) for n, block in enumerate(blocks)),
        )
        self._fences.extend(fences)
        self._rows += len(entries)

    def close(self) -> None:
        self._conn.execute(
            "INSERT INTO lsh_runs (run, level, rows, fences) VALUES (?, ?, ?, ?)",
            (self._run, self._level, self._rows, pack_fences(self._fences)),
        )


@dataclass(frozen=True)
class _Prepared:
    """What storing a document needs that does not depend on the archive's content."""

    digest: str
    paragraphs: int
    body: bytes
    keys: Keys
    shingles: bytes
    # The text's language when sure, and its anchors (space-separated; see _anchors).
    language: str | None = None
    anchors: str = ""


def _extra(doc: Document) -> str | None:
    """What a check reads of an original besides its text: the load stage's notes (an
    excerpt, a cut-off page) and the corpus header's, as JSON; None when there are none."""
    kept: dict[str, Any] = {k: doc.meta[k] for k in _KEPT_META if doc.meta.get(k)}
    if doc.notes:
        kept["notes"] = list(doc.notes)
    return json.dumps(kept, ensure_ascii=False, sort_keys=True) if kept else None


def _texts(doc: Document) -> tuple[str | None, list[str]]:
    """What `_prepare` needs of a document: its title and non-blank paragraphs."""
    return doc.title, [p.text for p in doc.paragraphs if p.text.strip()]


def _prepare(docs: Sequence[tuple[str | None, list[str]]]) -> list[_Prepared | None]:
    """Content hash, compressed body and LSH keys of each (title, paragraphs), or None
    for one without text; all are shingled in one batch. Runs in worker processes."""
    sketches = sketch_batch([texts for _, texts in docs])
    return [
        _Prepared(
            digest=_content_hash(title, texts),
            paragraphs=len(texts),
            body=zlib.compress(_SEPARATOR.join(texts).encode("utf-8"), 1),
            keys=k,
            shingles=packed,
            **_anchor_fields(title, texts),
        )
        if texts
        else None
        for (title, texts), (k, packed) in zip(docs, sketches, strict=True)
    ]


def _anchor_fields(title: str | None, texts: list[str]) -> dict[str, Any]:
    """The language and the anchors of a text, for the anchor index (none when the
    language is not sure: a translation is only recognised between sure languages)."""
    language = language_of(texts)
    if language is None:
        return {}
    return {"language": language, "anchors": " ".join(index_terms(title, texts))}


def _pair(
    batch: list[Item], prepared: list[_Prepared | None]
) -> list[tuple[Item, _Prepared | None]]:
    """Each item with its preparation (None for an unreadable item's (source, reason))."""
    it = iter(prepared)
    return [(item, None if isinstance(item, tuple) else next(it)) for item in batch]


def _exit_with(importer: int) -> None:
    """Runs in each import worker: exit once the importing process is gone (a killed
    import must not leave its workers, and their forkserver, waiting forever)."""

    def watch() -> None:
        while True:
            time.sleep(0.5)
            try:
                os.kill(importer, 0)
            except ProcessLookupError:
                os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def _default_workers() -> int:
    cpus = os.cpu_count() or 1
    # The writer waits on I/O often enough that a worker per CPU pays even on two.
    return 0 if cpus < 2 else min(4, cpus)


def _ints(values: Iterable[int]) -> str:
    return ",".join(map(str, map(int, values)))


def _rank(
    copy: Hashes, shingled: list[_Shingled], threshold: float, limit: int
) -> list[tuple[_Shingled, int, int]]:
    """The `limit` best versions (as (version, shared, union)) whose containment of the
    copy is at least `threshold`: one per document (its best, then newest, version), by
    containment descending, then URL, then newest version first."""
    best: dict[int, tuple[_Shingled, int, int]] = {}
    measured = containment_batch(copy, [item.shingles for item in shingled])
    for item, (shared, union) in zip(shingled, measured, strict=True):
        score = _score(shared, copy.size)
        if score < threshold:
            continue
        kept = best.get(item.doc_id)
        if kept is None or (score, item.number) > (_score(kept[1], copy.size), kept[0].number):
            best[item.doc_id] = (item, shared, union)
    return sorted(
        best.values(), key=lambda b: (-_score(b[1], copy.size), b[0].url or "", -b[0].number)
    )[:limit]


def _score(shared: int, size: int) -> float:
    return round(shared / size, 6)


def _candidate(
    item: _Stored, shared: int, union: int, size: int, bands: int, by_title: bool
) -> Candidate:
    matched_by = "+".join(name for name, hit in (("lsh", bands), ("title", by_title)) if hit)
    return Candidate(
        url=item.document.url,
        title=item.document.title,
        score=_score(shared, size),
        jaccard=round(shared / union, 6) if union else 0.0,
        estimate=round(bands / NUM_PERM, 6),
        document=item.document,
        version=item.number,
        versions=item.versions,
        added_at=item.added_at,
        matched_by=matched_by or "lsh",
    )


def _verify_anchors(copy: set[str], item: _Stored) -> tuple[Candidate, int]:
    """A version found by anchors, scored by the share of the copy's anchors it holds;
    with the number of anchors they share."""
    texts = [p.text for p in item.document.paragraphs]
    held = set(index_terms(item.document.title, texts))
    shared = len(copy & held)
    union = len(copy | held)
    candidate = Candidate(
        url=item.document.url,
        title=item.document.title,
        score=round(shared / len(copy), 6) if copy else 0.0,
        jaccard=round(shared / union, 6) if union else 0.0,
        estimate=0.0,
        document=item.document,
        version=item.number,
        versions=item.versions,
        added_at=item.added_at,
        matched_by="anchors",
    )
    return candidate, shared


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

"""The SQLite schema of the archive and the connection settings it is opened with."""

from __future__ import annotations

import sqlite3
import uuid

from ._anchors import ANCHOR_DDL

SCHEMA_VERSION = 6

PRAGMAS = (
    # Applies to a new (empty) file only. 16 KB pages: a commit writes (and a checkpoint
    # copies) a quarter of the pages 4 KB ones need; import commits took 2.5x less time.
    "PRAGMA page_size=16384",
    "PRAGMA journal_mode=WAL",
    # WAL + NORMAL: a crash can lose the last commits but never corrupts the file.
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    # temp_store stays FILE: an index merge sorts up to 1/8 of the index, and SQLite's
    # sorter keeps cache_size of it in memory and spills the rest to a temporary file.
    "PRAGMA cache_size=-131072",
    "PRAGMA busy_timeout=5000",
    # Keep the WAL file from staying hundreds of megabytes after a big import.
    "PRAGMA journal_size_limit=67108864",
)

# The LSH index is a log-structured merge of immutable sorted runs (see
# `_store.Archive._compact`). A run is a sorted array of (band key, version id) entries
# cut into blocks of `_store.BLOCK_ENTRIES` (never across two bands), each block one row of
# `lsh_blocks` with id = run << 32 | block number, stored as packed (32-bit MinHash value,
# 32-bit version id) pairs; `fences` holds the first (whole) key of each block, so a lookup
# reads one block per (run, key), and there are few runs: a few small ones at level 0 (one
# per import batch, moved up when an import ends) and one per level above (levelled), each
# level LEVEL_RATIO times larger than the one before. One row per entry instead (a B-tree
# of 64 rows per article, rewritten by every merge) cost ~250 us per article in SQLite
# and held imports near 1,000 articles/s at 1M.
LSH_DDL = (
    """CREATE TABLE lsh_runs (
        run INTEGER PRIMARY KEY,
        level INTEGER NOT NULL,
        rows INTEGER NOT NULL,
        fences BLOB NOT NULL
    )""",
    """CREATE TABLE lsh_blocks (id INTEGER PRIMARY KEY, data BLOB NOT NULL)""",
)

# Only documents without a URL are found by content (those with one, by URL): a full index
# would take a random-order insert into a large B-tree for every document imported.
CONTENT_HASH_INDEX = (
    "CREATE INDEX documents_content_hash ON documents (content_hash) WHERE url IS NULL"
)

# `archive stats` sums paragraphs over every version: from the table, that reads every
# row's page (0.75 s warm, 6 s cold at 1M articles); this index holds what it needs.
PARAGRAPHS_INDEX = "CREATE INDEX IF NOT EXISTS versions_paragraphs ON versions (paragraphs)"

DDL = (
    """CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
    """CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        url TEXT UNIQUE,
        title TEXT,
        published TEXT,
        content_hash TEXT NOT NULL,
        source TEXT NOT NULL,
        kind TEXT NOT NULL,
        added_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    CONTENT_HASH_INDEX,
    """CREATE TABLE versions (
        id INTEGER PRIMARY KEY,
        doc_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        number INTEGER NOT NULL,
        content_hash TEXT NOT NULL,
        title TEXT,
        published TEXT,
        added_at TEXT NOT NULL,
        paragraphs INTEGER NOT NULL,
        body BLOB NOT NULL,
        extra TEXT,
        shingles BLOB,
        UNIQUE (doc_id, content_hash),
        UNIQUE (doc_id, number)
    )""",
    PARAGRAPHS_INDEX,
    # The LSH index, all bands in one: key = band << 32 | MinHash value.
    *LSH_DDL,
    """CREATE VIRTUAL TABLE titles
        USING fts5 (title, tokenize = 'unicode61 remove_diacritics 2')""",
    # The anchors of each version, to find the original of a translation (see _anchors).
    *ANCHOR_DDL,
)


def create(conn: sqlite3.Connection, scheme: str, anchor_scheme: str) -> None:
    """Create every table of an empty database and stamp its schema version."""
    for statement in DDL:
        conn.execute(statement)
    conn.execute("INSERT INTO meta (key, value) VALUES ('index_scheme', ?)", (scheme,))
    conn.execute("INSERT INTO meta (key, value) VALUES ('anchor_scheme', ?)", (anchor_scheme,))
    _stamp_id(conn)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _stamp_id(conn: sqlite3.Connection) -> None:
    """Give the archive an id of its own: with the last version id it names the archive's
    content (`Archive.content_version`), also across a deleted and recreated file."""
    conn.execute(
        "INSERT OR IGNORE INTO meta (key, value) VALUES ('archive_id', ?)", (uuid.uuid4().hex,)
    )


def migrate(conn: sqlite3.Connection, version: int) -> None:
    """Bring an older archive to the current schema: version 1 kept the index in one
    B-tree of band keys, version 2 in runs of one row per key (the index is rebuilt from
    the stored text afterwards: its scheme is reset here); version 3 kept no load notes
    (`versions.extra`) and no archive id; version 4 no shingles with each version
    (`versions.shingles`; a version stored without them is verified from its text);
    version 5 no anchor index (created empty here, with its scheme unset: the archive
    fills it from the stored text when it is opened, see `_store.Archive._reanchor`)."""
    if version < 3:
        conn.execute("DROP TABLE IF EXISTS lsh")
        conn.execute("DROP TABLE IF EXISTS lsh_runs")
        for statement in LSH_DDL:
            conn.execute(statement)
        conn.execute("DROP INDEX documents_content_hash")
        conn.execute(CONTENT_HASH_INDEX)
        conn.execute(PARAGRAPHS_INDEX)
        conn.execute("UPDATE meta SET value = '' WHERE key = 'index_scheme'")
    if version < 4:
        conn.execute("ALTER TABLE versions ADD COLUMN extra TEXT")
        _stamp_id(conn)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(versions)")}
    if version < 5 and "shingles" not in columns:
        conn.execute("ALTER TABLE versions ADD COLUMN shingles BLOB")
    if version < 6:
        conn.execute("DROP TABLE IF EXISTS anchor_index")
        for statement in ANCHOR_DDL:
            conn.execute(statement)
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('anchor_scheme', '')")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

"""The SQLite schema of the archive and the connection settings it is opened with."""

from __future__ import annotations

import sqlite3

SCHEMA_VERSION = 2

PRAGMAS = (
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

# The LSH index is a log-structured merge of sorted runs (see `_store.Archive._flush_index`):
# import batches go into the newest level-0 run, at the right edge of the B-tree, until it
# holds `_store.LEVEL0_ROWS` keys (its pages stay in cache); runs of one level are merged
# (sorted, appended) into one run of the next level once there are `_store.RUN_FANOUT`.
# Inserting random keys into one big B-tree instead dirties one page per key and
# slows imports down as the index outgrows the cache (2,100 -> 1,000 articles/s from 50k
# to 100k articles). No index on version_id: versions are never deleted one by one.
LSH_DDL = (
    """CREATE TABLE lsh (
        run INTEGER NOT NULL,
        key INTEGER NOT NULL,
        version_id INTEGER NOT NULL REFERENCES versions (id) ON DELETE CASCADE,
        PRIMARY KEY (run, key, version_id)
    ) WITHOUT ROWID""",
    """CREATE TABLE lsh_runs (
        run INTEGER PRIMARY KEY,
        level INTEGER NOT NULL,
        rows INTEGER NOT NULL
    )""",
)

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
    """CREATE INDEX documents_content_hash ON documents (content_hash)""",
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
        UNIQUE (doc_id, content_hash),
        UNIQUE (doc_id, number)
    )""",
    # The LSH band tables, all bands in one: key = band << 32 | MinHash value.
    *(LSH_DDL),
    """CREATE VIRTUAL TABLE titles
        USING fts5 (title, tokenize = 'unicode61 remove_diacritics 2')""",
)


def create(conn: sqlite3.Connection, scheme: str) -> None:
    """Create every table of an empty database and stamp its schema version."""
    for statement in DDL:
        conn.execute(statement)
    conn.execute("INSERT INTO meta (key, value) VALUES ('index_scheme', ?)", (scheme,))
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def migrate(conn: sqlite3.Connection, version: int) -> None:
    """Bring a version-1 archive (one B-tree of band keys) to the current schema; the
    index is rebuilt from the stored text afterwards (its scheme is reset here)."""
    if version < 2:
        conn.execute("DROP TABLE lsh")
        for statement in LSH_DDL:
            conn.execute(statement)
        conn.execute("UPDATE meta SET value = '' WHERE key = 'index_scheme'")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

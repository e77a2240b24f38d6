"""The SQLite schema of the archive and the connection settings it is opened with."""

from __future__ import annotations

import sqlite3

SCHEMA_VERSION = 1

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    # WAL + NORMAL: a crash can lose the last commits but never corrupts the file.
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA temp_store=MEMORY",
    "PRAGMA cache_size=-131072",
    "PRAGMA busy_timeout=5000",
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
    # The LSH band tables, all bands in one: key = band << 32 | MinHash value. No index on
    # version_id: versions are never deleted one by one, and it would double the table.
    """CREATE TABLE lsh (
        key INTEGER NOT NULL,
        version_id INTEGER NOT NULL REFERENCES versions (id) ON DELETE CASCADE,
        PRIMARY KEY (key, version_id)
    ) WITHOUT ROWID""",
    """CREATE VIRTUAL TABLE titles
        USING fts5 (title, tokenize = 'unicode61 remove_diacritics 2')""",
)


def create(conn: sqlite3.Connection, scheme: str) -> None:
    """Create every table of an empty database and stamp its schema version."""
    for statement in DDL:
        conn.execute(statement)
    conn.execute("INSERT INTO meta (key, value) VALUES ('index_scheme', ?)", (scheme,))
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

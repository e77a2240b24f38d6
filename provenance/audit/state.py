"""The audit's state file: each item's content hash, what its result depended on, and the
result, in SQLite (WAL).

A stored result is reused only for the same item bytes (`content_hash`) and the same
dependencies (`depends`: the tool and schema version, the settings and policy that change
a result, the archive's content version; see `audit.dependencies`), so an audit rechecks
an item when any of them changed. Every result is committed as soon as it is known, so
an audit killed part-way loses at most the items in flight, and a rerun neither loses nor
duplicates a result (items are keyed by their stable key). sqlite3 errors become
ArchiveError here.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import ArchiveError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    key TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    checked_at TEXT NOT NULL,
    result TEXT NOT NULL,
    depends TEXT,
    rendered TEXT
);
"""


class AuditState:
    """Results of earlier audit runs, keyed by item key."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(items)")}
            if "depends" not in columns:  # a state file of an earlier version: its
                # entries recorded no dependencies, so none is reused
                self._db.execute("ALTER TABLE items ADD COLUMN depends TEXT")
            if "rendered" not in columns:  # entries of an earlier version render again
                self._db.execute("ALTER TABLE items ADD COLUMN rendered TEXT")
        except (sqlite3.Error, OSError) as exc:
            raise ArchiveError(f"{path}: cannot open audit state ({exc})") from exc

    def __enter__(self) -> AuditState:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def lookup(
        self, key: str, content_hash: str, depends: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        """The stored result of `key` if it was checked with the same content hash and the
        same dependencies, else None. Each entry of the result carries its rendered
        fragment ("rendered", see `store`) when one was stored."""
        with self._errors("read"):
            row = self._db.execute(
                "SELECT result, rendered FROM items"
                " WHERE key = ? AND content_hash = ? AND depends = ?",
                (key, content_hash, _json(depends)),
            ).fetchone()
        if row is None:
            return None
        result: dict[str, Any] = json.loads(row[0])
        rendered = json.loads(row[1]) if row[1] else []
        entries = result.get("entries")
        if isinstance(entries, list) and isinstance(rendered, list):
            for entry, fragment in zip(entries, rendered, strict=False):
                if isinstance(entry, dict) and fragment is not None:
                    entry["rendered"] = fragment
        return result

    def depends(self, key: str) -> dict[str, Any] | None:
        """What the stored result of `key` depended on (None: no entry, or an entry of an
        earlier version that recorded nothing)."""
        with self._errors("read"):
            row = self._db.execute("SELECT depends FROM items WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row and row[0] else None

    def store(
        self,
        key: str,
        content_hash: str,
        depends: Mapping[str, Any],
        result: dict[str, Any],
        rendered: Sequence[Mapping[str, Any] | None] = (),
    ) -> None:
        """Record (or replace) the result of `key` and what it depended on, committed at once.

        `rendered` holds, entry by entry, the report as the writers render it
        (`report.fragments`): a rerun that reuses the item writes these instead.
        """
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        fragments = json.dumps(list(rendered), ensure_ascii=False) if any(rendered) else None
        with self._errors("write"):
            self._db.execute(
                "INSERT INTO items (key, content_hash, checked_at, result, depends, rendered)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET"
                " content_hash = excluded.content_hash, checked_at = excluded.checked_at,"
                " result = excluded.result, depends = excluded.depends,"
                " rendered = excluded.rendered",
                (key, content_hash, now, _json(result), _json(depends), fragments),
            )

    def count(self) -> int:
        with self._errors("read"):
            return int(self._db.execute("SELECT COUNT(*) FROM items").fetchone()[0])

    def integrity(self) -> str:
        with self._errors("check"):
            return str(self._db.execute("PRAGMA integrity_check").fetchone()[0])

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise ArchiveError(f"{self.path}: cannot {action} audit state ({exc})") from exc


def _json(value: Mapping[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)

"""The audit's state file: each item's content hash, what its result depended on, and the
result, in SQLite (WAL).

Each entry's report is stored as the audit writes it, rendered (`report.fragments`): its
JSON text, its HTML details and the rest of its page parts, in the `fragments` table; a
rerun that reuses the item reads these and parses the report only if a renderer asks for
it. (Entries stored before kept the report in the result itself; they are read as they
are.)

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

from ..errors import ArchiveError, InputError
from ..report.fragments import join_fragment, split_fragment


class StoredReport(Mapping[str, Any]):
    """A report dict kept as its JSON text and parsed when first read (a writer that has
    the item's fragment never reads it)."""

    __slots__ = ("_data", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._data: dict[str, Any] | None = None

    def _parsed(self) -> dict[str, Any]:
        if self._data is None:
            try:
                data = json.loads(self.text)
            except ValueError as exc:
                raise InputError(f"stored report is not JSON ({exc})") from exc
            if not isinstance(data, dict):
                raise InputError("stored report is not a JSON object")
            self._data = data
        return self._data

    def __getitem__(self, key: str) -> Any:
        return self._parsed()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._parsed())

    def __len__(self) -> int:
        return len(self._parsed())


_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    key TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    checked_at TEXT NOT NULL,
    result TEXT NOT NULL,
    depends TEXT
);
CREATE TABLE IF NOT EXISTS fragments (
    key TEXT NOT NULL,
    entry INTEGER NOT NULL,
    version TEXT NOT NULL,
    report TEXT NOT NULL,
    body TEXT NOT NULL,
    parts TEXT NOT NULL,
    PRIMARY KEY (key, entry)
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
        same dependencies, else None. An entry whose report was stored rendered gets it
        back as a `StoredReport` (parsed when read) and, when this code rendered it, its
        fragment as "rendered"."""
        with self._errors("read"):
            row = self._db.execute(
                "SELECT result FROM items WHERE key = ? AND content_hash = ? AND depends = ?",
                (key, content_hash, _json(depends)),
            ).fetchone()
            if row is None:
                return None
            result: dict[str, Any] = json.loads(row[0])
            if not any("report" not in e and "error" not in e for e in result["entries"]):
                return result
            stored = {
                entry: (version, report, body, parts)
                for entry, version, report, body, parts in self._db.execute(
                    "SELECT entry, version, report, body, parts FROM fragments WHERE key = ?",
                    (key,),
                )
            }
        for n, entry in enumerate(result["entries"]):
            if "report" in entry or "error" in entry:
                continue
            if n not in stored:  # cannot happen but by hand: check the item again
                return None
            version, report, body, parts = stored[n]
            entry["report"] = StoredReport(report)
            entry["rendered"] = join_fragment(version, report, body, parts)
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

        `rendered` holds, entry by entry, the report rendered (`report.fragments`) or None:
        an entry with one is stored without its report dict, which its JSON text holds.
        """
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        fragments = {n: f for n, f in enumerate(rendered) if f is not None}
        entries = [
            {k: v for k, v in entry.items() if k != "report"} if n in fragments else entry
            for n, entry in enumerate(result["entries"])
        ]
        with self._errors("write"):
            self._db.execute("BEGIN")
            try:
                self._db.execute(
                    "INSERT INTO items (key, content_hash, checked_at, result, depends)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET"
                    " content_hash = excluded.content_hash, checked_at = excluded.checked_at,"
                    " result = excluded.result, depends = excluded.depends",
                    (key, content_hash, now, _json({**result, "entries": entries}),
                     _json(depends)),
                )  # fmt: skip
                self._db.execute("DELETE FROM fragments WHERE key = ?", (key,))
                self._db.executemany(
                    "INSERT INTO fragments (key, entry, version, report, body, parts)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    [(key, n, *split_fragment(f)) for n, f in fragments.items()],
                )
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

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

"""A small on-disk HTTP cache (SQLite), private-cache semantics of RFC 9111 in brief.

Entries are keyed by the URL asked for and hold the final response after redirects.
An entry is fresh for `max-age` (else `Expires - Date`, else a caller's default) minus
the `Age` it arrived with; `no-cache` forces revalidation and `no-store` keeps a response
out. A stale entry with an `ETag` or `Last-Modified` is revalidated with a conditional
request; a 304 refreshes it. A response that could never be reused (no freshness, no
validator) is not stored, and the stored bodies never total more than `max_bytes`: the
oldest entries go first.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from email.utils import parsedate_to_datetime
from pathlib import Path

from ..errors import FetchError, SettingsError

CACHE_FILE = "http-cache.sqlite"
DEFAULT_MAX_CACHE_BYTES = 200_000_000
# `trusted`: fetched on the user's word (its first hop could reach a non-global address);
# such an entry is only ever served to a request that is trusted too. Entries from a cache
# written before the column existed count as trusted.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    url TEXT PRIMARY KEY,
    final_url TEXT NOT NULL,
    status_code INTEGER NOT NULL,
    headers TEXT NOT NULL,
    body BLOB NOT NULL,
    stored_at REAL NOT NULL,
    trusted INTEGER NOT NULL DEFAULT 1
)
"""


def _directives(headers: Mapping[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in headers.get("cache-control", "").split(","):
        key, _, value = part.strip().partition("=")
        if key:
            out[key.lower()] = value.strip().strip('"')
    return out


def _http_date(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None


def _int(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() else None


def is_storable(headers: Mapping[str, str]) -> bool:
    """True unless the response says `Cache-Control: no-store`."""
    return "no-store" not in _directives(headers)


@dataclass(frozen=True)
class CachedResponse:
    """A stored final response; `stored_at` is wall-clock seconds (time.time)."""

    final_url: str
    status_code: int
    headers: Mapping[str, str]
    body: bytes
    stored_at: float
    trusted: bool = False

    def lifetime(self, default: float) -> float:
        """Return the freshness lifetime in seconds (0 when revalidation is required)."""
        directives = _directives(self.headers)
        if "no-cache" in directives:
            return 0.0
        max_age = _int(directives.get("max-age"))
        if max_age is not None:
            return float(max_age)
        expires = _http_date(self.headers.get("expires"))
        if expires is not None:
            date = _http_date(self.headers.get("date")) or self.stored_at
            return max(0.0, expires - date)
        return default

    def is_fresh(self, now: float, default_lifetime: float = 0.0) -> bool:
        """True when the entry may be served without asking the server."""
        age = now - self.stored_at + (_int(self.headers.get("age")) or 0)
        return age < self.lifetime(default_lifetime)

    def validators(self) -> dict[str, str]:
        """Return the conditional request headers this entry supports (maybe none)."""
        out = {}
        if "etag" in self.headers:
            out["If-None-Match"] = self.headers["etag"]
        if "last-modified" in self.headers:
            out["If-Modified-Since"] = self.headers["last-modified"]
        return out

    def refreshed(self, headers_304: Mapping[str, str], now: float) -> CachedResponse:
        """Return this entry updated by a 304 answer's headers, stored `now`."""
        merged = {**self.headers, **{k: v for k, v in headers_304.items() if k != "content-length"}}
        return replace(self, headers=merged, stored_at=now)


class HttpCache:
    """The SQLite store behind the cache; safe to share between threads."""

    def __init__(
        self,
        directory: Path,
        *,
        now: Callable[[], float] = time.time,
        max_bytes: int = DEFAULT_MAX_CACHE_BYTES,
    ) -> None:
        """Open (creating) `directory/http-cache.sqlite`. Raises SettingsError on failure."""
        self.now = now
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        try:
            directory.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(directory / CACHE_FILE, check_same_thread=False)
            self._db.execute("PRAGMA auto_vacuum = FULL")  # a new file shrinks as entries go
            self._db.execute(_SCHEMA)
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(responses)")}
            if "trusted" not in columns:
                self._db.execute(
                    "ALTER TABLE responses ADD COLUMN trusted INTEGER NOT NULL DEFAULT 1"
                )
        except (OSError, sqlite3.Error) as exc:
            raise SettingsError(f"cannot open the HTTP cache in {directory}: {exc}") from exc

    def get(self, url: str) -> CachedResponse | None:
        """Return the entry for `url`, or None. Raises FetchError when the store fails."""
        query = (
            "SELECT final_url, status_code, headers, body, stored_at, trusted "
            "FROM responses WHERE url=?"
        )
        try:
            with self._lock:
                row = self._db.execute(query, (url,)).fetchone()
        except sqlite3.Error as exc:
            raise FetchError(url, f"HTTP cache error: {exc}") from exc
        if row is None:
            return None
        final_url, status, headers, body, stored_at, trusted = row
        return CachedResponse(
            final_url, status, json.loads(headers), body, stored_at, trusted=bool(trusted)
        )

    def put(self, url: str, entry: CachedResponse, *, default_lifetime: float = 0.0) -> None:
        """Store `entry` under `url` unless it says no-store, could never be reused (no
        freshness beyond `default_lifetime`, no validator) or is over a quarter of the
        cache; then drop the oldest entries past `max_bytes`. Raises FetchError on failure."""
        if not is_storable(entry.headers) or len(entry.body) > self.max_bytes // 4:
            return
        if entry.lifetime(default_lifetime) <= 0 and not entry.validators():
            return
        row = (url, entry.final_url, entry.status_code, json.dumps(dict(entry.headers)))
        try:
            with self._lock, self._db:
                self._db.execute(
                    "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (*row, entry.body, entry.stored_at, int(entry.trusted)),
                )
                self._evict()
        except sqlite3.Error as exc:
            raise FetchError(url, f"HTTP cache error: {exc}") from exc

    def size(self) -> int:
        """The bytes of all stored bodies."""
        with self._lock:
            return int(self._db.execute("SELECT total(length(body)) FROM responses").fetchone()[0])

    def _evict(self) -> None:
        """Delete the oldest entries until the stored bodies fit in `max_bytes`."""
        total = int(self._db.execute("SELECT total(length(body)) FROM responses").fetchone()[0])
        if total <= self.max_bytes:
            return
        doomed = []
        rows = self._db.execute("SELECT url, length(body) FROM responses ORDER BY stored_at")
        for url, size in rows:
            if total <= self.max_bytes:
                break
            doomed.append((url,))
            total -= size
        self._db.executemany("DELETE FROM responses WHERE url = ?", doomed)

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

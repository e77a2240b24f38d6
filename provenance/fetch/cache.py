"""A small on-disk HTTP cache (SQLite), private-cache semantics of RFC 9111 in brief.

Entries are keyed by the URL asked for and hold the final response after redirects.
An entry is fresh for `max-age` (else `Expires - Date`, else a caller's default) minus
the `Age` it arrived with; `no-cache` forces revalidation and `no-store` keeps a response
out. A stale entry with an `ETag` or `Last-Modified` is revalidated with a conditional
request; a 304 refreshes it.
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
_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    url TEXT PRIMARY KEY,
    final_url TEXT NOT NULL,
    status_code INTEGER NOT NULL,
    headers TEXT NOT NULL,
    body BLOB NOT NULL,
    stored_at REAL NOT NULL
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

    def __init__(self, directory: Path, *, now: Callable[[], float] = time.time) -> None:
        """Open (creating) `directory/http-cache.sqlite`. Raises SettingsError on failure."""
        self.now = now
        self._lock = threading.Lock()
        try:
            directory.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(directory / CACHE_FILE, check_same_thread=False)
            self._db.execute(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise SettingsError(f"cannot open the HTTP cache in {directory}: {exc}") from exc

    def get(self, url: str) -> CachedResponse | None:
        """Return the entry for `url`, or None. Raises FetchError when the store fails."""
        query = "SELECT final_url, status_code, headers, body, stored_at FROM responses WHERE url=?"
        try:
            with self._lock:
                row = self._db.execute(query, (url,)).fetchone()
        except sqlite3.Error as exc:
            raise FetchError(url, f"HTTP cache error: {exc}") from exc
        if row is None:
            return None
        final_url, status, headers, body, stored_at = row
        return CachedResponse(final_url, status, json.loads(headers), body, stored_at)

    def put(self, url: str, entry: CachedResponse) -> None:
        """Store `entry` under `url` unless it says no-store. Raises FetchError on failure."""
        if not is_storable(entry.headers):
            return
        row = (url, entry.final_url, entry.status_code, json.dumps(dict(entry.headers)))
        try:
            with self._lock, self._db:
                self._db.execute(
                    "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?, ?)",
                    (*row, entry.body, entry.stored_at),
                )
        except sqlite3.Error as exc:
            raise FetchError(url, f"HTTP cache error: {exc}") from exc

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

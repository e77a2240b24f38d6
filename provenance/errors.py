"""The one exception tree of `provenance`.

An exception means "could not look"; "no attribution" or "no original found" are
findings in the report, never exceptions.

    ProvenanceError
    ├── InputError          the item cannot be read or parsed (CLI exit 2)
    ├── FetchError          .url, .reason
    │   ├── FetchTimeout
    │   ├── FetchStatusError    .status_code
    │   ├── FetchTooLarge       body over the size cap
    │   └── BlockedURL          refused by the SSRF guard, the scheme check or robots.txt
    ├── ArchiveError        the archive of originals cannot be opened, read or written
    ├── ScanError           a scan engine cannot run (no Spark, no Java) or its job failed
    └── SettingsError       bad options or policy file (CLI exit 2)

    KeyboardInterrupt
    └── Interrupted         SIGTERM or SIGINT asked a run to stop (`.signum`); not a
                            ProvenanceError, so no `except ProvenanceError` swallows it

Foreign exceptions (httpx, sqlite3, json, lxml, ...) are mapped to these at the one
boundary that imports the foreign library, with `raise Ours(...) from exc`.
"""

from __future__ import annotations


class ProvenanceError(Exception):
    """Base of every error `provenance` raises on purpose."""


class InputError(ProvenanceError):
    """The item cannot be read or parsed: unreadable file, malformed JSON, empty document."""


class FetchError(ProvenanceError):
    """A URL could not be fetched. `reason` is a short human-readable cause."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class FetchTimeout(FetchError):
    """Connecting to or reading from the server took longer than allowed."""


class FetchStatusError(FetchError):
    """The server answered with an error status (after the retries the policy allows)."""

    def __init__(self, url: str, status_code: int) -> None:
        super().__init__(url, f"HTTP {status_code}")
        self.status_code = status_code


class FetchTooLarge(FetchError):
    """The (decompressed) body grew past the configured cap."""


class BlockedURL(FetchError):
    """Refused before any byte was sent: scheme, non-global address, or robots.txt."""


class ArchiveError(ProvenanceError):
    """The archive of originals cannot be opened, read or written."""


class ScanError(ProvenanceError):
    """`scan` could not run: its engine is missing (pyspark, Java) or the job failed."""


class SettingsError(ProvenanceError):
    """An option or policy file is invalid."""


class Interrupted(KeyboardInterrupt):
    """A signal asked the run to stop. `signum` is the signal; `where` says how far the
    run got (filled in by the run that was stopped)."""

    def __init__(self, signum: int, where: str = "") -> None:
        super().__init__(signum)
        self.signum = signum
        self.where = where

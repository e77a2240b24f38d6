"""The local archive of originals (SQLite) and its near-duplicate index.

    with Archive.open(path) as archive:
        archive.import_paths([corpus_dir], settings)
        candidates = archive.search(copy)

Documents are keyed by URL; a changed page is kept as a new version, the same content
twice is stored once. Lookups go through a MinHash LSH index persisted in SQLite (see
`_sketch`), and every candidate is verified before it is returned: the share of the copy's
shingles it holds, from the shingles stored with each version (schema 5; a version stored
before is shingled from its text), and only the returned candidates' text is read.
When nothing shares text with a copy, originals in another language that share its
anchors (names and numbers, see `_anchors`) are returned instead: candidates for the
original of a translation (schema 6).
"""

from __future__ import annotations

from ._filter import DEFAULT_FILTER_ENTRIES, ShingleFilter
from ._sources import Fetch
from ._store import Archive, ArchiveStats, Candidate, ImportResult

__all__ = [
    "DEFAULT_FILTER_ENTRIES",
    "Archive",
    "ArchiveStats",
    "Candidate",
    "Fetch",
    "ImportResult",
    "ShingleFilter",
]

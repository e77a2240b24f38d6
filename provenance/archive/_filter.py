"""The scan prefilter: the archive's word 5-shingles, to drop pages that share no text with
any original before the load stage extracts their article.

A page is kept when at least `min_shared` of its shingles (counted in the sample: one in
`every`, chosen by hash) are shingles of some archived original. The filter is a sorted
array of 64-bit hashes, written to a file that each scan executor maps read-only.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._sketch import (
    Hashes,
    count_shared,
    load_hashes,
    sample_shingles,
    save_hashes,
    shingles,
)

# 32M hashes: 256 MB, mapped once per machine; an archive of ~60,000 articles fits unsampled.
DEFAULT_FILTER_ENTRIES = 1 << 25


@dataclass(frozen=True)
class ShingleFilter:
    """Sorted distinct shingle hashes of the archive, sampled one in `every`."""

    hashes: Hashes
    every: int

    @property
    def size(self) -> int:
        return int(self.hashes.size)

    def shared(self, text: str) -> int:
        """How many distinct (sampled) shingles of `text` the archive holds; `text` is
        taken as one paragraph, so every 5-gram of it is looked up."""
        return count_shared(self.hashes, sample_shingles(shingles([text]), self.every))

    def save(self, path: str) -> None:
        """Write the hashes to `path` (raises OSError); `every` is the caller's to keep."""
        save_hashes(path, self.hashes)

    @classmethod
    def load(cls, path: str, every: int) -> ShingleFilter:
        """Map a saved filter read-only. Raises OSError or ValueError."""
        return cls(load_hashes(path), every)

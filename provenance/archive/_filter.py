"""The scan prefilter: the archive's word 5-shingles, to drop pages that share no text with
any original before the load stage extracts their article.

A page is kept when at least `min_shared` of its shingles, and `min_share` of them all
(counted in the sample: one in `every`, chosen by hash), are shingles of some archived
original: unrelated news pages share a few common phrases with any large archive, while
a copy shares most of an article (its page's chrome aside). The filter is a sorted
array of 64-bit hashes, written to a file that each scan executor maps read-only.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._sketch import (
    Hashes,
    count_shared,
    distinct,
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

    def shared(self, text: str) -> tuple[int, int]:
        """(shared, all): how many distinct sampled shingles `text` has, and how many of
        them the archive holds; `text` is taken as one paragraph, so every 5-gram of it
        is looked up."""
        sampled = distinct(sample_shingles(shingles([text]), self.every))
        return count_shared(self.hashes, sampled), int(sampled.size)

    def save(self, path: str) -> None:
        """Write the hashes to `path` (raises OSError); `every` is the caller's to keep."""
        save_hashes(path, self.hashes)

    @classmethod
    def load(cls, path: str, every: int) -> ShingleFilter:
        """Map a saved filter read-only. Raises OSError or ValueError."""
        return cls(load_hashes(path), every)

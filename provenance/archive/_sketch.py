"""Shingles, MinHash signatures and the arrays of the index's runs: the only module that
imports rensa and numpy.

A document's shingles are the word 5-grams of each paragraph's comparison form (never
spanning two paragraphs, so a copy that keeps some paragraphs keeps exactly their
shingles), each hashed to an unsigned 64-bit integer; a paragraph of two to four words is
one shingle. Its signature is a MinHash of those hashes with `NUM_PERM` permutations,
banded one row per band: band `i` collides with probability equal to the Jaccard
similarity, so a copy keeping 30% of an original (Jaccard ~0.3) misses all 64 bands
with probability 0.7**64 ~ 1e-10 and the number of colliding bands estimates Jaccard.

Tokens are found and hashed in numpy over the UTF-8 bytes of the whole document at once
(a polynomial hash of each token's bytes, read off prefix sums, then mixed), so no Python
string is built per word or per shingle: that is what lets imports reach thousands of
articles per second. All arithmetic is on uint64 arrays and wraps modulo 2**64, the same
on every platform and in every process (no use of Python's salted `hash()`).

The index's entries (band key, version id) are int64 pairs in memory and packed 32-bit
pairs in stored blocks (see `_schema.LSH_DDL`); the functions at the end cut, pack, merge
and search them.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Sequence
from typing import TypeVar

import numpy as np
import numpy.typing as npt

# rensa ships no type information (pyproject tells mypy); what is used of it is wrapped here.
import rensa

from ..text import words

Hashes = npt.NDArray[np.uint64]
Keys = npt.NDArray[np.int64]
_Scalar = TypeVar("_Scalar", bound=np.generic)

SHINGLE_WORDS = 5
NUM_PERM = 64
# Fixed seed: signatures are persisted, so they must be the same in every process.
SEED = 20_250_213
# Stored with the index; a change of any part means the stored signatures must be rebuilt.
# t2: tokens and shingles hashed to u64 in numpy (t1 hashed joined shingle strings in rensa).
SCHEME = f"rensa-rminhash-a{rensa.RMinHash.ALGORITHM_VERSION}/p{NUM_PERM}/r1/w{SHINGLE_WORDS}/t2"

_MIN_SHORT_WORDS = 2
BAND_SHIFT = 32
_PARAGRAPH_BREAK = "\x1e"  # neither a word character nor inner punctuation
# Characters the comparison form maps to ASCII (or to a space, for words() alike).
_TO_ASCII = (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"'),
             ("\u2014", "-"), ("\u2013", "-"), ("\u00a0", " "))  # fmt: skip
_WORD_RE = re.compile(r"\w+(?:[.,']\w+)*")

# Byte classes of the token pattern \w+(?:[.,']\w+)* on comparison-form text: ASCII word
# characters, and every byte of a multi-byte UTF-8 character (the slow path only lets
# word characters through, see `_normal_form`); inner punctuation joins two word runs.
_WORD_BYTE = np.zeros(256, dtype=bool)
for _chars in (b"abcdefghijklmnopqrstuvwxyz", b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"0123456789_"):
    _WORD_BYTE[list(_chars)] = True
_WORD_BYTE[0x80:] = True
_INNER_BYTE = np.zeros(256, dtype=bool)
_INNER_BYTE[list(b".,'")] = True

_U64 = np.uint64
_BASE = 0x100000001B3  # odd, so invertible modulo 2**64
_STEP = 0x9E3779B97F4A7C15  # odd multiplier that chains words into a shingle
_MIX1 = 0xBF58476D1CE4E5B9
_MIX2 = 0x94D049BB133111EB


def _sorted_distinct(values: npt.NDArray[_Scalar]) -> npt.NDArray[_Scalar]:
    """`np.unique(values)` for a 1-d array: a sort and one comparison (numpy's own
    costs ~25 us more per call on a few hundred values, which a lookup pays several
    times)."""
    ordered = np.sort(values)
    if ordered.size < 2:
        return ordered
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def _powers(base: int, n: int) -> Hashes:
    """base**0 .. base**(n-1) modulo 2**64."""
    out = np.full(n, base, dtype=_U64)
    out[0] = 1
    return np.cumprod(out, dtype=_U64)


def _power_table(n: int) -> Hashes:
    """_BASE**0 .. at least _BASE**(n-1), from a table grown as longer tokens appear
    (each caller keeps the table it checked, so concurrent growth is harmless)."""
    global _POW
    table = _POW
    if n > table.size:
        table = _POW = _powers(_BASE, 1 << (n - 1).bit_length())
    return table


_POW = _powers(_BASE, 64)


def _mix(x: Hashes) -> Hashes:
    """splitmix64's finaliser, element-wise (wrapping uint64 arithmetic)."""
    x = x ^ (x >> _U64(30))
    x = x * _U64(_MIX1)
    x = x ^ (x >> _U64(27))
    x = x * _U64(_MIX2)
    return x ^ (x >> _U64(31))


def _normal_form(text: str) -> str:
    """Lower-case text whose tokens are `text.words(text)`.

    Plain ASCII text (after mapping curly quotes and dashes, which the comparison form
    unifies anyway) is only lower-cased; anything else goes through `text.words`, whose
    tokens are joined by spaces.
    """
    plain = text
    if not plain.isascii():
        for char, ascii_char in _TO_ASCII:
            plain = plain.replace(char, ascii_char)
    if plain.isascii() and "&" not in plain:
        return plain.lower()
    return " ".join(words(text))


def tokens(text: str) -> list[str]:
    """Return the word tokens of `text`, equal to `text.words(text)` (fast for ASCII)."""
    return _WORD_RE.findall(_normal_form(text))


def _token_hashes(
    documents: Sequence[Iterable[str]],
) -> tuple[Hashes, npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The hash of every token of the documents, the (global) paragraph number of each
    token, and the document number of each paragraph. One numpy pass for all of them."""
    forms = [[_normal_form(p) for p in doc] for doc in documents]
    owner = np.repeat(np.arange(len(forms)), [len(f) for f in forms])
    joined = _PARAGRAPH_BREAK.join(p for f in forms for p in f).encode("utf-8")
    data = np.frombuffer(joined, dtype=np.uint8)
    if data.size == 0:
        return np.zeros(0, dtype=_U64), np.zeros(0, dtype=np.int64), owner
    # (np.take: fancy indexing by a uint8 array is ~3x slower.)
    word = np.take(_WORD_BYTE, data)
    # Inner punctuation belongs to a token only between two word characters.
    inner = np.zeros_like(word)
    inner[1:-1] = np.take(_INNER_BYTE, data[1:-1]) & word[:-2] & word[2:]
    inside = np.concatenate(([False], word | inner, [False]))
    edges = np.flatnonzero(inside[1:] != inside[:-1])
    starts, ends = edges[0::2], edges[1::2]
    if not starts.size:
        return np.zeros(0, dtype=_U64), np.zeros(0, dtype=np.int64), owner
    # Polynomial hash of each token's bytes: sum of byte * _BASE**(offset in the token).
    lengths = ends - starts
    at = np.flatnonzero(inside[1:-1])
    offset = at - np.repeat(starts, lengths)
    terms = np.take(data, at).astype(_U64) * np.take(_power_table(int(lengths.max())), offset)
    hashes = _mix(np.add.reduceat(terms, np.cumsum(lengths) - lengths))
    # A token's paragraph: the number of breaks before it (a token never starts on one).
    breaks = np.flatnonzero(data == ord(_PARAGRAPH_BREAK))
    return hashes, np.searchsorted(breaks, starts), owner


def shingles(paragraphs: Iterable[str]) -> Hashes:
    """Return the hashed word 5-shingles of each paragraph (a paragraph of two to four
    words is one shingle), duplicates kept, as a uint64 array in no particular order."""
    hashes, _ = shingle_batch([paragraphs])
    return hashes


def shingle_batch(documents: Sequence[Iterable[str]]) -> tuple[Hashes, npt.NDArray[np.int64]]:
    """`shingles` of many documents at once: all their hashes, grouped by document, and
    the offsets (len(documents) + 1) of each document's group."""
    h, para, owner = _token_hashes(documents)
    hashes: list[Hashes] = []
    paras: list[npt.NDArray[np.int64]] = []
    n, w = h.size, SHINGLE_WORDS
    if n >= w:
        acc = h[: n - w + 1].copy()
        for k in range(1, w):
            acc = acc * _U64(_STEP) + h[k : n - w + 1 + k]
        inside = para[: n - w + 1] == para[w - 1 :]
        hashes.append(_mix(acc[inside]))
        paras.append(para[: n - w + 1][inside])
    if n:
        firsts = np.flatnonzero(np.diff(para, prepend=-1))
        counts = np.diff(np.append(firsts, n))
        for size in range(_MIN_SHORT_WORDS, w):
            at = firsts[counts == size]
            if at.size:
                acc = h[at].copy()
                for k in range(1, size):
                    acc = acc * _U64(_STEP) + h[at + k]
                # The word count marks a short shingle apart from any 5-gram.
                hashes.append(_mix(acc * _U64(_STEP) + _U64(size)))
                paras.append(para[at])
    if not hashes:
        return np.zeros(0, dtype=_U64), np.zeros(len(documents) + 1, dtype=np.int64)
    if len(documents) == 1:
        flat = np.concatenate(hashes)
        return flat, np.array([0, flat.size], dtype=np.int64)
    doc = owner[np.concatenate(paras)]
    order = np.argsort(doc, kind="stable")
    counts_per_doc = np.bincount(doc, minlength=len(documents))
    offsets = np.concatenate(([0], np.cumsum(counts_per_doc)))
    return np.concatenate(hashes)[order], offsets


def containment(copy: Hashes, original: Hashes) -> tuple[int, int]:
    """Return (shared, union): the distinct shingles two documents have in common and in
    all. `copy` must be sorted and duplicate-free (`np.unique`); `original` may be any
    shingle array."""
    if not original.size:
        return 0, copy.size
    ordered = original
    if original.size > 1 and not bool(np.all(original[1:] > original[:-1])):
        ordered = np.sort(original)  # stored shingles are sorted and distinct already
    distinct = 1 + int(np.count_nonzero(ordered[1:] != ordered[:-1]))
    at = np.minimum(np.searchsorted(ordered, copy), ordered.size - 1)
    shared = int(np.count_nonzero(ordered[at] == copy))
    return shared, copy.size + distinct - shared


def containment_batch(copy: Hashes, originals: Sequence[Hashes]) -> list[tuple[int, int]]:
    """`containment(copy, original)` of each of `originals`, in one pass over all of
    them; `copy` and each original must be sorted and duplicate-free (as stored).

    Only the hashes whose top 16 bits some copy hash has (a table of 65,536 flags) are
    looked up in the copy: for an unrelated original, a few percent of them."""
    if not originals:
        return []
    sizes = [int(o.size) for o in originals]
    if not copy.size:
        return [(0, size) for size in sizes]
    flat = np.concatenate(originals)
    table = np.zeros(1 << 16, dtype=bool)
    table[(copy >> _U64(48)).astype(np.intp)] = True
    maybe = np.flatnonzero(table[(flat >> _U64(48)).astype(np.intp)])
    at = np.minimum(np.searchsorted(copy, flat[maybe]), copy.size - 1)
    found = maybe[copy[at] == flat[maybe]]
    owner = np.searchsorted(np.cumsum(sizes), found, side="right")
    shared = np.bincount(owner, minlength=len(originals)).tolist()
    return [(s, int(copy.size) + size - s) for s, size in zip(shared, sizes, strict=True)]


def band_keys(shingle_hashes: Hashes) -> list[int]:
    """Return the LSH bucket keys of a document's shingles: band number in the high 32
    bits, that band's MinHash value in the low 32 bits. Empty input gives no keys."""
    if not shingle_hashes.size:
        return []
    offsets = np.array([0, shingle_hashes.size], dtype=_U64)
    matrix = rensa.RMinHash.digest_matrix_from_flat_token_hashes(
        np.ascontiguousarray(shingle_hashes, dtype=_U64), offsets, NUM_PERM, SEED
    )
    digest: list[int] = matrix.to_rows()[0]
    return [(band << BAND_SHIFT) | value for band, value in enumerate(digest)]


def distinct_shingles(paragraphs: Iterable[str]) -> Hashes:
    """`shingles`, sorted and without duplicates (what `containment` wants as `copy`)."""
    return _sorted_distinct(shingles(paragraphs))


def band_key_batch(documents: Sequence[list[str]]) -> list[Keys]:
    """`band_keys` of many documents, shingled in one batch."""
    return [keys for keys, _ in sketch_batch(documents)]


def sketch_batch(documents: Sequence[list[str]]) -> list[tuple[Keys, bytes]]:
    """`band_keys` and `pack_shingles` of many documents, shingled in one batch."""
    hashes, offsets = shingle_batch(documents)
    out = []
    for n in range(len(documents)):
        own = hashes[offsets[n] : offsets[n + 1]]
        out.append((np.array(band_keys(own), dtype=np.int64), pack_shingles(own)))
    return out


def pack_shingles(hashes: Hashes) -> bytes:
    """A document's shingles as stored with it: distinct, sorted, little-endian u64,
    zlib-compressed (what `containment` needs of an original, read without its text)."""
    return zlib.compress(_sorted_distinct(hashes).astype("<u8").tobytes(), 1)


def unpack_shingles(blob: bytes) -> Hashes:
    """The shingles `pack_shingles` stored. Raises ValueError (zlib.error) when damaged."""
    data = zlib.decompress(blob)
    if len(data) % 8:
        raise ValueError("shingle data is not a whole number of 64-bit hashes")
    return np.frombuffer(data, dtype="<u8").astype(_U64)


Entries = npt.NDArray[np.int64]  # shape (n, 2): band key, version id; sorted by key
Fences = npt.NDArray[np.int64]  # the first key of each block of a run


def run_entries(pending: Sequence[tuple[int, Keys]]) -> Entries:
    """The index entries of (version id, band keys) pairs, sorted by key then version."""
    keys = np.concatenate([k for _, k in pending])
    vids = np.repeat(
        np.array([v for v, _ in pending], dtype=np.int64), [k.size for _, k in pending]
    )
    order = np.lexsort((vids, keys))
    return np.column_stack((keys[order], vids[order]))


def merge_entries(parts: Sequence[Entries]) -> Entries:
    """One key-sorted array of entries from several (each sorted, as stored runs are)."""
    if not parts:
        return np.zeros((0, 2), dtype=np.int64)
    entries = np.concatenate(parts)
    # A stable sort finds the sorted runs in its input: merging k runs costs n log k.
    return entries[np.argsort(entries[:, 0], kind="stable")]


def pack_blocks(entries: Entries, size: int) -> tuple[list[bytes], list[int]]:
    """Cut sorted entries into blocks of at most `size`, never across two bands, and
    pack each as (32-bit MinHash value, 32-bit version id) pairs: the band is the high
    half of the block's first key, kept (whole) in the returned fences. Raises
    OverflowError for a version id that needs more than 32 bits."""
    if len(entries) and int(entries[:, 1].max()) >= 1 << 32:
        raise OverflowError("version ids beyond 2**32 cannot be indexed")
    bands = entries[:, 0] >> BAND_SHIFT
    edges = np.flatnonzero(np.diff(bands)) + 1
    starts = [
        start
        for first, stop in zip([0, *edges.tolist()], [*edges.tolist(), len(entries)], strict=True)
        for start in range(first, stop, size)
    ]
    stops = [*starts[1:], len(entries)]
    packed = np.column_stack((entries[:, 0] & 0xFFFFFFFF, entries[:, 1])).astype("<u4")
    blocks = [packed[a:b].tobytes() for a, b in zip(starts, stops, strict=True)]
    return blocks, entries[starts, 0].tolist()


def unpack_blocks(blocks: Sequence[bytes], fences: Sequence[int] | Fences) -> Entries:
    """The entries of stored blocks, concatenated in the order given; `fences` holds the
    first key of each block (which gives its band)."""
    if not blocks:
        return np.zeros((0, 2), dtype=np.int64)
    pairs = np.frombuffer(b"".join(blocks), dtype="<u4").reshape(-1, 2).astype(np.int64)
    sizes = [len(block) // 8 for block in blocks]
    bands = np.repeat(np.asarray(fences, dtype=np.int64) >> BAND_SHIFT, sizes)
    pairs[:, 0] |= bands << BAND_SHIFT
    return pairs


def pack_fences(fences: Sequence[int]) -> bytes:
    return np.array(fences, dtype=np.int64).tobytes()


def unpack_fences(data: bytes) -> Fences:
    return np.frombuffer(data, dtype=np.int64)


def blocks_holding(fences: Fences, keys: Keys) -> npt.NDArray[np.int64]:
    """The numbers of the blocks of a run (given its fences, the first key of each block)
    that can hold an entry with one of `keys`; sorted, without repeats."""
    first = np.maximum(np.searchsorted(fences, keys, side="left") - 1, 0)
    last = np.maximum(np.searchsorted(fences, keys, side="right") - 1, 0)
    if np.array_equal(first, last):  # as a rule: no key's entries span two blocks
        return _sorted_distinct(first)
    spans = last - first + 1
    within = np.arange(int(spans.sum())) - np.repeat(np.cumsum(spans) - spans, spans)
    return _sorted_distinct(np.repeat(first, spans) + within)


def first_block_at(fences: Fences, key: int) -> int:
    """The number of the first block of a run whose keys are all >= `key`."""
    return int(np.searchsorted(fences, key, side="left"))


def top_hits(entries: Entries, keys: Keys, limit: int) -> list[tuple[int, int]]:
    """(version id, number of `keys` it has) for the `limit` versions with most of them,
    most first, ties by version id."""
    if not keys.size:
        return []
    # `keys` is sorted and unique: membership by binary search, no sorting of entries.
    at = np.minimum(np.searchsorted(keys, entries[:, 0]), keys.size - 1)
    return _most_common(entries[keys[at] == entries[:, 0], 1], limit)


def block_hits(
    blocks: Sequence[bytes], fences: Sequence[int] | Fences, keys: Keys, limit: int
) -> list[tuple[int, int]]:
    """`top_hits(unpack_blocks(blocks, fences), keys, limit)`, without unpacking the
    blocks when `keys` hold one key per band at most (as a document's band keys do): a
    block holds one band, so what counts in it is only the entries whose (32-bit) value
    is that band's key's, one comparison per entry on the packed pairs."""
    if not blocks or not keys.size:
        return []
    key_bands = keys >> BAND_SHIFT
    if bool(np.any(key_bands[1:] == key_bands[:-1])):  # `keys` is sorted
        return top_hits(unpack_blocks(blocks, fences), keys, limit)
    pairs = np.frombuffer(b"".join(blocks), dtype="<u4").reshape(-1, 2)
    sizes = np.fromiter(map(len, blocks), dtype=np.int64, count=len(blocks)) // 8
    block_bands = np.asarray(fences, dtype=np.int64) >> BAND_SHIFT
    at = np.minimum(np.searchsorted(key_bands, block_bands), keys.size - 1)
    values = (keys[at] & 0xFFFFFFFF).astype("<u4")
    hit = pairs[:, 0] == np.repeat(values, sizes)
    has_key = key_bands[at] == block_bands
    if not bool(has_key.all()):
        hit &= np.repeat(has_key, sizes)
    # (A column of the hits, not pairs[hit, 1]: numpy is ~20x slower at that.)
    return _most_common(pairs[:, 1][hit].astype(np.int64), limit)


def _most_common(vids: npt.NDArray[np.int64], limit: int) -> list[tuple[int, int]]:
    """(version id, occurrences) of the `limit` most frequent, most first, ties by id."""
    if not vids.size:
        return []
    found = _sorted_distinct(vids)
    counts = np.diff(np.searchsorted(np.sort(vids), found, side="right"), prepend=0)
    order = np.lexsort((found, -counts))[:limit]
    return list(zip(found[order].tolist(), counts[order].tolist(), strict=True))


def blocks_to_read(runs: Sequence[tuple[int, Fences]], keys: Keys) -> tuple[list[int], Fences]:
    """The blocks of every run (given as (id of its block 0, fences)) that can hold an
    entry with one of `keys`: their ids, and the first key of each."""
    ids, firsts = [], []
    for base, fences in runs:
        numbers = blocks_holding(fences, keys)
        ids.append(base + numbers)
        firsts.append(fences[numbers])
    if not ids:
        return [], np.zeros(0, dtype=np.int64)
    return np.concatenate(ids).tolist(), np.concatenate(firsts)


def key_array(keys: Sequence[int]) -> Keys:
    return _sorted_distinct(np.array(keys, dtype=np.int64))


# ------------------------------------------------------------------ the scan prefilter


def np_empty() -> Hashes:
    return np.zeros(0, dtype=_U64)


def sample_shingles(hashes: Hashes, every: int) -> Hashes:
    """The hashes divisible by `every` (a power of two): the same shingles are kept in
    every document, so a copy and its original keep the ones they share."""
    if every <= 1:
        return hashes
    kept: Hashes = hashes[(hashes & _U64(every - 1)) == 0]
    return kept


def merge_shingles(parts: Sequence[Hashes]) -> Hashes:
    """One sorted array of the distinct hashes of `parts`."""
    return _sorted_distinct(np.concatenate(parts)) if parts else np_empty()


def distinct(hashes: Hashes) -> Hashes:
    """`hashes` sorted, without repeats."""
    return _sorted_distinct(hashes)


def count_shared(sorted_hashes: Hashes, hashes: Hashes) -> int:
    """How many distinct values of `hashes` occur in `sorted_hashes` (sorted, unique)."""
    wanted = _sorted_distinct(hashes)
    if not sorted_hashes.size or not wanted.size:
        return 0
    at = np.minimum(np.searchsorted(sorted_hashes, wanted), sorted_hashes.size - 1)
    return int(np.count_nonzero(sorted_hashes[at] == wanted))


def save_hashes(path: str, hashes: Hashes) -> None:
    """Write `hashes` as a .npy file (raises OSError)."""
    with open(path, "wb") as fh:
        np.save(fh, np.ascontiguousarray(hashes, dtype=_U64), allow_pickle=False)


def load_hashes(path: str) -> Hashes:
    """Map a file written by `save_hashes` read-only (processes on one machine share its
    pages). Raises OSError or ValueError for a missing or malformed file."""
    loaded: Hashes = np.load(path, mmap_mode="r", allow_pickle=False)
    if loaded.dtype != _U64 or loaded.ndim != 1:
        raise ValueError(f"{path}: not a shingle filter")
    return loaded

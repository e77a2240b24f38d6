"""The heaviest chain: a weighted longest subsequence increasing on both sides."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import groupby
from typing import TypeVar

__all__ = ["heaviest_chain"]

T = TypeVar("T")


def heaviest_chain(
    items: Sequence[T],
    copy_position: Callable[[T], int],
    original_rank: Callable[[T], int],
    weight: Callable[[T], float],
) -> list[T]:
    """The heaviest subsequence of `items` strictly increasing in copy position and in
    original rank (ranks are 0-based integers). `items` must be sorted by copy position;
    ties go to the earliest item. O(n log n) with a Fenwick tree of running maxima."""
    if not items:
        return []
    size = max(original_rank(item) for item in items) + 2
    tree: list[tuple[float, int]] = [(0.0, -1)] * size
    best = [0.0] * len(items)
    previous = [-1] * len(items)
    for _, group in groupby(range(len(items)), key=lambda k: copy_position(items[k])):
        ids = list(group)
        for k in ids:  # items of one copy position never chain with each other
            value, before = _prefix_max(tree, original_rank(items[k]))
            best[k], previous[k] = value + weight(items[k]), before
        for k in ids:
            _raise_to(tree, original_rank(items[k]) + 1, (best[k], k))
    k = max(range(len(items)), key=lambda i: (best[i], -i))
    chain: list[T] = []
    while k >= 0:
        chain.append(items[k])
        k = previous[k]
    return chain[::-1]


def _prefix_max(tree: list[tuple[float, int]], n: int) -> tuple[float, int]:
    """Best (value, item id) over Fenwick positions 1..n."""
    best = (0.0, -1)
    while n > 0:
        if tree[n][0] > best[0]:
            best = tree[n]
        n -= n & -n
    return best


def _raise_to(tree: list[tuple[float, int]], n: int, item: tuple[float, int]) -> None:
    while n < len(tree):
        if item[0] > tree[n][0]:
            tree[n] = item
        n += n & -n

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
    ranks = [original_rank(item) + 1 for item in items]  # Fenwick positions are 1-based
    weights = [weight(item) for item in items]
    size = max(ranks) + 1
    tree: list[tuple[float, int]] = [(0.0, -1)] * size
    best = [0.0] * len(items)
    previous = [-1] * len(items)
    start = 0
    for _, group in groupby(map(copy_position, items)):
        end = start + sum(1 for _ in group)
        for k in range(start, end):  # items of one copy position never chain with each other
            best[k], previous[k] = _best_before(tree, ranks[k] - 1, weights[k])
        for k in range(start, end):
            _raise_to(tree, ranks[k], (best[k], k))
        start = end
    k = max(range(len(items)), key=lambda i: (best[i], -i))
    chain: list[T] = []
    while k >= 0:
        chain.append(items[k])
        k = previous[k]
    return chain[::-1]


def _best_before(tree: list[tuple[float, int]], n: int, weight: float) -> tuple[float, int]:
    """(weight + the best value over Fenwick positions 1..n, the item id holding it)."""
    value, before = 0.0, -1
    while n > 0:
        if tree[n][0] > value:
            value, before = tree[n]
        n -= n & -n
    return value + weight, before


def _raise_to(tree: list[tuple[float, int]], n: int, item: tuple[float, int]) -> None:
    size = len(tree)
    while n < size:
        if item[0] > tree[n][0]:
            tree[n] = item
        n += n & -n

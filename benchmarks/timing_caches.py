"""Emptying the package's memo caches between timed runs (shared by the benchmarks)."""

from __future__ import annotations

import sys


def forget_texts() -> None:
    """Empty the `provenance` package's memo caches of texts (sized `lru_cache`s), keeping
    the data files and patterns a process loads once (`@cache`): the next run meets its
    texts for the first time, as the check of a new item does."""
    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith("provenance"):
            for value in vars(module).values():
                parameters = getattr(value, "cache_parameters", None)
                if parameters is not None and parameters()["maxsize"] is not None:
                    value.cache_clear()

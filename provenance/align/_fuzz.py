"""The only import of rapidfuzz: the align package's string metrics."""

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

__all__ = ["Indel", "fuzz", "process"]

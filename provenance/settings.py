"""One frozen Settings object with documented defaults, passed explicitly to each stage."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "provenance"


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "provenance"


DEFAULT_ARCHIVE = _default_data_dir() / "archive.sqlite"
DEFAULT_STATE = _default_data_dir() / "audit-state.sqlite"
DEFAULT_CACHE_DIR = _default_cache_dir() / "http"
DEFAULT_WAYBACK_URL = "https://archive.org/wayback/available"
DEFAULT_USER_AGENT = "provenance/0.1 (+https://pypi.org/project/provenance/; syndication checker)"
# `provenance audit`: worker processes, and the seconds one item may take
DEFAULT_AUDIT_WORKERS = 2
DEFAULT_ITEM_TIMEOUT = 60.0
# `provenance scan`: engines, and the word 5-shingles a page must share with the archive to
# be checked: a copy keeping even one paragraph of an original shares dozens; a page
# sharing two is coincidence.
SCAN_ENGINES = ("local", "spark")
DEFAULT_MIN_SHARED = 3


@dataclass(frozen=True)
class Settings:
    """Every knob of the pipeline.

    Alignment thresholds are similarities in [0, 1] (rapidfuzz ratio / 100); their
    justification is in `benchmarks/README.md` (measured on the synthetic cases).
    """

    # load
    max_input_bytes: int = 50_000_000
    max_paragraph_chars: int = 20_000
    max_paragraphs: int = 5_000

    # align
    verbatim_threshold: float = 0.97
    edited_threshold: float = 0.70
    rewritten_threshold: float = 0.40
    time_budget_seconds: float = 2.0

    # score
    faithful_min_fidelity: float = 0.95
    faithful_max_additions: float = 0.10
    trimmed_min_coverage: float = 0.97
    # A copy derived from the original keeps derived_min_runs of its words in runs of three
    # or more words of the original (quotes, names and numbers aside), or follows
    # paraphrase_min_ordered of them sentence by sentence in the original's order, or
    # reproduces paraphrase_min_share of the original's content-word bigrams in order;
    # otherwise it is unrelated (docs/thresholds.md has the figures behind each value).
    derived_min_runs: float = 0.2
    paraphrase_min_ordered: float = 0.35
    paraphrase_min_share: float = 0.09
    # A copy keeping literal_min_runs of its words in runs of five or more words of the
    # original is never `rewritten`: it keeps the original's wording.
    literal_min_runs: float = 0.5
    # A copy in another language is a translation of the original when this share of the
    # paragraphs holding names and numbers (on the shorter side) correspond in order.
    translation_min_share: float = 0.5
    # A derived copy that keeps less of the original than this, not word for word, is a
    # rewrite of it.
    unrelated_max_coverage: float = 0.15
    # Matched text this far from the original's wording is rewritten, not edited.
    rewritten_max_fidelity: float = 0.75

    # locate / fetch
    offline: bool = False
    archive_path: Path = DEFAULT_ARCHIVE
    cache_dir: Path | None = DEFAULT_CACHE_DIR
    # The HTTP cache's bodies never total more than this; the oldest entries go first.
    max_cache_bytes: int = 200_000_000
    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_timeout: float = 30.0
    max_body_bytes: int = 20_000_000
    max_redirects: int = 5
    max_retries: int = 3
    per_host_delay: float = 1.0
    obey_robots: bool = True
    wayback_url: str = DEFAULT_WAYBACK_URL
    discovery_window_days: int = 3
    discovery_min_title_overlap: float = 0.5
    # archive: share of a copy's word 5-shingles an archived original must contain to be
    # reported by Archive.search (benchmarks/README.md, archive section).
    archive_min_containment: float = 0.2
    # archive: share of a copy's anchors (names, numbers) an original in another language
    # must hold to be a candidate for the original of a translation (Archive.search_translated;
    # the translation alignment then decides).
    archive_min_anchor_share: float = 0.2
    # Test-only: route a hostname to a loopback address (like curl --resolve).
    resolve_overrides: tuple[tuple[str, str], ...] = field(default=())

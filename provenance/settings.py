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
    unrelated_max_coverage: float = 0.15
    # Below unrelated_max_coverage, a copy that reproduces this share of the original's
    # content-word bigrams in order is a paraphrase (rewritten), not an independent report.
    paraphrase_min_share: float = 0.09
    # ... or that follows this share of the original's paragraphs one for one, in order.
    paraphrase_min_correspondence: float = 0.4
    # Matched text this far from the original's wording is rewritten, not edited.
    rewritten_max_fidelity: float = 0.75

    # locate / fetch
    offline: bool = False
    archive_path: Path = DEFAULT_ARCHIVE
    cache_dir: Path | None = DEFAULT_CACHE_DIR
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
    # Test-only: route a hostname to a loopback address (like curl --resolve).
    resolve_overrides: tuple[tuple[str, str], ...] = field(default=())

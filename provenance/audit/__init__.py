"""Many items at once: the audit.

sources  SOURCE strings -> items (WordPress sites, feeds, sitemaps, files, JSON Lines)
policy   the TOML policy and the rules it applies to one report
state    the SQLite state file that lets a rerun check only new or changed items
workers  worker processes with a per-item time budget
run      `run_audit`: the above put together, returning an `AuditResult`
"""

from ..settings import DEFAULT_ITEM_TIMEOUT
from .run import (
    DEFAULT_WORKERS,
    AuditOptions,
    AuditRecord,
    AuditResult,
    baseline_of,
    load_baseline,
    run_audit,
    summarise,
)

__all__ = [
    "DEFAULT_ITEM_TIMEOUT",
    "DEFAULT_WORKERS",
    "AuditOptions",
    "AuditRecord",
    "AuditResult",
    "baseline_of",
    "load_baseline",
    "run_audit",
    "summarise",
]

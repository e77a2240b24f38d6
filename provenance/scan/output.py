"""What `scan` writes into its output folder: the only pyarrow import.

    findings.jsonl    one line per copy found: the `check` report JSON, plus
                      `warc: {file, offset, date[, post]}` and `lag_hours`; sorted by copy
                      URL, then WARC file offset, file and post
    findings.parquet  the same rows flattened (see `FINDING_COLUMNS`)
    errors.jsonl      one line per record that could not be read or checked
    summary.json      counts, and per copying domain: copies, verdicts, credit, medians
    summary.md        the summary for people: "who republishes us"

Every file depends only on the outcomes, never on the order they arrived in, so the same
input gives the same bytes whatever the engine or the number of executors.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ..report.serialize import dumps
from .record import COUNTERS, Outcome, site_of

FINDING_COLUMNS: tuple[tuple[str, Any], ...] = (
    ("copy_url", pa.string()),
    ("copy_domain", pa.string()),
    ("origin", pa.string()),
    ("original_url", pa.string()),
    ("verdict", pa.string()),
    ("credit", pa.string()),
    ("coverage", pa.float64()),
    ("derived", pa.float64()),
    ("fidelity", pa.float64()),
    ("additions", pa.float64()),
    ("findings", pa.list_(pa.string())),
    ("lag_hours", pa.float64()),
    ("warc_file", pa.string()),
    ("warc_offset", pa.int64()),
)


def sorted_findings(lines: Iterable[str]) -> list[dict[str, Any]]:
    """The findings of JSON `lines`, parsed, in the output order."""
    return sorted((json.loads(line) for line in lines), key=_finding_key)


def _finding_key(finding: Mapping[str, Any]) -> tuple[str, int, str, int]:
    warc = finding["warc"]
    return (finding["copy"]["url"] or "", warc["offset"], warc["file"], warc.get("post", 0))


def finding_row(finding: Mapping[str, Any]) -> dict[str, Any]:
    """One finding flattened to the columns of findings.parquet."""
    scores = finding.get("scores") or {}
    original = finding.get("original") or {}
    copy_url = finding["copy"]["url"]
    derived = scores.get("derived")
    return {
        "copy_url": copy_url,
        "copy_domain": site_of(copy_url) if copy_url else None,
        "origin": (finding.get("origin") or {}).get("domain"),
        "original_url": original.get("url"),
        "verdict": finding["verdict"],
        "credit": finding["credit"],
        "coverage": scores.get("coverage"),
        "derived": float(derived) if isinstance(derived, int | float) else None,
        "fidelity": scores.get("fidelity"),
        "additions": scores.get("additions"),
        "findings": [f["code"] for f in finding.get("findings") or []],
        "lag_hours": finding.get("lag_hours"),
        "warc_file": finding["warc"]["file"],
        "warc_offset": finding["warc"]["offset"],
    }


def write_outputs(
    out: Path, outcomes: Sequence[Outcome], counts: Mapping[str, int]
) -> dict[str, Any]:
    """Write every output file into `out` (created if missing); returns the summary.
    Raises OSError when the folder cannot be written."""
    out.mkdir(parents=True, exist_ok=True)
    findings = sorted_findings(line for o in outcomes if o.kind == "copy" for line in o.lines)
    rows = [finding_row(f) for f in findings]
    errors = sorted(
        ({"file": o.file, "offset": o.offset, "url": o.url, "reason": o.reason}
         for o in outcomes if o.kind == "error"),
        key=lambda e: (e["file"], e["offset"], e["reason"] or ""),
    )  # fmt: skip
    _write_lines(out / "findings.jsonl", (dumps(f, indent=None) for f in findings))
    _write_lines(out / "errors.jsonl", (dumps(e, indent=None) for e in errors))
    _write_parquet(out / "findings.parquet", rows)
    summary = summarise(rows, counts)
    (out / "summary.json").write_text(dumps(summary) + "\n", encoding="utf-8")
    (out / "summary.md").write_text(summary_markdown(summary), encoding="utf-8")
    return summary


def _write_lines(path: Path, lines: Iterable[str]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for line in lines:
            fh.write(line + "\n")


def _write_parquet(path: Path, rows: list[dict[str, Any]]) -> None:
    schema = pa.schema(list(FINDING_COLUMNS))
    table = pa.Table.from_pylist(rows, schema=schema)
    pq.write_table(table, path, compression="zstd")


def summarise(rows: Sequence[Mapping[str, Any]], counts: Mapping[str, int]) -> dict[str, Any]:
    """Totals, and per copying domain (most copies first): copies, verdict and credit
    counts, median coverage and median lag in hours (None when no copy has one)."""
    by_domain: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        by_domain[row["copy_domain"] or "unknown"].append(row)
    domains = [_domain_summary(name, found) for name, found in by_domain.items()]
    domains.sort(key=lambda d: (-d["copies"], d["domain"]))
    totals = {name: int(counts.get(name, 0)) for name in COUNTERS}
    totals["findings"] = len(rows)
    return {"totals": totals, "domains": domains}


def _domain_summary(name: str, rows: list[Mapping[str, Any]]) -> dict[str, Any]:
    coverage = [r["coverage"] for r in rows if r["coverage"] is not None]
    lags = [r["lag_hours"] for r in rows if r["lag_hours"] is not None]
    return {
        "domain": name,
        "copies": len(rows),
        "verdicts": dict(sorted(Counter(r["verdict"] for r in rows).items())),
        "credit": dict(sorted(Counter(r["credit"] for r in rows).items())),
        "origins": dict(sorted(Counter(r["origin"] or "unknown" for r in rows).items())),
        "median_coverage": round(statistics.median(coverage), 3) if coverage else None,
        "median_lag_hours": round(statistics.median(lags), 1) if lags else None,
    }


def summary_markdown(summary: Mapping[str, Any]) -> str:
    """The summary as a Markdown page."""
    totals = summary["totals"]
    lines = [
        "# Who republishes us",
        "",
        ", ".join(f"{k}: {v}" for k, v in totals.items()),
        "",
        "| copying domain | copies | verdicts | credit | median coverage | median lag (h) |",
        "|---|---:|---|---|---:|---:|",
    ]
    for d in summary["domains"]:
        cells = (
            _cell(d["domain"]),
            str(d["copies"]),
            _counts(d["verdicts"]),
            _counts(d["credit"]),
            _number(d["median_coverage"]),
            _number(d["median_lag_hours"]),
        )
        lines.append("| " + " | ".join(cells) + " |")
    if not summary["domains"]:
        lines.append("| (no copy found) | 0 | | | | |")
    return "\n".join(lines) + "\n"


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items())


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")

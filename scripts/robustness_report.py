"""Write docs/robustness.md: what hostile input, fuzzing, faults, SSRF, XSS and kills were
tried, and how many failed. Everything is measured by running it (a few minutes):

    .venv/bin/python scripts/robustness_report.py            # all, kills included
    .venv/bin/python scripts/robustness_report.py --no-kills --no-big

Fuzz executions come from fuzz/results.json (written by `fuzz/run.py`, which takes ~40
minutes and is not rerun here).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
OUT = REPO / "docs" / "robustness.md"
_SUMMARY_RE = re.compile(r"(\d+) (passed|failed|error|errors|skipped|deselected)")


def _pytest(*args: str, env: dict[str, str] | None = None) -> tuple[dict[str, int], str]:
    proc = subprocess.run(
        [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    last = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    counts = {kind.rstrip("s"): int(n) for n, kind in _SUMMARY_RE.findall(last)}
    return counts, proc.stdout


def _collected(path: str) -> int:
    proc = subprocess.run(
        [PYTHON, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", path],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    return sum(1 for line in proc.stdout.splitlines() if "::" in line)


def _hostile(big: bool) -> list[dict[str, Any]]:
    sys.path.insert(0, str(REPO / "tests"))
    from hostile import CASES, problems, run_case

    from provenance.audit.workers import WorkerPool

    rows = []
    for case in CASES:
        if case.big and not big:
            continue
        [result] = list(WorkerPool(run_case, workers=1, timeout=90).run([(case.name, case.name)]))
        if result.error:
            rows.append({"name": case.name, "outcome": "worker: " + result.error, "failures": 1})
            continue
        out = result.value
        found = problems(case, out)
        outcome = (
            f"error: {out.error.split(': ', 1)[-1][:70]}"
            if out.kind == "error"
            else f"{out.reports} report(s)"
        )
        rows.append(
            {
                "name": case.name,
                "outcome": outcome,
                "seconds": out.seconds,
                "rss_mb": out.rss_growth_mb,
                "failures": len(found),
                "problems": found,
            }
        )
        print(f"hostile {case.name}: {outcome} {found}", file=sys.stderr)
    return rows


def _xss_payloads() -> int:
    sys.path.insert(0, str(REPO / "tests"))
    source = (REPO / "tests" / "test_report_html.py").read_text()
    start = source.index("XSS_PAYLOADS = [")
    namespace: dict[str, Any] = {}
    end = source.index("\n]\n", start) + 3
    exec(source[start:end], namespace)  # the literal list only
    return len(namespace["XSS_PAYLOADS"])


def _kills() -> tuple[int, int, int]:
    """(kills that hit a running process, kill points tried, failures) from a real run."""
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / "kills.jsonl"
        env = {**os.environ, "PROVENANCE_KILL_RESULTS": str(results)}
        counts, _ = _pytest("tests/test_kills.py", env=env)
        entries = (
            [json.loads(line) for line in results.read_text().splitlines()]
            if results.exists()
            else []
        )
    hit = sum(1 for e in entries if e["killed"])
    failures = (
        counts.get("failed", 0)
        + counts.get("error", 0)
        + sum(e["integrity"] != "ok" for e in entries)
    )
    return hit, len(entries), failures


def _budget() -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Peak RSS of each budget case from a real run of tests/test_budget.py."""
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / "budget.jsonl"
        env = {**os.environ, "PROVENANCE_BUDGET_RESULTS": str(results)}
        counts, _ = _pytest("tests/test_budget.py", env=env)
        entries = (
            [json.loads(line) for line in results.read_text().splitlines()]
            if results.exists()
            else []
        )
    return entries, counts


def _bounds() -> list[tuple[str, str, str]]:
    """(what is bounded, the bound, where a cut is named) from the code's own constants."""
    sys.path.insert(0, str(REPO))
    from provenance.audit import sources
    from provenance.load import feeds
    from provenance.load.item import MAX_ITEMS
    from provenance.settings import Settings

    s = Settings()
    mb = 1_000_000
    return [
        ("a file, stdin, a case's copy or original, a JSONL line", f"{s.max_input_bytes // mb} MB",
         "InputError / error item: larger than N bytes"),
        ("a fetched body (decompressed while streaming)", f"{s.max_body_bytes // mb} MB",
         "FetchTooLarge"),
        ("one fetch, every hop and retry (at each socket read/write)",
         f"{s.total_timeout:g} s (or 3 x --fetch-timeout)", "FetchTimeout: total deadline"),
        ("a WARC record body (decoded)", f"{s.max_input_bytes // mb} MB",
         "skipped line: FILE@OFFSET: body larger than N bytes"),
        ("a sitemap file (decompressed)", f"{feeds.DEFAULT_MAX_SITEMAP_BYTES // 2**20} MiB",
         "error item: sitemap is larger"),
        ("entries of a feed", f"{MAX_ITEMS}", "error item KEY#rest (MAX_ITEMS)"),
        ("a feed's own elements copied into each entry",
         f"{feeds.MAX_FEED_HEAD_BYTES // 1024} KiB", "not content: left out of the entry"),
        ("posts of a JSON list, lines of a JSONL file, posts of a walk",
         f"{sources.MAX_SOURCE_ITEMS:,}", "error item KEY#rest (MAX_SOURCE_ITEMS)"),
        ("requests of one WordPress posts walk", f"{sources.MAX_API_PAGES:,}",
         "error item KEY#rest (MAX_API_PAGES)"),
        ("a page that times out or fails 5xx", f"retried, then halved to {sources.MIN_PER_PAGE}",
         "error item naming the post range"),
        ("sitemaps fetched for one source (each once, 3 levels)", f"{sources.MAX_SITEMAPS:,}",
         "error item KEY#rest (MAX_SITEMAPS)"),
        ("pages listed by a source's sitemaps", f"{sources.MAX_SITEMAP_PAGES:,}",
         "error item KEY#rest (MAX_SITEMAP_PAGES)"),
        ("the HTTP cache's bodies", f"{s.max_cache_bytes // mb} MB, oldest out",
         "not content: unreusable or over a quarter, not stored"),
        ("one audited item (in a worker process)", "--timeout, 60 s",
         "error item: timed out after N s"),
        ("paragraphs / characters per paragraph",
         f"{s.max_paragraphs:,} / {s.max_paragraph_chars:,}", "report note"),
    ]  # fmt: skip


def _row(what: str, count: str, failures: int, how: str) -> str:
    return f"| {what} | {count} | {failures} | {how} |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-kills", action="store_true", help="skip the kill scenarios")
    parser.add_argument("--no-big", action="store_true", help="skip the hostile cases over 10 MB")
    args = parser.parse_args()
    started = time.time()
    hostile = _hostile(big=not args.no_big)
    fuzz = json.loads((REPO / "fuzz" / "results.json").read_text())
    ssrf_counts, _ = _pytest("tests/test_ssrf.py")
    faults_counts, _ = _pytest("tests/test_fetch_faults.py")
    xss_counts, _ = _pytest("tests/test_report_html.py")
    text_counts, _ = _pytest("tests/test_report_text.py")
    worker_counts, _ = _pytest("tests/test_workers.py")
    kills = _kills() if not args.no_kills else None
    trust_counts, _ = _pytest("tests/test_trust.py")
    budget, budget_counts = _budget()

    def failed(counts: dict[str, int]) -> int:
        return counts.get("failed", 0) + counts.get("error", 0)

    rows = [
        _row(
            "hostile inputs (tests/hostile.py) checked end to end",
            str(len(hostile)),
            sum(r["failures"] for r in hostile),
            "report or one-line InputError, cut content noted",
        ),
        _row(
            "fuzz executions (fuzz/run.py, atheris)",
            f"{fuzz['total_executions']:,} over {len(fuzz['harnesses'])} harnesses",
            fuzz["total_failures"],
            "only the InputError family may escape; 10 s per-input deadline",
        ),
        _row(
            "network fault behaviours (tests/test_fetch_faults.py)",
            str(_collected("tests/test_fetch_faults.py")),
            failed(faults_counts),
            "loopback server: resets, stalls, bombs, bad framing",
        ),
        _row(
            "SSRF targets and tricks refused (tests/test_ssrf.py)",
            str(_collected("tests/test_ssrf.py")),
            failed(ssrf_counts),
            "internal addresses, redirects, DNS tricks",
        ),
        _row(
            "XSS payloads blocked in Chromium (tests/test_report_html.py)",
            str(_xss_payloads()),
            failed(xss_counts),
            "every text field of the HTML report",
        ),
        _row(
            "terminal/markdown neutralisation tests (tests/test_report_text.py)",
            str(_collected("tests/test_report_text.py")),
            failed(text_counts),
            "escape sequences, markdown injection",
        ),
        _row(
            "worker crash/hang isolation tests (tests/test_workers.py)",
            str(_collected("tests/test_workers.py")),
            failed(worker_counts),
            "SIGSEGV, exit, hang, raise in a worker",
        ),
        _row(
            "trust boundaries and CLI isolation (tests/test_trust.py)",
            str(_collected("tests/test_trust.py")),
            failed(trust_counts),
            "paths named by content, keys, deep JSON, unwritable outputs, bad numbers",
        ),
        _row(
            "resource budget cases (tests/test_budget.py)",
            str(_collected("tests/test_budget.py")),
            failed(budget_counts),
            "peak RSS via wait4 under RLIMIT_AS; walks counted in requests",
        ),
    ]
    if kills is not None:
        hit, tried, kill_failures = kills
        rows.append(
            _row(
                "SIGKILLs survived (tests/test_kills.py)",
                f"{hit} (points the run outlived, redrawn: {tried - hit})",
                kill_failures,
                "20 during an archive import, 20 during an audit, each on a fresh "
                "database; integrity_check, then a rerun holds each item once; no worker "
                "outlives the killed process (5 s); SIGTERM/SIGINT stop an audit cleanly",
            )
        )
    lines = [
        "# Robustness",
        "",
        "Generated by `scripts/robustness_report.py` on "
        f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC "
        f"({time.time() - started:.0f} s); do not edit by hand.",
        "",
        "| what was tried | how many | failures | how |",
        "|---|---|---|---|",
        *rows,
        "",
        "## Budget",
        "",
        "No input of at most 10 MB (a file, a WARC, a feed, a sitemap set, a posts endpoint)",
        "takes the process past 1 GB RSS or 60 s. Every bound below is named where it cuts.",
        "",
        "| what | bound | a cut is named in |",
        "|---|---|---|",
        *(f"| {what} | {bound} | {where} |" for what, bound, where in _bounds()),
        "",
        "Peak RSS of the processes (the command and its workers) in tests/test_budget.py:",
        "",
        "| case | exit | peak RSS (MB) | budget (MB) |",
        "|---|---|---|---|",
        *(f"| {b['case']} | {b['exit']} | {b['peak_mb']} | 1024 |" for b in budget),
        "",
        "## Hostile inputs",
        "",
        "Time and peak RSS growth of the check alone (load to rendered report), "
        "each case in a fresh worker process.",
        "",
        "| case | outcome | seconds | RSS growth (MB) | problems |",
        "|---|---|---|---|---|",
    ]
    for r in hostile:
        seconds = f"{r['seconds']:.2f}" if "seconds" in r else "-"
        rss = f"{r['rss_mb']:.0f}" if "rss_mb" in r else "-"
        found = "; ".join(r.get("problems", [])) or "none"
        outcome = r["outcome"].replace("|", "/")
        lines.append(f"| {r['name']} | {outcome} | {seconds} | {rss} | {found} |")
    lines += [
        "",
        "## Fuzz harnesses",
        "",
        "| harness | executions | stopped by | failures |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {h['harness']} | {h['executions']:,} | {h['stopped_by']} | {h['failures']} |"
        for h in fuzz["harnesses"]
    ]
    OUT.write_text("\n".join(lines) + "\n")
    print(f"wrote {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

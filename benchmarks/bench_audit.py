"""Audit benchmark: throughput of an offline `run_audit` against a one-at-a-time loop.

    .venv/bin/python benchmarks/bench_audit.py --copies 300 --archive-size 2000

Everything is on disk in a temporary directory: an archive holding the originals of
cases/ and `--archive-size` real corpus articles (shared/corpus/allsides_abp), and a
directory of `--copies` copies made from those corpus articles (the last paragraph
dropped, a credit line added, every third copy with one paragraph reworded). Each copy
is a plain text file with no URL, so the audit finds its original through the archive.

Measured in the same run, on the same files: `run_audit` (no state file, default policy)
with 1 and with `--workers` worker processes, and the baseline: a loop in this process
that loads each copy, runs `check_document` against the archive and applies the policy.
Prints a markdown table and writes benchmarks/results/audit.json.

With --baseline REF, `provenance audit COPIES --json --html --state` runs as a command
(`--workers` workers) twice, a first run that checks every item and a rerun that reuses
every one, for this tree and, in the same run on the same files, for the `provenance`
package of git revision REF (exported to a temporary folder): wall time of each, and the
peak RSS of the main process (`ru_maxrss` of that process alone, the workers excluded),
and the digests of the rerun's JSON and HTML (`same_outputs`: byte for byte the same).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from provenance.archive import Archive  # noqa: E402
from provenance.audit import AuditOptions, run_audit  # noqa: E402
from provenance.audit.policy import evaluate_policy, load_policy  # noqa: E402
from provenance.load import load_documents  # noqa: E402
from provenance.pipeline import check_document  # noqa: E402
from provenance.settings import Settings  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "allsides_abp"
CASES = REPO / "cases"
RESULTS = REPO / "benchmarks" / "results" / "audit.json"
SEED = 20250612


def corpus_articles(limit: int, rng: random.Random) -> list[tuple[str, str, list[str]]]:
    """(url, title, paragraphs) of `limit` corpus articles with at least four paragraphs."""
    rows = list(csv.DictReader((CORPUS / "metadata.tsv").open(encoding="utf-8"), delimiter="\t"))
    rng.shuffle(rows)
    out = []
    for row in rows:
        text = (CORPUS / row["path"]).read_text(encoding="utf-8", errors="replace")
        title, _, body = text.partition("\n")
        paragraphs = [p.strip() for p in body.split("\n\n") if len(p.split()) >= 8]
        if len(paragraphs) >= 4 and row["url"].startswith("http"):
            out.append((row["url"], title.strip(), paragraphs))
        if len(out) == limit:
            break
    return out


def build_archive(
    path: Path, articles: list[tuple[str, str, list[str]]], settings: Settings
) -> float:
    started = time.perf_counter()
    originals = [p for case in sorted(CASES.glob("*/case.json")) for p in _case_original(case)]
    with Archive.open(path, settings=settings) as archive:
        archive.import_paths(originals, settings)
        for url, title, paragraphs in articles:
            text = title + "\n\n" + "\n\n".join(paragraphs) + "\n"
            [doc] = load_documents(
                text.encode(), source=url, settings=settings, content_type="text/plain", url=url
            )
            archive.add_document(doc)
    return time.perf_counter() - started


def _case_original(case_json: Path) -> list[Path]:
    original = json.loads(case_json.read_text(encoding="utf-8")).get("original")
    return [case_json.parent / original] if original else []


def write_copies(folder: Path, articles: list[tuple[str, str, list[str]]]) -> list[Path]:
    folder.mkdir(parents=True)
    paths = []
    for n, (url, title, paragraphs) in enumerate(articles):
        kept = list(paragraphs[:-1])
        if n % 3 == 0:
            words = kept[1].split()
            kept[1] = " ".join(words[: len(words) // 2]) + " and more, officials said."
        domain = url.split("/")[2].removeprefix("www.")
        body = "\n\n".join([title, *kept, f"This article originally appeared on {domain}."])
        path = folder / f"copy-{n:04d}.txt"
        path.write_text(body + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def time_audit(folder: Path, settings: Settings, workers: int) -> tuple[float, dict[str, Any]]:
    options = AuditOptions(policy=load_policy(), state_path=None, workers=workers, item_timeout=120)
    started = time.perf_counter()
    result = run_audit([str(folder)], settings=settings, options=options)
    elapsed = time.perf_counter() - started
    return elapsed, dict(result.summary)


def time_loop(paths: list[Path], settings: Settings) -> tuple[float, dict[str, int]]:
    """The baseline: every copy checked one after the other in this process."""
    policy = load_policy()
    statuses = {"pass": 0, "fail": 0, "error": 0}
    started = time.perf_counter()
    with Archive.open(settings.archive_path, create=False, settings=settings) as archive:
        for path in paths:
            [doc] = load_documents(path.read_bytes(), source=str(path), settings=settings)
            report = check_document(doc, settings=settings, archive=archive)
            failed = any(not r.passed for r in evaluate_policy(report, policy))
            statuses["fail" if failed else "pass"] += 1
    return time.perf_counter() - started, statuses


# Runs the CLI and reports, on its last stderr line, the main process's peak RSS.
_CLI = """
import atexit, json, resource, sys
def _done():
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sys.stderr.write("\\nBENCH " + json.dumps({"maxrss_kib": rss}) + "\\n")
atexit.register(_done)
from provenance.cli import main
sys.argv = ["provenance", *sys.argv[1:]]
main()
"""


def time_cli(root: Path, tree: str, settings: Settings, workers: int) -> dict[str, Any]:
    """First run and fully reused rerun of `provenance audit` by the package at `tree`
    ("" for this one): seconds and the main process's peak RSS in MiB."""
    env = {**os.environ, "PYTHONPATH": tree} if tree else dict(os.environ)
    out = root / f"out-{'base' if tree else 'this'}"
    out.mkdir()
    archive = settings.archive_path if not tree else _schema_4_copy(settings.archive_path, out)
    args = [sys.executable, "-c", _CLI, "audit", str(root / "copies"), "--offline",
            "--archive", str(archive), "--state", str(out / "state.sqlite"),
            "--json", str(out / "audit.json"), "--html", str(out / "audit.html"),
            "--workers", str(workers), "--no-color"]  # fmt: skip
    runs = {}
    for name in ("first", "rerun"):
        started = time.perf_counter()
        child = subprocess.run(args, capture_output=True, text=True, env=env, cwd=root)
        seconds = time.perf_counter() - started
        if child.returncode not in (0, 1):
            raise SystemExit(f"audit exited {child.returncode}: {child.stderr[-2000:]}")
        marker = [ln for ln in child.stderr.splitlines() if ln.startswith("BENCH ")][-1]
        rss = json.loads(marker[len("BENCH ") :])["maxrss_kib"] / 1024
        runs[name] = {"seconds": round(seconds, 2), "main_peak_rss_mib": round(rss, 1)}
    for name in ("json", "html"):  # the rerun's outputs: sizes and digests, to compare
        data = (out / f"audit.{name}").read_bytes()
        runs[f"{name}_bytes"] = len(data)  # type: ignore[assignment]
        runs[f"{name}_sha256"] = hashlib.sha256(data).hexdigest()[:16]  # type: ignore[assignment]
    return runs


def _schema_4_copy(path: Path, folder: Path) -> Path:
    """A copy of the archive that a revision before schema 5 opens: without the shingles
    stored with each version (that revision verifies candidates from their text)."""
    import sqlite3

    copy = folder / "archive.sqlite"
    with sqlite3.connect(path) as src, sqlite3.connect(copy) as dest:
        src.backup(dest)
    with sqlite3.connect(copy) as conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(versions)")}
        if "shingles" in columns:
            conn.execute("ALTER TABLE versions DROP COLUMN shingles")
            conn.execute("PRAGMA user_version = 4")
    return copy


def export_tree(ref: str, folder: Path) -> str:
    """The `provenance` package of git revision `ref`, unpacked in `folder`."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", ref, "provenance"],
                             check=True, capture_output=True).stdout  # fmt: skip
    folder.mkdir()
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return str(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=300)
    parser.add_argument("--archive-size", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--baseline", metavar="REF", help="also run the CLI of this revision")
    parser.add_argument("--skip-loop", action="store_true", help="only the CLI runs")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"skipped: needs the news corpus at {CORPUS} (../shared beside the repository)")
        return
    rng = random.Random(SEED)
    articles = corpus_articles(max(args.archive_size, args.copies), rng)
    with tempfile.TemporaryDirectory(prefix="bench-audit-") as tmp:
        root = Path(tmp)
        settings = Settings(offline=True, archive_path=root / "archive.sqlite", cache_dir=None)
        import_seconds = build_archive(settings.archive_path, articles, settings)
        paths = write_copies(root / "copies", articles[: args.copies])
        cli: dict[str, Any] = {}
        if args.baseline:
            base = export_tree(args.baseline, root / "base")
            cli = {"workers": args.workers, "baseline": args.baseline,
                   "this": time_cli(root, "", settings, args.workers),
                   "base": time_cli(root, base, settings, args.workers),
                   "load_average": os.getloadavg()}  # fmt: skip
            cli["rerun_speedup"] = round(
                cli["base"]["rerun"]["seconds"] / cli["this"]["rerun"]["seconds"], 2
            )
            cli["same_outputs"] = all(
                cli["this"][f"{name}_sha256"] == cli["base"][f"{name}_sha256"]
                for name in ("json", "html")
            )
            print(json.dumps(cli, indent=2))
        if args.skip_loop:
            _write_cli(cli)
            return
        loop_seconds, loop_status = time_loop(paths, settings)
        runs = [(w, *time_audit(root / "copies", settings, w)) for w in sorted({1, args.workers})]
    n = len(paths)
    rows = [
        {"how": "one at a time (check_document loop)", "workers": 1, "seconds": loop_seconds,
         "items_per_second": n / loop_seconds, "ratio": 1.0, "status": loop_status},
        *({"how": "run_audit", "workers": w, "seconds": s, "items_per_second": n / s,
           "ratio": loop_seconds / s, "status": summary["status"]} for w, s, summary in runs),
    ]  # fmt: skip
    print(f"Offline audit of {n} copies; archive of {len(articles)} corpus articles + cases "
          f"(imported in {import_seconds:.1f} s); {os.cpu_count()} CPUs\n")  # fmt: skip
    print("| how | workers | seconds | items/s | vs loop | pass / fail / error |")
    print("|---|---:|---:|---:|---:|---|")
    for row in rows:
        st = row["status"]
        print(
            f"| {row['how']} | {row['workers']} | {row['seconds']:.2f} | "
            f"{row['items_per_second']:.1f} | {row['ratio']:.2f}x | "
            f"{st.get('pass', 0)} / {st.get('fail', 0)} / {st.get('error', 0)} |"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {"copies": n, "archive_articles": len(articles), "cpus": os.cpu_count(),
             "archive_import_seconds": round(import_seconds, 2), "runs": rows,
             "load_average_after": [round(x, 2) for x in os.getloadavg()],
             **({"cli": cli} if cli else {})},
            indent=2, default=str,
        ) + "\n",
        encoding="utf-8",
    )  # fmt: skip


def _write_cli(cli: dict[str, Any]) -> None:
    """With --skip-loop: the CLI figures go in next to the last full run's."""
    data = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    data["cli"] = cli
    RESULTS.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

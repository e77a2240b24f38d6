"""Whole checks per second (extraction included) over the synthetic cases in cases/.

    python benchmarks/bench_check.py [--rounds N] [--baseline REF]

Each synthetic case is checked from its files (load, detect, align, score) as
`provenance check COPY --original ORIGINAL --offline` would. Prints checks/second, the
slowest single check (budget 2 s), and the stage split, and writes
benchmarks/results/check.json.

Before each timed check the package's memo caches of texts are emptied (data files and
compiled patterns stay loaded), so no check reuses another's work on the same texts.

In the same run, in the same process, each check is also made with the difflib aligner
of bench_align.py in place of `align_paragraphs` (`SequenceMatcher` ratio matrix, word
diff and sentence ratios, everything else the same): `in_process_ratio_to_difflib` is this
tree's median check time (load excluded) over that baseline's. That pair of medians is
measured in `--processes` processes (this one and children: hash seeds and memory layout
move one process's median by ~5%); the figures given are the medians over the processes,
each process's ratio in `in_process_ratios`. The first check of a fresh process
(`warm_up_ms`) is measured in child processes, one per case of the first five: the time
of the first check minus the median of five further checks of the same pair.
`detections_per_check` counts the evidence detection passes one `check_source` of a case
makes (the copy file and the original file: 2 when each is detected once).

With --baseline, the same cases are also checked in a child process by the `provenance`
package of git revision REF (exported to a temporary folder), in the same run, and the
result gives the ratio of this tree's median check time to the baseline's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # after PYTHONPATH: a --baseline child imports the old package
sys.path.append(str(ROOT / "benchmarks"))  # bench_align's difflib aligner

from timing_caches import forget_texts  # noqa: E402 (path set above)

from provenance.load import load_documents, read_input  # noqa: E402
from provenance.pipeline import check_document  # noqa: E402
from provenance.settings import Settings  # noqa: E402

SETTINGS = Settings(offline=True, cache_dir=None)


def _pairs() -> list[tuple[str, Path, Path]]:
    pairs = []
    for case in sorted((ROOT / "cases").glob("synthetic-*/case.json")):
        data = json.loads(case.read_text(encoding="utf-8"))
        pairs.append((case.parent.name, case.parent / data["copy"], case.parent / data["original"]))
    return pairs


def _check(copy: Path, original: Path) -> tuple[float, float]:
    """(seconds to load both, seconds to check) for one pair."""
    forget_texts()
    copy_doc, orig, load_s = _load(copy, original)
    start = time.perf_counter()
    check_document(copy_doc, original=orig, settings=SETTINGS)
    return load_s, time.perf_counter() - start


def _difflib_check(copy: Path, original: Path) -> float:
    """Seconds to check one pair with bench_align's difflib aligner (load excluded)."""
    from unittest import mock

    from bench_align import difflib_matrix, difflib_opcodes, difflib_ratio

    from provenance import pipeline
    from provenance.align import _align

    def aligner(c: Any, o: Any, s: Settings) -> Any:
        return _align(c, o, s, difflib_matrix, difflib_opcodes, difflib_ratio)

    forget_texts()
    copy_doc, orig, _ = _load(copy, original)
    with mock.patch.object(pipeline, "align_paragraphs", aligner):
        start = time.perf_counter()
        check_document(copy_doc, original=orig, settings=SETTINGS)
        return time.perf_counter() - start


def _load(copy: Path, original: Path) -> tuple[Any, Any, float]:
    start = time.perf_counter()
    copy_doc = load_documents(read_input(str(copy), SETTINGS), source=str(copy), settings=SETTINGS)[
        0
    ]
    orig = load_documents(
        read_input(str(original), SETTINGS), source=str(original), settings=SETTINGS
    )[0]
    return copy_doc, orig, time.perf_counter() - start


def _detections_per_check() -> float:
    """Evidence detection passes per `check_source` of a case (copy file + original file)."""
    from unittest import mock

    from provenance import pipeline

    calls = 0
    detect = pipeline.detect_evidence

    def counting(doc: Any, settings: Settings) -> Any:
        nonlocal calls
        calls += 1
        return detect(doc, settings)

    pairs = _pairs()
    with mock.patch.object(pipeline, "detect_evidence", counting):
        for _, copy, original in pairs:
            pipeline.check_source(str(copy), original=str(original), settings=SETTINGS)
    return round(calls / len(pairs), 2)


def _first_check(index: int) -> dict[str, float]:
    """In a fresh process: the first check of one pair, and five more of the same pair."""
    _, copy, original = _pairs()[index]
    first = _check(copy, original)[1]
    warm = statistics.median(_check(copy, original)[1] for _ in range(5))
    return {"first_ms": 1000 * first, "warm_ms": 1000 * warm}


def _warm_up(children: int = 5) -> dict[str, object]:
    """Median over child processes of (first check - median warm check) of one pair."""
    runs = []
    for index in range(children):
        child = subprocess.run(
            [sys.executable, __file__, "--first", str(index)],
            check=True,
            capture_output=True,
            text=True,
        )
        runs.append(json.loads(child.stdout.splitlines()[-1]))
    extra = [r["first_ms"] - r["warm_ms"] for r in runs]
    return {
        "warm_up_ms": round(statistics.median(extra), 1),
        "first_check_ms": round(statistics.median(r["first_ms"] for r in runs), 1),
        "warm_check_ms": round(statistics.median(r["warm_ms"] for r in runs), 1),
    }


def _over_processes(here: dict[str, Any], rounds: int, processes: int) -> dict[str, object]:
    """The in-process and difflib medians, and their ratio, as medians over this process's
    measurement and `processes - 1` more, each in a child process of its own."""
    runs = [here]
    for _ in range(processes - 1):
        child = subprocess.run(
            [sys.executable, __file__, "--rounds", str(rounds), "--paired"],
            check=True,
            capture_output=True,
            text=True,
        )
        runs.append(json.loads(child.stdout.splitlines()[-1]))
    ratios = [float(r["in_process_ratio_to_difflib"]) for r in runs]
    return {
        "median_in_process_check_ms": statistics.median(
            float(r["median_in_process_check_ms"]) for r in runs
        ),
        "difflib_median_check_ms": statistics.median(
            float(r["difflib_median_check_ms"]) for r in runs
        ),
        "in_process_ratio_to_difflib": round(statistics.median(ratios), 3),
        "in_process_ratios": ratios,
    }


def _baseline(ref: str, rounds: int) -> dict[str, object]:
    """The same measurement made by the package of git revision `ref`, in a child."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", ref, "provenance"],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        env = {**os.environ, "PYTHONPATH": tmp}
        child = subprocess.run(
            [sys.executable, __file__, "--rounds", str(rounds), "--child"],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        )
    return dict(json.loads(child.stdout.splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--baseline", metavar="REF", help="git revision to compare with")
    parser.add_argument("--processes", type=int, default=3, help="processes measuring the ratio")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--paired", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--first", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.first is not None:
        print(json.dumps(_first_check(args.first)))
        return
    if args.paired:
        print(json.dumps(_measure(args.rounds, difflib=True)))
        return
    result = _measure(args.rounds, difflib=not args.child)
    if not args.child:
        result.update(_over_processes(result, args.rounds, args.processes))
    result.update(_warm_up())
    result["detections_per_check"] = _detections_per_check()
    if args.child:
        print(json.dumps(result))
        return
    if args.baseline:
        base = _baseline(args.baseline, args.rounds)
        result["baseline"] = {"ref": args.baseline, **base}
        result["median_ratio_to_baseline"] = round(
            float(result["median_check_ms"]) / float(base["median_check_ms"]),
            2,  # type: ignore[arg-type]
        )
        result["warm_up_ratio_to_baseline"] = round(
            float(result["warm_up_ms"]) / float(base["warm_up_ms"]),  # type: ignore[arg-type]
            2,
        )
    print("| measure | value |\n|---|---:|")
    for key, value in result.items():
        print(f"| {key} | {value} |")
    out = ROOT / "benchmarks" / "results" / "check.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


def _measure(rounds: int, *, difflib: bool) -> dict[str, object]:
    pairs = _pairs()
    for _, copy, original in pairs:  # warm caches (data files, regexes) once
        _check(copy, original)
    timings: dict[str, list[float]] = {name: [] for name, _, _ in pairs}
    checks_only: list[float] = []
    baseline: list[float] = []
    load_total = check_total = 0.0
    elapsed = 0.0
    for _ in range(rounds):
        for name, copy, original in pairs:
            started = time.perf_counter()
            load_s, check_s = _check(copy, original)
            elapsed += time.perf_counter() - started
            timings[name].append(load_s + check_s)
            checks_only.append(check_s)
            load_total, check_total = load_total + load_s, check_total + check_s
            if difflib:
                baseline.append(_difflib_check(copy, original))
    checks = rounds * len(pairs)
    slowest = max(timings, key=lambda n: max(timings[n]))
    result = {
        "cases": len(pairs),
        "checks": checks,
        "checks_per_second": round(checks / elapsed, 1),
        "median_check_ms": round(
            1000 * statistics.median(t for ts in timings.values() for t in ts), 2
        ),
        "slowest_case": slowest,
        "slowest_check_s": round(max(timings[slowest]), 3),
        "load_share": round(load_total / (load_total + check_total), 3),
        "median_in_process_check_ms": round(1000 * statistics.median(checks_only), 2),
    }
    if baseline:
        result["difflib_median_check_ms"] = round(1000 * statistics.median(baseline), 2)
        result["in_process_ratio_to_difflib"] = round(
            statistics.median(checks_only) / statistics.median(baseline), 3
        )
    return result


if __name__ == "__main__":
    main()

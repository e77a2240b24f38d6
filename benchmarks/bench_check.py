"""Whole checks per second (extraction included) over the synthetic cases in cases/.

    python benchmarks/bench_check.py [--rounds N] [--baseline REF]

Each synthetic case is checked from its files (load, detect, align, score) as
`provenance check COPY --original ORIGINAL --offline` would. Prints checks/second, the
slowest single check (budget 2 s), and the stage split, and writes
benchmarks/results/check.json. The alignment step alone is compared with a difflib
baseline in bench_align.py.

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

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # after PYTHONPATH: a --baseline child imports the old package

from provenance.load import load_documents, read_input  # noqa: E402 (path set above)
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
    start = time.perf_counter()
    copy_doc = load_documents(read_input(str(copy), SETTINGS), source=str(copy), settings=SETTINGS)[
        0
    ]
    orig = load_documents(
        read_input(str(original), SETTINGS), source=str(original), settings=SETTINGS
    )[0]
    loaded = time.perf_counter()
    check_document(copy_doc, original=orig, settings=SETTINGS)
    return loaded - start, time.perf_counter() - loaded


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
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    result = _measure(args.rounds)
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
    print("| measure | value |\n|---|---:|")
    for key, value in result.items():
        print(f"| {key} | {value} |")
    out = ROOT / "benchmarks" / "results" / "check.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


def _measure(rounds: int) -> dict[str, object]:
    pairs = _pairs()
    for _, copy, original in pairs:  # warm caches (data files, regexes) once
        _check(copy, original)
    timings: dict[str, list[float]] = {name: [] for name, _, _ in pairs}
    load_total = check_total = 0.0
    started = time.perf_counter()
    for _ in range(rounds):
        for name, copy, original in pairs:
            load_s, check_s = _check(copy, original)
            timings[name].append(load_s + check_s)
            load_total, check_total = load_total + load_s, check_total + check_s
    elapsed = time.perf_counter() - started
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
    }
    return result


if __name__ == "__main__":
    main()

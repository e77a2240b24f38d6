"""Whole checks per second (extraction included) over the synthetic cases in cases/.

    python benchmarks/bench_check.py [--rounds N]

Each synthetic case is checked from its files (load, detect, align, score) as
`provenance check COPY --original ORIGINAL --offline` would. Prints checks/second, the
slowest single check (budget 2 s), and the stage split, and writes
benchmarks/results/check.json. The alignment step alone is compared with a difflib
baseline in bench_align.py.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    pairs = _pairs()
    for _, copy, original in pairs:  # warm caches (data files, regexes) once
        _check(copy, original)
    timings: dict[str, list[float]] = {name: [] for name, _, _ in pairs}
    load_total = check_total = 0.0
    started = time.perf_counter()
    for _ in range(args.rounds):
        for name, copy, original in pairs:
            load_s, check_s = _check(copy, original)
            timings[name].append(load_s + check_s)
            load_total, check_total = load_total + load_s, check_total + check_s
    elapsed = time.perf_counter() - started
    checks = args.rounds * len(pairs)
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
    print("| measure | value |\n|---|---:|")
    for key, value in result.items():
        print(f"| {key} | {value} |")
    out = ROOT / "benchmarks" / "results" / "check.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

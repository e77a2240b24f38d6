"""Long fuzz runs: every harness of `fuzz/harnesses.py` under atheris (libFuzzer), and the
results written to `fuzz/results.json`.

    .venv/bin/python fuzz/run.py                  # 100,000 executions per harness
    .venv/bin/python fuzz/run.py --runs 5000 --jobs 2 --max-seconds 120 load_html

Each harness runs in its own process with coverage instrumentation of `provenance`, a
per-input deadline (libFuzzer -timeout: an input that takes longer is a hang and fails
the run), a memory cap and an overall time cap, so the script always stops by itself.
A failing input is saved under `fuzz/artifacts/`. The seed corpus is the small real
files of ../shared (copied to a scratch directory; the grown corpus is not kept).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared"
RESULTS = HERE / "results.json"
ARTIFACTS = HERE / "artifacts"
_DONE_RE = re.compile(r"Done (\d+) runs in (\d+) second")
_STAT_RE = re.compile(r"#(\d+)\s+(?:pulse|NEW|REDUCE|DONE|INITED)")
_SEED_GLOBS = ("real/copies/*", "real/negatives/*", "real/html/*.html", "seed/*.json")
_SEED_BYTES = 16_384


def _seed(corpus: Path) -> None:
    corpus.mkdir(parents=True, exist_ok=True)
    n = 0
    for pattern in _SEED_GLOBS:
        for path in sorted(SHARED.glob(pattern))[:12]:
            if path.is_file():
                (corpus / f"seed{n}").write_bytes(b"\x00" + path.read_bytes()[:_SEED_BYTES])
                (corpus / f"seed{n}b").write_bytes(b"\x01" + path.read_bytes()[:_SEED_BYTES])
                n += 1


def _worker(name: str, runs: int, max_seconds: int, corpus: str) -> None:
    """Run one harness under atheris in this process (libFuzzer exits the process)."""
    import atheris

    with atheris.instrument_imports(include=["provenance"]):
        sys.path.insert(0, str(HERE))
        from harnesses import ALLOWED, HARNESSES

    harness = HARNESSES[name]

    def one_input(data: bytes) -> None:
        with contextlib.suppress(ALLOWED):
            harness(data)

    ARTIFACTS.mkdir(exist_ok=True)
    argv = [
        sys.argv[0], f"-runs={runs}", f"-max_total_time={max_seconds}", "-timeout=10",
        "-rss_limit_mb=3072", "-max_len=8192", "-print_final_stats=1",
        f"-artifact_prefix={ARTIFACTS}/{name}-", corpus,
    ]  # fmt: skip
    atheris.Setup(argv, one_input)
    atheris.Fuzz()


def _run_harness(name: str, runs: int, max_seconds: int, scratch: Path) -> dict[str, Any]:
    corpus = scratch / name
    _seed(corpus)
    log = scratch / f"{name}.log"
    started = time.monotonic()
    with log.open("wb") as out:
        command = [sys.executable, __file__, "--worker", name, "--runs", str(runs),
                   "--max-seconds", str(max_seconds), "--corpus", str(corpus)]  # fmt: skip
        proc = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, check=False)
    text = log.read_text(errors="replace")
    done = _DONE_RE.search(text)
    stats = [int(m.group(1)) for m in _STAT_RE.finditer(text)]
    executions = int(done.group(1)) if done else max(stats, default=0)
    failed = proc.returncode != 0
    result: dict[str, Any] = {
        "harness": name,
        "executions": executions,
        "seconds": round(time.monotonic() - started, 1),
        "failures": 1 if failed else 0,
        "exit_code": proc.returncode,
        "engine": "atheris",
        "stopped_by": "runs" if executions >= runs else "time cap",
    }
    if failed:
        result["log_tail"] = text[-3000:]
        result["artifacts"] = sorted(str(p) for p in ARTIFACTS.glob(f"{name}-*"))
    print(json.dumps({k: v for k, v in result.items() if k != "log_tail"}), flush=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("harness", nargs="*", help="harness names (default: all)")
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--max-seconds", type=int, default=600, help="time cap per harness")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=RESULTS, help="results file")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(args.worker, args.runs, args.max_seconds, args.corpus)
        return 0
    sys.path.insert(0, str(HERE))
    from harnesses import HARNESSES

    names = args.harness or sorted(HARNESSES)
    started = time.time()
    with (
        tempfile.TemporaryDirectory(prefix="provenance-fuzz-") as tmp,
        ThreadPoolExecutor(max_workers=args.jobs) as pool,
    ):
        results = list(
            pool.map(lambda n: _run_harness(n, args.runs, args.max_seconds, Path(tmp)), names)
        )
    if args.harness and args.out.exists():  # a partial rerun replaces only its harnesses
        earlier = json.loads(args.out.read_text())["harnesses"]
        results = [r for r in earlier if r["harness"] not in names] + results
        results.sort(key=lambda r: str(r["harness"]))
    summary = {
        "engine": "atheris (libFuzzer), coverage-instrumented provenance",
        "target_runs_per_harness": args.runs,
        "time_cap_per_harness_seconds": args.max_seconds,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(started)),
        "wall_seconds_last_run": round(time.time() - started, 1),
        "total_executions": sum(r["executions"] for r in results),
        "total_failures": sum(r["failures"] for r in results),
        "harnesses": results,
    }
    args.out.write_text(json.dumps(summary, indent=2) + "\n")
    return 1 if summary["total_failures"] else 0


if __name__ == "__main__":
    sys.exit(main())

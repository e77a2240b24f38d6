"""Start-up cost of the command line, against bare Python measured in the same run.

    python benchmarks/bench_startup.py [--rounds N]

Runs each command as a new process, round-robin (so a busy machine slows all of them
alike), N times, and compares medians:

    python -c pass                           the interpreter alone (the baseline)
    python -c "import httpx, rapidfuzz"      the two libraries a check cannot do without
    provenance --help / --version            targets: within 150 ms of the baseline
    provenance check COPY --original ORIG    a 10-paragraph text pair, the text report on
                                             a pipe: target within 400 ms of the baseline
    ... the same pair with an HTML original  (main-text extraction loads trafilatura)

The pair is written by this script (no ../shared needed); XDG_DATA_HOME and XDG_CACHE_HOME
point at a scratch folder, so no archive or cache of the user's is opened. Writes
benchmarks/results/startup.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "startup.json"
HELP_BUDGET_MS = 150.0
CHECK_BUDGET_MS = 400.0

_TOPICS = (
    "the council", "the river authority", "the school board", "the port", "the hospital",
    "the transit agency", "the library", "the water utility", "the planning office", "the court",
)  # fmt: skip


def _paragraphs() -> list[str]:
    """Ten paragraphs of prose with curly quotes and dashes, as news text has (written here;
    nothing copied from anywhere)."""
    return [
        f"On Tuesday {topic} said it would publish its figures for the year by the end of "
        f"the month \u2014 after residents asked why item {n} of the budget had grown so "
        f"quickly. \u201cThe numbers will be checked twice before they are released,\u201d a "
        f"spokesperson said."
        for n, topic in enumerate(_TOPICS, start=1)
    ]


def write_pair(folder: Path) -> dict[str, Path]:
    """Write the copy and its originals (text and HTML) into `folder`; return their paths."""
    paras = _paragraphs()
    title = "Council to publish the year's figures"
    copy = [*paras[:4], paras[4].replace("quickly", "fast"), *paras[5:9]]  # one edit, one cut
    copy.append("This post appeared first on example.org.")
    files = {
        "copy": folder / "copy.txt",
        "original": folder / "original.txt",
        "original_html": folder / "original.html",
    }
    files["copy"].write_text(
        "https://copy.example.net/2025/01/figures\n\n" + "\n\n".join([title, *copy]) + "\n",
        encoding="utf-8",
    )
    files["original"].write_text(
        "https://example.org/news/figures\n\n" + "\n\n".join([title, *paras]) + "\n",
        encoding="utf-8",
    )
    body = "".join(f"<p>{p}</p>\n" for p in paras)
    files["original_html"].write_text(
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{title}</title>"
        "<link rel='canonical' href='https://example.org/news/figures'></head>"
        f"<body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>\n{body}</article>"
        "<footer>Example Org</footer></body></html>",
        encoding="utf-8",
    )
    return files


def _console_script() -> list[str]:
    script = Path(sys.executable).parent / "provenance"
    return [str(script)] if script.exists() else [sys.executable, "-m", "provenance.cli"]


def commands(files: dict[str, Path]) -> dict[str, list[str]]:
    cli = _console_script()
    check = [*cli, "check", str(files["copy"]), "--original"]
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -c 'import httpx, rapidfuzz'": [sys.executable, "-c", "import httpx, rapidfuzz"],
        "provenance --help": [*cli, "--help"],
        "provenance --version": [*cli, "--version"],
        "provenance check (text pair)": [*check, str(files["original"])],
        "provenance check (HTML original)": [*check, str(files["original_html"])],
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run_once(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of `command`."""
    cpu, start = _children_cpu(), time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr[-500:]!r}")
    return elapsed, _children_cpu() - cpu


def measure(rounds: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        folder = Path(tmp)
        files = write_pair(folder)
        env = {
            **os.environ,
            "XDG_DATA_HOME": str(folder / "data"),
            "XDG_CACHE_HOME": str(folder / "cache"),
        }
        runs = commands(files)
        times: dict[str, list[float]] = {name: [] for name in runs}
        cpu: dict[str, list[float]] = {name: [] for name in runs}
        for command in runs.values():  # one warm-up each: the OS page cache, .pyc files
            _run_once(command, env)
        for _ in range(rounds):
            for name, command in runs.items():
                wall, used = _run_once(command, env)
                times[name].append(wall)
                cpu[name].append(used)
    medians = {name: statistics.median(t) * 1000 for name, t in times.items()}
    cpu_medians = {name: statistics.median(t) * 1000 for name, t in cpu.items()}
    base, cpu_base = medians["python -c pass"], cpu_medians["python -c pass"]
    rows = {
        name: {
            "median_ms": round(ms, 1),
            "min_ms": round(min(times[name]) * 1000, 1),
            "over_python_ms": round(ms - base, 1),
            "ratio_to_python": round(ms / base, 2),
            # CPU time (user + system) moves less than wall time on a busy machine
            "cpu_median_ms": round(cpu_medians[name], 1),
            "cpu_over_python_ms": round(cpu_medians[name] - cpu_base, 1),
        }
        for name, ms in medians.items()
    }
    over = {name: row["over_python_ms"] for name, row in rows.items()}
    cpu_over = {name: row["cpu_over_python_ms"] for name, row in rows.items()}
    return {
        "rounds": rounds,
        "cpus": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "commands": rows,
        "targets": {
            "help_within_ms": HELP_BUDGET_MS,
            "check_within_ms": CHECK_BUDGET_MS,
            "help_met": over["provenance --help"] <= HELP_BUDGET_MS,
            "version_met": over["provenance --version"] <= HELP_BUDGET_MS,
            "check_met": over["provenance check (text pair)"] <= CHECK_BUDGET_MS,
            # the same three on CPU time, which a busy machine inflates less than wall time
            "help_met_cpu": cpu_over["provenance --help"] <= HELP_BUDGET_MS,
            "version_met_cpu": cpu_over["provenance --version"] <= HELP_BUDGET_MS,
            "check_met_cpu": cpu_over["provenance check (text pair)"] <= CHECK_BUDGET_MS,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="runs of each command")
    args = parser.parse_args()
    result = measure(args.rounds)
    print(f"{'command':36} {'median':>9} {'over python':>12} {'ratio':>6} {'CPU over':>10}")
    for name, row in result["commands"].items():  # type: ignore[attr-defined]
        print(
            f"{name:36} {row['median_ms']:7.1f}ms {row['over_python_ms']:+10.1f}ms "
            f"{row['ratio_to_python']:5.2f}x {row['cpu_over_python_ms']:+8.1f}ms"
        )
    print(f"load average (1 min) at the end: {result['load_average_1min']}")
    print("targets:", json.dumps(result["targets"]))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()

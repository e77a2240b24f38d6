"""Hostile input (tests/hostile.py): every case gives a report or a one-line InputError,
within a bounded time and memory, and says so wherever content was cut or unreadable.

Each case runs in its own worker process (provenance.audit.workers.WorkerPool) so a hang or a
native crash fails that case instead of stalling the suite. The bounds are generous
guards against hangs and blow-ups, not benchmarks; the measurements go to
docs/robustness.md through scripts/robustness_report.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hostile import BY_NAME, CASES, Outcome, problems, run_case

from provenance.audit.workers import WorkerPool

REPO = Path(__file__).resolve().parents[1]
# The console script of the interpreter running the tests (a copy of the checkout without
# its own .venv runs the suite with the checkout's).
CLI = Path(sys.executable).parent / "provenance"
HANG_GUARD_SECONDS = 90.0
MAX_SECONDS = 60.0
MAX_RSS_GROWTH_MB = 1_500.0
# Cases fed to the real command line as well (small ones: each costs a process start).
CLI_CASES = (
    "deep-div-300", "deep-div-100k", "attributes-100k", "paragraph-1mb", "invalid-utf8",
    "utf16le-no-bom", "binary-garbage", "empty", "json-array-10k-deep",
    "json-lone-surrogates", "billion-laughs", "rtl-overrides",
)  # fmt: skip


def _run_isolated(name: str) -> Outcome:
    """Run one case in a fresh worker process; fail the test on a hang or a crash."""
    [result] = list(WorkerPool(run_case, workers=1, timeout=HANG_GUARD_SECONDS).run([(name, name)]))
    assert result.error is None, f"{name}: {result.error}"
    outcome = result.value
    assert isinstance(outcome, Outcome)
    return outcome


def _params() -> list[object]:
    marks = {True: [pytest.mark.slow], False: []}
    return [pytest.param(c.name, id=c.name, marks=marks[c.big]) for c in CASES]


@pytest.mark.parametrize("name", _params())
def test_hostile_input_gives_a_report_or_one_line_error(name: str) -> None:
    case = BY_NAME[name]
    outcome = _run_isolated(name)
    assert problems(case, outcome) == [], f"{name}: {outcome.error or outcome.text[:300]}"
    assert outcome.seconds < MAX_SECONDS, f"{name} took {outcome.seconds:.1f} s"
    assert outcome.rss_growth_mb < MAX_RSS_GROWTH_MB, f"{name} grew {outcome.rss_growth_mb:.0f} MB"


def test_problems_catches_a_silent_loss() -> None:
    """The checker itself fails when a cut is not reported (a check that cannot fail is none)."""
    case = BY_NAME["deep-div-300"]
    silent = Outcome(case.name, "report", text="some other paragraph")
    assert problems(case, silent) == ["nothing says 'DEEPMARK'"]
    wrong = Outcome("attributes-100k", "report", text="x")
    assert problems(BY_NAME["attributes-100k"], wrong)[0].startswith("expected error")
    two_lines = Outcome("empty", "error", error="no text\nTraceback")
    assert any("one line" in p for p in problems(BY_NAME["empty"], two_lines))


def test_command_line_exits_0_or_2_with_one_line(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    procs = {}
    for name in CLI_CASES:
        path = tmp_path / name
        path.write_bytes(BY_NAME[name].make())
        command = [str(CLI), "check", str(path), "--offline", "--format", "json"]
        procs[name] = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True
        )
    done = {name: (*proc.communicate(timeout=HANG_GUARD_SECONDS), proc.returncode)
            for name, proc in procs.items()}  # fmt: skip
    for name, (out, err, code) in done.items():
        expect = BY_NAME[name].expect
        assert code in (0, 2), f"{name}: exit {code}: {err[-500:]}"
        if code == 2:
            assert expect != "report", f"{name}: {err}"
            assert len(err.strip().splitlines()) == 1, f"{name}: {err!r}"
            assert err.startswith("Error: "), f"{name}: {err!r}"
        else:
            assert expect != "error", f"{name}: {out[:200]}"
            assert out.lstrip().startswith(("{", "[")), f"{name}: {out[:200]}"
            assert "Traceback" not in err, f"{name}: {err}"


if __name__ == "__main__":  # pragma: no cover - a manual run of one case
    print(run_case(sys.argv[1]))

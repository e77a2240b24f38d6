"""The repository stands alone: a copy with no ../shared beside it collects every test.

The whole suite runs in such a copy in CI (`make test-alone`, part of `.ci/run`); this test
is the quick guard that keeps a module from reading ../shared when it is imported.
"""

from __future__ import annotations

import os
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from shared_dir import MISSING

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(
    shutil.which("git") is None or not (REPO / ".git").exists(),
    reason="not a git checkout (the copy is made from git's list of files)",
)


def _copy(dest: Path) -> None:
    script = runpy.run_path(str(REPO / "scripts" / "copy_checkout.py"))
    assert script["copy_checkout"](dest) > 100


def _pytest(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(repo)}  # the copy's code, with this interpreter
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_copy_without_shared_collects_every_test(tmp_path: Path) -> None:
    clone = tmp_path / "provenance"
    _copy(clone)
    assert not (tmp_path / "shared").exists() and not (clone / ".venv").exists()
    done = _pytest(clone, "--collect-only", "-q")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert " error" not in done.stdout.splitlines()[-1], done.stdout[-3000:]
    collected = [line for line in done.stdout.splitlines() if "::" in line]
    assert len(collected) > 500


def test_tests_needing_shared_skip_with_one_line_saying_why(tmp_path: Path) -> None:
    clone = tmp_path / "provenance"
    _copy(clone)
    done = _pytest(clone, "tests/test_load.py", "tests/test_text.py", "-q", "-rs")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    skips = [line for line in done.stdout.splitlines() if line.startswith("SKIPPED")]
    reason = MISSING.replace(str(REPO.parent / "shared"), str(tmp_path / "shared"))
    assert skips and all(line.endswith(reason) for line in skips), skips
    assert "passed" in done.stdout.splitlines()[-1]

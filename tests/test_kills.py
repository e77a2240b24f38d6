"""SIGKILL at seeded random points of an archive import and of an audit: the database
stays intact, a rerun completes with every item present exactly once, and no worker
process outlives the process that was killed (only that process is signalled, not its
group: the workers must notice on their own). SIGTERM stops an audit cleanly.

Each of the 20 kills per scenario lands on a fresh database while the process runs: a
random share of a measured full run, or (where the database commits item by item) once it
holds a random number of rows; a point the run outlives is drawn again. After every kill
the database passes PRAGMA integrity_check and a rerun completes with every item exactly
once. The outcome of each kill is appended to the file named by $PROVENANCE_KILL_RESULTS,
if set (for scripts/robustness_report.py).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from shared_dir import SHARED

# a few minutes: 40 real processes killed, 40 full reruns, over articles of the ../shared corpus
pytestmark = [pytest.mark.slow, pytest.mark.shared]

REPO = Path(__file__).resolve().parents[1]
# The console script of the interpreter running the tests (a copy of the checkout without
# its own .venv runs the suite with the checkout's).
CLI = Path(sys.executable).parent / "provenance"
CORPUS = SHARED / "corpus" / "allsides_abp"
KILLS_PER_SCENARIO = 20
ARCHIVE_ITEMS = 240
AUDIT_ITEMS = 60
RUN_GUARD_SECONDS = 120.0
POLL_SECONDS = 0.01
ORPHAN_GRACE_SECONDS = 5.0
SEEDS = {"archive-import": 11, "audit": 23}


@dataclass(frozen=True)
class KillPoint:
    after_ms: int | None = None
    after_rows: int | None = None

    def __str__(self) -> str:
        return (
            f"after {self.after_ms} ms"
            if self.after_ms is not None
            else f"at {self.after_rows} rows"
        )


def _kill_point(rnd: random.Random, n: int, items: int, full_run_ms: float) -> KillPoint:
    """Half the points at a random moment of a run (a share of a measured full run), half
    once the database holds a random number of rows (where it commits item by item)."""
    if n % 2 and items > 1:
        return KillPoint(after_rows=rnd.randrange(1, max(2, int(items * 0.8))))
    return KillPoint(after_ms=max(1, int(full_run_ms * rnd.uniform(0.05, 0.85))))


def _corpus_copies(folder: Path, count: int) -> list[Path]:
    """`count` corpus articles copied under distinct names (sorted, so reruns agree)."""
    folder.mkdir()
    sources = sorted(p for p in CORPUS.glob("*/*.txt"))
    picked = random.Random(5).sample(sources, count)
    for n, path in enumerate(picked):
        shutil.copyfile(path, folder / f"{n:04}-{path.stem}.txt")
    return sorted(folder.iterdir())


def _rows(db: Path, sql: str) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2) as conn:
            return int(conn.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:  # not created yet, or busy
        return 0


def _integrity(db: Path) -> str:
    if not db.exists():
        return "ok"  # killed before the database was created
    with sqlite3.connect(db) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def _run_until(
    command: list[str], env: dict[str, str], point: KillPoint, rows: Callable[[], int]
) -> bool:
    """Start `command`, SIGKILL it at `point`; True if it was killed, False if it finished first."""
    with subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    ) as proc:
        start = time.monotonic()
        while proc.poll() is None:
            elapsed_ms = (time.monotonic() - start) * 1000
            assert elapsed_ms < RUN_GUARD_SECONDS * 1000, f"{command[1]} hung"
            due = (point.after_ms is not None and elapsed_ms >= point.after_ms) or (
                point.after_rows is not None and rows() >= point.after_rows
            )
            if due:
                workers = children(proc.pid)
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                assert_gone(workers, f"{command[1]} killed {point}")
                return True
            time.sleep(POLL_SECONDS)  # polling the child, not waiting for a result
        return False


def children(pid: int) -> set[int]:
    """The live processes whose parent is `pid` (from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and _stat(int(entry.name))[1] == pid:
            found.add(int(entry.name))
    return found


def _stat(pid: int) -> tuple[str, int]:
    """(state, parent pid) of `pid`; ("X", 0) once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return "X", 0
    return fields[0], int(fields[1])


def running(pids: set[int]) -> set[int]:
    """Those of `pids` still running (a zombie left to a non-reaping init is not)."""
    return {pid for pid in pids if _stat(pid)[0] not in ("X", "Z")}


def assert_gone(pids: set[int], what: str) -> None:
    """Wait up to ORPHAN_GRACE_SECONDS for `pids` to end; fail naming the survivors."""
    deadline = time.monotonic() + ORPHAN_GRACE_SECONDS
    while running(pids) and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)  # polling other processes, not waiting for a result
    left = running(pids)
    for pid in left:  # leave nothing behind for the next test, then fail
        os.kill(pid, signal.SIGKILL)
    assert not left, f"{what}: worker processes {sorted(left)} outlived it"


def _record(scenario: str, point: KillPoint, killed: bool, integrity: str) -> None:
    target = os.environ.get("PROVENANCE_KILL_RESULTS")
    if target:
        entry = {
            "scenario": scenario,
            "point": str(point),
            "killed": killed,
            "integrity": integrity,
        }
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry) + "\n")


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
            "XDG_CACHE_HOME": str(tmp_path / "xdg-cache")}  # fmt: skip


def _scenario(
    name: str,
    tmp_path: Path,
    items: int,
    command: Callable[[Path], list[str]],
    count_sql: str,
    check_complete: Callable[[Path], None],
    *,
    rows_commit_per_item: bool,
) -> None:
    """KILLS_PER_SCENARIO kills, each on a fresh database and each landing while the
    process runs (a point the run outlived is drawn again); after each kill the database
    passes integrity_check and a rerun completes with every item exactly once."""
    env = _env(tmp_path)
    full_run_ms = _timed_run(command(tmp_path / f"{name}-timing.sqlite"), env)
    rnd = random.Random(SEEDS[name])
    kills = draws = 0
    while kills < KILLS_PER_SCENARIO:
        draws += 1
        assert draws <= 3 * KILLS_PER_SCENARIO, f"{name}: kills keep missing the run"
        db = tmp_path / f"{name}-{draws}.sqlite"
        n = draws if rows_commit_per_item else 0  # rows are only a clock where they grow
        point = _kill_point(rnd, n, items, full_run_ms)
        killed = _run_until(command(db), env, point, lambda db=db: _rows(db, count_sql))
        integrity = _integrity(db)
        _record(name, point, killed, integrity)
        assert integrity == "ok", f"{name} {point}: {integrity}"
        if not killed:
            continue
        kills += 1
        final = subprocess.run(command(db), env=env, capture_output=True, text=True,
                               timeout=RUN_GUARD_SECONDS, check=False)  # fmt: skip
        assert final.returncode in (0, 1), f"{name} rerun after {point}: {final.stderr[-500:]}"
        assert _integrity(db) == "ok"
        check_complete(db)


def _timed_run(command: list[str], env: dict[str, str]) -> float:
    start = time.monotonic()
    subprocess.run(command, env=env, capture_output=True, timeout=RUN_GUARD_SECONDS, check=False)
    return (time.monotonic() - start) * 1000


def test_kills_during_archive_import(tmp_path: Path) -> None:
    files = _corpus_copies(tmp_path / "originals", ARCHIVE_ITEMS)

    def command(db: Path) -> list[str]:
        return [
            str(CLI),
            "archive",
            "import",
            str(tmp_path / "originals"),
            "--archive",
            str(db),
            "--offline",
        ]

    def complete(db: Path) -> None:
        with sqlite3.connect(db) as conn:
            total, distinct = conn.execute(
                "SELECT count(*), count(DISTINCT content_hash) FROM documents"
            ).fetchone()
            versions = conn.execute("SELECT count(*) FROM versions").fetchone()[0]
        assert (total, distinct, versions) == (len(files), len(files), len(files))

    # The import commits in batches, so only time-based points are used for it.
    _scenario(
        "archive-import",
        tmp_path,
        ARCHIVE_ITEMS,
        command,
        "SELECT count(*) FROM documents",
        complete,
        rows_commit_per_item=False,
    )


def test_kills_during_audit(tmp_path: Path) -> None:
    files = _corpus_copies(tmp_path / "copies", AUDIT_ITEMS)
    archive = tmp_path / "empty-archive.sqlite"

    def command(db: Path) -> list[str]:
        return [str(CLI), "audit", str(tmp_path / "copies"), "--offline", "--state", str(db),
                "--no-color", "--workers", "2", "--archive", str(archive)]  # fmt: skip

    def complete(db: Path) -> None:
        with sqlite3.connect(db) as conn:
            keys = [row[0] for row in conn.execute("SELECT key FROM items")]
        assert sorted(keys) == sorted({str(f) for f in files}) and len(keys) == len(files)

    _scenario(
        "audit",
        tmp_path,
        AUDIT_ITEMS,
        command,
        "SELECT count(*) FROM items",
        complete,
        rows_commit_per_item=True,
    )


def _slow_items(folder: Path, count: int) -> None:
    """`count` generated stories, long enough that an audit of them takes seconds."""
    folder.mkdir()
    rnd = random.Random(3)
    words = [
        "council",
        "budget",
        "river",
        "school",
        "harbour",
        "election",
        "market",
        "storm",
        "bridge",
        "rail",
    ]
    for n in range(count):
        paragraphs = [
            " ".join(rnd.choice(words) for _ in range(60)).capitalize() + "." for _ in range(30)
        ]
        (folder / f"{n:04}.txt").write_text(f"Story {n}\n\n" + "\n\n".join(paragraphs))


def _audit_with_workers(tmp_path: Path) -> tuple[subprocess.Popen[str], set[int], Path]:
    """Start an audit with two workers; return it once both workers run."""
    _slow_items(tmp_path / "items", 300)
    state = tmp_path / "state.sqlite"
    command = [str(CLI), "audit", str(tmp_path / "items"), "--offline", "--state", str(state),
               "--no-color", "--workers", "2", "--archive", str(tmp_path / "none.sqlite")]  # fmt: skip
    proc = subprocess.Popen(command, env=_env(tmp_path), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    deadline = time.monotonic() + RUN_GUARD_SECONDS
    while len(running(children(proc.pid))) < 2 or _rows(state, "SELECT count(*) FROM items") < 3:
        assert proc.poll() is None, (
            f"the audit ended first: {proc.stderr.read() if proc.stderr else ''}"
        )
        assert time.monotonic() < deadline, "the audit started no workers"
        time.sleep(POLL_SECONDS)  # polling the child, not waiting for a result
    return proc, running(children(proc.pid)), state


def test_sigkill_of_the_audit_leaves_no_worker(tmp_path: Path) -> None:
    proc, workers, _state = _audit_with_workers(tmp_path)
    try:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=RUN_GUARD_SECONDS)
        assert_gone(workers, "audit killed with SIGKILL")
    finally:
        proc.kill()
        proc.communicate()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_stops_the_audit_and_its_workers(tmp_path: Path, signum: int) -> None:
    proc, workers, state = _audit_with_workers(tmp_path)
    try:
        proc.send_signal(signum)
        _, stderr = proc.communicate(timeout=RUN_GUARD_SECONDS)
        assert_gone(workers, f"audit stopped with {signal.Signals(signum).name}")
    finally:
        proc.kill()
    assert proc.returncode == 128 + signum, stderr[-800:]
    last = stderr.strip().splitlines()[-1]
    assert last.startswith(f"Error: audit stopped by {signal.Signals(signum).name} after "), last
    assert f"results so far are in {state}" in last
    assert "Traceback" not in stderr
    assert _integrity(state) == "ok"
    stored = _rows(state, "SELECT count(*) FROM items")
    assert 3 <= stored < 300


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__, "-q"])

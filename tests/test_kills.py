"""SIGKILL at seeded random points of an archive import and of an audit: the database
stays intact and a rerun completes with every item present exactly once.

A kill point is either a delay after the start or "once the database holds k rows"
(polled). Kills are chained in rounds: each kill interrupts the rerun that follows the
previous one, and every round ends with a rerun that must complete. The outcome of each
kill is appended to the file named by $PROVENANCE_KILL_RESULTS, if set (for
scripts/robustness_report.py).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # about a minute: 40 real processes killed, 8 full reruns

REPO = Path(__file__).resolve().parents[1]
CLI = REPO / ".venv" / "bin" / "provenance"
CORPUS = REPO.parent / "shared" / "corpus" / "allsides_abp"
KILLS_PER_SCENARIO = 20
ROUNDS = 4
ARCHIVE_ITEMS = 240
AUDIT_ITEMS = 100
RUN_GUARD_SECONDS = 120.0
POLL_SECONDS = 0.01
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


def _kill_points(seed: int, items: int) -> list[KillPoint]:
    rnd = random.Random(seed)
    points = []
    for n in range(KILLS_PER_SCENARIO):
        if n % 2:
            points.append(KillPoint(after_rows=rnd.randrange(1, items)))
        else:
            points.append(KillPoint(after_ms=rnd.randrange(300, 2500)))
    return points


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
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                return True
            time.sleep(POLL_SECONDS)  # polling the child, not waiting for a result
        return False


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
) -> int:
    """Run the kill rounds of one scenario; return the number of kills that hit a running process."""
    env = _env(tmp_path)
    points = _kill_points(SEEDS[name], items)
    per_round = len(points) // ROUNDS
    killed_count = 0
    for r in range(ROUNDS):
        db = tmp_path / f"{name}-{r}.sqlite"
        for point in points[r * per_round : (r + 1) * per_round]:
            killed = _run_until(command(db), env, point, lambda db=db: _rows(db, count_sql))
            integrity = _integrity(db)
            _record(name, point, killed, integrity)
            assert integrity == "ok", f"{name} round {r} {point}: {integrity}"
            killed_count += killed
        final = subprocess.run(command(db), env=env, capture_output=True, text=True,
                               timeout=RUN_GUARD_SECONDS, check=False)  # fmt: skip
        assert final.returncode in (0, 1), f"{name} rerun: {final.stderr[-500:]}"
        assert _integrity(db) == "ok"
        check_complete(db)
    return killed_count


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

    killed = _scenario(
        "archive-import",
        tmp_path,
        ARCHIVE_ITEMS,
        command,
        "SELECT count(*) FROM documents",
        complete,
    )
    assert killed >= KILLS_PER_SCENARIO // 2, f"only {killed} kills hit a running import"


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

    killed = _scenario(
        "audit", tmp_path, AUDIT_ITEMS, command, "SELECT count(*) FROM items", complete
    )
    assert killed >= KILLS_PER_SCENARIO // 2, f"only {killed} kills hit a running audit"


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__, "-q"])

"""The worker pool: one result per task, whatever a task does to its process."""

from __future__ import annotations

import faulthandler
import os
import signal
import time

from provenance.audit.workers import WorkerPool


def _task(kind: str) -> str:
    if kind == "hang":
        time.sleep(60)
    if kind == "crash":
        # A crash on purpose: pytest's faulthandler (inherited through fork) would print a
        # "Fatal Python error" dump of every thread into the test run's output.
        faulthandler.disable()
        os.kill(os.getpid(), signal.SIGSEGV)
    if kind == "exit":
        os._exit(3)
    if kind == "raise":
        raise ValueError("bad input")
    return kind.upper()


def test_every_task_gets_exactly_one_result_despite_hangs_and_crashes() -> None:
    kinds = ["a", "hang", "b", "crash", "raise", "exit", "c", "d"]
    pool = WorkerPool(_task, workers=2, timeout=1.0)
    started = time.monotonic()
    results = {r.key: r for r in pool.run((str(i), k) for i, k in enumerate(kinds))}
    assert sorted(results) == [str(i) for i in range(len(kinds))]
    assert [results[k].value for k in ("0", "2", "6", "7")] == ["A", "B", "C", "D"]
    assert results["1"].error == "timed out after 1 s"
    assert results["3"].error == "worker process died (exit code -11)"
    assert results["4"].error == "ValueError: bad input"
    assert results["5"].error == "worker process died (exit code 3)"
    assert time.monotonic() - started < 20


def test_no_tasks_yields_nothing() -> None:
    assert list(WorkerPool(_task, workers=2, timeout=1.0).run([])) == []

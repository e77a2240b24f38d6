"""Run CPU-heavy work in worker processes, each task under a time budget.

A parser that hangs or crashes natively takes down one worker process, not the audit:
the task it held is reported as failed with a reason, the worker is replaced, and the
other tasks go on. Results come back in completion order; every task yields exactly one
`TaskResult`.

Workers die with their parent, however it ends: on Linux each asks the kernel for
SIGKILL when its parent dies (PR_SET_PDEATHSIG), and everywhere a worker holds only its
own end of its own pipe (the parent's end, and the ends of the workers forked before it,
are closed in the child), so the parent's death is an end-of-file that ends `_serve`.
Workers ignore SIGINT and take SIGTERM's default action: a Ctrl-C or a `kill` reaches
the parent, which stops them.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

Task = Callable[[Any], Any]


@dataclass(frozen=True)
class TaskResult:
    key: str
    value: Any = None
    error: str | None = None


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    key: str | None = None
    deadline: float = 0.0


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _die_with_parent(parent_pid: int) -> None:
    """Ask Linux to SIGKILL this process when its parent dies; exit if it already has."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before the request took effect
        os._exit(1)


def _serve(func: Task, conn: Connection, parent_pid: int, inherited: list[Connection]) -> None:
    _die_with_parent(parent_pid)
    for other in inherited:  # so that the parent's death is an EOF on our pipe
        other.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    while True:
        try:
            payload = conn.recv()
        except (EOFError, OSError):
            return
        try:
            result: tuple[str, Any] = ("ok", func(payload))
        except Exception as exc:  # any failure of one task is that task's result
            result = ("error", f"{type(exc).__name__}: {exc}")
        try:
            _send(conn, result)
        except OSError:  # the parent closed the pipe (it stopped): leave without a word
            return


def _send(conn: Connection, result: tuple[str, Any]) -> None:
    """Send a result; one that cannot be pickled is sent as that task's error."""
    try:
        conn.send(result)
    except OSError:
        raise
    except Exception as exc:
        conn.send(("error", f"{type(exc).__name__}: {exc}"))


class WorkerPool:
    """A small pool of processes that run `func` with a per-task time budget."""

    def __init__(self, func: Task, *, workers: int, timeout: float) -> None:
        self._func = func
        self._size = max(1, workers)
        self._timeout = timeout
        self._ctx = multiprocessing.get_context("fork")
        self._idle: list[_Worker] = []
        self._busy: list[_Worker] = []

    def run(self, tasks: Iterable[tuple[str, Any]]) -> Iterator[TaskResult]:
        """Yield one TaskResult per (key, payload), in completion order."""
        pending = iter(tasks)
        exhausted = False
        try:
            while True:
                while not exhausted and len(self._busy) < self._size:
                    task = next(pending, None)
                    if task is None:
                        exhausted = True
                        break
                    self._start(*task)
                if not self._busy:
                    return
                yield from self._collect()
        finally:
            self.close()

    def close(self) -> None:
        for worker in self._idle + self._busy:
            worker.conn.close()
            worker.process.kill()
            worker.process.join()
        self._idle, self._busy = [], []

    def _start(self, key: str, payload: Any) -> None:
        worker = self._idle.pop() if self._idle else self._spawn()
        worker.key, worker.deadline = key, time.monotonic() + self._timeout
        try:
            worker.conn.send(payload)
        except (OSError, ValueError):
            self._discard(worker)
            worker = self._spawn()
            worker.key, worker.deadline = key, time.monotonic() + self._timeout
            worker.conn.send(payload)
        self._busy.append(worker)

    def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        inherited = [parent, *(w.conn for w in self._idle + self._busy)]
        process = self._ctx.Process(
            target=_serve, args=(self._func, child, os.getpid(), inherited), daemon=True
        )
        process.start()
        child.close()
        return _Worker(process, parent)

    def _collect(self) -> Iterator[TaskResult]:
        now = time.monotonic()
        budget = max(0.0, min(w.deadline for w in self._busy) - now)
        ready = wait([w.conn for w in self._busy], timeout=budget)
        for worker in list(self._busy):
            if worker.conn in ready:
                yield self._receive(worker)
            elif time.monotonic() >= worker.deadline:
                self._busy.remove(worker)
                self._discard(worker)
                yield TaskResult(str(worker.key), error=f"timed out after {self._timeout:g} s")

    def _receive(self, worker: _Worker) -> TaskResult:
        self._busy.remove(worker)
        key = str(worker.key)
        try:
            status, value = worker.conn.recv()
        except (EOFError, OSError):
            self._discard(worker)
            code = worker.process.exitcode
            return TaskResult(key, error=f"worker process died (exit code {code})")
        self._idle.append(worker)
        if status == "error":
            return TaskResult(key, error=str(value))
        return TaskResult(key, value=value)

    @staticmethod
    def _discard(worker: _Worker) -> None:
        worker.conn.close()
        worker.process.kill()
        worker.process.join()

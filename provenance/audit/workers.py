"""Run CPU-heavy work in worker processes, each task under a time budget.

A parser that hangs or crashes natively takes down one worker process, not the audit:
the task it held is reported as failed with a reason, the worker is replaced, and the
other tasks go on. Results come back in completion order; every task yields exactly one
`TaskResult`.
"""

from __future__ import annotations

import multiprocessing
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


def _serve(func: Task, conn: Connection) -> None:
    while True:
        try:
            payload = conn.recv()
        except EOFError:
            return
        try:
            conn.send(("ok", func(payload)))
        except Exception as exc:  # any failure of one task is that task's result
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
        process = self._ctx.Process(target=_serve, args=(self._func, child), daemon=True)
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

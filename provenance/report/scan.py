"""Progress of a scan, for people: one line, redrawn on a terminal."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TextIO

# A log (not a terminal) gets a line at most this often, and the last one.
_LOG_SECONDS = 10.0
_TERMINAL_SECONDS = 0.5


def progress_line(
    stream: TextIO, *, is_terminal: bool
) -> Callable[[Mapping[str, int], int, int], None]:
    """A progress callback for `run_scan`: "files 2/3, records 1204, copies 5, errors 1".

    On a terminal the line is redrawn in place; otherwise a line is written now and then
    and when the last file is done. Raises nothing.
    """
    every = _TERMINAL_SECONDS if is_terminal else _LOG_SECONDS
    last = [0.0]

    def show(counts: Mapping[str, int], done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < every and done < total:
            return
        last[0] = now
        line = (
            f"files {done}/{total}, records {counts.get('records_done', 0)},"
            f" copies {counts.get('copies', 0)}, errors {counts.get('errors', 0)}"
        )
        end = "\n" if done >= total or not is_terminal else ""
        stream.write(("\r" if is_terminal else "") + line + end)
        stream.flush()

    return show

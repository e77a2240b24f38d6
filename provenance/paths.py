"""Local paths as trust boundaries: paths named by content, files found in a walked tree.

A path written inside content (a `case.json`'s "copy" and "original") is resolved by
`resolve_inside` and nowhere else: it must stay inside the folder the content came from
(no absolute path, no `..`, no symlink leading out). Every file read on content's word or
found by walking a folder is opened by `read_regular`, which refuses FIFOs, devices and
sockets without blocking on them. `display_path` spells any path as valid UTF-8 (a file
name that is not UTF-8 keeps its bytes as `\\xNN` escapes), so keys and reports can be
written anywhere.

Each function raises InputError with a one-line reason; nothing else escapes.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path, PurePosixPath, PureWindowsPath

from .errors import InputError

__all__ = ["display_path", "inside", "read_regular", "resolve_inside"]


def display_path(path: str | os.PathLike[str]) -> str:
    """`path` as valid UTF-8 text; bytes that are not UTF-8 become `\\xNN` escapes."""
    raw = os.fsencode(path)
    return raw.decode("utf-8", errors="backslashreplace")


def inside(root: Path, path: Path) -> bool:
    """True when `path`, symlinks resolved, lies within `root` (resolved too)."""
    try:
        target = path.resolve()  # a dangling link still says where it points
        base = root.resolve()
    except (OSError, RuntimeError):
        return False
    return target == base or base in target.parents


def resolve_inside(root: Path, name: object) -> Path:
    """The file that content found in folder `root` names as `name`.

    Raises InputError when `name` is not a non-empty relative path string, holds a NUL
    or control character, climbs out with `..`, or resolves (symlinks followed) to
    something outside `root` or missing.
    """
    if not isinstance(name, str) or not name.strip():
        raise InputError(f"path {name!r} is not a file name")
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise InputError(f"path {name!r} holds control characters")
    if PurePosixPath(name).is_absolute() or PureWindowsPath(name).is_absolute():
        raise InputError(f"path {name!r} is absolute; only paths inside {display_path(root)}")
    if ".." in PurePosixPath(name.replace("\\", "/")).parts:
        raise InputError(f"path {name!r} climbs out of {display_path(root)} with '..'")
    candidate = root / name
    if not os.path.lexists(candidate):
        raise InputError(f"path {name!r}: no such file in {display_path(root)}")
    if not inside(root, candidate):
        raise InputError(f"path {name!r} leads out of {display_path(root)} (symlink)")
    return candidate


def read_regular(path: Path, limit: int) -> bytes:
    """At most `limit` + 1 bytes of the regular file `path` (the caller checks the size).

    Opened without blocking and checked after opening, so a FIFO, a device or a socket
    is refused instead of hanging the reader. Raises InputError when it cannot be read.
    """
    shown = display_path(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputError(f"{shown}: cannot read: {exc.strerror or exc}") from exc
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise InputError(f"{shown}: cannot read: not a regular file ({_kind(mode)})")
        os.set_blocking(fd, True)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    except OSError as exc:
        reason = exc.strerror or os.strerror(exc.errno or errno.EIO)
        raise InputError(f"{shown}: cannot read: {reason}") from exc
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a directory"),
    ):
        if test(mode):
            return name
    return "not a file"

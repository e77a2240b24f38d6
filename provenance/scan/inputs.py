"""SOURCE arguments of `scan` -> the WARC files to read.

A SOURCE is a WARC file (gzip-compressed or not), a folder (walked recursively, sorted,
hidden entries left out; its WARC files are those whose content starts a WARC record), a
text file listing paths or URLs one per line (`#` starts a comment; a relative path is
taken from the list's folder), or a URL such as s3a://bucket/key or hdfs://host/path,
which only the Spark engine reads (through Spark's filesystem layer).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..errors import InputError
from ..load import is_warc_file

_URL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_MAX_LIST_BYTES = 10_000_000


def is_url(source: str) -> bool:
    """True for a URL with a scheme (s3a://..., hdfs://..., file://...)."""
    return bool(_URL_RE.match(source))


def expand_sources(sources: Sequence[str]) -> list[str]:
    """The WARC files and URLs that `sources` name, each once, in the order given.

    Raises InputError for a path that does not exist, a folder without WARC files, or a
    file that is neither a WARC file nor a list of them.
    """
    found: dict[str, None] = {}
    for source in sources:
        for name in _expand(source):
            found.setdefault(name, None)
    if not found:
        raise InputError("no WARC file to scan")
    return list(found)


def _expand(source: str) -> Iterator[str]:
    if is_url(source):
        yield source
        return
    path = Path(source)
    if path.is_dir():
        files = [str(f) for f in _walk(path) if is_warc_file(str(f))]
        if not files:
            raise InputError(f"{source}: no WARC file in this folder")
        yield from files
    elif not path.is_file():
        raise InputError(f"{source}: no such file or folder")
    elif is_warc_file(source):
        yield source
    else:
        yield from _listed(path)


def _walk(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(f for f in filenames if not f.startswith(".")):
            yield Path(dirpath) / name


def _listed(path: Path) -> Iterator[str]:
    """The entries of a list file (each a WARC file, a folder or a URL)."""
    try:
        with path.open("rb") as fh:
            data = fh.read(_MAX_LIST_BYTES + 1)
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: neither a WARC file nor a list of them ({exc})") from exc
    if len(data) > _MAX_LIST_BYTES or "\x00" in text:
        raise InputError(f"{path}: neither a WARC file nor a list of them")
    for line in text.splitlines():
        entry = line.split("#", 1)[0].strip() if not is_url(line.strip()) else line.strip()
        if not entry:
            continue
        if is_url(entry) or Path(entry).is_absolute():
            yield from _expand(entry)
        else:
            yield from _expand(str(path.parent / entry))

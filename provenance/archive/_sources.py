"""What an import reads: directories, text files, WARC files and lists of URLs.

WARC files are read record by record by the load stage's reader. Yields Documents, or
(source, reason) pairs for items that could not be read, so one bad file never stops an
import.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from ..errors import FetchError, InputError, ProvenanceError
from ..load import WarcError, WarcReader, is_warc, load_documents
from ..load.warc import WARC_HEAD
from ..models import Document
from ..settings import Settings

Fetch = Callable[[str], tuple[bytes, str | None]]
"""Fetches a URL; returns (body, Content-Type). Raises FetchError when it cannot."""

Item = Document | tuple[str, str]

METADATA_FILE = "metadata.tsv"
_SUFFIXES = (".txt", ".text", ".html", ".htm", ".xhtml", ".json", ".xml", ".rss", ".atom")
_WARC_SUFFIXES = (".warc", ".warc.gz")
_URL_LIST_SUFFIX = ".urls"
_URL_LINE_RE = re.compile(r"https?://\S+")


def iter_items(paths: Sequence[Path], settings: Settings, fetch: Fetch | None) -> Iterator[Item]:
    """Yield every document under `paths` (directories are walked recursively, in sorted
    order), or a (path, reason) pair for what cannot be read."""
    for path in paths:
        if path.is_dir():
            for file in _walk(path):
                yield from _file_items(file, settings, fetch)
        elif path.is_file():
            yield from _file_items(path, settings, fetch)
        else:
            yield (str(path), "no such file or directory")


def _walk(root: Path) -> list[Path]:
    known = (*_SUFFIXES, *_WARC_SUFFIXES, _URL_LIST_SUFFIX)
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and p.name.lower().endswith(known) and not p.name.startswith(".")
    )


def _file_items(path: Path, settings: Settings, fetch: Fetch | None) -> Iterator[Item]:
    name = path.name.lower()
    try:
        if name.endswith(_WARC_SUFFIXES):
            yield from _warc_items(path, settings)
            return
        data = _read(path, settings)
        urls = _url_list(data) if name.endswith((".txt", ".text", _URL_LIST_SUFFIX)) else []
        if urls or name.endswith(_URL_LIST_SUFFIX):
            yield from _url_items(urls, settings, fetch)
            return
        url, published = _metadata(path)
        for doc in load_documents(
            data, source=str(path), settings=settings, url=url, original=True
        ):
            yield doc if doc.published or not published else replace(doc, published=published)
    except ProvenanceError as exc:
        yield (str(path), _reason(str(path), exc))
    except OSError as exc:
        yield (str(path), f"cannot read: {exc.strerror or type(exc).__name__}")


def _reason(source: str, exc: ProvenanceError) -> str:
    """The message of `exc` without the source it starts with: a skipped item is shown
    as "source: reason", naming the source once."""
    message = str(exc)
    if message.startswith(source):
        message = message[len(source) :].lstrip(": ")
    return message or type(exc).__name__


def _read(path: Path, settings: Settings) -> bytes:
    with path.open("rb") as fh:
        data = fh.read(settings.max_input_bytes + 1)
    if len(data) > settings.max_input_bytes:
        raise InputError(f"{path} is larger than {settings.max_input_bytes} bytes")
    return data


def _url_list(data: bytes) -> list[str]:
    """The lines of `data` when every non-empty line is an http(s) URL, else []."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return []
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines and all(_URL_LINE_RE.fullmatch(line) for line in lines):
        return lines
    return []


def _metadata(path: Path) -> tuple[str | None, datetime | None]:
    """URL and date of `path` from a metadata.tsv (columns path, url, date) in its folder
    or the folder above, as the shared corpus has (the file's own URL line wins)."""
    for folder in (path.parent, path.parent.parent):
        rows = _metadata_rows(folder / METADATA_FILE)
        if rows:
            url, date = rows.get(path.relative_to(folder).as_posix(), (None, None))
            return url, _date(date)
    return None, None


@lru_cache(maxsize=16)
def _metadata_rows(tsv: Path) -> dict[str, tuple[str | None, str | None]]:
    if not tsv.is_file():
        return {}
    with tsv.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        if not {"path", "url"} <= set(reader.fieldnames or ()):
            return {}
        return {
            row["path"]: (row.get("url") or None, row.get("date") or None)
            for row in reader
            if row.get("path")
        }


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _url_items(urls: list[str], settings: Settings, fetch: Fetch | None) -> Iterator[Item]:
    for url in urls:
        if fetch is None:
            yield (url, "offline: no fetcher to download it")
            continue
        try:
            body, content_type = fetch(url)
            yield from load_documents(
                body,
                source=url,
                settings=settings,
                content_type=content_type,
                url=url,
                original=True,
            )
        except FetchError as exc:
            yield (url, f"cannot fetch: {exc.reason}")
        except ProvenanceError as exc:
            yield (url, _reason(url, exc))


def _warc_items(path: Path, settings: Settings) -> Iterator[Item]:
    """HTML responses of a WARC file, each loaded with the URL it was captured from; a
    record that cannot be read is a (file#URL or file@offset, reason) pair."""
    with path.open("rb") as fh:
        if not is_warc(fh.read(WARC_HEAD)):
            yield (str(path), "not a readable WARC file: no WARC record header")
            return
        fh.seek(0)
        reader = WarcReader(fh, name=str(path), settings=settings)
        for record in reader:
            if isinstance(record, WarcError):
                yield (f"{path}@{record.offset}", record.reason)
                continue
            source = f"{path}#{record.url}"
            try:
                yield from load_documents(
                    record.body, source=source, settings=settings,
                    content_type=record.content_type, url=record.url or None, original=True,
                )  # fmt: skip
            except ProvenanceError as exc:
                yield (source, _reason(source, exc))

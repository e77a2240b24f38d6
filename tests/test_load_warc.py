"""The load stage's WARC reader: HTML responses one at a time, bounded bodies, and every
broken record named by its offset while reading goes on."""

from __future__ import annotations

import gzip
import io
import zlib

import pytest
from warcs import http_response, warc_member

from provenance.errors import InputError
from provenance.load import WarcError, WarcReader, WarcRecord, is_warc, load_documents
from provenance.settings import Settings

SETTINGS = Settings(offline=True, cache_dir=None)
PAGE = b"<html><body><article><p>The council voted on Tuesday to expand bus service.</p></article></body></html>"


def _read(
    data: bytes, settings: Settings = SETTINGS
) -> tuple[list[WarcRecord | WarcError], WarcReader]:
    reader = WarcReader(io.BytesIO(data), name="t.warc.gz", settings=settings)
    return list(reader), reader


def _summary(items: list[WarcRecord | WarcError]) -> list[tuple[str, int, str]]:
    return [
        (type(i).__name__, i.offset, i.reason if isinstance(i, WarcError) else i.url) for i in items
    ]


def test_html_responses_with_their_offsets_others_skipped() -> None:
    members = [
        warc_member("https://a.example/1", http_response(PAGE), 1),
        warc_member("https://a.example/logo", http_response(b"png", content_type="image/png"), 2),
        warc_member("https://a.example/404", http_response(PAGE, status="404 Not Found"), 3),
        warc_member(
            "https://a.example/x", http_response(PAGE, content_type="application/xhtml+xml"), 4
        ),
    ]
    items, reader = _read(b"".join(members))
    offsets = [0, len(members[0]), len(members[0]) + len(members[1]) + len(members[2])]
    assert _summary(items) == [
        ("WarcRecord", offsets[0], "https://a.example/1"),
        ("WarcRecord", offsets[2], "https://a.example/x"),
    ]
    assert (reader.records, reader.skipped) == (4, 2)
    first = items[0]
    assert isinstance(first, WarcRecord)
    assert (first.body, first.date) == (PAGE, "2025-03-01T12:00:00Z")


def test_uncompressed_warc_and_sniffing() -> None:
    plain = gzip.decompress(warc_member("https://a.example/1", http_response(PAGE), 1))
    items, _ = _read(plain + plain)
    assert [type(i).__name__ for i in items] == ["WarcRecord", "WarcRecord"]
    assert is_warc(plain[:2048]) and is_warc(warc_member("u", b"", 1))
    assert not is_warc(gzip.compress(PAGE)) and not is_warc(b"<html>")


def test_content_and_transfer_encodings_are_undone() -> None:
    chunked = (
        b"10\r\n"
        + PAGE[:16]
        + b"\r\n"
        + f"{len(PAGE) - 16:x}".encode()
        + b"\r\n"
        + PAGE[16:]
        + b"\r\n0\r\n\r\n"
    )
    members = [
        warc_member("https://a.example/gz", http_response(gzip.compress(PAGE), extra="Content-Encoding: gzip\r\n"), 1),
        warc_member("https://a.example/deflate", http_response(zlib.compress(PAGE), extra="Content-Encoding: deflate\r\n"), 2),
        warc_member("https://a.example/chunked", http_response(chunked, extra="Transfer-Encoding: chunked\r\n"), 3),
    ]  # fmt: skip
    items, _ = _read(b"".join(members))
    assert [getattr(i, "body", None) for i in items] == [PAGE, PAGE, PAGE]


def test_broken_records_are_errors_and_reading_goes_on() -> None:
    good = warc_member("https://a.example/good", http_response(PAGE), 1)
    bad_header = warc_member("https://a.example/bad", b"NOT HTTP\r\n\x00\r\n\r\n<p>x</p>", 2)
    bomb = http_response(gzip.compress(b"a" * 3_000_000), extra="Content-Encoding: gzip\r\n")
    cut_member = warc_member("https://a.example/cut", http_response(PAGE), 3)[:60]
    data = good + bad_header + warc_member("https://a.example/bomb", bomb, 4) + cut_member + good
    items, _ = _read(data, Settings(max_input_bytes=1_000_000))
    at = [0, len(good), len(good) + len(bad_header)]
    resumed = len(data) - len(good)
    assert _summary(items) == [
        ("WarcRecord", 0, "https://a.example/good"),
        ("WarcError", at[1], "broken HTTP header"),
        ("WarcError", at[2], "body larger than 1000000 bytes"),
        ("WarcError", resumed - len(cut_member), "unreadable WARC data: Gzip decompression error: data error"),
        ("WarcRecord", resumed, "https://a.example/good"),
    ]  # fmt: skip


def test_a_file_cut_in_the_middle_of_a_record() -> None:
    member = gzip.decompress(warc_member("https://a.example/cut", http_response(PAGE * 4), 1))
    items, _ = _read(gzip.compress(member[: len(member) - 100]))
    [error] = items
    assert isinstance(error, WarcError)
    assert error.reason.startswith("truncated record:")


def test_load_documents_reads_warc_bytes_record_by_record() -> None:
    first = warc_member("https://a.example/1", http_response(PAGE), 1)
    data = first + warc_member("https://a.example/2", b"NOT HTTP\r\n\r\n", 2)
    errors: list[InputError] = []
    [doc] = load_documents(data, source="crawl.warc.gz", settings=SETTINGS, on_error=errors.append)
    assert (doc.url, doc.source) == ("https://a.example/1", "crawl.warc.gz@0")
    assert [str(e) for e in errors] == [
        f"crawl.warc.gz@{len(first)} (https://a.example/2): broken HTTP header"
    ]
    with pytest.raises(InputError, match="broken HTTP header"):
        load_documents(data, source="crawl.warc.gz", settings=SETTINGS)

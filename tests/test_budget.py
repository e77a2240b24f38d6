"""The resource budget (docs/robustness.md): inputs of at most ~10 MB that used to take
gigabytes stay far below 1 GB, and every cut is named. Each peak is appended to the file
named by $PROVENANCE_BUDGET_RESULTS, if set (for scripts/robustness_report.py).

Each case runs the real command in a subprocess under an address-space limit (a guard for
the machine, well above the budget) and reads that process's peak RSS from `wait4`: the
assertion is on memory, never on time. Walks that a lying server could make endless are
checked by counting the requests.
"""

from __future__ import annotations

import gzip
import json
import os
import resource
import subprocess
import sys
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from servers import LoopbackServer, Reply

from provenance.audit.sources import (
    MAX_API_PAGES,
    MAX_SITEMAPS,
    MAX_SOURCE_ITEMS,
    SourceItem,
    iter_source_items,
)
from provenance.settings import Settings

pytestmark = pytest.mark.slow

BUDGET_MB = 1024  # no input of at most 10 MB takes the process past this
GUARD_BYTES = 6 * 1024**3  # RLIMIT_AS: protects the machine when the budget is broken
RUN_TIMEOUT = 300.0  # a guard against hangs, not a timing assertion
STORY = "".join(
    f"<p>The council voted on Tuesday to expand bus service, paragraph {n} of the story, "
    "adding routes to the northern suburbs and extending evening hours on weekdays.</p>"
    for n in range(4)
)


@dataclass(frozen=True)
class Measured:
    code: int
    stdout: str
    stderr: str
    peak_mb: float


def measured(tmp_path: Path, *args: str) -> Measured:
    """Run `provenance ARGS` under RLIMIT_AS; return its exit, output and peak RSS (MB,
    the largest of the process and the workers it waited for)."""
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "xdg-data"),
               XDG_CACHE_HOME=str(tmp_path / "xdg-cache"))  # fmt: skip
    out, err = tmp_path / "stdout.txt", tmp_path / "stderr.txt"

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (GUARD_BYTES, GUARD_BYTES))

    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "provenance.cli", *args],
            env=env,
            stdout=stdout,
            stderr=stderr,
            preexec_fn=limit,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    result = Measured(
        proc.returncode,
        out.read_text(encoding="utf-8", errors="replace"),
        err.read_text(encoding="utf-8", errors="replace"),
        usage.ru_maxrss / 1024,  # kilobytes on Linux
    )
    _record(result)
    return result


def _record(result: Measured) -> None:
    """Append the measurement to $PROVENANCE_BUDGET_RESULTS (scripts/robustness_report.py)."""
    target = os.environ.get("PROVENANCE_BUDGET_RESULTS")
    if target:
        case = os.environ.get("PYTEST_CURRENT_TEST", "?").split("::")[-1].split(" ")[0]
        entry = {"case": case, "exit": result.code, "peak_mb": round(result.peak_mb)}
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry) + "\n")


# ---- WARC: a gzip-encoded record body -------------------------------------------------------


def _gzip_of_zeros(size: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = bytes(1 << 20)
    parts = [packer.compress(chunk) for _ in range(size >> 20)]
    return b"".join([*parts, packer.flush()])


def _warc_record(uri: str, http: bytes) -> bytes:
    head = (
        "WARC/1.0\r\nWARC-Type: response\r\n"
        f"WARC-Target-URI: {uri}\r\nWARC-Date: 2024-01-01T00:00:00Z\r\n"
        f"WARC-Record-ID: <urn:uuid:{abs(hash(uri)):032x}>\r\n"
        "Content-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(http)}\r\n\r\n"
    ).encode()
    return gzip.compress(head + http + b"\r\n\r\n")


def test_a_warc_record_that_decodes_to_gigabytes(tmp_path: Path) -> None:
    bomb = _gzip_of_zeros(1536 << 20)  # 1.5 GB of zeros, about 1.5 MB gzip-encoded
    http_bomb = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
        + f"Content-Length: {len(bomb)}\r\n\r\n".encode()
        + bomb
    )
    page = f"<html><head><title>Buses</title></head><body>{STORY}</body></html>".encode()
    http_page = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + page
    warc = tmp_path / "bomb.warc.gz"
    warc.write_bytes(
        _warc_record("http://x.example/bomb", http_bomb)
        + _warc_record("http://x.example/page", http_page)
    )
    assert warc.stat().st_size < 100_000
    run = measured(tmp_path, "archive", "import", str(warc), "--offline",
                   "--archive", str(tmp_path / "a.sqlite"), "--workers", "0")  # fmt: skip
    assert run.code == 0, run.stderr[-800:]
    assert "body larger than 50000000 bytes" in run.stderr
    assert run.stdout.startswith("1 added"), run.stdout
    assert run.peak_mb < BUDGET_MB, f"peak RSS {run.peak_mb:.0f} MB"


# ---- feeds: a big channel head, a huge item count --------------------------------------------


def test_a_feed_head_is_not_copied_into_every_item(tmp_path: Path) -> None:
    head = "<title>Feed</title><description>" + "lorem ipsum " * 350_000 + "</description>"
    items = "".join(
        f"<item><title>Story {n}</title><link>https://x.example/{n}</link>"
        f"<description><![CDATA[{STORY}]]></description></item>"
        for n in range(300)
    )
    feed = tmp_path / "feed.xml"
    feed.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel>{head}{items}'
                    "</channel></rss>", encoding="utf-8")  # fmt: skip
    assert 4_000_000 < feed.stat().st_size < 10_000_000
    out = tmp_path / "report.json"
    run = measured(tmp_path, "audit", str(feed), "--offline", "--no-state", "--json", str(out))
    assert run.code in (0, 1), run.stderr[-800:]
    report = json.loads(out.read_text(encoding="utf-8"))
    assert len(report["items"]) == 300
    assert all(item["status"] != "error" for item in report["items"])
    assert run.peak_mb < BUDGET_MB, f"peak RSS {run.peak_mb:.0f} MB"


def test_a_feed_of_350k_items_is_read_up_to_its_cap(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    items = "<item><title>x</title></item>" * 350_000
    feed.write_text(f"<rss><channel>{items}</channel></rss>", encoding="utf-8")
    out = tmp_path / "report.json"
    run = measured(tmp_path, "audit", str(feed), "--offline", "--no-state", "--json", str(out))
    assert run.code == 1, run.stderr[-800:]
    report = json.loads(out.read_text(encoding="utf-8"))
    cut = [i for i in report["items"] if i["key"].endswith("#rest")]
    assert len(report["items"]) == 1001
    assert cut and cut[0]["error"] == (
        "not read: the feed items after the first 1000 of 350000 (limit MAX_ITEMS=1000)"
    )
    assert run.peak_mb < BUDGET_MB, f"peak RSS {run.peak_mb:.0f} MB"


# ---- walks a lying server could make endless --------------------------------------------------


@dataclass
class _Page:
    url: str
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    content_type: str | None = "application/json"
    status_code: int = 200

    @property
    def final_url(self) -> str:
        return self.url


class _LyingSite:
    """A posts endpoint whose X-WP-TotalPages is a million and whose every page holds
    one new post (a PageFetcher, counting requests)."""

    def __init__(self) -> None:
        self.requests = 0

    def fetch_page(self, url: str, *, trusted: bool = False) -> _Page:
        self.requests += 1
        post = {"id": self.requests, "link": f"https://x.example/{self.requests}",
                "content": {"rendered": "<p>x</p>"}}  # fmt: skip
        return _Page(url, json.dumps([post]).encode(), {"x-wp-totalpages": "1000000"})


def test_x_wp_totalpages_cannot_send_the_walk_for_a_million_pages() -> None:
    site = _LyingSite()
    source = "https://x.example/wp-json/wp/v2/posts"
    items = list(iter_source_items(source, settings=Settings(), fetcher=site))
    assert site.requests == MAX_API_PAGES + 1  # the source itself, then the pages
    assert items[-1].error == (
        f"not read: the posts after the first {MAX_API_PAGES} pages of 100000000 "
        f"(limit MAX_API_PAGES={MAX_API_PAGES})"
    )


def test_a_sitemap_index_listing_itself_is_fetched_once(tmp_path: Path) -> None:
    with LoopbackServer() as server:
        index = server.url("/sitemap.xml")
        locs = "".join(f"<sitemap><loc>{index}</loc></sitemap>" for _ in range(50))
        server.route("/sitemap.xml", Reply(
            body=f"<sitemapindex>{locs}</sitemapindex>".encode(),
            content_type="application/xml",
        ))  # fmt: skip
        run = measured(tmp_path, "audit", index, "--offline", "--no-state")
        assert server.hits("/sitemap.xml") == 1  # was 50 + 50^2 + 50^3
    assert run.code == 0, run.stderr[-800:]


def test_sitemaps_per_source_are_capped(tmp_path: Path) -> None:
    """An index of 3,000 distinct sitemaps: MAX_SITEMAPS are fetched, the cut is an item."""

    class Sitemaps:
        requests = 0

        def fetch_page(self, url: str, *, trusted: bool = False) -> _Page:
            self.requests += 1
            if url.endswith("/index.xml"):
                locs = "".join(f"<sitemap><loc>/s{n}.xml</loc></sitemap>" for n in range(3000))
                return _Page(url, f"<sitemapindex>{locs}</sitemapindex>".encode())
            return _Page(url, b"<urlset></urlset>")

    site = Sitemaps()
    items = list(iter_source_items("https://x.example/index.xml", settings=Settings(),
                                   fetcher=site))  # fmt: skip
    assert site.requests == MAX_SITEMAPS  # the index counts as one of them
    assert [i.error for i in items] == [
        f"not read: the sitemaps after the first {MAX_SITEMAPS} (limit MAX_SITEMAPS={MAX_SITEMAPS})"
    ]


def test_a_jsonl_file_is_read_up_to_its_cap(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    line = json.dumps({"url": "https://x.example/", "html": "<p>x</p>"})
    path.write_text((line + "\n") * (MAX_SOURCE_ITEMS + 5), encoding="utf-8")
    items: list[SourceItem] = list(
        iter_source_items(str(path), settings=Settings(), fetcher=_LyingSite())
    )
    assert len(items) == MAX_SOURCE_ITEMS + 1
    assert items[-1].error == (
        f"not read: the lines after the first {MAX_SOURCE_ITEMS} "
        f"(limit MAX_SOURCE_ITEMS={MAX_SOURCE_ITEMS})"
    )

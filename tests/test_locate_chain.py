"""Chains and versions: a copy of a copy (A -> B -> C) is reported as the chain it is, and
an original that changed after it was copied is compared in the version the copy was
made from (two archived versions; a Wayback snapshot of a live page).

Origin sites are impersonated on 127.0.0.1 (`resolve_overrides`); the archive is a real
SQLite archive.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from servers import LoopbackServer, Reply

from provenance.archive import Archive
from provenance.fetch import Fetcher
from provenance.load import load_documents
from provenance.models import Document, Paragraph
from provenance.pipeline import check_document
from provenance.report import report_to_dict
from provenance.settings import Settings

HOSTS = ("news.example.com", "mid.example.org", "copy.example.net", "archive.org",
         "web.archive.org")  # fmt: skip
A_URL = "http://news.example.com/2025/03/03/harbour-bridge"
B_URL = "http://mid.example.org/stories/harbour-bridge"
STORY = [
    "The city council voted on Tuesday to close the old harbour bridge to cars from next spring.",
    "Engineers told councillors that the steel girders had corroded faster than expected.",
    "“We cannot keep patching a structure built for another century,” said the mayor.",
    "Cyclists and pedestrians will still be able to cross while a replacement is designed.",
    "The replacement is expected to cost about 40 million euros and take four years to build.",
]
# The original as it reads after a write-through: two paragraphs replaced, one added.
REVISED = [
    STORY[0],
    "Council engineers now say the girders must be replaced within the year, not patched.",
    STORY[2],
    "Ferry services will run every twenty minutes while the bridge is closed to everyone.",
    "Officials said the cost estimate had risen to 65 million euros after a new survey.",
    "A public consultation on the design opens next month.",
]


def _page(title: str, paragraphs: list[str], tail: str = "") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html><head><title>{title}</title></head><body><article><h1>{title}"
        f"</h1>{body}{tail}</article></body></html>"
    ).encode()


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as srv:
        yield srv


def _settings(tmp_path: Path, server: LoopbackServer, wayback: str = "") -> Settings:
    return Settings(
        cache_dir=tmp_path / "cache", per_host_delay=0.0, max_retries=0, connect_timeout=1.0,
        read_timeout=2.0, wayback_url=wayback,
        resolve_overrides=tuple((h, server.host) for h in HOSTS),
    )  # fmt: skip


def _copy(paragraphs: list[str], tail: str, settings: Settings) -> Document:
    post = {
        "id": 3, "date_gmt": "2025-03-05T09:00:00", "link": "http://copy.example.net/bridge",
        "title": {"rendered": "Harbour bridge to close"},
        "content": {"rendered": "".join(f"<p>{p}</p>" for p in paragraphs) + tail},
    }  # fmt: skip
    [doc] = load_documents(json.dumps(post).encode(), source="copy.json", settings=settings)
    return doc


def test_a_copy_of_a_copy_is_reported_as_a_three_hop_chain(
    server: LoopbackServer, tmp_path: Path
) -> None:
    credit_a = (
        f'<p>This article was originally published by <a href="{A_URL}">Example News</a>.</p>'
    )
    credit_b = f'<p>This post appeared first on <a href="{B_URL}">Mid Daily</a>.</p>'
    server.route("/2025/03/03/harbour-bridge", Reply(body=_page("Harbour bridge to close", STORY)))
    server.route("/stories/harbour-bridge", Reply(body=_page("Harbour bridge", STORY, credit_a)))
    settings = _settings(tmp_path, server)
    copy = _copy(STORY[:4], credit_b, settings)

    with Fetcher(settings) as fetcher:
        report = check_document(copy, settings=settings, fetcher=fetcher)

    assert report.original is not None, report.attempts
    assert report.original.document.url == B_URL
    chain = [(h.url, h.found_by) for h in report.original.chain]
    assert chain == [
        ("http://copy.example.net/bridge", "copy"),
        (B_URL, "link"),
        (A_URL, "link"),
    ]
    assert [h.publisher for h in report.original.chain] == [
        "example.net", "example.org", "example.com"
    ]  # fmt: skip
    # The origin is the start of the chain: B credits A.
    assert report.evidence.origin.domain == "example.com"
    data = report_to_dict(report)
    assert [h["url"] for h in data["original"]["chain"]] == [
        "http://copy.example.net/bridge", B_URL, A_URL
    ]  # fmt: skip


def test_a_chain_stops_where_the_source_link_is_not_the_source(
    server: LoopbackServer, tmp_path: Path
) -> None:
    other = "http://news.example.com/2025/03/03/city-budget"
    credit = f'<p>This article was originally published by <a href="{other}">Example News</a>.</p>'
    server.route("/2025/03/03/city-budget", Reply(body=_page("City budget", [
        "The city budget for next year was approved by a narrow margin on Monday evening.",
        "Spending on schools rises by four percent while road repairs are cut back sharply.",
    ])))  # fmt: skip
    server.route("/stories/harbour-bridge", Reply(body=_page("Harbour bridge", STORY, credit)))
    settings = _settings(tmp_path, server)
    copy = _copy(STORY, f'<p>This post appeared first on <a href="{B_URL}">Mid</a>.</p>', settings)

    with Fetcher(settings) as fetcher:
        report = check_document(copy, settings=settings, fetcher=fetcher)

    assert report.original is not None
    assert [h.url for h in report.original.chain] == ["http://copy.example.net/bridge", B_URL]
    assert ("chain", other, "rejected") in {(a.strategy, a.target, a.outcome) for a in
                                            report.original.attempts + report.attempts}  # fmt: skip


def _doc(paragraphs: list[str]) -> Document:
    return Document(
        source=A_URL, kind="html", url=A_URL, title="Harbour bridge to close",
        paragraphs=tuple(Paragraph(i, p) for i, p in enumerate(paragraphs)),
    )  # fmt: skip


def test_a_changed_original_is_compared_in_the_archived_version_the_copy_was_made_from(
    tmp_path: Path,
) -> None:
    settings = Settings(offline=True, cache_dir=None)
    with Archive.open(tmp_path / "originals.sqlite", settings=settings) as archive:
        assert archive.add_document(_doc(STORY)) == "added"
        assert archive.add_document(_doc(REVISED)) == "updated"
        copy = _copy(STORY, f'<p>This article was originally published by <a href="{A_URL}">'
                            "Example News</a>.</p>", settings)  # fmt: skip
        report = check_document(copy, settings=settings, archive=archive)

    found = report.original
    assert found is not None, report.attempts
    assert (found.version, found.versions) == (1, 2)
    assert [(v.number, v.used) for v in found.compared] == [(2, False), (1, True)]
    assert found.compared[1].similarity > found.compared[0].similarity
    assert [p.text for p in found.document.paragraphs] == STORY
    changed = [f for f in report.findings if f.code == "original-changed"]
    assert len(changed) == 1 and "archive version 1" in changed[0].message
    assert report.verdict.value == "faithful"
    data = report_to_dict(report)["original"]
    assert (data["version"], data["versions"]) == (1, 2)
    assert [c["used"] for c in data["compared"]] == [False, True]


def test_an_unchanged_original_reports_its_version_and_no_change(tmp_path: Path) -> None:
    settings = Settings(offline=True, cache_dir=None)
    with Archive.open(tmp_path / "originals.sqlite", settings=settings) as archive:
        archive.add_document(_doc(STORY))
        archive.add_document(_doc(REVISED))
        copy = _copy(REVISED, f'<p>Originally published by <a href="{A_URL}">Example News</a>.'
                              "</p>", settings)  # fmt: skip
        report = check_document(copy, settings=settings, archive=archive)
    assert report.original is not None
    assert (report.original.version, report.original.versions) == (2, 2)
    assert "original-changed" not in {f.code for f in report.findings}


def test_a_live_original_that_changed_is_compared_in_its_wayback_snapshot(
    server: LoopbackServer, tmp_path: Path
) -> None:
    snapshot = f"http://web.archive.org/web/20250304120000/{A_URL}"
    server.route("/2025/03/03/harbour-bridge", Reply(body=_page("Harbour bridge", REVISED)))
    server.route("/wayback/available", Reply(body=json.dumps({"archived_snapshots": {"closest": {
        "available": True, "url": snapshot, "timestamp": "20250304120000", "status": "200"}}}
    ).encode(), content_type="application/json"))  # fmt: skip
    server.route(f"/web/20250304120000id_/{A_URL}", Reply(body=_page("Harbour bridge", STORY)))
    settings = _settings(tmp_path, server, wayback="http://archive.org/wayback/available")
    copy = _copy(STORY, f'<p>Originally published by <a href="{A_URL}">Example News</a>.</p>',
                 settings)  # fmt: skip

    with Fetcher(settings) as fetcher:
        report = check_document(copy, settings=settings, fetcher=fetcher)

    found = report.original
    assert found is not None, report.attempts
    assert [(v.source, v.used) for v in found.compared] == [("live", False), ("wayback", True)]
    assert found.compared[1].captured == "20250304120000"
    assert "original-changed" in {f.code for f in report.findings}
    assert report.verdict.value == "faithful"

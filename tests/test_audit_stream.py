"""The audit streams (issue 14): records spooled to disk, writers fed item by item."""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from test_report_audit import audit_result

from provenance.audit import AuditOptions, AuditResult, run_audit, summarise
from provenance.audit.policy import load_policy
from provenance.audit.run import RecordSpool, compact_records
from provenance.audit.state import StoredReport
from provenance.models import SCHEMA_VERSION
from provenance.report import iter_audit, render_audit
from provenance.report.audit import _record_json, render_fragment
from provenance.report.fragments import (
    join_fragment,
    render_version,
    split_fragment,
    usable_fragment,
)
from provenance.report.serialize import dumps, jsonable
from provenance.settings import Settings


def _spooled(result: AuditResult) -> AuditResult:
    spool = RecordSpool()
    for record in reversed(result.records):  # any order in; worst first out
        spool.add(record)
    spool.seal()
    return AuditResult(spool, result.checked, result.reused, result.sources, spool.summary())


def test_spool_gives_back_every_record_worst_first_and_counts_the_summary() -> None:
    result = audit_result()
    spooled = _spooled(result)
    assert list(spooled.records) == list(result.records)
    assert spooled.summary == summarise(result.records)
    assert spooled.records[-1] == result.records[-1]
    assert [r.report for r in compact_records(spooled.records)] == [None] * len(result.records)
    assert [r.status for r in compact_records(spooled.records)] == [
        r.status for r in result.records
    ]
    assert spooled.failed is result.failed is True


def test_json_written_in_pieces_is_the_whole_document() -> None:
    result = audit_result()
    whole = {
        "schema_version": SCHEMA_VERSION,
        "audit": {
            "sources": list(result.sources),
            "checked": result.checked,
            "reused": result.reused,
            "summary": dict(result.summary),
        },
        "items": [_record_json(r, rules=True) for r in result.records],
    }
    expected = dumps(whole) + "\n"
    pieces = list(iter_audit(_spooled(result), "json"))
    assert len(pieces) > len(result.records)
    assert "".join(pieces) == expected == render_audit(result, "json")
    empty = AuditResult((), 0, 0)
    assert json.loads(render_audit(empty, "json"))["items"] == []


def test_every_format_is_the_same_spooled_or_not() -> None:
    result = audit_result()
    spooled = _spooled(result)
    for fmt in ("json", "jsonl", "markdown", "junit", "html", "text"):
        assert "".join(iter_audit(spooled, fmt)) == render_audit(result, fmt), fmt


# ---- a reused item is read, not rebuilt (its report rendered once, when checked) -------

_CASES = Path(__file__).resolve().parents[1] / "cases"
_SOME_CASES = (
    "real-nato-seed-vs-lapost",  # WordPress JSON with CNN markup, edited paragraphs
    "synthetic-moved-1",
    "synthetic-quote-1",
    "synthetic-added-1",
    "synthetic-unrelated-1",
)
_FORMATS = ("json", "jsonl", "markdown", "junit", "html", "text")


@pytest.fixture
def cases_audit(tmp_path: Path) -> tuple[list[str], Settings, AuditOptions]:
    folder = tmp_path / "cases"
    for name in _SOME_CASES:
        shutil.copytree(_CASES / name, folder / name)
    (folder / "broken.json").write_text("{not json", encoding="utf-8")  # an item's error
    settings = Settings(offline=True, archive_path=tmp_path / "archive.sqlite", cache_dir=None)
    options = AuditOptions(
        policy=load_policy(None), state_path=tmp_path / "state.sqlite", workers=1
    )
    return [str(folder)], settings, options


def _outputs(result: AuditResult) -> dict[str, str]:
    return {fmt: "".join(iter_audit(result, fmt)) for fmt in _FORMATS}


def _rendered_again(result: AuditResult) -> AuditResult:
    """`result` with every record's fragment dropped: the writers render each report."""
    records = [replace(r, rendered=None) for r in result.records]
    return AuditResult(records, result.checked, result.reused, result.sources, result.summary)


def test_checked_and_reused_items_write_what_their_reports_render(
    cases_audit: tuple[list[str], Settings, AuditOptions],
) -> None:
    sources, settings, options = cases_audit
    first = run_audit(sources, settings=settings, options=options)
    assert (first.checked, first.reused) == (len(_SOME_CASES) + 1, 0)
    with_report = [r for r in first.records if r.report is not None]
    assert len(with_report) == len(_SOME_CASES)
    assert all(usable_fragment(r) is not None for r in with_report)
    assert _outputs(first) == _outputs(_rendered_again(first))

    again = run_audit(sources, settings=settings, options=options)
    assert (again.checked, again.reused) == (0, len(_SOME_CASES) + 1)
    reused = [r for r in again.records if r.report is not None]
    assert len(reused) == len(_SOME_CASES) and all(r.reused for r in reused)
    assert all(isinstance(r.report, StoredReport) for r in reused)
    assert all(usable_fragment(r) is not None for r in reused)
    fast = _outputs(again)
    assert fast == _outputs(_rendered_again(again))
    # The rerun's reports are the first run's, and so is every output but its counts.
    assert [None if r.report is None else dict(r.report) for r in again.records] == [
        jsonable(r.report) for r in first.records
    ]
    counts = ("checked 6, reused 0", "checked 0, reused 6")
    assert fast["html"] == _outputs(first)["html"].replace(*counts)


def _state_after_two_runs(
    cases_audit: tuple[list[str], Settings, AuditOptions],
) -> tuple[dict[str, str], sqlite3.Connection]:
    """The outputs of a rerun that reuses every item, and the state it left, opened."""
    sources, settings, options = cases_audit
    run_audit(sources, settings=settings, options=options)
    expected = _outputs(run_audit(sources, settings=settings, options=options))
    assert options.state_path is not None
    return expected, sqlite3.connect(options.state_path)


def test_the_page_and_summary_of_a_reused_item_come_from_its_fragment(
    cases_audit: tuple[list[str], Settings, AuditOptions],
) -> None:
    sources, settings, options = cases_audit
    expected, db = _state_after_two_runs(cases_audit)
    try:
        with db:  # reports nobody can parse: only a writer that parses them notices
            db.execute("""UPDATE fragments SET report = '{"not": "a report"}'""")
    finally:
        db.close()
    again = run_audit(sources, settings=settings, options=options)
    assert again.reused == len(_SOME_CASES) + 1
    written = _outputs(again)
    assert written["html"] == expected["html"]
    assert written["text"] == expected["text"]
    assert written["json"].count('"report": {"not": "a report"},') == len(_SOME_CASES)
    assert written["jsonl"].count('"report":{"not":"a report"},') == len(_SOME_CASES)


def test_fragments_of_other_code_or_lost_are_not_used(
    cases_audit: tuple[list[str], Settings, AuditOptions],
) -> None:
    sources, settings, options = cases_audit
    expected, db = _state_after_two_runs(cases_audit)
    try:
        with db:  # as if another version of the tool had rendered them
            db.execute("UPDATE fragments SET version = 'another version', parts = '{}'")
        stale = run_audit(sources, settings=settings, options=options)
        assert stale.reused == len(_SOME_CASES) + 1
        assert all(usable_fragment(r) is None for r in stale.records)
        assert _outputs(stale) == expected

        with db:  # an entry whose fragment is gone is checked again
            [key] = db.execute("SELECT key FROM fragments LIMIT 1").fetchone()
            db.execute("DELETE FROM fragments WHERE key = ?", (key,))
        lost = run_audit(sources, settings=settings, options=options)
        assert (lost.checked, lost.reused) == (1, len(_SOME_CASES))
        assert [r.key for r in lost.records if not r.reused and r.report is not None] == [key]
    finally:
        db.close()


def test_a_fragment_splits_for_the_state_and_joins_back() -> None:
    result = audit_result()
    report = next(r.report for r in result.records if r.report is not None)
    assert report is not None
    fragment = render_fragment(report)
    assert fragment is not None and fragment["version"] == render_version()
    assert json.loads(fragment["json"]) == jsonable(report)
    assert join_fragment(*split_fragment(fragment)) == fragment
    _, text, body, parts = split_fragment(fragment)
    assert "\x00item\x00" in body and "body" not in json.loads(parts)["item"]
    assert join_fragment("another version", text, body, parts) is None
    assert render_fragment({"verdict": "faithful"}) is None  # not a report: rendered later

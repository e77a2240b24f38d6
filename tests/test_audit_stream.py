"""The audit streams (issue 14): records spooled to disk, writers fed item by item."""

from __future__ import annotations

import json

from test_report_audit import audit_result

from provenance.audit import AuditResult, summarise
from provenance.audit.run import RecordSpool, compact_records
from provenance.models import SCHEMA_VERSION
from provenance.report import iter_audit, render_audit
from provenance.report.audit import _record_json
from provenance.report.serialize import dumps


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

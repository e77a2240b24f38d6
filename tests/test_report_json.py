"""JSON report: exact field set, determinism, round-trip, formats of dates and floats."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from report_fixtures import COPY_URL, bare_report, cnn_report

from provenance.errors import SettingsError
from provenance.models import Marker, Scores
from provenance.report import FORMATS, render_report, report_to_dict

TOP_KEYS = {
    "schema_version", "copy", "evidence", "origin", "original", "attempts", "alignment",
    "scores", "verdict", "credit", "findings",
}  # fmt: skip
COPY_KEYS = {"source", "kind", "url", "title", "published", "paragraphs", "repairs", "notes"}
ATTRIBUTION_KEYS = {"text", "origin", "name", "url", "kind", "paragraph_index", "language"}
MATCH_KEYS = {
    "copy_index", "original_index", "copy_text", "original_text", "status", "similarity",
    "moved", "diff", "quote_changes", "sentences",
}  # fmt: skip


def test_exact_field_sets() -> None:
    data = report_to_dict(cnn_report())
    assert set(data) == TOP_KEYS
    assert set(data["copy"]) == COPY_KEYS
    assert set(data["evidence"]) == {"attributions", "markers", "signals"}
    assert {frozenset(a) for a in data["evidence"]["attributions"]} == {frozenset(ATTRIBUTION_KEYS)}
    assert set(data["evidence"]["signals"][0]) == {"kind", "value", "domain", "publisher"}
    assert set(data["origin"]) == {
        "publisher",
        "domain",
        "confidence",
        "supported_by",
        "contradictions",
    }
    assert set(data["original"]) == {
        "url",
        "title",
        "found_by",
        "paragraphs",
        "chain",
        "version",
        "versions",
        "compared",
        "published",
    }
    assert {frozenset(a) for a in data["attempts"]} == {
        frozenset({"strategy", "target", "outcome", "reason"})
    }
    assert {frozenset(m) for m in data["alignment"]} == {frozenset(MATCH_KEYS)}
    assert set(data["scores"]) == {"coverage", "fidelity", "additions", "order", "derived"}
    assert {frozenset(f) for f in data["findings"]} == {frozenset({"code", "severity", "message"})}


def test_cnn_marker_details_are_flattened_with_utc_z_datetimes() -> None:
    marker = report_to_dict(cnn_report())["evidence"]["markers"][0]
    assert marker == {
        "publisher": "CNN",
        "domain": "cnn.com",
        "kind": "cnn-vossi-paragraph",
        "count": 12,
        "sample": "cms.cnn.com/_components/paragraph/instances/cm72i7hgq000a356mow561so5@published",
        "earliest_created": "2025-02-12T22:50:01Z",
        "latest_created": "2025-02-12T23:05:34Z",
        "lag_seconds": 46114,
        "lag_hours": 12.809,
        "components": [
            {
                "cuid": "cm72i7hgq000a356mow561so5",
                "created": "2025-02-12T22:50:01Z",
                "counter": 10,
                "fingerprint": "356m",
            }
        ],
        "batches": [{"index": 0, "fingerprint": "356m", "size": 1, "counters": [10]}],
        "counter_gaps": [{"batch": 1, "created": "2025-02-12T23:05:34Z", "missing": [17, 18]}],
    }


def test_marker_fields_win_over_clashing_details() -> None:
    report = cnn_report()
    marker = Marker("CNN", "cnn.com", "k", 1, "s", details={"publisher": "evil", "extra": {1, 2}})
    data = report_to_dict(replace(report, evidence=replace(report.evidence, markers=(marker,))))
    assert data["evidence"]["markers"][0]["publisher"] == "CNN"
    assert data["evidence"]["markers"][0]["extra"] == [1, 2]


def test_golden_values() -> None:
    data = report_to_dict(cnn_report())
    assert data["schema_version"] == "1.1"
    assert data["verdict"] == "modified" and data["credit"] == "credited"
    assert data["copy"]["published"] == "2025-02-13T11:38:35Z"
    assert data["copy"]["paragraphs"] == 7 and data["copy"]["url"] == COPY_URL
    assert data["original"]["found_by"] == "attribution" and data["original"]["paragraphs"] == 6
    assert data["origin"]["confidence"] == 0.971
    assert data["scores"] == {
        "coverage": 0.833,
        "fidelity": 0.912,
        "additions": 0.167,
        "order": 0.8,
        "derived": 0.0,
    }
    statuses = [(m["status"], m["similarity"], m["moved"]) for m in data["alignment"]]
    assert statuses == [
        ("verbatim", 1.0, False),
        ("verbatim", 1.0, False),
        ("dropped", 0.0, False),
        ("edited", 0.867, False),
        ("rewritten", 0.444, True),
        ("verbatim", 1.0, True),
        ("added", 0.0, False),
    ]
    edited = data["alignment"][3]
    assert edited["diff"][1] == {
        "op": "replace",
        "original": "lurched",
        "copy": "shifted",
        "kind": None,
    }
    assert edited["quote_changes"] == [
        {"op": "replace", "original": "“irreversible path”", "copy": "“path”", "kind": None}
    ]
    assert all(m["diff"] == [] for m in data["alignment"] if m["status"] != "edited")
    assert data["findings"][1] == {
        "code": "altered-quote",
        "severity": "error",
        "message": "a quotation was changed: “irreversible path”",
    }


def test_bare_report_nulls_and_timezone_conversion() -> None:
    data = report_to_dict(bare_report())
    assert data["original"] is None and data["scores"] is None and data["alignment"] == []
    # 12:38:35+01:00 is 11:38:35 UTC
    assert data["copy"]["published"] == "2025-02-13T11:38:35Z"
    naive = replace(bare_report().copy, published=datetime(2025, 1, 2, 3, 4, 5))
    assert report_to_dict(replace(bare_report(), copy=naive))["copy"]["published"] == (
        "2025-01-02T03:04:05Z"
    )


def test_render_is_byte_identical_sorted_and_round_trips() -> None:
    first = render_report(cnn_report(), "json")
    second = render_report(cnn_report(), "json")
    assert first.encode() == second.encode()
    assert first.endswith("}\n") and first.startswith('{\n  "alignment": [')
    assert json.loads(first) == report_to_dict(cnn_report())
    assert "“irreversible path”" in first  # ensure_ascii=False keeps text readable
    keys = list(json.loads(first))
    assert keys == sorted(keys)


def test_many_reports_render_as_array() -> None:
    text = render_report([cnn_report(), bare_report()], "json")
    data = json.loads(text)
    assert isinstance(data, list) and [d["verdict"] for d in data] == ["modified", "unverified"]


def test_non_finite_floats_become_null_and_risky_characters_are_escaped() -> None:
    report = replace(
        bare_report(title="a\u2028b\x9bc\u202ed\x1b"),
        scores=Scores(float("nan"), float("inf"), 0.0, 1.0),
    )
    text = render_report(report, "json")
    for raw in ("\u2028", "\x9b", "\u202e", "\x1b"):
        assert raw not in text
    assert "\\u2028" in text and "\\u009b" in text and "\\u202e" in text and "\\u001b" in text
    data = json.loads(text)
    assert data["copy"]["title"] == "a\u2028b\x9bc\u202ed\x1b"  # data itself is kept exact
    assert data["scores"]["coverage"] is None and data["scores"]["fidelity"] is None


def test_unknown_format_is_a_settings_error() -> None:
    with pytest.raises(SettingsError, match="unknown report format 'pdf'"):
        render_report(cnn_report(), "pdf")
    assert FORMATS == ("json", "text", "markdown", "html", "junit")


def test_datetime_with_microseconds_is_truncated_to_seconds() -> None:
    copy = replace(
        cnn_report().copy, published=datetime(2025, 2, 12, 22, 50, 1, 999999, tzinfo=UTC)
    )
    data = report_to_dict(replace(cnn_report(), copy=copy))
    assert data["copy"]["published"] == "2025-02-12T22:50:01Z"


def _keys(value: object, prefix: str = "") -> set[str]:
    if isinstance(value, dict):
        out = set()
        for key, item in value.items():
            out.add(key)
            out |= _keys(item)
        return out
    if isinstance(value, list):
        return set().union(*(_keys(v) for v in value)) if value else set()
    return set()


def test_every_field_is_documented_in_schema_md() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "schema.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", doc, re.MULTILINE))
    data = report_to_dict(cnn_report())
    # Decoder details nest their own objects; the schema documents the marker's own keys.
    markers = data["evidence"].pop("markers")
    keys = _keys(data) | {key for marker in markers for key in marker}
    missing = keys - documented
    assert not missing, f"fields missing from docs/schema.md: {sorted(missing)}"
    assert "# JSON report schema (version 1.1)" in doc

"""Audit rendering: dicts back to Reports, every audit format, progress, the page in Chromium.

AuditResults are built by hand from the report fixtures (via `report_to_dict`, as the audit
stores them); no other stage runs except in the one real-report round trip.
"""

from __future__ import annotations

import io
import json
import re
import struct
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from report_fixtures import TITLE, bare_report, cnn_report, faithful_report
from test_report_html import (
    ALLOWED_TAGS,
    CHROMIUM,
    CHROMIUM_ARGS,
    XSS_PAYLOADS,
    Watched,
    _hash,
    _inline,
    _start_tags,
    browser_only,
)
from test_report_junit import _validate

import provenance.report as report_pkg
from provenance.audit import AuditRecord, AuditResult, summarise
from provenance.audit.policy import RuleResult
from provenance.errors import InputError, SettingsError
from provenance.models import Credit, Marker, Report, Scores, Severity, Status, Verdict
from provenance.report import (
    AUDIT_FORMATS,
    progress_printer,
    render_audit,
    report_from_dict,
    report_to_dict,
)
from provenance.report.serialize import dumps

CASES = Path(__file__).resolve().parents[1] / "cases"
HOSTILE = "<script>alert(1)</script> | [x](javascript:alert(2)) @here \x1b[31mred\x1b[0m `tick`"

VERDICT_RULE = RuleResult("verdict", False, Severity.ERROR, "verdict modified is not allowed")
CREDIT_OK = RuleResult("credit", True, Severity.ERROR, "credited cnn.com")
CREDIT_BAD = RuleResult("credit", False, Severity.ERROR, "the copy does not credit its source")


def _record(key: str, status: str, report: Report | None, **kw: Any) -> AuditRecord:
    return AuditRecord(key, status, None if report is None else report_to_dict(report), **kw)


def audit_result(extra: tuple[AuditRecord, ...] = ()) -> AuditResult:
    """Worst first, as run_audit sorts: error, fails, then passes (one reused)."""
    records = (
        _record("feeds/wire.xml#4", "error", None, error="InputError: feed item 4 has no body"),
        _record(
            "copies/cnn.json",
            "fail",
            cnn_report(),
            rules=(VERDICT_RULE, CREDIT_OK),
            failures=(VERDICT_RULE,),
        ),
        _record(
            "feeds/wire.xml#2",
            "fail",
            bare_report(),
            rules=(CREDIT_BAD,),
            failures=(CREDIT_BAD,),
        ),
        *extra,
        _record("feeds/wire.xml#0", "pass", faithful_report(3, 0.42, "alpha partial copy")),
        _record(
            "feeds/wire.xml#1",
            "pass",
            faithful_report(4, 0.99, "Zeta wire copy"),
            rules=(CREDIT_OK,),
            reused=True,
        ),
    )
    return AuditResult(records, 4, 1, ("feeds/wire.xml", "copies/cnn.json"), summarise(records))


# ---- report_from_dict ----------------------------------------------------------------


def _nan_report() -> Report:
    report = replace(bare_report(), scores=Scores(float("nan"), float("inf"), 0.5, 1.0))
    marker = Marker("CNN", None, "k", 2, "s", {"created": datetime(2025, 1, 1, tzinfo=UTC)})
    naive = replace(report.copy, published=datetime(2025, 1, 2, 3, 4, 5))
    return replace(report, copy=naive, evidence=replace(report.evidence, markers=(marker,)))


ROUND_TRIP = {
    "cnn": cnn_report,
    "bare": bare_report,
    "faithful": lambda: faithful_report(3, 0.5, "x"),
    "nan-scores-naive-date": _nan_report,
    "hostile": lambda: bare_report(title=HOSTILE + "\u2028\u202e"),
}


@pytest.mark.parametrize("name", ROUND_TRIP)
def test_report_from_dict_is_the_inverse_byte_for_byte(name: str) -> None:
    data = report_to_dict(ROUND_TRIP[name]())
    stored = json.loads(json.dumps(data))  # as the audit's state file gives it back
    for given in (data, stored):
        again = report_to_dict(report_from_dict(given))
        assert json.dumps(again, ensure_ascii=False) == json.dumps(data, ensure_ascii=False), name


def test_report_from_dict_rebuilds_types() -> None:
    report = report_from_dict(report_to_dict(cnn_report()))
    assert report.verdict is Verdict.MODIFIED and report.credit is Credit.CREDITED
    assert report.copy.published == datetime(2025, 2, 13, 11, 38, 35, tzinfo=UTC)
    assert [p.index for p in report.copy.paragraphs] == list(range(7))
    assert {p.text for p in report.copy.paragraphs} == {""}
    assert report.copy.repairs == ("entities: decoded &#8217;",)
    marker = report.evidence.markers[0]
    assert (marker.publisher, marker.count) == ("CNN", 12)
    assert marker.details["lag_hours"] == 12.809 and "publisher" not in marker.details
    assert report.original is not None and report.original.found_by == "attribution"
    assert len(report.original.document.paragraphs) == 6
    assert report.alignment is not None
    edited = report.alignment.matches[3]
    assert edited.status is Status.EDITED and edited.diff[1].copy == "shifted"
    assert report.findings[1].severity is Severity.ERROR
    assert report.attempts[1].reason == "no near-duplicate above 0.8"
    assert report.scores == Scores(0.833, 0.912, 0.167, 0.8)


def test_report_from_dict_of_a_bare_report_keeps_the_nones() -> None:
    report = report_from_dict(report_to_dict(bare_report()))
    assert report.original is None and report.alignment is None and report.scores is None


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.pop("verdict"), "missing field 'verdict'"),
        (lambda d: d["copy"].pop("source"), "missing field 'source'"),
        (lambda d: d.update(verdict="stolen"), "'stolen' is not a valid Verdict"),
        (lambda d: d.update(alignment=[{"status": "verbatim"}]), "missing field 'copy_index'"),
        (lambda d: d["copy"].update(published="yesterday"), "yesterday"),
        (lambda d: d.update(evidence=[]), "not a provenance report"),
    ],
)
def test_report_from_dict_rejects_malformed_dicts(mutate: Any, message: str) -> None:
    data = report_to_dict(cnn_report())
    mutate(data)
    with pytest.raises(InputError, match=re.escape(message)):
        report_from_dict(data)


def test_a_real_report_round_trips(shared: Path) -> None:
    """A report the real pipeline made from the seed survives dict -> Report -> dict."""
    from provenance.pipeline import check_source
    from provenance.settings import Settings

    case = CASES / "real-nato-seed-vs-lapost"
    [report] = check_source(
        str(case / "digitaltradecenter_13123.json"),
        original=str(case / "lapost.txt"),
        settings=Settings(offline=True),
    )
    data = report_to_dict(report)
    assert data["alignment"] and data["evidence"]["markers"]  # a rich report, not a bare one
    again = report_to_dict(report_from_dict(json.loads(dumps(data))))
    assert dumps(again) == dumps(data)


# ---- json and jsonl --------------------------------------------------------------------


def test_json_holds_the_audit_and_every_item_in_order() -> None:
    result = audit_result()
    text = render_audit(result, "json")
    assert text == render_audit(audit_result(), "json") and text.endswith("}\n")
    data = json.loads(text)
    assert list(data) == ["audit", "items", "schema_version"]
    assert data["schema_version"] == "1.1"
    assert data["audit"] == {
        "sources": ["feeds/wire.xml", "copies/cnn.json"],
        "checked": 4,
        "reused": 1,
        "summary": summarise(result.records),
    }
    items = data["items"]
    assert [i["key"] for i in items] == [r.key for r in result.records]
    assert [i["status"] for i in items] == ["error", "fail", "fail", "pass", "pass"]
    assert set(items[1]) == {"key", "status", "reused", "error", "failures", "rules", "report"}
    assert items[0]["report"] is None and items[0]["error"].startswith("InputError")
    assert items[1]["failures"] == [
        {"rule": "verdict", "severity": "error", "message": "verdict modified is not allowed"}
    ]
    assert items[1]["rules"][1] == {
        "rule": "credit",
        "passed": True,
        "severity": "error",
        "message": "credited cnn.com",
    }
    assert items[1]["report"] == report_to_dict(cnn_report())
    assert items[4]["reused"] is True and items[3]["reused"] is False


def test_jsonl_is_one_line_per_item_then_the_summary() -> None:
    result = audit_result(extra=(_record("hostile", "pass", bare_report(title="a\u2028b\nc")),))
    text = render_audit(result, "jsonl")
    lines = text.splitlines()
    assert text.endswith("\n") and len(lines) == len(result.records) + 1
    assert "\u2028" not in text  # would split the line for some readers
    rows = [json.loads(line) for line in lines]
    assert [set(r) for r in rows[:-1]] == [
        {"key", "status", "reused", "error", "failures", "report"}
    ] * len(result.records)
    assert rows[3]["report"]["copy"]["title"] == "a\u2028b\nc"
    summary = rows[-1]["summary"]
    assert summary["status"] == {"error": 1, "fail": 2, "pass": 3}
    assert (summary["checked"], summary["reused"], summary["items"]) == (4, 1, 6)


# ---- text ------------------------------------------------------------------------------


def test_text_summary_lists_the_worst_items_first() -> None:
    text = render_audit(audit_result(), "text")
    lines = text.splitlines()
    assert lines[:6] == [
        "Provenance audit: 5 items from 2 sources",
        "  checked 4 · reused 1 from an earlier run",
        "  status   error 1 · fail 2 · pass 2",
        "  verdicts faithful 1 · modified 1 · trimmed 1 · unverified 1",
        "  credit   credited 3 · uncredited 1",
        "  origins  cnn.com 3 · unknown 1",
    ]
    attention = lines.index("Needs attention (3, worst first)")
    assert lines[attention + 1] == "  ERROR feeds/wire.xml#4"
    assert lines[attention + 2] == "         - InputError: feed item 4 has no body"
    assert lines[attention + 3] == (
        "  FAIL  NATO allies scramble for direction as Trump…  [modified]"
        "  coverage 0.833  fidelity 0.912"
    )
    assert "         - verdict: modified is not allowed" in lines
    assert "         - credit: the copy does not credit its source" in lines
    assert lines.index("Passing (2)") > attention
    assert "  PASS  Zeta wire copy  [faithful]  coverage 0.990  fidelity 0.990  (reused)" in lines
    assert all(len(line) <= 100 for line in lines)
    assert "\x1b" not in text


def test_text_is_clean_of_copy_escapes_and_counts_many_passes() -> None:
    hostile = bare_report(title=HOSTILE)
    passes = tuple(_record(f"p{n}", "pass", hostile) for n in range(12))
    bad = _record("\x1b]8;;x\x07k", "error", None, error="boom \x1b[2J\x9b")
    result = AuditResult((bad, *passes), 13, 0)
    text = render_audit(result, "text")
    assert "\x1b" not in text and "\x9b" not in text and "\x07" not in text
    assert "Passing: 12 items pass" in text and "p11" not in text
    assert "  ERROR k" in text and "- boom" in text
    assert "  origins  unknown 12" in text  # totals computed when the summary is empty
    colored = render_audit(result, "text", color=True)
    assert "\x1b[" in colored and "\x1b[2J" not in colored and "\x1b]8" not in colored


# ---- markdown --------------------------------------------------------------------------


def test_markdown_comment_has_counts_a_failure_table_and_details() -> None:
    text = render_audit(audit_result(), "markdown")
    assert text.startswith(
        "## ❌ Provenance audit: 2 failing, 1 error, 2 passing (5 items)\n\n"
        "Checked 4, reused 1 from an earlier run; sources: feeds/wire.xml, copies/cnn.json.\n"
    )
    assert (
        "| 1 | feeds/wire.xml\\#4 | 💥 error |  |  |  | InputError: feed item 4 has no body |"
        in (text)
    )
    assert (
        f"| 2 | [{TITLE}](https://digitaltradecenter.com/index.php/2025/02/13/"
        "nato-allies-scramble-for-direction-as-trump-team-signals-concessions-to-moscow/)"
        " | ❌ fail | modified | 0.833 | 0.912 | verdict: modified is not allowed |"
    ) in text
    assert "<summary>Passing items (2)</summary>" in text
    assert f"<summary>Details: {TITLE}</summary>" in text
    assert "Overnight it has <del>lurched</del> <ins>shifted</ins>" in text  # item details
    assert text.count("<details>") == text.count("</details>")


def test_markdown_escapes_copy_text_and_keeps_under_githubs_limit() -> None:
    hostile = replace(cnn_report(), copy=replace(cnn_report().copy, title=HOSTILE, url=None))
    many = tuple(
        _record(f"k{n}", "fail", hostile, failures=(replace(VERDICT_RULE, message=HOSTILE),))
        for n in range(60)
    )
    text = render_audit(AuditResult(many, 60, 0), "markdown")
    assert len(text) < 65_536
    assert "Details of" in text and "more failing items are left out" in text
    assert "<script>" not in text and "](javascript" not in text and "@here" not in text
    assert (
        "&lt;script&gt;alert\\(1\\)&lt;/script&gt; \\| \\[x\\]\\(javascript:alert\\(2\\)\\)" in text
    )
    assert "\x1b" not in text
    assert text.count("<details>") == text.count("</details>")


def test_markdown_of_a_clean_audit_says_so() -> None:
    result = AuditResult((_record("a", "pass", faithful_report(1, 0.99, "Fine")),), 1, 0)
    text = render_audit(result, "markdown")
    assert text.startswith("## ✅ Provenance audit: 0 failing, 0 errors, 1 passing (1 item)")
    assert "Needs attention" not in text


# ---- junit -----------------------------------------------------------------------------


def test_junit_has_a_case_per_record_with_failures_and_errors() -> None:
    text = render_audit(audit_result(), "junit")
    _validate(text)
    root = ET.fromstring(text)
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("5", "2", "1")
    cases = root.findall("./testsuite/testcase")
    assert [c.get("name") for c in cases] == [
        "feeds/wire.xml#4",
        TITLE,
        "A lone post",
        "alpha partial copy",
        "Zeta wire copy",
    ]
    error = cases[0].find("error")
    assert error is not None and error.get("message") == "InputError: feed item 4 has no body"
    assert cases[0].get("classname") == "provenance"
    failure = cases[1].find("failure")
    assert failure is not None and failure.get("type") == "modified"
    assert failure.text == "verdict: modified is not allowed"  # the policy decides
    bare_failure = cases[2].find("failure")
    assert bare_failure is not None
    assert bare_failure.get("message") == "credit: the copy does not credit its source"
    for case in cases[3:]:
        assert case.find("failure") is None and case.find("error") is None
    assert (cases[4].findtext("system-out") or "").splitlines()[:3] == [
        "key: feeds/wire.xml#1",
        "status: pass",
        "reused: true",
    ]


def test_junit_stays_valid_with_hostile_keys_and_errors() -> None:
    nasty = 'bad\x00\x0b\x1b[2J\ufffe</testcase><x a="1">&amp;]]>'
    result = AuditResult(
        (_record(nasty, "error", None, error=nasty), _record("f", "fail", bare_report(nasty))),
        2,
        0,
    )
    text = render_audit(result, "junit")
    _validate(text)
    root = ET.fromstring(text)
    assert (root.get("failures"), root.get("errors")) == ("1", "1")
    names = [c.get("name") for c in root.findall("./testsuite/testcase")]
    assert names == ['bad</testcase><x a="1">&amp;]]>'] * 2
    failure = root.find("./testsuite/testcase/failure")
    assert failure is not None and failure.get("message") == "failed the audit policy"


# ---- html ------------------------------------------------------------------------------


def test_html_page_keeps_the_csp_and_holds_status_charts_table_and_items() -> None:
    page = render_audit(audit_result(), "html")
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
    assert csp is not None and csp.group(1).startswith("default-src 'none'; ")
    assert f"script-src {_hash(_inline('script', page))};" in csp.group(1)
    assert f"style-src {_hash(_inline('style', page))};" in csp.group(1)
    assert page.count("<script") == 1 and "<link" not in page and " src=" not in page
    assert page.count("<svg") == 5
    assert 'aria-label="Status counts"' in page and 'aria-label="Copy lag"' in page
    assert "1 without dated markup or dates on both sides" in page
    assert page.count('<tr id="row-') == 5
    assert '<button type="button">Status</button>' in page
    assert 'data-sort="0"><span class="badge st-error">error</span>' in page
    assert '<h3>Could not check</h3><ul class="errors"><li><a href="#item-0">' in page
    assert "Could not check: InputError: feed item 4 has no body" in page
    assert '<details class="item" id="item-1">' in page
    assert "<li>verdict: modified is not allowed</li>" in page
    assert "Overnight it has <ins>shifted</ins>" in page and 'id="item-1-o3"' in page
    assert "<p></p>" not in page and "text is not stored with this result" in page
    assert "5 items: 2 fail, 1 error, 2 pass · checked 4, reused 1" in page


def test_html_escapes_hostile_keys_errors_and_reasons() -> None:
    blob = " ".join(XSS_PAYLOADS)
    hostile = bare_report(title=blob)
    records = (
        _record(blob, "error", None, error=blob),
        _record(blob, "fail", hostile, failures=(replace(VERDICT_RULE, rule=blob, message=blob),)),
    )
    page = render_audit(AuditResult(records, 2, 0, (blob,), {"status": {blob: 1}}), "html")
    tags = _start_tags(page)
    assert {name for name, _ in tags} <= ALLOWED_TAGS
    assert [name for name, _ in tags].count("script") == 1
    for name, attrs in tags:
        assert not [a for a in attrs if a.lower().startswith("on") or a == "style"], name
        href = attrs.get("href")
        assert href is None or href.startswith(("#item-", "https://", "http://")), href
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in page


def test_unknown_audit_format_is_a_settings_error() -> None:
    assert AUDIT_FORMATS == ("text", "json", "jsonl", "markdown", "junit", "html")
    with pytest.raises(SettingsError, match="unknown audit format 'pdf'"):
        render_audit(audit_result(), "pdf")


def test_stored_report_that_cannot_be_read_shows_as_the_items_error() -> None:
    broken = AuditRecord("old", "pass", {"schema_version": "0.1"})
    text = render_audit(AuditResult((broken,), 0, 1), "text")
    assert (
        "  PASS  old\n         - stored report is unreadable (not a provenance report: missing"
        in (text)
    )


def test_package_exports_are_sorted_and_include_the_audit_api() -> None:
    assert report_pkg.__all__ == sorted(report_pkg.__all__)
    assert {"progress_printer", "render_audit", "report_from_dict"} <= set(report_pkg.__all__)


# ---- progress --------------------------------------------------------------------------


def test_progress_without_a_terminal_writes_nothing() -> None:
    stream = io.StringIO()
    show = progress_printer(stream, is_terminal=False)
    result = audit_result()
    show("error", result.records[0])
    show("checked", result.records[1])
    show("reused", result.records[4])
    show("done", None)
    assert stream.getvalue() == ""


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_terminal_draws_a_bar_and_prints_failures_above_it() -> None:
    stream = _Terminal()
    result = audit_result()
    with progress_printer(stream, is_terminal=True) as show:
        for record in result.records:
            show("checked", record)
        show("checked", _record("[link=https://x.example]k[/link]", "error", None, error="[b]x"))
        show("done", None)
        show.close()  # closing twice is harmless
    text = stream.getvalue()
    assert "\x1b[" in text  # drawn with terminal control codes
    assert "checked copies/cnn.json: modified (fail)" in text
    assert "checked feeds/wire.xml#0" not in text  # passing items only advance the bar
    assert "6/?" in text and "2 error, 2 fail, 2 pass" in text
    assert "checked [link=https://x.example]k[/link]: [b]x (error)" in text  # never markup


# ---- browser ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def _column(page: Any, n: int) -> list[str]:
    return list(page.locator(f"#items tbody tr td:nth-child({n})").all_inner_texts())


@pytest.mark.browser
@browser_only
def test_audit_page_loads_sorts_and_shows_side_by_side(browser: Any, tmp_path: Path) -> None:
    watched = Watched(browser)
    path = tmp_path / "audit.html"
    path.write_text(render_audit(audit_result(), "html"), encoding="utf-8")
    watched.open(path)
    page = watched.page
    assert _column(page, 2) == ["error", "fail", "fail", "pass", "pass"]
    assert _column(page, 3)[0] == "feeds/wire.xml#4"

    page.click("#items thead th:nth-child(7) button")  # coverage: numeric, blanks last
    assert _column(page, 7) == ["0.420", "0.833", "0.990", "", ""]
    page.click("#items thead th:nth-child(2) button")  # status: worst first, then reversed
    assert _column(page, 2) == ["error", "fail", "fail", "pass", "pass"]
    page.click("#items thead th:nth-child(2) button")
    assert _column(page, 2) == ["pass", "pass", "fail", "fail", "error"]

    page.click("#items a[href='#item-0']")
    assert page.locator("#item-0 .audit-error", has_text="feed item 4 has no body").is_visible()
    page.click("#items a[href='#item-1']")
    assert page.get_attribute("#item-1", "open") == ""
    assert page.locator("#item-1 .sbs ins", has_text="shifted").is_visible()
    shot = tmp_path / "audit-side-by-side.png"
    page.locator("#item-1").screenshot(path=str(shot))
    page.screenshot(path=str(tmp_path / "audit-page.png"), full_page=True)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width > 800 and height > 400
    assert watched.errors == [] and watched.console == [] and watched.dialogs == []
    assert set(watched.requests) == {path.as_uri()}
    page.close()

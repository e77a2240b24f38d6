"""One story per report: what a report says in one place agrees with what it shows in
another (counts and the paragraph map, the credit status and its findings, one name per
publisher), edited paragraphs are shown whole, and the text reads right (no stutter,
plurals, progress only on a terminal, no folding in files, titles never URLs)."""

from __future__ import annotations

import json
import re
import struct
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from report_fixtures import bare_report, cnn_report

from provenance.cli import cli
from provenance.models import DiffOp, Origin, ParagraphMatch, Status
from provenance.report import render_report
from provenance.report._text import label

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "cases"
CHROMIUM = Path("/usr/bin/chromium")


def _case_reports() -> Iterator[tuple[str, dict[str, Any]]]:
    for case_file in sorted(CASES.glob("*/case.json")):
        data = json.loads(case_file.read_text(encoding="utf-8"))
        if not data.get("original") or data.get("requires_shared"):
            continue  # cases whose original lives in ../shared are left out: same with or without it
        folder = case_file.parent
        result = CliRunner().invoke(
            cli,
            ["check", str(folder / data["copy"]), "--original", str(folder / data["original"]),
             "--offline", "--format", "json"],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        reports = json.loads(result.stdout)
        for report in reports if isinstance(reports, list) else [reports]:
            yield folder.name, report


@pytest.fixture(scope="module")
def case_reports() -> list[tuple[str, dict[str, Any]]]:
    return list(_case_reports())


def test_finding_counts_are_those_of_the_paragraph_map(
    case_reports: list[tuple[str, dict[str, Any]]],
) -> None:
    seen = 0
    for slug, report in case_reports:
        rows = report["alignment"]
        added = sum(m["status"] == "added" for m in rows)
        dropped = sum(m["status"] == "dropped" for m in rows)
        originals = len({m["original_index"] for m in rows if m["original_index"] is not None})
        for finding in report["findings"]:
            if finding["code"] == "paragraphs-added":
                seen += 1
                assert finding["message"].startswith(f"{added} copy paragraph"), (slug, finding)
            if finding["code"] == "paragraphs-dropped":
                seen += 1
                expected = f"{dropped} of {originals} original paragraphs"
                assert finding["message"].startswith(expected), (slug, finding)
    assert seen > 20


def test_no_contradiction_of_the_credit_status(
    case_reports: list[tuple[str, dict[str, Any]]],
) -> None:
    for slug, report in case_reports:
        if report["credit"] != "credited":
            continue
        assert "markup present but no credit" not in report["origin"]["contradictions"], slug
    result = CliRunner().invoke(
        cli,
        ["check", str(CASES / "real-scotus-stateofthenation-wpjson" / "stateofthenation_wpjson.txt"),
         "--offline", "--format", "json"],
    )  # fmt: skip
    report = json.loads(result.stdout)
    assert report["credit"] == "credited"  # the dateline "(CNN)" credits CNN
    assert "markup present but no credit" not in report["origin"]["contradictions"]
    assert not [f for f in report["findings"] if f["code"] == "markup-without-credit"]


# ---- edited rows: both paragraphs whole -------------------------------------------------

OPENING = "The alliance met in Brussels on Thursday."
COPY_PARA = f"{OPENING} Overnight it has shifted the NATO alliance from a stated policy."
ORIG_PARA = "Overnight it has lurched the NATO alliance from a stated policy. More followed later."


def _partial_edit_report() -> Any:
    """An edited row whose diff covers only the span alignment matched (a merged paragraph)."""
    diff = (
        DiffOp("equal", "Overnight it has", "Overnight it has"),
        DiffOp("replace", "lurched", "shifted"),
        DiffOp(
            "equal",
            "the NATO alliance from a stated policy.",
            "the NATO alliance from a stated policy.",
        ),
    )
    report = cnn_report()
    assert report.alignment is not None
    row = ParagraphMatch(2, 3, COPY_PARA, ORIG_PARA, Status.EDITED, 0.8, False, diff)
    matches = tuple(row if m.status is Status.EDITED else m for m in report.alignment.matches)
    return replace(report, alignment=replace(report.alignment, matches=matches))


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_edited_rows_show_both_paragraphs_whole(fmt: str) -> None:
    out = render_report(_partial_edit_report(), fmt)
    flat = re.sub(r"<[^>]+>|\s+", " ", out)
    flat = re.sub(r"\s+", " ", flat.replace("\\", ""))
    assert OPENING in flat  # the copy's opening sentence, outside the matched span
    assert "More followed later." in flat  # the original's closing one
    assert "the NATO alliance from a stated policy" in flat


# ---- wording ------------------------------------------------------------------------


def _audit(*args: str) -> Any:
    return CliRunner().invoke(cli, ["audit", *args, "--offline", "--no-state"])


def test_audit_text_has_no_stutter_and_right_plurals(tmp_path: Path) -> None:
    one = tmp_path / "one"
    one.mkdir()
    (one / "copy.txt").write_text(
        "The council approved the river path plan on Tuesday after a long debate.\n",
        encoding="utf-8",
    )
    result = _audit(str(one))
    assert result.stdout.startswith("Provenance audit: 1 item from 1 source\n")
    full = _audit(str(CASES))
    lines = full.stdout.splitlines()
    assert not [line for line in lines if re.search(r"- ([\w-]+): \1\b", line)]
    assert "         - verdict: rewritten" in lines
    assert not re.search(r"\b1 (items|paragraphs|changes|rows|words)\b", full.stdout)
    assert not re.search(r"\(s\)", full.stdout)


def test_progress_is_not_written_to_a_pipe_or_file() -> None:
    result = _audit(str(CASES))
    assert result.exit_code == 1
    assert "checked " not in result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith("Provenance audit: 66 items from 1 source")


def test_text_written_to_a_file_is_not_folded(tmp_path: Path) -> None:
    out = tmp_path / "report.txt"
    copy = CASES / "real-seed-digitaltradecenter" / "digitaltradecenter_13123.json"
    result = CliRunner().invoke(cli, ["check", str(copy), "--offline", "--output", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    url = (
        "https://digitaltradecenter.com/index.php/2025/02/13/"
        "nato-allies-scramble-for-direction-as-trump-team-signals-concessions-to-moscow/"
    )
    assert f"  {url}" in lines
    piped = CliRunner().invoke(cli, ["check", str(copy), "--offline"])
    assert f"  {url}" in piped.stdout.splitlines()


def test_a_publisher_is_one_name_with_its_domain() -> None:
    named = cnn_report()
    by_domain = replace(
        named, evidence=replace(named.evidence, origin=Origin(None, "cnn.com", 0.9))
    )
    for report in (named, by_domain):
        page = render_report(report, "html")
        assert "CNN (cnn.com)" in page
        assert "Origin: CNN (cnn.com)" in render_report(report, "text")
        assert "CNN (cnn.com)" in render_report(report, "markdown").replace("\\", "")


def test_titles_are_never_urls() -> None:
    untitled = bare_report(None)
    assert label(untitled) == "untitled, on example.org"
    url_title = bare_report("https://roosterjournal.com/homeland-security-places")
    assert "https://" not in label(url_title)
    assert label(bare_report("A lone post")) == "A lone post"


# ---- archive import -------------------------------------------------------------------


def test_archive_import_names_each_skipped_path_once_and_counts_repeats(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bad.txt").write_bytes(bytes(range(256)) * 8)
    original = (CASES / "synthetic-verbatim-1" / "original.txt").read_bytes()
    (folder / "a.txt").write_bytes(original)
    (folder / "b.txt").write_bytes(original)  # the same original, twice
    db = tmp_path / "new.sqlite"
    args = ["archive", "import", str(folder), "--archive", str(db), "--offline"]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert first.stdout == (
        f"1 added, 0 updated, 0 unchanged, 1 repeated in this import, 1 skipped ({db})\n"
    )
    bad = str(folder / "bad.txt")
    assert first.stderr == f"skipped {bad}: unknown format (binary data)\n"
    assert first.stderr.count(bad) == 1
    again = CliRunner().invoke(cli, args)
    assert again.stdout == f"0 added, 0 updated, 2 unchanged, 1 skipped ({db})\n"


# ---- the HTML page in a browser ---------------------------------------------------------

browser_only = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian chromium is not installed (apt-get install chromium)"
)


@pytest.fixture(scope="module")
def audit_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("html") / "cases.html"
    result = _audit(str(CASES), "--html", str(path))
    assert result.exit_code == 1, result.output
    return path


def _open(browser: Any, path: Path, width: int) -> Any:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    return page


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        yield instance
        instance.close()


_ROWS_OF_CHARTS = """() => {
  const box = document.querySelector('.charts').getBoundingClientRect();
  const rows = {};
  for (const f of document.querySelectorAll('.charts figure')) {
    const r = f.getBoundingClientRect();
    (rows[Math.round(r.top)] ||= []).push([r.left, r.right]);
  }
  return Object.values(rows).map(row => [
    Math.min(...row.map(x => x[0])) - box.left, box.right - Math.max(...row.map(x => x[1]))
  ]);
}"""


@pytest.mark.browser
@browser_only
@pytest.mark.parametrize("width", [1280, 1024, 420])
def test_html_lays_out_without_holes_and_fits_the_screen(
    browser: Any, audit_page: Path, tmp_path: Path, width: int
) -> None:
    page = _open(browser, audit_page, width)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        for left_gap, right_gap in page.evaluate(_ROWS_OF_CHARTS):  # every row filled
            assert abs(left_gap) < 2 and abs(right_gap) < 2, (width, left_gap, right_gap)
        shot = tmp_path / f"cases-{width}.png"
        page.screenshot(path=str(shot), full_page=False)
        data = shot.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", data[16:24])[0] == width
    finally:
        page.close()


def test_lag_column_and_chart_only_where_a_lag_is_known(audit_page: Path) -> None:
    with_lag = audit_page.read_text(encoding="utf-8")
    assert "Lag (h)" in with_lag and "Copy lag" in with_lag  # three CNN copies carry one
    lagless = render_report(bare_report(), "html")
    assert "Lag (h)" not in lagless and "Copy lag" not in lagless
    dated = cnn_report()
    assert dated.original is not None
    no_marker = replace(dated, evidence=replace(dated.evidence, markers=()))
    assert "Lag (h)" not in render_report(no_marker, "html")
    original = replace(
        no_marker.original.document,  # type: ignore[union-attr]
        published=dated.copy.published.replace(hour=0) if dated.copy.published else None,
    )
    both_dated = replace(no_marker, original=replace(dated.original, document=original))
    assert "Lag (h)" in render_report(both_dated, "html")

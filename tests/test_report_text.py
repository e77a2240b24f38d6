"""Terminal and Markdown reports: key lines, and hostile copy text made inert."""

from __future__ import annotations

import os
import re
import sys
from dataclasses import replace

import pytest
from report_fixtures import TITLE, bare_report, cnn_report

from provenance import cli
from provenance.models import (
    Alignment,
    Attribution,
    Evidence,
    Marker,
    Paragraph,
    ParagraphMatch,
    Signal,
    Status,
)
from provenance.report import render_report
from provenance.report._text import clean

HOSTILE = (
    "evil\x1b]8;;https://attacker.example\x1b\\click\x1b]8;;\x1b\\ "
    "\x1b[2J\x1b[H wipe\rOVERWRITE \x07bell \x9b31m c1 \u202eesrever\u202c "
    "[bold]not bold[/bold] [link=https://x.example]l[/link] :smile:"
)


def hostile_report():  # type: ignore[no-untyped-def]
    report = cnn_report()
    copy = replace(report.copy, title=HOSTILE, url="https://copy.example/\x1b[31mred")
    evidence = Evidence(
        attributions=(Attribution(HOSTILE, "appeared-first", HOSTILE, HOSTILE, HOSTILE, 3),),
        markers=(Marker(HOSTILE, HOSTILE, HOSTILE, 1, HOSTILE, {"earliest_created": HOSTILE}),),
        signals=(Signal(HOSTILE, HOSTILE, HOSTILE, HOSTILE),),
        origin=replace(report.evidence.origin, publisher=HOSTILE),
    )
    match = ParagraphMatch(0, 0, HOSTILE, HOSTILE, Status.VERBATIM, 1.0)
    return replace(report, copy=copy, evidence=evidence, alignment=Alignment(matches=(match,)))


def test_text_key_lines() -> None:
    out = render_report(cnn_report(), "text")
    lines = out.splitlines()
    assert lines[0] == (
        "Provenance: NATO allies scramble for direction as Trump team signals concessions to Moscow"
    )
    assert "Verdict:  MODIFIED    Credit: CREDITED" in lines
    assert "  [error] altered-quote: a quotation was changed: “irreversible path”" in lines
    assert "    earliest created 2025-02-12T22:50:01Z, copy lag 12.8 h" in lines
    assert "Origin: CNN (cnn.com), confidence 0.97" in lines
    assert (
        "Scores: coverage 0.833  fidelity 0.912  additions 0.167  order 0.800  derived 0.000"
        in lines
    )
    assert any(line.startswith("Original: https://www.cnn.com/") for line in lines)
    assert any(line.endswith("(found by attribution)") for line in lines)
    assert "\x1b" not in out
    folded = render_report(cnn_report(), "text", width=100).splitlines()
    assert all(len(line) <= 100 for line in folded)


def test_text_paragraph_map_lines() -> None:
    out = render_report(cnn_report(), "text")
    rows = [line for line in out.splitlines() if re.match(r"  [=~≈+-] ", line)]
    assert [row.split()[0:5] for row in rows] == [
        ["=", "c0", "o0", "1.000", "verbatim"],
        ["=", "c1", "o1", "1.000", "verbatim"],
        ["-", "c-", "o2", "0.000", "dropped"],
        ["~", "c2", "o3", "0.867", "edited"],
        ["≈", "c3", "o5", "0.444", "moved"],
        ["=", "c4", "o4", "1.000", "moved"],
        ["+", "c5", "o-", "0.000", "added"],
    ]
    assert "Overnight it has [-lurched-]{+shifted+} the NATO alliance" in out


def test_text_colour_only_when_asked() -> None:
    plain = render_report(cnn_report(), "text", color=False)
    coloured = render_report(cnn_report(), "text", color=True)
    assert "\x1b[" not in plain
    assert "\x1b[" in coloured and " MODIFIED " in coloured


@pytest.mark.parametrize("color", [False, True])
def test_text_neutralises_escape_sequences_and_markup(color: bool) -> None:
    out = render_report(hostile_report(), "text", color=color)
    for raw in (
        "\x1b]",
        "\x1b[2J",
        "\x1b[H",
        "\x1b[31mred",
        "\r",
        "\x07",
        "\x9b",
        "\u202e",
        "\u202c",
    ):
        assert raw not in out, repr(raw)
    assert "[bold]not bold[/bold]" in out  # rich markup from the copy stays literal
    assert "[link=https://x.example]l[/link]" in out
    assert ":smile:" in out
    if not color:
        assert "\x1b" not in out


def test_text_many_reports_are_separated() -> None:
    out = render_report([cnn_report(), bare_report()], "text")
    assert out.count("Provenance: ") == 2
    assert "─" * 100 in out
    assert "Original: not found" in out and "  (no alignment)" in out


def test_markdown_key_lines() -> None:
    out = render_report(cnn_report(), "markdown")
    lines = out.splitlines()
    assert lines[0] == "## Provenance: " + TITLE
    assert "| Verdict | **modified** |" in lines
    assert "| Credit | **credited** |" in lines
    assert "| Coverage | 0.833 |" in lines and "| Fidelity | 0.912 |" in lines
    assert lines.index("### Findings") < lines.index("### Evidence") < lines.index("<details>")
    assert "- ❌ **error** `altered-quote`: a quotation was changed: “irreversible path”" in lines
    assert any("earliest created 2025-02-12T22:50:01Z, copy lag 12.8 h" in line for line in lines)
    assert "<summary>Paragraph map (7 rows)</summary>" in lines
    assert (
        "| ~ edited | 2 | 3 | 0.867 | Overnight it has <del>lurched</del> <ins>shifted</ins> "
        "the NATO alliance from a stated policy <ins>on Ukraine.</ins> <del>on Ukraine.</del> |"
    ) in lines
    assert (
        "| - dropped |  | 2 | 0.000 | “They may be Russian someday, or they may not be Russian"
        in out
    )
    assert out.rstrip().endswith("</details>")


MD_PAYLOADS = [
    "<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    "![img](https://tracker.example/p.gif)",
    '<img src=x onerror="alert(1)">',
    "| broken | table |",
    "`code` *em* _u_ ~~s~~ $math$",
    "@someone #123",
]


@pytest.mark.parametrize("payload", MD_PAYLOADS)
def test_markdown_copy_text_is_inert(payload: str) -> None:
    report = cnn_report()
    copy = replace(report.copy, title=payload + "\x1b[2J\r\x07")
    para = (Paragraph(0, payload),)
    copy = replace(copy, paragraphs=para)
    match = ParagraphMatch(0, 0, payload, payload, Status.VERBATIM, 1.0)
    evidence = replace(
        report.evidence,
        attributions=(Attribution(payload, "k", payload, payload, "javascript:alert(1)", 0),),
        signals=(Signal("canonical", payload),),
    )
    out = render_report(
        replace(report, copy=copy, evidence=evidence, alignment=Alignment((match,))), "markdown"
    )
    assert "<script" not in out and "<img" not in out
    assert "](javascript:" not in out and "(javascript:" not in out.replace("\\(javascript", "")
    assert "![" not in out
    assert "\x1b" not in out and "\r" not in out and "\x07" not in out
    assert "@someone" not in out  # no mentions from copied text
    table_rows = [line for line in out.splitlines() if line.startswith("| ")]
    assert all(line.count(" | ") - line.count("\\| ") >= 1 for line in table_rows)
    heading = out.splitlines()[0]
    assert heading.startswith("## Provenance: ") and "<" not in heading and "\n" not in heading


def test_markdown_links_only_http() -> None:
    report = cnn_report()
    attribution = Attribution("credit", "k", "CNN", "cnn.com", "https://cnn.com/a_(b)", 6)
    out = render_report(
        replace(report, evidence=replace(report.evidence, attributions=(attribution,))), "markdown"
    )
    assert "(https://cnn.com/a%5F%28b%29)" in out


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("plain", "plain"),
        ("a\x1b[31mred\x1b[0m", "ared"),
        ("a\x1b]8;;https://x\x1b\\link\x1b]8;;\x1b\\b", "alinkb"),
        ("a\x1b]0;title\x07b", "ab"),
        ("a\x9b2Jb", "ab"),
        ("a\x9d8;;x\x9cb", "ab"),
        ("line\r\nbreak\ttab", "line break tab"),
        ("bidi\u202eevil\u202c \u2066iso\u2069", "bidievil iso"),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("nul\x00del\x7fc1\x85", "nuldelc1"),
        ("a\u2028b", "a b"),
        ("trailing ESC\x1b", "trailing ESC"),
        (None, ""),
    ],
)
def test_clean_removes_escape_sequences_and_controls(raw: object, cleaned: str) -> None:
    assert clean(raw) == cleaned


def test_clean_keeps_newlines_when_asked() -> None:
    assert clean("a\r\nb\rc\x1b[2J", one_line=False) == "a\nb\nc"


@pytest.mark.parametrize("width", [60, 100, 160])
def test_text_report_folds_at_the_width_asked_for(width: int) -> None:
    out = render_report(cnn_report(), "text", width=width)
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= width
    if width > 100:  # the same report at 100 columns has lines this one need not fold
        assert len(lines) < len(render_report(cnn_report(), "text", width=100).splitlines())


def test_text_for_a_file_or_a_pipe_is_not_folded() -> None:
    whole = render_report(cnn_report(), "text").splitlines()
    folded = render_report(cnn_report(), "text", width=100).splitlines()
    assert max(len(line) for line in whole) > 100
    assert len(whole) < len(folded)
    urls = [line.strip() for line in whole if line.strip().startswith("https://")]
    assert urls and all(" " not in url for url in urls)
    assert cnn_report().copy.url in urls  # the copy's URL in one piece


def test_cli_uses_the_terminal_width_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli.shutil, "get_terminal_size", lambda: os.terminal_size((150, 40)))
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False, raising=False)
    assert cli._terminal_width() is None  # a pipe or a file: not folded
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    assert cli._terminal_width() == 150
    monkeypatch.setattr(cli.shutil, "get_terminal_size", lambda: os.terminal_size((20, 40)))
    assert cli._terminal_width() == 60

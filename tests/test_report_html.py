"""HTML report: a self-contained page, checked as text and in a real headless Chromium."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import struct
from collections.abc import Iterator
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from report_fixtures import bare_report, cnn_report, faithful_report

from provenance.models import (
    Alignment,
    Attribution,
    DiffOp,
    Finding,
    Marker,
    Original,
    Paragraph,
    ParagraphMatch,
    Report,
    Severity,
    Signal,
    Status,
)
from provenance.report import render_report

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def many_reports() -> list[Report]:
    return [
        cnn_report(),
        bare_report(),
        faithful_report(3, 0.99, "Zeta wire copy"),
        faithful_report(4, 0.42, "alpha partial copy"),
        faithful_report(5, 0.75, "Middle copy"),
    ]


# ---- static checks ------------------------------------------------------------------


def _inline(tag: str, page: str) -> str:
    match = re.search(f"<{tag}>(.*?)</{tag}>", page, re.DOTALL)
    assert match, tag
    return match.group(1)


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_page_is_self_contained_with_a_strict_csp() -> None:
    page = render_report(many_reports(), "html")
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
    assert csp is not None and page.index(csp.group(0)) < page.index("<title>")
    policy = csp.group(1)
    assert policy.startswith("default-src 'none'; ")
    assert f"script-src {_hash(_inline('script', page))};" in policy
    assert f"style-src {_hash(_inline('style', page))};" in policy
    assert "img-src data:" in policy and "base-uri 'none'" in policy
    assert page.count("<script") == 1 and page.count("<style") == 1
    assert "<link" not in page and " src=" not in page
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert hrefs and all(h.startswith(("#item-", "https://")) for h in hrefs)


def test_page_holds_charts_table_and_side_by_side() -> None:
    page = render_report(many_reports(), "html")
    assert page.count("<svg") == 4
    assert 'aria-label="Verdict counts"' in page and 'aria-label="Copy lag"' in page
    assert page.count('<tr id="row-') == 5
    assert '<details class="item" id="item-0">' in page
    assert 'id="item-0-c2"' in page and 'id="item-0-o3"' in page
    assert "Overnight it has <ins>shifted</ins>" in page
    assert "Overnight it has <del>lurched</del>" in page
    assert '<div class="row-dropped gap">not in the copy</div>' in page
    assert '<div class="row-added gap">not in the original</div>' in page
    assert '<span class="moved">moved</span>' in page


def test_single_report_renders_the_same_page_shape() -> None:
    page = render_report(cnn_report(), "html")
    assert page.startswith("<!doctype html>") and "1 item<" in page
    assert render_report(cnn_report(), "html") == page


# ---- browser ------------------------------------------------------------------------

browser_only = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason="Debian chromium is not installed (apt-get install chromium); CI always runs these",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


class Watched:
    """A page with every console message, page error, dialog and request recorded."""

    def __init__(self, browser: Any) -> None:
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.console: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.on("request", lambda r: self.requests.append(r.url))

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, path: Path) -> None:
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    w = Watched(browser)
    yield w
    w.page.close()


def _titles(page: Any) -> list[str]:
    return list(page.locator("#items tbody tr td:nth-child(2)").all_inner_texts())


def _column(page: Any, n: int) -> list[str]:
    return list(page.locator(f"#items tbody tr td:nth-child({n})").all_inner_texts())


@pytest.mark.browser
@browser_only
def test_page_sorts_opens_items_and_looks_right(watched: Watched, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    path.write_text(render_report(many_reports(), "html"), encoding="utf-8")
    watched.open(path)
    page = watched.page
    before = _titles(page)
    assert before[0].startswith("NATO allies") and before[1] == "A lone post"

    page.click("#items thead th:nth-child(2) button")
    assert _titles(page) == sorted(before, key=str.lower)
    assert page.get_attribute("#items thead th:nth-child(2)", "aria-sort") == "ascending"
    page.click("#items thead th:nth-child(2) button")
    assert _titles(page) == sorted(before, key=str.lower, reverse=True)

    page.click("#items thead th:nth-child(6) button")  # coverage: numeric, blanks last
    assert _column(page, 6) == ["0.420", "0.750", "0.833", "0.990", ""]
    page.click("#items thead th:nth-child(6) button")
    assert _column(page, 6) == ["0.990", "0.833", "0.750", "0.420", ""]

    assert page.get_attribute("#item-0", "open") is None
    page.click("#items a[href='#item-0']")
    assert page.get_attribute("#item-0", "open") == ""
    assert page.locator("#item-0 .sbs ins", has_text="shifted").is_visible()
    assert page.locator("#item-0 .sbs del", has_text="lurched").is_visible()
    page.click("#item-0 a[href='#item-0-o3']")
    assert page.evaluate("location.hash") == "#item-0-o3"

    shot = tmp_path / "side-by-side.png"
    page.locator("#item-0").screenshot(path=str(shot))
    page.screenshot(path=str(tmp_path / "page.png"), full_page=True)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width > 800 and height > 600 and len(data) > 30_000
    assert watched.errors == [] and watched.console == [] and watched.dialogs == []
    assert set(watched.requests) == {path.as_uri()}


XSS_PAYLOADS = [
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=2">',
    '<svg onload="window.__xss=3"></svg>',
    "javascript:window.__xss=4",
    "</script><script>window.__xss=5</script>",
    "</textarea><script>window.__xss=6</script>",
    "</title><script>window.__xss=7</script>",
    '<style>body{background:url("javascript:window.__xss=8")}</style>',
    '<div style="width:expression(window.__xss=9)">css</div>',
    '" style="color:red" onmouseover="window.__xss=10" x="',
    '<iframe srcdoc="<script>parent.__xss=11</script>"></iframe>',
    '<base href="https://attacker.example/">',
    '<meta http-equiv="refresh" content="0;url=javascript:window.__xss=13">',
    "<template><script>window.__xss=14</script></template>",
    "\u2028window.__xss=15\u2029",
    "{{constructor.constructor('window.__xss=16')()}}",
    '<a href="javascript:window.__xss=17">link</a>',
    '<object data="javascript:window.__xss=18"></object>',
    '<embed src="javascript:window.__xss=19">',
    '<math><mi xlink:href="javascript:window.__xss=20">m</mi></math>',
    '<details open ontoggle="window.__xss=21">d</details>',
    '<body onload="window.__xss=22">',
    "'><script>window.__xss=23</script>",
    "--><script>window.__xss=24</script><!--",
    '<noscript><p title="</noscript><img src=x onerror=window.__xss=25>"></noscript>',
    "<svg><script>window.__xss=26</script></svg>",
    "data:text/html,<script>window.__xss=27</script>",
    '<link rel="stylesheet" href="https://attacker.example/x.css">',
    '<input autofocus onfocus="window.__xss=29">',
    '<video><source onerror="window.__xss=30"></video>',
    "\x1b]8;;javascript:window.__xss=31\x07x\x1b]8;;\x07",
    "${window.__xss=32}",
    '<form action="javascript:window.__xss=33"><button>go</button></form>',
    "<img src=https://attacker.example/pixel.gif>",
]


ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "p", "section",
    "figure", "figcaption", "svg", "rect", "text", "line", "div", "table", "thead", "tbody", "tr",
    "th", "td", "button", "a", "span", "details", "summary", "dl", "dt", "dd", "ul", "li",
    "code", "ins", "del", "br", "footer", "script",
}  # fmt: skip


class _TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def _start_tags(page: str) -> list[tuple[str, dict[str, str]]]:
    collector = _TagCollector()
    collector.feed(page)
    return collector.tags


def _xss_report() -> Report:
    """Every field that carries copy or original text holds every payload."""
    base = cnn_report()
    blob = " ".join(XSS_PAYLOADS)
    copy = replace(
        base.copy,
        title=blob,
        url="javascript:window.__xss=100",
        paragraphs=tuple(Paragraph(i, p) for i, p in enumerate(XSS_PAYLOADS)),
    )
    matches = [ParagraphMatch(i, i, p, p, Status.VERBATIM, 1.0) for i, p in enumerate(XSS_PAYLOADS)]
    ops = tuple(DiffOp("replace", p, p) for p in XSS_PAYLOADS)
    matches += [
        ParagraphMatch(40, 40, blob, blob, Status.EDITED, 0.5, True, ops, ops),
        ParagraphMatch(41, None, blob, "", Status.ADDED, 0.0),
        ParagraphMatch(None, 42, "", blob, Status.DROPPED, 0.0),
        ParagraphMatch(43, 43, blob, blob, Status.REWRITTEN, 0.4),
    ]
    evidence = replace(
        base.evidence,
        attributions=tuple(Attribution(p, p, p, p, p, 0) for p in XSS_PAYLOADS),
        markers=(Marker(blob, blob, blob, 1, blob, {"earliest_created": blob}),),
        signals=tuple(Signal(p, p, p, p) for p in XSS_PAYLOADS),
        origin=replace(base.evidence.origin, publisher=blob, supported_by=(blob,)),
    )
    assert base.original is not None
    original_doc = replace(base.original.document, title=blob, url="data:text/html,<b>x</b>")
    return replace(
        base,
        copy=copy,
        evidence=evidence,
        original=Original(original_doc, found_by=blob),
        alignment=Alignment(tuple(matches)),
        findings=tuple(Finding(p, Severity.ERROR, p) for p in XSS_PAYLOADS),
    )


def test_xss_payloads_are_escaped_in_the_markup() -> None:
    assert len(XSS_PAYLOADS) >= 20
    page = render_report([_xss_report(), cnn_report()], "html")
    assert page.count("<script") == 1
    tags = _start_tags(page)
    assert {name for name, _ in tags} <= ALLOWED_TAGS
    assert [name for name, _ in tags].count("script") == 1
    for name, attrs in tags:
        assert not [a for a in attrs if a.lower().startswith("on") or a == "style"], name
        assert attrs.get("http-equiv", "Content-Security-Policy") == "Content-Security-Policy"
        href = attrs.get("href")
        assert href is None or href.startswith(("#item-", "https://", "http://")), href
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in page
    assert "&quot; style=&quot;color:red&quot; onmouseover=&quot;window.__xss=10&quot;" in page
    assert 'href="javascript' not in page and 'href="data:' not in page


@pytest.mark.browser
@browser_only
def test_xss_payloads_run_no_script_in_chromium(watched: Watched, tmp_path: Path) -> None:
    path = tmp_path / "xss.html"
    path.write_text(render_report([_xss_report(), cnn_report()], "html"), encoding="utf-8")
    watched.open(path)
    page = watched.page
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    page.mouse.move(300, 300)
    page.click("#items thead th:nth-child(2) button")
    page.click("#items a[href='#item-0']")
    page.screenshot(path=str(tmp_path / "xss.png"), full_page=True)

    assert page.evaluate("typeof window.__xss") == "undefined"
    assert watched.dialogs == []
    assert watched.errors == []
    assert watched.console == []  # not even a CSP violation: nothing tried to run
    assert set(watched.requests) == {path.as_uri()}
    dom = page.evaluate(
        """() => ({
        scripts: document.scripts.length,
        dangerous: document.querySelectorAll(
          'iframe,object,embed,base,meta[http-equiv=refresh i],link,form,input,img,video,'
          + 'template,math,noscript'
        ).length,
        handlers: [...document.querySelectorAll('*')].filter(
          el => [...el.attributes].some(a => a.name.toLowerCase().startsWith('on'))).length,
        jsLinks: [...document.querySelectorAll('a[href]')].filter(
          a => !/^(https?:|#)/.test(a.getAttribute('href'))).length,
        text: document.body.innerText,
      })"""
    )
    assert dom["scripts"] == 1 and dom["dangerous"] == 0
    assert dom["handlers"] == 0 and dom["jsLinks"] == 0
    assert "<script>window.__xss=1</script>" in dom["text"]  # shown as text, not dropped
    assert "{{constructor.constructor('window.__xss=16')()}}" in dom["text"]

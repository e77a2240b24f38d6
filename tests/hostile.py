"""A corpus of hostile documents, generated on demand (nothing big is committed).

Each `HostileCase` makes its bytes, says which outcomes are acceptable ("report", "error"
for a one-line InputError, or either) and, where content is cut or unreadable, which
words the report must carry so the cut is not passed off as "no match".

`run_case(name)` loads and checks one case through `provenance.pipeline.check_source`
(offline, no cache), renders the reports, and measures the time and the peak RSS growth
of the check alone. Run it in a worker process (`provenance.audit.workers.WorkerPool`) so that
a hang or a crash costs one process, not the test run.
"""

from __future__ import annotations

import random
import resource
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from provenance.errors import InputError
from provenance.pipeline import check_source
from provenance.report import render_report
from provenance.settings import Settings

SETTINGS = Settings(offline=True, cache_dir=None)
MB = 1024 * 1024
PARAGRAPH = (
    "The committee met on Tuesday to discuss the new budget, which raises spending on "
    "schools and roads while cutting the deficit by two percent over five years."
)
DEEP_TEXT = "DEEPMARK the sentence at the bottom of the nesting must not be lost silently."
_PARAS = "".join(f"<p>{PARAGRAPH} ({n})</p>" for n in range(4))


@dataclass(frozen=True)
class HostileCase:
    """One hostile input.

    `expect` is "report", "error" or "either"; `says` are words one of the reports'
    notes, findings or paragraphs must hold (case-insensitive), `not_says` words none
    of the rendered output may hold; `big` marks cases over ~10 MB.
    """

    name: str
    make: Callable[[], bytes]
    expect: str
    says: tuple[str, ...] = ()
    not_says: tuple[str, ...] = ()
    big: bool = False


def _page(body: str) -> bytes:
    return f"<!doctype html><html><head><title>Hostile</title></head><body>{body}</body></html>".encode()


def _nested(tag: str, depth: int, inner: str) -> str:
    return f"<{tag}>" * depth + inner + f"</{tag}>" * depth


def _deep_page(depth: int) -> bytes:
    return _page(_PARAS + _nested("div", depth, f"<p>{DEEP_TEXT}</p>") + _PARAS)


def _huge_attribute() -> bytes:
    return _page(f'<div data-blob="{"x" * (20 * MB)}"></div>{_PARAS}')


def _big_page(size: int) -> bytes:
    paragraph = f"<p>{PARAGRAPH}</p>\n".encode()
    head, tail = _page("").split(b"</body>")
    count = -(-(size - len(head) - len(tail)) // len(paragraph))  # at least `size` bytes
    return head + paragraph * count + b"</body>" + tail


def _one_big_paragraph() -> bytes:
    words = (PARAGRAPH + " ") * (MB // len(PARAGRAPH))
    return f"Big paragraph\n\n{words}\n\nA short closing paragraph.".encode()


def _invalid_utf8() -> bytes:
    return b"Title line\n\n" + (PARAGRAPH.encode() + b" caf\xe9 \xff\xfe\xc3(\n\n") * 20


def _rss(items: str, prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0"?>{prolog}<rss version="2.0"><channel>{items}</channel></rss>'.encode()
    )


def _feed_items(count: int) -> bytes:
    item = "<item><title>T{0}</title><link>https://example.com/{0}</link>"
    item += f"<description>{PARAGRAPH} {{0}}</description></item>"
    return _rss("".join(item.format(n) for n in range(count)))


def _billion_laughs() -> bytes:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" if n > 1 else "&lol;" * 1}'
        + f"&lol{n - 1 if n > 1 else ''};" * 9
        + '">'
        for n in range(1, 10)
    )
    return _rss(
        f"<item><description>{PARAGRAPH} &lol9;</description></item>",
        f"<!DOCTYPE rss [{entities}]>",
    )


def _xxe() -> bytes:
    prolog = '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    return _rss(f"<item><description>{PARAGRAPH} &xxe;</description></item>", prolog)


def _wordpress(content: str, title: str = "Hostile post") -> bytes:
    import json

    post = {"id": 1, "link": "https://copy.example/p/1", "title": {"rendered": title},
            "content": {"rendered": content}}  # fmt: skip
    return json.dumps(post).encode()


def _lone_surrogates() -> bytes:
    return (
        b'{"id": 1, "title": {"rendered": "Lone \\ud800 surrogate"}, "content": {"rendered": "<p>'
        + PARAGRAPH.encode()
        + b' \\udfff \\ud83d end</p><p>Second \\udc00 paragraph.</p>"}}'
    )


def _garbage() -> bytes:
    return random.Random(7).randbytes(MB)


def _rtl() -> bytes:
    evil = "\u202eevil.exe\u202c \u2066isolate\u2069 \u200f\u061c"
    return f"<p>{evil} {PARAGRAPH}</p><p>{evil}</p><p>{PARAGRAPH}</p>".encode()


def _corpus_notes() -> bytes:
    return b"https://example.com/a\n" + b"# NOTE: x\n" * 200_000 + PARAGRAPH.encode()


CASES: tuple[HostileCase, ...] = (
    HostileCase("deep-div-300", lambda: _deep_page(300), "report", says=("DEEPMARK",)),
    HostileCase("deep-div-2000", lambda: _deep_page(2_000), "report", says=("DEEPMARK",)),
    HostileCase("deep-div-100k", lambda: _deep_page(100_000), "either", says=("DEEPMARK",)),
    HostileCase("deep-inline-100k", lambda: _page(_PARAS + _nested("b", 100_000, DEEP_TEXT)), "either", says=("DEEPMARK",)),
    HostileCase("deep-fragment-100k", lambda: _nested("div", 100_000, DEEP_TEXT).encode(), "either", says=("DEEPMARK",)),
    HostileCase("deep-wordpress-10k", lambda: _wordpress(_nested("div", 10_000, DEEP_TEXT)), "either", says=("DEEPMARK",)),
    HostileCase("attribute-20mb", _huge_attribute, "report", says=("committee met",), big=True),
    HostileCase("page-49mb", lambda: _big_page(49_000_000), "report", says=("paragraphs were read",), big=True),
    HostileCase("page-over-limit", lambda: _big_page(50_000_001), "error", says=("larger than",), big=True),
    HostileCase("paragraph-1mb", _one_big_paragraph, "report", says=("cut to",)),
    HostileCase("tiny-paragraphs-200k", lambda: _page("<p>a</p>" * 200_000), "report", says=("paragraphs were read",)),
    HostileCase("invalid-utf8", _invalid_utf8, "report", says=("not valid UTF-8",)),
    HostileCase("utf16le-no-bom", lambda: (PARAGRAPH + "\n\n" + PARAGRAPH).encode("utf-16-le"), "report", says=("committee met",)),
    HostileCase("utf16be-no-bom", lambda: (PARAGRAPH + "\n\n" + PARAGRAPH).encode("utf-16-be"), "report", says=("committee met",)),
    HostileCase("binary-garbage", _garbage, "error", says=("binary",)),
    HostileCase("gzip-bytes", lambda: __import__("gzip").compress(_page(_PARAS)), "error"),
    HostileCase("empty", lambda: b"", "error", says=("no text",)),
    HostileCase("whitespace-only", lambda: b" \n\t\r\n \xc2\xa0 \n" * 1000, "error"),
    HostileCase("nul-bytes", lambda: (PARAGRAPH + "\x00\x00 ") .encode() * 50, "either"),
    HostileCase("json-array-10k-deep", lambda: b"[" * 10_000 + b"]" * 10_000, "error"),
    HostileCase("json-object-10k-deep", lambda: b'{"a":' * 10_000 + b"1" + b"}" * 10_000, "error"),
    HostileCase("json-lone-surrogates", _lone_surrogates, "report", says=("committee met",)),
    HostileCase("json-cut-backslashes", lambda: b'{"content": {"rendered": "<p>' + b"\\\\" * 500_000, "either"),
    HostileCase("json-10k-posts", lambda: b"[" + b",".join([_wordpress(f"<p>{PARAGRAPH}</p>")] * 10_000) + b"]", "report", says=("truncated",)),
    HostileCase("feed-100k-items", lambda: _feed_items(100_000), "report", says=("truncated",), big=True),
    HostileCase("billion-laughs", _billion_laughs, "either", not_says=("lollollol",)),
    HostileCase("xxe-file", _xxe, "either", not_says=("root:x:0",)),
    HostileCase("rtl-overrides", _rtl, "report", says=("committee met",)),
    HostileCase("unclosed-scripts-50k", lambda: _page(_PARAS + "<script>x" * 50_000), "either"),
    HostileCase("unclosed-comments-50k", lambda: ("<!--" * 50_000).encode() + _page(_PARAS), "either"),
    HostileCase("links-100k", lambda: _page(_PARAS + '<a href="https://www.cnn.com/x">CNN</a>' * 100_000), "report"),
    HostileCase("attributes-100k", lambda: _page("<p " + " ".join(f"a{n}=1" for n in range(100_000)) + f">{PARAGRAPH}</p>"), "error", says=("attributes",)),
    HostileCase("title-10mb", lambda: _page(f"<h1>{'T' * (10 * MB)}</h1>{_PARAS}"), "either", big=True),
    HostileCase("jsonld-10k-deep", lambda: _page('<script type="application/ld+json">' + "[" * 10_000 + "]" * 10_000 + "</script>" + _PARAS), "report"),
    HostileCase("corpus-200k-notes", _corpus_notes, "either"),
    HostileCase("front-matter-unclosed", lambda: b"---\n" + b"key: value\n" * 200_000, "either"),
    HostileCase("control-characters", lambda: ("".join(chr(c) for c in range(1, 32)) * 1000).encode(), "error"),
    HostileCase("bracket-text-1mb", lambda: b"[Breaking] " + PARAGRAPH.encode() * 7000, "report"),
)  # fmt: skip

BY_NAME = {case.name: case for case in CASES}


@dataclass(frozen=True)
class Outcome:
    """What checking one case gave: reports (their notes, finding codes and text) or an error."""

    name: str
    kind: str  # "report" or "error"
    error: str = ""
    reports: int = 0
    text: str = ""  # notes, findings and paragraphs of every report, for `says` checks
    rendered: str = ""  # the rendered reports, first 200 kB, for `not_says` checks
    seconds: float = 0.0
    rss_growth_mb: float = 0.0


def _rss_mb() -> float:
    """Current resident set size of this process, in MB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / MB


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_case(name: str) -> Outcome:
    """Check case `name` through the pipeline; measure the check (not the generation).

    Run in a fresh process: the peak RSS of a process never goes down, so a reused
    process would hide the growth of a later case.
    """
    data = BY_NAME[name].make()
    with tempfile.TemporaryDirectory(prefix="hostile-") as tmp:
        path = Path(tmp) / "input"
        path.write_bytes(data)
        del data
        before = max(_rss_mb(), _peak_rss_mb())
        started = time.monotonic()
        try:
            reports = check_source(str(path), settings=SETTINGS)
        except InputError as exc:
            return Outcome(name, "error", error=str(exc), seconds=time.monotonic() - started,
                           rss_growth_mb=_peak_rss_mb() - before)  # fmt: skip
        rendered = render_report(reports[:50], "json") + render_report(reports[:50], "markdown")
        seconds = time.monotonic() - started
    parts: list[str] = []
    for report in reports[:50]:
        parts += report.copy.notes
        parts += [f"{f.code}: {f.message}" for f in report.findings]
        parts += [p.text[:2000] for p in report.copy.paragraphs[:5000]]
    return Outcome(
        name, "report", reports=len(reports), text="\n".join(parts), rendered=rendered[:200_000],
        seconds=seconds, rss_growth_mb=_peak_rss_mb() - before,
    )  # fmt: skip


def problems(case: HostileCase, outcome: Outcome) -> list[str]:
    """What is wrong with `outcome` for `case`; empty when it is acceptable."""
    found: list[str] = []
    if case.expect != "either" and outcome.kind != case.expect:
        found.append(f"expected {case.expect}, got {outcome.kind}: {outcome.error[:200]}")
    if outcome.kind == "error" and ("\n" in outcome.error or not outcome.error):
        found.append(f"error message is not one line: {outcome.error[:300]!r}")
    # `says` applies to the expected outcome: a refused input says why in its one line.
    if outcome.kind == "report" or case.expect == "error":
        haystack = (outcome.text + "\n" + outcome.error).lower()
        found += [f"nothing says {w!r}" for w in case.says if w.lower() not in haystack]
    found += [f"output holds {w!r}" for w in case.not_says if w in outcome.rendered]
    return found

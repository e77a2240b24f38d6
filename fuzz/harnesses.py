"""Fuzz harnesses: each takes arbitrary bytes and drives one part of `provenance` with them.

A harness may raise only what `ALLOWED` lists (the InputError family: "cannot read this
item"); any other exception, a hang or a crash is a bug. The same functions are driven by
atheris in `fuzz/run.py` (long runs) and by Hypothesis in `tests/test_fuzz.py` (short runs).

The first byte of the input picks a mode, so one harness reaches both raw bytes and
well-formed containers (a JSON post, an RSS item, a page) holding fuzzed content.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from xml.sax.saxutils import escape

from provenance.align import align_paragraphs
from provenance.detect import detect_evidence
from provenance.errors import InputError
from provenance.load import load_documents
from provenance.models import Document, Paragraph
from provenance.settings import Settings

ALLOWED: tuple[type[Exception], ...] = (InputError,)
SETTINGS = Settings(offline=True, cache_dir=None, time_budget_seconds=0.5)

Harness = Callable[[bytes], None]


def _split(data: bytes) -> tuple[int, str]:
    """(mode byte, the rest decoded as UTF-8 with bad bytes replaced)."""
    if not data:
        return 0, ""
    return data[0], data[1:].decode("utf-8", errors="replace")


def _load(data: bytes) -> list[Document]:
    return load_documents(data, source="fuzz", settings=SETTINGS)


def _wordpress_bytes(data: bytes) -> bytes:
    mode, text = _split(data)
    if mode % 4 == 0:
        return b"{" + data[1:]  # raw bytes after a "{": JSON and its salvage path
    half = len(text) // 2
    post = {
        "id": 1,
        "link": "https://example.com/p/1",
        "date_gmt": text[:20],
        "title": {"rendered": text[:half]},
        "content": {"rendered": text[half:]},
    }
    encoded = json.dumps(post if mode % 4 != 3 else [post, post])
    if mode % 4 == 2:
        encoded = encoded[: max(40, len(encoded) - mode)]  # cut off mid-JSON
    return encoded.encode("utf-8")


def _feed_bytes(data: bytes) -> bytes:
    mode, text = _split(data)
    if mode % 4 == 0:
        return b"<rss>" + data[1:]
    if mode % 4 == 1:
        item = f"<item><title>t</title><description>{escape(text)}</description></item>"
        return f'<?xml version="1.0"?><rss version="2.0"><channel>{item}</channel></rss>'.encode()
    if mode % 4 == 2:
        entry = f'<entry><content type="html">{escape(text)}</content></entry>'
        return f'<feed xmlns="http://www.w3.org/2005/Atom">{entry}</feed>'.encode()
    return f'<rss version="2.0"><channel><item>{text}</item></channel></rss>'.encode()


def _html_bytes(data: bytes) -> bytes:
    mode, _ = _split(data)
    if mode % 3 == 0:
        return b"<html><body>" + data[1:]
    if mode % 3 == 1:
        return b"<div>" + data[1:]
    return b"<!doctype html><html><head><title>t</title></head><body><article>" + data[1:]


def load_any(data: bytes) -> None:
    """`load_documents` on raw bytes: every format the sniffer can pick."""
    _load(data)


def load_wordpress(data: bytes) -> None:
    """WordPress REST JSON: raw, well-formed posts with fuzzed fields, cut-off posts, lists."""
    _load(_wordpress_bytes(data))


def load_feed(data: bytes) -> None:
    """RSS / Atom: raw markup after `<rss>`, fuzzed item content, fuzzed item markup."""
    _load(_feed_bytes(data))


def load_html(data: bytes) -> None:
    """HTML pages and fragments with fuzzed markup."""
    _load(_html_bytes(data))


def load_text(data: bytes) -> None:
    """Plain text, front matter and the pages-corpus header."""
    mode, text = _split(data)
    prefix = ("", "---\ntitle: x\n", "https://example.com/a\n# NOTE: fuzz\n", "Title\n\n")[mode % 4]
    _load((prefix + text.lstrip("{[<")).encode("utf-8", errors="surrogatepass"))


def detect_loaded(data: bytes) -> None:
    """`detect_evidence` on whatever the loaders make of the bytes."""
    mode, _ = _split(data)
    makers = (lambda d: d, _wordpress_bytes, _feed_bytes, _html_bytes)
    try:
        docs = _load(makers[mode % 4](data))
    except ALLOWED:
        return
    for doc in docs:
        detect_evidence(doc, SETTINGS)


def detect_markup(data: bytes) -> None:
    """`detect_evidence` on a document whose markup and paragraphs are arbitrary text."""
    _, text = _split(data)
    lines = [line for line in text.split("\n") if line.strip()] or ["x"]
    paragraphs = tuple(Paragraph(index=i, text=t) for i, t in enumerate(lines[:50]))
    url = lines[0][:200] if lines[0].startswith("http") else "https://copy.example/post"
    doc = Document(source="fuzz", kind="html", paragraphs=paragraphs, url=url, html=text)
    detect_evidence(doc, SETTINGS)


def _paragraphs(chunk: str) -> list[Paragraph]:
    return [Paragraph(index=i, text=t) for i, t in enumerate(x for x in chunk.split("\n") if x)]


def align(data: bytes) -> None:
    """`align_paragraphs` on two arbitrary paragraph lists (split on NUL, then newlines)."""
    _, text = _split(data)
    left, _, right = text.partition("\x00")
    copy, original = _paragraphs(left), _paragraphs(right)
    alignment = align_paragraphs(copy, original, SETTINGS)
    # Every paragraph of both sides appears in some match (a split or merged paragraph
    # may appear in several), and no match names a paragraph that does not exist.
    for side, paragraphs, attr in (
        ("copy", copy, "copy_index"),
        ("original", original, "original_index"),
    ):
        covered = {i for m in alignment.matches if (i := getattr(m, attr)) is not None}
        if covered != set(range(len(paragraphs))):
            raise AssertionError(
                f"{side} paragraphs covered {sorted(covered)}, expected {len(paragraphs)}"
            )


HARNESSES: dict[str, Harness] = {
    "align": align,
    "detect_loaded": detect_loaded,
    "detect_markup": detect_markup,
    "load_any": load_any,
    "load_feed": load_feed,
    "load_html": load_html,
    "load_text": load_text,
    "load_wordpress": load_wordpress,
}


def run_one(name: str, data: bytes) -> None:
    """Run harness `name` on `data`, swallowing only the allowed exceptions."""
    with contextlib.suppress(ALLOWED):
        HARNESSES[name](data)

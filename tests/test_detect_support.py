"""Builders of Documents from the seed and the real material in ../shared, for the detect tests.

The load stage is written elsewhere; these helpers build Documents the simple way the
detect tests need: <p> elements of WordPress `content.rendered` with their attributes,
or the blank-line paragraphs of the stored text files.
"""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shared_dir import SEED, SHARED

from provenance.models import Document, Paragraph

_P_RE = re.compile(r"<p(\s[^>]*)?>(.*?)</p>", re.S | re.I)
_ATTR_RE = re.compile(r'([\w:-]+)="([^"]*)"')
_TAG_RE = re.compile(r"<[^>]+>")


def clean_text(fragment: str) -> str:
    """Return the visible text of an HTML fragment, whitespace collapsed."""
    return re.sub(r"\s+", " ", html.unescape(_TAG_RE.sub("", fragment))).strip()


def split_paragraphs(markup: str) -> tuple[Paragraph, ...]:
    """Return the non-empty <p> elements of `markup` with their attributes."""
    paragraphs = []
    for match in _P_RE.finditer(markup):
        text = clean_text(match.group(2))
        if text:
            attrs = {k: html.unescape(v) for k, v in _ATTR_RE.findall(match.group(1) or "")}
            paragraphs.append(Paragraph(len(paragraphs), text, "p", attrs))
    return tuple(paragraphs)


def wordpress_document(post: dict[str, Any], source: str) -> Document:
    """Return a Document of one WordPress REST post."""
    rendered = post["content"]["rendered"]
    published = datetime.fromisoformat(post["date_gmt"]).replace(tzinfo=UTC)
    meta = {k: post[k] for k in ("meta", "yoast_head_json", "link") if k in post}
    return Document(
        source=source,
        kind="wordpress",
        paragraphs=split_paragraphs(rendered),
        url=post.get("link"),
        title=clean_text(post["title"]["rendered"]),
        published=published,
        html=rendered,
        meta=meta,
    )


def seed_document() -> Document:
    """Return the seed (digitaltradecenter.com post 13123) as a Document."""
    return wordpress_document(json.loads(SEED.read_text(encoding="utf-8")), str(SEED))


def text_document(path: Path) -> Document:
    """Return a stored .txt/.md file: line 1 is the URL, `# NOTE` lines are skipped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    url = lines[0].strip() if lines and "://" in lines[0] else None
    body = "\n".join(line for line in lines[1:] if not line.startswith("# NOTE"))
    blocks = [b for b in re.split(r"\n\s*\n", body) if b.strip()]
    lines_count = sum(1 for line in body.splitlines() if line.strip())
    if len(blocks) < 3 and lines_count > len(blocks) + 1:  # one paragraph per line
        blocks = body.splitlines()
    blocks = [re.sub(r"\s+", " ", b).strip() for b in blocks]
    paragraphs = tuple(Paragraph(i, b) for i, b in enumerate(b for b in blocks if b))
    return Document(source=str(path), kind="text", paragraphs=paragraphs, url=url)


def html_document(path: Path, url: str | None = None) -> Document:
    """Return a stored HTML page (or fragment) with its <p> paragraphs."""
    markup = path.read_text(encoding="utf-8", errors="replace")
    return Document(
        source=str(path), kind="html", paragraphs=split_paragraphs(markup), url=url, html=markup
    )


def shared_document(relative: str) -> Document:
    """Return a Document for any file under ../shared, chosen by its extension."""
    path = SHARED / relative
    if path.suffix == ".json":
        return wordpress_document(json.loads(path.read_text(encoding="utf-8")), str(path))
    if path.suffix == ".html":
        return html_document(path)
    doc = text_document(path)
    raw = path.read_text(encoding="utf-8")
    if "<p" in raw:  # a truncated WordPress JSON stored as text: keep the markup too
        return Document(
            doc.source,
            doc.kind,
            doc.paragraphs,
            doc.url,
            html=raw.replace("\\/", "/").replace('\\"', '"'),
        )
    return doc

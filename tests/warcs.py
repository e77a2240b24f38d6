"""WARC files built by hand for the scan tests and benchmark (nothing big is committed).

`build_crawl(folder)` writes an archive of the originals of cases/ and three WARC files
of HTML responses: every case copy as a page (synthetic copies get a URL on
copies.example), unrelated pages of generated prose, pages that are not HTML or not
status 200, and broken records (a broken HTTP header, a truncated gzip member, a body
cut short, a gzip bomb, hostile markup). `Crawl` says what a scan must find.
"""

from __future__ import annotations

import gzip
import html
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from provenance.archive import Archive
from provenance.models import Document
from provenance.pipeline import read_documents
from provenance.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = Settings(offline=True, cache_dir=None)
WARC_DATE = "2025-03-01T12:00:00Z"
KEEPS_TEXT = frozenset({"faithful", "trimmed", "modified"})
_WORDS = [
    "garden",
    "river",
    "mountain",
    "recipe",
    "bicycle",
    "violin",
    "harbor",
    "lantern",
    "meadow",
    "orchard",
    "pepper",
    "saddle",
    "tunnel",
    "velvet",
    "walnut",
    "yellow",
    "zebra",
    "anchor",
    "blossom",
    "candle",
    "dolphin",
    "ember",
    "falcon",
    "glacier",
    "hammock",
    "igloo",
    "jasmine",
    "kettle",
    "lemon",
    "marble",
    "nectar",
    "oyster",
    "pebble",
    "quilt",
    "raven",
]


@dataclass
class Crawl:
    """What was written, and what a scan of it must report."""

    archive: Path
    warcs: list[Path]
    # copy URL -> URL of its original, for copies that keep the original's text
    derived: dict[str, str] = field(default_factory=dict)
    # copy URL -> original URL, for paraphrases: if found, by this original
    paraphrases: dict[str, str] = field(default_factory=dict)
    unrelated: set[str] = field(default_factory=set)
    broken: set[str] = field(default_factory=set)  # URLs of records that must be errors
    records: int = 0  # response records a reader can find


def warc_member(url: str, block: bytes, n: int, *, kind: str = "response") -> bytes:
    """One gzip-compressed WARC record (the usual record-per-member layout)."""
    head = (
        f"WARC/1.0\r\nWARC-Type: {kind}\r\n"
        f"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-{n:012d}>\r\n"
        f"WARC-Date: {WARC_DATE}\r\nWARC-Target-URI: {url}\r\n"
        f"Content-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(block)}\r\n\r\n"
    ).encode()
    return gzip.compress(head + block + b"\r\n\r\n", mtime=0)


def http_response(
    body: bytes, *, content_type: str = "text/html; charset=utf-8", status: str = "200 OK",
    extra: str = "",
) -> bytes:  # fmt: skip
    head = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n{extra}"
    return (head + f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def page_html(doc: Document) -> bytes:
    """A plain article page holding the document's paragraphs."""
    title = html.escape(doc.title or "Untitled")
    paragraphs = "".join(f"<p>{html.escape(p.text)}</p>\n" for p in doc.paragraphs)
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article><h1>{title}"
        f"</h1>\n{paragraphs}</article><footer>Contact us</footer></body></html>"
    ).encode()


def prose(rng: random.Random, paragraphs: int) -> list[str]:
    return [
        " ".join(rng.choice(_WORDS) for _ in range(rng.randint(25, 60))).capitalize() + "."
        for _ in range(paragraphs)
    ]


def unrelated_page(rng: random.Random, n: int) -> bytes:
    doc_text = "".join(f"<p>{p}</p>" for p in prose(rng, rng.randint(4, 9)))
    return (
        f"<html><head><title>Unrelated page {n}</title></head><body><article>"
        f"<h1>Unrelated page {n}</h1>{doc_text}</article></body></html>"
    ).encode()


def _cases() -> list[tuple[dict[str, object], Path]]:
    """The cases whose files are all in the repository (not those needing ../shared), so
    the crawl is the same with or without ../shared."""
    cases = [
        (json.loads(path.read_text(encoding="utf-8")), path.parent)
        for path in sorted((ROOT / "cases").glob("*/case.json"))
    ]
    return [(case, folder) for case, folder in cases if not case.get("requires_shared")]


def build_archive(path: Path) -> dict[str, Document]:
    """An archive of every original in cases/; returns them by case slug."""
    originals: dict[str, Document] = {}
    with Archive.open(path, settings=SETTINGS) as store:
        for case, folder in _cases():
            if case.get("original"):
                [doc] = read_documents(str(folder / str(case["original"])), settings=SETTINGS)
                store.add_document(doc)
                originals[str(case["slug"])] = doc
    return originals


def _archived_twin(copy: Document, originals: dict[str, Document]) -> str | None:
    """The URL of an archived original holding most of `copy`'s paragraphs, if any."""
    texts = {p.text for p in copy.paragraphs if len(p.text.split()) >= 8}
    for original in originals.values():
        shared = texts & {p.text for p in original.paragraphs}
        if texts and original.url and len(shared) >= len(texts) / 2:
            return original.url
    return None


def build_crawl(folder: Path, *, unrelated: int = 30, seed: int = 13) -> Crawl:
    """Write the archive and three WARC files into `folder` (see the module docstring)."""
    rng = random.Random(seed)
    originals = build_archive(folder / "originals.sqlite")
    crawl = Crawl(folder / "originals.sqlite", [])
    pages: list[tuple[str, bytes]] = []
    for case, case_folder in _cases():
        slug = str(case["slug"])
        item = int(case.get("item", 0))  # type: ignore[call-overload]
        copy = read_documents(str(case_folder / str(case["copy"])), settings=SETTINGS)[item]
        url = copy.url or f"https://copies.example/{slug}"
        if url in {u for u, _ in pages}:
            continue
        pages.append((url, page_html(copy)))
        verdict = case["expected"]["verdict"]  # type: ignore[index]
        original = originals.get(slug)
        if original is None or original.url is None:
            continue
        if verdict in KEEPS_TEXT:
            crawl.derived[url] = original.url
        elif verdict == "rewritten":
            crawl.paraphrases[url] = original.url
        elif verdict == "unrelated":
            # unrelated to its own case's original, but it may be another case's original
            twin = _archived_twin(copy, originals)
            if twin is None:
                crawl.unrelated.add(url)
            else:
                crawl.derived[url] = twin
    for n in range(unrelated):
        url = f"https://unrelated.example/page-{n}"
        pages.append((url, unrelated_page(rng, n)))
        crawl.unrelated.add(url)
    rng.shuffle(pages)
    members = [warc_member(url, http_response(body), n) for n, (url, body) in enumerate(pages)]
    first = next(iter(originals.values()))
    members += _noise(len(members), max((p.text for p in first.paragraphs), key=len))
    crawl.broken |= _BROKEN_URLS
    crawl.records = len(pages) + 7  # six responses among the noise, and the cut body
    third = -(-len(members) // 3)
    for n in range(3):
        part = members[n * third : (n + 1) * third]
        if n == 1:  # a gzip member cut in half in the middle of a file
            cut = warc_member("https://broken.example/cut-member", http_response(b"<p>x</p>"), 999)
            part.insert(len(part) // 2, cut[: len(cut) // 2])
        if n == 2:  # a file that ends in the middle of a record
            part.append(cut_record("https://broken.example/cut-body", 998))
        path = folder / f"crawl-{n}.warc.gz"
        path.write_bytes(b"".join(part))
        crawl.warcs.append(path)
    return crawl


_BROKEN_URLS = frozenset(
    {
        "https://broken.example/bad-http-header",
        "https://broken.example/cut-body",
        "https://broken.example/gzip-bomb",
        "https://broken.example/many-attributes",
    }
)


def _noise(start: int, article: str) -> list[bytes]:
    """Records a scan must skip, and broken or hostile ones it must list as errors;
    `article` is a paragraph of an original, so the hostile pages pass the prefilter."""
    text = html.escape(article)
    bomb = gzip.compress(b"<p>" + b"a" * 60_000_000 + b"</p>", mtime=0)
    attributes = "<p " + " ".join(f"a{n}=1" for n in range(100_000)) + f">{text}</p>"
    scripts = f"<p>{text}</p>" + "<script>x" * 20_000
    block = b"GARBAGE NOT HTTP\r\n\x00\x01\r\n\r\n<p>x</p>"
    return [
        warc_member("https://skip.example/logo.png", http_response(b"\x89PNG\r\n", content_type="image/png"), start),
        warc_member("https://skip.example/missing", http_response(b"<p>gone</p>", status="404 Not Found"), start + 1),
        warc_member("https://broken.example/bad-http-header", block, start + 2),
        warc_member("https://broken.example/gzip-bomb", http_response(bomb, extra="Content-Encoding: gzip\r\n"), start + 3),
        warc_member("https://broken.example/many-attributes", http_response(f"<html><body>{attributes}</body></html>".encode()), start + 4),
        warc_member("https://hostile.example/unclosed-scripts", http_response(f"<html><body>{scripts}</body></html>".encode()), start + 5),
        warc_member("https://skip.example/request", b"GET / HTTP/1.1\r\n\r\n", start + 6, kind="request"),
    ]  # fmt: skip


def cut_record(url: str, n: int) -> bytes:
    """A record whose body stops before its Content-Length says (a file cut short)."""
    block = http_response(b"<html><body><p>cut</p></body></html>" * 40)
    member = gzip.decompress(warc_member(url, block, n))
    declared = f"Content-Length: {len(block)}\r\n".encode()
    return gzip.compress(
        member.replace(declared, f"Content-Length: {len(block) + 5000}\r\n".encode(), 1)[:-4],
        mtime=0,
    )

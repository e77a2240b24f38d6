"""The load stage: bytes in every supported format -> Documents, and bad input -> InputError."""

# Typographic quotes and dashes are the subject of these tests, not typos.
# ruff: noqa: RUF001

from __future__ import annotations

import contextlib
import io
import json
import re
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from shared_dir import SEED, SHARED, have_shared

from provenance.errors import InputError
from provenance.load import load_documents, read_input
from provenance.models import Document
from provenance.settings import Settings
from provenance.text import words

REAL = SHARED / "real"
HTML_PAGES = sorted((REAL / "html").glob("*.html")) if have_shared() else []
GROUND_TRUTH = (
    json.loads((REAL / "html" / "shb_sidecar_urls_and_ground_truth.json").read_text())
    if have_shared()
    else {}
)
SETTINGS = Settings()


def load(data: bytes, source: str = "test", **kwargs: object) -> list[Document]:
    return load_documents(data, source=source, settings=kwargs.pop("settings", SETTINGS), **kwargs)  # type: ignore[arg-type]


def load_one(path: Path, **kwargs: object) -> Document:
    docs = load(path.read_bytes(), source=path.name, **kwargs)
    assert len(docs) == 1, path.name
    return docs[0]


def assert_indexed(doc: Document) -> None:
    assert [p.index for p in doc.paragraphs] == list(range(len(doc.paragraphs)))
    assert all(p.text and p.text == p.text.strip() for p in doc.paragraphs)


# ------------------------------------------------------------------------ WordPress


def test_seed_wordpress_post() -> None:
    doc = load_one(SEED)
    post = json.loads(SEED.read_text())
    assert doc.kind == "wordpress"
    assert (
        doc.title
        == "NATO allies scramble for direction as Trump team signals concessions to Moscow"
    )
    assert doc.published == datetime(2025, 2, 13, 11, 38, 35, tzinfo=UTC)
    assert doc.url == post["link"]
    assert doc.html == post["content"]["rendered"]
    assert {"guid", "link", "modified_gmt", "meta"} <= set(doc.meta)
    assert_indexed(doc)
    *body, last = doc.paragraphs
    assert len(body) == 12
    for paragraph in body:
        assert paragraph.tag == "p"
        assert paragraph.attrs["data-uri"].startswith(
            "cms.cnn.com/_components/paragraph/instances/"
        )
        assert "vossi-paragraph" in paragraph.attrs["class"]
    assert body[0].text.startswith("Wednesday’s meeting at the NATO headquarters")
    assert "This post appeared first on cnn.com" in last.text
    assert doc.repairs == () and doc.notes == ()


def test_wordpress_list_gives_one_document_per_post() -> None:
    post = json.loads(SEED.read_text())
    second = {**post, "link": "https://example.org/2", "title": {"rendered": "Two &#8211; B"}}
    docs = load(json.dumps([post, second]).encode())
    assert [d.url for d in docs] == [post["link"], "https://example.org/2"]
    assert docs[1].title == "Two – B"


@pytest.mark.parametrize(
    ("posts", "message"),
    [
        ([{"content": {"rendered": "<p>a</p>"}}, {"title": "x"}], "item 1: not a WordPress post"),
        ([{"content": {"rendered": "<p>a</p>"}}, 7], "item 1: not a WordPress post (JSON int)"),
        (
            [{"content": {"rendered": "<p>a</p>"}}, {"content": {"rendered": " "}}],
            "item 1 has no text",
        ),
    ],
)
def test_malformed_post_in_list_names_its_index(posts: list[object], message: str) -> None:
    with pytest.raises(InputError, match="^" + re.escape(f"test {message}")):
        load(json.dumps(posts).encode())


@pytest.mark.shared
def test_truncated_wordpress_excerpt_is_salvaged() -> None:
    doc = load_one(REAL / "copies" / "stateofthenation_235933.txt")
    assert doc.kind == "wordpress"
    assert doc.url == "https://stateofthenation.co/?p=235933"
    assert doc.title is not None and doc.title.startswith("WARNING!!! SUPREME COURT RULES")
    assert doc.published == datetime(2024, 6, 30, 10, 24, 46, tzinfo=UTC)
    assert doc.paragraphs[0].text.startswith("(CNN) — The Supreme Court on Wednesday")
    cnn = doc.paragraphs[1]
    assert cnn.attrs["data-uri"].endswith("clxvwnjgm00093b6ku0r1ehv2@published")
    assert cnn.attrs["data-analytics-observe"] == "off"
    assert any("cut off" in note for note in doc.notes)


# --------------------------------------------------------------------- text layouts


@pytest.mark.shared
def test_pages_corpus_mojibake_is_repaired_and_recorded() -> None:
    doc = load_one(REAL / "families" / "cnn-nato-scramble-2025-02-12" / "lapost.txt")
    assert doc.kind == "text"
    assert doc.url == (
        "https://lapost.com/content/nato-allies-scramble-for-direction-as-trump-team-signals-"
        "concessions-to-moscow"
    )
    assert doc.repairs == ("mojibake: utf-8 read as windows-874",)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Brussels, Belgium (CNN) — Wednesday’s meeting" in text
    assert "Andris Sprūds" in text
    assert "โ" not in text and "€" not in text
    assert not any(p.text.startswith("# NOTE") for p in doc.paragraphs)
    assert_indexed(doc)


@pytest.mark.shared
def test_pages_corpus_date_prefix_becomes_published() -> None:
    doc = load_one(REAL / "families" / "conversation-sunscreen-88869" / "abc_net_au_edited.txt")
    assert doc.published == datetime(2018, 1, 8, tzinfo=UTC)
    assert doc.paragraphs[0].text.startswith("Sunscreen — how does it work")


@pytest.mark.shared
def test_markdown_front_matter() -> None:
    doc = load_one(REAL / "copies" / "techhubms_github-blog_addressing-availability.md")
    assert doc.kind == "markdown"
    assert doc.title == "Addressing GitHub's Recent Availability and Reliability Incidents"
    assert doc.meta["external_url"].startswith("https://github.blog/news-insights/")
    assert any(p.tag == "h1" for p in doc.paragraphs)
    assert any("appeared first on" in p.text for p in doc.paragraphs)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"One para\nstill one.\n\nTwo.\r\n\r\nThree.", ["One para still one.", "Two.", "Three."]),
        (b"Line one\nLine two\nLine three", ["Line one", "Line two", "Line three"]),
        (b"\xef\xbb\xbfBOM text &amp; more", ["BOM text & more"]),
        ("Twenty\u00a0\u200bthree".encode(), ["Twenty three"]),
        (
            b"[Breaking news] Text that starts with a bracket.",
            ["[Breaking news] Text that starts with a bracket."],
        ),
    ],
)
def test_plain_text_paragraphs(data: bytes, expected: list[str]) -> None:
    [doc] = load(data)
    assert doc.kind == "text"
    assert [p.text for p in doc.paragraphs] == expected
    assert all(p.tag == "" and not p.attrs for p in doc.paragraphs)


TWENTY_WORDS = " ".join(["word"] * 20)


@pytest.mark.parametrize(
    ("text", "title"),
    [
        (
            "NATO allies scramble for direction\n\nBrussels (CNN) — Allies met.",
            "NATO allies scramble for direction",
        ),
        ("Headline on its own line\nBody line one.\nBody line two.", "Headline on its own line"),
        ("Is this the end of NATO?\n\nBody.", "Is this the end of NATO?"),
        ("Tom &amp; Jerry\u00a0return\n\nBody.", "Tom & Jerry return"),
        (f"{TWENTY_WORDS}\n\nBody.", TWENTY_WORDS),
        (f"{TWENTY_WORDS} more\n\nBody.", None),
        ("A first sentence that ends.\n\nBody.", None),
        ("He said “no.”\n\nBody.", None),
        ("First line\nsecond line of one paragraph\n\nBody.", None),
        ("Only one paragraph without a period", None),
    ],
)
def test_plain_text_short_first_line_is_also_the_title(text: str, title: str | None) -> None:
    [doc] = load(text.encode())
    assert doc.title == title
    if title is not None:  # still paragraph 0 as well
        assert doc.paragraphs[0].text == title


@pytest.mark.shared
def test_pages_corpus_headline_becomes_the_title() -> None:
    doc = load_one(REAL / "copies" / "von-gov-ng_nato-scramble_cnn.txt")
    headline = "NATO Allies Struggles For Direction Amid Trump’s Moscow Concession"
    assert doc.title == headline
    assert doc.paragraphs[0].text == headline
    assert doc.paragraphs[2].text.startswith("President Trump administration’s turn around")


def test_front_matter_title_is_not_replaced_by_the_first_line() -> None:
    [doc] = load(b"---\ntitle: From front matter\n---\nFirst line\n\nBody.")
    assert doc.title == "From front matter"
    [doc] = load(b"---\nauthor: x\n---\nFirst line\n\nBody.")
    assert doc.title is None


# ---------------------------------------------------------------------------- feeds

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Farm</title>
<item>
  <title>First &amp;amp; best</title>
  <link>https://farm.example/1</link>
  <pubDate>Thu, 13 Feb 2025 11:38:35 +0000</pubDate>
  <description>Short teaser only.</description>
  <content:encoded><![CDATA[<p class="paragraph"
    data-uri="cms.cnn.com/_components/paragraph/instances/cm72i7hgq000a356mow561so5@published"
    >Full body one.</p><p>Full body two.</p>]]></content:encoded>
  <source url="https://www.cnn.com/rss/edition.rss">CNN</source>
  <dc:creator>Staff</dc:creator>
</item>
<item>
  <title>Second</title>
  <link>https://farm.example/2</link>
  <pubDate>Fri, 14 Feb 2025 08:00:00 +0100</pubDate>
  <description>&lt;p&gt;Only a description.&lt;/p&gt;
    &lt;p&gt;This post appeared first on FOX NEWS&lt;/p&gt;</description>
</item>
<item><title>Empty</title><link>https://farm.example/3</link></item>
</channel></rss>"""


def test_rss_items_prefer_content_encoded() -> None:
    first, second = load(RSS)
    assert (first.kind, second.kind) == ("rss", "rss")
    assert [p.text for p in first.paragraphs] == ["Full body one.", "Full body two."]
    assert first.paragraphs[0].attrs["data-uri"].startswith("cms.cnn.com/")
    assert first.title == "First & best"
    assert first.url == "https://farm.example/1"
    assert first.published == datetime(2025, 2, 13, 11, 38, 35, tzinfo=UTC)
    assert first.meta["source_url"] == "https://www.cnn.com/rss/edition.rss"
    assert first.meta["author"] == "Staff"
    assert [p.text for p in second.paragraphs] == [
        "Only a description.",
        "This post appeared first on FOX NEWS",
    ]
    assert second.published == datetime(2025, 2, 14, 7, 0, tzinfo=UTC)
    assert any("skipped: 2" in note for note in first.notes)


ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Blog</title>
  <entry>
    <title type="html">One &lt;b&gt;bold&lt;/b&gt;</title>
    <link rel="alternate" href="https://blog.example/one"/>
    <id>urn:1</id>
    <updated>2025-02-13T11:38:35Z</updated>
    <summary>Summary one.</summary>
    <content type="html">&lt;p&gt;Body one.&lt;/p&gt;&lt;h2&gt;Head&lt;/h2&gt;</content>
    <source><id>urn:src</id><link rel="alternate" href="https://www.cnn.com/"/></source>
  </entry>
  <entry>
    <title>Two</title>
    <link href="https://blog.example/two"/>
    <published>2025-02-14T10:00:00+02:00</published>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"
      ><p id="x">Xhtml body.</p></div></content>
  </entry>
  <entry>
    <title>Three</title>
    <link href="https://blog.example/three"/>
    <summary>Summary only.</summary>
  </entry>
</feed>"""


def test_atom_entries() -> None:
    one, two, three = load(ATOM)
    assert {d.kind for d in (one, two, three)} == {"atom"}
    assert [(p.tag, p.text) for p in one.paragraphs] == [("p", "Body one."), ("h2", "Head")]
    assert one.title == "One bold"
    assert one.url == "https://blog.example/one"
    assert one.published == datetime(2025, 2, 13, 11, 38, 35, tzinfo=UTC)
    assert one.meta["source_url"] == "https://www.cnn.com/"
    assert [(p.text, dict(p.attrs)) for p in two.paragraphs] == [("Xhtml body.", {"id": "x"})]
    assert two.published == datetime(2025, 2, 14, 8, 0, tzinfo=UTC)
    assert [p.text for p in three.paragraphs] == ["Summary only."]


def test_feed_does_not_read_external_entities(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    feed = f"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>
<rss version="2.0"><channel><item><title>t</title>
<description>before &xxe; after</description></item></channel></rss>""".encode()
    docs = load(feed)
    assert "TOP-SECRET" not in "".join(p.text for d in docs for p in d.paragraphs)


def test_feed_billion_laughs_is_not_expanded() -> None:
    entities = "".join(
        f'<!ENTITY l{i} "{"&l" + str(i - 1) + ";" * 1}{("&l" + str(i - 1) + ";") * 9}">'
        for i in range(1, 10)
    )
    feed = f"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY l0 "lol">{entities}]>
<rss version="2.0"><channel><item><description>Text &l9; end</description></item></channel></rss>"""
    start = time.perf_counter()
    try:
        docs = load(feed.encode())
    except InputError:
        docs = []
    assert time.perf_counter() - start < 2
    assert sum(len(p.text) for d in docs for p in d.paragraphs) < 10_000


def test_malformed_feed_is_an_input_error() -> None:
    with pytest.raises(InputError, match="malformed feed"):
        load(b'<?xml version="1.0"?><rss><channel><item><title>x</item></rss>')


# ----------------------------------------------------------------------------- HTML


@pytest.mark.shared
@pytest.mark.parametrize("path", HTML_PAGES, ids=lambda p: p.name)
def test_every_real_page_loads(path: Path) -> None:
    doc = load_one(path)
    assert doc.kind in {"html", "html-fragment"}
    assert len(doc.paragraphs) >= 3, path.name
    assert doc.html == path.read_bytes().decode("utf-8")
    assert doc.url is None
    assert_indexed(doc)


SHB_PAGES = sorted(GROUND_TRUTH)


@pytest.mark.shared
@pytest.mark.parametrize("name", SHB_PAGES)
def test_page_text_covers_ground_truth(name: str) -> None:
    """Token recall of the extracted text against the benchmark's true article body.

    Measured 2025-11: 0.925 (foxbusiness), 0.951 (foxnews), >= 0.995 for the others.
    """
    doc = load_one(REAL / "html" / name)
    truth = Counter(words(GROUND_TRUTH[name]["ground_truth_articleBody"]))
    got = Counter(w for p in doc.paragraphs for w in words(p.text))
    recall = sum((truth & got).values()) / sum(truth.values())
    assert recall >= 0.9, f"{name}: recall {recall:.3f}"


@pytest.mark.shared
@pytest.mark.parametrize(
    ("name", "attr", "value"),
    [
        ("shb_cleveland_2019_doobie-brothers_arc.html", "class", "article__paragraph--left"),
        ("fundus_Reuters_2024_03_07.html", "data-testid", "paragraph-0"),
        (
            "shb_cnn_2019-11-18_asian-market-latest_BODY-FRAGMENT.html",
            "class",
            "zn-body__paragraph speakable",
        ),
        ("github_daily_gossip_sqldump_cnn_paste_row7.html", "data-component-name", "paragraph"),
    ],
)
def test_paragraphs_keep_their_markup_attributes(name: str, attr: str, value: str) -> None:
    doc = load_one(REAL / "html" / name)
    assert any(p.attrs.get(attr) == value for p in doc.paragraphs), name


@pytest.mark.shared
def test_page_metadata() -> None:
    path = REAL / "html" / "shb_vox_2019-11-08_delhi-air-pollution.html"
    doc = load_one(path, url="https://copy.example/page")
    assert doc.url == "https://copy.example/page"
    assert doc.title == "The law that’s helping fuel Delhi’s deadly air pollution"
    assert doc.published == datetime(2019, 11, 8, 20, 30, tzinfo=UTC)
    assert doc.meta["canonical"].startswith("https://www.vox.com/science-and-health/2019/11/8/")


def test_page_published_from_json_ld() -> None:
    page = b"""<!doctype html><html><head><title>T</title>
<script type="application/ld+json">{"@graph": [{"@type": "NewsArticle",
"datePublished": "2024-01-02T03:04:05+01:00"}]}</script></head>
<body><h1>Headline</h1><p>One paragraph of text here.</p><p>Another one.</p></body></html>"""
    [doc] = load(page)
    assert doc.published == datetime(2024, 1, 2, 2, 4, 5, tzinfo=UTC)
    assert doc.title == "T"


def test_fragment_blocks_and_loose_text() -> None:
    fragment = (
        b"<p class='a'>One <b>bold</b><br>line.</p>Loose text<div><blockquote><p>Quoted.</p>"
        b"</blockquote></div><ul><li>Item</li></ul><br>"
        b"<div>This post appeared first on NBC NEWS</div>"
    )
    [doc] = load(fragment)
    assert doc.kind == "html-fragment"
    assert [(p.tag, p.text) for p in doc.paragraphs] == [
        ("p", "One bold line."),
        ("", "Loose text"),
        ("p", "Quoted."),
        ("li", "Item"),
        ("div", "This post appeared first on NBC NEWS"),
    ]
    assert doc.paragraphs[0].attrs == {"class": "a"}


def test_deeply_nested_page_is_read_and_noted() -> None:
    article = "".join(f"<p>Paragraph number {i} of the nested article body.</p>" for i in range(80))
    page = f"<html><body>{'<div>' * 300}{article}{'</div>' * 300}</body></html>".encode()
    [doc] = load(page)
    assert len(doc.paragraphs) == 80
    assert any("nested too deeply" in note for note in doc.notes)


def test_very_deep_fragment_does_not_recurse_without_bound() -> None:
    fragment = ("<div>" * 3000 + "<p>deep text</p>" + "</div>" * 3000).encode()
    [doc] = load(fragment)
    assert [p.text for p in doc.paragraphs] == ["deep text"]


@pytest.mark.shared
def test_page_load_is_fast() -> None:
    data = (REAL / "html" / "shb_cleveland_2019_doobie-brothers_arc.html").read_bytes()
    load(data)  # warm imports and caches
    start = time.perf_counter()
    load(data)
    # Measured ~12 ms for this 115 KB page; the bound only catches a regression by 20x.
    assert time.perf_counter() - start < 0.25


@pytest.mark.shared
def test_loading_is_deterministic() -> None:
    data = (REAL / "html" / "fundus_TheGuardian_2024_02_24.html").read_bytes()
    assert load(data) == load(data)


# --------------------------------------------------------------------------- limits


def test_paragraph_limits_cut_and_note() -> None:
    small = Settings(max_paragraphs=2, max_paragraph_chars=10)
    [doc] = load(b"first paragraph here\n\nsecond\n\nthird", settings=small)
    assert [p.text for p in doc.paragraphs] == ["first para", "second"]
    assert "paragraph 0 cut to 10 characters" in doc.notes
    assert "only the first 2 paragraphs were read" in doc.notes


def test_input_over_size_limit() -> None:
    with pytest.raises(InputError, match="is larger than 10 bytes"):
        load(b"x" * 11, settings=Settings(max_input_bytes=10))


# ----------------------------------------------------------------------- encodings


LATIN1_PAGE = (
    '<html><head><meta charset="iso-8859-1"></head><body><p>Grüße aus Köln</p></body></html>'
)


@pytest.mark.parametrize(
    ("data", "content_type", "text"),
    [
        ("Grüße aus Köln".encode("utf-16-le"), None, "Grüße aus Köln"),
        ("Grüße aus Köln".encode("utf-16-be"), None, "Grüße aus Köln"),
        ("Grüße aus Köln".encode("utf-16"), None, "Grüße aus Köln"),
        ("Grüße aus Köln".encode("cp1252"), "text/plain; charset=windows-1252", "Grüße aus Köln"),
        (LATIN1_PAGE.encode("latin-1"), None, "Grüße aus Köln"),
    ],
)
def test_declared_and_sniffed_encodings(data: bytes, content_type: str | None, text: str) -> None:
    [doc] = load(data, content_type=content_type)
    assert doc.paragraphs[0].text == text
    assert doc.notes == ()


@pytest.mark.parametrize(
    ("text", "codec", "named"),
    [
        ("A café in Zürich serves crème brûlée to everyone", "cp1252", "windows-1252"),
        ("A café in Zürich serves crème brûlée to everyone", "latin-1", "windows-1252"),
        ("He said \u201cno\u201d \u2014 and left. It\u2019s over, the council\u2019s aide said.",
         "cp1252", "windows-1252"),
        ("Zażółć gęślą jaźń. Pchnąć w tę łódź jeża lub ośm skrzyń fig.", "cp1250", "cp1250"),
    ],
)  # fmt: skip
def test_undeclared_legacy_encodings_are_detected_and_noted(
    text: str, codec: str, named: str
) -> None:
    [doc] = load(text.encode(codec))
    assert doc.paragraphs[0].text == text
    assert any(f"read as {named}" in note for note in doc.notes), doc.notes


def test_utf8_with_a_bad_byte_keeps_its_good_characters() -> None:
    [doc] = load("A café in Zürich serves crème brûlée".encode() + b" \xff to everyone")
    assert doc.paragraphs[0].text.startswith("A café in Zürich serves crème brûlée \ufffd")
    assert any("bad bytes replaced" in note for note in doc.notes)


# ------------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "has no text"),
        (b"  \n\t\r\n ", "has no text"),
        (bytes(range(256)) * 8, "unknown format"),
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "unknown format"),
        (b"{not json", "malformed JSON at line 1 column 2"),
        (b'{"a": 1,,}', "malformed JSON"),
        (b"[1, 2]", "item 0: not a WordPress post"),
        (b'{"title": {"rendered": "x"}}', "not a WordPress post"),
        (b"[]", "not a WordPress post or a list"),
        (b"[" * 100_000 + b"]" * 100_000, "cannot parse|malformed JSON"),
        (b"<p>   </p><div>&nbsp;</div>", "has no text"),
        (b"<html><body><script>var a = 1;</script></body></html>", "has no text"),
    ],
)
def test_bad_input_is_an_input_error(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        load(data)


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_any_bytes_give_documents_or_input_error(data: bytes) -> None:
    try:
        docs = load(data)
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    assert docs and all(d.paragraphs for d in docs)


@hsettings(max_examples=100, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("<>/\"'=&;{}[]:,pdivbrhtmlrssitem \n#-aé\u00a0")),
        max_size=400,
    )
)
def test_any_markup_like_text_gives_documents_or_input_error(text: str) -> None:
    with contextlib.suppress(InputError):
        load(text.encode())


# ----------------------------------------------------------------------- read_input


def test_read_input_file(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"hello")
    assert read_input(str(path), SETTINGS) == b"hello"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("/nonexistent/dir/file.json", "cannot read: No such file or directory"),
        ("https://example.com/a", "URLs need the fetcher"),
    ],
)
def test_read_input_errors(source: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_input(source, SETTINGS)


def test_read_input_directory_and_size(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        read_input(str(tmp_path), SETTINGS)
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 101)
    with pytest.raises(InputError, match="is larger than 100 bytes"):
        read_input(str(big), Settings(max_input_bytes=100))


def test_read_input_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"from stdin")))
    assert read_input("-", SETTINGS) == b"from stdin"


# -------------------------------------------------------------------------- package

LOAD_PACKAGE = Path(__file__).resolve().parents[1] / "provenance" / "load"


@pytest.mark.parametrize(
    ("library", "home"),
    [("lxml", "feeds.py"), ("selectolax", "html.py"), ("trafilatura", "html.py")],
)
def test_each_library_is_imported_by_one_module(library: str, home: str) -> None:
    importing = sorted(
        path.name
        for path in LOAD_PACKAGE.glob("*.py")
        if re.search(rf"^\s*(?:from|import) {library}\b", path.read_text(), re.MULTILINE)
    )
    assert importing == [home]


def test_public_api() -> None:
    import provenance.load as package

    assert package.__all__ == sorted(package.__all__)
    assert {"extract_links", "load_documents", "load_sitemap_entries", "read_input"} <= set(
        package.__all__
    )
    assert all(hasattr(package, name) for name in package.__all__)

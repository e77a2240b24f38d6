"""Site discovery input: sitemaps, indexes, gzip, feeds -> SitemapEntry; links out of HTML."""

from __future__ import annotations

import gzip
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from provenance.errors import InputError
from provenance.load import SitemapEntry, extract_links, load_sitemap_entries

# The shape of CNN's sitemap index: one child sitemap per month of articles.
CNN_INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap>
    <loc>https://www.cnn.com/sitemap/article/2025/02.xml</loc>
    <lastmod>2025-02-28T23:58:12-05:00</lastmod>
  </sitemap>
  <sitemap>
    <loc>https://www.cnn.com/sitemap/article/2025/01.xml</loc>
    <lastmod>2025-01-31</lastmod>
  </sitemap>
  <sitemap>
    <loc>
      https://www.cnn.com/sitemap/article/2019/11.xml
    </loc>
  </sitemap>
</sitemapindex>
"""

WALTER_REED = "https://www.cnn.com/2019/11/18/politics/donald-trump-health-walter-reed/index.html"
ASIAN_MARKETS = "https://www.cnn.com/2019/11/18/investing/asian-market-latest/index.html"

# A Google News sitemap with image tags (whose <image:loc> must not become entries).
NEWS_SITEMAP = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <url>
    <loc>{WALTER_REED}</loc>
    <lastmod>2019-11-19T02:10:00Z</lastmod>
    <news:news>
      <news:publication><news:name>CNN</news:name><news:language>en</news:language>
      </news:publication>
      <news:publication_date>2019-11-16T22:43:00Z</news:publication_date>
      <news:title>Trump&#8217;s unannounced Walter Reed visit &amp; what we know</news:title>
    </news:news>
    <image:image>
      <image:loc>https://media.cnn.com/api/v1/images/stellar/prod/191116-walter-reed.jpg</image:loc>
      <image:caption>Walter Reed</image:caption>
    </image:image>
  </url>
  <url>
    <loc>{ASIAN_MARKETS}</loc>
    <lastmod>2019-11-18T05:01:00+08:00</lastmod>
  </url>
  <url><loc>{WALTER_REED}</loc></url>
  <url><loc>/relative/page.html</loc></url>
  <url><loc>ftp://files.cnn.com/a.txt</loc></url>
  <url><lastmod>2019-11-18</lastmod></url>
</urlset>
""".encode()


def test_cnn_sitemap_index_lists_monthly_child_sitemaps() -> None:
    entries = load_sitemap_entries(CNN_INDEX)
    assert entries == [
        SitemapEntry(
            "https://www.cnn.com/sitemap/article/2025/02.xml",
            datetime(2025, 3, 1, 4, 58, 12, tzinfo=UTC),
            None,
            is_sitemap=True,
        ),
        SitemapEntry(
            "https://www.cnn.com/sitemap/article/2025/01.xml",
            datetime(2025, 1, 31, tzinfo=UTC),
            None,
            is_sitemap=True,
        ),
        SitemapEntry("https://www.cnn.com/sitemap/article/2019/11.xml", None, None, True),
    ]


def test_news_sitemap_entries() -> None:
    walter_reed, asian_markets = load_sitemap_entries(NEWS_SITEMAP)
    # The publication date wins over <lastmod>, which moves with every edit.
    assert walter_reed == SitemapEntry(
        WALTER_REED,
        datetime(2019, 11, 16, 22, 43, tzinfo=UTC),
        "Trump\u2019s unannounced Walter Reed visit & what we know",
        is_sitemap=False,
    )
    assert asian_markets == SitemapEntry(
        ASIAN_MARKETS, datetime(2019, 11, 17, 21, 1, tzinfo=UTC), None, is_sitemap=False
    )


def test_sitemap_without_namespace_and_with_leading_bom() -> None:
    data = b"\xef\xbb\xbf\n  <urlset><url><loc>https://example.org/a</loc></url></urlset>"
    assert [e.url for e in load_sitemap_entries(data)] == ["https://example.org/a"]


def test_gzip_sitemap_reads_like_the_plain_one() -> None:
    compressed = gzip.compress(NEWS_SITEMAP)
    assert compressed[:2] == b"\x1f\x8b"
    assert load_sitemap_entries(compressed) == load_sitemap_entries(NEWS_SITEMAP)


def test_gzip_bomb_stops_at_50_mb() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * (50 * 1024 * 1024))
    assert len(bomb) < 100_000
    start = time.perf_counter()
    with pytest.raises(InputError, match=r"^sitemap is larger than 52428800 bytes once decompr"):
        load_sitemap_entries(bomb)
    assert time.perf_counter() - start < 5


def test_gzip_bomb_is_never_held_in_memory_whole() -> None:
    bomb = gzip.compress(bytes(20 * 1024 * 1024))
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match="larger than 100000 bytes once decompressed"):
            load_sitemap_entries(bomb, max_bytes=100_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * 1024 * 1024


@pytest.mark.parametrize("compress", [False, True])
def test_size_cap_is_a_parameter(compress: bool) -> None:
    data = gzip.compress(CNN_INDEX) if compress else CNN_INDEX
    with pytest.raises(InputError, match="larger than 100 bytes"):
        load_sitemap_entries(data, max_bytes=100)
    assert len(load_sitemap_entries(data, max_bytes=len(CNN_INDEX))) == 3


RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>CNN.com - RSS Channel - Business</title><link>https://www.cnn.com/business</link>
<item>
  <title><![CDATA[Investors don't seem to know what to make of the US-China trade war]]></title>
  <link>https://www.cnn.com/2019/11/18/investing/asian-market-latest/index.html</link>
  <pubDate>Mon, 18 Nov 2019 05:01:00 GMT</pubDate>
</item>
<item>
  <title>Only a permalink guid &amp;amp; a dc:date</title>
  <guid isPermaLink="true">https://www.cnn.com/2019/11/18/business/guid-only/index.html</guid>
  <dc:date>2019-11-18T10:00:00+01:00</dc:date>
</item>
<item>
  <title>A guid that is not a link</title>
  <guid isPermaLink="false">https://www.cnn.com/not-a-link</guid>
</item>
</channel></rss>"""


def test_rss_items_become_entries() -> None:
    assert load_sitemap_entries(RSS) == [
        SitemapEntry(
            ASIAN_MARKETS,
            datetime(2019, 11, 18, 5, 1, tzinfo=UTC),
            "Investors don't seem to know what to make of the US-China trade war",
            is_sitemap=False,
        ),
        SitemapEntry(
            "https://www.cnn.com/2019/11/18/business/guid-only/index.html",
            datetime(2019, 11, 18, 9, 0, tzinfo=UTC),
            "Only a permalink guid & a dc:date",
            is_sitemap=False,
        ),
    ]


ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Blog</title>
  <link rel="self" href="https://blog.example/feed.atom"/>
  <entry>
    <title type="html">One &lt;em&gt;emphasised&lt;/em&gt;</title>
    <link rel="replies" href="https://blog.example/one#comments"/>
    <link rel="alternate" href="https://blog.example/one"/>
    <published>2025-02-12T09:00:00+01:00</published>
    <updated>2025-02-13T09:00:00+01:00</updated>
  </entry>
  <entry>
    <title>Two</title>
    <link href="https://blog.example/two"/>
    <updated>2025-02-14T10:00:00Z</updated>
  </entry>
</feed>"""


def test_atom_entries_become_entries() -> None:
    assert load_sitemap_entries(ATOM) == [
        SitemapEntry(
            "https://blog.example/one",
            datetime(2025, 2, 12, 8, 0, tzinfo=UTC),
            "One emphasised",
            is_sitemap=False,
        ),
        SitemapEntry(
            "https://blog.example/two",
            datetime(2025, 2, 14, 10, 0, tzinfo=UTC),
            "Two",
            is_sitemap=False,
        ),
    ]


def test_rss_1_rdf_items() -> None:
    rdf = b"""<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    xmlns="http://purl.org/rss/1.0/"><channel rdf:about="https://a.example/"><title>A</title>
    </channel><item rdf:about="https://a.example/1"><title>One</title>
    <link>https://a.example/1</link></item></rdf:RDF>"""
    assert [(e.url, e.title) for e in load_sitemap_entries(rdf)] == [("https://a.example/1", "One")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "malformed sitemap: Document is empty"),
        (b"   \n", "malformed sitemap"),
        (b"<urlset><url><loc>https://a.example/</loc>", "malformed sitemap"),
        (b'{"urls": []}', "malformed sitemap"),
        (b"<html><body><p>Not found</p></body></html>", r"not a sitemap or feed \(root .*<html>"),
        (b"\x1f\x8b\x08\x00garbage", "sitemap is not valid gzip"),
        (gzip.compress(CNN_INDEX)[:-12], "sitemap is not valid gzip"),
        (gzip.compress(b"<urlset><url>"), "malformed sitemap"),
    ],
)
def test_malformed_input_is_a_one_line_input_error(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        load_sitemap_entries(data)
    assert "\n" not in str(caught.value)


def _billion_laughs(levels: int) -> bytes:
    entities = "".join(
        f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, levels + 1)
    )
    return f"""<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY l0 "lol">{entities}]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://a.example/&l{levels};</loc>
<news:news><news:title>Laugh &l{levels};</news:title></news:news></url>
<url><loc>https://a.example/b</loc></url>
</urlset>""".encode()


@pytest.mark.parametrize("levels", [2, 9])
def test_billion_laughs_is_not_expanded(levels: int) -> None:
    start = time.perf_counter()
    try:
        entries = load_sitemap_entries(_billion_laughs(levels))
    except InputError as exc:
        assert "\n" not in str(exc)
        entries = []
    assert time.perf_counter() - start < 1
    assert all("lollol" not in f"{e.url} {e.title}" for e in entries)
    if levels == 2:  # a small document of entities is read, its entities left as they are
        assert [e.url for e in entries][-1] == "https://a.example/b"


def test_external_entities_are_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    data = f"""<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file://{secret}">]>
<urlset><url><loc>https://a.example/&xxe;</loc></url></urlset>""".encode()
    entries = load_sitemap_entries(data)
    assert len(entries) == 1 and "TOP-SECRET" not in entries[0].url


@hsettings(max_examples=150, deadline=None)
@given(st.binary(max_size=500) | st.builds(gzip.compress, st.binary(max_size=300)))
def test_any_bytes_give_entries_or_input_error(data: bytes) -> None:
    try:
        entries = load_sitemap_entries(data)
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    assert all(e.url.startswith(("http://", "https://")) for e in entries)


# ---------------------------------------------------------------------------- links

PAGE = """<html><body>
<p>Read the <a href="https://www.cnn.com/2019/11/18/investing/asian-market-latest/index.html"
>original</a> and <a href="/2019/11/18/politics/x/index.html">a relative one</a>.</p>
<a href="javascript:void(0)">menu</a> <a href="mailto:tips@cnn.com">tips</a>
<a href="data:text/html,<b>x</b>">data</a> <a href="JavaScript:alert(1)">js</a>
<a href="java&#10;script:alert(1)">split js</a>
<a href=" https://www.cnn.com/2019/11/18/investing/asian-market-latest/index.html ">again</a>
<a href="//edition.cnn.com/world">protocol-relative</a>
<a href="#top">top</a> <a>no href</a> <a href="">empty</a>
<a href="http://[::1">broken</a> <link href="https://www.cnn.com/style.css">
<area href="https://www.cnn.com/map">
</body></html>"""


def test_extract_links_resolves_against_base_url() -> None:
    assert extract_links(PAGE, base_url="https://copy.example/news/story.html") == [
        "https://www.cnn.com/2019/11/18/investing/asian-market-latest/index.html",
        "https://copy.example/2019/11/18/politics/x/index.html",
        "https://edition.cnn.com/world",
        "https://copy.example/news/story.html#top",
        "https://copy.example/news/story.html",
    ]


def test_extract_links_without_base_keeps_only_absolute_links() -> None:
    assert extract_links(PAGE) == [
        "https://www.cnn.com/2019/11/18/investing/asian-market-latest/index.html"
    ]


def test_extract_links_honours_the_base_element() -> None:
    html = '<head><base href="/en/"></head><a href="a.html">a</a><a href="https://x.example/">x</a>'
    assert extract_links(html, "https://site.example/dir/page") == [
        "https://site.example/en/a.html",
        "https://x.example/",
    ]
    assert extract_links(html) == ["https://x.example/"]


@pytest.mark.parametrize("html", ["", "plain text, no markup", "<", "<a href=", "<p>no links</p>"])
def test_extract_links_of_markup_without_links(html: str) -> None:
    assert extract_links(html, "https://site.example/") == []


@hsettings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('<a href="=>/:#?jsx.http \n\t')), max_size=200))
def test_extract_links_never_raises(html: str) -> None:
    links = extract_links(html, "https://site.example/dir/")
    assert all(link.startswith(("http://", "https://")) for link in links)
    assert len(links) == len(set(links))

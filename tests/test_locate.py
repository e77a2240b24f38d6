"""Finding the original over the network, against origin sites impersonated on 127.0.0.1.

Public hostnames (news.example.com, www.cnn.com, archive.org, ...) are routed to a loopback
server with `resolve_overrides`, as curl's --resolve does; the SSRF guard stays on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from servers import LoopbackServer, Reply
from shared_dir import SEED

from provenance.fetch import Fetcher
from provenance.load import SitemapEntry, load_documents
from provenance.locate import _rank_translated
from provenance.models import Verdict
from provenance.pipeline import check_document
from provenance.settings import Settings

HOSTS = (
    "news.example.com",
    "www.cnn.com",
    "cnn.com",
    "archive.org",
    "web.archive.org",
    "copy.example.net",
)

STORY = [
    "The city council voted on Tuesday to close the old harbour bridge to cars from next spring.",
    "Engineers told councillors that the steel girders had corroded faster than expected in salt air.",
    "“We cannot keep patching a structure that was designed for a different century,” said the mayor.",
    "Cyclists and pedestrians will still be able to cross while a replacement is designed.",
    "The replacement is expected to cost about 40 million euros and take four years to build.",
]


def _page(title: str, paragraphs: list[str], extra_head: str = "") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html><head><title>{title}</title>{extra_head}</head>"
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    ).encode()


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as srv:
        yield srv


@pytest.fixture
def fetcher_for(tmp_path: Path) -> Iterator[object]:
    opened: list[Fetcher] = []

    def make(server: LoopbackServer) -> tuple[Settings, Fetcher]:
        settings = Settings(
            cache_dir=tmp_path / "cache",
            per_host_delay=0.0,
            max_retries=0,
            connect_timeout=1.0,
            read_timeout=2.0,
            wayback_url="http://archive.org/wayback/available",
            resolve_overrides=tuple((h, server.host) for h in HOSTS),
        )
        fetcher = Fetcher(settings)
        opened.append(fetcher)
        return settings, fetcher

    yield make
    for f in opened:
        f.close()


def _copy(
    html: str, *, url: str = "http://copy.example.net/story", title: str = "Harbour bridge"
) -> bytes:
    post = {
        "id": 1,
        "date_gmt": "2025-02-13T11:38:35",
        "link": url,
        "title": {"rendered": title},
        "content": {"rendered": html},
    }
    return json.dumps(post).encode()


def test_footer_link_finds_the_original(server: LoopbackServer, fetcher_for) -> None:  # type: ignore[no-untyped-def]
    server.route("/2025/02/12/harbour-bridge", Reply(body=_page("Harbour bridge to close", STORY)))
    settings, fetcher = fetcher_for(server)
    footer = (
        '<p>The post <a href="http://news.example.com/2025/02/12/harbour-bridge">Harbour bridge to close</a>'
        ' appeared first on <a href="http://news.example.com">Example News</a>.</p>'
    )
    html = "".join(f"<p>{p}</p>" for p in STORY[:4]) + footer
    [copy] = load_documents(_copy(html), source="copy.json", settings=settings)

    report = check_document(copy, settings=settings, fetcher=fetcher)

    assert report.original is not None
    assert report.original.found_by == "link"
    assert report.original.document.url == "http://news.example.com/2025/02/12/harbour-bridge"
    assert report.verdict is Verdict.TRIMMED
    assert server.hits("/2025/02/12/harbour-bridge") == 1


def _seed_without_footer() -> tuple[dict[str, object], list[str]]:
    post = json.loads(SEED.read_text(encoding="utf-8"))
    rendered = post["content"]["rendered"]
    kept = [p for p in rendered.split("\n") if "appeared first on" not in p]
    post["content"]["rendered"] = "\n".join(kept)
    return post, kept


def test_cnn_markup_and_date_find_the_original_through_the_sitemap(
    server: LoopbackServer,
    fetcher_for,  # type: ignore[no-untyped-def]
) -> None:
    post, _paragraphs = _seed_without_footer()
    settings, fetcher = fetcher_for(server)
    [copy] = load_documents(json.dumps(post).encode(), source="seed.json", settings=settings)
    texts = [p.text for p in copy.paragraphs]
    article = "/2025/02/12/europe/nato-allies-scramble-trump-concessions-intl/index.html"
    decoy = "/2025/02/12/politics/trump-tariffs-steel/index.html"
    base = "http://www.cnn.com"
    server.route("/robots.txt", Reply(body=f"User-agent: *\nSitemap: {base}/sitemap/article.xml\n".encode(),
                                      content_type="text/plain"))  # fmt: skip
    server.route(
        "/sitemap/article.xml", Reply(body=_sitemap_index(base), content_type="application/xml")
    )
    server.route(
        "/sitemap/article/2025/02.xml",
        Reply(body=_urlset(base, article, decoy), content_type="application/xml"),
    )
    server.route(
        article,
        Reply(body=_page(post["title"]["rendered"], [*texts[:6], "Extra paragraph.", *texts[6:]])),
    )  # type: ignore[index]
    server.route(decoy, Reply(body=_page("Trump tariffs on steel", STORY)))

    report = check_document(copy, settings=settings, fetcher=fetcher)

    assert report.evidence.origin.domain == "cnn.com"
    assert report.original is not None, report.attempts
    assert report.original.found_by == "sitemap"
    assert report.original.document.url is not None and report.original.document.url.endswith(
        article
    )
    assert server.hits(decoy) == 0
    assert report.verdict in (Verdict.TRIMMED, Verdict.FAITHFUL)


def _sitemap_index(base: str) -> bytes:
    months = ["2024/12", "2025/01", "2025/02", "2025/03"]
    entries = "".join(
        f"<sitemap><loc>{base}/sitemap/article/{m}.xml</loc></sitemap>" for m in months
    )
    return f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'.encode()


def _urlset(base: str, article: str, decoy: str) -> bytes:
    rows = [
        (decoy, "2025-02-12T15:00:00Z"),
        (article, "2025-02-12T23:10:00Z"),
        ("/2025/02/01/world/unrelated-story/index.html", "2025-02-01T08:00:00Z"),
    ]
    urls = "".join(
        f"<url><loc>{base}{path}</loc><lastmod>{when}</lastmod></url>" for path, when in rows
    )
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode()


def test_gone_original_is_found_in_the_web_archive(server: LoopbackServer, fetcher_for) -> None:  # type: ignore[no-untyped-def]
    settings, fetcher = fetcher_for(server)
    gone = "http://news.example.com/2025/02/12/harbour-bridge"
    snapshot = f"http://web.archive.org/web/20250212230000/{gone}"
    server.route("/2025/02/12/harbour-bridge", Reply(status=404, body=b"gone"))
    server.route("/wayback/available", Reply(
        body=json.dumps({"archived_snapshots": {"closest": {"available": True, "url": snapshot,
                                                             "timestamp": "20250212230000", "status": "200"}}}).encode(),
        content_type="application/json"))  # fmt: skip
    server.route(
        f"/web/20250212230000id_/{gone}", Reply(body=_page("Harbour bridge to close", STORY))
    )
    footer = f'<p>This article was originally published by <a href="{gone}">Example News</a>.</p>'
    html = "".join(f"<p>{p}</p>" for p in STORY) + footer
    [copy] = load_documents(_copy(html), source="copy.json", settings=settings)

    report = check_document(copy, settings=settings, fetcher=fetcher)

    assert report.original is not None, report.attempts
    assert report.original.found_by == "wayback"
    assert report.verdict is Verdict.FAITHFUL
    outcomes = {(a.strategy, a.outcome) for a in report.attempts}
    assert ("link", "error") in outcomes


def test_offline_never_fetches_and_says_so(server: LoopbackServer, fetcher_for) -> None:  # type: ignore[no-untyped-def]
    settings, fetcher = fetcher_for(server)
    settings = replace(settings, offline=True)
    footer = '<p>This article was originally published by <a href="http://news.example.com/x">Example News</a>.</p>'
    [copy] = load_documents(
        _copy("".join(f"<p>{p}</p>" for p in STORY) + footer), source="c", settings=settings
    )

    report = check_document(copy, settings=settings, fetcher=fetcher)

    assert report.original is None
    assert report.verdict is Verdict.UNVERIFIED
    assert server.hits() == 0
    assert any(a.reason == "offline" for a in report.attempts)


TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def _news_sitemap(base: str, rows: list[tuple[str, str]]) -> bytes:
    urls = "".join(
        f"<url><loc>{base}{path}</loc><news:news><news:publication_date>2025-02-12"
        f"</news:publication_date><news:title>{title}</news:title></news:news></url>"
        for path, title in rows
    )
    return (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        f"{urls}</urlset>"
    ).encode()


def test_a_translated_title_finds_its_original_in_the_sitemap_by_names_and_numbers(
    server: LoopbackServer,
    tmp_path: Path,
) -> None:
    hosts = ("example.com", "news.example.com")
    settings = Settings(
        cache_dir=tmp_path / "cache", per_host_delay=0.0, max_retries=0, connect_timeout=1.0,
        read_timeout=2.0, wayback_url="", resolve_overrides=tuple((h, server.host) for h in hosts),
    )  # fmt: skip
    english = (TRANSLATIONS / "kestrel-bridge-en.txt").read_text(encoding="utf-8").split("\n\n")
    article = "/2025/02/12/bridge-vote"
    namesake = "/2025/02/12/varga-opens-library"  # shares the mayor's name and the town
    other = "/2025/02/12/transport-figures"  # shares the town only: never fetched
    base = "http://news.example.com"
    server.route("/robots.txt", Reply(body=f"Sitemap: {base}/news.xml\n".encode(),
                                      content_type="text/plain"))  # fmt: skip
    rows = [
        (other, "Kestrel transport office publishes its yearly traffic figures"),
        (namesake, "Helena Varga opens the new Kestrel library"),
        (article, english[0].strip()),
    ]
    server.route("/news.xml", Reply(body=_news_sitemap(base, rows), content_type="application/xml"))
    server.route(article, Reply(body=_page(english[0].strip(), english[1:])))
    server.route(namesake, Reply(body=_page("Library", STORY)))
    copy_path = TRANSLATIONS / "kestrel-bridge-es.txt"
    [copy] = load_documents(copy_path.read_bytes(), source=str(copy_path), settings=settings)
    with Fetcher(settings) as fetcher:
        report = check_document(copy, settings=settings, fetcher=fetcher)

    assert report.evidence.origin.domain == "example.com"
    assert report.original is not None, report.attempts
    assert (report.original.found_by, report.original.document.url) == ("sitemap", base + article)
    assert report.verdict is Verdict.REWRITTEN
    assert "translated" in {f.code for f in report.findings}
    assert server.hits(namesake) == server.hits(other) == 0  # the original ranks first
    assert report.attempts[-1].strategy == "sitemap" and report.attempts[-1].outcome == "found"
    entries = [SitemapEntry(base + path, None, title, is_sitemap=False) for path, title in rows]
    ranked = _rank_translated(copy, entries, settings)
    assert [e.url for e in ranked] == [base + article, base + namesake]
    assert _rank_translated(replace(copy, paragraphs=copy.paragraphs[:1]), entries, settings) == []

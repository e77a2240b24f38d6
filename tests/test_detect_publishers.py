"""The publisher directory at work: held-out credit wordings in six languages resolved to
their origin, publishers' leaked markup, a publisher's own page, and a credit by name
that leads the sitemap search to the publisher's site.

The held-out wordings below were written for this test and are not the examples of
attributions.toml; the gate is that at least 95% resolve to the right origin.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from servers import LoopbackServer, Reply

from provenance.detect import detect_evidence
from provenance.detect.catalog import attribution_rules, marker_rules, publishers
from provenance.detect.domains import lookup_publisher, resolve_name, site_domain
from provenance.fetch import Fetcher
from provenance.load import load_documents
from provenance.models import Credit, Document, Paragraph
from provenance.pipeline import check_document
from provenance.settings import Settings

SETTINGS = Settings()
SHARED = Path(__file__).resolve().parents[1].parent / "shared"

# (language, paragraph text, markup or "", expected origin, expected link or None)
HELD_OUT: list[tuple[str, str, str, str, str | None]] = [
    ("en", "This article was originally published by NPR.", "", "npr.org", None),
    ("en", "This story originally appeared in The Texas Tribune.", "", "texastribune.org", None),
    ("en", "Reprinted with permission from The Atlantic.", "", "theatlantic.com", None),
    ("en", "Republished with permission of Grist.", "", "grist.org", None),
    ("en", "Source: Associated Press", "", "apnews.com", None),
    ("en", "SOURCE: Bloomberg", "", "bloomberg.com", None),
    ("en", "© 2025 Reuters", "", "reuters.com", None),
    ("en", "Copyright © 2024 The Associated Press. All rights reserved.", "", "apnews.com", None),
    ("en", "(c) AFP", "", "afp.com", None),
    ("en", "via Politico", "", "politico.com", None),
    ("en", "Via [TechCrunch](https://techcrunch.com/2025/03/04/a-story/)", "", "techcrunch.com",
     "https://techcrunch.com/2025/03/04/a-story/"),
    ("en", "Originally published at https://www.propublica.org/article/some-investigation", "",
     "propublica.org", "https://www.propublica.org/article/some-investigation"),
    ("en", "The rate was unchanged, officials said. (Reporting by Jane Doe in London; "
     "Editing by John Roe)", "", "reuters.com", None),
    ("en", "Additional reporting by Sam Lee; Editing by Kim Park", "", "reuters.com", None),
    ("en", "TOKYO, March 4 (Reuters) - Japanese shares rose on Tuesday.", "", "reuters.com", None),
    ("en", "NEW DELHI (PTI) - The government on Monday announced", "", "ptinews.com", None),
    ("en", "By Maria Cheng, The Associated Press", "", "apnews.com", None),
    ("en", "This post first appeared on Axios.", "", "axios.com", None),
    ("en", "This article first appeared on The Marshall Project and is republished here under a "
     "Creative Commons license.", "", "themarshallproject.org", None),
    ("en", "Source: Read the original story here", '<p>Source: <a href="https://www.theguardian.'
     'com/world/2025/mar/04/story">Read the original story here</a></p>', "theguardian.com",
     "https://www.theguardian.com/world/2025/mar/04/story"),
    ("es", "Este texto fue publicado originalmente en El País.", "", "elpais.com", None),
    ("es", "Artículo publicado originalmente en Infobae.", "", "infobae.com", None),
    ("es", "Publicado originalmente en el diario Clarín.", "", "clarin.com", None),
    ("es", "Fuente: Europa Press", "", "europapress.es", None),
    ("es", "FUENTE: Télam", "", "telam.com.ar", None),
    ("es", "Con información de Reuters y AFP", "", "reuters.com", None),
    ("es", "Buenos Aires, 4 mar (EFE).- El Gobierno argentino anunció", "", "efe.com", None),
    ("es", "Por Carlos Ruiz | EFE", "", "efe.com", None),
    ("es", "Vía El Confidencial", "", "elconfidencial.com", None),
    ("es", "Según El Mundo, la reunión terminó sin acuerdo.", "", "elmundo.es", None),
    ("fr", "Cet article a été publié initialement sur Le Figaro.", "", "lefigaro.fr", None),
    ("fr", "Cet article a été publié initialement sur Le Monde",
     '<p>Cet article a été publié initialement sur <a href="https://www.lemonde.fr/international/'
     'article/2025/03/04/x_1_2.html">Le Monde</a></p>', "lemonde.fr",
     "https://www.lemonde.fr/international/article/2025/03/04/x_1_2.html"),
    ("fr", "Article paru initialement dans Libération.", "", "liberation.fr", None),
    ("fr", "Ce texte a d'abord été publié... non: publié d'abord sur Mediapart.", "",
     "mediapart.fr", None),
    ("fr", "Initialement publié par Les Échos.", "", "lesechos.fr", None),
    ("fr", "Source : Reuters", "", "reuters.com", None),
    ("fr", "Avec Reuters", "", "reuters.com", None),
    ("fr", "(Avec AFP)", "", "afp.com", None),
    ("fr", "© AFP", "", "afp.com", None),
    ("fr", "Par Jean Martin, AFP", "", "afp.com", None),
    ("fr", "Selon Le Parisien, deux suspects ont été arrêtés.", "", "leparisien.fr", None),
    ("de", "Dieser Artikel erschien zuerst bei Spiegel Online.", "", "spiegel.de", None),
    ("de", "Der Text erschien ursprünglich in der FAZ.", "", "faz.net", None),
    ("de", "Quelle: Reuters", "", "reuters.com", None),
    ("de", "Quelle: AFP", "", "afp.com", None),
    ("de", "mit Material der Nachrichtenagentur AFP", "", "afp.com", None),
    ("de", "Hamburg (dpa) - Der Hafen meldet einen Rückgang", "", "dpa.com", None),
    ("de", "Von Peter Schmidt (dpa)", "", "dpa.com", None),
    ("de", "© dpa-infocom, dpa:250304-99-123456/2", "", "dpa.com", None),
    ("de", "Laut Süddeutscher Zeitung ist die Entscheidung gefallen.", "", "sueddeutsche.de",
     None),
    ("pt", "Este artigo foi publicado originalmente na Folha de S.Paulo.", "",
     "folha.uol.com.br", None),
    ("pt", "Texto publicado originalmente no Estadão.", "", "estadao.com.br", None),
    ("pt", "Fonte: Lusa", "", "lusa.pt", None),
    ("pt", "Fonte: g1", "", "g1.globo.com", None),
    ("pt", "Com informações do O Globo", "", "oglobo.globo.com", None),
    ("pt", "Com informações da agência Reuters", "", "reuters.com", None),
    ("pt", "Porto, 04 mar 2025 (Lusa) - A câmara municipal aprovou", "", "lusa.pt", None),
    ("pt", "Segundo o Público, o acordo foi assinado ontem.", "", "publico.pt", None),
    ("it", "Questo articolo è stato pubblicato originariamente su la Repubblica.", "",
     "repubblica.it", None),
    ("it", "Articolo pubblicato originariamente sul Corriere della Sera.", "", "corriere.it",
     None),
    ("it", "Fonte: Adnkronos", "", "adnkronos.com", None),
    ("it", "(ANSA) - MILANO, 04 MAR - La Borsa di Milano ha aperto in rialzo", "", "ansa.it",
     None),
    ("it", "Di Giulia Bianchi (ANSA)", "", "ansa.it", None),
    ("it", "Secondo La Stampa, il governo prepara un decreto.", "", "lastampa.it", None),
]  # fmt: skip


def _evidence(text: str, html: str = "", url: str | None = None) -> object:
    doc = Document("t", "html" if html else "text", (Paragraph(0, text),), url=url, html=html)
    return detect_evidence(doc, SETTINGS)


def _resolved(text: str, html: str) -> tuple[set[str | None], set[str | None]]:
    evidence = detect_evidence(
        Document("t", "html" if html else "text", (Paragraph(0, text),), html=html), SETTINGS
    )
    attributions = [a for a in evidence.attributions if a.kind != "mention"]
    return {a.origin for a in attributions}, {a.url for a in attributions}


def test_held_out_wordings_resolve_to_their_origin() -> None:
    misses = []
    for language, text, html, origin, link in HELD_OUT:
        origins, links = _resolved(text, html)
        if origin not in origins or (link is not None and link not in links):
            misses.append(f"[{language}] {text!r}: {sorted(map(str, origins))} {links}")
    share = 1 - len(misses) / len(HELD_OUT)
    assert share >= 0.95, f"{share:.0%} resolved; misses:\n" + "\n".join(misses)


def test_held_out_set_covers_six_languages_and_differs_from_the_data_file() -> None:
    examples = {r.example for r in attribution_rules()}
    assert {row[0] for row in HELD_OUT} == {"en", "es", "fr", "de", "pt", "it"}
    assert len(HELD_OUT) >= 60
    assert not [row[1] for row in HELD_OUT if row[1] in examples]


@pytest.mark.parametrize(
    ("name", "domain"),
    [("El País", "elpais.com"), ("Spiegel", "spiegel.de"), ("Folha", "folha.uol.com.br"),
     ("Repubblica", "repubblica.it"), ("NPR", "npr.org"), ("Le Monde", "lemonde.fr"),
     ("le Figaro", "lefigaro.fr"), ("EFE", "efe.com"), ("dpa", "dpa.com"), ("Lusa", "lusa.pt"),
     ("ANSA", "ansa.it"), ("Clarín", "clarin.com"), ("O Globo", "oglobo.globo.com")],
)  # fmt: skip
def test_names_resolve_to_domains(name: str, domain: str) -> None:
    assert resolve_name(name) == domain


def test_one_publisher_many_domains() -> None:
    assert site_domain("https://www.bbc.co.uk/news/uk-1") == site_domain("https://www.bbc.com/x")
    assert site_domain("https://www1.folha.uol.com.br/mundo/x.shtml") == "folha.uol.com.br"
    assert site_domain("https://noticias.uol.com.br/x") == "uol.com.br"
    assert site_domain("https://cnnespanol.cnn.com/x") == "cnnespanol.cnn.com"
    assert site_domain("https://edition.cnn.com/x") == "cnn.com"


def test_directory_holds_several_hundred_publishers_in_six_languages() -> None:
    pubs = publishers()
    assert len(pubs) >= 300
    by_language = {lang: [p for p in pubs if p.language == lang] for lang in
                   ("en", "es", "fr", "de", "pt", "it")}  # fmt: skip
    assert all(len(found) >= 30 for found in by_language.values()), {
        k: len(v) for k, v in by_language.items()
    }
    wires = {p.name for p in pubs if p.kind == "wire"}
    assert {"AFP", "EFE", "dpa", "Lusa", "ANSA", "Reuters", "The Associated Press"} <= wires


def test_every_marker_names_a_publisher_of_the_directory() -> None:
    for rule in marker_rules():
        if rule.domain:
            pub = lookup_publisher(rule.publisher)
            assert pub is not None, rule.id
            assert rule.domain in pub.domains, rule.id


# --- markup ----------------------------------------------------------------------------

MARKUP = [
    ("CLICK HERE TO GET THE FOX NEWS APP", "", "foxnews.com"),
    ("Body.", '<img src="https://a57.foxnews.com/static.foxnews.com/foxnews.com/content/uploads/'
     '2025/03/931/523/photo.jpg">', "foxnews.com"),
    ("Body.", '<img src="https://static.foxnews.com/foxnews.com/content/uploads/2025/03/p.jpg">',
     "foxnews.com"),
    ("Body.", '<p class="css-at9mc1 evys1bk0">Body.</p>', "nytimes.com"),
    ("Body.", '<img src="https://i.guim.co.uk/img/media/abc123/0_0_3000_1800/master/3000.jpg">',
     "theguardian.com"),
    ("Body.", '<img src="https://dims.apnews.com/dims4/default/0d9f0a1/2147483647/strip/true/x">',
     "apnews.com"),
    ("Body.", '<img src="https://ichef.bbci.co.uk/news/976/cpsprodpb/1234/production/_1.jpg">',
     "bbc.com"),
    ("Body.", '<img src="https://www.washingtonpost.com/wp-apps/imrs.php?src=https://arc-anglerfish'
     '-washpost-prod-washpost.s3.amazonaws.com/public/ABCDEFGHIJKLMNOPQRSTUVWXYZ.jpg&w=916">',
     "washingtonpost.com"),
    ("Body.", '<div class="subscription-widget-wrap"><div class="subscription-widget show-subscribe">'
     "</div></div>", "substack.com"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "html", "domain"), MARKUP, ids=[m[2] for m in MARKUP])
def test_leaked_markup_names_its_publisher(text: str, html: str, domain: str) -> None:
    doc = Document(
        "copy", "html", (Paragraph(0, text),), url="https://copy.example.net/a", html=html
    )
    evidence = detect_evidence(doc, SETTINGS)
    assert domain in {m.domain for m in evidence.markers}, evidence.markers
    assert evidence.origin.domain == domain


def test_washpost_images_need_no_arcpublishing_word() -> None:
    html = '<img src="https://arc-anglerfish-washpost-prod-washpost.s3.amazonaws.com/public/X.jpg">'
    assert "arcpublishing" not in html
    doc = Document("copy", "html", (Paragraph(0, "Body."),), html=html)
    names = {m.publisher for m in detect_evidence(doc, SETTINGS).markers}
    assert "The Washington Post" in names


BBC_PAGE = (
    '<html><head><link rel="canonical" href="https://www.bbc.com/news/business-63200000">'
    '<meta property="og:url" content="https://www.bbc.com/news/business-63200000">'
    '<meta property="og:image" content="https://ichef.bbci.co.uk/news/1024/branded_news/x.jpg">'
    '<script type="application/ld+json">{"@type": "NewsArticle", "publisher": {"@type": '
    '"NewsMediaOrganization", "name": "BBC News"}}</script></head><body>'
    '<div data-component="text-block"><p>The budget watchdog publishes forecasts twice a year, '
    "and the chancellor must respond to them in parliament.</p></div></body></html>"
)


@pytest.mark.parametrize("url", [None, "https://www.bbc.co.uk/news/business-63200000"])
def test_a_publishers_own_page_is_not_a_copy(url: str | None) -> None:
    [doc] = load_documents(BBC_PAGE.encode(), source="bbc.html", settings=SETTINGS, url=url)
    report = check_document(doc, settings=Settings(offline=True))
    codes = {f.code for f in report.findings}
    assert report.evidence.origin.domain is None, report.evidence.origin
    assert not report.evidence.origin.contradictions
    assert "uncredited-copy" not in codes and "cross-domain-canonical" not in codes
    assert report.credit is Credit.UNKNOWN


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared is not present")
def test_the_real_bbc_page_is_not_a_copy() -> None:
    path = SHARED / "real" / "html" / "fundus_BBC_2024_08_01.html"
    [doc] = load_documents(path.read_bytes(), source=str(path), settings=SETTINGS)
    report = check_document(doc, settings=Settings(offline=True))
    assert report.evidence.origin.domain is None
    assert "uncredited-copy" not in {f.code for f in report.findings}


def test_googlebot_noindex_is_a_signal() -> None:
    html = '<html><head><meta name="googlebot" content="noindex, nofollow"></head><body><p>x</p>'
    [doc] = load_documents(html.encode(), source="p.html", settings=SETTINGS)
    evidence = detect_evidence(doc, SETTINGS)
    assert [s.value for s in evidence.signals if s.kind == "robots"] == [
        "googlebot: noindex, nofollow"
    ]
    assert "noindex" in {f.code for f in evidence.findings}


def test_wpematico_source_permalink_is_a_link_to_the_original() -> None:
    post = {
        "id": 7, "date_gmt": "2025-03-04T10:00:00", "link": "https://farm.example.net/p/7",
        "title": {"rendered": "A story"}, "content": {"rendered": "<p>Text of the story.</p>"},
        "meta": {"wpe_campaignid": "12",
                 "wpe_sourcepermalink": "https://www.elpais.com/internacional/2025-03-04/x.html"},
    }  # fmt: skip
    [doc] = load_documents(json.dumps(post).encode(), source="p.json", settings=SETTINGS)
    evidence = detect_evidence(doc, SETTINGS)
    assert evidence.origin.domain == "elpais.com"
    assert ("autoblog:wpe_sourcepermalink", "elpais.com") in {
        (s.kind, s.domain) for s in evidence.signals
    }


# --- a credit by name leads the sitemap search to the publisher's site ------------------


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as srv:
        yield srv


def test_a_credit_by_name_alone_feeds_the_sitemap_search(
    server: LoopbackServer, tmp_path: Path
) -> None:
    story = [
        "The state legislature passed a bill on Monday to expand rural broadband access.",
        "The measure sets aside 200 million dollars for towns with fewer than 5,000 residents.",
        "Opponents said the plan relied too heavily on a single satellite provider.",
    ]
    article = "/2025/03/03/rural-broadband-bill-passes"
    body = "".join(f"<p>{p}</p>" for p in story)
    server.route("/robots.txt", Reply(body=b"Sitemap: http://www.npr.org/sitemap.xml\n",
                                      content_type="text/plain"))  # fmt: skip
    urlset = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>http://www.npr.org{article}</loc><lastmod>2025-03-03T12:00:00Z</lastmod></url>"
        "</urlset>"
    )
    server.route("/sitemap.xml", Reply(body=urlset.encode(), content_type="application/xml"))
    server.route(article, Reply(body=(
        f"<html><head><title>Rural broadband bill passes</title></head><body>{body}</body></html>"
    ).encode()))  # fmt: skip
    settings = Settings(
        cache_dir=tmp_path / "cache", per_host_delay=0.0, max_retries=0, connect_timeout=1.0,
        read_timeout=2.0, wayback_url="",
        resolve_overrides=(("npr.org", server.host), ("www.npr.org", server.host)),
    )  # fmt: skip
    post = {
        "id": 1, "date_gmt": "2025-03-04T08:00:00", "link": "https://copy.example.net/b",
        "title": {"rendered": "Rural broadband bill passes"},
        "content": {"rendered": body + "<p>This story was originally published by NPR.</p>"},
    }  # fmt: skip
    [copy] = load_documents(json.dumps(post).encode(), source="copy.json", settings=settings)
    with Fetcher(settings) as fetcher:
        report = check_document(copy, settings=settings, fetcher=fetcher)
    assert report.evidence.origin.domain == "npr.org"
    assert report.original is not None, report.attempts
    assert report.original.found_by == "sitemap"
    assert report.credit is Credit.CREDITED

"""detect_evidence end to end: the seed, real copies, negatives, signals, conclusions."""

from __future__ import annotations

import importlib.util
import json
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.detect import detect_evidence
from provenance.detect.catalog import CREDIT_KINDS
from provenance.models import Document, Evidence, Paragraph, Severity
from provenance.settings import Settings


def _support():  # type: ignore[no-untyped-def]
    path = Path(__file__).with_name("test_detect_support.py")
    spec = importlib.util.spec_from_file_location("_detect_support", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("_detect_support", module)
    spec.loader.exec_module(module)
    return module


support = _support()
SETTINGS = Settings()
SHARED = support.SHARED
have_shared = support.SHARED.is_dir


def _doc(*texts: str, html: str = "", url: str | None = None, meta: dict | None = None) -> Document:  # type: ignore[type-arg]
    paragraphs = tuple(Paragraph(i, t) for i, t in enumerate(texts))
    return Document("test", "text", paragraphs, url=url, html=html, meta=meta or {})


def _credits(evidence: Evidence) -> list[tuple[str, str | None]]:
    return [(a.kind, a.origin) for a in evidence.attributions if a.kind in CREDIT_KINDS]


# --- the seed ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed() -> Evidence:
    return detect_evidence(support.seed_document(), SETTINGS)


def test_seed_footer_credits_cnn(seed: Evidence) -> None:
    footer = [a for a in seed.attributions if a.kind == "appeared-first-on"]
    assert [(a.text, a.name, a.origin, a.paragraph_index) for a in footer] == [
        ("This post appeared first on cnn.com", "cnn.com", "cnn.com", -1)
    ]


def test_seed_markup_is_cnn(seed: Evidence) -> None:
    rules = {m.details["rule"]: m for m in seed.markers}
    assert {"cnn-cms-component-uri", "cnn-vossi-class"} <= set(rules)
    uri = rules["cnn-cms-component-uri"]
    assert (uri.publisher, uri.domain, uri.count) == ("CNN", "cnn.com", 12)


def test_seed_cuids_decoded(seed: Evidence) -> None:
    details = next(m.details for m in seed.markers if "components" in m.details)
    components = details["components"]
    assert len(components) == 12
    assert components[0] == {
        "cuid": "cm72i7hgq000a356mow561so5",
        "created": "2025-02-12T22:50:01Z",
        "counter": 10,
        "fingerprint": "356m",
    }
    assert details["earliest_created"] == "2025-02-12T22:50:01Z"
    assert details["latest_created"] == "2025-02-12T23:06:05Z"
    assert [c["created"] for c in components] == sorted(c["created"] for c in components)
    assert [(b["created"], b["size"]) for b in details["batches"]] == [
        ("2025-02-12T22:50:01Z", 1),
        ("2025-02-12T23:05:34Z", 11),
    ]
    assert details["lag_hours"] == pytest.approx(12.8, abs=0.05)
    assert details["lag_seconds"] == 46114
    assert details["counter_gaps"] == [
        {"batch": 1, "created": "2025-02-12T23:05:34Z", "missing": [27, 28, 30, 31, 40, 41]}
    ]


def test_seed_origin_is_cnn_from_footer_and_markup(seed: Evidence) -> None:
    origin = seed.origin
    assert (origin.publisher, origin.domain) == ("CNN", "cnn.com")
    assert origin.confidence >= 0.9
    assert "attribution: This post appeared first on cnn.com" in origin.supported_by
    assert "markers: 12 CNN cuids" in origin.supported_by
    assert origin.contradictions == ()


def test_seed_warns_of_possible_omissions(seed: Evidence) -> None:
    omissions = [f for f in seed.findings if f.code == "possible-omissions"]
    assert len(omissions) == 1
    assert omissions[0].severity is Severity.WARNING
    assert "27, 28, 30, 31, 40, 41 missing in the batch created at 2025-02-12T23:05:34Z" in (
        omissions[0].message
    )
    assert not [f for f in seed.findings if f.code == "markup-without-credit"]


def test_seed_paragraph_attrs_alone_are_enough() -> None:
    doc = replace(support.seed_document(), html="")
    evidence = detect_evidence(doc, SETTINGS)
    assert evidence.origin.domain == "cnn.com"
    assert any(m.count == 12 and "components" in m.details for m in evidence.markers)


# --- real copies and families ----------------------------------------------------------

REAL_ORIGINS = [
    (
        "real/copies/americandividends_2025-02-12_foxnews-footer.txt",
        "foxnews.com",
        "appeared-first-on",
    ),
    (
        "real/copies/timeandsalesreporter_95152_foxnews-footer.txt",
        "foxnews.com",
        "appeared-first-on",
    ),
    (
        "real/copies/stockmarketlegacy_tag-featured-p31_foxnews-cisa.txt",
        "foxnews.com",
        "appeared-first-on",
    ),
    ("real/copies/successdigestonline_real-reason-office_wsj.txt", "wsj.com", "appeared-first-on"),
    (
        "real/copies/techhubms_github-blog_addressing-availability.md",
        "github.blog",
        "appeared-first-on",
    ),
    (
        "real/copies/bcorpus-blogspot_ips-globalissues_cnbc.txt",
        "globalissues.org",
        "read-full-story",
    ),
    ("real/copies/harksteadvillage_scotus_cnn-byline.txt", "cnn.com", "byline"),
    ("real/copies/lapost_nato-scramble_cnn-dateline_mojibake.txt", "cnn.com", "dateline"),
    ("real/copies/webjosh_1719411123-22820_cnn-label.txt", "cnn.com", "source-label"),
    ("real/families/afp-nato-hobbling-alliance/urdupoint.txt", "app.com.pk", "credit-line"),
    ("real/copies/stateofthenation_235933.txt", "cnn.com", None),
    ("real/copies/timebulletin_category-politics-p9_foxnews-teasers.txt", "foxnews.com", None),
    ("real/copies/wealthworldnews_2025-page-1177_foxnews-opinion.txt", "foxnews.com", None),
    ("real/copies/peripateticponderings_conversation-republish.txt", "theconversation.com", None),
    (
        "real/html/trafilatura_vice.com.amazon_originally-appeared-on.html",
        "vice.com",
        "originally-published",
    ),
]


@pytest.mark.shared
@pytest.mark.parametrize(
    ("path", "domain", "kind"), REAL_ORIGINS, ids=[Path(p).stem for p, _, _ in REAL_ORIGINS]
)
def test_real_copy_origin(path: str, domain: str, kind: str | None) -> None:
    evidence = detect_evidence(support.shared_document(path), SETTINGS)
    assert evidence.origin.domain == domain, f"{path}: {evidence.origin}"
    if kind is not None:
        assert any(a.kind == kind and a.origin == domain for a in evidence.attributions), path
    else:
        assert any(m.domain == domain for m in evidence.markers), path
        assert "markup present but no credit" in evidence.origin.contradictions


@pytest.mark.shared
def test_footer_in_the_middle_of_a_tag_page() -> None:
    doc = support.shared_document("real/copies/stockmarketlegacy_tag-featured-p31_foxnews-cisa.txt")
    evidence = detect_evidence(doc, SETTINGS)
    footer = next(a for a in evidence.attributions if a.kind == "appeared-first-on")
    assert 0 < footer.paragraph_index < len(doc.paragraphs) - 1
    assert footer.paragraph_index in evidence.attribution_paragraphs


def test_footer_text_stops_after_the_name_when_boilerplate_follows() -> None:
    doc = _doc(
        "This post appeared first on FOX NEWS Enter Your Information Below To Receive "
        "Free Trading Ideas."
    )
    footer = detect_evidence(doc, SETTINGS).attributions[0]
    assert (footer.text, footer.name, footer.origin) == (
        "This post appeared first on FOX NEWS",
        "FOX NEWS",
        "foxnews.com",
    )


def test_yoast_footer_reads_name_from_the_site_link_and_url_from_the_post_link() -> None:
    html = (
        '<p>Body.</p><p>The post <a href="https://blog.example.org/p/1">A title</a> '
        "appeared first on "
        '<a href="https://blog.example.org">Example Blog</a>.</p>'
    )
    evidence = detect_evidence(
        _doc("Body.", "The post A title appeared first on Example Blog.", html=html), SETTINGS
    )
    footer = evidence.attributions[0]
    assert (footer.name, footer.url, footer.origin, footer.paragraph_index) == (
        "Example Blog",
        "https://blog.example.org/p/1",
        "example.org",
        1,
    )


def test_republication_tracker_footer_only_in_html() -> None:
    html = (
        '<p>Body.</p><div class="rt">This <a href="https://fortworthreport.org/x/">article</a> '
        'first appeared on <a href="https://fortworthreport.org">Fort Worth Report</a> '
        "and is republished here under a "
        "Creative Commons license.</div>"
    )
    evidence = detect_evidence(_doc("Body.", html=html), SETTINGS)
    # The link to the article ("This <a href=PERMALINK>article</a>") is kept over the
    # site's home page.
    assert [(a.kind, a.origin, a.url, a.paragraph_index) for a in evidence.attributions] == [
        ("creative-commons", "fortworthreport.org", "https://fortworthreport.org/x/", -1)
    ]


# --- false positives -------------------------------------------------------------------

NEGATIVES = (
    sorted(str(p.relative_to(SHARED)) for p in (SHARED / "real" / "negatives").rglob("*.txt"))
    if have_shared()
    else []
)


@pytest.mark.shared
@pytest.mark.parametrize("path", NEGATIVES, ids=[Path(p).stem for p in NEGATIVES])
def test_negatives_have_no_credit_line(path: str) -> None:
    evidence = detect_evidence(support.shared_document(path), SETTINGS)
    assert _credits(evidence) == [], path
    if "ORIGINAL" not in path:
        assert evidence.origin.confidence < 0.2, f"{path}: {evidence.origin}"


@pytest.mark.parametrize(
    "text",
    [
        "“The level of optimism is certainly dropping,” a second NATO diplomat told AFP.",
        "Mark Rutte sidestepped the issue when questioned by CNN at his pre-summit briefing.",
        "CNN analyst Jonathan Wackrow said that the White House story does not add up.",
    ],
)
def test_in_text_mentions_are_not_credits(text: str) -> None:
    evidence = detect_evidence(_doc(text), SETTINGS)
    assert [a.kind for a in evidence.attributions] == ["mention"]
    assert evidence.origin.confidence < 0.2


@pytest.mark.parametrize(
    "text",
    [
        "According to CNN, the February 12 meeting at NATO headquarters in Brussels was tense.",
        "Justice Barrett emphasized that the plaintiffs failed to show harm, CNN has reported.",
    ],
)
def test_source_mentions_are_weak_credits(text: str) -> None:
    evidence = detect_evidence(_doc(text), SETTINGS)
    assert [a.kind for a in evidence.attributions] == ["source-mention"]
    assert [a.origin for a in evidence.attributions] == ["cnn.com"]
    assert 0.1 < evidence.origin.confidence < 0.3


@pytest.mark.parametrize(
    "text",
    [
        "This story was originally published on Feb. 11, 2020 at 7:02 p.m. ET and was updated.",
        "This story was originally published in May 2018 but has been updated with details.",
        "Article was originally published on our site",
        "Since he first appeared on the scene in the late 1970s, he has been a celebrity.",
        "Read the full story on donations to racial equality groups here.",
        "Este artículo es una traducción del siguiente artículo publicado originalmente "
        "en inglés: [Reverse "
        "Engineering](https://berthub.eu/articles/posts/reverse-engineering-source-code-of-the-biontech-pfizer-vaccine/)",
    ],
)
def test_credit_wordings_without_a_publisher_are_ignored(text: str) -> None:
    assert _credits(detect_evidence(_doc(text), SETTINGS)) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("This article was originally published on MarketWatch.", "MarketWatch"),
        (
            "This story was originally published by Mayo Clinic News Network.",
            "Mayo Clinic News Network",
        ),
        ("This column originally appeared in The Washington Times.", "The Washington Times"),
    ],
)
def test_names_that_start_like_dates_are_kept(text: str, name: str) -> None:
    found = [(a.kind, a.name) for a in detect_evidence(_doc(text), SETTINGS).attributions]
    assert found == [("originally-published", name)]


def test_credit_deep_inside_prose_is_not_a_credit_line() -> None:
    filler = "Officials met for hours to discuss the budget and other pressing matters. " * 5
    text = filler + "The report, originally published by Reuters, was cited. " + filler
    assert _credits(detect_evidence(_doc(text), SETTINGS)) == []


@pytest.mark.shared
def test_corpus_smoke_few_credit_lines() -> None:
    corpus = SHARED / "corpus" / "allsides_abp"
    files = sorted(corpus.glob("*/*.txt"))[:600]
    assert files, "corpus missing"
    with_credit = 0
    for path in files:
        evidence = detect_evidence(support.text_document(path), SETTINGS)
        with_credit += bool(_credits(evidence))
        assert 0.0 <= evidence.origin.confidence <= 1.0
    assert with_credit <= len(files) // 20


# --- contradictions and conclusions --------------------------------------------------


def test_credit_contradicted_by_markup() -> None:
    html = (
        '<p class="paragraph vossi-paragraph" data-uri="cms.cnn.com/_components/paragraph/'
        'instances/cm72irhjc000q356mka8g14pr@published">Text.</p>'
    )
    evidence = detect_evidence(
        _doc("Text.", "This post appeared first on FOX NEWS", html=html), SETTINGS
    )
    assert (
        "attribution names foxnews.com but markup is CNN's (cnn.com)"
        in evidence.origin.contradictions
    )
    assert any(f.code == "credit-contradicts-markup" for f in evidence.findings)
    assert evidence.origin.confidence < 0.8


def test_no_evidence_no_origin() -> None:
    evidence = detect_evidence(_doc("Just a paragraph about the weather."), SETTINGS)
    assert evidence.origin.domain is None and evidence.origin.confidence == 0.0
    assert evidence.attributions == evidence.markers == evidence.signals == evidence.findings == ()


@pytest.mark.shared
def test_deterministic() -> None:
    doc = support.shared_document("real/html/fundus_TheGuardian_2024_02_24.html")
    assert detect_evidence(doc, SETTINGS) == detect_evidence(doc, SETTINGS)


# --- declared signals ------------------------------------------------------------------

SIGNAL_HTML = """<html><head>
<link rel="canonical" href="https://www.propublica.org/article/some-story">
<meta property="og:url" content="https://copy.example.com/some-story">
<meta name="original-source" content="https://www.reuters.com/x">
<meta name="syndication-source" content="https://www.reuters.com/y">
<meta name="robots" content="noindex, follow">
<link rel="c2pa-manifest" href="https://copy.example.com/m.c2pa">
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",
 "isBasedOn": "https://www.reuters.com/z",
 "sourceOrganization": {"@type": "Organization", "name": "Reuters"},
 "publisher": {"name": "Copy Site", "url": "https://copy.example.com/"},}</script>
<script type="application/ld+json">{"isBasedOn": "https://calmatters.org/a", broken</script>
</head><body><p>Body.</p>
<img src="https://counter.theconversation.com/content/88869/count.gif?distributor=basic" width="1">
<img id="republication-tracker-tool-source" src="https://calmatters.org/?republication-pixel=true&post=1">
<script src="https://pixel.propublica.org/pixel.js"></script>
<a class="feedzy-rss-link-icon" href="https://www.cnn.com/2025/02/12/story">Read More</a>
</body></html>"""


def test_declared_signals() -> None:
    doc = _doc("Body.", html=SIGNAL_HTML, url="https://copy.example.com/some-story")
    signals = {(s.kind, s.domain) for s in detect_evidence(doc, SETTINGS).signals}
    assert {
        ("canonical", "propublica.org"),
        ("og:url", "example.com"),
        ("meta:original-source", "reuters.com"),
        ("meta:syndication-source", "reuters.com"),
        ("robots", None),
        ("c2pa", None),
        ("jsonld:isBasedOn", "reuters.com"),
        ("jsonld:isBasedOn", "calmatters.org"),
        ("jsonld:sourceOrganization", "reuters.com"),
        ("jsonld:publisher", "example.com"),
        ("pixel:the-conversation", "theconversation.com"),
        ("pixel:republication-tracker", "calmatters.org"),
        ("pixel:propublica", "propublica.org"),
        ("autoblog:feedzy-link", "cnn.com"),
    } <= signals


def test_signal_findings() -> None:
    doc = _doc("Body.", html=SIGNAL_HTML, url="https://copy.example.com/some-story")
    codes = {f.code for f in detect_evidence(doc, SETTINGS).findings}
    assert {"cross-domain-canonical", "noindex"} <= codes


def test_wordpress_meta_signals() -> None:
    meta = {
        "link": "https://copy.example.com/?p=1",
        "yoast_head_json": {
            "canonical": "https://www.foxnews.com/politics/story",
            "og_url": "https://copy.example.com/?p=1",
            "robots": {"index": "noindex", "follow": "follow"},
        },
        "meta": {
            "feedzy_item_url": "https://www.foxnews.com/politics/story",
            "wpe_campaignid": ["12"],
        },
    }
    evidence = detect_evidence(_doc("Body.", meta=meta), SETTINGS)
    kinds = {(s.kind, s.domain) for s in evidence.signals}
    assert {
        ("yoast:canonical", "foxnews.com"),
        ("yoast:og_url", "example.com"),
        ("robots", None),
        ("autoblog:feedzy_item_url", "foxnews.com"),
        ("autoblog:wpe_campaignid", None),
    } <= kinds
    assert evidence.origin.domain == "foxnews.com"
    assert evidence.origin.confidence > 0.7


def test_feed_source_signal() -> None:
    evidence = detect_evidence(
        _doc("Body.", meta={"source_url": "https://apnews.com/article/x"}), SETTINGS
    )
    assert [(s.kind, s.domain) for s in evidence.signals] == [("feed:source", "apnews.com")]


@pytest.mark.shared
def test_guardian_byline_markup_credits_ap() -> None:
    doc = support.shared_document("real/html/fundus_TheGuardian_2024_02_24.html")
    signals = detect_evidence(doc, SETTINGS).signals
    assert ("meta:article:author", "apnews.com") in {(s.kind, s.domain) for s in signals}


# --- robustness and speed --------------------------------------------------------------


def test_hostile_markup_does_not_break_detection() -> None:
    html = (
        "<div>" * 3000
        + "<script>alert(1)</script><p>This post appeared first on cnn.com</p>"
        + "</div>" * 10
    )
    evidence = detect_evidence(_doc(html=html), SETTINGS)
    assert _credits(evidence) == [("appeared-first-on", "cnn.com")]


def test_naive_published_time_is_read_as_utc() -> None:
    doc = replace(support.seed_document(), published=datetime(2025, 2, 13, 11, 38, 35))
    details = next(
        m.details for m in detect_evidence(doc, SETTINGS).markers if "components" in m.details
    )
    assert details["lag_hours"] == pytest.approx(12.8, abs=0.05)


def test_seed_detection_is_fast() -> None:
    doc = support.seed_document()
    detect_evidence(doc, SETTINGS)  # warm the compiled data files
    timings = []
    for _ in range(15):
        start = time.perf_counter()
        detect_evidence(doc, SETTINGS)
        timings.append(time.perf_counter() - start)
    assert sorted(timings)[len(timings) // 2] < 0.02  # median; about 2 ms measured


def test_seed_json_round_trip_published() -> None:
    post = json.loads(support.SEED.read_text(encoding="utf-8"))
    assert support.seed_document().published == datetime.fromisoformat(post["date_gmt"]).replace(
        tzinfo=UTC
    )


# The credit wordings of the brief in other languages (patterns built from real examples
# in attributions.toml; these sentences check the variants those examples do not cover).
@pytest.mark.parametrize(
    ("text", "kind", "name", "language"),
    [
        ("Este artículo apareció primero en El Diario.", "originally-published", "El Diario", "es"),
        (
            "Artículo publicado originalmente en eldiario.es",
            "originally-published",
            "eldiario.es",
            "es",
        ),
        (
            "Cet article a été publié à l'origine par Mediapart.",
            "originally-published",
            "Mediapart",
            "fr",
        ),
        (
            "Cet article est paru initialement sur Slate.fr",
            "originally-published",
            "Slate.fr",
            "fr",
        ),
        (
            "Dieser Artikel erschien zuerst bei Netzpolitik.",
            "appeared-first-on",
            "Netzpolitik",
            "de",
        ),
        ("Zuerst erschienen auf netzpolitik.org.", "appeared-first-on", "netzpolitik.org", "de"),
        (
            "Este artigo foi publicado originalmente por Agência Pública.",
            "originally-published",
            "Agência Pública",
            "pt",
        ),
        (
            "Este artigo apareceu primeiro em Nexo Jornal.",
            "originally-published",
            "Nexo Jornal",
            "pt",
        ),
        (
            "Questo articolo è stato pubblicato originariamente da Il Post.",
            "originally-published",
            "Il Post",
            "it",
        ),
        (
            "Questo articolo è apparso per la prima volta su Valigia Blu.",
            "originally-published",
            "Valigia Blu",
            "it",
        ),
    ],
)
def test_credit_wordings_in_other_languages(text: str, kind: str, name: str, language: str) -> None:
    found = [
        (a.kind, a.name, a.language) for a in detect_evidence(_doc(text), SETTINGS).attributions
    ]
    assert found == [(kind, name, language)]


def test_only_standalone_credits_leave_the_content() -> None:
    lead = "Brussels, Belgium (CNN) — Wednesday's meeting at the NATO headquarters was tense. " * 3
    doc = _doc(
        lead,
        "“The level of optimism is certainly dropping,” a diplomat told AFP.",
        "By John Fritze and Brian Fung | CNN",
        "This post appeared first on FOX NEWS",
    )
    evidence = detect_evidence(doc, SETTINGS)
    assert {a.kind for a in evidence.attributions} == {
        "dateline",
        "mention",
        "byline",
        "appeared-first-on",
    }
    assert evidence.attribution_paragraphs == frozenset({2, 3})


def test_credit_glued_to_a_long_paragraph_keeps_it_as_content() -> None:
    body = "The court ruled on the case after a long hearing in the capital city. " * 12
    evidence = detect_evidence(_doc(body + "This post appeared first on cnn.com"), SETTINGS)
    assert _credits(evidence) == [("appeared-first-on", "cnn.com")]
    assert evidence.attribution_paragraphs == frozenset()


@settings(max_examples=60, deadline=None)
@given(
    texts=st.lists(st.text(max_size=300), max_size=5),
    html=st.text(alphabet=st.sampled_from(list("<>/=\"' abcdpiv-_:.()[]\n")), max_size=400),
)
def test_any_input_gives_bounded_evidence(texts: list[str], html: str) -> None:
    evidence = detect_evidence(_doc(*texts, html=html), SETTINGS)
    assert 0.0 <= evidence.origin.confidence <= 1.0
    assert all(-1 <= a.paragraph_index < len(texts) for a in evidence.attributions)

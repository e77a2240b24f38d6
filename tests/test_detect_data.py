"""Every entry of the detect data files, run on the real example or page it came from."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from provenance.detect import detect_evidence
from provenance.detect.catalog import (
    CREDIT_KINDS,
    attribution_rules,
    marker_rules,
    normalize_name,
    publishers,
)
from provenance.detect.domains import registrable_domain, resolve_name, site_domain
from provenance.models import Document, Evidence, Paragraph
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

ATTRIBUTIONS = attribution_rules()
MARKERS = marker_rules()


def _detect_text(text: str, html: str = "") -> Evidence:
    doc = Document(source="example", kind="text", paragraphs=(Paragraph(0, text),), html=html)
    return detect_evidence(doc, SETTINGS)


@pytest.mark.parametrize("rule", ATTRIBUTIONS, ids=[r.id for r in ATTRIBUTIONS])
def test_attribution_entry_matches_its_real_example(rule) -> None:  # type: ignore[no-untyped-def]
    evidence = _detect_text(rule.example, rule.expect.get("html", ""))
    kinds = [(a.kind, a.name, a.origin, a.url) for a in evidence.attributions]
    expected_origin = rule.expect.get("origin") or None
    hits = [
        a for a in evidence.attributions if a.kind == rule.kind and a.name == rule.expect["name"]
    ]
    assert hits, f"{rule.id}: no {rule.kind} named {rule.expect['name']!r} in {kinds}"
    assert hits[0].origin == expected_origin, f"{rule.id}: {kinds}"
    assert hits[0].language == rule.language
    assert hits[0].paragraph_index == 0
    if "url" in rule.expect:
        assert hits[0].url == rule.expect["url"], f"{rule.id}: {kinds}"


@pytest.mark.parametrize("rule", ATTRIBUTIONS, ids=[r.id for r in ATTRIBUTIONS])
def test_a_line_anchored_rule_finds_what_a_full_search_finds(rule) -> None:  # type: ignore[no-untyped-def]
    """Rules tried at line starts only (and behind a screen) give the matches `finditer`
    gives, the example standing alone, after another line, or between two; a screen
    matches wherever its rule does."""
    from provenance.detect.attribution import _line_starts, _matches

    texts = [
        rule.example,
        f"An earlier line.\n{rule.example}",
        f"First line\n\n  {rule.example}\nA line after it.",
        f"Not at a line start: {rule.example}",
    ]
    for text in texts:
        found = [m.span() for m in _matches(rule, text, _line_starts(text))]
        assert found == [m.span() for m in rule.regex.finditer(text)], (rule.id, text)
        if rule.screen is not None and found:
            assert rule.screen.search(text), f"{rule.id}: the screen misses {text!r}"


def test_line_anchored_patterns_are_told_apart() -> None:
    from provenance.detect.catalog import _line_anchored

    assert _line_anchored(r"(?i)^\s*(?:Source|Fonte):")
    assert _line_anchored(r"^x[]|]") and _line_anchored(r"^a\|b")
    assert not _line_anchored(r"^a|b") and not _line_anchored(r"(?:^a|\(b)")
    assert not _line_anchored(r"\bvia ^")


@pytest.mark.parametrize("rule", ATTRIBUTIONS, ids=[r.id for r in ATTRIBUTIONS])
def test_attribution_hint_is_in_its_example(rule) -> None:  # type: ignore[no-untyped-def]
    assert not rule.hints or any(h in rule.example.lower() for h in rule.hints), (
        f"{rule.id}: hints {rule.hints!r} would skip its example"
    )


WITH_SAMPLE = [r for r in ATTRIBUTIONS if "sample_file" in r.expect]


@pytest.mark.shared
@pytest.mark.parametrize("rule", WITH_SAMPLE, ids=[r.id for r in WITH_SAMPLE])
def test_attribution_entry_found_in_its_real_page(rule) -> None:  # type: ignore[no-untyped-def]
    doc = support.shared_document(rule.expect["sample_file"])
    evidence = detect_evidence(doc, SETTINGS)
    expected_origin = rule.expect.get("origin") or None
    found = [(a.kind, a.origin) for a in evidence.attributions]
    assert (rule.kind, expected_origin) in found, (
        f"{rule.id} in {rule.expect['sample_file']}: {found}"
    )


@pytest.mark.parametrize("rule", MARKERS, ids=[r.id for r in MARKERS])
def test_marker_entry_matches_its_real_sample(rule) -> None:  # type: ignore[no-untyped-def]
    doc = Document(
        source="sample", kind="html", paragraphs=(Paragraph(0, rule.sample),), html=rule.sample
    )
    evidence = detect_evidence(doc, SETTINGS)
    hits = [m for m in evidence.markers if m.details.get("rule") == rule.id]
    assert hits, f"{rule.id}: sample not matched"
    assert hits[0].count > 0
    if rule.decoder != "org-map":
        assert (hits[0].publisher, hits[0].domain) == (rule.publisher, rule.domain)


WITH_PAGE = [(r, r.sample_file, None) for r in MARKERS if r.sample_file] + [
    (r, path, publisher) for r in MARKERS for path, publisher in sorted(r.also_in.items())
]


@pytest.mark.shared
@pytest.mark.parametrize(
    ("rule", "path", "publisher"),
    WITH_PAGE,
    ids=[f"{r.id}:{Path(p).name}" for r, p, _ in WITH_PAGE],
)
def test_marker_entry_found_in_its_real_page(rule, path, publisher) -> None:  # type: ignore[no-untyped-def]
    evidence = detect_evidence(support.shared_document(path), SETTINGS)
    hits = [m for m in evidence.markers if m.details.get("rule") == rule.id]
    assert hits and hits[0].count > 0, f"{rule.id} not found in {path}"
    expected = publisher or (
        rule.orgs.get(hits[0].details.get("org", "")) if rule.orgs else rule.publisher
    )
    assert hits[0].publisher == expected, f"{rule.id} in {path}: {hits[0].publisher}"


def test_every_marker_and_credit_wording_has_a_real_page_or_example() -> None:
    for rule in MARKERS:
        assert rule.sample, rule.id
    for rule in ATTRIBUTIONS:
        assert rule.example and rule.source, rule.id
    credits = {r.kind for r in ATTRIBUTIONS} & CREDIT_KINDS
    assert credits == CREDIT_KINDS
    assert {r.language for r in ATTRIBUTIONS} == {"en", "es", "fr", "de", "pt", "it"}
    assert len([r for r in MARKERS if r.domain]) >= 15


@pytest.mark.parametrize("pub", publishers(), ids=[p.name for p in publishers()])
def test_publisher_domains_resolve_to_the_publisher(pub) -> None:  # type: ignore[no-untyped-def]
    for domain in pub.domains:
        assert registrable_domain(domain), f"{pub.name}: {domain} has no registrable domain"
        assert site_domain(f"https://www.{domain}/a/story") == pub.domain, domain
    assert resolve_name(pub.name) == pub.domain
    assert pub.language and pub.kind


def test_publisher_aliases_are_unambiguous() -> None:
    owner: dict[str, str] = {}
    for pub in publishers():
        for alias in (pub.name, *pub.aliases):
            key = normalize_name(alias)
            assert owner.setdefault(key, pub.domain) == pub.domain, alias


def test_the_suffix_list_holds_what_the_library_parses_itself() -> None:
    """The Unicode suffixes' punycode forms are added ahead of time; the suffixes are the
    ones the library builds when it encodes every line itself. A host with no `xn--`
    label is looked up among the ASCII rules alone (the Unicode ones are built when a
    host needs them): every rule of the list gives the library's answer either way."""
    from publicsuffixlist import PublicSuffixList

    from provenance.detect.domains import _idn_suffixes, _suffixes

    reference = PublicSuffixList(only_icann=True, accept_unknown=False)
    assert _idn_suffixes()._publicsuffix == reference._publicsuffix
    ascii_rules = _suffixes()._publicsuffix
    assert ascii_rules <= reference._publicsuffix
    left_out = reference._publicsuffix - ascii_rules
    assert left_out and all(not r.isascii() or "xn--" in r for r in left_out)
    for rule in sorted(r for r in reference._publicsuffix if r.isascii()):
        suffix = rule.lstrip("!").replace("*", "w")
        for host in (suffix, f"x.{suffix}", f"y.x.{suffix}"):
            assert registrable_domain(host) == reference.privatesuffix(host), host
    assert registrable_domain("https://news.example.xn--p1ai/a") == "example.xn--p1ai"

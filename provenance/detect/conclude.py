"""Weigh attributions, markers and signals into the most likely origin.

Each piece of evidence that names a registrable domain (other than the copy's own)
gets a weight in [0, 1]; the weights of one domain combine as independent clues
(1 - prod(1 - w)). Credit lines weigh most, in-text mentions almost nothing. A strong
rival domain lowers the confidence and is reported as a contradiction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..models import Attribution, Finding, Marker, Origin, Severity, Signal
from .catalog import CREDIT_KINDS, MENTION_KIND, SOURCE_MENTION_KIND, WIRE_KINDS
from .domains import publisher_for_domain, same_site

CREDIT_WEIGHT = 0.7
WIRE_WEIGHTS = {
    "dateline": 0.45,
    "byline": 0.45,
    "source-label": 0.35,
    "copyright": 0.4,
    "via": 0.35,
}
MENTION_WEIGHT = 0.05
SOURCE_MENTION_WEIGHT = 0.2
MAX_MENTIONS_COUNTED = 2
SIGNAL_WEIGHTS = {
    "canonical": 0.45,
    "yoast:canonical": 0.45,
    "og:url": 0.3,
    "yoast:og_url": 0.3,
    "jsonld:isBasedOn": 0.5,
    "jsonld:sourceOrganization": 0.35,
    "jsonld:copyrightHolder": 0.25,
    "jsonld:publisher": 0.25,
    "jsonld:author": 0.1,
    "meta:original-source": 0.5,
    "meta:syndication-source": 0.4,
    "meta:article:author": 0.35,
    "feed:source": 0.35,
    "pixel:the-conversation": 0.5,
    "pixel:propublica": 0.5,
    "pixel:republication-tracker": 0.5,
}
AUTOBLOG_WEIGHT = 0.6
RIVAL_THRESHOLD = 0.3
_CANONICAL_KINDS = ("canonical", "yoast:canonical")


@dataclass(frozen=True)
class _Clue:
    domain: str
    weight: float
    label: str
    source: str  # "credit", "wire", "mention", "marker", "signal"
    name: str


def _attribution_clues(attributions: Iterable[Attribution]) -> Iterator[_Clue]:
    mentions: dict[str, int] = {}
    for a in attributions:
        if not a.origin:
            continue
        if a.kind in CREDIT_KINDS:
            yield _Clue(a.origin, CREDIT_WEIGHT, f"attribution: {a.text[:120]}", "credit", a.name)
        elif a.kind in WIRE_KINDS:
            yield _Clue(a.origin, WIRE_WEIGHTS[a.kind], f"{a.kind}: {a.text[:120]}", "wire", a.name)
        elif a.kind in (MENTION_KIND, SOURCE_MENTION_KIND):
            mentions[a.origin] = mentions.get(a.origin, 0) + 1
            if mentions[a.origin] <= MAX_MENTIONS_COUNTED:
                weight = SOURCE_MENTION_WEIGHT if a.kind == SOURCE_MENTION_KIND else MENTION_WEIGHT
                yield _Clue(a.origin, weight, f"{a.kind}: {a.text[:120]}", "mention", a.name)


def _marker_label(m: Marker) -> str:
    if "components" in m.details:
        return f"markers: {len(m.details['components'])} {m.publisher} cuids"
    return f"markers: {m.count} x {m.publisher} {m.kind} ({m.details.get('rule', '')})"


def _foreign(m: Marker, copy_domain: str | None) -> bool:
    """A marker of another publisher than the copy's own (its own markup is no clue)."""
    return (
        bool(m.domain)
        and float(m.details.get("weight", 0.0)) > 0
        and not (copy_domain and same_site(m.domain, copy_domain))
    )


def _marker_clues(markers: Iterable[Marker], copy_domain: str | None) -> Iterator[_Clue]:
    for m in markers:
        weight = float(m.details.get("weight", 0.0))
        if m.domain and _foreign(m, copy_domain):
            yield _Clue(m.domain, weight, _marker_label(m), "marker", m.publisher)


def _signal_weight(s: Signal) -> float:
    if s.kind.startswith("autoblog:"):
        return AUTOBLOG_WEIGHT
    return SIGNAL_WEIGHTS.get(s.kind, 0.0)


def _signal_clues(signals: Iterable[Signal], copy_domain: str | None) -> Iterator[_Clue]:
    for s in signals:
        weight = _signal_weight(s)
        if s.domain and weight > 0 and not same_site(s.domain, copy_domain):
            yield _Clue(s.domain, weight, f"{s.kind}: {s.value[:120]}", "signal", s.publisher or "")


def _scores(clues: list[_Clue]) -> list[tuple[float, str]]:
    remaining: dict[str, float] = {}
    for clue in clues:
        remaining[clue.domain] = remaining.get(clue.domain, 1.0) * (1.0 - clue.weight)
    return sorted(((1.0 - r, d) for d, r in remaining.items()), key=lambda t: (-t[0], t[1]))


def _publisher_name(domain: str, clues: list[_Clue]) -> str:
    pub = publisher_for_domain(domain)
    if pub is not None:
        return pub.name
    named = [c.name for c in clues if c.domain == domain and c.name]
    return named[0] if named else domain


def _contradictions(top: str, clues: list[_Clue], scores: list[tuple[float, str]]) -> list[str]:
    out: set[str] = set()
    credits = {c.domain for c in clues if c.source == "credit"}
    markup = {c.domain: c.name for c in clues if c.source == "marker"}
    for credited in sorted(credits):
        for domain, name in sorted(markup.items()):
            if domain != credited:
                out.add(f"attribution names {credited} but markup is {name}'s ({domain})")
    if markup and not credits:
        out.add("markup present but no credit")
    for score, domain in scores:
        if domain != top and score >= RIVAL_THRESHOLD:
            kinds = sorted({c.label.split(":")[0] for c in clues if c.domain == domain})
            out.add(f"{', '.join(kinds)} point to {domain}")
    return sorted(out)


def conclude_origin(
    attributions: Iterable[Attribution],
    markers: Iterable[Marker],
    signals: Iterable[Signal],
    copy_domain: str | None,
) -> Origin:
    """Return the most likely origin (publisher, domain, confidence in [0, 1], reasons)."""
    clues = [
        *_attribution_clues(attributions),
        *_marker_clues(markers, copy_domain),
        *_signal_clues(signals, copy_domain),
    ]
    scores = _scores(clues)
    if not scores:
        return Origin(None, None, 0.0)
    best, top = scores[0]
    rival = scores[1][0] if len(scores) > 1 else 0.0
    confidence = best * (1.0 - 0.5 * rival) if rival >= RIVAL_THRESHOLD else best
    ranked = sorted((c for c in clues if c.domain == top), key=lambda c: (-c.weight, c.label))
    supported = tuple(dict.fromkeys(c.label for c in ranked))
    return Origin(
        publisher=_publisher_name(top, clues),
        domain=top,
        confidence=round(min(max(confidence, 0.0), 1.0), 3),
        supported_by=supported,
        contradictions=tuple(_contradictions(top, clues, scores)),
    )


def _omission_findings(markers: Iterable[Marker]) -> Iterator[Finding]:
    for m in markers:
        gaps: list[dict[str, Any]] = list(m.details.get("counter_gaps", []))
        for gap in gaps:
            missing = ", ".join(str(n) for n in gap["missing"])
            yield Finding(
                "possible-omissions",
                Severity.WARNING,
                f"{m.publisher} component counters {missing} missing in the batch created at "
                f"{gap['created']}: components may have been dropped",
            )


def findings_for(
    attributions: tuple[Attribution, ...],
    markers: tuple[Marker, ...],
    signals: tuple[Signal, ...],
    origin: Origin,
    copy_domain: str | None,
) -> tuple[Finding, ...]:
    """Return the detector's findings: possible omissions, markup without credit, ..."""
    found = list(_omission_findings(markers))
    credited = {a.origin for a in attributions if a.kind in CREDIT_KINDS | WIRE_KINDS and a.origin}
    for m in markers:
        if m.domain and _foreign(m, copy_domain) and m.domain not in credited:
            found.append(
                Finding(
                    "markup-without-credit",
                    Severity.INFO,
                    f"{m.publisher} markup ({m.kind}) present but no credit line names {m.domain}",
                )
            )
    for text in origin.contradictions:
        if text.startswith("attribution names"):
            found.append(Finding("credit-contradicts-markup", Severity.WARNING, text))
    for s in signals:
        if s.kind in _CANONICAL_KINDS and s.domain and not same_site(s.domain, copy_domain):
            found.append(
                Finding(
                    "cross-domain-canonical",
                    Severity.INFO,
                    f"{s.kind} points to {s.domain}: {s.value}",
                )
            )
        if s.kind == "robots":
            found.append(
                Finding("noindex", Severity.INFO, f"the copy asks not to be indexed ({s.value})")
            )
    unique = dict.fromkeys(found)
    return tuple(sorted(unique, key=lambda f: (f.code, f.message)))

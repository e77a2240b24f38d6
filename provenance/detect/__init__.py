"""The detect stage: provenance evidence found in the copy itself.

`detect_evidence(doc, settings)` returns attribution lines (attribution), leaked CMS
markup of the origin (markers, cuid), declared signals (signals) and the conclusion
drawn from them (conclude). What the detectors know about the world lives in
`provenance/data/{attributions,markers,publishers}.toml`.
"""

from __future__ import annotations

from dataclasses import replace

from ..load.html import parse_markup
from ..models import Document, Evidence, Signal
from ..settings import Settings
from .attribution import find_attributions
from .conclude import conclude_origin, findings_for
from .domains import site_domain
from .markers import find_markers
from .signals import find_signals

__all__ = ["detect_evidence"]


_SELF_KINDS = frozenset({"canonical", "og:url", "yoast:canonical", "yoast:og_url"})


def _copy_domain(doc: Document, signals: tuple[Signal, ...]) -> str | None:
    """The copy's own site: from its URL; for a page saved without one, the site its
    canonical (or og:url) names when its JSON-LD publisher is that same publisher
    (a republisher's page names itself as publisher and the original as canonical)."""
    link = doc.meta.get("link") if isinstance(doc.meta.get("link"), str) else None
    for url in (doc.url, link):
        if url:
            domain = site_domain(url)
            if domain:
                return domain
    declared = {s.domain for s in signals if s.kind in _SELF_KINDS and s.domain}
    publishers = {s.domain for s in signals if s.kind == "jsonld:publisher" and s.domain}
    both = declared & publishers
    return next(iter(both)) if len(both) == 1 else None


# Markup past this size is scanned at its head and tail only (where credits, canonical
# links, JSON-LD and pixels sit), so a huge page costs seconds, not minutes.
_MAX_SCANNED_CHARS = 4_000_000


def _scanned_window(doc: Document) -> Document:
    if len(doc.html) <= _MAX_SCANNED_CHARS:
        return doc
    half = _MAX_SCANNED_CHARS // 2
    return replace(doc, html=doc.html[:half] + "\n" + doc.html[-half:])


def detect_evidence(doc: Document, settings: Settings) -> Evidence:
    """Return the provenance Evidence of `doc`: attributions, markers, signals, origin, findings.

    Pure and deterministic: reads only `doc` and the packaged data files. Raises
    SettingsError if a packaged data file is missing or malformed; never raises on
    malformed markup. `settings` is accepted for the stage signature; no knob applies yet.
    """
    del settings  # no detection knob yet; kept for the uniform stage signature
    doc = _scanned_window(doc)
    markup = parse_markup(doc.html)
    attributions = find_attributions(doc, markup)
    markers = find_markers(doc)
    signals = find_signals(doc, markup)
    copy_domain = _copy_domain(doc, signals)
    origin = conclude_origin(attributions, markers, signals, copy_domain)
    findings = findings_for(attributions, markers, signals, origin, copy_domain)
    return Evidence(attributions, markers, signals, origin, findings)

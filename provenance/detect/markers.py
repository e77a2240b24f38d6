"""Leaked CMS markup of the origin (markers.toml), with decoders such as CNN cuids.

Markup rules run over the raw markup (or, when a document has none, over its
paragraphs' own attributes); text rules run over paragraph text, then the markup.
"""

from __future__ import annotations

import html as htmllib
import re
from collections import Counter
from typing import Any

from ..models import Document, Marker
from .catalog import MarkerRule, marker_rules
from .cuid import cuid_details
from .domains import lookup_publisher, site_domain

_SAMPLE_CHARS = 200


def _attrs_markup(doc: Document) -> str:
    parts = []
    for p in doc.paragraphs:
        if p.attrs:
            attrs = " ".join(f'{k}="{htmllib.escape(str(v))}"' for k, v in sorted(p.attrs.items()))
            parts.append(f"<{p.tag or 'p'} {attrs}>")
    return "\n".join(parts)


def _search(rule: MarkerRule, haystack: str) -> list[re.Match[str]]:
    if not haystack or (rule.hints and not any(hint in haystack for hint in rule.hints)):
        return []
    return list(rule.regex.finditer(haystack))


def _matches(rule: MarkerRule, markup: str, text: str) -> list[re.Match[str]]:
    if rule.scope == "text":
        return _search(rule, text) or _search(rule, markup)
    return _search(rule, markup)


def _marker(rule: MarkerRule, found: list[re.Match[str]], details: dict[str, Any]) -> Marker:
    return Marker(
        publisher=rule.publisher,
        domain=rule.domain,
        kind=rule.kind,
        count=len(found),
        sample=found[0].group(0)[:_SAMPLE_CHARS],
        details={"rule": rule.id, "weight": rule.weight, **details},
    )


def _org_markers(rule: MarkerRule, found: list[re.Match[str]]) -> list[Marker]:
    by_org: dict[str, list[re.Match[str]]] = {}
    for match in found:
        by_org.setdefault(match["org"], []).append(match)
    markers = []
    for org in sorted(by_org):
        name = rule.orgs.get(org)
        pub = lookup_publisher(name) if name else None
        base = _marker(rule, by_org[org], {"org": org, "platform": rule.publisher})
        markers.append(
            Marker(
                publisher=pub.name if pub else (name or f"{rule.publisher} org '{org}'"),
                domain=pub.domain if pub else None,
                kind=base.kind,
                count=base.count,
                sample=base.sample,
                details=base.details if pub else {**base.details, "weight": 0.0},
            )
        )
    return markers


def _details(rule: MarkerRule, found: list[re.Match[str]], doc: Document) -> dict[str, Any]:
    if rule.decoder == "cnn-cuid":
        details = cuid_details([m["cuid"] for m in found], doc.published)
        details["component_types"] = dict(sorted(Counter(m["type"] for m in found).items()))
        return details
    if "host" in rule.regex.groupindex:
        hosts = {site_domain(m["host"]) for m in found}
        return {"hosts": sorted(h for h in hosts if h)}
    return {}


def find_markers(doc: Document) -> tuple[Marker, ...]:
    """Return the CMS markers present in `doc`, in data-file order (one per org for Arc)."""
    markup = doc.html or _attrs_markup(doc)
    text = "\n".join(p.text for p in doc.paragraphs)
    markers: list[Marker] = []
    for rule in marker_rules():
        found = _matches(rule, markup, text)
        if not found:
            continue
        if rule.decoder == "org-map":
            markers.extend(_org_markers(rule, found))
        else:
            markers.append(_marker(rule, found, _details(rule, found, doc)))
    return tuple(markers)

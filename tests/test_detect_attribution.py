"""The hint gate of the attribution scan: the rules it lets through, written plainly."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.detect.attribution import _CREDIT_HINTS, _plan, _tried, _unique_rules
from provenance.detect.catalog import CREDIT_KINDS

CASES = Path(__file__).resolve().parents[1] / "cases"


def _documents() -> list[list[str]]:
    """The bundled cases' text files, each as its blank-line separated paragraphs."""
    docs = []
    for path in sorted(CASES.glob("*/*")):
        if path.suffix in {".txt", ".html", ".md"}:
            body = path.read_text(encoding="utf-8", errors="replace")
            docs.append([p for p in body.split("\n\n") if p.strip()])
    return docs


def _plainly(text: str, kinds: frozenset[str] | None) -> list[str]:
    """The ids of the rules to try on `text`, as the scan once decided it rule by rule."""
    lowered = text.lower()
    hinted = any(hint in lowered for hint in _CREDIT_HINTS)
    tried = []
    for rule in _unique_rules(kinds):
        if rule.kind in CREDIT_KINDS and not hinted:
            continue
        if rule.hints and not any(hint in lowered for hint in rule.hints):
            continue
        tried.append(rule.id)
    return tried


def _ids(mask: int, kinds: frozenset[str] | None) -> list[str]:
    rules = _plan(kinds).rules
    return [rule.id for i, rule in enumerate(rules) if mask >> i & 1]


@pytest.mark.parametrize("kinds", [None, CREDIT_KINDS], ids=["all", "credit"])
def test_the_rules_tried_are_those_whose_hints_the_text_holds(kinds) -> None:  # type: ignore[no-untyped-def]
    texts = [p for doc in _documents() for p in doc]
    texts += [r.example for r in _unique_rules(None)]
    assert len(texts) > 300
    tried_somewhere = set()
    for text in texts:
        ids = _ids(_tried(_plan(kinds), text.lower()), kinds)
        assert ids == _plainly(text, kinds), text[:200]
        tried_somewhere.update(ids)
    assert len(tried_somewhere) > len(_unique_rules(kinds)) // 2


def test_a_plan_within_a_document_tries_what_the_whole_plan_tries() -> None:
    """Hints the document lacks are dropped: each paragraph still tries the same rules."""
    for doc in [*_documents(), [r.example for r in _unique_rules(None)]]:
        whole = _plan(None)
        within = whole.within("\n".join(p.lower() for p in doc))
        assert len(within.hints) <= len(whole.hints)
        for paragraph in doc:
            lowered = paragraph.lower()
            assert _tried(within, lowered) == _tried(whole, lowered), paragraph[:200]

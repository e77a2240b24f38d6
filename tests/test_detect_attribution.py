"""The hint gate of the attribution scan: the rules it lets through, written plainly."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.detect.attribution import _CREDIT_HINTS, _plan, _unique_rules
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
        ids = _ids(_plan(kinds).tried([text.lower()])[0], kinds)
        assert ids == _plainly(text, kinds), text[:200]
        tried_somewhere.update(ids)
    assert len(tried_somewhere) > len(_unique_rules(kinds)) // 2


def test_a_document_read_in_one_pass_tries_what_each_paragraph_alone_tries() -> None:
    """Hints found in the document's paragraphs joined are given to the paragraph holding them."""
    plan = _plan(None)
    for doc in [*_documents(), [r.example for r in _unique_rules(None)]]:
        lowered = [p.lower() for p in doc]
        alone = [plan.tried([text])[0] for text in lowered]
        assert plan.tried(lowered) == alone
        assert plan.tried(lowered[::-1]) == alone[::-1]


def test_no_hint_holds_a_newline() -> None:
    """Paragraphs are joined by newlines to be read in one pass: a hint with one would be
    found across two of them."""
    hints = {h for rule in _unique_rules(None) for h in rule.hints} | set(_CREDIT_HINTS)
    assert hints and not any("\n" in h for h in hints)


def test_a_paragraph_without_text_tries_only_the_open_rules() -> None:
    plan = _plan(None)
    masks = plan.tried(["", "this story appeared first on example.com", ""])
    assert masks[0] == masks[2] == plan.open
    assert masks[1] & ~plan.open

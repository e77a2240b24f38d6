"""Stage 6 (pure): evidence + alignment -> scores, verdict, credit and findings.

Counting unit: whitespace-separated tokens of `Paragraph.text` (the same tokens the word
diffs of `align` are made of), so numerators and denominators always agree.

Scores, each in [0, 1]:
* coverage  share of the original's tokens present in the copy: a verbatim pair without a
            diff counts in full, a pair with a diff counts its "equal" tokens, a rewritten
            pair counts the words it shares with the original; dropped paragraphs count 0.
* fidelity  how close the present part is: token-weighted mean over matched pairs of
            equal / (equal + replaced + inserted) tokens (deletions are trimming, not
            unfaithfulness), and the character similarity for rewritten pairs. 0.0 when
            nothing matched.
* additions share of the copy's tokens that do not come from the original (added
            paragraphs and inserted words). Lines of fewer than `_CHROME_WORDS` tokens (menus,
            dates, captions, "Advertisement") weigh `_CHROME_WEIGHT` of a token.
* order     share of matched pairs not moved out of the original's order; 1.0 when nothing
            matched (nothing is out of order).

Verdict, first rule that applies:
1. UNVERIFIED  no original (or no alignment).
2. UNRELATED   coverage < settings.unrelated_max_coverage and fewer than two original
               paragraphs of >= `_MIN_EVIDENCE_TOKENS` tokens matched verbatim or edited:
               independent reports of one event share quotes and names, not prose.
3. REWRITTEN   at least `_REWRITTEN_SHARE` of the covered tokens come from rewritten pairs.
4. MODIFIED    a word inside quotation marks changed, or a material edit (a pair with at
               least `_MATERIAL_EDIT_TOKENS` replaced/inserted tokens), or fidelity <
               settings.faithful_min_fidelity, or additions > settings.faithful_max_additions.
5. TRIMMED     coverage < settings.trimmed_min_coverage.
6. FAITHFUL    otherwise.

Credit compares the credit lines of the copy (attribution kinds in `_CREDIT_KINDS`; a
"mention" is not a credit) with the original's registrable domain (from the original's URL,
else from `evidence.origin.domain`): CREDITED when a credit names it, MISCREDITED when credits
name only others, UNCREDITED when nothing credits a known origin, UNKNOWN when the origin is
not known.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .models import (
    Alignment,
    Attribution,
    Credit,
    Document,
    Evidence,
    Finding,
    Original,
    ParagraphMatch,
    Report,
    Scores,
    Severity,
    Status,
    Verdict,
)
from .settings import Settings
from .text import words

__all__ = ["registrable_domain", "score"]

_CREDIT_KINDS = frozenset(
    {
        "appeared-first-on",
        "originally-published",
        "creative-commons",
        "read-full-story",
        "dateline",
        "byline",
        "credit-line",
    }
)
# Public suffixes of two labels that the simple last-two-labels rule would cut wrongly.
_MULTI_PART_SUFFIXES = frozenset(
    {
        "co.uk",
        "org.uk",
        "ac.uk",
        "gov.uk",
        "me.uk",
        "com.au",
        "net.au",
        "org.au",
        "co.nz",
        "co.jp",
        "co.in",
        "co.za",
        "com.br",
        "com.mx",
        "com.ar",
        "com.tr",
        "com.cn",
        "com.hk",
        "com.sg",
        "com.ng",
        "com.pk",
        "co.kr",
        "co.il",
    }
)
_CHROME_WORDS = 10
_CHROME_WEIGHT = 0.1
_MIN_EVIDENCE_TOKENS = 8
_REWRITTEN_SHARE = 0.5
_MATERIAL_EDIT_TOKENS = 3
_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
_COPY_VERDICTS = frozenset(
    {Verdict.FAITHFUL, Verdict.TRIMMED, Verdict.MODIFIED, Verdict.REWRITTEN, Verdict.UNVERIFIED}
)
_NAME_RE = re.compile(r"[^a-z0-9]+")


@dataclass
class _Tally:
    """Token counts gathered over an alignment."""

    orig_total: dict[int, int] = field(default_factory=dict)
    orig_covered: defaultdict[int, float] = field(default_factory=lambda: defaultdict(float))
    copy_total: dict[int, int] = field(default_factory=dict)
    copy_covered: defaultdict[int, float] = field(default_factory=lambda: defaultdict(float))
    fidelity_sum: float = 0.0
    fidelity_weight: float = 0.0
    rewritten_tokens: float = 0.0
    matched: int = 0
    moved: int = 0
    evidence_paragraphs: set[int] = field(default_factory=set)
    material_edits: int = 0
    quote_changes: int = 0


def score(
    copy: Document,
    evidence: Evidence,
    original: Original | None,
    alignment: Alignment | None,
    settings: Settings,
) -> Report:
    """Judge the copy: scores, verdict, credit and findings (see the module docstring).

    Returns a Report; `scores` is None when there is no original or no alignment.
    Pure: no I/O, raises nothing.
    """
    tally = _tally(alignment) if original is not None and alignment is not None else None
    scores = _scores(tally) if tally is not None else None
    verdict = _verdict(tally, scores, settings) if tally and scores else Verdict.UNVERIFIED
    target = _target_domain(evidence, original)
    credit = _credit(evidence, target)
    findings = _findings(copy, evidence, alignment, tally, verdict, credit, target)
    return Report(
        copy=copy,
        evidence=evidence,
        original=original,
        alignment=alignment,
        scores=scores,
        verdict=verdict,
        credit=credit,
        findings=findings,
        attempts=original.attempts if original is not None else (),
    )


# --- scores --------------------------------------------------------------------------


def _tally(alignment: Alignment) -> _Tally:
    t = _Tally()
    for m in alignment.matches:
        if m.original_index is not None:
            t.orig_total[m.original_index] = len(m.original_text.split())
        if m.copy_index is not None:
            t.copy_total[m.copy_index] = len(m.copy_text.split())
        if m.copy_index is None or m.original_index is None:
            continue
        _add_pair(t, m, m.copy_index, m.original_index)
    return t


def _add_pair(t: _Tally, m: ParagraphMatch, ci: int, oi: int) -> None:
    orig_covered, copy_covered = _covered(m)
    t.orig_covered[oi] += orig_covered
    t.copy_covered[ci] += copy_covered
    weight = max(orig_covered, 1.0)
    t.fidelity_sum += weight * _pair_fidelity(m)
    t.fidelity_weight += weight
    t.matched += 1
    t.moved += m.moved
    t.quote_changes += bool(m.quote_changes)
    if m.status is Status.REWRITTEN:
        t.rewritten_tokens += orig_covered
    elif t.orig_total[oi] >= _MIN_EVIDENCE_TOKENS:
        t.evidence_paragraphs.add(oi)
    if m.status is not Status.REWRITTEN and _changed_tokens(m) >= _MATERIAL_EDIT_TOKENS:
        t.material_edits += 1


def _covered(m: ParagraphMatch) -> tuple[float, float]:
    """(original tokens present in the copy, copy tokens standing for original tokens)."""
    orig_n, copy_n = len(m.original_text.split()), len(m.copy_text.split())
    if m.status is Status.REWRITTEN:
        shared = _shared_words(m.original_text, m.copy_text)
        return orig_n * shared, float(copy_n)
    if not m.diff:
        return float(orig_n), float(copy_n)
    equal = sum(len(d.original.split()) for d in m.diff if d.op == "equal")
    kept = sum(len(d.copy.split()) for d in m.diff if d.op in ("equal", "replace"))
    return float(equal), float(kept)


def _shared_words(original: str, copy: str) -> float:
    """Share of the original's words (as a multiset) that the copy also has."""
    orig_words = Counter(words(original))
    total = sum(orig_words.values())
    if not total:
        return 0.0
    return sum((orig_words & Counter(words(copy))).values()) / total


def _pair_fidelity(m: ParagraphMatch) -> float:
    if m.status is Status.REWRITTEN:
        return m.similarity
    if not m.diff:
        return 1.0
    equal = sum(len(d.original.split()) for d in m.diff if d.op == "equal")
    changed = _changed_tokens(m)
    return equal / (equal + changed) if equal + changed else 0.0


def _changed_tokens(m: ParagraphMatch) -> int:
    """Replaced and inserted tokens (not deleted ones) of a pair's diff."""
    total = 0
    for d in m.diff:
        if d.op == "replace":
            total += max(len(d.original.split()), len(d.copy.split()))
        elif d.op == "insert":
            total += len(d.copy.split())
    return total


def _scores(t: _Tally) -> Scores:
    orig_total = sum(t.orig_total.values())
    covered = sum(min(t.orig_covered[i], n) for i, n in t.orig_total.items())
    added = weighted = 0.0
    for i, n in t.copy_total.items():
        weight = _CHROME_WEIGHT if n < _CHROME_WORDS else 1.0
        added += weight * max(0.0, n - t.copy_covered[i])
        weighted += weight * n
    return Scores(
        coverage=_unit(covered / orig_total if orig_total else 0.0),
        fidelity=_unit(t.fidelity_sum / t.fidelity_weight if t.fidelity_weight else 0.0),
        additions=_unit(added / weighted if weighted else 0.0),
        order=_unit(1.0 - t.moved / t.matched if t.matched else 1.0),
    )


def _unit(x: float) -> float:
    return round(min(1.0, max(0.0, x)), 4)


def _verdict(t: _Tally, s: Scores, settings: Settings) -> Verdict:
    if s.coverage < settings.unrelated_max_coverage and len(t.evidence_paragraphs) < 2:
        return Verdict.UNRELATED
    covered = sum(min(t.orig_covered[i], n) for i, n in t.orig_total.items())
    if covered and t.rewritten_tokens / covered >= _REWRITTEN_SHARE:
        return Verdict.REWRITTEN
    if (
        t.quote_changes
        or t.material_edits
        or s.fidelity < settings.faithful_min_fidelity
        or s.additions > settings.faithful_max_additions
    ):
        return Verdict.MODIFIED
    if s.coverage < settings.trimmed_min_coverage:
        return Verdict.TRIMMED
    return Verdict.FAITHFUL


# --- credit --------------------------------------------------------------------------


def registrable_domain(host: str) -> str:
    """Return the registrable part of a host name: "edition.cnn.com" -> "cnn.com".

    Last two labels, or three when the last two are a known two-part public suffix
    ("bbc.co.uk"). A leading "www." and a port are ignored. Never raises.
    """
    host = host.strip().lower().rstrip(".").split(":")[0]
    labels = [label for label in host.split(".") if label]
    if len(labels) >= 3 and ".".join(labels[-2:]) in _MULTI_PART_SUFFIXES:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _host(value: str) -> str | None:
    """The host of a URL or bare domain; None for a name like "FOX NEWS"."""
    value = value.strip()
    if "://" in value:
        return urlsplit(value).hostname
    if "." in value and " " not in value:
        return urlsplit("//" + value).hostname
    return None


def _target_domain(evidence: Evidence, original: Original | None) -> str | None:
    url = original.document.url if original is not None else None
    host = _host(url) if url else None
    if host is None and evidence.origin.domain:
        host = _host(evidence.origin.domain)
    return registrable_domain(host) if host else None


def _credit_names(a: Attribution) -> set[str]:
    """What a credit line names: registrable domains and squashed publisher names."""
    names: set[str] = set()
    for value in (a.origin, a.url):
        host = _host(value) if value else None
        if host:
            names.add(registrable_domain(host))
    if not names:
        squashed = _NAME_RE.sub("", (a.origin or a.name or "").lower())
        if squashed:
            names.add(squashed)
    return names


def _names_target(names: Iterable[str], target: str) -> bool:
    label = target.split(".")[0]
    return any(n == target or (len(label) >= 3 and n.startswith(label)) for n in names)


def _credits(evidence: Evidence) -> list[set[str]]:
    found = (_credit_names(a) for a in evidence.attributions if a.kind in _CREDIT_KINDS)
    return [names for names in found if names]


def _credit(evidence: Evidence, target: str | None) -> Credit:
    if target is None:
        return Credit.UNKNOWN
    credits = _credits(evidence)
    if any(_names_target(names, target) for names in credits):
        return Credit.CREDITED
    return Credit.MISCREDITED if credits else Credit.UNCREDITED


# --- findings ------------------------------------------------------------------------


def _findings(
    copy: Document,
    evidence: Evidence,
    alignment: Alignment | None,
    tally: _Tally | None,
    verdict: Verdict,
    credit: Credit,
    target: str | None,
) -> tuple[Finding, ...]:
    found = list(evidence.findings)
    found += [
        Finding("mojibake-repaired", Severity.INFO, f"text repaired: {r}") for r in copy.repairs
    ]
    found += [_note_finding(n) for n in copy.notes]
    if alignment is not None:
        found += [Finding("alignment-limited", Severity.WARNING, n) for n in alignment.notes]
    if verdict in _COPY_VERDICTS:
        found += _credit_findings(evidence, credit, target, verdict)
    if alignment is not None and tally is not None and verdict is not Verdict.UNRELATED:
        found += _alignment_findings(alignment, tally)
    return tuple(sorted(set(found), key=lambda f: (_SEVERITY_ORDER[f.severity], f.code, f.message)))


def _note_finding(note: str) -> Finding:
    if "truncat" in note.lower():
        return Finding("content-truncated", Severity.WARNING, note)
    return Finding("load-note", Severity.INFO, note)


def _credit_findings(
    evidence: Evidence, credit: Credit, target: str | None, verdict: Verdict
) -> list[Finding]:
    if credit is Credit.UNCREDITED:
        message = f"no credit line names {target}, the origin of this {verdict.value} copy"
        return [Finding("uncredited-copy", Severity.ERROR, message)]
    if credit is Credit.MISCREDITED:
        named = ", ".join(sorted(n for names in _credits(evidence) for n in names))
        message = f"credit lines name {named}, but the original is on {target}"
        return [Finding("miscredited-copy", Severity.ERROR, message)]
    return []


def _alignment_findings(alignment: Alignment, t: _Tally) -> list[Finding]:
    found = [_quote_finding(m) for m in alignment.matches if m.quote_changes]
    dropped = [m for m in alignment.matches if m.status is Status.DROPPED]
    if dropped:
        n_words = sum(len(m.original_text.split()) for m in dropped)
        message = (
            f"{len(dropped)} of {len(t.orig_total)} original paragraphs "
            f"({n_words} words) are missing from the copy"
        )
        found.append(Finding("paragraphs-dropped", Severity.WARNING, message))
    added = [
        m
        for m in alignment.matches
        if m.status is Status.ADDED and len(m.copy_text.split()) >= _CHROME_WORDS
    ]
    if added:
        n_words = sum(len(m.copy_text.split()) for m in added)
        message = f"{len(added)} copy paragraphs ({n_words} words) are not in the original"
        found.append(Finding("paragraphs-added", Severity.WARNING, message))
    if t.moved:
        message = f"{t.moved} of {t.matched} matched paragraphs appear out of the original's order"
        found.append(Finding("paragraphs-moved", Severity.INFO, message))
    return found


def _quote_finding(m: ParagraphMatch) -> Finding:
    first = m.quote_changes[0]
    message = (
        f"copy paragraph {m.copy_index}: {len(m.quote_changes)} change(s) inside quotation "
        f"marks, e.g. '{_clip(first.original)}' -> '{_clip(first.copy)}'"
    )
    return Finding("quote-altered", Severity.ERROR, message)


def _clip(s: str, limit: int = 60) -> str:
    return s if len(s) <= limit else s[: limit - 1] + "…"

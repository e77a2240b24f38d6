"""Attribution lines: credit lines, wire datelines and bylines, in-text mentions.

Rules come from attributions.toml. Each paragraph is scanned wherever it sits (top,
bottom, middle of a tag page); credit lines found only in the markup (a footer `<div>`
that the loader did not turn into a paragraph) get paragraph_index -1.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from urllib.parse import urlsplit

from ..hints import HintFinder, masks_by_hint
from ..load.html import Markup
from ..models import Attribution, Document
from .catalog import CREDIT_KINDS, QUOTES, AttributionRule, attribution_rules, normalize_name
from .domains import lookup_publisher, publisher_for_domain, resolve_name, site_domain

# Cheap prefilter: a credit line cannot match where none of these words occurs (looked up
# as substrings of the lower-cased text: a regex alternation tries each at every character).
_CREDIT_HINTS = (  # noqa: SIM905 (a word list reads best as one string)
    "appeared|originally|first|republished|reprinted|reproduced|permission|read the full"
    "|publicad|publié|publiée|paru|erschien|veröffentlicht|apareceu|apareci|pubblicat|apparso"
    "|republicad|ripubblicat|republié|reproduit|reproducido|reproduzido|riprodott"
    "|autorisation|autorización|autorização|genehmigung|permesso|permissão|permiso|concessione"
    "|informaci|informaç|material|avec|urdupoint"
).split("|")
_NEWLINE_RE = re.compile(r"\n")
# Rules run with their full pattern, unscreened (see _past_screen).
_FULL: set[str] = set()
# How many texts got past each screened rule's screen so far (see _past_screen).
_PASSED: Counter[str] = Counter()
# After this many texts, a rule's full pattern is compiled and used. A narrowed use costs
# ~0.1 ms to find the text's names and ~0.3 ms to compile; a one-item check of the
# synthetic cases has at most four per rule, a process checking many items pays the full
# pattern once early instead of narrowed ones on every item.
_NARROW_LIMIT = 4
_STOP_RE = re.compile(
    r"\s(?:and|by|on|in|at|under|with|for|to|is|was|as|from|who|which|that|where|en|dans"
    r"|sur|auf|am|em|su|y|et|und|e|ed|con|avec|mit|para|per)\s"
)
_BAD_FIRST_RE = re.compile(
    r"^(?:\d|(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b"
    r"|(?:mon|tues|wednes|thurs|fri|satur|sun)day\b)",
    re.IGNORECASE,
)
_LANGUAGE_WORDS = frozenset(
    {
        "english",
        "inglés",
        "ingles",
        "anglais",
        "englisch",
        "inglês",
        "inglese",
        "spanish",
        "español",
        "french",
        "français",
        "german",
        "deutsch",
        "persa",
        "chinese",
        "chinês",
    }
)
# A credit line sits at the start or the end of its paragraph, not deep inside prose.
_EDGE_CHARS = 200
# How far back a credit's sentence start ("This story was ...") is looked for.
_LEAD_CHARS = 60
# Kinds that sit inside content paragraphs by nature.
_INLINE_KINDS = frozenset({"dateline", "mention", "source-mention"})
# A credit "is" its paragraph when little else is there: page chrome glued to a footer
# stays under this many characters; a content paragraph does not.
_STANDALONE_REST_CHARS = 120


def _trim_name(raw: str) -> str:
    name = raw.strip().strip("\"'*" + QUOTES).strip()
    stop = _STOP_RE.search(name)
    if stop:
        name = name[: stop.start()].strip()
    words = name.split()
    for k in range(len(words), 0, -1):
        candidate = " ".join(words[:k])
        if lookup_publisher(candidate) is not None:
            return candidate
    if words and resolve_name(words[0]) is not None:
        return words[0]
    # A known name after a description: "agência Reuters", "Nachrichtenagentur dpa".
    for k in range(1, min(len(words), 3)):
        candidate = " ".join(words[k:])
        if lookup_publisher(candidate) is not None:
            return candidate
    return name


def _acceptable(name: str) -> bool:
    if not name or len(name) > 80 or _BAD_FIRST_RE.match(name):
        return False
    if normalize_name(name) in _LANGUAGE_WORDS:
        return False
    return name[0].isupper() or name[0].isdigit() or resolve_name(name) is not None


def _anchor_href(name: str, markup: Markup) -> str | None:
    key = normalize_name(name)
    for anchor in markup.anchors:
        if anchor.href and normalize_name(anchor.text) == key:
            return anchor.href
    return None


def _article_href(text: str, site: str | None, href: str | None, markup: Markup) -> str | None:
    """A link of the credit's paragraph to an article of the credited site ("Lea el
    <a href=...>original</a>"): kept over a link to the site's home page."""
    if site is None or (href and urlsplit(href).path.strip("/")):
        return href
    for anchor in markup.anchors:
        label = anchor.text.strip()
        if (
            label
            and label in text
            and urlsplit(anchor.href).path.strip("/")
            and site_domain(anchor.href) == site
        ):
            return anchor.href
    return href


def _at_edge(text: str, match: re.Match[str]) -> bool:
    return match.start() <= _EDGE_CHARS or len(text) - match.end() <= _EDGE_CHARS


def _sentence_start(text: str, start: int) -> int:
    """Return where the sentence holding `start` begins (at most _LEAD_CHARS back)."""
    floor = max(0, start - _LEAD_CHARS)
    cut = max(
        text.rfind(". ", floor, start), text.rfind("(", floor, start), text.rfind("[", floor, start)
    )
    if cut >= 0:
        return cut + 1
    return 0 if floor == 0 else start


def _credit_text(text: str, match: re.Match[str], raw: str, name: str, credit: bool) -> str:
    """Return the credit as written: from its sentence start, cut after the name."""
    begin = _sentence_start(text, match.start()) if credit else match.start()
    end = match.end()
    if match.groupdict().get("name") and len(name) < len(raw.strip()):
        found = text.find(name, match.start("name"))
        end = found + len(name) if found >= 0 else end
    return text[begin:end].strip()


def _standalone(kind: str, text: str, credit_text: str) -> bool:
    if kind in _INLINE_KINDS:
        return False
    rest = len(text.strip()) - len(credit_text)
    return rest <= max(_STANDALONE_REST_CHARS, len(text) // 2)


def _build(
    rule: AttributionRule, text: str, match: re.Match[str], index: int, markup: Markup
) -> Attribution | None:
    start = match.start()
    if start > 0 and text[start].isalnum() and text[start - 1].isalnum():
        return None  # matched inside a word
    groups = match.groupdict()
    raw = groups.get("mdname") or groups.get("name") or ""
    url = groups.get("mdurl") or groups.get("url") or groups.get("bareurl")
    # A linked article title (Yoast: "The post <a>T</a> appeared first on <a>S</a>") is the
    # original itself; the site name's link is only its home page.
    title = (groups.get("title") or "").strip()
    url = url or (_anchor_href(title, markup) if title else None)
    name = _trim_name(raw) if raw else rule.publisher or (site_domain(url) if url else "") or ""
    if not _acceptable(name):
        return None
    url = url or _anchor_href(name, markup)
    origin = resolve_name(name) or (site_domain(url) if url else None)
    if rule.kind == "source-label" and origin is None:
        return None  # "Source: Bureau of Labor Statistics" under a chart names no publisher
    url = _article_href(text, origin, url, markup)
    credit_text = _credit_text(text, match, raw, name, rule.kind in CREDIT_KINDS)
    return Attribution(
        text=credit_text,
        kind=rule.kind,
        name=name,
        origin=origin,
        url=url,
        paragraph_index=index,
        language=_language(rule, origin),
        standalone=_standalone(rule.kind, text, credit_text),
    )


@cache
def _pattern_languages() -> dict[str, tuple[str, ...]]:
    """Languages of the rules that share one pattern ("Fonte:" is Portuguese and Italian)."""
    languages: dict[str, list[str]] = {}
    for rule in attribution_rules():
        found = languages.setdefault(rule.pattern, [])
        if rule.language not in found:
            found.append(rule.language)
    return {pattern: tuple(found) for pattern, found in languages.items()}


def _language(rule: AttributionRule, origin: str | None) -> str:
    """The wording's language; for a wording several languages share, the credited
    publisher's language when it is one of them ("Fonte: ANSA" it, "Fonte: Lusa" pt)."""
    shared = _pattern_languages().get(rule.pattern, (rule.language,))
    if len(shared) > 1 and origin:
        pub = publisher_for_domain(origin)
        if pub is not None and pub.language in shared:
            return pub.language
    return rule.language


@cache
def _unique_rules(kinds: frozenset[str] | None) -> tuple[AttributionRule, ...]:
    seen: set[str] = set()
    rules = []
    for rule in attribution_rules():
        if rule.pattern in seen or (kinds is not None and rule.kind not in kinds):
            continue
        seen.add(rule.pattern)
        rules.append(rule)
    return tuple(rules)


@dataclass(frozen=True)
class _Plan:
    """Which rules a text's hints let through, as bit masks over `rules` (bit i: rule i)."""

    rules: tuple[AttributionRule, ...]
    credit: tuple[bool, ...]
    # Rules without hints: other kinds always tried, credit lines when the text is hinted.
    open: int
    credit_open: int
    # Every credit-line rule (dropped unless the text holds a credit hint).
    credit_rules: int
    # Every hint and credit word, found in one pass over a text (Aho-Corasick), with what
    # a hit says in one int: bits 0..n-1 the rules holding it as a hint of some other
    # rule, bits n..2n-1 the rules only credit-line rules hold it for (n rules), bit 2n
    # whether it is one of _CREDIT_HINTS.
    hints: HintFinder[int]

    def tried(self, lowered: Sequence[str]) -> list[int]:
        """The mask of the rules to try on each lower-cased text: a credit-line rule only
        where a credit hint occurs, a rule with hints only where one of them occurs.
        All the texts are read in one pass (no hint holds a newline, so none is found
        across two of them)."""
        ends = list(accumulate(len(text) + 1 for text in lowered))
        found = [0] * len(lowered)
        for start, bits in self.hints.found_in("\n".join(lowered)):
            found[bisect_right(ends, start)] |= bits
        n = len(self.rules)
        rules = (1 << n) - 1
        return [
            self.open | self.credit_open | (bits & rules) | (bits >> n & rules)
            if bits >> 2 * n
            else (self.open | bits & rules) & ~self.credit_rules
            for bits in found
        ]


@cache
def _plan(kinds: frozenset[str] | None) -> _Plan:
    rules = _unique_rules(kinds)
    n = len(rules)
    credit = tuple(rule.kind in CREDIT_KINDS for rule in rules)
    masks = masks_by_hint(rule.hints for rule in rules)
    other = {hint for rule, c in zip(rules, credit, strict=True) if not c for hint in rule.hints}
    bits = {hint: mask if hint in other else mask << n for hint, mask in masks.items()}
    for word in _CREDIT_HINTS:
        bits[word] = bits.get(word, 0) | 1 << 2 * n
    return _Plan(
        rules=rules,
        credit=credit,
        open=_mask(i for i, r in enumerate(rules) if not r.hints and not credit[i]),
        credit_open=_mask(i for i, r in enumerate(rules) if not r.hints and credit[i]),
        credit_rules=_mask(i for i, c in enumerate(credit) if c),
        hints=HintFinder(bits),
    )


def _mask(indices: Iterable[int]) -> int:
    return sum(1 << i for i in indices)


def scan_text(
    text: str,
    index: int,
    markup: Markup,
    kinds: frozenset[str] | None = None,
    tried: int | None = None,
) -> Iterator[Attribution]:
    """Yield the attributions found in one block of text (kinds: restrict the rules;
    tried: the mask of the rules to try, when `_Plan.tried` already read the text)."""
    plan = _plan(kinds)
    if tried is None:
        tried = plan.tried([text.lower()])[0]
    starts = _line_starts(text)
    candidates: list[tuple[int, int, Attribution]] = []
    while tried:
        lowest = tried & -tried
        tried ^= lowest
        i = lowest.bit_length() - 1
        rule, credit = plan.rules[i], plan.credit[i]
        for match in _matches(rule, text, starts):
            if credit and not _at_edge(text, match):
                continue
            found = _build(rule, text, match, index, markup)
            if found is not None:
                candidates.append((match.start(), match.end(), found))
    # Overlapping matches of two rules: keep the longer one (it read more, e.g. a URL).
    kept: list[tuple[int, int]] = []
    for start, end, found in sorted(candidates, key=lambda c: (c[0] - c[1], c[0])):
        if all(end <= s or start >= e for s, e in kept):
            kept.append((start, end))
            yield found


def _credit_hinted(lowered: str) -> bool:
    return any(hint in lowered for hint in _CREDIT_HINTS)


def _line_starts(text: str) -> list[int]:
    if "\n" not in text:
        return [0]
    return [0, *(m.end() for m in _NEWLINE_RE.finditer(text))]


def _matches(rule: AttributionRule, text: str, starts: list[int]) -> list[re.Match[str]]:
    """The rule's matches in `text`; a line-anchored rule is tried at line starts only
    (a regex search would try, and fail, at every other character). A rule whose matches
    start with a publisher's name is tried where such a name starts (all names are found
    in one pass; a search with the pattern would walk its names at every character)."""
    full = rule.id in _FULL
    if rule.name_led:
        starts = rule.name_starts(text)
        if not starts:
            return []
        return _found(rule.regex if full else _past_screen(rule, text), text, starts, True)
    screen = None if full else rule.screen
    if screen is None:
        return _found(rule.regex, text, starts, rule.line_anchored)
    if not _found(screen, text, starts, rule.line_anchored, first=True):
        return []
    return _found(_past_screen(rule, text), text, starts, rule.line_anchored)


def _past_screen(rule: AttributionRule, text: str) -> re.Pattern[str]:
    """The pattern to run on a text that got past a rule's screen. A pattern naming every
    publisher takes ~17 ms to spell out and compile: until _NARROW_LIMIT texts got past
    its screen, the rule is compiled with only the names found in the text, a fraction of
    a millisecond (it finds what the full one finds there: a name that is not in the text
    cannot match); then the full pattern pays off and replaces the screen."""
    _PASSED[rule.id] += 1
    if _PASSED[rule.id] > _NARROW_LIMIT:
        _FULL.add(rule.id)
        return rule.regex
    return rule.regex_among(rule.names_found(text))


def _found(
    regex: re.Pattern[str], text: str, starts: list[int], anchored: bool, *, first: bool = False
) -> list[re.Match[str]]:
    """`regex.finditer(text)` (its first match alone when `first`); when `anchored` (no
    match can start elsewhere), tried at `starts` only."""
    if not anchored:
        if first:
            match = regex.search(text)
            return [] if match is None else [match]
        return list(regex.finditer(text))
    found = []
    end = 0
    for start in starts:
        match = regex.match(text, start) if start >= end else None
        if match is not None:
            end = max(match.end(), start + 1)
            found.append(match)
            if first:
                break
    return found


def _sort_key(a: Attribution) -> tuple[int, str, str, str]:
    index = a.paragraph_index if a.paragraph_index >= 0 else 1 << 30
    return (index, a.kind, a.name, a.text)


def _html_only(doc: Document, markup: Markup, known: Iterable[Attribution]) -> list[Attribution]:
    texts = {p.text.strip() for p in doc.paragraphs}
    seen = {(a.kind, normalize_name(a.name)) for a in known}
    extra = []
    for line in markup.text_lines:
        if line in texts or not _credit_hinted(line.lower()):
            continue
        for found in scan_text(line, -1, markup, CREDIT_KINDS):
            key = (found.kind, normalize_name(found.name))
            if key not in seen:
                seen.add(key)
                extra.append(found)
    return extra


def find_attributions(doc: Document, markup: Markup) -> tuple[Attribution, ...]:
    """Return every attribution in `doc`, sorted by paragraph (html-only ones last)."""
    masks = _plan(None).tried([p.text.lower() for p in doc.paragraphs])
    found = [
        a
        for p, tried in zip(doc.paragraphs, masks, strict=True)
        for a in scan_text(p.text, p.index, markup, tried=tried)
    ]
    found.extend(_html_only(doc, markup, found))
    return tuple(sorted(set(found), key=_sort_key))

"""The detectors' knowledge of the world, read once from the TOML data files.

`attributions.toml` (credit wordings), `markers.toml` (leaked CMS markup) and
`publishers.toml` (names -> registrable domain) live in `provenance/data/`. Every entry
carries the real example it was written from; tests run each entry on its example.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from typing import Any

from ..datafiles import read_data
from ..errors import SettingsError
from ..hints import HintFinder

CREDIT_KINDS = frozenset(
    {
        "appeared-first-on",
        "originally-published",
        "creative-commons",
        "read-full-story",
        "credit-line",
    }
)
# Wire credits and labels: datelines, bylines and "Reporting by" trailers, source labels
# ("Source: Reuters", "Fuente: EFE"), copyright lines ("© AFP 2025") and "via X".
WIRE_KINDS = frozenset({"dateline", "byline", "source-label", "copyright", "via"})
MENTION_KIND = "mention"
# The text names the publisher as its source ("according to CNN"): a weak credit.
SOURCE_MENTION_KIND = "source-mention"
# Kinds that credit the named publisher for the text, for the credit status.
CREDITING_KINDS = CREDIT_KINDS | WIRE_KINDS | {SOURCE_MENTION_KIND}

# Typographic quotes, spelled as escapes: left/right single, left/right double.
QUOTES = "\u2018\u2019\u201c\u201d"
# A word of a publisher name: no spaces, sentence punctuation or quotes; inner dots
# are allowed so that domains ("cnn.com") stay whole.
_NOT_WORD = r"\s.!?,;:()\[\]\"*\u2018\u201c\u201d"
_WORD = rf"[^{_NOT_WORD}]+(?:\.[^{_NOT_WORD}]+)*"
_NAME = (
    r"(?:\[(?P<mdname>[^\]]{1,80})\]\((?P<mdurl>[^)\s]+)\)"
    r"|<?(?P<bareurl>https?://[^\s<>\"'()]+[^\s<>\"'().,;:!?])>?"
    r"|[\"'\u2018\u201c]?(?P<name>" + _WORD + r"(?:[ \t]+" + _WORD + r"){0,9})[\"'\u2019\u201d]?)"
)
_PLACE = r"(?:[A-Z][\w.'\u2019/-]*(?:[ ,]+[\w.'\u2019/-]+){0,6}[ ,]*)?"


@dataclass(frozen=True)
class Publisher:
    """One entry of the publisher directory (publishers.toml)."""

    name: str
    domains: tuple[str, ...]
    aliases: tuple[str, ...]
    language: str = ""
    kind: str = ""
    country: str = ""
    common_word: bool = False

    @property
    def domain(self) -> str:
        """The site the publisher's articles live on now (the first of `domains`)."""
        return self.domains[0]

    @property
    def platform(self) -> bool:
        """A hosting platform: a credit may name it; a label or mention says nothing."""
        return self.kind == "platform"


@dataclass(frozen=True)
class AttributionRule:
    id: str
    kind: str
    language: str
    # The pattern, {NAME} and {PLACE} spelled out; a placeholder standing for publisher
    # names ({PUBLISHER}, {WIRE}) is spelled out when compiled (`regex`, `regex_among`).
    pattern: str
    example: str
    source: str
    # Lowercase literals one of which the text must hold for the rule to be tried.
    hints: tuple[str, ...] = ()
    expect: Mapping[str, str] = field(default_factory=dict)
    # The publisher a wording names without spelling it ("(Reporting by ...)": Reuters).
    publisher: str = ""
    # `pattern` with any name where it names every publisher (see `screen`).
    screen_pattern: str = ""

    @cached_property
    def regex(self) -> re.Pattern[str]:
        """The compiled pattern: compiled when a text first gets past the rule's hints,
        so a check pays only for the rules its text can match (a pattern naming every
        publisher takes ~10 ms to compile, and its names ~7 ms to spell out)."""
        return _compiled(_spelled_all(self.pattern), f"attributions.toml:{self.id}")

    def regex_among(self, names: frozenset[str]) -> re.Pattern[str]:
        """The pattern with only `names` (of those its placeholder stands for) in a
        publisher name's place, compiled: on a text holding no other name it matches
        exactly where `regex` does (see `names_in`), and compiles in a fraction of a
        millisecond."""
        return _compiled_among(self.pattern, names, f"attributions.toml:{self.id}")

    def names_found(self, text: str) -> frozenset[str]:
        """Every publisher name this rule's pattern could find in `text`, and a few more
        (see `names_in`); empty for a pattern naming no publisher."""
        if not self.screen_pattern:
            return frozenset()
        found = names_in(text)
        if _name_ignores_case(self.pattern):
            return found
        return frozenset(name for name in found if name in text)

    @cached_property
    def name_led(self) -> bool:
        """True when every match starts with a publisher's name (the pattern begins with a
        name placeholder): it need only be tried where such a name starts (`name_starts`);
        a search would walk the ~1,000-name tree at every character."""
        return _name_led(self.pattern)

    def name_starts(self, text: str) -> list[int]:
        """Every offset of `text`, in order, where a name this rule could match begins
        (and a few more; see `names_found`)."""
        if not self.screen_pattern:
            return []
        hits = _name_hits(text)
        if _name_ignores_case(self.pattern):
            return sorted({start for start, _ in hits})
        exact = (start for start, names in hits if any(text.startswith(n, start) for n in names))
        return sorted(set(exact))

    @cached_property
    def screen(self) -> re.Pattern[str] | None:
        """For a pattern naming every publisher, the same pattern with any name in the
        publisher's place: it matches wherever the full pattern does (and more), compiles
        in a fraction of a millisecond, and the full pattern is compiled and run only
        where it matches. None for other patterns."""
        if not self.screen_pattern:
            return None
        return _compiled(self.screen_pattern, f"attributions.toml:{self.id}")

    @cached_property
    def line_anchored(self) -> bool:
        """True when every match starts at a line start (the pattern begins with `^` and
        has no alternative outside a group): it need only be tried there."""
        return _line_anchored(self.pattern)


@dataclass(frozen=True)
class MarkerRule:
    id: str
    publisher: str
    domain: str | None
    kind: str
    scope: str
    weight: float
    # The expanded pattern; compiled on first use (`regex`), once per process.
    pattern: str
    sample: str
    sample_file: str | None = None
    hints: tuple[str, ...] = ()
    decoder: str = ""
    orgs: Mapping[str, str] = field(default_factory=dict)
    also_in: Mapping[str, str] = field(default_factory=dict)

    @property
    def regex(self) -> re.Pattern[str]:
        """The compiled pattern: compiled when a document first holds one of the rule's
        hints (most markup rules never meet their platform's markup in a check)."""
        return _compiled(self.pattern, f"markers.toml:{self.id}")


def normalize_name(name: str) -> str:
    """Return the lookup key of a publisher name: lowercase, no quotes, no leading "the"."""
    key = name.strip().strip("\"'*" + QUOTES).strip().lower()
    key = re.sub(r"\s+", " ", key)
    if key.startswith("the "):
        key = key[4:]
    return key.rstrip(".")


def _load_toml(filename: str) -> dict[str, Any]:
    try:
        return read_data(filename)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"cannot read data file {filename}: {exc}") from exc


@cache
def publishers() -> tuple[Publisher, ...]:
    """Return the publishers of publishers.toml. Raises SettingsError if unreadable."""
    rows = _load_toml("publishers.toml").get("publisher", [])
    try:
        return tuple(_publisher(r) for r in rows)
    except (KeyError, TypeError, ValueError) as exc:
        raise SettingsError(f"bad entry in publishers.toml: {exc}") from exc


def _publisher(row: Mapping[str, Any]) -> Publisher:
    domains = tuple(str(d).lower() for d in row["domains"])
    if not domains:
        raise ValueError(f"{row['name']}: no domains")
    return Publisher(
        name=str(row["name"]),
        domains=domains,
        aliases=tuple(str(a) for a in row.get("aliases", [])),
        language=str(row.get("language", "")),
        kind=str(row.get("kind", "")),
        country=str(row.get("country", "")),
        common_word=bool(row.get("common_word", False)),
    )


@cache
def publisher_index() -> Mapping[str, Publisher]:
    """Return normalized name/alias -> Publisher."""
    index: dict[str, Publisher] = {}
    for pub in publishers():
        for alias in (pub.name, *pub.aliases):
            index.setdefault(normalize_name(alias), pub)
    return index


@cache
def publisher_by_domain() -> Mapping[str, Publisher]:
    """Return domain or publisher host -> Publisher, for every domain of every publisher."""
    index: dict[str, Publisher] = {}
    for pub in publishers():
        for domain in pub.domains:
            index.setdefault(domain, pub)
    return index


def _trie_regex(words: Iterable[str]) -> str:
    """An alternation of `words` as a prefix tree, so that matching one position costs
    one walk down the tree, not one try per word (the directory has over 1,500 names)."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_node(trie)


def _trie_node(node: Mapping[str, Any]) -> str:
    branches = [re.escape(char) + _trie_node(child) for char, child in sorted(node.items()) if char]
    if "" in node:
        return f"(?:{'|'.join(branches)})?" if branches else ""
    return branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"


_NAME_SETS: Mapping[str, Callable[[Publisher], bool]] = {
    "{PUBLISHER}": lambda p: not p.platform and not p.common_word,
    "{WIRE}": lambda p: p.kind == "wire",
}


@cache
def _placeholder_names(placeholder: str) -> frozenset[str]:
    wanted = _NAME_SETS[placeholder]
    return frozenset(a for pub in publishers() if wanted(pub) for a in (pub.name, *pub.aliases))


@cache
def _names(placeholder: str) -> str:
    """The alternation of publisher names a placeholder stands for (built once: the
    directory's trie takes longer to build than every rule's other parts together)."""
    return _named(_trie_regex(_placeholder_names(placeholder)))


def _names_among(placeholder: str, among: frozenset[str]) -> str:
    """The alternation of the names `among` a placeholder stands for (when none is, one
    that never matches)."""
    names = _placeholder_names(placeholder) & among
    return _named(_trie_regex(names) if names else "(?!)")


def _named(alternation: str) -> str:
    return r"(?P<name>" + alternation + r")(?![\w.-]*\w)"


# str.lower() and Python's re, ignoring case, part ways on a few letters: "İ" lowers to
# two characters, a capital sigma lowers by its neighbours, and dotless i and long s match
# "i" and "s". Folded, a text holds a name wherever re would find it (test_detect_catalog.py
# checks every letter of every name against every character there is).
_FOLD_BEFORE = str.maketrans({"\u0130": "i", "\u03a3": "\u03c3"})
_FOLD_AFTER = str.maketrans({"\u0131": "i", "\u017f": "s", "\u03c2": "\u03c3"})


def fold(text: str) -> str:
    """`text` lowercased so that a name re finds in it, ignoring case, is a substring."""
    if text.isascii():
        return text.lower()
    if any(chr(c) in text for c in _FOLD_BEFORE):  # translate looks up every character
        text = text.translate(_FOLD_BEFORE)
    text = text.lower()
    if any(chr(c) in text for c in _FOLD_AFTER):
        text = text.translate(_FOLD_AFTER)
    return text


@cache
def _name_finder() -> HintFinder[tuple[str, ...]]:
    """The directory's names (and aliases) by their folded form."""
    by_key: dict[str, list[str]] = {}
    names = sorted({a for pub in publishers() for a in (pub.name, *pub.aliases)})
    # Folding maps character by character: all names at once, split again.
    for name, key in zip(names, fold("\n".join(names)).split("\n"), strict=True):
        by_key.setdefault(key, []).append(name)
    return HintFinder({key: tuple(found) for key, found in by_key.items()})


@lru_cache(maxsize=1024)
def _name_hits(text: str) -> tuple[tuple[int, tuple[str, ...]], ...]:
    """(offset, the names folded alike) of every place a directory name stands in `text`,
    case ignored as re ignores it (one pass over the text for all ~1,000 names)."""
    return tuple(_name_finder().found_in(fold(text)))


@lru_cache(maxsize=1024)
def names_in(text: str) -> frozenset[str]:
    """The directory's names (and aliases) found in `text`, case ignored as re ignores it:
    a superset of the names any placeholder's pattern can match there."""
    return frozenset(name for _, names in _name_hits(text) for name in names)


@cache
def _any_name(placeholder: str) -> str:
    """Stands for a publisher name in a screen: any text of one line as long as the longest
    name the placeholder stands for (see AttributionRule.screen)."""
    wanted = _NAME_SETS[placeholder]
    longest = max(len(a) for pub in publishers() if wanted(pub) for a in (pub.name, *pub.aliases))
    return rf"(?P<name>[^\n]{{1,{longest}}}?)(?![\w.-]*\w)"


def _expand(pattern: str) -> str:
    """The pattern with {NAME} and {PLACE} spelled out (publisher names are left to
    `_spelled`)."""
    return pattern.replace("{NAME}", _NAME).replace("{PLACE}", _PLACE)


def _spelled(pattern: str, among: frozenset[str] | None = None) -> str:
    """`pattern` with each publisher-name placeholder spelled out (only the names
    `among`, when given)."""
    for placeholder in _NAME_SETS:
        if placeholder in pattern:
            names = _names(placeholder) if among is None else _names_among(placeholder, among)
            pattern = pattern.replace(placeholder, names)
    return pattern


@cache
def _spelled_all(pattern: str) -> str:
    return _spelled(pattern)


@cache
def _compiled_among(pattern: str, names: frozenset[str], where: str) -> re.Pattern[str]:
    return _compiled(_spelled(pattern, names), where)


@cache
def _name_led(pattern: str) -> bool:
    body = _INLINE_FLAGS_RE.sub("", pattern)
    return body.startswith(tuple(_NAME_SETS))


_SCOPED_FLAGS_RE = re.compile(r"\(\?([aiLmsux]*)(?:-([imsx]+))?:")


@cache
def _name_ignores_case(pattern: str) -> bool:
    """True unless every publisher-name placeholder of `pattern` is matched with case: not
    under a leading `(?i)` nor inside a `(?i:...)` group (an unsure reading says True)."""
    flags = _INLINE_FLAGS_RE.match(pattern)
    if flags and "i" in flags.group():
        return True
    scopes = [False]
    for i, ch in _syntax(pattern):
        if ch == "(":
            scoped = _SCOPED_FLAGS_RE.match(pattern, i)
            on, off = (scoped.group(1), scoped.group(2) or "") if scoped else ("", "")
            scopes.append(("i" in on or scopes[-1]) and "i" not in off)
        elif ch == ")" and len(scopes) > 1:
            scopes.pop()
        elif ch == "{" and scopes[-1] and pattern.startswith(tuple(_NAME_SETS), i):
            return True
    return False


def _screened(pattern: str) -> str:
    """`pattern` with any text of one line in each publisher-name placeholder's place (a
    superset of every name)."""
    for placeholder in _NAME_SETS:
        if placeholder in pattern:
            pattern = pattern.replace(placeholder, _any_name(placeholder))
    return pattern


def _screen_pattern(pattern: str) -> str:
    if not any(placeholder in pattern for placeholder in _NAME_SETS):
        return ""
    return _screened(_expand(pattern))


@cache
def _regex(expanded: str) -> re.Pattern[str]:
    return re.compile(expanded, re.MULTILINE)


_INLINE_FLAGS_RE = re.compile(r"^\(\?[aiLmsux]+\)")


@cache
def _line_anchored(pattern: str) -> bool:
    body = _INLINE_FLAGS_RE.sub("", pattern)
    return body.startswith("^") and not _top_level_alternative(body)


def _top_level_alternative(pattern: str) -> bool:
    """True when `pattern` holds a `|` outside every group and character class."""
    depth = 0
    for _, ch in _syntax(pattern):
        if ch in "()":
            depth += 1 if ch == "(" else -1
        elif ch == "|" and depth == 0:
            return True
    return False


def _syntax(pattern: str) -> Iterator[tuple[int, str]]:
    """(index, character) of each character of `pattern` outside escapes and character
    classes: the ones that make its structure."""
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 1
        elif ch == "[":
            i = _class_end(pattern, i)
        else:
            yield i, ch
        i += 1


def _class_end(pattern: str, start: int) -> int:
    """Index of the `]` closing the character class opened at `start` (a `]` first in
    the class, after an optional `^`, is a literal)."""
    i = start + 1
    if pattern[i : i + 1] == "^":
        i += 1
    if pattern[i : i + 1] == "]":
        i += 1
    while i < len(pattern) and pattern[i] != "]":
        i += 2 if pattern[i] == "\\" else 1
    return i


def _compiled(expanded: str, where: str) -> re.Pattern[str]:
    try:
        return _regex(expanded)
    except re.error as exc:
        raise SettingsError(f"bad regex in {where}: {exc}") from exc


@cache
def attribution_rules() -> tuple[AttributionRule, ...]:
    """Return the attribution rules (each pattern compiled on first use). Raises
    SettingsError on a bad entry; a bad pattern raises it when first used."""
    rules = []
    for row in _load_toml("attributions.toml").get("attribution", []):
        expect = {k[len("expect_") :]: str(v) for k, v in row.items() if k.startswith("expect_")}
        if "example_html" in row:
            expect["html"] = str(row["example_html"])
        if "sample_file" in row:
            expect["sample_file"] = str(row["sample_file"])
        rules.append(
            AttributionRule(
                id=str(row["id"]),
                kind=str(row["kind"]),
                language=str(row.get("language", "en")),
                pattern=_expand(str(row["pattern"])),
                example=str(row["example"]),
                source=str(row.get("source", "")),
                hints=tuple(h.lower() for h in _hints(row.get("hint", ()))),
                expect=expect,
                publisher=str(row.get("publisher", "")),
                screen_pattern=_screen_pattern(str(row["pattern"])),
            )
        )
    return tuple(rules)


def _hints(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,) if value else ()
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


@cache
def marker_rules() -> tuple[MarkerRule, ...]:
    """Return the marker rules (each pattern compiled on first use). Raises SettingsError
    on a bad entry; a bad pattern raises it when first used."""
    rules = []
    for row in _load_toml("markers.toml").get("marker", []):
        rules.append(
            MarkerRule(
                id=str(row["id"]),
                publisher=str(row["publisher"]),
                domain=str(row.get("domain", "")) or None,
                kind=str(row["kind"]),
                scope=str(row.get("scope", "html")),
                weight=float(row.get("weight", 0.0)),
                pattern=_spelled(_expand(str(row["pattern"]))),
                sample=str(row["sample"]),
                sample_file=row.get("sample_file"),
                hints=_hints(row.get("hint", ())),
                decoder=str(row.get("decoder", "")),
                orgs=dict(row.get("orgs", {})),
                also_in=dict(row.get("also_in", {})),
            )
        )
    return tuple(rules)

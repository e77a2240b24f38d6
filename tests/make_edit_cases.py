"""Meaning-vs-style cases made from real articles: one edit of one kind per case.

`edit_cases(name, paragraphs)` yields an EditCase for every kind it can apply to the
article: the copy is the article with exactly one edit, made at the first place where the
edit applies. Meaning edits (number, negation, name, modality) must make the copy
`modified` with the finding of their kind; style edits (reporting verb, wire
abbreviation, digits in words, US/UK spelling, contraction, honorific, time made relative
to the reader) must leave it `faithful` with a `style-edits` finding.

Sources: the real articles kept in cases/ (always there) and, when ../shared is beside the
repository, Reuters-21578 wire stories read from it at test time (never copied here).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = [
    "cases/real-afp-nukta-vs-dailytimes/dailytimes.txt",
    "cases/real-fox-timeandsales/timeandsalesreporter_p95152.txt",
    "cases/real-nato-seed-vs-lapost/lapost.txt",
    "cases/real-scotus-harkstead/harksteadvillage.txt",
    "cases/real-conversation-viw-vs-original/ORIGINAL_theconversation.txt",
]
REUTERS = ROOT.parent / "shared" / "corpus" / "reuters21578"

MEANING = {"number", "negation", "name", "modality"}


@dataclass(frozen=True)
class EditCase:
    source: str
    kind: str  # the EditKind value expected ("style" for every style edit)
    edit: str  # which edit was made
    original: list[str]
    copy: list[str]
    before: str  # the words changed, as "old -> new"

    @property
    def id(self) -> str:
        return f"{self.source}:{self.edit}"


Edit = Callable[[str], tuple[str, str] | None]  # paragraph -> (new paragraph, "old -> new")


def _sub_first(pattern: str, replace: Callable[[re.Match[str]], str], flags: int = 0) -> Edit:
    regex = re.compile(pattern, flags)

    def edit(text: str) -> tuple[str, str] | None:
        match = regex.search(text)
        if match is None:
            return None
        new = replace(match)
        if new == match.group():
            return None
        return text[: match.start()] + new + text[match.end() :], f"{match.group()} -> {new}"

    return edit


def _number(m: re.Match[str]) -> str:
    value = m.group()
    return str(int(value) * 10) if value.isdigit() else value


_UK = {"defense": "defence", "labor": "labour", "center": "centre", "favor": "favour",
       "organization": "organisation", "program": "programme", "color": "colour",
       "analyze": "analyse", "behavior": "behaviour", "honor": "honour"}  # fmt: skip
_UK_RE = r"\b(" + "|".join(_UK) + r")\b"
_NAMES = ("Kowalczyk", "Okonkwo", "Lindqvist")

EDITS: dict[str, tuple[str, Edit]] = {
    # meaning
    "number": ("number", _sub_first(r"(?<![\w.,$])\d{1,4}(?![\w.,%])", _number)),
    "negation-insert": (
        "negation",
        _sub_first(r"\b(is|was|has|had|will|would|can|could|are|were|did)\b(?= \w{3,})",
                   lambda m: f"{m.group()} not"),
    ),
    "negation-remove": ("negation", _sub_first(r"\b(\w+) not\b", lambda m: m.group(1))),
    "name": (
        "name",
        _sub_first(r"(?<=[a-z,] )(?!(?:The|A|An|In|On|At|But|And|He|She|It|They|This|That|"
                   r"January|February|March|April|May|June|July|August|September|October|"
                   r"November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|"
                   r"Sunday|I)\b)[A-Z][a-z]{3,}\b",
                   lambda m: next(n for n in _NAMES if n != m.group())),
    ),
    "modality": (
        "modality",
        _sub_first(r"\b(will|would|could|may|might|must|should)\b",
                   lambda m: "may" if m.group() in ("will", "would", "must", "should") else "will"),
    ),
    # style
    "reporting-verb": ("style", _sub_first(r"\bsaid\b", lambda m: "stated")),
    "wire-abbreviation": ("style", _sub_first(r"\b(\d+(?:\.\d+)?) (percent|pct)\b",
                                              lambda m: f"{m.group(1)}%")),
    "digits-in-words": ("style", _sub_first(r"(?<![\w.,$])[2-9](?![\w.,%])",
                                            lambda m: ["two", "three", "four", "five", "six",
                                                       "seven", "eight", "nine"][int(m.group()) - 2])),
    "uk-spelling": ("style", _sub_first(_UK_RE, lambda m: _UK[m.group()])),
    "contraction": ("style", _sub_first(r"\b(did|does|is|was|has|had|could|would) not\b",
                                        lambda m: f"{m.group(1)}n't")),
    "time-relative": ("style", _sub_first(r"\bon (Monday|Tuesday|Wednesday|Thursday|Friday|"
                                          r"Saturday|Sunday)\b", lambda m: "yesterday")),
}  # fmt: skip


def edit_cases(source: str, paragraphs: list[str]) -> Iterator[EditCase]:
    """One case per edit that applies somewhere in a paragraph of 12 words or more."""
    for edit, (kind, apply) in EDITS.items():
        for i, text in enumerate(paragraphs):
            if len(text.split()) < 12:
                continue
            done = apply(text)
            if done is None:
                continue
            new_text, change = done
            copy = [*paragraphs[:i], new_text, *paragraphs[i + 1 :]]
            yield EditCase(source, kind, edit, paragraphs, copy, change)
            break


def read_article(path: Path) -> list[str]:
    """Paragraphs of a stored page (URL and NOTE header lines dropped) or corpus article."""
    lines = path.read_text(encoding="utf-8").splitlines()
    body = [ln.strip() for ln in lines if ln.strip()]
    if body and body[0].startswith("http"):
        body = [ln for ln in body[1:] if not ln.startswith("# NOTE")]
    return [p for p in body if len(p.split()) >= 4]


def bundled_cases() -> list[EditCase]:
    return [c for rel in BUNDLED for c in edit_cases(Path(rel).name, read_article(ROOT / rel))]


def reuters_cases(limit: int = 40) -> list[EditCase]:
    """Cases from the first `limit` Reuters stories long enough to edit (needs ../shared)."""
    found: list[EditCase] = []
    for path in sorted(REUTERS.glob("*.txt")):
        paragraphs = [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n")]
        paragraphs = [p for p in paragraphs[1:] if len(p.split()) >= 4]
        if sum(len(p.split()) for p in paragraphs) < 120:
            continue
        found += edit_cases(f"reuters/{path.stem}", paragraphs)
        limit -= 1
        if not limit:
            break
    return found

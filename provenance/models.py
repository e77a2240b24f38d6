"""The data that flows through the pipeline: frozen dataclasses, no I/O.

load -> Document; detect -> Evidence; locate/fetch -> Original; align -> Alignment;
score -> Report. Every stage takes these and returns these; nothing here knows how
they are produced or rendered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

SCHEMA_VERSION = "1.1"


class Verdict(StrEnum):
    FAITHFUL = "faithful"
    TRIMMED = "trimmed"
    MODIFIED = "modified"
    REWRITTEN = "rewritten"
    UNRELATED = "unrelated"
    UNVERIFIED = "unverified"


class Credit(StrEnum):
    CREDITED = "credited"
    UNCREDITED = "uncredited"
    MISCREDITED = "miscredited"
    UNKNOWN = "unknown"


class Status(StrEnum):
    VERBATIM = "verbatim"
    EDITED = "edited"
    REWRITTEN = "rewritten"
    ADDED = "added"
    DROPPED = "dropped"


class EditKind(StrEnum):
    """What a word-level edit does to the meaning (provenance/edits.py)."""

    STYLE = "style"
    NUMBER = "number"
    NEGATION = "negation"
    NAME = "name"
    MODALITY = "modality"
    WORDING = "wording"


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Paragraph:
    """One block of text.

    `text` is the cleaned, human-readable text (entities decoded, mojibake repaired,
    whitespace collapsed). `attrs` are the attributes of the block's own element as they
    were in the markup (class, data-uri, ...), which the marker detectors read.
    """

    index: int
    text: str
    tag: str = ""
    attrs: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Document:
    """A loaded copy or original.

    `html` is all the markup that came with the item (the WordPress `content.rendered`,
    the feed item's content, or the whole HTML page); `meta` holds structured fields the
    source format carries (WordPress `yoast_head_json`, post `meta`, a feed item's
    `source` link, ...). `repairs` lists what normalisation had to fix, such as
    "mojibake: utf-8 read as windows-1252". `notes` lists what could not be read in full.
    """

    source: str
    kind: str
    paragraphs: tuple[Paragraph, ...]
    url: str | None = None
    title: str | None = None
    published: datetime | None = None
    html: str = ""
    meta: Mapping[str, Any] = field(default_factory=dict)
    repairs: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Attribution:
    """A line in the copy that names where it came from.

    `standalone` is False when the attribution sits inside a content paragraph (a
    dateline, an in-text mention, a credit glued to prose): that paragraph stays content.
    """

    text: str
    kind: str
    name: str
    origin: str | None
    url: str | None
    paragraph_index: int
    language: str = "en"
    standalone: bool = True


@dataclass(frozen=True)
class Marker:
    """Leaked markup of the origin's CMS. `details` carries decoder output."""

    publisher: str
    domain: str | None
    kind: str
    count: int
    sample: str
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Signal:
    """A declared provenance signal: canonical, og:url, JSON-LD, meta, pixel, plugin."""

    kind: str
    value: str
    domain: str | None = None
    publisher: str | None = None


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    message: str


@dataclass(frozen=True)
class Origin:
    """The detector's conclusion on who published the original."""

    publisher: str | None
    domain: str | None
    confidence: float
    supported_by: tuple[str, ...] = ()
    contradictions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Evidence:
    attributions: tuple[Attribution, ...] = ()
    markers: tuple[Marker, ...] = ()
    signals: tuple[Signal, ...] = ()
    origin: Origin = Origin(None, None, 0.0)
    findings: tuple[Finding, ...] = ()

    @property
    def attribution_paragraphs(self) -> frozenset[int]:
        return frozenset(
            a.paragraph_index for a in self.attributions if a.paragraph_index >= 0 and a.standalone
        )


@dataclass(frozen=True)
class Attempt:
    """One thing `locate` tried while looking for the original, and how it ended."""

    strategy: str
    target: str
    outcome: str
    reason: str = ""


@dataclass(frozen=True)
class Hop:
    """One page of the chain a copy was traced along: the copy, its original, and each
    page that original itself was copied from. `found_by` says how the page was reached
    ("copy" for the copy itself, else a locate strategy: link, archive, sitemap, wayback)."""

    url: str | None
    publisher: str | None
    found_by: str


@dataclass(frozen=True)
class OriginalVersion:
    """One version of the original compared with the copy: the live page, a stored
    archive version (`number`) or a web-archive snapshot. `similarity` is how much of the
    copy it explains in [0, 1]; `used` marks the one the copy was compared with."""

    source: str
    url: str | None
    number: int | None
    captured: str | None
    similarity: float
    used: bool = False


@dataclass(frozen=True)
class Original:
    """The original a copy was compared with.

    `evidence` is the original's own provenance evidence: an original that is itself a
    credited copy (A -> B -> C) names the origin a copy of it should credit. `chain` is
    the path followed from the copy (first) to the earliest page found (last).
    `version`/`versions` number the archive version used out of those stored; `compared`
    lists every version weighed when the original has several.
    """

    document: Document
    found_by: str
    attempts: tuple[Attempt, ...] = ()
    evidence: Evidence | None = None
    chain: tuple[Hop, ...] = ()
    version: int | None = None
    versions: int | None = None
    compared: tuple[OriginalVersion, ...] = ()

    @property
    def changed_after_copy(self) -> bool:
        """True when an earlier version explains the copy better than the latest one."""
        used = [v for v in self.compared if v.used]
        latest = [v for v in self.compared if v.source == "live"] or [
            v for v in self.compared if v.number == self.versions and v.source == "archive"
        ]
        return bool(used and latest and not latest[0].used)


@dataclass(frozen=True)
class DiffOp:
    """A word-level edit: op is "equal", "insert", "delete" or "replace"; `kind` says what
    a change does to the meaning (None for "equal")."""

    op: str
    original: str
    copy: str
    kind: EditKind | None = None


@dataclass(frozen=True)
class SentencePair:
    """Sentences of a paragraph pair that correspond: indexes into `sentences(text)` of
    each paragraph (0-based, in order)."""

    copy: tuple[int, ...]
    original: tuple[int, ...]


@dataclass(frozen=True)
class ParagraphMatch:
    copy_index: int | None
    original_index: int | None
    copy_text: str
    original_text: str
    status: Status
    similarity: float
    moved: bool = False
    diff: tuple[DiffOp, ...] = ()
    quote_changes: tuple[DiffOp, ...] = ()
    sentences: tuple[SentencePair, ...] = ()


@dataclass(frozen=True)
class SentenceLink:
    """A copy sentence that comes from an original sentence.

    Paragraphs are `Paragraph.index` values, sentences indexes into
    `text.sentences(paragraph text)`. `literal` links keep the wording (verbatim or
    edited); the others are reworded (rewritten). `copy_words` is the copy sentence's length.
    """

    copy_paragraph: int
    copy_sentence: int
    original_paragraph: int
    original_sentence: int
    similarity: float
    literal: bool
    copy_words: int


@dataclass(frozen=True)
class Alignment:
    """The paragraph map, and under it every copy sentence that comes from an original
    sentence (`sentence_links`, in copy order) with the number of words in each copy
    sentence (`copy_sentence_words`, by paragraph index) to weigh them against. A copy in
    another language than its original is aligned on anchors (align/translation.py) and
    says so in `translation`."""

    matches: tuple[ParagraphMatch, ...]
    notes: tuple[str, ...] = ()
    sentence_links: tuple[SentenceLink, ...] = ()
    copy_sentence_words: Mapping[int, tuple[int, ...]] = field(default_factory=dict)
    # (copy language, original language) when they are sure and differ: a translation
    translation: tuple[str, str] | None = None


@dataclass(frozen=True)
class Scores:
    coverage: float
    fidelity: float
    additions: float
    order: float
    derived: float = 0.0


@dataclass(frozen=True)
class Report:
    copy: Document
    evidence: Evidence
    original: Original | None
    alignment: Alignment | None
    scores: Scores | None
    verdict: Verdict
    credit: Credit
    findings: tuple[Finding, ...]
    attempts: tuple[Attempt, ...] = ()
    schema_version: str = SCHEMA_VERSION

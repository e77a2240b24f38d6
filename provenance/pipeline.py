"""The pipeline: load -> detect -> locate -> fetch -> align -> score.

`check_document` runs every stage after loading for one copy; `check_source` reads and
loads a source (a path, "-" or a URL; it may hold several items) and checks each item.
I/O is injected: the fetcher and the archive are passed in, never created here.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import replace

from .align import align_paragraphs
from .detect import detect_evidence
from .detect.catalog import CREDIT_KINDS
from .errors import FetchError, FetchStatusError, InputError
from .load import is_warc_file, load_documents, load_warc_documents, read_input
from .locate import OriginalArchive, PageFetcher, locate_original
from .models import (
    Alignment,
    Attempt,
    Document,
    Evidence,
    Finding,
    Original,
    Paragraph,
    Report,
    Severity,
    Verdict,
)
from .score import score
from .settings import Settings
from .text import comparison_key

# A paragraph that repeats the title is only looked for near the top.
_TITLE_WINDOW = 5
# A credit line ends one post of several when this much prose follows it.
_POST_MIN_WORDS = 10
_POST_MIN_PARAGRAPHS = 1


class _Detections:
    """The evidence of each document one check looks at, detected once: a candidate that
    is verified and then used as the original is not detected again."""

    def __init__(self, settings: Settings, known: dict[int, tuple[Document, Evidence]]) -> None:
        self._settings = settings
        self._seen = dict(known)

    def __call__(self, doc: Document) -> Evidence:
        hit = self._seen.get(id(doc))
        if hit is not None and hit[0] is doc:
            return hit[1]
        evidence = detect_evidence(doc, self._settings)
        self._seen[id(doc)] = (doc, evidence)  # the document is kept: its id stays unique
        return evidence


def check_document(
    copy: Document,
    *,
    original: Document | None = None,
    settings: Settings | None = None,
    fetcher: PageFetcher | None = None,
    archive: OriginalArchive | None = None,
    evidence: Evidence | None = None,
    original_evidence: Evidence | None = None,
) -> Report:
    """Check one loaded copy against `original`, or against the original `locate` finds.

    `evidence` (of the copy) and `original_evidence` are `detect_evidence`'s results when
    the caller already has them (`split_detected` hands on the copy's); they are detected
    here otherwise. Returns the Report; "no original found" is a finding in it, not an
    exception. Raises nothing for problems with candidates (they are recorded as attempts).
    """
    settings = settings or Settings()
    known = {}
    if evidence is not None:
        known[id(copy)] = (copy, evidence)
    if original is not None and original_evidence is not None:
        known[id(original)] = (original, original_evidence)
    detect = _Detections(settings, known)
    evidence = detect(copy)
    if original is not None:
        found: Original | None = Original(document=original, found_by="user")
        attempts: tuple[Attempt, ...] = ()
    else:
        found, attempts = locate_original(
            copy,
            evidence,
            settings,
            verify=lambda doc: _candidate_score(copy, evidence, doc, settings, detect),
            fetcher=fetcher,
            archive=archive,
            trace=lambda page, doc: _candidate_score(page, detect(page), doc, settings, detect),
            detect=detect,
        )
    alignment = None
    if found is not None:
        found = replace(found, evidence=detect(found.document))
        alignment = _align(copy, evidence, found, settings)
    report = score(copy, evidence, found, alignment, settings)
    return replace(report, attempts=tuple(attempts), findings=_with_version_finding(report))


def _with_version_finding(report: Report) -> tuple[Finding, ...]:
    """The report's findings, plus one when an earlier version of the original was used."""
    found = report.original
    if found is None or not found.changed_after_copy:
        return report.findings
    used = next(v for v in found.compared if v.used)
    latest = next(v for v in found.compared if v.source == "live" or v.number == found.versions)
    label = f"archive version {used.number}" if used.number else f"{used.source} {used.url}"
    message = (
        f"the original changed after the copy was made: the copy matches {label} "
        f"(similarity {used.similarity:.2f}) better than the latest "
        f"({latest.similarity:.2f})"
    )
    return (*report.findings, Finding("original-changed", Severity.INFO, message))


def check_source(
    source: str,
    *,
    original: str | None = None,
    settings: Settings | None = None,
    fetcher: PageFetcher | None = None,
    archive: OriginalArchive | None = None,
    on_error: Callable[[InputError], None] | None = None,
) -> list[Report]:
    """Read `source` (a path, "-" or a URL) and check every item it holds.

    Raises InputError when the source or the named original cannot be read or parsed,
    and FetchError when a named URL cannot be fetched. With `on_error`, an item of the
    source that cannot be read (a malformed post in a JSON list) is passed to it and the
    other items are checked.
    """
    settings = settings or Settings()
    copies = [
        post
        for doc in read_documents(source, settings=settings, fetcher=fetcher, on_error=on_error)
        for post in split_detected(doc, settings)
    ]
    original_doc = original_evidence = None
    if original is not None:
        original_doc = read_documents(original, settings=settings, fetcher=fetcher, original=True)[
            0
        ]
        original_evidence = detect_evidence(original_doc, settings)
    return [
        check_document(
            copy,
            original=original_doc,
            settings=settings,
            fetcher=fetcher,
            archive=archive,
            evidence=evidence,
            original_evidence=original_evidence,
        )
        for copy, evidence in copies
    ]


def read_documents(
    source: str,
    *,
    settings: Settings,
    fetcher: PageFetcher | None = None,
    original: bool = False,
    on_error: Callable[[InputError], None] | None = None,
) -> list[Document]:
    """Load the documents of a path, "-" or URL the user named (URLs are fetched as trusted).

    Raises InputError (unreadable, unparsable, a URL with no fetcher) or FetchError, whose
    `.url` is `source` (a failed redirect hop is named in the reason); `original` and
    `on_error` are those of `load_documents`.
    """
    if source.startswith(("http://", "https://")):
        if fetcher is None:
            raise InputError(f"{source}: fetching URLs needs the network (drop --offline)")
        try:
            page = fetcher.fetch_page(source, trusted=True)
        except FetchError as exc:
            if exc.url == source:
                raise
            # a redirect hop failed: name the URL the user gave, then the hop
            kind = FetchError if isinstance(exc, FetchStatusError) else type(exc)
            raise kind(source, f"{exc.url}: {exc.reason}") from exc
        return load_documents(
            page.body,
            source=source,
            settings=settings,
            content_type=page.content_type,
            url=page.final_url,
            original=original,
            on_error=on_error,
        )
    if source != "-" and is_warc_file(source):
        # Streamed record by record: a WARC file may be far larger than one input may be.
        with open(source, "rb") as stream:
            return load_warc_documents(stream, source=source, settings=settings, on_error=on_error)
    data = read_input(source, settings)
    return load_documents(
        data, source=source, settings=settings, original=original, on_error=on_error
    )


def split_posts(doc: Document, settings: Settings) -> list[Document]:
    """Split a page that holds several posts (a scraper's tag or date archive) after each
    credit line that ends a post, such as "This post appeared first on FOX NEWS".

    Returns [doc] when there is nothing to split.
    """
    return [post for post, _ in split_detected(doc, settings)]


def split_detected(doc: Document, settings: Settings) -> list[tuple[Document, Evidence | None]]:
    """`split_posts`, each post with its evidence when this pass already has it: a page
    that is not split is detected once, here, and its evidence handed on to the check
    (a split post is renumbered, so its evidence is left to `check_document`)."""
    evidence = detect_evidence(doc, settings)
    ends = sorted(
        a.paragraph_index
        for a in evidence.attributions
        if a.kind in CREDIT_KINDS and a.standalone and a.paragraph_index >= 0
    )
    prose = [p.index for p in doc.paragraphs if len(p.text.split()) >= _POST_MIN_WORDS]
    cuts = [e for e in dict.fromkeys(ends) if sum(i > e for i in prose) >= _POST_MIN_PARAGRAPHS]
    if not cuts:
        return [(doc, evidence)]
    bounds = [-1, *cuts, len(doc.paragraphs) - 1]
    return [
        (_post(doc, n, doc.paragraphs[start + 1 : end + 1]), None)
        for n, (start, end) in enumerate(itertools.pairwise(bounds))
        if end > start
    ]


def _post(doc: Document, n: int, paragraphs: tuple[Paragraph, ...]) -> Document:
    renumbered = tuple(replace(p, index=i) for i, p in enumerate(paragraphs))
    return replace(
        doc,
        paragraphs=renumbered,
        title=doc.title if n == 0 else None,
        html=doc.html if n == 0 else "",
        meta={**doc.meta, "post": n},
    )


def _align(copy: Document, evidence: Evidence, original: Original, settings: Settings) -> Alignment:
    """Align the copy's content with the original's: credit lines and titles left out."""
    upstream = original.evidence.attribution_paragraphs if original.evidence else frozenset()
    return align_paragraphs(
        _content(copy, evidence.attribution_paragraphs),
        _content(original.document, upstream),
        settings,
    )


def _content(doc: Document, credit_lines: frozenset[int]) -> list[Paragraph]:
    """The paragraphs that carry the article: not credit lines, not a repeat of the title.

    A title shows up as a heading paragraph in one format and only as metadata in another,
    so it is compared as a title, not as a paragraph.
    """
    title = comparison_key(doc.title) if doc.title else None
    return [
        p
        for p in doc.paragraphs
        if p.index not in credit_lines
        and not (title and p.index < _TITLE_WINDOW and comparison_key(p.text) == title)
    ]


def _candidate_score(
    copy: Document,
    evidence: Evidence,
    candidate: Document,
    settings: Settings,
    detect: Callable[[Document], Evidence],
) -> float:
    """How much of the copy a candidate explains, in [0, 1]; 0 when it is not its original."""
    found = Original(candidate, "candidate", evidence=detect(candidate))
    alignment = _align(copy, evidence, found, settings)
    report = score(copy, evidence, found, alignment, settings)
    if report.scores is None or report.verdict is Verdict.UNRELATED:
        return 0.0
    return max(report.scores.coverage, 1.0 - report.scores.additions)

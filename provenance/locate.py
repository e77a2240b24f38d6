"""Find the original of a copy, trying strategies in order and recording each attempt.

1. links the copy gives (attribution href, cross-domain canonical/og:url, JSON-LD isBasedOn,
   original-source meta, a feed item's source link, autoblog post meta);
2. the local archive of originals (by URL, then by near-duplicate search);
3. discovery on the origin site named by the evidence: robots.txt sitemaps, sitemap indexes,
   news sitemaps and feeds, ranked by title similarity within a date window (for a copy in
   another language than the entries' titles, by the names and numbers they share with
   the copy's title and lead);
4. a web archive (Wayback Machine availability API) for the candidate URLs.

Once an original is found, the versions of it at hand (the stored archive versions, the
live page, a Wayback snapshot from the copy's date) are weighed and the one closest to the
copy is used, and the original's own source links are followed upstream to report the
chain (copy -> original -> its original ...).

Every candidate is loaded and *verified* (the injected `verify` callable aligns it with the
copy) before it is accepted: a URL or an index hit alone is never reported as the original.
Network access goes through the injected fetcher; with `settings.offline` only local sources
(the archive, the fetcher's cache) are used. Failures are attempts with reasons, never
exceptions: "no original found" is a finding.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol
from urllib.parse import quote, urlsplit

from .detect import detect_evidence
from .detect.domains import publisher_for_domain, site_domain
from .edits import anchors, detect_language, sure_language
from .errors import FetchStatusError, InputError, ProvenanceError
from .load import SitemapEntry, load_documents, load_sitemap_entries
from .models import Attempt, Document, Evidence, Hop, Original, OriginalVersion
from .settings import Settings

LINK_SIGNAL_KINDS = frozenset(
    {
        "canonical",
        "og:url",
        "jsonld:isBasedOn",
        "meta:original-source",
        "meta:syndication-source",
        "yoast:canonical",
        "yoast:og_url",
        "feed:source",
    }
)
DEFAULT_MAX_FETCHES = 8
# Pages followed upstream from the original (A -> B -> C -> ...), at most.
MAX_CHAIN_HOPS = 4
# An earlier version replaces the latest only when it explains the copy this much better.
VERSION_MARGIN = 0.02
# A latest version explaining this much of the copy is not second-guessed with a snapshot.
VERSION_GOOD_ENOUGH = 0.98
_WORD_RE = re.compile(r"[a-z0-9]+")
# A sitemap entry is a candidate for the original of a translation when its title (or URL)
# holds this many of the names and numbers of the copy's title and lead paragraphs.
MIN_TITLE_ANCHORS = 2
_LEAD_PARAGRAPHS = 5
_STOPWORDS = frozenset(
    {"a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in",
     "is", "it", "of", "on", "or", "the", "to", "was", "were", "will", "with"}
)  # fmt: skip


class PageLike(Protocol):
    @property
    def body(self) -> bytes: ...

    @property
    def content_type(self) -> str | None: ...

    @property
    def final_url(self) -> str: ...


class PageFetcher(Protocol):
    def fetch_page(self, url: str, *, trusted: bool = False) -> PageLike: ...


class CandidateLike(Protocol):
    @property
    def url(self) -> str | None: ...

    @property
    def document(self) -> Document: ...

    @property
    def version(self) -> int: ...

    @property
    def versions(self) -> int: ...

    @property
    def added_at(self) -> str: ...


class OriginalArchive(Protocol):
    def find_url(self, url: str) -> Document | None: ...

    def search(self, doc: Document, *, limit: int = 5) -> Sequence[CandidateLike]: ...

    def versions(self, url: str) -> Sequence[CandidateLike]: ...


Verify = Callable[[Document], float]
"""Scores a candidate against the copy in [0, 1]; 0 means "not derived from it"."""

Trace = Callable[[Document, Document], float]
"""Scores a candidate as the source of a page (page, candidate) in [0, 1]."""


@dataclass
class _Search:
    """Mutable state of one locate run: attempts so far and the fetch budget left."""

    copy: Document
    evidence: Evidence
    settings: Settings
    fetcher: PageFetcher | None
    archive: OriginalArchive | None
    verify: Verify
    attempts: list[Attempt]
    fetches_left: int = DEFAULT_MAX_FETCHES
    # Where the last document _try_url returned came from: "archive", "live" or "wayback".
    last_source: str = "live"
    # (version, versions) of an original found by the archive search.
    archive_version: tuple[int, int] | None = None
    # The evidence of a page (the caller's, so that a page is detected once per check).
    detect: Callable[[Document], Evidence] | None = None

    def note(self, strategy: str, target: str, outcome: str, reason: str = "") -> None:
        self.attempts.append(Attempt(strategy, target, outcome, reason))


def locate_original(
    copy: Document,
    evidence: Evidence,
    settings: Settings,
    *,
    verify: Verify,
    fetcher: PageFetcher | None = None,
    archive: OriginalArchive | None = None,
    trace: Trace | None = None,
    detect: Callable[[Document], Evidence] | None = None,
) -> tuple[Original | None, tuple[Attempt, ...]]:
    """Find and verify the original of `copy`, weigh its versions, follow its chain.

    `trace` (optional) scores a candidate as the source of the original, to follow the
    chain upstream; `detect` (optional) gives a page's evidence (`detect_evidence` when
    absent). Returns (the original or None, every attempt made). Raises nothing:
    a failed fetch or an unreadable candidate is recorded as an attempt and the search
    goes on.
    """
    search = _Search(copy, evidence, settings, fetcher, archive, verify, [], detect=detect)
    links = candidate_links(copy, evidence)
    for strategy in (_from_links, _from_archive, _from_origin_site, _from_web_archive):
        found = strategy(search, links)
        if found is not None:
            doc, found_by = found
            source = "wayback" if found_by == "wayback" else search.last_source
            if found_by == "archive":
                source = "archive"
            doc, version, versions, compared = _closest_version(search, doc, source)
            chain = _chain(search, doc, found_by, trace)
            original = Original(
                doc, found_by, tuple(search.attempts), chain=chain, version=version,
                versions=versions, compared=compared,
            )  # fmt: skip
            return original, tuple(search.attempts)
    return None, tuple(search.attempts)


# --- versions --------------------------------------------------------------------------

_Option = tuple[OriginalVersion, Document]


def _closest_version(
    search: _Search, doc: Document, source: str
) -> tuple[Document, int | None, int | None, tuple[OriginalVersion, ...]]:
    """The version of the original closest to the copy, among the one found, the archive's
    stored versions of its URL and (when the found one is not near-perfect) a web-archive
    snapshot from the copy's date. Returns (document, archive version used or None, number
    of stored versions or None, every version weighed when there were several)."""
    first_score = search.verify(doc)
    stored = _stored_versions(search, doc.url)
    number = search.archive_version[0] if source == "archive" and search.archive_version else None
    if source == "archive" and number is None and stored:
        number = stored[-1][0].number  # find_url returns the latest version
    first = OriginalVersion(source, doc.url, number, None, round(first_score, 3))
    options: list[_Option] = [(first, doc)]
    options += [(v, d) for v, d in stored if not (source == "archive" and v.number == number)]
    if first_score < VERSION_GOOD_ENOUGH and source != "wayback":
        options += _snapshot_version(search, doc.url)
    best_version, best_doc = first, doc
    for option, candidate in options[1:]:
        if option.similarity > best_version.similarity + VERSION_MARGIN:
            best_version, best_doc = option, candidate
    versions = len(stored) if stored else (search.archive_version or (0, None))[1]
    if len(options) == 1:
        return doc, number, versions, ()
    compared = tuple(
        OriginalVersion(v.source, v.url, v.number, v.captured, v.similarity, v is best_version)
        for v, _ in options
    )
    return best_doc, best_version.number, versions, compared


def _stored_versions(search: _Search, url: str | None) -> list[_Option]:
    if search.archive is None or not url:
        return []
    try:
        stored = search.archive.versions(url)
    except ProvenanceError as exc:
        search.note("versions", url, "error", str(exc))
        return []
    if len(stored) < 2 and search.last_source == "archive":
        return []
    return [
        (OriginalVersion("archive", url, c.version, c.added_at,
                         round(search.verify(c.document), 3)), c.document)
        for c in stored
    ]  # fmt: skip


def _snapshot_version(search: _Search, url: str | None) -> list[_Option]:
    base = search.settings.wayback_url
    if not url or not base or search.settings.offline or search.fetcher is None:
        return []
    snapshot = _wayback_snapshot(search, base, url)
    doc = _load_page(search, "versions", snapshot) if snapshot else None
    if doc is None or snapshot is None:
        return []
    stamp = re.search(r"/web/(\d{8,14})", snapshot)
    version = OriginalVersion(
        "wayback", snapshot, None, stamp.group(1) if stamp else None,
        round(search.verify(doc), 3),
    )  # fmt: skip
    search.note("versions", snapshot, "compared", f"similarity {version.similarity:.2f}")
    return [(version, doc)]


def _load_page(search: _Search, strategy: str, url: str) -> Document | None:
    """A page by URL: the archive's latest version of it, else fetched (unverified)."""
    archived = _archived(search, url)
    if archived is not None:
        return archived
    if not _network_allowed(search, strategy, url):
        return None
    body = _fetch(search, strategy, url)
    if body is None:
        return None
    try:
        return load_documents(body, source=url, settings=search.settings, url=url)[0]
    except InputError as exc:
        search.note(strategy, url, "unreadable", str(exc))
        return None


# --- the chain -------------------------------------------------------------------------


def _hop(doc: Document, found_by: str) -> Hop:
    pub = publisher_for_domain(doc.url) if doc.url else None
    name = pub.name if pub else (site_domain(doc.url) if doc.url else None)
    return Hop(doc.url, name, found_by)


def _chain(
    search: _Search, original: Document, found_by: str, trace: Trace | None
) -> tuple[Hop, ...]:
    """The pages from the copy to the earliest source found by following each page's own
    links to its source (each verified with `trace`), at most MAX_CHAIN_HOPS upstream."""
    hops = [_hop(search.copy, "copy"), _hop(original, found_by)]
    seen = {u for u in (search.copy.url, original.url) if u}
    current = original
    for _ in range(MAX_CHAIN_HOPS if trace is not None else 0):
        assert trace is not None
        upstream = _upstream(search, current, seen, trace)
        if upstream is None:
            break
        hops.append(_hop(upstream, "link"))
        seen.update(u for u in (upstream.url,) if u)
        current = upstream
    return tuple(hops)


def _upstream(search: _Search, page: Document, seen: set[str], trace: Trace) -> Document | None:
    detect = search.detect
    evidence = detect(page) if detect is not None else detect_evidence(page, search.settings)
    for url in candidate_links(page, evidence):
        if url in seen:
            continue
        seen.add(url)
        candidate = _load_page(search, "chain", url)
        if candidate is None:
            continue
        if candidate.url is None:
            candidate = replace(candidate, url=url)
        score = trace(page, candidate)
        if score > 0.0:
            search.note("chain", url, "found", f"source of {page.url} ({score:.2f})")
            return candidate
        search.note("chain", url, "rejected", f"not the source of {page.url}")
    return None


def candidate_links(copy: Document, evidence: Evidence) -> list[str]:
    """URLs the copy itself points to as its source, most explicit first, deduplicated.

    Links on the copy's own registrable domain are left out (a self-canonical is no lead).
    """
    own = site_domain(copy.url) if copy.url else None
    urls: list[str] = [a.url for a in evidence.attributions if a.url and a.kind != "mention"]
    urls += [
        s.value
        for s in evidence.signals
        if s.kind in LINK_SIGNAL_KINDS or s.kind.startswith("autoblog:")
    ]
    source_url = copy.meta.get("source_url") if isinstance(copy.meta, Mapping) else None
    if isinstance(source_url, str):
        urls.append(source_url)
    seen: list[str] = []
    for url in urls:
        url = url.strip()
        if _is_http(url) and url not in seen and (own is None or site_domain(url) != own):
            seen.append(url)
    return seen


def _from_links(search: _Search, links: list[str]) -> tuple[Document, str] | None:
    for url in links:
        found = _try_url(search, "link", url)
        if found is not None:
            return found, "link"
    if not links:
        search.note("link", "-", "skipped", "the copy names no source URL")
    return None


def _from_archive(search: _Search, links: list[str]) -> tuple[Document, str] | None:
    if search.archive is None:
        search.note("archive", "-", "skipped", "no archive of originals")
        return None
    try:
        candidates = search.archive.search(search.copy, limit=5)
    except ProvenanceError as exc:
        search.note("archive", "search", "error", str(exc))
        return None
    if not candidates:
        search.note("archive", "search", "not-found", "no near-duplicate above the threshold")
    for candidate in candidates:
        doc = _verified(
            search, "archive", candidate.url or candidate.document.source, candidate.document
        )
        if doc is not None:
            search.archive_version = (candidate.version, candidate.versions)
            return doc, "archive"
    return None


def _from_origin_site(search: _Search, links: list[str]) -> tuple[Document, str] | None:
    domain = search.evidence.origin.domain
    if domain is None:
        search.note("sitemap", "-", "skipped", "no origin site named by the evidence")
        return None
    if not _network_allowed(search, "sitemap", domain):
        return None
    entries = _discover_entries(search, domain)
    ranked = _rank_entries(search.copy, entries, search.settings) or _rank_translated(
        search.copy, entries, search.settings
    )
    if not ranked:
        search.note(
            "sitemap", domain, "not-found", f"{len(entries)} entries, none near the title and date"
        )
    for entry in ranked[:3]:
        found = _try_url(search, "sitemap", entry.url)
        if found is not None:
            return found, "sitemap"
    return None


def _from_web_archive(search: _Search, links: list[str]) -> tuple[Document, str] | None:
    base = search.settings.wayback_url
    if not links:
        search.note("wayback", "-", "skipped", "no candidate URL to look up")
        return None
    if not base or not _network_allowed(search, "wayback", base):
        return None
    for url in links:
        snapshot = _wayback_snapshot(search, base, url)
        if snapshot is None:
            continue
        found = _try_url(search, "wayback", snapshot)
        if found is not None:
            return found, "wayback"
    return None


def _wayback_snapshot(search: _Search, base: str, url: str) -> str | None:
    stamp = search.copy.published.strftime("%Y%m%d%H%M%S") if search.copy.published else ""
    query = f"{base}?url={quote(url, safe='')}" + (f"&timestamp={stamp}" if stamp else "")
    body = _fetch(search, "wayback", query)
    if body is None:
        return None
    try:
        closest = json.loads(body)["archived_snapshots"]["closest"]
        snapshot = str(closest["url"]) if closest.get("available", True) else ""
    except (ValueError, KeyError, TypeError):
        search.note("wayback", url, "not-found", "no snapshot")
        return None
    # The "id_" form serves the archived page without the Wayback toolbar.
    return re.sub(r"(/web/\d+)/", r"\1id_/", snapshot, count=1) if snapshot else None


def _archived(search: _Search, url: str) -> Document | None:
    """The archive's latest version of `url`, if the archive is there and holds it."""
    if search.archive is None:
        return None
    try:
        return search.archive.find_url(url)
    except ProvenanceError:
        return None


def _try_url(search: _Search, strategy: str, url: str) -> Document | None:
    archived = _archived(search, url)
    if archived is not None:
        search.last_source = "archive"
        return _verified(search, strategy, url, archived)
    search.last_source = "live"
    if not _network_allowed(search, strategy, url):
        return None
    body = _fetch(search, strategy, url)
    if body is None:
        return None
    try:
        docs = load_documents(body, source=url, settings=search.settings, url=url)
    except InputError as exc:
        search.note(strategy, url, "unreadable", str(exc))
        return None
    return _verified(search, strategy, url, docs[0])


def _fetch(search: _Search, strategy: str, url: str) -> bytes | None:
    assert search.fetcher is not None  # guarded by _network_allowed
    if search.fetches_left <= 0:
        search.note(strategy, url, "skipped", "fetch budget for this item used up")
        return None
    search.fetches_left -= 1
    try:
        return search.fetcher.fetch_page(url).body
    except ProvenanceError as exc:
        search.note(strategy, url, "error", getattr(exc, "reason", str(exc)))
        return None


def _verified(search: _Search, strategy: str, target: str, doc: Document) -> Document | None:
    score = search.verify(doc)
    if score <= 0.0:
        search.note(strategy, target, "rejected", "the text does not match the copy")
        return None
    search.note(strategy, target, "found", f"verified by alignment ({score:.2f})")
    return doc


def _network_allowed(search: _Search, strategy: str, target: str) -> bool:
    if search.settings.offline:
        search.note(strategy, target, "skipped", "offline")
        return False
    if search.fetcher is None:
        search.note(strategy, target, "skipped", "no fetcher")
        return False
    return True


def _discover_entries(search: _Search, domain: str) -> list[SitemapEntry]:
    """Sitemap and feed entries of the origin site (https first, then plain http)."""
    for scheme in ("https", "http"):
        root = f"{scheme}://{domain}"
        sitemaps, reachable = _robots_sitemaps(search, f"{root}/robots.txt")
        if reachable:
            break
    else:
        return []
    entries: list[SitemapEntry] = []
    for url in (sitemaps or [f"{root}/sitemap.xml", f"{root}/feed/"])[:4]:
        entries += _read_sitemap(search, url, depth=0)
    return entries


def _robots_sitemaps(search: _Search, url: str) -> tuple[list[str], bool]:
    """(Sitemap URLs listed in robots.txt, whether the host answered at all)."""
    assert search.fetcher is not None
    search.fetches_left -= 1
    try:
        body = search.fetcher.fetch_page(url).body
    except FetchStatusError:
        return [], True
    except ProvenanceError as exc:
        search.note("sitemap", url, "error", getattr(exc, "reason", str(exc)))
        return [], False
    found = re.findall(r"(?im)^\s*sitemap:\s*(\S+)", body.decode("utf-8", "replace"))
    return [u for u in found if _is_http(u)], True


def _read_sitemap(search: _Search, url: str, *, depth: int) -> list[SitemapEntry]:
    body = _fetch(search, "sitemap", url)
    if body is None:
        return []
    try:
        entries = load_sitemap_entries(body)
    except InputError as exc:
        search.note("sitemap", url, "unreadable", str(exc))
        return []
    pages = [e for e in entries if not e.is_sitemap]
    if depth < 2:
        for child in _near_date(search.copy.published, [e for e in entries if e.is_sitemap])[:2]:
            pages += _read_sitemap(search, child.url, depth=depth + 1)
    return pages


def _near_date(published: datetime | None, entries: list[SitemapEntry]) -> list[SitemapEntry]:
    """Child sitemaps ordered by closeness to the copy's date (by lastmod or a date in the URL)."""
    if published is None:
        return entries

    def distance(entry: SitemapEntry) -> float:
        when = entry.lastmod or _date_in_url(entry.url)
        if when is None:
            return float("inf")
        return abs((when.replace(tzinfo=None) - published.replace(tzinfo=None)).total_seconds())

    return sorted(entries, key=lambda e: (distance(e), e.url))


def _date_in_url(url: str) -> datetime | None:
    match = re.search(r"(20\d\d)[/_-]?(0[1-9]|1[0-2])(?:[/_-]?(0[1-9]|[12]\d|3[01]))?", url)
    if match is None:
        return None
    year, month, day = match.group(1), match.group(2), match.group(3) or "15"
    return datetime(int(year), int(month), int(day))


def _rank_entries(
    copy: Document, entries: Iterable[SitemapEntry], settings: Settings
) -> list[SitemapEntry]:
    """Entries within the date window, most similar title (or URL slug) first."""
    wanted = _title_words(copy.title or "")
    if not wanted:
        return []
    scored: list[tuple[float, str, SitemapEntry]] = []
    for entry in _in_window(copy, entries, settings):
        words = _title_words(entry.title or "") | _title_words(urlsplit(entry.url).path)
        overlap = len(wanted & words) / len(wanted)
        if overlap >= settings.discovery_min_title_overlap:
            scored.append((-overlap, entry.url, entry))
    return [entry for _, _, entry in sorted(scored, key=lambda t: (t[0], t[1]))]


def _rank_translated(
    copy: Document, entries: Iterable[SitemapEntry], settings: Settings
) -> list[SitemapEntry]:
    """Entries within the date window whose title or URL holds MIN_TITLE_ANCHORS of the
    names and numbers of the copy's title and lead (a translated title shares few words
    with the original's, but keeps its names and amounts), most first. Only for a copy
    whose language is sure: the alignment must then tell a translation from another story."""
    lead = [p.text for p in copy.paragraphs[:_LEAD_PARAGRAPHS]]
    language = sure_language(" ".join(lead))
    if language is None:
        return []
    wanted = _anchor_keys(anchors(" ".join([copy.title or "", *lead]), language))
    scored: list[tuple[int, str, SitemapEntry]] = []
    for entry in _in_window(copy, entries, settings):
        title = entry.title or ""
        words = _title_words(title) | _title_words(urlsplit(entry.url).path)
        if not wanted & words:  # shares no name as written: not worth reading for numbers
            continue
        held = _anchor_keys(anchors(title, detect_language(title))) if title else set()
        shared = len(wanted & (held | words))
        if shared >= MIN_TITLE_ANCHORS:
            scored.append((-shared, entry.url, entry))
    return [entry for _, _, entry in sorted(scored, key=lambda t: (t[0], t[1]))]


def _anchor_keys(found: Iterable[str]) -> set[str]:
    """Anchors as words of a title or URL: "#2022" is "2022", "#5000000|usd" "5000000"."""
    return {a.lstrip("#").split("|")[0] for a in found}


def _in_window(
    copy: Document, entries: Iterable[SitemapEntry], settings: Settings
) -> Iterable[SitemapEntry]:
    window = timedelta(days=settings.discovery_window_days)
    for entry in entries:
        if copy.published and entry.lastmod:
            gap = abs(entry.lastmod.replace(tzinfo=None) - copy.published.replace(tzinfo=None))
            if gap > window:
                continue
        yield entry


def _title_words(text: str) -> set[str]:
    return {w for w in _WORD_RE.findall(text.lower()) if w not in _STOPWORDS and len(w) > 1}


def _is_http(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https")

"""Titles, one way for every format: the site suffix of a page title goes ("... | Reuters"),
and a text's title is a headline line, never a URL or a line of page furniture.

A page's `<title>` usually ends with the site's name; a copy and its original then differ
in title only by that name, and a report shows the publisher twice. A stored text page
starts with whatever the page showed first ("Physical Address", a menu); where its URL
has a slug, the title is the line the slug spells.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

# "Headline | Site", "Headline - Site", "Headline — Site": a short tail after a separator.
_SUFFIX_RE = re.compile(
    r"^(?P<title>.+)\s+(?P<sep>[|\u2013\u2014\u00b7\u2022\u00bb:-])\s+(?P<site>[^|]+)$"
)
_STRONG_SEPARATORS = frozenset("|\u00b7\u2022\u00bb")
_SITE_MAX_WORDS = 5
_SITE_MAX_CHARS = 40
_WORD_RE = re.compile(r"[^\W_]+")
_URL_RE = re.compile(r"^\s*https?://\S+\s*$", re.IGNORECASE)
# A title has at least this many words and at most this many.
TITLE_MIN_WORDS = 3
TITLE_MAX_WORDS = 20
_CLOSING_PUNCTUATION = " \t\"')]}\u00bb\u201d\u2019"
# A slug spells the title when it has this many words, and a line is its title when this
# share of the line's words are in it; the first lines looked at.
_SLUG_MIN_WORDS = 3
_SLUG_MIN_SHARE = 0.5
TITLE_SCAN_LINES = 8


def strip_site_suffix(title: str, *, site_name: str | None = None, url: str | None = None) -> str:
    """Return `title` without a trailing site name ("Headline | Reuters" -> "Headline").

    The tail after a separator goes when it is short (at most five words, fewer than the
    headline before it) and either
    follows a strong separator ("|", "·", "•", "»"), equals `site_name`, or names the
    host of `url` ("BBC News" on bbc.co.uk). Never returns an empty string. Never raises.
    """
    for _ in range(2):  # "Headline | Section | Site"
        match = _SUFFIX_RE.match(title.strip())
        if match is None:
            break
        site, rest = match.group("site").strip(), match.group("title").strip()
        # A site's name is shorter than the headline it follows ("Opinion | Why ..." is
        # a headline after a section name, and stays whole).
        if len(rest.split()) <= len(site.split()):
            break
        if not _is_site(site, match.group("sep"), site_name, url):
            break
        title = rest
    return title.strip()


def _is_site(site: str, separator: str, site_name: str | None, url: str | None) -> bool:
    if len(site) > _SITE_MAX_CHARS or len(site.split()) > _SITE_MAX_WORDS:
        return False
    if separator in _STRONG_SEPARATORS:
        return True
    if site_name and _squash(site) == _squash(site_name):
        return True
    host = _squash(urlsplit(url).hostname or "") if url and _URL_RE.match(url) else ""
    words = [w for w in _WORD_RE.findall(site.casefold()) if len(w) >= 3]
    return bool(host) and (_squash(site) in host or any(w in host for w in words[:1]))


def _squash(text: str) -> str:
    return "".join(_WORD_RE.findall(text.casefold()))


def is_headline(line: str) -> bool:
    """One line of TITLE_MIN_WORDS to TITLE_MAX_WORDS words that is not a URL and does not
    end with a period."""
    text = line.strip()
    if "\n" in text or _URL_RE.match(text):
        return False
    if not TITLE_MIN_WORDS <= len(text.split()) <= TITLE_MAX_WORDS:
        return False
    return not text.rstrip(_CLOSING_PUNCTUATION).endswith(".")


def text_title(lines: list[str], url: str | None) -> str | None:
    """The title of a text whose paragraphs are `lines`, or None.

    Where `url` has a slug of a few words, the headline among the first lines that the
    slug spells (most of its words in the slug); else a headline first line followed by
    more text.
    """
    slug = _slug_words(url)
    if slug:
        scored = [
            (_share(line, slug), -n, line)
            for n, line in enumerate(lines[:TITLE_SCAN_LINES])
            if is_headline(line)
        ]
        best = max(scored, default=None)
        if best is not None and best[0] >= _SLUG_MIN_SHARE:
            return best[2]
    if len(lines) > 1 and is_headline(lines[0]):
        return lines[0]
    return None


def _slug_words(url: str | None) -> frozenset[str]:
    """The words of the longest hyphenated segment of `url`'s path, if it has enough."""
    if not url or not _URL_RE.match(url):
        return frozenset()
    try:
        path = unquote(urlsplit(url.strip()).path)
    except ValueError:
        return frozenset()
    best: list[str] = []
    for segment in path.split("/"):
        stem = segment.rsplit(".", 1)[0] if "." in segment else segment
        words = [w for w in re.split(r"[-_+]", stem.casefold()) if w.isalpha()]
        if len(words) > len(best):
            best = words
    return frozenset(best) if len(best) >= _SLUG_MIN_WORDS else frozenset()


def _share(line: str, slug: frozenset[str]) -> float:
    words = _WORD_RE.findall(line.casefold())
    return sum(w in slug for w in words) / len(words) if words else 0.0

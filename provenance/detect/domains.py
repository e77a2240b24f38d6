"""Registrable domains and publisher names: the only publicsuffixlist import.

Registrable domains come from the ICANN section of the Public Suffix List bundled with
publicsuffixlist (never fetched). publicsuffixlist imports in a few milliseconds where
tldextract took ~60 (it imports requests): it is read on every check.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList

from .catalog import Publisher, normalize_name, publisher_by_domain, publisher_index

_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_HOSTLIKE_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)+$", re.IGNORECASE)


@cache
def _suffixes() -> PublicSuffixList:
    # ICANN suffixes only, and no domain under a suffix the list does not know (as before)
    return PublicSuffixList(only_icann=True, accept_unknown=False)


@lru_cache(maxsize=8192)
def registrable_domain(url_or_host: str) -> str | None:
    """Return the registrable domain ("cnn.com") of a URL or host name, or None (never raises)."""
    text = url_or_host.strip()
    if not text:
        return None
    try:
        host = urlsplit(text if _SCHEME_RE.match(text) else "//" + text).hostname or ""
    except ValueError:  # such as an unclosed IPv6 bracket ("http://[x")
        return None
    if not _HOSTLIKE_RE.match(host):
        return None
    domain: str | None = _suffixes().privatesuffix(host.lower())
    return domain


def lookup_publisher(name: str) -> Publisher | None:
    """Return the publisher a name or alias (case-insensitive) stands for, or None."""
    return publisher_index().get(normalize_name(name))


def publisher_for_domain(domain: str | None) -> Publisher | None:
    """Return the publisher known to own a registrable domain, or None."""
    return publisher_by_domain().get(domain) if domain else None


def resolve_name(name: str) -> str | None:
    """Return the registrable domain a written publisher name stands for, or None.

    Known names and aliases come from publishers.toml; a name that looks like a host
    ("wsj.com", "TuBaseDeDatosLibre.org") is reduced to its registrable domain.
    """
    pub = lookup_publisher(name)
    if pub is not None:
        return pub.domain
    candidate = normalize_name(name)
    if " " in candidate or "." not in candidate:
        return None
    return registrable_domain(candidate)


def publisher_prefix(text: str, max_words: int = 6) -> Publisher | None:
    """Return the publisher named by the longest leading words of `text`, or None.

    "Associated Press in Valencia" -> The Associated Press.
    """
    words = text.split()[:max_words]
    for k in range(len(words), 0, -1):
        pub = lookup_publisher(" ".join(words[:k]))
        if pub is not None:
            return pub
    return None

"""Registrable domains and publisher names: the only publicsuffixlist import.

Registrable domains come from the ICANN section of the Public Suffix List bundled with
publicsuffixlist (never fetched). publicsuffixlist imports in a few milliseconds where
tldextract took ~60 (it imports requests): it is read on every check.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from urllib.parse import urlsplit

from publicsuffixlist import PSLFILE, PublicSuffixList, encode_idn

from .catalog import Publisher, normalize_name, publisher_by_domain, publisher_index

_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_HOSTLIKE_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)+$", re.IGNORECASE)


@cache
def _suffixes() -> PublicSuffixList:
    """The ICANN suffixes written in ASCII, and no domain under a suffix the list does not
    know. Every host looked up here is ASCII (see _HOSTLIKE_RE), and one with no `xn--`
    label can only fall under these: the Unicode rules and their punycode forms are left
    to `_idn_suffixes`, built only for a host that needs them (encoding them through the
    idna codec is most of the list's cost)."""
    return PublicSuffixList(
        _icann_rules(PSLFILE, idn=False), accept_unknown=False, accept_encoded_idn=False
    )


@cache
def _idn_suffixes() -> PublicSuffixList:
    """Every ICANN suffix, the Unicode ones with their punycode forms too: for hosts with an
    `xn--` label. The ICANN rules are picked out and the Unicode ones encoded here, in one
    pass: the library would read the whole file twice over and send each of its rules
    through the idna codec."""
    return PublicSuffixList(
        _icann_rules(PSLFILE, idn=True), accept_unknown=False, accept_encoded_idn=False
    )


def _icann_rules(path: str, *, idn: bool) -> list[str]:
    """The rules of the list's ICANN section; with `idn`, the Unicode ones and their
    punycode forms too, else the ASCII ones only (read as bytes: twice as fast)."""
    if not idn:
        return [rule.decode("ascii") for rule in _icann_lines(path) if rule.isascii()]
    rules = []
    for line in _icann_lines(path):
        rule = line.decode("utf-8").lower()
        rules.append(rule)
        if not rule.isascii():
            exception = "!" if rule.startswith("!") else ""
            rules.append(exception + encode_idn(rule.lstrip("!")))
    return rules


def _icann_lines(path: str) -> list[bytes]:
    """The rules of the list's ICANN section as written (ASCII letters lowercased)."""
    with open(path, "rb") as listing:
        raw = listing.read()
    start = raw.index(b"// ===BEGIN ICANN DOMAINS===")
    end = raw.index(b"// ===END ICANN DOMAINS===", start)
    rules = []
    for line in raw[start:end].lower().splitlines():
        rule = line.split(b" ")[0].rstrip()
        if rule and not rule.startswith(b"//"):
            rules.append(rule)
    return rules


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
    host = host.lower()
    suffixes = _idn_suffixes() if "xn--" in host else _suffixes()
    domain: str | None = suffixes.privatesuffix(host)
    return domain


# Articles that may lead a publisher's name in a credit ("publié sur Le Monde" names Le
# Monde, "publicado en el diario El País" El País): tried with the article, then without.
_ARTICLE_RE = re.compile(
    r"^(?:the|le|la|les|l['\u2019]|el|los|las|il|lo|gli|der|die|das|o|os|a|as)\s*(?=\S)",
    re.IGNORECASE,
)


def lookup_publisher(name: str) -> Publisher | None:
    """Return the publisher a name or alias (case-insensitive) stands for, or None.

    A leading article the name does not carry in the directory is dropped ("le Figaro").
    """
    index = publisher_index()
    key = normalize_name(name)
    found = index.get(key)
    if found is None and _ARTICLE_RE.match(key):
        found = index.get(normalize_name(_ARTICLE_RE.sub("", key, count=1)))
    return found


def _host(url_or_host: str) -> str | None:
    text = url_or_host.strip()
    try:
        host = urlsplit(text if _SCHEME_RE.match(text) else "//" + text).hostname or ""
    except ValueError:
        return None
    return host.lower().rstrip(".") if _HOSTLIKE_RE.match(host) else None


def publisher_for_domain(url_or_host: str | None) -> Publisher | None:
    """Return the publisher that owns a URL, host or domain, or None.

    The host and each parent domain down to the registrable one are looked up, so
    "www1.folha.uol.com.br" is Folha's while "noticias.uol.com.br" is UOL's.
    """
    host = _host(url_or_host) if url_or_host else None
    if host is None:
        return None
    index = publisher_by_domain()
    labels = host.split(".")
    for start in range(len(labels) - 1):
        found = index.get(".".join(labels[start:]))
        if found is not None:
            return found
    return None


@lru_cache(maxsize=8192)
def site_domain(url_or_host: str) -> str | None:
    """Return the site a URL or host belongs to: its publisher's main domain when the
    directory knows it (bbc.co.uk -> bbc.com), else its registrable domain; None when
    it has no host (never raises)."""
    pub = publisher_for_domain(url_or_host)
    return pub.domain if pub is not None else registrable_domain(url_or_host)


def same_site(a: str | None, b: str | None) -> bool:
    """True when two URLs, hosts or domains belong to one publisher (or one domain)."""
    if not a or not b:
        return False
    return site_domain(a) == site_domain(b)


def resolve_name(name: str) -> str | None:
    """Return the site domain a written publisher name stands for, or None.

    Known names and aliases come from publishers.toml; a name that looks like a host
    ("wsj.com", "TuBaseDeDatosLibre.org") is reduced to its site domain.
    """
    pub = lookup_publisher(name)
    if pub is not None:
        return pub.domain
    candidate = normalize_name(name)
    if " " in candidate or "." not in candidate:
        return None
    return site_domain(candidate)


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

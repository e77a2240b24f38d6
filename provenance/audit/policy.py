"""What fails an audit: a TOML policy of thresholds, credit and origin rules, and
per-publisher republishing rules (`provenance/data/policy.toml` is the documented default).

`evaluate_policy` is pure: a Report and a Policy in, one `RuleResult` per rule out, each
with the evidence it was decided on.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..datafiles import read_data
from ..errors import SettingsError
from ..models import Credit, EditKind, ParagraphMatch, Report, Severity, Status, Verdict

SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}
_COPY_VERDICTS = frozenset({Verdict.FAITHFUL, Verdict.TRIMMED, Verdict.MODIFIED, Verdict.REWRITTEN})


@dataclass(frozen=True)
class RuleResult:
    rule: str
    passed: bool
    severity: Severity
    message: str


@dataclass(frozen=True)
class PublisherRules:
    domain: str
    name: str
    rules: tuple[str, ...]
    pixel: str | None = None
    source: str = ""


@dataclass(frozen=True)
class Policy:
    fail_verdicts: frozenset[Verdict] = frozenset({Verdict.MODIFIED, Verdict.REWRITTEN})
    min_coverage: float = 0.0
    min_fidelity: float = 0.0
    require_credit: bool = True
    allowed_origins: frozenset[str] = frozenset()
    licensed_origins: frozenset[str] = frozenset()
    require_licence: bool = False
    deny_edits: frozenset[EditKind] = frozenset()
    severities: Mapping[str, Severity] = field(default_factory=dict)
    publishers: Mapping[str, PublisherRules] = field(default_factory=dict)
    source: str = "built-in default"


def load_policy(path: Path | None = None) -> Policy:
    """Read a policy file (None: the packaged default).

    Raises SettingsError naming the file and the problem.
    """
    name = str(path) if path else "default policy"
    try:
        if path is None:
            data = read_data("policy.toml")
        else:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        return _policy_from(data, name)
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{name}: cannot read policy ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{name}: invalid TOML ({exc})") from exc
    except RecursionError as exc:  # tomllib recurses once per level of nesting
        raise SettingsError(f"{name}: invalid TOML (nested too deep to read)") from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise SettingsError(f"{name}: invalid policy ({exc})") from exc


_SECTIONS = frozenset({"defaults", "severity", "publishers"})
_DEFAULT_KEYS = frozenset({
    "fail_verdicts", "min_coverage", "min_fidelity", "require_credit",
    "allowed_origins", "licensed_origins", "require_licence", "deny_edits",
})  # fmt: skip
_PUBLISHER_KEYS = frozenset({"name", "source", "rules", "pixel"})


def _policy_from(data: Mapping[str, Any], source: str) -> Policy:
    _known_keys(data, _SECTIONS, "section(s)")
    defaults = _table(data.get("defaults", {}), "[defaults]")
    _known_keys(defaults, _DEFAULT_KEYS, "setting(s)")
    severities = _table(data.get("severity", {}), "[severity]")
    _known_keys(severities, frozenset(RULE_IDS), "rule(s) in [severity]")
    publishers = _table(data.get("publishers", {}), "[publishers]")
    verdicts = _strings(defaults.get("fail_verdicts", ["modified", "rewritten"]), "fail_verdicts")
    return Policy(
        fail_verdicts=frozenset(Verdict(v) for v in verdicts),
        min_coverage=_fraction(defaults.get("min_coverage", 0.0), "min_coverage"),
        min_fidelity=_fraction(defaults.get("min_fidelity", 0.0), "min_fidelity"),
        require_credit=_bool(defaults.get("require_credit", True), "require_credit"),
        allowed_origins=frozenset(_strings(defaults.get("allowed_origins", []), "allowed_origins")),
        licensed_origins=frozenset(
            _strings(defaults.get("licensed_origins", []), "licensed_origins")
        ),
        require_licence=_bool(defaults.get("require_licence", False), "require_licence"),
        deny_edits=frozenset(
            _edit_kind(k) for k in _strings(defaults.get("deny_edits", []), "deny_edits")
        ),
        severities={k: Severity(_string(v, f"severity of {k}")) for k, v in severities.items()},
        publishers={d: _publisher(d, p) for d, p in publishers.items()},
        source=source,
    )


def _edit_kind(value: str) -> EditKind:
    try:
        return EditKind(value)
    except ValueError:
        known = ", ".join(k.value for k in EditKind)
        raise ValueError(f"deny_edits: unknown edit kind {value!r}; known: {known}") from None


def _known_keys(table: Mapping[str, Any], known: frozenset[str], what: str) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        raise ValueError(f"unknown {what} {', '.join(unknown)}; known: {', '.join(sorted(known))}")


def _table(value: Any, name: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a table, not {type(value).__name__}")
    return value


def _strings(value: Any, name: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"{name} must be a list of strings")
    return value


def _string(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, not {type(value).__name__}")
    return value


def _bool(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be true or false, not {value!r}")
    return value


def _fraction(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number between 0 and 1, not {value!r}")
    number = float(value)
    if not 0.0 <= number <= 1.0:
        raise ValueError(f"{name} must be between 0 and 1, not {value}")
    return number


def _publisher(domain: str, entry: Any) -> PublisherRules:
    where = f'[publishers."{domain}"]'
    table = _table(entry, where)
    _known_keys(table, _PUBLISHER_KEYS, f"key(s) in {where}")
    rules = tuple(_strings(table.get("rules", []), f"{where} rules"))
    unknown = [r for r in rules if r not in PUBLISHER_RULES]
    if unknown:
        raise ValueError(f"{where}: unknown rule(s) {', '.join(unknown)}")
    pixel = table.get("pixel")
    return PublisherRules(
        domain,
        _string(table.get("name", domain), f"{where} name"),
        rules,
        None if pixel is None else _string(pixel, f"{where} pixel"),
        _string(table.get("source", ""), f"{where} source"),
    )


def evaluate_policy(report: Report, policy: Policy) -> tuple[RuleResult, ...]:
    """Apply every rule of `policy` that concerns `report`; one RuleResult per rule."""
    results = [rule(report, policy) for rule in GENERAL_RULES]
    publisher = policy.publishers.get(origin_domain(report) or "")
    if publisher is not None:
        results += [PUBLISHER_RULES[r](report, publisher) for r in publisher.rules]
    return tuple(_with_severity(r, policy) for r in results if r is not None)


def failed_rules(results: Sequence[RuleResult], fail_on: Severity) -> list[RuleResult]:
    """The failed rules at or above the `fail_on` severity."""
    floor = SEVERITY_RANK[fail_on]
    return [r for r in results if not r.passed and SEVERITY_RANK[r.severity] >= floor]


def origin_domain(report: Report) -> str | None:
    """The origin the report settles on: the original's site, else the detected origin."""
    if report.original is not None and report.original.document.url:
        return registrable(report.original.document.url)
    return report.evidence.origin.domain


def registrable(url_or_host: str) -> str:
    """The publisher's site of a URL or host (bbc.co.uk -> bbc.com), "" when it has none."""
    from ..detect.domains import site_domain  # the public suffix list, when asked

    return site_domain(url_or_host) or ""


def _with_severity(result: RuleResult, policy: Policy) -> RuleResult:
    severity = policy.severities.get(result.rule)
    if severity is None or severity is result.severity:
        return result
    return RuleResult(result.rule, result.passed, severity, result.message)


def _verdict_rule(report: Report, policy: Policy) -> RuleResult:
    failed = report.verdict in policy.fail_verdicts
    return RuleResult("verdict", not failed, Severity.ERROR, f"verdict {report.verdict.value}")


def _thresholds_rule(report: Report, policy: Policy) -> RuleResult | None:
    if report.scores is None or report.verdict not in _COPY_VERDICTS:
        return None
    s = report.scores
    ok = s.coverage >= policy.min_coverage and s.fidelity >= policy.min_fidelity
    message = (
        f"coverage {s.coverage:.2f} (min {policy.min_coverage:.2f}), "
        f"fidelity {s.fidelity:.2f} (min {policy.min_fidelity:.2f})"
    )
    return RuleResult("thresholds", ok, Severity.ERROR, message)


def _credit_rule(report: Report, policy: Policy) -> RuleResult | None:
    if not policy.require_credit or report.credit is Credit.UNKNOWN:
        return None
    ok = report.credit is Credit.CREDITED
    if not ok and report.credit is Credit.UNCREDITED:
        # A publisher whose rules accept a canonical link to the original as the credit
        # (CalMatters): such a canonical credits the copy.
        publisher = policy.publishers.get(origin_domain(report) or "")
        if publisher is not None and "canonical-or-credit-line" in publisher.rules:
            canonical = _canonicals(report, publisher.domain)
            if canonical:
                message = f"credited by canonical {canonical[0]} ({publisher.name}'s rules)"
                return RuleResult("credit", True, Severity.ERROR, message)
    return RuleResult("credit", ok, Severity.ERROR, f"credit {report.credit.value}")


def _canonicals(report: Report, domain: str) -> list[str]:
    return [
        s.value
        for s in report.evidence.signals
        if s.kind in ("canonical", "yoast:canonical") and registrable(s.value) == domain
    ]


def _origin_rule(report: Report, policy: Policy) -> RuleResult | None:
    domain = origin_domain(report)
    if domain is None or not (policy.allowed_origins or policy.require_licence):
        return None
    if policy.allowed_origins and domain not in policy.allowed_origins:
        return RuleResult("origin", False, Severity.ERROR, f"origin {domain} is not allowed")
    if policy.require_licence and domain not in policy.licensed_origins:
        return RuleResult("origin", False, Severity.ERROR, f"no licence for origin {domain}")
    return RuleResult("origin", True, Severity.ERROR, f"origin {domain} allowed")


def _edits_rule(report: Report, policy: Policy) -> RuleResult | None:
    """Edits of a kind the policy denies ("no edits except time, place and style")."""
    if not policy.deny_edits or report.alignment is None or report.verdict not in _COPY_VERDICTS:
        return None
    denied = [
        (m.copy_index, op)
        for m in report.alignment.matches
        if m.status is not Status.REWRITTEN
        for op in m.diff
        if op.kind in policy.deny_edits
    ]
    kinds = ", ".join(sorted(k.value for k in policy.deny_edits))
    if not denied:
        return RuleResult("edits", True, Severity.ERROR, f"no edit of a denied kind ({kinds})")
    counts = Counter(op.kind.value for _, op in denied if op.kind is not None)
    first_index, first = denied[0]
    message = (
        ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
        + f" edit(s) denied, e.g. copy {first_index}: '{first.original}' -> '{first.copy}'"
    )
    return RuleResult("edits", False, Severity.ERROR, message)


# What a style edit may change in a paragraph: case, punctuation, spacing, typographic
# quotes, and a "By " before a byline.
_STYLE_NOISE_RE = re.compile(r"[\W_]+")
_BY_RE = re.compile(r"^\s*(?:by|por|par|von|di)\s+", re.IGNORECASE)


def _style_key(text: str) -> str:
    return _STYLE_NOISE_RE.sub("", _BY_RE.sub("", text).casefold())


def _style_only(m: ParagraphMatch) -> bool:
    return _style_key(m.copy_text) == _style_key(m.original_text)


def _edits_style_only(report: Report, rules: PublisherRules) -> RuleResult:
    changed = [
        m for m in (report.alignment.matches if report.alignment else ())
        if (
            m.status is Status.REWRITTEN
            or any(op.kind not in (None, EditKind.STYLE) for op in m.diff)
        )
        and not _style_only(m)
    ]  # fmt: skip
    if report.alignment is None:
        return RuleResult(
            "edits-style-only", False, Severity.WARNING, "no original to compare with"
        )
    where = ", ".join(str(m.copy_index) for m in changed[:10])
    noun = "paragraph" if len(changed) == 1 else "paragraphs"
    message = f"{len(changed)} {noun} edited beyond style" + (f" (copy {where})" if where else "")
    return RuleResult("edits-style-only", not changed, Severity.ERROR, message)


# Where a byline sits: among the first or last paragraphs, and short.
_BYLINE_WINDOW = 6
_BYLINE_MAX_CHARS = 200
_AUTHOR_SPLIT_RE = re.compile(r"\s*(?:,|;|\||/|\band\b|&|\by\b|\bet\b|\bund\b|\be\b)\s*")
_NAME_RE = re.compile(r"^[A-ZÀ-Ý][\w.'\u2019-]+(?:\s+[A-ZÀ-Ý][\w.'\u2019-]+){1,3}$")


def _byline_lines(report: Report) -> list[str]:
    texts = [p.text for p in report.copy.paragraphs]
    ends = [*texts[:_BYLINE_WINDOW], *texts[-_BYLINE_WINDOW:]]
    lines = [text for text in ends if len(text) <= _BYLINE_MAX_CHARS]
    lines += [a.text for a in report.evidence.attributions if a.kind == "byline"]
    return list(dict.fromkeys(lines))


def _names(text: str) -> Iterator[str]:
    for part in _AUTHOR_SPLIT_RE.split(_BY_RE.sub("", text)):
        if _NAME_RE.match(part.strip()):
            yield part.strip()


def _original_authors(report: Report) -> list[str]:
    """The original's authors: its JSON-LD and meta authors, else its own "By ..." line."""
    from ..load.html import parse_markup

    if report.original is None:
        return []
    found: list[str] = []
    evidence = report.original.evidence
    for s in evidence.signals if evidence else ():
        if s.kind == "jsonld:author" and s.publisher:
            found += _names(s.publisher)
    for name, content in parse_markup(report.original.document.html).metas:
        if name in ("author", "article:author", "dc.creator") and "/" not in content:
            found += _names(content)
    if not found:
        for p in report.original.document.paragraphs[:_BYLINE_WINDOW]:
            if _BY_RE.match(p.text) and len(p.text) <= _BYLINE_MAX_CHARS:
                found += _names(p.text)
    return list(dict.fromkeys(found))


def _byline(report: Report, rules: PublisherRules) -> RuleResult:
    authors = _original_authors(report)
    if authors:
        return _byline_of_authors(report, authors)
    bylines = [a.text for a in report.evidence.attributions if a.kind == "byline"]
    message = (
        f"byline: {bylines[0]}" if bylines else f"no byline naming the author and {rules.name}"
    )
    return RuleResult("byline", bool(bylines), Severity.ERROR, message)


def _byline_of_authors(report: Report, authors: list[str]) -> RuleResult:
    """The copy's byline must name the original's authors (a byline naming someone else,
    even with the right outlet, fails)."""
    lines = _byline_lines(report)
    wanted = ", ".join(authors)
    for line in lines:
        if any(author.casefold() in line.casefold() for author in authors):
            return RuleResult("byline", True, Severity.ERROR, f"byline: {line}")
    others = [line for line in lines if _BY_RE.match(line) and list(_names(line))]
    if others:
        message = f"byline '{others[0]}' does not name the original's author ({wanted})"
    else:
        message = f"no byline naming the original's author ({wanted})"
    return RuleResult("byline", False, Severity.ERROR, message)


def _link_back(report: Report, rules: PublisherRules) -> RuleResult:
    from ..load import extract_links

    credited = [a.url for a in report.evidence.attributions if a.url]
    links = [
        u for u in [*extract_links(report.copy.html), *credited] if registrable(u) == rules.domain
    ]
    message = f"links to {rules.domain}: {links[0]}" if links else f"no link to {rules.domain}"
    return RuleResult("link-back", bool(links), Severity.ERROR, message)


_ARTICLE_ID_RE = re.compile(r"-(\d{3,})/?$")


def _original_article_ids(report: Report) -> set[str]:
    """The ids the original's own pixel or URL gives its article ("...-88869": 88869)."""
    if report.original is None:
        return set()
    ids = {
        s.value
        for s in (report.original.evidence.signals if report.original.evidence else ())
        if s.kind.startswith("pixel:") and s.value.isdigit()
    }
    match = _ARTICLE_ID_RE.search(urlsplit(report.original.document.url or "").path)
    return ids | ({match.group(1)} if match else set())


def _tracking_pixel(report: Report, rules: PublisherRules) -> RuleResult:
    marker = rules.pixel or rules.domain
    pixels = [
        s.value for s in report.evidence.signals
        if s.kind.startswith("pixel:") and (s.domain == rules.domain or marker in s.value)
    ]  # fmt: skip
    if not pixels:
        message = f"no tracking pixel of {rules.name} ({marker})"
        return RuleResult("tracking-pixel", False, Severity.ERROR, message)
    expected = _original_article_ids(report)
    numbered = [p for p in pixels if p.isdigit()]
    if expected and numbered and not expected & set(numbered):
        message = (
            f"tracking pixel counts article {numbered[0]}, "
            f"but the original is article {', '.join(sorted(expected))}"
        )
        return RuleResult("tracking-pixel", False, Severity.ERROR, message)
    return RuleResult("tracking-pixel", True, Severity.ERROR, f"tracking pixel found ({pixels[0]})")


def _keep_all_links(report: Report, rules: PublisherRules) -> RuleResult:
    from ..load import extract_links

    if report.original is None:
        return RuleResult(
            "keep-all-links", False, Severity.WARNING, "no original to compare links with"
        )
    kept = {_normal_link(u) for u in extract_links(report.copy.html)}
    wanted = sorted({_normal_link(u) for u in extract_links(report.original.document.html)} - {""})
    missing = [u for u in wanted if u not in kept]
    message = f"{len(missing)} of {len(wanted)} links of the original missing" + (
        f", e.g. {missing[0]}" if missing else ""
    )
    return RuleResult("keep-all-links", not missing, Severity.ERROR, message)


def _canonical_or_credit(report: Report, rules: PublisherRules) -> RuleResult:
    canonical = [
        s.value for s in report.evidence.signals
        if s.kind in ("canonical", "yoast:canonical") and registrable(s.value) == rules.domain
    ]  # fmt: skip
    credit = [
        a.text for a in report.evidence.attributions
        if a.kind == "originally-published"
        and any(registrable(v) == rules.domain for v in (a.origin, a.url) if v)
    ]  # fmt: skip
    ok = bool(canonical or credit)
    message = (
        f"canonical {canonical[0]}" if canonical
        else f"credit line: {credit[0]}" if credit
        else f"neither a canonical to {rules.domain} "
        f"nor an 'originally published by {rules.name}' line"
    )  # fmt: skip
    return RuleResult("canonical-or-credit-line", ok, Severity.ERROR, message)


def _normal_link(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        return ""
    return f"{(parts.hostname or '').removeprefix('www.')}{parts.path.rstrip('/')}"


GENERAL_RULES: tuple[Callable[[Report, Policy], RuleResult | None], ...] = (
    _verdict_rule,
    _thresholds_rule,
    _credit_rule,
    _origin_rule,
    _edits_rule,
)
PUBLISHER_RULES: Mapping[str, Callable[[Report, PublisherRules], RuleResult]] = {
    "edits-style-only": _edits_style_only,
    "byline": _byline,
    "link-back": _link_back,
    "tracking-pixel": _tracking_pixel,
    "keep-all-links": _keep_all_links,
    "canonical-or-credit-line": _canonical_or_credit,
}
# Every rule id a policy's [severity] table may name.
RULE_IDS = ("verdict", "thresholds", "credit", "origin", "edits", *PUBLISHER_RULES)

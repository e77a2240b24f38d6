"""What fails an audit: a TOML policy of thresholds, credit and origin rules, and
per-publisher republishing rules (`provenance/data/policy.toml` is the documented default).

`evaluate_policy` is pure: a Report and a Policy in, one `RuleResult` per rule out, each
with the evidence it was decided on.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import SettingsError
from .load import extract_links
from .models import Credit, Report, Severity, Status, Verdict

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
            text = resources.files("provenance").joinpath("data/policy.toml").read_text("utf-8")
        else:
            text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
        return _policy_from(data, name)
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{name}: cannot read policy ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{name}: invalid TOML ({exc})") from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise SettingsError(f"{name}: invalid policy ({exc})") from exc


_SECTIONS = frozenset({"defaults", "severity", "publishers"})
_DEFAULT_KEYS = frozenset({
    "fail_verdicts", "min_coverage", "min_fidelity", "require_credit",
    "allowed_origins", "licensed_origins", "require_licence",
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
        severities={k: Severity(_string(v, f"severity of {k}")) for k, v in severities.items()},
        publishers={d: _publisher(d, p) for d, p in publishers.items()},
        source=source,
    )


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
    host = urlsplit(url_or_host).hostname if "//" in url_or_host else url_or_host
    labels = (host or "").lower().removeprefix("www.").split(".")
    keep = 3 if len(labels) > 2 and labels[-2] in {"co", "com", "org", "net", "gov", "ac"} else 2
    return ".".join(labels[-keep:])


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
    return RuleResult("credit", ok, Severity.ERROR, f"credit {report.credit.value}")


def _origin_rule(report: Report, policy: Policy) -> RuleResult | None:
    domain = origin_domain(report)
    if domain is None or not (policy.allowed_origins or policy.require_licence):
        return None
    if policy.allowed_origins and domain not in policy.allowed_origins:
        return RuleResult("origin", False, Severity.ERROR, f"origin {domain} is not allowed")
    if policy.require_licence and domain not in policy.licensed_origins:
        return RuleResult("origin", False, Severity.ERROR, f"no licence for origin {domain}")
    return RuleResult("origin", True, Severity.ERROR, f"origin {domain} allowed")


def _edits_style_only(report: Report, rules: PublisherRules) -> RuleResult:
    changed = [
        m for m in (report.alignment.matches if report.alignment else ())
        if m.status in (Status.EDITED, Status.REWRITTEN)
    ]  # fmt: skip
    if report.alignment is None:
        return RuleResult(
            "edits-style-only", False, Severity.WARNING, "no original to compare with"
        )
    where = ", ".join(str(m.copy_index) for m in changed[:10])
    noun = "paragraph" if len(changed) == 1 else "paragraphs"
    message = f"{len(changed)} {noun} edited beyond style" + (f" (copy {where})" if where else "")
    return RuleResult("edits-style-only", not changed, Severity.ERROR, message)


def _byline(report: Report, rules: PublisherRules) -> RuleResult:
    bylines = [a.text for a in report.evidence.attributions if a.kind == "byline"]
    message = (
        f"byline: {bylines[0]}" if bylines else f"no byline naming the author and {rules.name}"
    )
    return RuleResult("byline", bool(bylines), Severity.ERROR, message)


def _link_back(report: Report, rules: PublisherRules) -> RuleResult:
    links = [u for u in extract_links(report.copy.html) if registrable(u) == rules.domain]
    message = f"links to {rules.domain}: {links[0]}" if links else f"no link to {rules.domain}"
    return RuleResult("link-back", bool(links), Severity.ERROR, message)


def _tracking_pixel(report: Report, rules: PublisherRules) -> RuleResult:
    marker = rules.pixel or rules.domain
    pixels = [
        s.value for s in report.evidence.signals
        if s.kind.startswith("pixel:") and (s.domain == rules.domain or marker in s.value)
    ]  # fmt: skip
    message = (
        f"tracking pixel found ({pixels[0]})"
        if pixels
        else f"no tracking pixel of {rules.name} ({marker})"
    )
    return RuleResult("tracking-pixel", bool(pixels), Severity.ERROR, message)


def _keep_all_links(report: Report, rules: PublisherRules) -> RuleResult:
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
RULE_IDS = ("verdict", "thresholds", "credit", "origin", *PUBLISHER_RULES)

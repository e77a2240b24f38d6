"""The audit policy: general rules, the publishers' republishing rules of the default
policy (each with a passing and a failing copy), severities, and bad policy files.

Reports come from the real pipeline: small HTML documents loaded and checked with
`check_document` against an original on the publisher's site.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from provenance.audit.policy import (
    RULE_IDS,
    Policy,
    RuleResult,
    evaluate_policy,
    failed_rules,
    load_policy,
    origin_domain,
)
from provenance.errors import SettingsError
from provenance.load import load_documents
from provenance.models import EditKind, Report, Severity, Verdict
from provenance.pipeline import check_document
from provenance.settings import Settings

SETTINGS = Settings(offline=True, cache_dir=None, archive_path=Path("/nonexistent/archive.sqlite"))
DEFAULT = load_policy()
PARAGRAPHS = (
    "Researchers at the university found that sunscreen blocks ultraviolet light by absorbing "
    "it in a thin layer on the skin, which then releases the energy as heat.",
    "The team tested twelve common products over three summers and found that most of them "
    "met the protection level printed on the bottle.",
    "Only two products fell short, and both were sprays that left gaps when applied outdoors "
    "in the wind, the researchers said.",
)
EDITED = (
    PARAGRAPHS[0],
    "Over three summers the team tried a dozen popular brands, and nearly all of them beat "
    "the protection claimed on the label.",
    PARAGRAPHS[2],
)
STUDY_LINK = '<p>Read <a href="https://journals.example.org/sunscreen-study">the study</a>.</p>'
CONVERSATION_URL = "https://theconversation.com/how-sunscreen-works-123456"
CONVERSATION_PIXEL = (
    '<img src="https://counter.theconversation.com/content/123456/count.gif'
    '?distributor=republish-lightbox-basic" alt="The Conversation" width="1" height="1">'
)
CONVERSATION_BYLINE = "<p>By Jane Doe, The Conversation</p>"
CONVERSATION_LINK = f'<p>Republished from <a href="{CONVERSATION_URL}">The Conversation</a>.</p>'
PROPUBLICA_URL = "https://www.propublica.org/article/how-sunscreen-works"
PROPUBLICA_PIXEL = (
    '<img src="https://pixel.propublica.org/pixel.gif?id=how-sunscreen-works" alt="">'
)
CALMATTERS_URL = "https://calmatters.org/health/2025/06/how-sunscreen-works/"
NO_CALMATTERS_CREDIT = (
    "neither a canonical to calmatters.org nor an 'originally published by CalMatters' line"
)


def _page(paragraphs: tuple[str, ...], extra: str = "", head: str = "") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html><head><title>How sunscreen works</title>{head}</head><body><article>"
        f"<h1>How sunscreen works</h1>{body}{extra}</article></body></html>"
    ).encode()


def check(copy: bytes, original: bytes, *, original_url: str) -> Report:
    """The report of `copy` checked against `original` published at `original_url`."""
    [orig] = load_documents(
        original, source="original", settings=SETTINGS, content_type="text/html", url=original_url
    )
    [doc] = load_documents(
        copy,
        source="copy",
        settings=SETTINGS,
        content_type="text/html",
        url="https://copier.example/sun",
    )
    return check_document(doc, original=orig, settings=SETTINGS)


def rules_of(report: Report, policy: Policy = DEFAULT) -> dict[str, RuleResult]:
    results = evaluate_policy(report, policy)
    assert len({r.rule for r in results}) == len(results), results
    return {r.rule: r for r in results}


# ---- the default policy's publishers -------------------------------------------------


def test_default_policy_holds_the_documented_publishers() -> None:
    rules = {domain: p.rules for domain, p in DEFAULT.publishers.items()}
    assert rules["theconversation.com"] == (
        "edits-style-only",
        "byline",
        "link-back",
        "tracking-pixel",
    )
    assert rules["propublica.org"] == ("edits-style-only", "keep-all-links", "tracking-pixel")
    assert rules["calmatters.org"] == ("canonical-or-credit-line",)
    assert all(p.source.startswith("https://") for p in DEFAULT.publishers.values())
    assert DEFAULT.fail_verdicts == frozenset({Verdict.MODIFIED, Verdict.REWRITTEN})


def _conversation(
    *,
    paragraphs: tuple[str, ...] = PARAGRAPHS,
    byline: bool = True,
    link: bool = True,
    pixel: bool = True,
) -> Report:
    extra = (CONVERSATION_BYLINE if byline else "") + (CONVERSATION_LINK if link else "")
    extra += CONVERSATION_PIXEL if pixel else ""
    return check(_page(paragraphs, extra), _page(PARAGRAPHS), original_url=CONVERSATION_URL)


def test_conversation_copy_that_follows_every_rule_passes() -> None:
    report = _conversation()
    assert origin_domain(report) == "theconversation.com"
    rules = rules_of(report)
    for rule in ("edits-style-only", "byline", "link-back", "tracking-pixel"):
        assert rules[rule].passed, rules[rule]
    assert rules["byline"].message == "byline: By Jane Doe, The Conversation"
    assert rules["link-back"].message == f"links to theconversation.com: {CONVERSATION_URL}"
    assert rules["tracking-pixel"].message == "tracking pixel found (123456)"
    assert failed_rules(tuple(rules.values()), Severity.INFO) == []


@pytest.mark.parametrize(
    ("change", "rule", "message"),
    [
        ({"paragraphs": EDITED}, "edits-style-only", "1 paragraph edited beyond style (copy 2)"),
        ({"byline": False}, "byline", "no byline naming the author and The Conversation"),
        ({"link": False}, "link-back", "no link to theconversation.com"),
        (
            {"pixel": False},
            "tracking-pixel",
            "no tracking pixel of The Conversation (counter.theconversation.com)",
        ),
    ],
)
def test_conversation_copy_breaking_one_rule_fails_that_rule(
    change: dict[str, object], rule: str, message: str
) -> None:
    rules = rules_of(_conversation(**change))  # type: ignore[arg-type]
    failed = {name for name, r in rules.items() if not r.passed}
    assert rule in failed
    assert rules[rule].message == message
    assert rules[rule].severity is Severity.ERROR
    # Only the broken rule fails; an edited copy is also "modified", and without a byline
    # the copy credits no one.
    assert failed - {"credit", "verdict"} == {rule}
    assert ("verdict" in failed) is (rule == "edits-style-only")


# The same copy with edits of style only (a reporting verb, a number in words, UK spelling)
# and with one number changed.
STYLE_EDITED = (
    PARAGRAPHS[0],
    PARAGRAPHS[1].replace("twelve", "12"),
    PARAGRAPHS[2].replace("the researchers said", "the researchers stated"),
)
NUMBER_EDITED = (PARAGRAPHS[0], PARAGRAPHS[1].replace("twelve", "fifteen"), PARAGRAPHS[2])


def test_a_copy_edited_for_style_only_keeps_the_conversations_rules() -> None:
    report = _conversation(paragraphs=STYLE_EDITED)
    assert report.verdict is Verdict.FAITHFUL
    assert "style-edits" in {f.code for f in report.findings}
    rules = rules_of(report)
    assert rules["edits-style-only"].passed, rules["edits-style-only"]


def test_a_number_changed_breaks_edits_style_only() -> None:
    report = _conversation(paragraphs=NUMBER_EDITED)
    assert report.verdict is Verdict.MODIFIED
    rules = rules_of(report)
    assert not rules["edits-style-only"].passed
    assert rules["edits-style-only"].message == "1 paragraph edited beyond style (copy 2)"


@pytest.mark.parametrize(
    ("paragraphs", "passed", "message"),
    [
        (
            STYLE_EDITED,
            True,
            "no edit of a denied kind (modality, name, negation, number, wording)",
        ),
        (NUMBER_EDITED, False, "1 number edit(s) denied, e.g. copy 2: 'twelve' -> 'fifteen'"),
    ],
)
def test_deny_edits_fails_a_copy_with_an_edit_of_a_denied_kind(
    paragraphs: tuple[str, ...], passed: bool, message: str
) -> None:
    report = _conversation(paragraphs=paragraphs)
    kinds = ["number", "negation", "name", "modality", "wording"]
    policy = replace(DEFAULT, deny_edits=frozenset(EditKind(k) for k in kinds))
    [edits] = [r for r in evaluate_policy(report, policy) if r.rule == "edits"]
    assert (edits.passed, edits.message) == (passed, message)


def test_the_default_policy_denies_no_edit_kind() -> None:
    assert DEFAULT.deny_edits == frozenset()
    assert "edits" not in rules_of(_conversation(paragraphs=NUMBER_EDITED))


def _propublica(
    *, links: bool = True, pixel: bool = True, paragraphs: tuple[str, ...] = PARAGRAPHS
) -> Report:
    credit = (
        f'<p>This story was originally published by <a href="{PROPUBLICA_URL}">ProPublica</a>.</p>'
    )
    extra = (STUDY_LINK if links else "") + credit + (PROPUBLICA_PIXEL if pixel else "")
    return check(
        _page(paragraphs, extra), _page(PARAGRAPHS, STUDY_LINK), original_url=PROPUBLICA_URL
    )


def test_propublica_copy_keeping_links_and_pixel_passes() -> None:
    rules = rules_of(_propublica())
    assert [rules[r].passed for r in ("edits-style-only", "keep-all-links", "tracking-pixel")] == [
        True
    ] * 3
    assert rules["keep-all-links"].message == "0 of 1 links of the original missing"
    assert rules["credit"].passed


@pytest.mark.parametrize(
    ("change", "rule", "message"),
    [
        ({"links": False}, "keep-all-links",
         "1 of 1 links of the original missing, e.g. journals.example.org/sunscreen-study"),
        ({"pixel": False}, "tracking-pixel",
         "no tracking pixel of ProPublica (pixel.propublica.org)"),
        ({"paragraphs": EDITED}, "edits-style-only", "1 paragraph edited beyond style (copy 2)"),
    ],
)  # fmt: skip
def test_propublica_copy_breaking_one_rule_fails_that_rule(
    change: dict[str, object], rule: str, message: str
) -> None:
    rules = rules_of(_propublica(**change))  # type: ignore[arg-type]
    failed = {name for name, r in rules.items() if not r.passed}
    assert failed == ({rule, "verdict"} if rule == "edits-style-only" else {rule})
    assert rules[rule].message == message


@pytest.mark.parametrize(
    ("extra", "head", "passed", "message"),
    [
        ("<p>This story was originally published by CalMatters.</p>", "", True,
         "credit line: This story was originally published by CalMatters"),
        ("", f'<link rel="canonical" href="{CALMATTERS_URL}">', True,
         f"canonical {CALMATTERS_URL}"),
        ("", "", False, NO_CALMATTERS_CREDIT),
        ("<p>This story was originally published by Reuters.</p>", "", False, NO_CALMATTERS_CREDIT),
    ],
)  # fmt: skip
def test_calmatters_needs_a_canonical_or_an_originally_published_line(
    extra: str, head: str, passed: bool, message: str
) -> None:
    report = check(_page(PARAGRAPHS, extra, head), _page(PARAGRAPHS), original_url=CALMATTERS_URL)
    rule = rules_of(report)["canonical-or-credit-line"]
    assert (rule.passed, rule.message) == (passed, message)


def test_publisher_rules_apply_only_to_that_publishers_stories() -> None:
    report = check(_page(PARAGRAPHS), _page(PARAGRAPHS), original_url="https://www.reuters.com/x/")
    assert set(rules_of(report)) == {"verdict", "thresholds", "credit"}


def test_edits_rule_without_an_original_is_a_warning() -> None:
    [doc] = load_documents(
        _page(PARAGRAPHS, "<p>This article was originally published on The Conversation.</p>"),
        source="copy", settings=SETTINGS, content_type="text/html", url="https://copier.example/sun",
    )  # fmt: skip
    report = check_document(doc, settings=SETTINGS)
    assert report.original is None and origin_domain(report) == "theconversation.com"
    rule = rules_of(report)["edits-style-only"]
    assert (rule.passed, rule.severity, rule.message) == (
        False,
        Severity.WARNING,
        "no original to compare with",
    )
    assert "edits-style-only" not in {
        r.rule for r in failed_rules(evaluate_policy(report, DEFAULT), Severity.ERROR)
    }
    assert "edits-style-only" in {
        r.rule for r in failed_rules(evaluate_policy(report, DEFAULT), Severity.WARNING)
    }


# ---- general rules -------------------------------------------------------------------


def test_verdict_thresholds_and_credit_rules() -> None:
    faithful = check(
        _page(PARAGRAPHS), _page(PARAGRAPHS), original_url="https://www.reuters.com/x/"
    )
    assert faithful.verdict is Verdict.FAITHFUL
    rules = rules_of(faithful)
    assert rules["verdict"].passed and rules["thresholds"].passed
    assert (rules["credit"].passed, rules["credit"].message) == (False, "credit uncredited")
    strict = replace(
        DEFAULT, fail_verdicts=frozenset({Verdict.FAITHFUL}), min_fidelity=1.0, min_coverage=1.0
    )
    rules = rules_of(faithful, strict)
    assert (rules["verdict"].passed, rules["verdict"].message) == (False, "verdict faithful")
    assert rules["thresholds"].passed  # a perfect copy meets even floors of 1.0
    lenient = replace(DEFAULT, require_credit=False)
    assert "credit" not in rules_of(faithful, lenient)


def test_thresholds_fail_a_copy_below_the_floor() -> None:
    partial = check(
        _page(PARAGRAPHS[:2]), _page(PARAGRAPHS), original_url="https://www.reuters.com/x/"
    )
    assert partial.scores is not None and partial.scores.coverage < 0.9
    rule = rules_of(partial, replace(DEFAULT, min_coverage=0.9))["thresholds"]
    assert not rule.passed and rule.message.startswith(
        f"coverage {partial.scores.coverage:.2f} (min 0.90)"
    )


@pytest.mark.parametrize(
    ("allowed", "licensed", "require", "passed", "message"),
    [
        (frozenset(), frozenset(), False, None, None),
        (frozenset({"reuters.com"}), frozenset(), False, True, "origin reuters.com allowed"),
        (frozenset({"apnews.com"}), frozenset(), False, False, "origin reuters.com is not allowed"),
        (frozenset(), frozenset({"apnews.com"}), True, False, "no licence for origin reuters.com"),
        (frozenset(), frozenset({"reuters.com"}), True, True, "origin reuters.com allowed"),
    ],
)
def test_origin_rule(
    allowed: frozenset[str],
    licensed: frozenset[str],
    require: bool,
    passed: bool | None,
    message: str | None,
) -> None:
    report = check(_page(PARAGRAPHS), _page(PARAGRAPHS), original_url="https://www.reuters.com/x/")
    policy = replace(
        DEFAULT, allowed_origins=allowed, licensed_origins=licensed, require_licence=require
    )
    rule = rules_of(report, policy).get("origin")
    assert (rule.passed, rule.message) == (passed, message) if rule else passed is None


def test_severity_override_and_fail_on() -> None:
    report = check(_page(PARAGRAPHS), _page(PARAGRAPHS), original_url="https://www.reuters.com/x/")
    policy = replace(DEFAULT, severities={"credit": Severity.WARNING})
    results = evaluate_policy(report, policy)
    assert rules_of(report, policy)["credit"].severity is Severity.WARNING
    assert failed_rules(results, Severity.ERROR) == []
    assert [r.rule for r in failed_rules(results, Severity.WARNING)] == ["credit"]
    assert [r.rule for r in failed_rules(results, Severity.INFO)] == ["credit"]


# ---- policy files --------------------------------------------------------------------


def test_policy_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(
        '[defaults]\nfail_verdicts = ["rewritten"]\nmin_coverage = 0.5\nrequire_credit = false\n'
        'allowed_origins = ["reuters.com"]\n[severity]\ncredit = "warning"\n'
        '[publishers."example.org"]\nname = "Example"\nrules = ["byline"]\n',
        encoding="utf-8",
    )
    policy = load_policy(path)
    assert policy.fail_verdicts == frozenset({Verdict.REWRITTEN})
    assert (policy.min_coverage, policy.require_credit) == (0.5, False)
    assert policy.allowed_origins == frozenset({"reuters.com"})
    assert policy.severities == {"credit": Severity.WARNING}
    assert policy.publishers["example.org"].rules == ("byline",)
    assert policy.source == str(path)


X_ORG = '[publishers."x.org"]'


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[defaults\n", "invalid TOML ("),
        ("[defaults]\nfail_verdicts = ['bogus']\n", "'bogus' is not a valid Verdict"),
        ("[defaults]\nfail_verdicts = 'modified'\n", "fail_verdicts must be a list of strings"),
        ("[defaults]\nmin_coverage = 1.5\n", "min_coverage must be between 0 and 1, not 1.5"),
        ("[defaults]\nmin_coverage = 'high'\n", "min_coverage must be a number between 0 and 1"),
        ("[defaults]\nrequire_credit = 'no'\n", "require_credit must be true or false, not 'no'"),
        ("[defaults]\nstrictness = 3\n", "unknown setting(s) strictness; known: "),
        ("[defaults]\ndeny_edits = ['typos']\n", "deny_edits: unknown edit kind 'typos'"),
        ("[rules]\n", "unknown section(s) rules; known: defaults, publishers, severity"),
        ("defaults = 3\n", "[defaults] must be a table, not int"),
        ("[severity]\ncredit = 'fatal'\n", "'fatal' is not a valid Severity"),
        ("[severity]\nvibes = 'error'\n", "unknown rule(s) in [severity] vibes; known: "),
        ("[publishers]\n'x.org' = 3\n", f"{X_ORG} must be a table, not int"),
        ("[publishers.'x.org']\nrules = ['nice']\n", f"{X_ORG}: unknown rule(s) nice"),
        ("[publishers.'x.org']\nrules = 'byline'\n", f"{X_ORG} rules must be a list of strings"),
        ("[publishers.'x.org']\npixle = 'p'\n", f"unknown key(s) in {X_ORG} pixle; known: "),
        (b"\xff\xfe[defaults]", "cannot read policy ("),
    ],
)
def test_bad_policy_file_is_a_one_line_settings_error_naming_the_file(
    tmp_path: Path, text: str | bytes, problem: str
) -> None:
    path = tmp_path / "policy.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        load_policy(path)
    message = str(caught.value)
    prefix = "" if problem.startswith(("invalid TOML", "cannot read")) else "invalid policy ("
    assert message.startswith(f"{path}: {prefix}{problem}"), message
    assert "\n" not in message


def test_missing_policy_file_is_a_settings_error(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    with pytest.raises(SettingsError, match=rf"^{path}: cannot read policy \("):
        load_policy(path)


def test_every_rule_id_can_have_its_severity_set(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text("[severity]\n" + "".join(f'{r} = "info"\n' for r in RULE_IDS), encoding="utf-8")
    assert set(load_policy(path).severities) == set(RULE_IDS)


# ---- rules that compare with the original --------------------------------------------

AUTHOR_HEAD = '<meta name="author" content="Jane Doe">'
WRONG_PIXEL = CONVERSATION_PIXEL.replace("/123456/", "/999999/")


def _conversation_with(extra: str, *, original_extra: str = "") -> Report:
    original = _page(PARAGRAPHS, original_extra, head=AUTHOR_HEAD)
    return check(_page(PARAGRAPHS, extra), original, original_url=CONVERSATION_URL)


def test_conversation_pixel_with_another_articles_id_fails() -> None:
    right = rules_of(_conversation_with(CONVERSATION_LINK + CONVERSATION_PIXEL))
    wrong = rules_of(_conversation_with(CONVERSATION_LINK + WRONG_PIXEL))
    assert right["tracking-pixel"].passed
    assert (wrong["tracking-pixel"].passed, wrong["tracking-pixel"].message) == (
        False,
        "tracking pixel counts article 999999, but the original is article 123456",
    )


@pytest.mark.parametrize(
    ("byline", "passed", "message"),
    [
        ("<p>By John Smith, The Conversation</p>", False,
         "byline 'By John Smith, The Conversation' does not name the original's author (Jane Doe)"),
        ("<p>Jane Doe, University of Example</p>", True,
         "byline: Jane Doe, University of Example"),
        ("<p>By Jane Doe, The Conversation</p>", True, "byline: By Jane Doe, The Conversation"),
        ("", False, "no byline naming the original's author (Jane Doe)"),
    ],
)  # fmt: skip
def test_byline_must_name_the_originals_author(byline: str, passed: bool, message: str) -> None:
    rule = rules_of(_conversation_with(byline + CONVERSATION_LINK))["byline"]
    assert (rule.passed, rule.message) == (passed, message)


def test_adding_by_before_a_byline_is_a_style_edit() -> None:
    original = _page(("Jane Doe, University of Example", *PARAGRAPHS), head=AUTHOR_HEAD)
    copy = _page(("By Jane Doe, University of Example", *PARAGRAPHS), CONVERSATION_LINK)
    report = check(copy, original, original_url=CONVERSATION_URL)
    rules = rules_of(report)
    assert rules["edits-style-only"].passed, rules["edits-style-only"]
    assert rules["byline"].passed


def test_calmatters_canonical_to_the_original_passes_the_default_credit_rule() -> None:
    head = f'<link rel="canonical" href="{CALMATTERS_URL}">'
    report = check(_page(PARAGRAPHS, head=head), _page(PARAGRAPHS), original_url=CALMATTERS_URL)
    rules = rules_of(report)
    assert rules["credit"].passed, rules["credit"]
    assert rules["credit"].message == (
        f"credited by canonical {CALMATTERS_URL} (CalMatters's rules)"
    )
    bare = check(_page(PARAGRAPHS), _page(PARAGRAPHS), original_url=CALMATTERS_URL)
    assert not rules_of(bare)["credit"].passed

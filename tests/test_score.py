"""score: scores, verdicts, credit and findings on synthetic and real pairs."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st
from shared_dir import SHARED, have_shared

from provenance.align import align_paragraphs
from provenance.models import (
    Alignment,
    Attribution,
    Credit,
    DiffOp,
    Document,
    Evidence,
    Finding,
    Marker,
    Origin,
    Original,
    Paragraph,
    ParagraphMatch,
    Report,
    Severity,
    Status,
    Verdict,
)
from provenance.score import score
from provenance.score.derived import run_shares, shared_runs
from provenance.settings import Settings
from provenance.text import quote_mask, words

ROOT = Path(__file__).resolve().parents[1]
CORPUS = SHARED / "corpus" / "allsides_abp"
SETTINGS = Settings()


def _bench() -> ModuleType:
    """The benchmark module, which holds the synthetic case builders."""
    if "bench_align" not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            "bench_align", ROOT / "benchmarks" / "bench_align.py"
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_align"] = module
        spec.loader.exec_module(module)
    return sys.modules["bench_align"]


def read_real(path: Path) -> list[Paragraph]:
    """A shared real file: URL line, `# NOTE` lines, then one paragraph per non-empty line."""
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    texts = [ln.strip() for ln in lines if ln.strip() and not ln.startswith("# NOTE")]
    return [Paragraph(i, t) for i, t in enumerate(texts)]


def _doc(
    paragraphs: list[Paragraph] | tuple[Paragraph, ...], url: str | None = None, **kw
) -> Document:  # type: ignore[no-untyped-def]
    return Document(source="test", kind="text", paragraphs=tuple(paragraphs), url=url, **kw)


def check(
    copy: Document,
    original: Document | None,
    evidence: Evidence | None = None,
    settings: Settings = SETTINGS,
) -> Report:
    """Align (when there is an original) and score, as the pipeline does."""
    evidence = evidence or Evidence()
    found = Original(original, "test") if original is not None else None
    alignment = None
    if original is not None:
        content = [p for p in copy.paragraphs if p.index not in evidence.attribution_paragraphs]
        alignment = align_paragraphs(content, original.paragraphs, settings)
    return score(copy, evidence, found, alignment, settings)


# Synthetic pairs built from the ../shared corpus (none without it: those tests skip).
CASES = _bench().corpus_cases(3) if have_shared() else []


@pytest.mark.shared
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_synthetic_verdict_and_coverage(case) -> None:  # type: ignore[no-untyped-def]
    report = check(_doc(case.copy), _doc(case.original, "https://example.org/a"))
    assert report.scores is not None
    assert report.verdict is case.verdict, f"{case.name}: {report.scores}"
    assert abs(report.scores.coverage - case.coverage) <= 0.03, case.name
    for value in (report.scores.coverage, report.scores.fidelity):
        assert 0.0 <= value <= 1.0
    assert 0.0 <= report.scores.additions <= 1.0 and 0.0 <= report.scores.order <= 1.0


@pytest.mark.shared
@pytest.mark.parametrize(
    ("op", "check_scores"),
    [
        ("verbatim", lambda s: s.coverage == s.fidelity == s.order == 1.0 and s.additions == 0.0),
        ("chrome", lambda s: s.additions < 0.02),
        ("added", lambda s: s.additions > SETTINGS.faithful_max_additions),
        ("moved", lambda s: s.order < 1.0 and s.coverage == 1.0),
        ("edited", lambda s: s.fidelity < 1.0),
        ("spun", lambda s: s.fidelity < 0.9),
        ("unrelated", lambda s: s.coverage < 0.05 and s.order == 1.0),
    ],
)
def test_score_components(op: str, check_scores) -> None:  # type: ignore[no-untyped-def]
    for case in (c for c in CASES if c.op == op):
        report = check(_doc(case.copy), _doc(case.original))
        assert check_scores(report.scores), f"{case.name}: {report.scores}"


@pytest.mark.shared
def test_quote_alteration_is_an_error_finding() -> None:
    case = next(c for c in CASES if c.op == "quote")
    report = check(_doc(case.copy), _doc(case.original))
    quotes = [f for f in report.findings if f.code == "quote-altered"]
    assert len(quotes) == 1 and quotes[0].severity is Severity.ERROR
    assert "1 change inside quotation marks" in quotes[0].message


@pytest.mark.shared
def test_dropped_and_added_findings_carry_numbers() -> None:
    case = next(c for c in CASES if c.op == "dropped")
    report = check(_doc(case.copy), _doc(case.original))
    (dropped,) = [f for f in report.findings if f.code == "paragraphs-dropped"]
    n_words = sum(
        len(case.original[i].text.split())
        for i, s in case.original_status.items()
        if s is Status.DROPPED
    )
    assert dropped.message == (
        f"2 of {len(case.original)} original paragraphs are missing from the copy ({n_words} words)"
    )
    added = next(c for c in CASES if c.op == "added")
    report = check(_doc(added.copy), _doc(added.original))
    assert any(f.code == "paragraphs-added" for f in report.findings)
    chrome = next(c for c in CASES if c.op == "chrome")
    report = check(_doc(chrome.copy), _doc(chrome.original))
    assert not any(f.code == "paragraphs-added" for f in report.findings)


@pytest.mark.shared
def test_real_affiliate_copy_is_faithful_or_trimmed() -> None:
    family = SHARED / "real" / "families" / "cnn-asian-markets-2019-11-18"
    copy = _doc(read_real(family / "kvia_cnn-affiliate.txt"), "https://kvia.com/news/x")
    original = _doc(
        read_real(family / "ORIGINAL_cnn_groundtruth.txt"),
        "https://www.cnn.com/2019/11/18/investing/asian-market-latest/index.html",
    )
    report = check(copy, original)
    assert report.verdict in (Verdict.FAITHFUL, Verdict.TRIMMED)
    assert report.scores is not None and report.scores.coverage > 0.95
    assert report.scores.fidelity == 1.0  # only deletions: the dateline and the tickers
    assert report.credit is Credit.UNCREDITED
    assert [f.code for f in report.findings if f.severity is Severity.ERROR] == ["uncredited-copy"]


@pytest.mark.shared
@pytest.mark.parametrize(
    "name",
    [
        "nbcnews_independent.txt",
        "talkingpointsmemo_independent.txt",
        "sourcepolitics_loose-rewrite.txt",
    ],
)
def test_real_independent_reports_are_unrelated(name: str) -> None:
    folder = SHARED / "real" / "negatives" / "cnn-walter-reed-2019-11-18"
    report = check(_doc(read_real(folder / name)), _doc(read_real(folder / "ORIGINAL_cnn.txt")))
    assert report.verdict is Verdict.UNRELATED
    assert not any(f.code in ("quote-altered", "uncredited-copy") for f in report.findings)


@pytest.mark.shared
@pytest.mark.parametrize(
    ("id_a", "id_b"),
    [
        ("73YSECbKobqHMum7", "rJWd8Z5GGI71pQQh"),  # CSM and Salon quote the same Obama line
        ("9Wt3mW2jQwppJhpP", "ohfCFXmwQaQmyNKt"),  # Vox and National Review
    ],
)
def test_same_topic_corpus_pairs_sharing_a_paragraph_are_unrelated(id_a: str, id_b: str) -> None:
    paths = {
        line.split("\t")[0]: line.split("\t")[1]
        for line in (CORPUS / "metadata.tsv").read_text(encoding="utf-8").splitlines()[1:]
    }
    a, b = (_bench().read_article(CORPUS / paths[i]) for i in (id_a, id_b))
    report = check(
        _doc([Paragraph(i, t) for i, t in enumerate(a)]),
        _doc([Paragraph(i, t) for i, t in enumerate(b)]),
    )
    assert report.verdict is Verdict.UNRELATED, report.scores


def test_no_original_is_unverified() -> None:
    report = check(_doc([Paragraph(0, "Some text.")]), None)
    assert (report.verdict, report.scores, report.alignment) == (Verdict.UNVERIFIED, None, None)
    assert report.credit is Credit.UNKNOWN


def _attr(kind: str, origin: str | None, name: str = "", url: str | None = None) -> Attribution:
    return Attribution(f"credit {name}", kind, name, origin, url, 5)


CREDIT_TABLE = [
    # (attributions, original url, evidence origin domain, expected credit)
    (
        [_attr("appeared-first-on", "cnn.com", "cnn.com")],
        "https://edition.cnn.com/x",
        None,
        Credit.CREDITED,
    ),
    (
        [_attr("appeared-first-on", None, "FOX NEWS")],
        "https://www.foxnews.com/a",
        None,
        Credit.CREDITED,
    ),
    (
        [_attr("originally-published", None, "", "https://www.bbc.co.uk/news/1")],
        "https://bbc.co.uk/n",
        None,
        Credit.CREDITED,
    ),
    (
        [_attr("appeared-first-on", "reuters.com", "Reuters")],
        "https://www.cnn.com/x",
        None,
        Credit.MISCREDITED,
    ),
    ([_attr("mention", "cnn.com", "CNN")], "https://www.cnn.com/x", None, Credit.UNCREDITED),
    ([], "https://www.cnn.com/x", None, Credit.UNCREDITED),
    ([], None, "cnn.com", Credit.UNCREDITED),
    ([_attr("dateline", "cnn.com", "CNN")], None, "cnn.com", Credit.CREDITED),
    ([_attr("byline", None, "")], "https://www.cnn.com/x", None, Credit.UNCREDITED),
    ([_attr("appeared-first-on", "cnn.com", "CNN")], None, None, Credit.UNKNOWN),
    ([], None, None, Credit.UNKNOWN),
]


@pytest.mark.parametrize(("attributions", "url", "origin", "expected"), CREDIT_TABLE)
def test_credit(
    attributions: list[Attribution], url: str | None, origin: str | None, expected: Credit
) -> None:
    evidence = Evidence(attributions=tuple(attributions), origin=Origin(None, origin, 0.5))
    copy = _doc([Paragraph(0, "A paragraph of the copy with enough words to be one.")])
    original = (
        _doc([Paragraph(0, "A paragraph of the copy with enough words to be one.")], url)
        if url
        else None
    )
    assert check(copy, original, evidence).credit is expected


def test_findings_pass_through_and_sort_errors_first() -> None:
    text = "The mayor announced a new plan for the city parks on Monday morning."
    copy = _doc(
        [Paragraph(0, text)],
        repairs=("utf-8 read as windows-1252",),
        notes=("content truncated at 20,000 characters", "feed item without a date"),
    )
    evidence = Evidence(
        attributions=(_attr("appeared-first-on", "foxnews.com", "FOX NEWS"),),
        markers=(Marker("CNN", "cnn.com", "cms", 3, "vossi-paragraph"),),
        findings=(Finding("possible-omissions", Severity.WARNING, "3 paragraphs may be missing"),),
    )
    report = check(copy, _doc([Paragraph(0, text)], "https://www.cnn.com/x"), evidence)
    assert report.verdict is Verdict.FAITHFUL and report.credit is Credit.MISCREDITED
    assert [(f.code, f.severity) for f in report.findings] == [
        ("miscredited-copy", Severity.ERROR),
        ("content-truncated", Severity.WARNING),
        ("possible-omissions", Severity.WARNING),
        ("load-note", Severity.INFO),
        ("mojibake-repaired", Severity.INFO),
    ]
    assert (
        report.findings[0].message
        == "credit lines name foxnews.com, but the original is on cnn.com"
    )


def test_unverified_copy_with_markers_is_uncredited() -> None:
    evidence = Evidence(
        markers=(Marker("CNN", "cnn.com", "cms", 3, "vossi-paragraph"),),
        origin=Origin("CNN", "cnn.com", 0.9),
    )
    report = check(_doc([Paragraph(0, "Text.")]), None, evidence)
    assert (report.verdict, report.credit) == (Verdict.UNVERIFIED, Credit.UNCREDITED)
    assert [f.code for f in report.findings] == ["uncredited-copy"]


def _match(
    status: Status, copy: str, original: str, diff: tuple[DiffOp, ...] = (), sim: float = 1.0
) -> ParagraphMatch:
    # Index 9: below the first paragraphs, where a short line could be a headline.
    return ParagraphMatch(9, 9, copy, original, status, sim, diff=diff)


_EIGHT = "a b c d e f g h"
_REPLACED = (
    DiffOp("equal", "a b c d", "a b c d"),
    DiffOp("replace", "e", "x"),
    DiffOp("equal", "f g h", "f g h"),
)
_DELETED = (
    DiffOp("equal", "a b c d", "a b c d"),
    DiffOp("delete", "e", ""),
    DiffOp("equal", "f g h", "f g h"),
)
HAND_MADE = [
    # (match, coverage, fidelity, verdict)
    (_match(Status.VERBATIM, _EIGHT, _EIGHT), 1.0, 1.0, Verdict.FAITHFUL),
    (
        _match(Status.EDITED, "a b c d x f g h", _EIGHT, _REPLACED, 0.9),
        0.875,
        0.875,
        Verdict.MODIFIED,
    ),
    (_match(Status.EDITED, "a b c d f g h", _EIGHT, _DELETED, 0.9), 0.875, 1.0, Verdict.TRIMMED),
    (_match(Status.REWRITTEN, "a b c d w x y z", _EIGHT, sim=0.5), 0.5, 0.5, Verdict.REWRITTEN),
]


@pytest.mark.parametrize(("match", "coverage", "fidelity", "verdict"), HAND_MADE)
def test_scores_of_hand_made_alignments(
    match: ParagraphMatch, coverage: float, fidelity: float, verdict: Verdict
) -> None:
    copy = _doc([Paragraph(0, match.copy_text)])
    original = Original(_doc([Paragraph(0, match.original_text)]), "test")
    report = score(copy, Evidence(), original, Alignment((match,)), SETTINGS)
    assert report.scores is not None
    assert (report.scores.coverage, report.scores.fidelity, report.verdict) == (
        coverage,
        fidelity,
        verdict,
    )


@pytest.mark.shared
def test_pure_and_deterministic() -> None:
    case = next(c for c in CASES if c.op == "edited")
    copy, original = _doc(case.copy), Original(_doc(case.original), "test")
    alignment = align_paragraphs(case.copy, case.original, SETTINGS)
    first = score(copy, Evidence(), original, alignment, SETTINGS)
    assert score(copy, Evidence(), original, alignment, SETTINGS) == first


# --- runs of words shared with the original (score.derived) ---------------------------

RUNS_TABLE = [
    # 5 of 7 words stand in runs ("cat sat on the mat"); "Yesterday the" do not
    (["Yesterday the cat sat on the mat"], ["a cat sat on the mat today"], 3, 5 / 7),
    (["the cat sat on the mat"], ["the cat sat", "on the mat"], 5, 0.0),
    # a copy's run may cross its paragraphs, an original's may not
    (["the cat", "sat down"], ["the cat sat down"], 3, 1.0),
    (["the cat sat down"], ["the cat", "sat down"], 3, 0.0),
    # names and numbers alone are no run; quoted words are not counted at all
    (["Mr Justice Smith 1,000 said"], ["Mr Justice Smith 1,000 agreed"], 3, 0.0),
    (['he said "we will win" today'], ['he said "we will win" today'], 3, 1.0),
    (['"We will win"'], ['"We will win"'], 3, 0.0),
    ([], ["anything"], 3, 0.0),
]


@pytest.mark.parametrize(("copy", "original", "n", "expected"), RUNS_TABLE)
def test_shared_runs(copy: list[str], original: list[str], n: int, expected: float) -> None:
    assert shared_runs(copy, original, n) == round(expected, 4)
    assert run_shares(copy, original, (n, n)) == (round(expected, 4),) * 2


def _reference_runs(copy: list[str], original: list[str], n: int) -> float:
    """shared_runs written word by word (the vectorised form must agree with it)."""

    def tokens(text: str) -> list[tuple[str, bool, bool]]:
        display = text.split()
        found = []
        for token, quoted in zip(display, quote_mask(display), strict=True):
            capital = token.lstrip("\"'\u201c\u2018(\u00ab\u201e")[:1].isupper()
            found += [(w, not (capital or w[:1].isdigit()), quoted) for w in words(token)]
        return found

    grams = set()
    for text in original:
        keys = [w for w, _, _ in tokens(text)]
        grams |= {tuple(keys[i : i + n]) for i in range(len(keys) - n + 1)}
    found = [t for text in copy for t in tokens(text)]
    covered = [False] * len(found)
    for i in range(len(found) - n + 1):
        run = found[i : i + n]
        if tuple(w for w, _, _ in run) in grams and any(plain for _, plain, _ in run):
            covered[i : i + n] = [True] * n
    counted = [c for c, (_, _, quoted) in zip(covered, found, strict=True) if not quoted]
    return round(sum(counted) / len(counted), 4) if counted else 0.0


_RUN_WORDS_ALPHABET = ["the", "cat", "sat", "on", "The", "Cat", "9", "1,000", "\u201cwe", 'win"',
                       "(Reuters)", "don\u2019t", "U.S.-led", "\u2014", "caf\u00e9", "&amp;"]  # fmt: skip
_PARAGRAPHS = st.lists(
    st.lists(st.sampled_from(_RUN_WORDS_ALPHABET), max_size=12).map(" ".join), max_size=4
)


@given(_PARAGRAPHS, _PARAGRAPHS)
def test_run_shares_follow_their_reference(copy: list[str], original: list[str]) -> None:
    expected = tuple(_reference_runs(copy, original, n) for n in (1, 3, 5))
    assert run_shares(copy, original, (1, 3, 5)) == expected

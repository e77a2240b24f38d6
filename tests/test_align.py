"""align_paragraphs on synthetic copies of real corpus articles and on real copies."""

from __future__ import annotations

import importlib.util
import random
import string
import sys
import time
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st
from shared_dir import SHARED, have_shared

from provenance.align import align_paragraphs
from provenance.models import Alignment, Paragraph, ParagraphMatch, Status
from provenance.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
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


# Synthetic pairs built from the ../shared corpus (none without it: those tests skip).
CASES = _bench().corpus_cases(3) if have_shared() else []
CASE_IDS = [c.name for c in CASES]


def _by_original(alignment: Alignment) -> dict[int, ParagraphMatch]:
    out: dict[int, ParagraphMatch] = {}
    for m in alignment.matches:
        if m.original_index is not None:
            out.setdefault(m.original_index, m)
    return out


def _by_copy(alignment: Alignment) -> dict[int, ParagraphMatch]:
    out: dict[int, ParagraphMatch] = {}
    for m in alignment.matches:
        if m.copy_index is not None:
            out.setdefault(m.copy_index, m)
    return out


@pytest.mark.shared
def test_every_operation_is_covered() -> None:
    ops = {c.op for c in CASES}
    assert ops >= {
        "verbatim", "trimmed", "dropped", "edited", "added", "chrome", "moved", "split",
        "merged", "style", "spun", "quote", "unrelated",
    }  # fmt: skip


@pytest.mark.shared
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_statuses_match_the_truth(case) -> None:  # type: ignore[no-untyped-def]
    alignment = align_paragraphs(case.copy, case.original, SETTINGS)
    by_orig, by_copy = _by_original(alignment), _by_copy(alignment)
    wrong = [
        (i, want, by_orig[i].status)
        for i, want in case.original_status.items()
        if by_orig[i].status != want
    ]
    wrong += [
        (i, want, by_copy[i].status)
        for i, want in case.copy_status.items()
        if by_copy[i].status != want
    ]
    # Spinning is judged per paragraph; a lightly spun short paragraph may read as edited.
    allowed = len(case.original_status) // 10 if case.op == "spun" else 0
    assert len(wrong) <= allowed, f"{case.name}: (index, want, got) {wrong}"


@pytest.mark.shared
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_every_paragraph_of_both_sides_is_accounted_for(case) -> None:  # type: ignore[no-untyped-def]
    alignment = align_paragraphs(case.copy, case.original, SETTINGS)
    assert {m.copy_index for m in alignment.matches} - {None} == {p.index for p in case.copy}
    assert {m.original_index for m in alignment.matches} - {None} == {
        p.index for p in case.original
    }
    for m in alignment.matches:
        assert (m.copy_index is None) == (m.status is Status.DROPPED)
        assert (m.original_index is None) == (m.status is Status.ADDED)
        assert 0.0 <= m.similarity <= 1.0


@pytest.mark.shared
@pytest.mark.parametrize("case", [c for c in CASES if c.op == "moved"], ids=lambda c: c.name)
def test_moved_paragraph_is_flagged_and_only_it(case) -> None:  # type: ignore[no-untyped-def]
    alignment = align_paragraphs(case.copy, case.original, SETTINGS)
    moved = {m.original_index for m in alignment.matches if m.moved}
    assert moved == set(case.moved)


@pytest.mark.shared
@pytest.mark.parametrize(
    "case", [c for c in CASES if c.op in ("split", "merged")], ids=lambda c: c.name
)
def test_split_and_merged_pair_every_part(case) -> None:  # type: ignore[no-untyped-def]
    alignment = align_paragraphs(case.copy, case.original, SETTINGS)
    statuses = Counter(m.status for m in alignment.matches)
    assert statuses[Status.ADDED] == statuses[Status.DROPPED] == 0
    per_original = Counter(m.original_index for m in alignment.matches)
    per_copy = Counter(m.copy_index for m in alignment.matches)
    if case.op == "merged":
        assert per_copy[0] == len(case.original)
    else:
        assert max(per_original.values()) == 2


def test_a_one_word_paragraph_merged_with_its_neighbours_is_kept() -> None:
    """A one-word heading and a picture's number between two paragraphs merged into one
    block are part of the block; a one-word paragraph the block does not hold is dropped,
    and so is one whose neighbours went to different copy paragraphs."""
    first = "The council voted on Tuesday to close the old bridge to heavy lorries for good."
    second = "Engineers had warned for years that its steel frame could not bear the weight."
    third = "Residents of the valley said the detour would add half an hour to every trip."
    original = [
        Paragraph(0, first),
        Paragraph(1, "\u2018Inexcusable\u2019"),
        Paragraph(2, second),
        Paragraph(3, "181111080732212"),
        Paragraph(4, third),
        Paragraph(5, "Advertisement"),
        Paragraph(6, first.replace("council", "board")),
    ]
    copy = [Paragraph(0, f"{first} \u2018Inexcusable\u2019 {second} 181111080732212 {third}")]
    by_original = {m.original_index: m for m in align_paragraphs(copy, original, SETTINGS).matches}
    assert [by_original[j].status for j in range(5)] == [Status.VERBATIM] * 5
    assert by_original[3].copy_index == 0
    assert [d.op for d in by_original[3].diff] == ["equal"]
    assert by_original[5].status is Status.DROPPED
    apart = [Paragraph(0, first), Paragraph(1, f"Inexcusable. {second}")]
    split = {m.original_index: m for m in align_paragraphs(apart, original[:3], SETTINGS).matches}
    assert split[1].status is Status.DROPPED


def test_style_only_changes_are_verbatim_without_diff() -> None:
    original = [Paragraph(0, 'He said "it\'s over" -- and left. Then   he   came back.')]
    copy = [Paragraph(7, f"HE SAID {LQ}it{RS}s over{RQ} \u2014 and left. Then he came back.")]
    (m,) = align_paragraphs(copy, original, SETTINGS).matches
    assert (m.copy_index, m.original_index, m.status, m.similarity) == (7, 0, Status.VERBATIM, 1.0)
    assert m.diff == () and m.quote_changes == ()


LQ, RQ, LS, RS = "\u201c", "\u201d", "\u2018", "\u2019"  # curly double and single quotes
QUOTE_TABLE = [
    # (original, copy, expected quote changes as (original words, copy words))
    (
        'He said "we will win the vote" today.',
        'He said "we will lose the vote" today.',
        [("win", "lose")],
    ),
    (
        f"She said {LQ}prices will rise sharply{RQ} on Monday.",
        f"She said {LQ}prices will fall sharply{RQ} on Monday.",
        [("rise", "fall")],
    ),
    (
        "Il a dit « nous allons gagner » hier soir.",
        "Il a dit « nous allons perdre » hier soir.",
        [("gagner", "perdre")],
    ),
    (
        f"He called it {LS}a total disgrace{RS} in public.",
        f"He called it {LS}a small disgrace{RS} in public.",
        [("total", "small")],
    ),
    (
        'He said "we will win the vote" today in Ohio.',
        'He said "we will win the vote" yesterday in Ohio.',
        [],
    ),
    (
        f"Trump{RS}s plan was approved by the Senate on Monday.",
        f"Biden{RS}s plan was approved by the Senate on Monday.",
        [],
    ),
    (
        f"The Smiths{RS} house, {LQ}a gem,{RQ} sold quickly for cash.",
        f"The Smiths{RS} house, {LQ}a gem,{RQ} sold slowly for cash.",
        [],
    ),
]


@pytest.mark.parametrize(("original", "copy", "expected"), QUOTE_TABLE)
def test_quote_changes(original: str, copy: str, expected: list[tuple[str, str]]) -> None:
    (m,) = align_paragraphs([Paragraph(0, copy)], [Paragraph(0, original)], SETTINGS).matches
    assert m.status is Status.EDITED
    assert [(q.original, q.copy) for q in m.quote_changes] == expected
    assert all(q in m.diff for q in m.quote_changes)


def test_word_diff_of_an_edit() -> None:
    original = [Paragraph(0, "The council voted on Tuesday to approve the new budget plan.")]
    copy = [Paragraph(0, "The council voted on Monday to approve the budget plan quickly.")]
    (m,) = align_paragraphs(copy, original, SETTINGS).matches
    ops = [(d.op, d.original, d.copy) for d in m.diff if d.op != "equal"]
    # "plan." and "plan" compare equal: punctuation is not a changed word.
    assert ops == [
        ("replace", "Tuesday", "Monday"),
        ("delete", "new", ""),
        ("insert", "", "quickly."),
    ]
    assert m.status is Status.EDITED


@pytest.mark.parametrize(
    ("copy", "original", "expected"),
    [
        ([], [], []),
        ([], ["Only in the original, a paragraph of words."], [Status.DROPPED]),
        (["Only in the copy, a paragraph of words."], [], [Status.ADDED]),
        (
            ["", "   "],
            ["Some text here of the original."],
            [Status.DROPPED, Status.ADDED, Status.ADDED],
        ),
    ],
)
def test_degenerate_inputs(copy: list[str], original: list[str], expected: list[Status]) -> None:
    alignment = align_paragraphs(
        [Paragraph(i, t) for i, t in enumerate(copy)],
        [Paragraph(i, t) for i, t in enumerate(original)],
        SETTINGS,
    )
    assert [m.status for m in alignment.matches] == expected


@pytest.mark.shared
def test_indices_are_paragraph_indices_not_positions() -> None:
    texts = CASES[0].original
    copy = [Paragraph(p.index * 3 + 1, p.text) for p in texts]
    alignment = align_paragraphs(copy, texts, SETTINGS)
    assert [(m.copy_index, m.original_index) for m in alignment.matches] == [
        (p.index * 3 + 1, p.index) for p in texts
    ]


@pytest.mark.shared
def test_deterministic() -> None:
    for case in CASES[:13]:
        first = align_paragraphs(case.copy, case.original, SETTINGS)
        assert align_paragraphs(case.copy, case.original, SETTINGS) == first


@pytest.mark.shared
def test_hashes_in_arrays_or_in_sets_give_the_same_alignment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A long alignment keeps its hashed terms in arrays, a short one in frozensets: the
    matches, notes and sentence links are the same either way."""
    from provenance.align import _postings

    in_sets = [align_paragraphs(c.copy, c.original, SETTINGS) for c in CASES]
    monkeypatch.setattr(_postings, "_COMPACT_FROM", 0)
    in_arrays = [align_paragraphs(c.copy, c.original, SETTINGS) for c in CASES]
    assert len(in_sets) >= 13 and in_sets == in_arrays


def test_a_sentence_s_informative_bigrams_are_informative_in_its_paragraph() -> None:
    """The shortcut for sentences without a possible source relies on it: every pair of
    words the paragraph aligner leaves out is left out by the sentence linker too."""
    from provenance.align import _STOPWORDS
    from provenance.align.sentences import _FUNCTION_WORDS

    assert _STOPWORDS <= _FUNCTION_WORDS


@pytest.mark.shared
def test_sentences_without_a_possible_source_skip_the_index_with_the_same_links(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A copy sentence sharing no bigram with the original and too short for a reworded
    link asks no index of the original's sentences; the links are those found without
    that shortcut."""
    import provenance.align as align_module
    from provenance.align import sentences

    indexed: list[int] = []
    split_all = sentences._SplitOnce.all

    def counting(self: sentences._SplitOnce) -> list[sentences._Sentence]:
        indexed.append(1)  # the index of all the original's sentences is being built
        return split_all(self)

    monkeypatch.setattr(sentences._SplitOnce, "all", counting)
    paragraphs = [t for a in _bench().pick_articles(20) for t in a]
    pairs = [(c.copy, c.original) for c in CASES]
    pairs += [_bench()._scaling_pair(paragraphs, n, start=7 * n) for n in (20, 50)]
    with_shortcut = [align_paragraphs(c, o, SETTINGS) for c, o in pairs]
    built_with = len(indexed)
    monkeypatch.setattr(align_module, "_whole_bigrams", lambda sides, n_copy: None)
    without = [align_paragraphs(c, o, SETTINGS) for c, o in pairs]
    assert with_shortcut == without
    assert built_with < len(indexed) - built_with  # the shortcut spared some indexes


@pytest.mark.shared
def test_large_documents_take_the_sparse_path_and_still_match() -> None:
    articles = _bench().pick_articles(60)
    texts = [f"{t} ({i})" for i, t in enumerate(t for a in articles for t in a)][:600]
    original = [Paragraph(i, t) for i, t in enumerate(texts)]
    copy = [Paragraph(i, t) for i, t in enumerate(texts) if i % 50]
    start = time.perf_counter()
    alignment = align_paragraphs(copy, original, SETTINGS)
    assert time.perf_counter() - start < SETTINGS.time_budget_seconds
    statuses = Counter(m.status for m in alignment.matches)
    assert statuses == {Status.VERBATIM: len(copy), Status.DROPPED: len(original) - len(copy)}


@pytest.mark.shared
def test_huge_paragraph_is_truncated_with_a_note_and_stays_fast() -> None:
    text = " ".join(p.text for p in CASES[0].original)
    huge = (text + " ") * (1_000_000 // len(text) + 1)
    start = time.perf_counter()
    alignment = align_paragraphs([Paragraph(0, huge)], list(CASES[0].original), SETTINGS)
    assert time.perf_counter() - start < SETTINGS.time_budget_seconds
    assert any("compared on its first" in n for n in alignment.notes)
    assert {m.status for m in alignment.matches} == {Status.VERBATIM}


@pytest.mark.shared
def test_spent_time_budget_leaves_pairs_unmatched_with_a_note() -> None:
    case = CASES[0]
    alignment = align_paragraphs(case.copy, case.original, Settings(time_budget_seconds=0.0))
    assert any("time budget" in n for n in alignment.notes)
    assert {m.status for m in alignment.matches} == {Status.ADDED, Status.DROPPED}


@pytest.mark.shared
def test_real_affiliate_copy_of_cnn() -> None:
    family = SHARED / "real" / "families" / "cnn-asian-markets-2019-11-18"
    copy = read_real(family / "kvia_cnn-affiliate.txt")
    original = read_real(family / "ORIGINAL_cnn_groundtruth.txt")
    alignment = align_paragraphs(copy, original, SETTINGS)
    by_orig = _by_original(alignment)
    assert _by_copy(alignment)[0].status is Status.ADDED  # the new headline
    assert all(by_orig[p.index].status in (Status.VERBATIM, Status.EDITED) for p in original)
    assert [m.copy_index for m in alignment.matches] == list(range(len(copy)))
    dateline = by_orig[0]
    assert dateline.status is Status.EDITED
    assert [(d.op, d.original) for d in dateline.diff if d.op != "equal"] == [
        ("delete", "Hong Kong (CNN Business)")
    ]
    tickers = [d.original for d in by_orig[2].diff if d.op == "delete"]
    assert tickers == ["(N225)", "(KOSPI)", "(SHCOMP)"]
    assert not any(m.quote_changes or m.moved for m in alignment.matches)


@pytest.mark.shared
@pytest.mark.parametrize("name", ["nbcnews_independent.txt", "talkingpointsmemo_independent.txt"])
def test_real_independent_reports_barely_match(name: str) -> None:
    folder = SHARED / "real" / "negatives" / "cnn-walter-reed-2019-11-18"
    alignment = align_paragraphs(
        read_real(folder / name), read_real(folder / "ORIGINAL_cnn.txt"), SETTINGS
    )
    matched = [
        m for m in alignment.matches if m.copy_index is not None and m.original_index is not None
    ]
    assert len(matched) <= 1
    assert all(m.status is Status.REWRITTEN for m in matched)


def test_postings_count_shared_terms_and_leave_out_common_ones() -> None:
    """The inverted index under both alignment levels: places in the order given, a term
    held by more places than the limit left out, only asked-for terms kept when told."""
    from provenance.align._postings import Postings

    items = [(0, [1, 2, 3]), (1, [2, 3]), (2, [3, 4]), (3, [5])]
    index = Postings(items, limit=2)
    assert index.shared([2, 3, 4, 9]) == {0: 1, 1: 1, 2: 1}  # term 3 is in 3 places > 2
    assert index.shared([1, 5]) == {0: 1, 3: 1}
    asked = Postings(items, limit=2, asked={2, 5})
    assert asked.shared([1, 2, 3, 4, 5]) == {0: 1, 1: 1, 3: 1}
    assert Postings(items, limit=3).shared([3]) == {0: 1, 1: 1, 2: 1}


def _story(n: int) -> list[str]:
    """`n` paragraphs of two made-up sentences each, no two sentences alike."""

    def sentence(k: int) -> str:
        rng = random.Random(k)
        picked = ("".join(rng.choices(string.ascii_lowercase, k=6)) for _ in range(7))
        return f"The {' '.join(picked)} number {k} came back."

    return [f"{sentence(2 * i)} {sentence(2 * i + 1)}" for i in range(n)]


def test_a_large_sentence_index_holds_only_asked_bigrams_with_the_same_links(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An original of more than `_SMALL_INDEX` sentences is indexed on the bigrams the
    copy can ask for: the sentence links are those of an index of every bigram."""
    from provenance.align import sentences

    original = _story(600)  # 1,200 sentences
    # Every 5th paragraph takes its second sentence from a paragraph 50 places on: only
    # the index of all the original's sentences finds it.
    copy = [
        p if i % 5 else p.split(". ")[0] + ". " + original[(i + 50) % 600].split(". ")[1]
        for i, p in enumerate(original)
    ]
    pair = (
        [Paragraph(i, t) for i, t in enumerate(copy)],
        [Paragraph(i, t) for i, t in enumerate(original)],
    )
    assert 2 * len(original) > sentences._SMALL_INDEX
    asked = align_paragraphs(*pair, SETTINGS)
    monkeypatch.setattr(sentences, "_SMALL_INDEX", 10**9)
    everything = align_paragraphs(*pair, SETTINGS)
    assert asked.sentence_links == everything.sentence_links
    taken = {(i, (i + 50) % 600) for i in range(0, 600, 5)}
    found = {
        (k.copy_paragraph, k.original_paragraph)
        for k in asked.sentence_links
        if k.copy_sentence == k.original_sentence == 1 and k.similarity == 1.0
    }
    assert taken <= found


@given(
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5), st.integers(1, 9)), max_size=9).map(
        sorted
    )
)
def test_heaviest_chain_is_the_heaviest_doubly_increasing_subsequence(items) -> None:  # type: ignore[no-untyped-def]
    from itertools import combinations, pairwise

    from provenance.align import heaviest_chain

    chain = heaviest_chain(items, lambda x: x[0], lambda x: x[1], lambda x: x[2])
    assert all(a[0] < b[0] and a[1] < b[1] for a, b in pairwise(chain))
    assert all(item in items for item in chain)
    best = max(
        (
            sum(x[2] for x in subset)
            for n in range(len(items) + 1)
            for subset in combinations(items, n)
            if all(a[0] < b[0] and a[1] < b[1] for a, b in pairwise(subset))
        ),
        default=0,
    )
    assert sum(x[2] for x in chain) == best

"""Alignment speed and accuracy: rapidfuzz `align_paragraphs` against a difflib baseline.

    python benchmarks/bench_align.py [--articles N]

Builds synthetic copy/original pairs with known ground truth from the shared AllSides
corpus (one pair per operation and article: verbatim, trimmed, dropped middle, edited
words, added paragraphs, chrome lines, moved, split, merged, style-only, spun, altered
quote, unrelated), aligns every pair with `align_paragraphs` and, in the same run, with a
difflib `SequenceMatcher` ratio matrix fed to the same assignment (difflib also gives the
word diffs and the sentence ratios of the baseline). Prints pairs/second,
the speed ratio, status accuracy and mean coverage error of both, and the worst single
pair (a 1 MB paragraph, 2,000-paragraph documents), and writes benchmarks/results/align.json.

Both aligners are timed in CPU seconds of this process (`time.process_time`; the work is
single-threaded), case by case in turn, with the memo caches of texts emptied before each
alignment: each pair is met for the first time, and a load that comes and goes on a shared
box weighs on both alike. The worst pairs are timed on the wall clock, as a user waits.

The case builders are also used by tests/test_align.py and tests/test_score.py.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import statistics
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))
sys.path.append(str(Path(__file__).resolve().parent))  # timing_caches, when loaded from a file

from timing_caches import forget_texts  # noqa: E402

from provenance.align import _align, align_paragraphs  # noqa: E402 (path set above)
from provenance.align._fuzz import fuzz, process  # noqa: E402
from provenance.models import (  # noqa: E402
    Alignment,
    Document,
    Evidence,
    Original,
    Paragraph,
    Status,
    Verdict,
)
from provenance.score import score  # noqa: E402
from provenance.settings import Settings  # noqa: E402
from provenance.text import comparison_key  # noqa: E402

SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "allsides_abp"
RESULTS = Path(__file__).resolve().parent / "results" / "align.json"

V, E, R, A, D = Status.VERBATIM, Status.EDITED, Status.REWRITTEN, Status.ADDED, Status.DROPPED
_FUNCTION_WORDS = frozenset(
    "a an and are as at be but by for from had has have he her his in is it its of on or "  # noqa: SIM905 (a word list reads best as one string)
    "said she that the their they this to was were which who will with".split()
)
# Spinner-style synonyms (a real spun copy turned "Associated Press" into "Related Press").
SYNONYMS = {
    "president": "leader",
    "government": "administration",
    "people": "individuals",
    "state": "province",
    "states": "provinces",
    "country": "nation",
    "officials": "authorities",
    "according": "in accordance",
    "report": "account",
    "reported": "stated",
    "first": "initial",
    "last": "previous",
    "week": "seven days",
    "year": "twelve months",
    "years": "decades",
    "told": "informed",
    "says": "states",
    "new": "fresh",
    "court": "tribunal",
    "house": "home",
    "white": "pale",
    "plan": "scheme",
    "policy": "coverage",
    "support": "backing",
    "million": "mil",
    "percent": "per cent",
    "campaign": "marketing campaign",
    "voters": "electors",
    "election": "vote",
    "public": "general public",
    "political": "governmental",
    "against": "towards",
    "because": "since",
    "however": "nevertheless",
    "also": "additionally",
    "many": "numerous",
    "help": "assist",
    "need": "require",
    "big": "large",
    "make": "create",
    "made": "created",
    "show": "present",
    "shows": "presents",
    "including": "together with",
    "former": "previous",
    "major": "main",
    "group": "team",
    "called": "named",
    "news": "information",
    "health": "wellbeing",
    "money": "cash",
    "law": "legislation",
    "city": "metropolis",
}
_FALLBACK = (
    "notable",
    "assorted",
    "particular",
    "sizeable",
    "crucial",
    "various",
    "distinct",
    "genuine",
    "broad",
    "typical",
    "eventual",
    "current",
    "relevant",
    "specific",
)
_FOREIGN_WORDS = ("zephyr", "quokka", "marmalade", "obsidian", "tangerine", "walrus", "xylophone")
CHROME = ("Menu", "Sign in", "Advertisement", "Published 3:45 PM ET, Mon November 18, 2019")
_SENTENCE_RE = re.compile('(?<=[.!?])["\u201d\u2019]?\\s+(?=[A-Z\u201c"])')


@dataclass(frozen=True)
class Case:
    """A synthetic copy of `original` with the statuses, coverage and verdict it should get."""

    name: str
    op: str
    copy: tuple[Paragraph, ...]
    original: tuple[Paragraph, ...]
    original_status: dict[int, Status]
    copy_status: dict[int, Status]
    coverage: float
    verdict: Verdict
    moved: frozenset[int] = field(default_factory=frozenset)


def read_article(path: Path) -> list[str]:
    """Paragraphs of a corpus file (title line dropped)."""
    blocks = [" ".join(b.split()) for b in path.read_text(encoding="utf-8").split("\n\n")]
    return [b for b in blocks[1:] if b]


def pick_articles(n: int, *, min_paragraphs: int = 8, min_words: int = 400) -> list[list[str]]:
    """`n` long articles spread over the corpus, chosen deterministically."""
    paths = sorted(CORPUS.glob("*/*.txt"))
    chosen: list[list[str]] = []
    step = max(1, len(paths) // (n * 4))
    for path in paths[::step]:
        paras = read_article(path)
        keys = {p.casefold() for p in paras}
        long_paras = [p for p in paras if len(p.split()) >= 12]
        if (
            len(paras) >= min_paragraphs
            and len(keys) == len(paras)
            and len(long_paras) >= len(paras) * 0.7
            and sum(len(p.split()) for p in paras) >= min_words
            and len(paras) <= 60
            and not _overlapping(paras)
        ):
            chosen.append(paras)
        if len(chosen) == n:
            break
    return chosen


def _overlapping(paras: list[str]) -> bool:
    """True for scraping artefacts where a paragraph repeats the end of the one before."""
    return any(" ".join(b.split()[:6]) in a for a, b in pairwise(paras))


def _tokens(paras: list[str]) -> int:
    return sum(len(p.split()) for p in paras)


def _doc(texts: list[str]) -> tuple[Paragraph, ...]:
    return tuple(Paragraph(i, t) for i, t in enumerate(texts))


def _case(
    name: str, op: str, copy: list[str], paras: list[str], statuses: dict[int, Status], **kw: object
) -> Case:
    kw.setdefault("copy_status", {})
    kw.setdefault("coverage", 1.0)
    kw.setdefault("verdict", Verdict.FAITHFUL)
    return Case(name, op, _doc(copy), _doc(paras), statuses, **kw)  # type: ignore[arg-type]


def _all(paras: list[str], status: Status) -> dict[int, Status]:
    return dict.fromkeys(range(len(paras)), status)


def _word_positions(text: str, *, quoted: bool | None = None) -> list[int]:
    """Indices of plain alphabetic tokens (optionally only inside/outside double quotes)."""
    out: list[int] = []
    inside = False
    for i, tok in enumerate(text.split()):
        opens = tok[:1] in '"“'
        inside = inside or opens
        if tok.isalpha() and len(tok) >= 4 and (quoted is None or quoted == inside):
            out.append(i)
        if inside and tok.rstrip(".,;:!?)")[-1:] in '"”' and not (opens and len(tok) == 1):
            inside = False
    return out


def _replace(text: str, positions: list[int], words: Iterator[str]) -> str:
    toks = text.split()
    for i in positions:
        toks[i] = next(words)
    return " ".join(toks)


def _spin(text: str) -> tuple[str, int]:
    """Replace every second content word with a synonym; returns (text, replaced tokens)."""
    out: list[str] = []
    eligible = replaced = 0
    for tok in text.split():
        core = tok.strip('.,;:!?"()\u201c\u201d\u2018\u2019')
        low = core.lower()
        if core.isalpha() and len(core) >= 4 and low not in _FUNCTION_WORDS:
            eligible += 1
            if eligible % 2 == 0:
                syn = SYNONYMS.get(low) or _FALLBACK[zlib.crc32(low.encode()) % len(_FALLBACK)]
                syn = syn.capitalize() if core[0].isupper() else syn
                out.append(tok.replace(core, syn))
                replaced += 1
                continue
        out.append(tok)
    return " ".join(out), replaced


def _curly(text: str) -> str:
    """Typographic quotes and dashes: a style-only change."""
    out, opening = [], True
    for ch in text:
        if ch == '"':
            out.append("“" if opening else "”")
            opening = not opening
        else:
            out.append("\u2019" if ch == "'" else ch)
    return "".join(out).replace(" -- ", " — ").replace("--", "—")


def build_cases(paras: list[str], other: list[str], tag: str) -> list[Case]:
    """Every synthetic operation applied to one article (`other` supplies foreign text)."""
    builders: list[Callable[[list[str], list[str], str], Case | None]] = [
        _verbatim, _trimmed, _dropped_middle, _edited, _added, _chrome, _moved, _split,
        _merged, _style, _spun, _quote, _unrelated,
    ]  # fmt: skip
    return [c for b in builders if (c := b(paras, other, tag)) is not None]


def _verbatim(p: list[str], _o: list[str], tag: str) -> Case:
    return _case(f"{tag}/verbatim", "verbatim", p, p, _all(p, V))


def _trimmed(p: list[str], _o: list[str], tag: str) -> Case:
    k = max(3, round(len(p) * 0.6))
    statuses = {i: V if i < k else D for i in range(len(p))}
    cov = _tokens(p[:k]) / _tokens(p)
    return _case(
        f"{tag}/trimmed", "trimmed", p[:k], p, statuses, coverage=cov, verdict=Verdict.TRIMMED
    )


def _dropped_middle(p: list[str], _o: list[str], tag: str) -> Case:
    gone = {len(p) // 2, len(p) // 2 + 1}
    copy = [t for i, t in enumerate(p) if i not in gone]
    statuses = {i: D if i in gone else V for i in range(len(p))}
    cov = _tokens(copy) / _tokens(p)
    return _case(
        f"{tag}/dropped", "dropped", copy, p, statuses, coverage=cov, verdict=Verdict.TRIMMED
    )


def _edited(p: list[str], _o: list[str], tag: str) -> Case | None:
    targets = [i for i, t in enumerate(p) if i > 0 and len(_word_positions(t, quoted=False)) >= 12]
    if len(targets) < 3:
        return None
    copy, statuses = list(p), _all(p, V)
    words = iter(_FOREIGN_WORDS * 3)
    for i in targets[:3]:
        pos = _word_positions(p[i], quoted=False)
        copy[i] = _replace(p[i], [pos[1], pos[len(pos) // 2], pos[-2]], words)
        statuses[i] = E
    cov = 1 - 9 / _tokens(p)
    return _case(
        f"{tag}/edited", "edited", copy, p, statuses, coverage=cov, verdict=Verdict.MODIFIED
    )


def _added(p: list[str], o: list[str], tag: str) -> Case:
    foreign = sorted(o, key=lambda t: (-len(t.split()), t))[:3]
    while _tokens(foreign) < 0.2 * _tokens(p) and len(foreign) < len(o):
        foreign = sorted(o, key=lambda t: (-len(t.split()), t))[: len(foreign) + 1]
    copy = [CHROME[2], *p[:2], foreign[0], *p[2:5], foreign[1], *p[5:], *foreign[2:]]
    copy_status = {i: A for i, t in enumerate(copy) if t in foreign or t == CHROME[2]}
    return _case(
        f"{tag}/added", "added", copy, p, _all(p, V), copy_status=copy_status,
        verdict=Verdict.MODIFIED,
    )  # fmt: skip


def _chrome(p: list[str], _o: list[str], tag: str) -> Case:
    copy = [CHROME[0], CHROME[1], CHROME[3], *p[:3], CHROME[2], *p[3:]]
    copy_status = {i: A for i, t in enumerate(copy) if t in CHROME}
    return _case(f"{tag}/chrome", "chrome", copy, p, _all(p, V), copy_status=copy_status)


def _moved(p: list[str], _o: list[str], tag: str) -> Case:
    copy = [p[0], *p[2:-1], p[1], p[-1]]
    return _case(f"{tag}/moved", "moved", copy, p, _all(p, V), moved=frozenset({1}))


def _split(p: list[str], _o: list[str], tag: str) -> Case | None:
    copy: list[str] = []
    done = 0
    for t in p:
        sentences = _SENTENCE_RE.split(t)
        if done < 2 and len(sentences) >= 2 and len(t.split()) >= 30:
            half = len(sentences) // 2
            copy += [" ".join(sentences[:half]), " ".join(sentences[half:])]
            done += 1
        else:
            copy.append(t)
    return _case(f"{tag}/split", "split", copy, p, _all(p, V)) if done else None


def _merged(p: list[str], _o: list[str], tag: str) -> Case:
    return _case(f"{tag}/merged", "merged", [" ".join(p)], p, _all(p, V))


def _style(p: list[str], _o: list[str], tag: str) -> Case:
    return _case(f"{tag}/style", "style", [_curly(t) for t in p], p, _all(p, V))


def _spun(p: list[str], _o: list[str], tag: str) -> Case:
    spun = [_spin(t) for t in p]
    kept = _tokens(p) - sum(n for _, n in spun)
    # A paragraph with few replacements is an edit, not a rewrite.
    statuses = {i: R if n >= 4 else E if n else V for i, (_, n) in enumerate(spun)}
    return _case(
        f"{tag}/spun", "spun", [t for t, _ in spun], p, statuses, coverage=kept / _tokens(p),
        verdict=Verdict.REWRITTEN,
    )  # fmt: skip


def _quote(p: list[str], _o: list[str], tag: str) -> Case | None:
    for i, t in enumerate(p):
        pos = _word_positions(t, quoted=True)
        if len(pos) >= 3:
            copy, statuses = list(p), _all(p, V)
            copy[i] = _replace(t, [pos[len(pos) // 2]], iter(_FOREIGN_WORDS))
            statuses[i] = E
            cov = 1 - 1 / _tokens(p)
            return _case(
                f"{tag}/quote", "quote", copy, p, statuses, coverage=cov, verdict=Verdict.MODIFIED
            )
    return None


def _unrelated(p: list[str], o: list[str], tag: str) -> Case:
    return _case(
        f"{tag}/unrelated", "unrelated", o, p, _all(p, D), copy_status=_all(o, A), coverage=0.0,
        verdict=Verdict.UNRELATED,
    )  # fmt: skip


def corpus_cases(n_articles: int) -> list[Case]:
    """Cases for `n_articles` corpus articles; article k borrows foreign text from k+1."""
    articles = pick_articles(n_articles + 1)
    cases: list[Case] = []
    for k in range(min(n_articles, len(articles) - 1)):
        cases += build_cases(articles[k], articles[k + 1], f"a{k:02d}")
    return cases


# --- evaluation ----------------------------------------------------------------------


def evaluate(case: Case, alignment: Alignment, settings: Settings) -> tuple[int, int, float]:
    """(statuses right, statuses checked, |coverage - truth|) for one aligned case."""
    by_orig: dict[int, Status] = {}
    by_copy: dict[int, Status] = {}
    for m in alignment.matches:
        if m.original_index is not None:
            by_orig.setdefault(m.original_index, m.status)
        if m.copy_index is not None:
            by_copy.setdefault(m.copy_index, m.status)
    right = sum(by_orig.get(i) == s for i, s in case.original_status.items())
    right += sum(by_copy.get(i) == s for i, s in case.copy_status.items())
    total = len(case.original_status) + len(case.copy_status)
    report = score_case(case, alignment, settings)
    coverage = report.scores.coverage if report.scores else 0.0
    return right, total, abs(coverage - case.coverage)


def score_case(case: Case, alignment: Alignment, settings: Settings):  # type: ignore[no-untyped-def]
    """The Report for a case (no evidence, original given)."""
    copy = Document(source=case.name, kind="text", paragraphs=case.copy)
    original = Original(Document(source="original", kind="text", paragraphs=case.original), "test")
    return score(copy, Evidence(), original, alignment, settings)


def difflib_opcodes(src: list[str], dest: list[str]) -> list[tuple[str, int, int, int, int]]:
    """Word-level opcodes from SequenceMatcher (autojunk off: it would drop common words)."""
    ops = difflib.SequenceMatcher(None, src, dest, autojunk=False).get_opcodes()
    out: list[tuple[str, int, int, int, int]] = []
    for tag, s0, s1, d0, d1 in ops:
        if tag == "replace":  # split like Indel's: a deletion then an insertion
            out += [("delete", s0, s1, d0, d0), ("insert", s1, s1, d0, d1)]
        else:
            out.append((tag, s0, s1, d0, d1))
    return out


def difflib_ratio(a: str, b: str) -> float:
    """The baseline's sentence similarity (rapidfuzz's ratio in `align_paragraphs`)."""
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def difflib_matrix(copy: list[str], orig: list[str], settings: Settings) -> list[list[float]]:
    """SequenceMatcher ratio matrix, with the usual quick_ratio upper-bound shortcuts."""
    cutoff = settings.edited_threshold
    rows: list[list[float]] = []
    for c in copy:
        sm = difflib.SequenceMatcher(None)
        sm.set_seq2(c)
        row = []
        for o in orig:
            sm.set_seq1(o)
            quick = sm.real_quick_ratio() >= cutoff and sm.quick_ratio() >= cutoff
            row.append(sm.ratio() if quick else 0.0)
        rows.append(row)
    return rows


def rapidfuzz_matrix(copy: list[str], orig: list[str], settings: Settings) -> list[list[float]]:
    """Every pair's ratio by rapidfuzz's cdist (the aligner itself scores only the pairs its
    bigram index proposes)."""
    cutoff = 100 * settings.edited_threshold
    matrix = process.cdist(copy, orig, scorer=fuzz.ratio, workers=1, score_cutoff=cutoff)
    return [[v / 100 for v in row] for row in matrix.tolist()]


def _paired_runs(
    cases: list[Case], settings: Settings, aligners: dict[str, Callable[[Case], Alignment]]
) -> dict[str, dict[str, float]]:
    """Each case aligned by each aligner in turn, the memo caches of texts emptied before
    every alignment (each pair is met for the first time, and no aligner finds another's
    work): a load that comes and goes on the box weighs on both alike. Each alignment is
    scored as soon as it is timed and only its score kept: hundreds of alignments held
    for the end would make every garbage collection of the run slower."""
    seconds = dict.fromkeys(aligners, 0.0)
    scores: dict[str, list[tuple[int, int, float]]] = {name: [] for name in aligners}
    for case in cases:
        for name, aligner in aligners.items():
            forget_texts()
            start = time.process_time()
            alignment = aligner(case)
            seconds[name] += time.process_time() - start
            scores[name].append(evaluate(case, alignment, settings))
    return {name: _scored(scores[name], seconds[name]) for name in aligners}


def _scored(scores: list[tuple[int, int, float]], elapsed: float) -> dict[str, float]:
    right = total = 0
    errors: list[float] = []
    for r, t, err in scores:
        right, total = right + r, total + t
        errors.append(err)
    return {
        "seconds": round(elapsed, 3),
        "pairs_per_second": round(len(scores) / elapsed, 1),
        "status_accuracy": round(right / total, 4),
        "mean_coverage_error": round(sum(errors) / len(errors), 4),
        "max_coverage_error": round(max(errors), 4),
    }


def matrix_only(cases: list[Case], settings: Settings) -> dict[str, float]:
    """Seconds to fill the similarity matrices alone (same keys): rapidfuzz cdist vs difflib."""
    keys = [
        ([comparison_key(p.text) for p in c.copy], [comparison_key(p.text) for p in c.original])
        for c in cases
    ]
    timings: dict[str, float] = {}
    for name, fill in (("rapidfuzz", rapidfuzz_matrix), ("difflib", difflib_matrix)):
        start = time.process_time()
        for copy_keys, orig_keys in keys:
            fill(copy_keys, orig_keys, settings)
        timings[name] = round(time.process_time() - start, 3)
    return timings


def worst_cases(settings: Settings) -> dict[str, float]:
    """Seconds for the hardest single pairs."""
    articles = pick_articles(80, min_paragraphs=8)
    base = [t for a in articles for t in a]
    huge = " ".join(base)
    while len(huge) < 1_000_000:
        huge += " " + huge
    huge = huge[:1_000_000]
    many = (base * (2000 // len(base) + 1))[:2000]
    many = [f"{t} ({i})" for i, t in enumerate(many)]
    edited = [t if i % 10 else t + " extra words here" for i, t in enumerate(many) if i % 17]
    timings: dict[str, float] = {}
    runs = {
        "1MB paragraph vs article": (_doc([huge]), _doc(articles[0])),
        "1MB paragraph vs itself": (_doc([huge]), _doc([huge])),
        "2000 x 2000 paragraphs": (_doc(edited), _doc(many)),
        "2000 paragraphs vs 1MB": (_doc(many), _doc([huge])),
        "1MB vs 2000 paragraphs": (_doc([huge]), _doc(many)),
    }
    for name, (copy, orig) in runs.items():
        start = time.perf_counter()
        align_paragraphs(copy, orig, settings)
        timings[name] = round(time.perf_counter() - start, 3)
    return timings


SCALING_SIZES = (10, 20, 50, 100, 200, 500, 1000, 2000)


def _scaling_pair(
    paragraphs: list[str], n: int, start: int = 0
) -> tuple[tuple[Paragraph, ...], ...]:
    """An original of `n` consecutive corpus paragraphs from `start` and a copy that drops
    every 17th and adds three words to every 10th (the 2,000 x 2,000 worst case, at any
    size)."""
    pool = paragraphs[start:] + paragraphs[:start]
    original = [f"{t} ({i})" for i, t in enumerate((pool * (n // len(pool) + 1))[:n])]
    copy = [t if i % 10 else t + " extra words here" for i, t in enumerate(original) if i % 17]
    return _doc(copy), _doc(original)


def _seconds(pair: tuple[tuple[Paragraph, ...], ...], settings: Settings) -> float:
    """CPU seconds of one alignment of `pair`, with empty text caches."""
    copy, original = pair
    forget_texts()
    start = time.process_time()
    align_paragraphs(copy, original, settings)
    return time.process_time() - start


def scaling(settings: Settings) -> dict[str, object]:
    """CPU seconds per paragraph of one alignment at each size, the exponent of time ~ N^k
    fitted over all sizes, and the peak memory the alignment of the largest pair allocates
    (tracemalloc; the documents, word lists and lemma tables, which a process loads once,
    are there before, the memo caches of texts are emptied)."""
    import gc
    import math
    import tracemalloc

    paragraphs = [t for a in pick_articles(80, min_paragraphs=8) for t in a]
    # Every size aligns the whole corpus cut into documents of its size (the same text at
    # every size, long and short paragraphs alike); the mean per document, least of 3
    # sweeps. Each size starts from a collected heap: otherwise the full collection the
    # 2,000-paragraph alignment makes due lands, at the same allocation every sweep, in
    # the small documents of the next sweep and is counted as theirs.
    best = dict.fromkeys(SCALING_SIZES, float("inf"))
    for _ in range(3):
        for n in SCALING_SIZES:
            gc.collect()
            starts = range(0, max(1, len(paragraphs) // n) * n, n)
            seconds = [_seconds(_scaling_pair(paragraphs, n, start), settings) for start in starts]
            best[n] = min(best[n], statistics.mean(seconds))
    rows = [
        {"n": n, "seconds": round(s, 4), "ms_per_paragraph": round(1000 * s / n, 4)}
        for n, s in best.items()
    ]
    xs = [math.log(r["n"]) for r in rows]
    ys = [math.log(r["seconds"]) for r in rows]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    exponent = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mean_x) ** 2 for x in xs
    )
    copy, original = _scaling_pair(paragraphs, SCALING_SIZES[-1])
    align_paragraphs(copy, original, settings)  # word lists and lemma tables: once a process
    forget_texts()
    text_bytes = sum(len(p.text.encode()) for p in (*copy, *original))
    # Tracing slows the alignment past the time budget, which would cut it short.
    patient = replace(settings, time_budget_seconds=3600.0)
    tracemalloc.start()
    traced = align_paragraphs(copy, original, patient)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    if traced.notes:  # the figure would be that of part of the work
        raise SystemExit(f"the traced alignment was cut short: {'; '.join(traced.notes)}")
    return {
        "sizes": rows,
        "exponent": round(exponent, 3),
        "peak_alignment_mb": round(peak / 1e6, 1),
        "text_mb": round(text_bytes / 1e6, 2),
    }


def _warm(cases: list[Case], *aligners: Callable[[Case], Alignment]) -> None:
    """Align one case of each operation with each aligner to load word lists, dictionaries
    and patterns, as any process does once."""
    for case in {c.op: c for c in cases}.values():
        for aligner in aligners:
            aligner(case)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=20, help="corpus articles (13 ops each)")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"skipped: needs the news corpus at {CORPUS} (../shared beside the repository)")
        return
    settings = Settings()
    cases = corpus_cases(args.articles)

    def fast_aligner(c: Case) -> Alignment:
        return align_paragraphs(c.copy, c.original, settings)

    # The baseline gets an unlimited budget, so its accuracy is not cut short by the clock.
    patient = replace(settings, time_budget_seconds=3600.0)

    def slow_aligner(c: Case) -> Alignment:
        return _align(c.copy, c.original, patient, difflib_matrix, difflib_opcodes, difflib_ratio)

    _warm(cases, fast_aligner, slow_aligner)
    runs = _paired_runs(cases, settings, {"rapidfuzz": fast_aligner, "difflib": slow_aligner})
    fast, slow = runs["rapidfuzz"], runs["difflib"]
    matrices = matrix_only(cases, settings)
    worst = worst_cases(settings)
    scale = scaling(settings)
    ratio = round(fast["pairs_per_second"] / slow["pairs_per_second"], 1)
    matrix_ratio = round(matrices["difflib"] / matrices["rapidfuzz"], 1)
    print(f"{len(cases)} synthetic pairs from {args.articles} corpus articles\n")
    print("| aligner | pairs/s | status accuracy | mean coverage error | max coverage error |")
    print("|---|---:|---:|---:|---:|")
    for name, r in (("rapidfuzz (align_paragraphs)", fast), ("difflib baseline", slow)):
        print(
            f"| {name} | {r['pairs_per_second']} | {r['status_accuracy']:.2%} | "
            f"{r['mean_coverage_error']:.4f} | {r['max_coverage_error']:.4f} |"
        )
    print(f"\nspeed ratio, whole alignment (normalising, diffs included): {ratio}x (goal >= 20x)")
    print(
        f"speed ratio, similarity matrices alone: {matrix_ratio}x "
        f"(rapidfuzz {matrices['rapidfuzz']} s, difflib {matrices['difflib']} s)\n"
    )
    print("| worst case | seconds (budget 2.0) |\n|---|---:|")
    for name, secs in worst.items():
        print(f"| {name} | {secs} |")
    print("\n| paragraphs | CPU seconds | ms per paragraph |\n|---:|---:|---:|")
    for row in scale["sizes"]:  # type: ignore[attr-defined]
        print(f"| {row['n']} | {row['seconds']} | {row['ms_per_paragraph']} |")
    print(
        f"\nfitted exponent {scale['exponent']} (goal <= 1.2); peak alignment memory at "
        f"{SCALING_SIZES[-1]} x {SCALING_SIZES[-1]}: {scale['peak_alignment_mb']} MB "
        f"(goal <= 15; the texts are {scale['text_mb']} MB)"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    result = {
        "pairs": len(cases),
        "rapidfuzz": fast,
        "difflib": slow,
        "speed_ratio": ratio,
        "matrix_seconds": matrices,
        "matrix_speed_ratio": matrix_ratio,
    }
    RESULTS.write_text(
        json.dumps({**result, "worst_seconds": worst, "scaling": scale}, indent=2) + "\n"
    )


if __name__ == "__main__":
    main()

"""Score the verdicts on labelled development data from ../shared (when it is there).

Sets:
* clough-stevenson  95 short answers labelled cut / light / heavy / non against their
                    Wikipedia source (../shared/dev/clough-stevenson; see its README).
* same-story        pairs of articles from ../shared/corpus/allsides_abp published on the
                    same day on the same topic by different outlets, whose titles share
                    content words and whose texts share less than 2% of their word
                    5-grams: independent reports of one event (expected: unrelated).
* republished       pairs of that corpus that share paragraphs (its
                    derived_cross_source_overlap_pairs.tsv, 5-gram containment >= 0.5):
                    real republications (expected: anything but unrelated).
* wire-stitched     copies made from Reuters-21578 wire stories the way newspapers use
                    wire copy: sentences kept, dropped, merged and regrouped into short
                    paragraphs (wholly derived), or mixed half and half with another
                    story's sentences (partially derived); expected: faithful, trimmed
                    or modified, never rewritten or unrelated.

Prints a confusion table per set (label x verdict) and the derived-vs-not figures, and
writes them to benchmarks/results/verdicts.json:

    .venv/bin/python scripts/eval_verdicts.py [--shared ../shared] [--out PATH]
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

from provenance import Settings, Verdict, check_document, check_source
from provenance.load import load_documents
from provenance.score import paraphrase_figures
from provenance.text import sentences

ROOT = Path(__file__).resolve().parent.parent
VERDICTS = [v.value for v in Verdict if v is not Verdict.UNVERIFIED]
# How the verdicts should read on Clough & Stevenson (../shared/dev/README.md).
EXPECTED = {
    "cut": {"faithful", "trimmed", "modified"},
    "light": {"trimmed", "modified", "rewritten"},
    "heavy": {"modified", "rewritten"},
    "non": {"unrelated"},
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/verdicts.json")
    parser.add_argument("--limit", type=int, default=150, help="pairs per built set")
    args = parser.parse_args(argv)
    if not (args.shared / "dev/clough-stevenson/labels.json").is_file():
        print(f"skipped: {args.shared} has no dev/clough-stevenson (../shared is not here)")
        return 0
    results = {
        "clough-stevenson": clough_stevenson(args.shared / "dev/clough-stevenson"),
        "same-story": same_story(args.shared / "corpus/allsides_abp", args.limit),
        "republished": republished(args.shared / "corpus/allsides_abp", args.limit),
        "wire-stitched": wire_stitched(args.shared / "corpus/reuters21578", args.limit),
    }
    for name, result in results.items():
        print_table(name, result)
    args.out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"written: {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


def verdict_of(copy: Path | str, original: Path | str) -> tuple[str, dict[str, float]]:
    """The verdict, and the figures behind it (files, or texts with paragraphs separated by
    blank lines)."""
    settings = Settings(offline=True)
    if isinstance(copy, Path) and isinstance(original, Path):
        [report] = check_source(str(copy), original=str(original), settings=settings)
    else:
        copy_doc = load_documents(str(copy).encode(), source="copy.txt", settings=settings)[0]
        orig_doc = load_documents(str(original).encode(), source="orig.txt", settings=settings)[0]
        report = check_document(copy_doc, original=orig_doc, settings=settings)
    figures: dict[str, float] = {}
    if report.scores and report.alignment:
        figures = {"coverage": report.scores.coverage, "derived": report.scores.derived}
        figures.update(paraphrase_figures(report.alignment, settings))
    return report.verdict.value, figures


def clough_stevenson(folder: Path) -> dict[str, object]:
    items = json.loads((folder / "labels.json").read_text(encoding="utf-8"))["items"]
    rows = []
    for item in items:
        verdict, figures = verdict_of(folder / item["copy"], folder / item["original"])
        rows.append({"id": item["id"], "label": item["label"], "verdict": verdict, **figures})
    return summarise(rows, EXPECTED)


def _allsides(folder: Path) -> list[dict[str, str]]:
    lines = (folder / "metadata.tsv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=False)) for line in lines[1:]]


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def _title_words(title: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]{4,}", title.lower())} - _TITLE_STOP


_TITLE_STOP = {"says", "said", "will", "with", "from", "that", "this", "what", "after", "over",
               "trump", "obama", "clinton", "biden", "house", "senate", "new"}  # fmt: skip


def _five_grams(text: str) -> set[tuple[str, ...]]:
    toks = re.findall(r"\w+", text.lower())
    return set(zip(*(toks[i:] for i in range(5)), strict=False))


def same_story(folder: Path, limit: int) -> dict[str, object]:
    rows_meta = _allsides(folder)
    by_day: dict[tuple[str, str], list[dict[str, str]]] = {}
    for r in rows_meta:
        by_day.setdefault((r["date"], r["topic"]), []).append(r)
    pairs = []
    for group in by_day.values():
        for a, b in itertools.combinations(group, 2):
            if (
                a["source"] != b["source"]
                and len(_title_words(a["title"]) & _title_words(b["title"])) >= 2
            ):
                pairs.append((a, b))
    random.Random(9).shuffle(pairs)
    rows = []
    for a, b in pairs:
        copy, original = _text(folder / a["path"]), _text(folder / b["path"])
        grams = _five_grams(copy)
        if not grams or len(grams & _five_grams(original)) / len(grams) >= 0.02:
            continue
        verdict, figures = verdict_of(copy, original)
        rows.append({"id": f"{a['ID']}~{b['ID']}", "label": "non", "verdict": verdict, **figures})
        if len(rows) >= limit:
            break
    return summarise(rows, {"non": {"unrelated"}})


def republished(folder: Path, limit: int) -> dict[str, object]:
    meta = {r["ID"]: r for r in _allsides(folder)}
    lines = (folder / "derived_cross_source_overlap_pairs.tsv").read_text().splitlines()
    rows = []
    for line in lines:
        if line.startswith(("#", "id_a")):
            continue
        id_a, id_b, *_, containment = line.split("\t")
        if float(containment) < 0.5 or id_a not in meta or id_b not in meta:
            continue
        # the later article is the copy
        a, b = sorted((meta[id_a], meta[id_b]), key=lambda r: r["date"], reverse=True)
        verdict, figures = verdict_of(_text(folder / a["path"]), _text(folder / b["path"]))
        rows.append({"id": f"{a['ID']}~{b['ID']}", "label": "derived", "verdict": verdict,
                     "containment": float(containment), **figures})  # fmt: skip
        if len(rows) >= limit:
            break
    return summarise(rows, {"derived": {"faithful", "trimmed", "modified", "rewritten"}})


def wire_stitched(folder: Path, limit: int) -> dict[str, object]:
    files = sorted(folder.glob("*.txt"))
    rng = random.Random(11)
    stories = []
    for path in files:
        lines = _text(path).split("\n\n")
        body = [p.strip() for p in lines[1:] if p.strip()]
        if sum(len(p.split()) for p in body) >= 150:
            stories.append((lines[0].strip(), body))
    rng.shuffle(stories)
    rows = []
    for k, (title, body) in enumerate(stories[: 2 * limit]):
        label = "wholly" if k % 2 == 0 else "partly"
        other = stories[(k + 1) % len(stories)][1]
        copy = _stitch(body, other if label == "partly" else None, rng)
        verdict, figures = verdict_of(copy, title + "\n\n" + "\n\n".join(body))
        rows.append({"id": f"{k}", "label": label, "verdict": verdict, **figures})
    ok = {"faithful", "trimmed", "modified"}
    return summarise(rows, {"wholly": ok, "partly": ok})


def _stitch(body: list[str], other: list[str] | None, rng: random.Random) -> str:
    """A newspaper's use of wire copy: keep most sentences, drop some, merge two now and
    then, regroup into paragraphs of one or two sentences; with `other`, every second
    sentence comes from another story."""
    wire = [s for p in body for s in sentences(p)]
    kept = [s for s in wire if rng.random() < 0.8] or wire[:1]
    if other is not None:
        extra = [s for p in other for s in sentences(p)]
        kept = [s for pair in itertools.zip_longest(kept, extra[: len(kept)]) for s in pair if s]
    out: list[str] = []
    k = 0
    while k < len(kept):
        n = rng.choice((1, 1, 2))
        chunk = kept[k : k + n]
        if n == 2 and len(chunk) == 2 and rng.random() < 0.3:
            chunk = [chunk[0].rstrip(".") + ", and " + chunk[1][:1].lower() + chunk[1][1:]]
        out.append(" ".join(chunk))
        k += n
    return "\n\n".join(out)


def summarise(rows: list[dict[str, object]], expected: dict[str, set[str]]) -> dict[str, object]:
    table: dict[str, Counter[str]] = {label: Counter() for label in expected}
    derived_labels = {label for label, ok in expected.items() if "unrelated" not in ok}
    for row in rows:
        table[str(row["label"])][str(row["verdict"])] += 1
    agree = sum(table[label][v] for label, ok in expected.items() for v in ok)
    derived_true = [r for r in rows if r["label"] in derived_labels]
    tp = sum(1 for r in derived_true if r["verdict"] != "unrelated")
    fp = sum(1 for r in rows if r["label"] not in derived_labels and r["verdict"] != "unrelated")
    fn = len(derived_true) - tp
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return {
        "items": len(rows),
        "figures": {label: _quantiles([r for r in rows if r["label"] == label]) for label in table},
        "confusion": {label: dict(sorted(c.items())) for label, c in table.items()},
        "agreement": round(agree / len(rows), 3) if rows else 0.0,
        "derived_f1": round(f1, 3),
        "rows": rows,
    }


FIGURES = ("runs", "long_runs", "ordered", "share", "derived", "coverage")


def _quantiles(rows: list[dict[str, object]]) -> dict[str, list[float]]:
    """min, 10th percentile, median, 90th percentile and max of each figure."""
    out = {}
    for name in FIGURES:
        values = sorted(float(r.get(name, 0.0)) for r in rows)  # type: ignore[arg-type]
        if values:
            n = len(values)
            picks = (0, n // 10, n // 2, min(n - 1, (9 * n) // 10), n - 1)
            out[name] = [round(values[i], 3) for i in picks]
    return out


def print_table(name: str, result: dict[str, object]) -> None:
    confusion = result["confusion"]
    assert isinstance(confusion, dict)
    print(f"\n{name}: {result['items']} items, agreement with the expected verdicts "
          f"{result['agreement']}, derived-vs-not F1 {result['derived_f1']}")  # fmt: skip
    print(f"{'label':8}" + "".join(f"{v:>11}" for v in VERDICTS))
    for label, counts in confusion.items():
        print(f"{label:8}" + "".join(f"{counts.get(v, 0):>11}" for v in VERDICTS))
    figures = result["figures"]
    assert isinstance(figures, dict)
    print("figures (min, p10, median, p90, max):")
    for label, by_name in figures.items():
        for name, q in by_name.items():
            print(f"  {label:8} {name:10} {q}")


if __name__ == "__main__":
    sys.exit(main())

"""Archive benchmark: import rate, lookup latency, recall and size at growing archive sizes.

    .venv/bin/python benchmarks/bench_archive.py --sizes 10000,100000,1000000

The archive starts with the real corpus (shared/corpus/allsides_abp, 6,927 articles);
articles beyond it are generated (seeded random word sequences from a synthetic
vocabulary, corpus-like lengths) so they share no paragraph with anything by accident.
At each size: lookups of copies that keep a random 30-100% of a real article's
paragraphs (shuffled), against a brute-force scan of every stored article (shingled 500 at
a time, as fast as the archive's own code can) measured in the same run on the same
archive: in full up to --scan-full-up-to articles (100,000), beyond that for
--scan-budget seconds and extrapolated to the whole archive (the JSON says
"scan_extrapolated" and how many articles were measured). Also measures the MinHash
libraries (rensa vs datasketch) on real articles. Writes benchmarks/results/archive.json
(or --out) and prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from provenance.archive import Archive  # noqa: E402
from provenance.archive._sketch import (  # noqa: E402
    NUM_PERM,
    SEED,
    band_keys,
    containment,
    shingle_batch,
    shingles,
)
from provenance.models import Document, Paragraph  # noqa: E402
from provenance.settings import Settings  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "allsides_abp"
RESULTS = REPO / "benchmarks" / "results" / "archive.json"
SEPARATOR = "\x1e"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def corpus_articles() -> list[tuple[Path, list[str]]]:
    out = []
    for path in sorted(CORPUS.glob("*/*.txt")):
        _, _, body = path.read_text(encoding="utf-8").partition("\n")
        paragraphs = [" ".join(b.split()) for b in body.split("\n\n") if b.strip()]
        if len(paragraphs) >= 3:
            out.append((path, paragraphs))
    return out


def independent(articles: list[tuple[Path, list[str]]]) -> list[tuple[Path, list[str]]]:
    """Articles that share no paragraph with another article of the corpus."""
    lines = (CORPUS / "derived_cross_source_overlap_pairs.tsv").read_text().splitlines()
    shared = {x for line in lines if not line.startswith("#") for x in line.split("\t")[:2]}
    return [(p, ps) for p, ps in articles if p.stem not in shared]


def generated(start: int, count: int) -> Iterator[Document]:
    """Articles `start`..`start+count` of a reproducible stream of random articles."""
    vocab_rng = random.Random(1)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocab = ["".join(vocab_rng.choices(letters, k=vocab_rng.randint(2, 10))) for _ in range(50_000)]
    for n in range(start, start + count):
        rng = random.Random(n)
        paragraphs = tuple(
            Paragraph(i, " ".join(rng.choices(vocab, k=rng.randint(15, 60))) + ".")
            for i in range(rng.randint(8, 30))
        )
        yield Document(
            source="generated",
            kind="text",
            paragraphs=paragraphs,
            url=f"https://generated.example/{n}",
            title=" ".join(rng.choices(vocab, k=8)),
        )


def copy_of(paragraphs: list[str], rng: random.Random) -> tuple[Document, float]:
    share = rng.uniform(0.3, 1.0)
    kept = rng.sample(paragraphs, max(1, round(len(paragraphs) * share)))
    doc = Document("copy", "text", tuple(Paragraph(i, t) for i, t in enumerate(kept)))
    return doc, share


def scan(archive: Archive, copy: Document, budget_s: float) -> tuple[str | None, float, int]:
    """Brute force: containment of the copy's shingles in every stored article.

    Returns (best URL, seconds, articles scanned); stops at `budget_s`."""
    query = np.unique(shingles(p.text for p in copy.paragraphs))
    best, best_score, scanned = None, -1.0, 0
    start = time.perf_counter()
    rows = archive._conn.execute(
        "SELECT d.url, v.body FROM versions v JOIN documents d ON d.id = v.doc_id"
    )
    while chunk := rows.fetchmany(500):  # shingled 500 at a time, as imports do
        texts = [zlib.decompress(body).decode("utf-8").split(SEPARATOR) for _, body in chunk]
        hashes, offsets = shingle_batch(texts)
        for n, (url, _) in enumerate(chunk):
            stored = hashes[offsets[n] : offsets[n + 1]]
            score = containment(query, stored)[0] / query.size
            if score > best_score:
                best, best_score = url, score
        scanned += len(chunk)
        if time.perf_counter() - start > budget_s:
            break
    return best, time.perf_counter() - start, scanned


def lookups(archive: Archive, queries: list[tuple[Document, str]]) -> tuple[list[float], int]:
    """Sorted latencies (s) of looking each copy up, and how many ranked the original first."""
    latencies, hits = [], 0
    for copy, url in queries:
        start = time.perf_counter()
        found = archive.search(copy, limit=1)
        latencies.append(time.perf_counter() - start)
        hits += bool(found) and found[0].url == url
    return sorted(latencies), hits


def text_verified_lookups(
    archive: Archive, queries: list[tuple[Document, str]]
) -> tuple[list[float], int]:
    """`lookups` with every candidate verified from its text, shingled per query (what
    the archive did before it stored each version's shingles), in the same run."""
    from unittest import mock

    read = Archive._read_shingles

    def from_text(self: Archive, version_ids: list[int], *, text: bool = False) -> list[Any]:
        return read(self, version_ids, text=True)

    with mock.patch.object(Archive, "_read_shingles", from_text):
        return lookups(archive, queries)


def datasketch_lookups(archive: Archive, queries: list[tuple[Document, str]]) -> dict[str, float]:
    """datasketch's in-memory MinHashLSH over the same articles (64 permutations, string
    5-shingles, threshold 0.2): per query, shingling and MinHash of the copy, the LSH
    query and ranking the candidates by estimated Jaccard, all timed; recall@1.

    Then both again, paired: each copy looked up in the archive and in datasketch one
    after the other, three rounds, so that a change of the box's load touches both; the
    ratio is that of these paired medians."""
    import datasketch

    lsh = datasketch.MinHashLSH(threshold=0.2, num_perm=NUM_PERM)
    sketches: dict[str, Any] = {}
    start = time.perf_counter()
    rows = archive._conn.execute(
        "SELECT d.url, v.body FROM versions v JOIN documents d ON d.id = v.doc_id"
    )
    for url, body in rows:
        paragraphs = zlib.decompress(body).decode("utf-8").split(SEPARATOR)
        m = datasketch.MinHash(num_perm=NUM_PERM, seed=SEED)
        m.update_batch([x.encode() for x in string_shingles(paragraphs)])
        lsh.insert(url, m)
        sketches[url] = m
    build_s = time.perf_counter() - start

    def lookup(copy: Document) -> str | None:
        m = datasketch.MinHash(num_perm=NUM_PERM, seed=SEED)
        m.update_batch([x.encode() for x in string_shingles([p.text for p in copy.paragraphs])])
        found = lsh.query(m)
        return max(found, key=lambda u: (m.jaccard(sketches[u]), u)) if found else None

    latencies, hits = [], 0
    for copy, url in queries:
        start = time.perf_counter()
        best = lookup(copy)
        latencies.append(time.perf_counter() - start)
        hits += best == url
    ours, theirs = [], []
    for _ in range(3):
        for copy, _url in queries:
            start = time.perf_counter()
            archive.search(copy, limit=1)
            ours.append(time.perf_counter() - start)
            start = time.perf_counter()
            lookup(copy)
            theirs.append(time.perf_counter() - start)
    paired = statistics.median(ours) / statistics.median(theirs)
    return {
        "datasketch_lookup_median_ms": round(statistics.median(latencies) * 1000, 3),
        "datasketch_recall_at_1": round(hits / len(queries), 4),
        "datasketch_build_s": round(build_s, 1),
        "paired_lookup_median_ms": round(statistics.median(ours) * 1000, 3),
        "paired_datasketch_median_ms": round(statistics.median(theirs) * 1000, 3),
        "warm_median_ratio_to_datasketch": round(paired, 2),
    }


def random_read_us(path: Path, reads: int = 300) -> float:
    """Median microseconds of reading one 16 KB page at a random offset of `path`: how
    expensive a page the OS no longer caches is on this machine."""
    fd = os.open(path, os.O_RDONLY)
    try:
        pages = os.fstat(fd).st_size // 16384
        rng = random.Random(3)
        times = []
        for _ in range(reads):
            offset = rng.randrange(pages) * 16384
            start = time.perf_counter()
            os.pread(fd, 16384, offset)
            times.append(time.perf_counter() - start)
    finally:
        os.close(fd)
    return statistics.median(times) * 1e6


def measure(
    archive: Archive,
    queries: list[tuple[Document, str]],
    warm_queries: list[tuple[Document, str]],
    args: Any,
) -> dict[str, Any]:
    load_before = [round(x, 2) for x in os.getloadavg()]
    latencies, hits = lookups(archive, queries)
    # Then other copies, once every index block has been read (so the OS caches them):
    # what a long-running process (an audit) sees.
    archive._conn.execute("SELECT sum(length(data)) FROM lsh_blocks").fetchone()
    warm, warm_hits = lookups(archive, warm_queries)
    size = archive.stats().documents
    scan_times, scan_hits, extrapolated = [], 0, False
    budget = float("inf") if size <= args.scan_full_up_to else args.scan_budget
    for copy, url in queries[: args.scan_queries]:
        best, seconds, scanned = scan(archive, copy, budget)
        if scanned < size:
            extrapolated = True
            seconds *= size / scanned
        else:
            scan_hits += best == url
        scan_times.append(seconds)
    median = statistics.median(latencies)
    scan_median = statistics.median(scan_times)
    text_latencies, text_hits = text_verified_lookups(archive, warm_queries)
    compared: dict[str, Any] = {
        "warm_text_verified_median_ms": round(statistics.median(text_latencies) * 1000, 3),
        "warm_text_verified_recall_at_1": round(text_hits / len(warm_queries), 4),
    }
    if size <= args.datasketch_up_to:
        compared.update(datasketch_lookups(archive, warm_queries))
    return {
        **compared,
        "load_average_before": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "lookup_median_ms": round(median * 1000, 3),
        "lookup_p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 3),
        "recall_at_1": round(hits / len(queries), 4),
        "queries": len(queries),
        "warm_lookup_median_ms": round(statistics.median(warm) * 1000, 3),
        "warm_lookup_p95_ms": round(warm[int(len(warm) * 0.95) - 1] * 1000, 3),
        "warm_recall_at_1": round(warm_hits / len(warm_queries), 4),
        "random_16k_read_us": round(random_read_us(archive.path), 1),
        "scan_median_ms": round(scan_median * 1000, 1),
        "scan_extrapolated": extrapolated,
        "scan_queries": len(scan_times),
        "scan_articles_measured": scanned,
        "speedup_vs_scan": round(scan_median / median),
    }


def string_shingles(paragraphs: list[str]) -> list[str]:
    """Scheme t1's shingles: joined word strings (for the library comparison)."""
    out: list[str] = []
    for text in paragraphs:
        w = [t.lower() for t in text.split()]
        out.extend(map(" ".join, zip(w, w[1:], w[2:], w[3:], w[4:], strict=False)))
    return out


def minhash_libraries(articles: list[tuple[Path, list[str]]]) -> dict[str, float]:
    """Microseconds per article to shingle and MinHash it (64 permutations), per way."""
    import datasketch
    import rensa

    texts = [ps for _, ps in articles[:1000]]
    start = time.perf_counter()
    sets = [string_shingles(ps) for ps in texts]
    strings_us = (time.perf_counter() - start) / len(texts) * 1e6
    start = time.perf_counter()
    for s in sets:
        m = rensa.RMinHash(NUM_PERM, SEED)
        m.update(s)
        m.digest()
    rensa_us = (time.perf_counter() - start) / len(sets) * 1e6
    subset = sets[:200]
    start = time.perf_counter()
    for s in subset:
        d = datasketch.MinHash(num_perm=NUM_PERM, seed=SEED)
        d.update_batch([x.encode() for x in s])
        d.digest()
    datasketch_us = (time.perf_counter() - start) / len(subset) * 1e6
    start = time.perf_counter()
    for n in range(0, len(texts), 500):
        hashes, offsets = shingle_batch(texts[n : n + 500])
        for i in range(len(offsets) - 1):
            band_keys(hashes[offsets[i] : offsets[i + 1]])
    ours_us = (time.perf_counter() - start) / len(texts) * 1e6
    return {
        "rensa_us_per_article": round(rensa_us, 1),
        "datasketch_us_per_article": round(datasketch_us, 1),
        "string_shingling_us_per_article": round(strings_us, 1),
        "numpy_shingles_plus_rensa_us_per_article": round(ours_us, 1),
    }


def build_to(archive: Archive, target: int, state: dict[str, Any]) -> float:
    """Add generated articles until the archive holds `target`; return articles/s."""
    missing = target - archive.stats().documents
    if missing <= 0:
        return 0.0
    busy = 0.0
    batch = 5000
    while missing > 0:
        docs = list(generated(state["next"], min(batch, missing)))
        start = time.perf_counter()
        result = archive.add_documents(docs, batch_size=500)
        busy += time.perf_counter() - start
        state["next"] += len(docs)
        missing -= result.added
    return (target - state["start_docs"]) / busy if busy else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated sizes")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--scan-queries", type=int, default=3)
    parser.add_argument("--scan-budget", type=float, default=20.0, help="seconds per scan")
    parser.add_argument(
        "--scan-full-up-to", type=int, default=100_000, help="scan every article up to this size"
    )
    parser.add_argument(
        "--datasketch-up-to", type=int, default=10_000,
        help="compare with datasketch's in-memory MinHashLSH up to this size",
    )  # fmt: skip
    parser.add_argument("--db", type=Path, default=None, help="archive file (default: temp)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results JSON file")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"skipped: needs the news corpus at {CORPUS} (../shared beside the repository)")
        return
    sizes = sorted(int(s) for s in args.sizes.split(","))

    articles = corpus_articles()
    rng = random.Random(42)
    pool = independent(articles)
    workdir = Path(tempfile.mkdtemp(prefix="bench-archive-"))
    db = args.db or workdir / "archive.sqlite"
    rss0 = rss_mb()
    report: dict[str, Any] = {"minhash": minhash_libraries(articles), "sizes": []}
    with Archive.open(db) as archive:
        start = time.perf_counter()
        imported = archive.import_paths([CORPUS], Settings())
        corpus_seconds = time.perf_counter() - start
        report["corpus_import"] = {
            "articles": imported.added,
            "seconds": round(corpus_seconds, 2),
            "articles_per_s": round(imported.added / corpus_seconds),
        }
        by_source = dict(
            archive._conn.execute("SELECT source, url FROM documents WHERE kind = 'text'")
        )
        picked = rng.sample(pool, min(2 * args.queries, len(pool)))
        copies = [(copy_of(ps, rng)[0], by_source[str(p)]) for p, ps in picked]
        queries, warm_queries = copies[: args.queries], copies[args.queries :]
        state = {"next": 0, "start_docs": archive.stats().documents}
        for size in sizes:
            state["start_docs"] = archive.stats().documents
            rate = build_to(archive, size, state)
            stats = archive.stats()
            row = {
                "articles": stats.documents,
                "import_articles_per_s": round(rate),
                "db_bytes_per_article": round(stats.size_bytes / stats.documents),
                "db_mb": round(stats.size_bytes / 2**20, 1),
                "rss_delta_mb": round(rss_mb() - rss0, 1),
                "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "index_runs": archive._conn.execute("SELECT count(*) FROM lsh_runs").fetchone()[0],
                **measure(archive, queries, warm_queries, args),
            }
            report["sizes"].append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
    report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print_table(report)


def print_table(report: dict[str, Any]) -> None:
    m = report["minhash"]
    c = report["corpus_import"]
    print(
        f"MinHash of one article (64 perm): rensa {m['rensa_us_per_article']} us, "
        f"datasketch {m['datasketch_us_per_article']} us "
        f"(string shingling alone {m['string_shingling_us_per_article']} us); "
        f"archive's numpy shingling + rensa {m['numpy_shingles_plus_rensa_us_per_article']} us"
    )
    print(f"Real corpus import: {c['articles']} articles at {c['articles_per_s']}/s\n")
    print(
        "| articles | import/s | lookup median ms | p95 ms | warm median ms | warm p95 ms"
        " | recall@1 (warm) | scan median ms | speed-up | random 16 KB read us"
        " | DB bytes/article | RSS delta MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in report["sizes"]:
        scan = f"{r['scan_median_ms']}{' (extrapolated)' if r['scan_extrapolated'] else ''}"
        print(
            f"| {r['articles']:,} | {r['import_articles_per_s']:,} | {r['lookup_median_ms']} "
            f"| {r['lookup_p95_ms']} | {r['warm_lookup_median_ms']} | {r['warm_lookup_p95_ms']} "
            f"| {r['recall_at_1']} ({r['warm_recall_at_1']}) | {scan} "
            f"| {r['speedup_vs_scan']:,}x | {r['random_16k_read_us']} "
            f"| {r['db_bytes_per_article']:,} | {r['rss_delta_mb']} |"
        )


if __name__ == "__main__":
    main()

"""Generate the synthetic cases: `python tests/make_synthetic_cases.py` rewrites cases/synthetic-*.

Each case takes a real article of the AllSides corpus (../shared/corpus/allsides_abp) as the
original and applies ONE known operation to make the copy, so the expected verdict and the
true coverage (share of the original's body words kept) follow from the operation. Article
choice is deterministic: candidates are sorted by corpus ID and drawn with a fixed seed, each
case from a different outlet. The output is byte-for-byte reproducible.
"""

# ruff: noqa: RUF001
# (RUF001: curly quotes, dashes and mojibake in strings are what the operations produce.)

from __future__ import annotations

import csv
import difflib
import html
import json
import random
import re
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "allsides_abp"
CASES = REPO / "cases"
SEED = 20250212
COPY_SITE = "https://copy-site.example"

csv.field_size_limit(sys.maxsize)


@dataclass(frozen=True)
class Article:
    id: str
    path: str
    source: str
    domain: str
    url: str
    topic: str
    title: str
    paragraphs: tuple[str, ...]

    @property
    def words(self) -> int:
        return sum(len(p.split()) for p in self.paragraphs)


@dataclass
class Made:
    """What an operation produced: copy paragraphs (title kept) and the expected labels."""

    paragraphs: list[str]
    expected: dict[str, Any]
    reason: str
    title: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _read_article(row: dict[str, str]) -> Article | None:
    path = CORPUS / row["path"]
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    title, _, body = text.partition("\n")
    paras = tuple(p.strip() for p in re.split(r"\n\s*\n", body) if p.strip())
    domain = row["source_url"].removeprefix("www.")
    return Article(
        row["ID"],
        row["path"],
        row["source"],
        domain,
        row["url"],
        row["topic"],
        title.strip(),
        paras,
    )


def load_candidates() -> list[Article]:
    """Articles with 8-30 paragraphs of mostly prose, sorted by ID (deterministic)."""
    with (CORPUS / "metadata.tsv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    out = []
    for row in sorted(rows, key=lambda r: r["ID"]):
        art = _read_article(row)
        if art is None or not 8 <= len(art.paragraphs) <= 30:
            continue
        if not art.url.startswith("http") or art.words < 400:
            continue
        if min(len(p.split()) for p in art.paragraphs) < 6:
            continue
        out.append(art)
    return out


class Picker:
    """Draws articles deterministically, never the same outlet twice."""

    def __init__(self, articles: list[Article], seed: int) -> None:
        self._articles = articles[:]
        random.Random(seed).shuffle(self._articles)
        self._used_sources: set[str] = set()

    def pick(self, ok: Callable[[Article], bool] = lambda a: True) -> Article:
        for art in self._articles:
            if art.source in self._used_sources or not ok(art):
                continue
            self._used_sources.add(art.source)
            return art
        raise SystemExit("no article left for a synthetic case")


def _words(paras: list[str] | tuple[str, ...]) -> int:
    return sum(len(p.split()) for p in paras)


# ---------------------------------------------------------------- operations


def op_verbatim(a: Article, rng: random.Random) -> Made:
    return Made(
        list(a.paragraphs),
        {"verdict": "faithful", "coverage": 1.0},
        "Every paragraph copied unchanged -> faithful, coverage 1.0.",
    )


def op_verbatim_credited(a: Article, rng: random.Random) -> Made:
    footer = f"This post appeared first on {a.domain}"
    return Made(
        [*a.paragraphs, footer],
        {"verdict": "faithful", "credit": "credited", "origin": a.domain, "coverage": 1.0},
        f"Every paragraph copied unchanged plus the scraper footer '{footer}' -> faithful, "
        f"credited to the original's domain {a.domain}.",
    )


def op_trimmed(a: Article, rng: random.Random) -> Made:
    n = len(a.paragraphs)
    keep = max(2, round(n * rng.uniform(0.5, 0.7)))
    kept = list(a.paragraphs[:keep])
    cov = _words(kept) / a.words
    return Made(
        kept,
        {"verdict": "trimmed", "coverage": round(cov, 4)},
        f"First {keep} of {n} paragraphs kept verbatim, the rest cut -> trimmed; "
        f"coverage = {_words(kept)}/{a.words} words.",
    )


def op_dropmiddle(a: Article, rng: random.Random) -> Made:
    n = len(a.paragraphs)
    k = 2 if n < 12 else 3
    start = n // 2 - k // 2
    kept = list(a.paragraphs[:start] + a.paragraphs[start + k :])
    return Made(
        kept,
        {"verdict": "trimmed", "coverage": round(_words(kept) / a.words, 4)},
        f"Paragraphs {start + 1}-{start + k} of {n} dropped from the middle, the rest "
        f"verbatim -> trimmed; coverage = {_words(kept)}/{a.words} words.",
    )


def _edit_words(text: str, share: float, rng: random.Random) -> tuple[str, int]:
    toks = text.split(" ")
    slots = [i for i, t in enumerate(toks) if re.fullmatch(r"[A-Za-z]{4,}", t)]
    n = max(1, round(len(toks) * share))
    chosen = sorted(rng.sample(slots, min(n, len(slots))))
    for i in chosen:
        toks[i] = _synonym(toks[i]) or _garble(toks[i])
    return " ".join(toks), len(chosen)


def _garble(word: str) -> str:
    """A different, plausible-looking word (used where the synonym table has none)."""
    return word[::-1].capitalize() if word[0].isupper() else word[::-1]


def op_edited(a: Article, rng: random.Random) -> Made:
    paras = list(a.paragraphs)
    targets = sorted(rng.sample(range(len(paras)), len(paras) // 2))
    changed = 0
    for i in targets:
        paras[i], c = _edit_words(paras[i], 0.10, rng)
        changed += c
    return Made(
        paras,
        {"verdict": "modified", "coverage": round(1 - changed / a.words, 4)},
        f"~10% of the words replaced in {len(targets)} of {len(paras)} paragraphs "
        f"({changed} words) -> modified; coverage = 1 - {changed}/{a.words}.",
    )


BOILERPLATE = [
    "Advertisement",
    "Subscribe to our newsletter to get the latest news delivered to your inbox.",
    "RELATED: Click here for more top stories",
    "Share this article: Facebook Twitter Email",
]


def op_added(a: Article, rng: random.Random, donor: Article) -> Made:
    paras = list(a.paragraphs)
    extra = list(donor.paragraphs[:2])
    mid = len(paras) // 2
    out = [*paras[:2], BOILERPLATE[0], *paras[2:mid], *extra, *paras[mid:], *BOILERPLATE[1:]]
    return Made(
        out,
        {"verdict": "modified", "coverage": 1.0},
        f"All paragraphs kept verbatim; two substantive paragraphs ({_words(extra)} words, "
        f"from an unrelated {donor.source} article) inserted mid-story plus ad/newsletter/"
        "related-link boilerplate. Substantive additions -> modified; coverage 1.0.",
        extra={"donor": donor.path},
    )


def op_boilerplate(a: Article, rng: random.Random) -> Made:
    paras = list(a.paragraphs)
    out = [*paras[:3], BOILERPLATE[0], *paras[3:], *BOILERPLATE[1:]]
    return Made(
        out,
        {"verdict": "faithful", "coverage": 1.0},
        "All paragraphs verbatim; only page boilerplate added (an 'Advertisement' slot, a "
        "newsletter prompt, related links, share buttons). Boilerplate is not substantive -> "
        "faithful.",
    )


def op_moved(a: Article, rng: random.Random) -> Made:
    paras = list(a.paragraphs)
    n = len(paras)
    i = n // 2
    block = paras[i : i + 2]
    out = [*paras[:i], *paras[i + 2 :], *block] if i + 2 < n else paras
    return Made(
        out,
        {"verdict": "faithful", "coverage": 1.0},
        f"Paragraphs {i + 1}-{i + 2} of {n} moved to the end, text unchanged. Moving a small "
        "block changes no words, so the copy is faithful (order < 1 is reported as a score, "
        "not a verdict).",
    )


def _split_sentences(p: str) -> list[str]:
    out, start = [], 0
    for m in re.finditer(r"[.!?][\"”’']?(\s+)(?=[A-Z“\"])", p):
        out.append(p[start : m.start(1)])
        start = m.end(1)
    return [s for s in [*out, p[start:]] if s]


def op_splitmerge(a: Article, rng: random.Random) -> Made:
    out: list[str] = []
    paras = list(a.paragraphs)
    splits = merges = 0
    i = 0
    while i < len(paras):
        sents = _split_sentences(paras[i])
        if splits < 2 and len(sents) >= 2:
            half = len(sents) // 2
            out += [" ".join(sents[:half]), " ".join(sents[half:])]
            splits += 1
            i += 1
        elif merges < 2 and i + 1 < len(paras) and i > 2:
            out.append(paras[i] + " " + paras[i + 1])
            merges += 1
            i += 2
        else:
            out.append(paras[i])
            i += 1
    return Made(
        out,
        {"verdict": "faithful", "coverage": 1.0},
        f"{splits} paragraphs split at a sentence boundary and {merges} pairs of paragraphs "
        "merged; every word kept in order -> faithful.",
    )


def _mojibake(s: str) -> str:
    """UTF-8 bytes read as windows-1252 (undefined bytes kept as their latin-1 chars)."""
    out = []
    for b in s.encode("utf-8"):
        try:
            out.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(b))
    return "".join(out)


def op_mojibake(a: Article, rng: random.Random) -> Made:
    return Made(
        [_mojibake(p) for p in a.paragraphs],
        {"verdict": "faithful", "coverage": 1.0, "findings": ["mojibake-repaired"]},
        "Text verbatim but its UTF-8 read as windows-1252 ('’' -> 'â€™'): once repaired the "
        "copy is faithful; the repair must be reported (mojibake-repaired).",
        title=_mojibake(a.title),
    )


def _restyle(s: str) -> str:
    s = s.replace("“", '"').replace("”", '"').replace("‘", "'").replace("’", "'")
    s = s.replace("—", " – ").replace("  ", " ")
    return s.replace(". ", ".  ")


def op_style(a: Article, rng: random.Random) -> Made:
    return Made(
        [_restyle(p) for p in a.paragraphs],
        {"verdict": "faithful", "coverage": 1.0, "absent_findings": ["quote-altered"]},
        "Style only: curly quotes -> straight, em dashes -> spaced en dashes, two spaces "
        "after full stops. No word changes -> faithful, and no quote counts as altered.",
        title=_restyle(a.title),
    )


def op_spun(a: Article, rng: random.Random) -> Made:
    paras = []
    for p in a.paragraphs:
        toks = p.split(" ")
        paras.append(" ".join(_synonym(t) or t for t in toks))
    share = _spun_share(a)
    return Made(
        paras,
        {"verdict": "rewritten"},
        f"Article-spinner rewrite: {share:.0%} of content words replaced from a synonym table "
        "('said' -> 'stated', 'government' -> 'administration', ...), sentence structure kept. "
        "Coverage omitted: 'words kept' is ill-defined for a spun text.",
    )


_SPEECH_RE = re.compile(r"\b(?:said|says|told|wrote|added|asked)\b")


def _quote_spans(p: str) -> list[tuple[int, int]]:
    """Spans of quoted speech: a quotation of 20+ characters opening with a capital letter."""
    if not _SPEECH_RE.search(p):
        return []
    return [m.span(1) for m in re.finditer(r"[“\"]([A-Z][^”\"]{19,}?)[”\"]", p)]


def op_quote(a: Article, rng: random.Random) -> Made:
    paras = list(a.paragraphs)
    for i, p in enumerate(paras):
        spans = _quote_spans(p)
        if not spans:
            continue
        s, e = spans[0]
        quote = p[s:e]
        words = [m for m in re.finditer(r"\b[a-z]{4,}\b", quote) if _synonym(m.group())]
        if not words:
            continue
        w = words[len(words) // 2]
        new = _synonym(w.group()) or w.group()
        altered = quote[: w.start()] + new + quote[w.end() :]
        paras[i] = p[:s] + altered + p[e:]
        return Made(
            paras,
            {
                "verdict": "modified",
                "coverage": round(1 - 1 / a.words, 4),
                "findings": ["quote-altered"],
            },
            f"One word inside a quotation changed ('{w.group()}' -> '{new}' in paragraph "
            f"{i + 1}), everything else verbatim -> modified, quote-altered.",
        )
    raise SystemExit(f"no quotation in {a.path}")


def op_unrelated(a: Article, rng: random.Random, other: Article) -> Made:
    return Made(
        list(other.paragraphs),
        {"verdict": "unrelated", "coverage": 0.0},
        f"The copy is a different article ({other.source}, topic '{other.topic}') than the "
        f"original ({a.source}, topic '{a.topic}') -> unrelated.",
        title=other.title,
        extra={"copy_article": other.path},
    )


def _has_quotes(a: Article) -> bool:
    return any(_quote_spans(p) for p in a.paragraphs)


def _has_typography(a: Article) -> bool:
    body = "\n".join(a.paragraphs)
    return "’" in body and ("“" in body or "—" in body)


# ---------------------------------------------------------------- synonyms


def _words_of(table: str) -> list[str]:
    """The whitespace-separated entries of a word table (easier to review than a list)."""
    return table.split()


SYNONYMS = dict(
    pair.split(":")
    for pair in _words_of(
        """said:stated says:states told:informed president:leader government:administration
people:individuals country:nation new:fresh year:twelvemonth years:decades state:province
states:provinces group:organization groups:organizations also:additionally would:might could:may
percent:per_cent officials:authorities official:authority week:seven_days last:previous
first:initial just:merely many:numerous because:since however:nevertheless while:whereas
including:comprising about:concerning after:following before:prior_to make:create made:created
take:grab help:assist public:community report:account reported:documented news:information
house:residence plan:scheme plans:schemes policy:strategy law:legislation laws:legislations
support:backing supporters:backers political:governmental campaign:crusade election:vote
vote:ballot voters:electors former:previous world:globe city:metropolis federal:national
money:funds million:million bill:measure issue:matter issues:matters court:tribunal
attack:assault attacks:assaults military:armed_forces security:safety according:as_indicated
statement:declaration think:believe know:understand want:desire wants:desires need:require
called:termed show:display shows:displays even:indeed still:nevertheless only:solely
other:different others:different_ones several:various early:premature recent:latest
recently:lately major:significant important:crucial big:huge large:sizable small:little
long:lengthy high:elevated part:portion work:labor working:laboring move:step decision:choice
continue:proceed began:commenced start:commence started:commenced expected:anticipated
announced:declared administration:government leaders:heads leader:head members:participants
children:kids women:females men:males family:household families:households
program:programme business:enterprise companies:firms company:firm market:marketplace
economy:economic_system health:wellness care:treatment workers:employees jobs:positions
school:academy students:pupils media:press change:alteration changes:alterations rules:regulations
power:authority control:command police:law_enforcement office:bureau
national:nationwide local:regional international:global foreign:overseas month:four_weeks
months:periods time:period times:occasions way:manner life:existence lives:existences
problem:trouble problems:troubles question:query questions:queries case:instance
cases:instances point:aspect fact:reality number:quantity system:framework service:assistance
believe:suppose asked:inquired added:included noted:observed explained:clarified wrote:penned
claimed:asserted argued:contended warned:cautioned spoke:talked meeting:gathering
trying:attempting tried:attempted allowed:permitted allow:permit reach:attain
left:departed came:arrived come:arrive went:headed give:provide gave:provided keep:retain
became:turned_into become:turn_into found:discovered find:discover saw:observed see:observe
seen:observed look:appear looking:seeking use:utilize used:utilized using:utilizing
likely:probable possible:feasible different:distinct clear:evident hard:difficult
end:conclusion ended:concluded leave:depart lost:misplaced win:triumph won:triumphed
more:additional can:is_able_to like:such_as now:currently most:majority_of against:opposed_to
get:obtain may:might say:state should:ought_to during:throughout much:a_lot going:heading
very:extremely back:return both:the_two well:effectively since:considering between:amid
right:correct own:personal day:date through:via another:an_additional same:identical
whether:if social:societal among:amongst far:considerably too:excessively three:3 go:proceed
without:lacking good:great every:each around:roughly general:overall never:not_ever
immigration:migration already:previously saying:stating less:fewer least:minimum though:although
next:following economic:financial deal:agreement act:law war:conflict put:placed committee:panel
secretary:minister days:days_ago order:directive majority:bulk yet:however past:previous
must:have_to really:truly weeks:several_weeks something:some_thing later:afterwards
candidates:contenders candidate:contender today:these_days few:handful_of home:residence
presidents:leaders again:once_more investigation:inquiry things:items place:location
better:superior top:leading race:contest legal:lawful story:tale speech:address history:past
doing:performing politics:governance enough:sufficient took:grabbed making:creating
director:supervisor matter:subject across:throughout university:college border:boundary
away:apart spending:expenditure community:neighborhood response:reaction action:measure
"""
    )
)


def _synonym(tok: str) -> str | None:
    m = re.fullmatch(r"([^A-Za-z]*)([A-Za-z]+)([^A-Za-z]*)", tok)
    if not m:
        return None
    pre, word, post = m.groups()
    syn = SYNONYMS.get(word.lower())
    if syn is None:
        return None
    syn = syn.replace("_", " ")
    if word[0].isupper():
        syn = syn[0].upper() + syn[1:]
    return pre + syn + post


STOPWORDS = set(
    _words_of(
        """
the a an and or but of to in on at for with by from as is are was were be been being it its
this that these those he she they we you i his her their our your not no has have had do does
did will shall than then there here which who whom whose what when where why how all any some
such into over under out up down off so if"""
    )
)


def _content_tokens(a: Article) -> list[str]:
    toks = [t for p in a.paragraphs for t in p.split()]
    return [t for t in toks if re.sub(r"\W", "", t).lower() not in STOPWORDS]


def _spun_share(a: Article) -> float:
    toks = _content_tokens(a)
    return sum(1 for t in toks if _synonym(t)) / max(1, len(toks))


# ---------------------------------------------------------------- writers


def _text(title: str, paras: list[str]) -> str:
    return "\n\n".join([title, *paras]) + "\n"


def _original_text(a: Article) -> str:
    """The corpus file in the pages-corpus layout: URL line, a `# NOTE:` line, the text."""
    body = (CORPUS / a.path).read_text(encoding="utf-8")
    note = f"# NOTE: original of a synthetic case: allsides_abp/{a.path} ({a.source}), unchanged."
    return f"{a.url}\n{note}\n{body}" + ("" if body.endswith("\n") else "\n")


def _wordpress_json(slug: str, title: str, paras: list[str]) -> str:
    rendered = "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paras)
    post = {
        "id": 4242,
        "date": "2025-02-13T11:38:35",
        "link": f"{COPY_SITE}/{slug}/",
        "title": {"rendered": html.escape(title, quote=False)},
        "content": {"rendered": rendered, "protected": False},
        "excerpt": {"rendered": ""},
        "type": "post",
    }
    return json.dumps(post, indent=1) + "\n"


def _html_page(slug: str, title: str, paras: list[str]) -> str:
    body = "\n".join(f"    <p>{html.escape(p, quote=False)}</p>" for p in paras)
    esc = html.escape(title)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<title>{esc}</title>\n<link rel="canonical" href="{COPY_SITE}/{slug}/">\n'
        '</head>\n<body>\n<nav><a href="/">Home</a> <a href="/news">News</a></nav>\n'
        f'<article>\n  <h1>{esc}</h1>\n  <div class="entry-content">\n{body}\n  </div>\n'
        "</article>\n<footer>Copyright 2025 Copy Site</footer>\n</body>\n</html>\n"
    )


def write_case(slug: str, a: Article, made: Made, fmt: str, op_desc: str) -> None:
    d = CASES / slug
    d.mkdir(parents=True)
    title = made.title if made.title is not None else a.title
    if fmt == "wp":
        copy_name, data = "copy.json", _wordpress_json(slug, title, made.paragraphs)
    elif fmt == "html":
        copy_name, data = "copy.html", _html_page(slug, title, made.paragraphs)
    else:
        copy_name, data = "copy.txt", _text(title, made.paragraphs)
    (d / copy_name).write_text(data, encoding="utf-8")
    (d / "original.txt").write_text(_original_text(a), encoding="utf-8")
    source = f"corpus allsides_abp/{a.path} ({a.source}); operation: {op_desc}"
    if "donor" in made.extra:
        source += f"; added paragraphs from allsides_abp/{made.extra['donor']}"
    if "copy_article" in made.extra:
        source = (
            f"copy = corpus allsides_abp/{made.extra['copy_article']}; original = corpus "
            f"allsides_abp/{a.path} ({a.source}); operation: {op_desc}"
        )
    case = {
        "slug": slug,
        "kind": "synthetic",
        "copy": copy_name,
        "original": "original.txt",
        "source": source,
        "expected": made.expected,
        "reason": made.reason,
    }
    (d / "case.json").write_text(json.dumps(case, indent=2, ensure_ascii=False) + "\n")


# ---------------------------------------------------------------- real pairs from the tsv


def _norm_words(p: str) -> list[str]:
    return re.sub(r"[^\w\s]", "", p.lower()).split()


def _kept_words(original: Article, copy: Article) -> int:
    """Words of the original kept in the copy.

    Each original paragraph is compared word by word with its most similar copy paragraph
    (difflib); the words in matching blocks count as kept. Paragraphs less than half similar
    to every copy paragraph count as not kept.
    """
    copy_words = [_norm_words(q) for q in copy.paragraphs]
    kept = 0
    for p in original.paragraphs:
        words = _norm_words(p)
        best = max(copy_words, key=lambda q: difflib.SequenceMatcher(None, words, q).ratio())
        matcher = difflib.SequenceMatcher(None, words, best)
        if matcher.ratio() >= 0.5:
            kept += sum(b.size for b in matcher.get_matching_blocks())
    return kept


PAIRS: list[tuple[str, str, str, str, str]] = [
    (
        "synthetic-republication-1",
        "2b5eLhs0DkWEDEBA",
        "KfUSntWQz060LYYh",
        "faithful",
        "Real Reuters -> Newsmax republication (tsv 5-gram containment 0.993). Newsmax keeps "
        "every Reuters body paragraph verbatim; it drops the 'WASHINGTON (Reuters) -' dateline, "
        "the photo caption and the 'Slideshow (4 Images)' widget line, and retitles. Losing "
        "page furniture (caption, slideshow label) is not trimming the story -> faithful.",
    ),
    (
        "synthetic-republication-2",
        "pxu01RPJb0tZI2c4",
        "5T1XcI6oUzSsPwLA",
        "faithful",
        "Real AP -> CBN republication (tsv 5-gram containment 0.989): CBN carries all 31 AP "
        "body paragraphs verbatim (one has an extra 'as': 'refer to each other as "
        "\u201ccomrades\u201d'), drops the two photo captions, retitles, and ends with "
        "'Copyright 2018 The Associated Press. All rights reserved.' -> faithful, and that "
        "line credits AP.",
    ),
    (
        "synthetic-hardneg-1",
        "PD0AerCVy9klkJOL",
        "76BStn8NTS1iX2Jj",
        "unrelated",
        "Real same-day, same-topic pair (2017-06-30, Trump urging the Senate to repeal "
        "Obamacare now): USA TODAY and the Washington Times each wrote their own story and "
        "share one identical paragraph (tsv containment 0.042) - a quoted tweet/statement. "
        "Shared quotes between independent reports are not copying -> unrelated.",
    ),
    (
        "synthetic-hardneg-2",
        "s1ricIi0TTGazQaI",
        "O74oUbii0P7IVrwi",
        "unrelated",
        "Real same-day, same-topic pair (2018-05-23, Elon Musk's site to rate journalists): "
        "USA TODAY and TechCrunch wrote independent stories that share one identical paragraph "
        "(tsv containment 0.053), Musk's quoted tweet -> unrelated.",
    ),
]


def make_pair_cases(index: dict[str, Article]) -> None:
    """Cases from real article pairs listed in derived_cross_source_overlap_pairs.tsv."""
    for slug, original_id, copy_id, verdict, reason in PAIRS:
        original, copy = index[original_id], index[copy_id]
        d = CASES / slug
        d.mkdir(parents=True)
        shutil.copyfile(CORPUS / copy.path, d / "copy.txt")
        (d / "original.txt").write_text(_original_text(original), encoding="utf-8")
        cov = _kept_words(original, copy) / original.words
        expected: dict[str, Any] = {"verdict": verdict, "coverage": round(cov, 4)}
        if "credits AP" in reason:
            expected["credit"] = "credited"
        case = {
            "slug": slug,
            "kind": "synthetic",
            "copy": "copy.txt",
            "original": "original.txt",
            "source": f"copy = corpus allsides_abp/{copy.path} ({copy.source}); original = "
            f"corpus allsides_abp/{original.path} ({original.source}); a real pair from "
            "derived_cross_source_overlap_pairs.tsv, files unchanged",
            "expected": expected,
            "reason": f"{reason} Coverage = share of the original's words kept (word-level "
            f"diff against the most similar copy paragraph) = {cov:.3f}.",
        }
        text = json.dumps(case, indent=2, ensure_ascii=False) + "\n"
        (d / "case.json").write_text(text, encoding="utf-8")


def _by_id() -> dict[str, Article]:
    with (CORPUS / "metadata.tsv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    arts = (_read_article(r) for r in rows)
    return {a.id: a for a in arts if a is not None}


# ---------------------------------------------------------------- main


def _other_topic(a: Article) -> Callable[[Article], bool]:
    return lambda d: d.topic != a.topic


Plan = tuple[str, Callable[..., Made], str, str, Callable[[Article], bool]]


def main() -> None:
    for old in CASES.glob("synthetic-*"):
        shutil.rmtree(old)
    articles = load_candidates()
    picker = Picker(articles, SEED)
    any_ok: Callable[[Article], bool] = lambda a: True  # noqa: E731
    plan: list[Plan] = [
        ("verbatim-1", op_verbatim_credited, "txt", "unchanged + scraper footer", any_ok),
        ("verbatim-2", op_verbatim, "wp", "unchanged, as WordPress REST JSON", any_ok),
        ("verbatim-3", op_verbatim, "html", "unchanged, as an HTML page", any_ok),
        ("trimmed-1", op_trimmed, "txt", "keep first 50-70% of paragraphs", any_ok),
        ("trimmed-2", op_trimmed, "html", "keep first 50-70% of paragraphs, HTML", any_ok),
        ("dropmiddle-1", op_dropmiddle, "txt", "drop 2-3 middle paragraphs", any_ok),
        ("dropmiddle-2", op_dropmiddle, "wp", "drop 2-3 middle paragraphs, WP JSON", any_ok),
        ("edited-1", op_edited, "txt", "replace ~10% of words in half the paragraphs", any_ok),
        ("edited-2", op_edited, "txt", "replace ~10% of words in half the paragraphs", any_ok),
        ("boilerplate-1", op_boilerplate, "txt", "add ads/newsletter/related links", any_ok),
        ("boilerplate-2", op_boilerplate, "html", "add boilerplate, HTML", any_ok),
        ("moved-1", op_moved, "txt", "move a 2-paragraph block to the end", any_ok),
        ("moved-2", op_moved, "txt", "move a 2-paragraph block to the end", any_ok),
        ("splitmerge-1", op_splitmerge, "txt", "split 2 and merge 2 paragraphs", any_ok),
        ("splitmerge-2", op_splitmerge, "wp", "split and merge paragraphs, WP JSON", any_ok),
        ("mojibake-1", op_mojibake, "txt", "UTF-8 read as windows-1252", _has_typography),
        ("mojibake-2", op_mojibake, "txt", "UTF-8 read as windows-1252", _has_typography),
        ("style-1", op_style, "txt", "quotes/dashes/spacing restyled", _has_typography),
        ("style-2", op_style, "txt", "quotes/dashes/spacing restyled", _has_typography),
        ("spun-1", op_spun, "txt", "synonym spinning", lambda a: _spun_share(a) >= 0.4),
        ("spun-2", op_spun, "txt", "synonym spinning", lambda a: _spun_share(a) >= 0.4),
        ("quote-1", op_quote, "txt", "one word in a quotation changed", _has_quotes),
        ("quote-2", op_quote, "txt", "one word in a quotation changed", _has_quotes),
    ]
    rng = random.Random(SEED)
    for name, op, fmt, desc, ok in plan:
        art = picker.pick(ok)
        write_case(f"synthetic-{name}", art, op(art, rng), fmt, desc)
    for n in (1, 2):
        art = picker.pick()
        donor = picker.pick(_other_topic(art))
        made = op_added(art, rng, donor)
        write_case(
            f"synthetic-added-{n}", art, made, "txt", "2 substantive paragraphs + boilerplate"
        )
    for n in (1, 2):
        art = picker.pick()
        other = picker.pick(_other_topic(art))
        made = op_unrelated(art, rng, other)
        write_case(f"synthetic-unrelated-{n}", art, made, "txt", "different article, other topic")
    make_pair_cases(_by_id())
    print(f"wrote {len(list(CASES.glob('synthetic-*')))} synthetic cases")


if __name__ == "__main__":
    main()

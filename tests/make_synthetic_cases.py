"""Generate the synthetic cases: `python tests/make_synthetic_cases.py` rewrites cases/synthetic-*.

Every case starts from an article written for the project (tests/synthetic_sources/*.txt;
invented places, people and outlets, see its README) and applies ONE known operation to
make the copy, so the expected verdict and the true coverage (share of the original's body
words kept) follow from the operation. Two kinds of case pair the original with a second
text: the hard negatives (an independent report of the same event, written separately,
sharing one quoted statement with it) and the republications (the original laid out as its
publisher's page, with a dateline naming the outlet, a photo caption and a slideshow label;
the copy drops that furniture and retitles). PLAN fixes which article each case uses; a
seeded RNG picks the edits. The output is byte-for-byte reproducible and needs nothing
outside the repository (tests/test_synthetic_cases.py checks that cases/ matches it).
"""

# ruff: noqa: RUF001
# (RUF001: curly quotes, dashes and mojibake in strings are what the operations produce.)

from __future__ import annotations

import dataclasses
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
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
SOURCES = REPO / "tests" / "synthetic_sources"
CASES = REPO / "cases"
SEED = 20250212
COPY_SITE = "https://copy-site.example"


@dataclass(frozen=True)
class Article:
    """One source article: its header fields, title and body paragraphs."""

    id: str
    path: str
    source: str
    domain: str
    url: str
    topic: str
    title: str
    paragraphs: tuple[str, ...]
    header: dict[str, str] = field(default_factory=dict)

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


def read_article(path: Path) -> Article:
    """A source file: `key: value` header lines, a blank line, the title, paragraphs."""
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition("\n\n")
    header = dict(line.split(": ", 1) for line in head.splitlines())
    blocks = [b.strip() for b in re.split(r"\n\s*\n", rest) if b.strip()]
    host = urlsplit(header["url"]).hostname or ""
    return Article(
        id=path.stem,
        path=path.relative_to(REPO).as_posix(),
        source=header["outlet"],
        domain=host.removeprefix("www."),
        url=header["url"],
        topic=header["topic"],
        title=blocks[0],
        paragraphs=tuple(blocks[1:]),
        header=header,
    )


def load_articles() -> dict[str, Article]:
    """Every source article by file stem."""
    return {p.stem: read_article(p) for p in sorted(SOURCES.glob("*.txt"))}


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

# Words of the source articles the table above lacks (a spinner swaps 40%+ of them).
SYNONYMS.update(
    pair.split(":")
    for pair in _words_of(
        """two:2 four:4 five:5 six:6 earlier:sooner union:guild district:area districts:areas
department:agency cut:reduce close:shut closed:shut plant:facility chief:head town:municipality
board:panel customers:clients budget:spending_plan harvest:yield crop:yield crops:yields
rain:rainfall rose:climbed fell:dropped opened:launched executive:official morning:forenoon
third:3rd until:till taken:seized pay:wages cost:expense voted:balloted schools:academies
manager:supervisor second:2nd emergency:crisis figures:statistics team:squad strike:walkout
followed:succeeded spring:springtime land:terrain expect:anticipate stay:remain spent:expended
ask:request open:accessible instead:rather county:shire evidence:proof appeal:challenge
showed:demonstrated level:degree above:over given:provided services:amenities
contractor:supplier records:files village:hamlet centre:center night:evening hours:hrs
homes:houses ground:soil flood:deluge tell:inform council:assembly beds:cots patients:sufferers
average:mean front:entrance carries:transports hold:contain project:undertaking share:portion
held:contained summer:summertime offered:proposed main:primary rise:increase network:web
data:information operator:carrier water:liquid glacier:icefield minutes:mins bridge:crossing
metres:meters winter:wintertime door:doorway record:all-time_high lake:pond weeks:wks
waited:lingered students:learners teenagers:adolescents survey:poll research:study
parents:guardians classes:lessons schedule:timetable debate:discussion
supporters:advocates sleep:rest tired:weary buses:coaches routes:paths
"""
    )
    if pair.split(":")[0] not in SYNONYMS
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


def _text(title: str, paras: list[str] | tuple[str, ...]) -> str:
    return "\n\n".join([title, *paras]) + "\n"


def _original_text(a: Article) -> str:
    """The original in the pages-corpus layout: URL line, a `# NOTE:` line, the text."""
    note = f"# NOTE: original of a synthetic case: {a.path} ({a.source}), written for the project."
    return f"{a.url}\n{note}\n{_text(a.title, a.paragraphs)}"


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


def _source_line(a: Article, made: Made, op_desc: str) -> str:
    if "copy_article" in made.extra:
        return (
            f"copy = {made.extra['copy_article']}; original = {a.path} ({a.source}); both "
            f"written for the project; operation: {op_desc}"
        )
    source = f"{a.path} ({a.source}, written for the project); operation: {op_desc}"
    if "donor" in made.extra:
        source += f"; added paragraphs from {made.extra['donor']}"
    return source


def write_case(
    out: Path, slug: str, a: Article, made: Made, fmt: str, op_desc: str, source: str = ""
) -> None:
    """Write cases/<slug>/: the copy in `fmt` (txt, wp, html), original.txt, case.json."""
    d = out / slug
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
    case = {
        "slug": slug,
        "kind": "synthetic",
        "copy": copy_name,
        "original": "original.txt",
        "source": source or _source_line(a, made, op_desc),
        "expected": made.expected,
        "reason": made.reason,
    }
    text = json.dumps(case, indent=2, ensure_ascii=False) + "\n"
    (d / "case.json").write_text(text, encoding="utf-8")


# ---------------------------------------------------------------- republications


def _norm_words(p: str) -> list[str]:
    return re.sub(r"[^\w\s]", "", p.lower()).split()


def _kept_words(original: tuple[str, ...], copy: list[str]) -> int:
    """Words of the original kept in the copy.

    Each original paragraph is compared word by word with its most similar copy paragraph
    (difflib); the words in matching blocks count as kept. Paragraphs less than half similar
    to every copy paragraph count as not kept.
    """
    copy_words = [_norm_words(q) for q in copy]
    kept = 0
    for p in original:
        words = _norm_words(p)
        best = max(copy_words, key=lambda q: difflib.SequenceMatcher(None, words, q).ratio())
        matcher = difflib.SequenceMatcher(None, words, best)
        if matcher.ratio() >= 0.5:
            kept += sum(b.size for b in matcher.get_matching_blocks())
    return kept


_DATELINE_RE = re.compile(r"^([A-Z][A-Z .'-]+) — ")


def publisher_page(a: Article) -> Article:
    """The article as its publisher's page shows it: the dateline names the outlet
    ("PORT ELLIS (Meridian Wire) — "), a photo caption follows the lead, and a slideshow
    widget leaves its label."""
    m = _DATELINE_RE.match(a.paragraphs[0])
    if m is None or "caption" not in a.header:
        raise SystemExit(f"{a.path}: a republication needs a dateline and a caption")
    lead = f"{m.group(1)} ({a.source}) — {a.paragraphs[0][m.end() :]}"
    paras = (lead, a.header["caption"], "Slideshow (4 Images)", *a.paragraphs[1:])
    return dataclasses.replace(a, paragraphs=paras)


def op_republication(page: Article, rng: random.Random, *, credit_line: bool) -> Made:
    """A republisher's copy of a publisher page: body verbatim, furniture dropped, retitled."""
    lead = _DATELINE_RE.sub("", page.paragraphs[0].replace(f" ({page.source})", "", 1))
    dateline = page.paragraphs[0].removesuffix(lead)
    paras = [lead, *page.paragraphs[3:]]
    if credit_line:
        paras.append(f"This story was originally published on {page.domain}.")
    cov = _kept_words(page.paragraphs, paras) / page.words
    expected: dict[str, Any] = {"verdict": "faithful", "coverage": round(cov, 4)}
    credit = ""
    if credit_line:
        expected["credit"] = "credited"
        credit = f" It ends with '{paras[-1]}', which credits the original's publisher."
    return Made(
        paras,
        expected,
        f"Republication of {page.source}'s page: every body paragraph verbatim; the dateline "
        f"'{dateline}', the photo caption and the "
        "'Slideshow (4 Images)' widget label dropped, and a new headline. Losing page "
        f"furniture (dateline, caption, slideshow label) is not trimming the story -> faithful."
        f"{credit} Coverage = share of the page's words kept (word-level diff against the most "
        f"similar copy paragraph) = {cov:.3f}.",
        title=page.header["republished-title"],
    )


# ---------------------------------------------------------------- hard negatives


def op_hardneg(a: Article, rng: random.Random, other: Article) -> Made:
    """An independent report of the same event, sharing exactly one quoted paragraph."""
    shared = sorted(set(a.paragraphs) & set(other.paragraphs))
    if other.header.get("report-of") != Path(a.path).name or len(shared) != 1:
        raise SystemExit(f"{other.path} must report {a.path}'s event and share one paragraph")
    return Made(
        list(other.paragraphs),
        {"verdict": "unrelated"},
        f"Independent report of the same event by another outlet ({other.source}, written "
        f"separately for the project): same people, numbers and date, its own sentences; the "
        f"two share one identical paragraph, a quoted statement ('{shared[0][:60]}...'). Shared "
        "quotes between independent reports are not copying -> unrelated. Coverage omitted: "
        "the shared quote is the only text in common.",
        title=other.title,
        extra={"copy_article": other.path},
    )


# ---------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Step:
    """One synthetic case: the operation, its article, the copy's format, its description."""

    name: str
    op: Callable[..., Made]
    article: str
    fmt: str
    desc: str
    other: str | None = None
    needs: Callable[[Article], bool] | None = None


PLAN: tuple[Step, ...] = (
    Step(
        "verbatim-1",
        op_verbatim_credited,
        "science-glacier-lake",
        "txt",
        "unchanged + scraper footer",
    ),
    Step("verbatim-2", op_verbatim, "sport-cup-final", "wp", "unchanged, as WordPress REST JSON"),
    Step("verbatim-3", op_verbatim, "culture-museum-return", "html", "unchanged, as an HTML page"),
    Step("trimmed-1", op_trimmed, "health-er-waits", "txt", "keep first 50-70% of paragraphs"),
    Step(
        "trimmed-2",
        op_trimmed,
        "agriculture-drought-harvest",
        "html",
        "keep first 50-70% of paragraphs, HTML",
    ),
    Step(
        "dropmiddle-1", op_dropmiddle, "politics-state-budget", "txt", "drop 2-3 middle paragraphs"
    ),
    Step(
        "dropmiddle-2",
        op_dropmiddle,
        "local-bridge-closure",
        "wp",
        "drop 2-3 middle paragraphs, WP JSON",
    ),
    Step(
        "edited-1",
        op_edited,
        "education-school-start",
        "txt",
        "replace ~10% of words in half the paragraphs",
    ),
    Step(
        "edited-2",
        op_edited,
        "business-cannery-closure",
        "txt",
        "replace ~10% of words in half the paragraphs",
    ),
    Step(
        "boilerplate-1",
        op_boilerplate,
        "environment-flood-warning",
        "txt",
        "add ads/newsletter/related links",
    ),
    Step("boilerplate-2", op_boilerplate, "tech-utility-breach", "html", "add boilerplate, HTML"),
    Step("moved-1", op_moved, "courts-breath-test", "txt", "move a 2-paragraph block to the end"),
    Step("moved-2", op_moved, "markets-chipmakers", "txt", "move a 2-paragraph block to the end"),
    Step(
        "splitmerge-1",
        op_splitmerge,
        "transport-rail-strike",
        "txt",
        "split 2 and merge 2 paragraphs",
    ),
    Step(
        "splitmerge-2",
        op_splitmerge,
        "science-glacier-lake",
        "wp",
        "split and merge paragraphs, WP JSON",
    ),
    Step(
        "mojibake-1",
        op_mojibake,
        "culture-museum-return",
        "txt",
        "UTF-8 read as windows-1252",
        needs=_has_typography,
    ),
    Step(
        "mojibake-2",
        op_mojibake,
        "health-er-waits",
        "txt",
        "UTF-8 read as windows-1252",
        needs=_has_typography,
    ),
    Step(
        "style-1",
        op_style,
        "sport-cup-final",
        "txt",
        "quotes/dashes/spacing restyled",
        needs=_has_typography,
    ),
    Step(
        "style-2",
        op_style,
        "politics-state-budget",
        "txt",
        "quotes/dashes/spacing restyled",
        needs=_has_typography,
    ),
    Step(
        "spun-1",
        op_spun,
        "education-school-start",
        "txt",
        "synonym spinning",
        needs=lambda a: _spun_share(a) >= 0.4,
    ),
    Step(
        "spun-2",
        op_spun,
        "courts-breath-test",
        "txt",
        "synonym spinning",
        needs=lambda a: _spun_share(a) >= 0.4,
    ),
    Step(
        "quote-1",
        op_quote,
        "tech-utility-breach",
        "txt",
        "one word in a quotation changed",
        needs=_has_quotes,
    ),
    Step(
        "quote-2",
        op_quote,
        "agriculture-drought-harvest",
        "txt",
        "one word in a quotation changed",
        needs=_has_quotes,
    ),
    Step(
        "added-1",
        op_added,
        "local-bridge-closure",
        "txt",
        "2 substantive paragraphs + boilerplate",
        other="sport-cup-final",
    ),
    Step(
        "added-2",
        op_added,
        "education-school-start",
        "txt",
        "2 substantive paragraphs + boilerplate",
        other="markets-chipmakers",
    ),
    Step(
        "unrelated-1",
        op_unrelated,
        "courts-breath-test",
        "txt",
        "different article, other topic",
        other="science-glacier-lake",
    ),
    Step(
        "unrelated-2",
        op_unrelated,
        "business-cannery-closure",
        "txt",
        "different article, other topic",
        other="culture-museum-return",
    ),
    Step(
        "hardneg-1",
        op_hardneg,
        "courts-breath-test",
        "txt",
        "independent report of the same event",
        other="courts-breath-test-other-report",
    ),
    Step(
        "hardneg-2",
        op_hardneg,
        "transport-rail-strike",
        "txt",
        "independent report of the same event",
        other="transport-rail-strike-other-report",
    ),
)
REPUBLICATIONS = (
    ("republication-1", "markets-chipmakers", False),
    ("republication-2", "environment-flood-warning", True),
)


# ---------------------------------------------------------------- main


def build(out: Path) -> int:
    """Write every synthetic case under `out`; return how many."""
    articles = load_articles()
    rng = random.Random(SEED)
    for step in PLAN:
        art = articles[step.article]
        if step.needs is not None and not step.needs(art):
            raise SystemExit(f"{art.path} does not suit synthetic-{step.name}")
        args = (articles[step.other],) if step.other else ()
        made = step.op(art, rng, *args)
        write_case(out, f"synthetic-{step.name}", art, made, step.fmt, step.desc)
    for name, stem, credit_line in REPUBLICATIONS:
        page = publisher_page(articles[stem])
        made = op_republication(page, rng, credit_line=credit_line)
        source = (
            f"original = {page.path} ({page.source}, written for the project) laid out as its "
            "publisher's page (dateline naming the outlet, photo caption, slideshow label); "
            "copy = that page republished: furniture dropped, retitled"
            + (", a credit line added" if credit_line else "")
        )
        write_case(out, f"synthetic-{name}", page, made, "txt", "republication", source)
    return len(list(out.glob("synthetic-*")))


def main() -> None:
    for old in CASES.glob("synthetic-*"):
        shutil.rmtree(old)
    print(f"wrote {build(CASES)} synthetic cases")


if __name__ == "__main__":
    sys.exit(main())

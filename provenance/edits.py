"""Edit kinds: what one word-level change between an original and its copy does to the
meaning, judged as an editor would.

The only module importing text2num (written-out numbers) and breame (US/UK spelling).
Word lists live in `data/edits.toml`, each with the real example it was written for.

`edit_kind` compares the two sides of an edit with a little context around them:
* style     both sides say the same thing in another form: their canonical forms are
            equal (case, accents, hyphens, contractions, US/UK spelling, honorifics,
            possessives, neutral reporting verbs, numbers written in digits or words,
            "5%" / "5 pct" / "5 percent", "$5m" / "5 mln dlrs" / "five million dollars"),
            or time or place is made relative to the reader ("on Tuesday" -> "yesterday");
* negation  the sides hold a different number of negation cues ("not", "never", "sin",
            "nicht", ...), in the six languages credits are read in;
* number    the values differ (integers, decimals, percentages, money with magnitudes,
            years, and one weekday or month for another);
* name      a proper name replaced or inserted, as opposed to a change of form of
            the same name (surname only, honorific, possessive, case): a capitalised word
            of one side that the other side's paragraph does not hold, and that does not
            merely extend a name both sides keep ("Biden" -> "Joe Biden");
* modality  certainty changed: a cue of another class ("will" -> "may", "alleged" ->
            "convicted", "plans to" -> "has agreed to", "reportedly" added or dropped);
* wording   anything else.
Checks run in that order after style; the first that applies names the kind. A deletion
trims: it is negation or modality when what is left changes polarity or certainty, else
wording. Never raises.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from itertools import filterfalse

from .datafiles import read_data
from .hints import HintFinder
from .models import EditKind

__all__ = [
    "MATERIAL_KINDS",
    "Side",
    "american",
    "anchors",
    "detect_language",
    "edit_kind",
    "plain_edit",
    "plain_kind",
    "sure_language",
]

MATERIAL_KINDS = frozenset({EditKind.NUMBER, EditKind.NEGATION, EditKind.NAME, EditKind.MODALITY})
LANGUAGES = ("en", "es", "fr", "de", "pt", "it")

# Tokens: a currency sign, a number (1,000.5 / 1.000,5), a percent sign, or a word with
# inner apostrophes or hyphens.
_WORD_TOKEN = r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*"
_TOKEN_RE = re.compile(rf"[$€£¥%]|\d+(?:[.,]\d+)*|{_WORD_TOKEN}")
# The word tokens of _TOKEN_RE alone (the others never start or end inside a word).
_WORD_TOKEN_RE = re.compile(_WORD_TOKEN)
# A word with an apostrophe inside (possessive: a run of letters is never given back,
# there being no apostrophe among them), or "cannot".
_CONTRACTION_RE = re.compile(r"[^\W\d_]++(?:['\u2019][^\W\d_]++)++|cannot")
# The same on lower-case ASCII text, where it is found about twice as fast.
_ASCII_WORD_TOKEN_RE = re.compile(r"[a-z]+(?:'[a-z]+)*")
# ASCII with every character that is not in such a token made a space: str.split then
# cuts it into _ASCII_WORD_TOKEN_RE's tokens (but where an apostrophe stands).
_ASCII_NOT_TOKEN = str.maketrans(
    {c: " " for c in map(chr, range(128)) if c != "'" and not "a" <= c <= "z"}
)
# An apostrophe with no letter after it, or none before it (led by the apostrophe, so
# the regex engine skips to the next one fast).
_LOOSE_APOSTROPHE_RE = re.compile(r"'(?:(?![a-z])|(?<![a-z]'))")
# Typography that keeps most English text from being ASCII, made ASCII without changing
# which function words a text holds: the marks between words become spaces, and the
# curly apostrophe a straight one (it joins a word in both forms, and no function word
# holds one).
_PLAIN_TYPOGRAPHY = (
    ("\u2019", "'"), ("\u2018", " "), ("\u201c", " "), ("\u201d", " "), ("\u2014", " "),
    ("\u2013", " "), ("\u2026", " "), ("\u00a0", " "),
)  # fmt: skip
_EUROPEAN_NUMBER_RE = re.compile(r"^\d{1,3}(?:\.\d{3})+(?:,\d+)?$|^\d+,\d{1,2}$")
_CAPITALISED_RE = re.compile(r"^[\"'\u201c\u2018(\[\u00ab\u201e]*([A-ZÀ-ÖØ-Þ][\w'\u2019.\-]*)")
_HYPHEN_RE = re.compile(r"(?<=\w)[-\u2010\u2011](?=\w)")
_SENTENCE_END_RE = re.compile(r"[.!?:;\"\u201d\u00bb]$")
_POSSESSIVE_RE = re.compile(r"['\u2019]s?$")
_CONTRACTIONS = {
    "won't": "will not",
    "can't": "can not",
    "cannot": "can not",
    "shan't": "shall not",
    "ain't": "is not",
}
_CONTRACTION_SUFFIXES = (
    ("n't", " not"),
    ("'re", " are"),
    ("'ve", " have"),
    ("'ll", " will"),
    ("'m", " am"),
    ("'d", " would"),
)
_PRONOUNS_IS = frozenset({"it's", "he's", "she's", "that's", "there's", "what's", "who's"})
# "12th": the ordinal suffix is style once the number stands alone.
_ORDINALS = frozenset({"st", "nd", "rd", "th"})
# Characters after which an edit needs the full comparison (contractions, money, percent).
_SIGNIFICANT_CHARS = frozenset("'\u2019%$\u20ac\u00a3\u00a5")
# In ASCII text: a digit, a capital or one of _SIGNIFICANT_CHARS.
_NOT_PLAIN_ASCII_RE = re.compile(r"[0-9A-Z'%$]")
_PUNCTUATION = '.,;:!?"()[]\u201c\u201d\u2018\u00ab\u00bb'
# Words between a number and its unit: "5 millones de dólares", "5 milioni di euro".
_UNIT_LINKS = frozenset({"de", "di", "d"})
# The language of a text is told from its first characters (~300 words, of which a news
# text's function words number about a hundred: `_SURE_MIN_HITS` many times over).
LANGUAGE_SAMPLE_CHARS = 2_000
# A language is sure from this many function words (and twice the next language's).
_SURE_MIN_HITS = 8
# Context words taken on each side of an edit.
CONTEXT_WORDS = 2
# Long rewritten passages are wording: a cue inside them is not one word flipped.
_MAX_CUE_SPAN_WORDS = 12


@dataclass(frozen=True)
class Side:
    """One side of an edit: the changed words, the words just before and after them (the
    same on both sides up to style), and the whole paragraph they stand in."""

    span: str
    before: str = ""
    after: str = ""
    paragraph: str = ""

    @property
    def text(self) -> str:
        return " ".join(p for p in (self.before, self.span, self.after) if p)


@dataclass(frozen=True)
class _Lexicon:
    negation: dict[str, frozenset[str]]
    modality: dict[str, str]
    reporting: frozenset[str]
    honorifics: frozenset[str]
    not_names: frozenset[str]
    relative_time: frozenset[str]
    absolute_time: frozenset[str]
    relative_place: frozenset[str]
    scale: dict[str, Decimal]
    unit: dict[str, str]
    # first word -> (words, joined token), longest first
    phrases: dict[str, tuple[tuple[tuple[str, ...], str], ...]]
    stopwords: dict[str, frozenset[str]]
    calendar: dict[str, str]
    # every word some check reads (negation, modality, reporting, honorifics, time, place,
    # numbers), by its first word for phrases
    cues: frozenset[str]


def edit_kind(original: Side, copy: Side, language: str = "en") -> EditKind:
    """The kind of the edit that turned `original` into `copy` (see the module docstring)."""
    lex = _lexicon()
    quick = plain_kind(original.span, copy.span)
    if quick is not None:
        return quick
    o_canon, c_canon = _canonical(original.text, language), _canonical(copy.text, language)
    if "".join(o_canon) == "".join(c_canon):
        return EditKind.STYLE
    short = max(len(original.span.split()), len(copy.span.split())) <= _MAX_CUE_SPAN_WORDS
    negation = lex.negation.get(language, lex.negation["en"])
    if short and _cues(o_canon, negation) != _cues(c_canon, negation):
        return EditKind.NEGATION
    if not copy.span.strip():
        # A deletion trims: it changes the meaning only when what is left says the
        # opposite or with another certainty.
        if short and _modal_classes(o_canon, lex) != _modal_classes(c_canon, lex):
            return EditKind.MODALITY
        return EditKind.WORDING
    if Counter(o_canon) == Counter(c_canon):
        # the same words in another order: "12 February" / "February 12" is style,
        # "Smith beat Jones" / "Jones beat Smith" is not
        moved = {a for a, b in zip(o_canon, c_canon, strict=True) if a != b}
        return EditKind.STYLE if all(_is_time(t, lex) for t in moved) else EditKind.WORDING
    time_kind = _time_change(o_canon, c_canon, lex)
    if time_kind is not None:
        return time_kind
    if _numbers(o_canon) != _numbers(c_canon):
        return EditKind.NUMBER
    if _has_capital(original.span + " " + copy.span) and _name_changed(original, copy, lex):
        if _place_made_relative(o_canon, c_canon, lex):
            return EditKind.STYLE
        return EditKind.NAME
    if short and _modal_classes(o_canon, lex) != _modal_classes(c_canon, lex):
        return EditKind.MODALITY
    return EditKind.WORDING


def plain_edit(original: str, copy: str) -> bool:
    """True when an edit is between lower-case words without digits, apostrophes,
    currency or number words: its kind is told from the words alone (style or wording,
    unless a cue word is among them), the cheapest case to classify."""
    text = f"{original} {copy}"
    if text.isascii():
        if _NOT_PLAIN_ASCII_RE.search(text):
            return False
    elif any(c.isdigit() or c.isupper() or c in _SIGNIFICANT_CHARS for c in text):
        return False
    return not _may_hold_number_words(text)


def plain_kind(original: str, copy: str) -> EditKind | None:
    """The kind of an edit between lower-case words that no check reads (no digits,
    capitals, apostrophes, currency, cue or calendar words): style when only spelling or
    hyphens differ, else wording. None when the full comparison (`edit_kind`, with the
    words around the edit) is needed."""
    if not plain_edit(original, copy):
        return None
    lex = _lexicon()
    o_words = [w.strip(_PUNCTUATION) for w in original.split()]
    c_words = [w.strip(_PUNCTUATION) for w in copy.split()]
    if any(_strip_accents(w) in lex.cues for w in (*o_words, *c_words)):
        return None
    same_spelling = _spelled(o_words) == _spelled(c_words)
    return EditKind.STYLE if same_spelling else EditKind.WORDING


def _spelled(words: list[str]) -> str:
    """Words in US spelling, run together: hyphens and spaces between them do not count."""
    return "".join(american(w) for w in words).replace("-", "")


def detect_language(text: str) -> str:
    """The most likely of the six languages from function-word counts ("en" on a tie)."""
    return _ranked_languages(text)[0][0]


def sure_language(text: str) -> str | None:
    """The language of `text` when its function words say so clearly: at least
    `_SURE_MIN_HITS` of them, twice as many as of the next language's; else None."""
    (best, top), (_, second) = _ranked_languages(text)[:2]
    return best if top >= _SURE_MIN_HITS and top >= 2 * second else None


@lru_cache(maxsize=1_024)
def _ranked_languages(text: str) -> list[tuple[str, int]]:
    """Languages by how many of their function words the start of `text` holds."""
    languages_of = _stopword_languages()
    scores = dict.fromkeys(_lexicon().stopwords, 0)
    sample = text[:LANGUAGE_SAMPLE_CHARS].casefold()
    if not sample.isascii():
        for mark, plain in _PLAIN_TYPOGRAPHY:
            sample = sample.replace(mark, plain)
    counts, accented = _word_counts(sample, languages_of)
    # Function words are kept without accents: a token is one as it stands, or (with
    # letters outside ASCII) once its accents are stripped.
    found = list(counts.items())
    stripped = ((t, _strip_accents(t), n) for t, n in accented.items() if not t.isascii())
    found += [(s, n) for t, s, n in stripped if s != t and s in languages_of]
    for token, n in found:
        for language in languages_of[token]:
            scores[language] += n
    return sorted(scores.items(), key=lambda item: (-item[1], item[0] != "en"))


def _word_counts(sample: str, kept: Container[str]) -> tuple[Counter[str], Counter[str]]:
    """How often each `_WORD_TOKEN_RE` token in `kept` stands in a casefolded sample, and
    how often each token of its whitespace-separated pieces with characters outside ASCII
    does (no token runs across whitespace: the ASCII pieces are read fast, in one go)."""
    if sample.isascii():
        return Counter(filter(kept.__contains__, _ascii_word_tokens(sample))), Counter()
    pieces = sample.split()
    plain = _ascii_word_tokens(" ".join(filter(str.isascii, pieces)))
    counts = Counter(filter(kept.__contains__, plain))
    accented = Counter(
        t for piece in filterfalse(str.isascii, pieces) for t in _WORD_TOKEN_RE.findall(piece)
    )
    counts.update({t: n for t, n in accented.items() if t in kept})
    return counts, accented


def _ascii_word_tokens(text: str) -> list[str]:
    """`_ASCII_WORD_TOKEN_RE.findall(text)` for ASCII text, in a third of the time: every
    character no token holds, and every apostrophe not between two letters, made a space
    before the text is split."""
    text = text.translate(_ASCII_NOT_TOKEN)
    if "'" in text:
        text = _LOOSE_APOSTROPHE_RE.sub(" ", text)
    return text.split()


@cache
def _stopword_languages() -> dict[str, tuple[str, ...]]:
    """Each function word of the lexicon -> the languages it is a function word of."""
    languages: defaultdict[str, list[str]] = defaultdict(list)
    for language, words in _lexicon().stopwords.items():
        for word in words:
            languages[word].append(language)
    return {word: tuple(found) for word, found in languages.items()}


def anchors(text: str, language: str) -> Counter[str]:
    """What a translation keeps of a passage: its numbers (as values: "5 millones" and
    "5 million" are one anchor) and its names (capitalised words inside sentences,
    accents and case aside, at least three letters)."""
    lex = _lexicon()
    canonical = _canonical(text, language)
    found: Counter[str] = Counter(
        t for t in canonical if t.startswith("#") or t in lex.calendar.values()
    )
    found.update(n for n in _names(text, "", frozenset()) if len(n) >= 3)
    return found


# --- canonical form --------------------------------------------------------------------


@lru_cache(maxsize=16_384)
def _canonical(text: str, language: str) -> tuple[str, ...]:
    """Tokens of `text` with every difference of style removed."""
    lex = _lexicon()
    lowered = _HYPHEN_RE.sub(" ", _expand_contractions(text.casefold()))
    lowered = _written_numbers(lowered, language)
    tokens = [_strip_accents(t) for t in _TOKEN_RE.findall(lowered)]
    tokens = _join_phrases(tokens, lex)
    out: list[str] = []
    k = 0
    while k < len(tokens):
        k = _fold_number(tokens, k, out, lex, language)
    return tuple(
        _style_token(t, lex) for t in out if t not in lex.honorifics and t not in _ORDINALS
    )


def _expand_contractions(text: str) -> str:
    def expand(match: re.Match[str]) -> str:
        word = match.group().replace("\u2019", "'")
        if word in _CONTRACTIONS:
            return _CONTRACTIONS[word]
        if word in _PRONOUNS_IS:
            return word[:-2] + " is"
        for suffix, full in _CONTRACTION_SUFFIXES:
            if word.endswith(suffix) and len(word) > len(suffix):
                return word[: -len(suffix)] + full
        return word

    if "'" not in text and "\u2019" not in text and "cannot" not in text:
        return text  # nothing to expand
    return _CONTRACTION_RE.sub(expand, text)


def _written_numbers(text: str, language: str) -> str:
    """Numbers written out in words become digits ("five million" -> "5000000")."""
    if not _may_hold_number_words(text):
        return text
    from text_to_num import alpha2digit

    try:
        return str(alpha2digit(text, language if language in LANGUAGES else "en", threshold=2))
    except (ValueError, KeyError, IndexError):
        return text


def _may_hold_number_words(text: str) -> bool:
    return _number_words().occurs_in(text)


@cache
def _number_words() -> HintFinder[None]:
    return HintFinder(dict.fromkeys(_NUMBER_WORD_STEMS))


_NUMBER_WORD_STEMS = (
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "teen", "twenty", "thirty", "forty", "fifty", "sixty",
    "seventy", "eighty", "ninety", "hundred", "thousand", "million", "billion",
    "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez", "cien",
    "mil", "deux", "trois", "quatre", "cinq", "sept", "huit", "neuf", "dix", "cent",
    "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn",
    "hundert", "tausend", "três", "quatro", "oito", "nove", "dez", "tre", "quattro",
    "cinque", "sette", "otto", "dieci", "cento", "mille",
)  # fmt: skip


def _join_phrases(tokens: list[str], lex: _Lexicon) -> list[str]:
    """Multi-word cues and units become one token ("per cent", "plans to", "a dit")."""
    out: list[str] = []
    k = 0
    while k < len(tokens):
        for words, joined in lex.phrases.get(tokens[k], ()):
            if tuple(tokens[k : k + len(words)]) == words:
                out.append(joined)
                k += len(words)
                break
        else:
            out.append(tokens[k])
            k += 1
    return out


def _fold_number(tokens: list[str], k: int, out: list[str], lex: _Lexicon, language: str) -> int:
    """Append the token at k to `out`, folding a number with its currency, magnitude and
    unit into one "#value|unit" token; returns the next position."""
    token = tokens[k]
    value = _number_value(token, language)
    if value is None:
        out.append(token)
        return k + 1
    units: list[str] = []
    if out and out[-1] in lex.unit:
        units.append(lex.unit[out.pop()])
    k += 1
    scaled = False
    while k < len(tokens):
        nxt = tokens[k]
        scale = lex.scale.get(nxt)
        if scale is None and nxt.isdigit() and set(nxt[1:]) == {"0"} and len(nxt) >= 4:
            scale = Decimal(nxt)  # text2num writes "1.5 billion" as "1.5 1000000000"
        if scale is not None and not scaled:
            value *= scale
            scaled = True
        elif nxt in lex.unit:
            units.append(lex.unit[nxt])
            scaled = True  # "5 pct m" is not five million percent
        elif nxt in _UNIT_LINKS and k + 1 < len(tokens) and tokens[k + 1] in lex.unit:
            pass  # "5 millones de dólares"
        else:
            break
        k += 1
    text = format(value.normalize(), "f")
    out.append("#" + text + ("|" + "|".join(sorted(set(units))) if units else ""))
    return k


def _number_value(token: str, language: str) -> Decimal | None:
    if not token[:1].isdigit():
        return None
    if language != "en" and _EUROPEAN_NUMBER_RE.match(token):
        token = token.replace(".", "").replace(",", ".")
    else:
        token = token.replace(",", "")
    try:
        return Decimal(token)
    except InvalidOperation:
        return None


def _style_token(token: str, lex: _Lexicon) -> str:
    if token in lex.reporting:
        return "said"
    if token in lex.calendar:
        return lex.calendar[token]
    token = _POSSESSIVE_RE.sub("", token) if len(token) > 3 else token
    return american(token).replace("-", "")


def american(word: str) -> str:
    """The US spelling of a lower-case word ("labour" -> "labor"); other words unchanged.
    (breame's `get_american_spelling`, read straight from its table: it is asked for every
    content word of a text.)"""
    if not word.isalpha():
        return word
    plain = word.lower().strip()
    return _british_to_american().get(plain, plain)


@cache
def _british_to_american() -> dict[str, str]:
    from breame.data.spelling_constants import BRITISH_ENGLISH_SPELLINGS

    return dict(BRITISH_ENGLISH_SPELLINGS)


def _strip_accents(token: str) -> str:
    if token.isascii():
        return token
    decomposed = unicodedata.normalize("NFKD", token)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# --- the checks ------------------------------------------------------------------------


def _cues(tokens: Iterable[str], cues: frozenset[str]) -> int:
    return sum(1 for t in tokens if t in cues)


def _numbers(tokens: Iterable[str]) -> Counter[str]:
    return Counter(t for t in tokens if t.startswith("#"))


def _time_change(o: Sequence[str], c: Sequence[str], lex: _Lexicon) -> EditKind | None:
    """STYLE when the sides differ only in time words and one side is relative to the
    reader; NUMBER when one weekday or month stands for another; else None."""
    o_only = Counter(o) - Counter(c)
    c_only = Counter(c) - Counter(o)
    differing = set(o_only) | set(c_only)
    if not differing:
        return None

    if not all(_is_time(t, lex) for t in differing):
        return None
    absolute_o = {t for t in o_only if t in lex.absolute_time or t.startswith("#")}
    absolute_c = {t for t in c_only if t in lex.absolute_time or t.startswith("#")}
    if absolute_o and absolute_c:
        return EditKind.NUMBER
    return EditKind.STYLE


def _is_time(token: str, lex: _Lexicon) -> bool:
    """A time word, or a number that may be a day or a year."""
    if token.startswith("#") and "|" not in token and token[1:].isdigit():
        value = int(token[1:])
        return value <= 31 or 1900 <= value <= 2100
    return token in lex.relative_time or token in lex.absolute_time


def _place_made_relative(o: Sequence[str], c: Sequence[str], lex: _Lexicon) -> bool:
    return bool(lex.relative_place & (set(o) ^ set(c)))


def _modal_classes(tokens: Iterable[str], lex: _Lexicon) -> Counter[str]:
    return Counter(lex.modality[t] for t in tokens if t in lex.modality)


def _has_capital(text: str) -> bool:
    return any(c.isupper() for c in text)


def _name_changed(original: Side, copy: Side, lex: _Lexicon) -> bool:
    """A name on one side that the other side's paragraph lacks and that does not just
    extend a name both sides keep."""
    o_paragraph = original.paragraph or original.text
    c_paragraph = copy.paragraph or copy.text
    proper = _names(o_paragraph, "", frozenset()) | _names(c_paragraph, "", frozenset())
    o_names = _names(original.span, original.before, proper)
    c_names = _names(copy.span, copy.before, proper)
    if not o_names and not c_names:
        return False
    kept = _names(original.before + " " + original.after, "", proper) & _names(
        copy.before + " " + copy.after, "", proper
    )
    inserted = c_names - _names(o_paragraph, "", proper)
    removed = o_names - _names(c_paragraph, "", proper)
    if inserted and not _extends_kept_name(copy, kept, proper):
        return True
    return bool(removed)


def _extends_kept_name(side: Side, kept: frozenset[str], proper: frozenset[str]) -> bool:
    """The span stands right next to a name both sides keep ("Joe" before "Biden")."""
    if not kept:
        return False
    neighbours = side.before.split()[-1:] + side.after.split()[:1]
    return bool(_names(" ".join(neighbours), "x", proper) & kept)


def _names(span: str, before: str, proper: frozenset[str]) -> frozenset[str]:
    """Capitalised words that are not function or calendar words. A sentence's first word
    counts only when it is also seen capitalised inside a sentence (`proper`)."""
    inside, first = _capitalised(span, before)
    return inside | (first & proper) if first else inside


@lru_cache(maxsize=16_384)
def _capitalised(span: str, before: str) -> tuple[frozenset[str], frozenset[str]]:
    """The capitalised words of `span` that are not function or calendar words: those
    inside a sentence, and those starting one (`before` is the text before `span`)."""
    lex = _lexicon()
    inside: set[str] = set()
    first: set[str] = set()
    at_start = not before.strip() or bool(_SENTENCE_END_RE.search(before.strip()))
    for token in span.split():
        match = _CAPITALISED_RE.match(token)
        if match:
            word = _POSSESSIVE_RE.sub("", match.group(1).rstrip(".,;:!?"))
            key = _strip_accents(word.casefold())
            ordinary = key in lex.not_names or key in lex.absolute_time or key in lex.honorifics
            if key and not ordinary:
                (first if at_start else inside).add(key)
        at_start = bool(_SENTENCE_END_RE.search(token))
    return frozenset(inside), frozenset(first)


# --- the word lists --------------------------------------------------------------------


def _phrase_index(phrases: Iterable[str]) -> dict[str, tuple[tuple[tuple[str, ...], str], ...]]:
    by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for phrase in set(phrases):
        words = tuple(phrase.split())
        by_first.setdefault(words[0], []).append((words, phrase.replace(" ", "_")))
    return {
        first: tuple(sorted(items, key=lambda item: (-len(item[0]), item[1])))
        for first, items in by_first.items()
    }


@cache
def _lexicon() -> _Lexicon:
    data = read_data("edits.toml")

    def norm(words: Iterable[str]) -> list[str]:
        return [_strip_accents(w.casefold()) for w in words]

    negation = {lang: norm(data["negation"][lang]) for lang in LANGUAGES}
    modality = {w: cls for cls, words in data["modality"]["classes"].items() for w in norm(words)}
    reporting = norm(data["reporting"]["words"])
    units = {_strip_accents(k): str(v) for k, v in data["numbers"]["unit"].items()}
    cues = [w for words in negation.values() for w in words]
    phrases = [w for w in [*cues, *modality, *reporting, *units] if " " in w]
    return _Lexicon(
        negation={
            lang: frozenset(w.replace(" ", "_") for w in words) for lang, words in negation.items()
        },
        modality={w.replace(" ", "_"): cls for w, cls in modality.items()},
        reporting=frozenset(w.replace(" ", "_") for w in reporting),
        honorifics=frozenset(norm(data["honorifics"]["words"])),
        not_names=frozenset(norm(data["names"]["not_names"])),
        relative_time=frozenset(norm(data["time"]["relative"])),
        absolute_time=frozenset(norm(data["time"]["absolute"]))
        | frozenset(_strip_accents(k) for k in data["calendar"]["names"]),
        relative_place=frozenset(norm(data["place"]["relative"])),
        scale={_strip_accents(k): Decimal(str(v)) for k, v in data["numbers"]["scale"].items()},
        unit={k.replace(" ", "_"): v for k, v in units.items()},
        phrases=_phrase_index(phrases),
        stopwords={lang: frozenset(norm(data["stopwords"][lang])) for lang in LANGUAGES},
        calendar={_strip_accents(k): str(v) for k, v in data["calendar"]["names"].items()},
        cues=frozenset(
            w.split()[0]
            for w in [
                *cues,
                *modality,
                *reporting,
                *units,
                *norm(data["honorifics"]["words"]),
                *norm(data["time"]["relative"]),
                *norm(data["time"]["absolute"]),
                *norm(data["place"]["relative"]),
                *norm(data["numbers"]["scale"]),
                *norm(data["calendar"]["names"]),
            ]
        ),
    )

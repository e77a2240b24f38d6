"""Text normalisation: cleaning, mojibake repair, comparison keys, word tokens."""

# Typographic quotes, dashes and full-width letters are the subject of these tests.
# ruff: noqa: RUF001

from __future__ import annotations

import re
import re._constants as _sre
import re._parser as _parser
from typing import Any

import pytest
from ftfy.badness import BADNESS_RE, is_bad
from hypothesis import given
from hypothesis import strategies as st
from shared_dir import SHARED

from provenance.text import (
    CLEAN_TYPOGRAPHY,
    clean_text,
    comparison_key,
    key_words,
    quote_mask,
    repair_mojibake,
    text_words,
    token_words,
    words,
    words_by_token,
)

LAPOST = SHARED / "real/families/cnn-nato-scramble-2025-02-12/lapost.txt"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Tom &amp; Jerry &#8217;s\n\tshow  ", "Tom & Jerry ’s show"),
        ("a\u00a0b\u2009c\u3000d", "a b c d"),
        ("zero\u200bwidth\u2060joined\ufeff", "zerowidthjoined"),
        ("soft\u00adhyphen", "softhyphen"),
        ("Cafe\u0301", "Café"),  # NFC composes
        ("", ""),
        ("\u00a0 \n", ""),
        (
            "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
            "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
        ),
    ],
)
def test_clean_text(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


# Correct text in several scripts must come back unchanged and unreported.
CORRECT_TEXTS = [
    "Tiếng Việt: Tổng thống Trump nói rằng người Ukraine có thể trở thành người Nga.",
    "ภาษาไทย: นาโตกำลังสับสนหลังจากทรัมป์เปลี่ยนนโยบาย",
    "สก รก",  # two-letter Thai words whose bytes would also be valid UTF-8
    "Latvia’s Defense Minister Andris Sprūds said “it is important”.",
    "Größe, Übermut und Äpfel — schön.",
    "北约盟国在特朗普团队释放让步信号后寻找方向。日本語のテキスト。한국어 텍스트.",
    "Ελληνικά και русский текст, café naïve façade.",
    "Plain ASCII text with 'quotes' and -- dashes.",
]


@pytest.mark.parametrize("text", CORRECT_TEXTS)
def test_repair_leaves_correct_text_alone(text: str) -> None:
    assert repair_mojibake(text) == (text, None)


@pytest.mark.parametrize(
    ("text", "codecs", "description"),
    [
        ("Wednesday’s meeting — “a day” in Brussels", ("cp1252",), "utf-8 read as windows-1252"),
        ("Tiếng Việt có dấu — “ok”", ("cp1252",), "utf-8 read as windows-1252"),
        ("Latvia’s Andris Sprūds — “no”", ("cp1257",), "utf-8 read as windows-1257"),
        ("Latvia’s Andris Sprūds — “no”", ("cp874", "cp1252"), "utf-8 read as windows-874"),
        ("Tiếng Việt có dấu — “ok” über", ("cp874", "cp1252"), "utf-8 read as windows-874"),
        ("Andris Sprūds", ("cp874",), "utf-8 read as windows-874"),
    ],
)
def test_repair_undoes_single_byte_misreadings(
    text: str, codecs: tuple[str, ...], description: str
) -> None:
    garbled = _sloppy_decode(text.encode("utf-8"), codecs)
    assert garbled != text
    assert repair_mojibake(garbled) == (text, description)


def _sloppy_decode(data: bytes, codecs: tuple[str, ...]) -> str:
    """Decode byte by byte with the first of `codecs` that defines the byte, else as the C1
    control of the same number (the real lapost copy shows windows-874, then windows-1252)."""
    out = []
    for byte in data:
        for candidate in (*codecs, "latin-1"):
            try:
                out.append(bytes([byte]).decode(candidate))
                break
            except UnicodeDecodeError:
                continue
    return "".join(out)


@pytest.mark.shared
def test_repair_real_windows_874_copy() -> None:
    lines = LAPOST.read_text(encoding="utf-8").splitlines()
    text = "\n".join(line for line in lines[1:] if not line.startswith("# NOTE"))
    assert "โ€™" in text and "Sprลซds" in text
    fixed, description = repair_mojibake(text)
    assert description == "utf-8 read as windows-874"
    assert "Wednesday’s meeting" in fixed
    assert "Brussels, Belgium (CNN) — Wednesday" in fixed
    assert "Andris Sprūds" in fixed
    assert "“They may be Russian someday" in fixed
    assert "โ" not in fixed and "€" not in fixed


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("“Two percent is not enough,” he said.", '"Two percent is not enough," he said.'),
        ("it’s the ‘best’", "it's the 'best'"),
        ("Brussels (CNN) — Wednesday", "Brussels (CNN) - Wednesday"),
        ("Brussels (CNN)—Wednesday", "Brussels (CNN) – Wednesday"),
        ("wait… what", "wait... what"),
        ("NATO  Allies\u00a0Scramble", "nato allies scramble"),
        ("ＦＵＬＬ width", "full width"),
        ("Tom &amp; Jerry", "tom & jerry"),
    ],
)
def test_style_only_changes_give_equal_keys(a: str, b: str) -> None:
    assert comparison_key(a) == comparison_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Two percent is not enough", "Five percent is not enough"),
        ("he said", "she said"),
        ("it is 5%", "it is 5"),
    ],
)
def test_real_changes_give_different_keys(a: str, b: str) -> None:
    assert comparison_key(a) != comparison_key(b)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The U.S. paid $1,000 — don’t ask.", ["the", "u.s", "paid", "1,000", "don't", "ask"]),
        ("Sprūds said: “0.3%”", ["sprūds", "said", "0.3"]),
        ("北约 盟国", ["北约", "盟国"]),
        ("— … —", []),
    ],
)
def test_words(text: str, expected: list[str]) -> None:
    assert words(text) == expected


@pytest.mark.parametrize(
    "token",
    [
        "Don't",
        "U.S.",
        "1,000.5",
        "well--known",
        "AT&amp;T",
        "\u201cYes,\u201d",
        "ﬁnal",
        "Ｆｕｌｌ",
        "(Reuters)",
        "café",
        "don''t",
        "\u2014",
        "x\u00adY",
        "İstanbul",
    ],
)
def test_token_words_are_the_words_of_the_token(token: str) -> None:
    assert token_words(token) == tuple(words(token))


@given(st.text(alphabet=st.characters(blacklist_categories=("Z", "Cc", "Cs")), max_size=12))
def test_token_words_agree_with_words_on_any_token(token: str) -> None:
    assert token_words(token) == tuple(words(token))


@given(
    st.text(
        alphabet=st.sampled_from("aB1'`\".,-&;\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00e9"),
        max_size=12,
    )
)
def test_token_words_agree_with_words_on_typography_and_backticks(token: str) -> None:
    """The fast paths (plain ASCII, common typography replaced) give the key's words: a
    backtick between letters is an apostrophe ("don`t" is one word)."""
    assert token_words(token) == tuple(words(token))
    assert text_words(token) == words(token)


def _reference_key(s: str) -> str:
    """comparison_key spelled out step by step (the fast paths must agree with it)."""
    import html
    import re
    import unicodedata

    s = unicodedata.normalize("NFC", re.sub("[\ud800-\udfff]", "\ufffd", html.unescape(s)))
    s = re.sub(r"\s+", " ", re.sub("[\u200b\u2060\ufeff\u00ad]", "", s)).strip()
    s = unicodedata.normalize("NFKC", s)
    s = re.sub("[\u2018\u2019\u201a\u201b\u2032\u0060\u00b4\u02bc]", "'", s)
    s = re.sub("[\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb]|''", '"', s)
    s = re.sub(r"\s*[\u2010-\u2015\u2212\ufe58\ufe63\uff0d-]+\s*", "-", s)
    return re.sub(r"\s+", " ", s).strip().casefold()


@pytest.mark.parametrize(
    "text",
    ["a `quote` and ''double''", "AT&amp;T \u2014 \u201cYes\u201d", "x\u00ady z", "a - b -- c",
     "\u2018\u2018odd\u2019\u2019 \u201alow\u201b", "\uff46\uff55\uff4c\uff4c \ufb01", " lead\t\n",
     "well -known  and\u00a0spaced \u2013 out", "it's ``fine''"],
)  # fmt: skip
def test_comparison_key_follows_its_reference(text: str) -> None:
    assert comparison_key(text) == _reference_key(text)


@given(
    st.text(
        alphabet=st.sampled_from(
            "ab -\u2013\u2014'`\"\u2018\u2019\u201c\u201d\u2026&;\u00a0\t\nÉé\u00ad"
            "\u00a3\u00f8\u0301\ufb01\u2033\u00b4\u00df\u0130\u2003\u2212"
        ),
        max_size=30,
    )
)
def test_comparison_key_follows_its_reference_on_any_text(text: str) -> None:
    assert comparison_key(text) == _reference_key(text)


# Plain ASCII (read as one text, \x1c-\x1f split like spaces) and mixed text (token by token).
_TOKEN_TEXT = st.one_of(
    st.text(alphabet=st.sampled_from("aB1 .,'`;-\"(\t\n\x1c\x1f"), max_size=40),
    st.text(
        alphabet=st.sampled_from("aB1 .,'&;\u2019\u201c\u2014-\u00a0\t\u00e9\u0130\ufb01\u00ab"),
        max_size=40,
    ),
)


@pytest.mark.parametrize(
    "text",
    ["The U.S.-led talks, it's said, cost $1,000.5", "AT&amp;T \u2014 \u201cYes,\u201d he said",
     "caf\u00e9 \ufb01nal\u00a0line", "", "  \t ", "\u2014 -- (Reuters)"],
)  # fmt: skip
def test_words_of_a_whole_text_are_those_of_its_tokens(text: str) -> None:
    by_token = [token_words(t) for t in text.split()]
    assert [tuple(found) for found in words_by_token(text)] == by_token
    assert text_words(text) == [w for found in by_token for w in found]


@given(_TOKEN_TEXT)
def test_words_of_any_text_are_those_of_its_tokens(text: str) -> None:
    by_token = [token_words(t) for t in text.split()]
    assert [tuple(found) for found in words_by_token(text)] == by_token
    assert text_words(text) == [w for found in by_token for w in found]


@given(_TOKEN_TEXT)
def test_key_words_are_the_words_of_the_key(text: str) -> None:
    """The ASCII fast path and the possessive pattern find what the plain pattern finds."""
    key = comparison_key(text)
    assert key_words(key) == words(text) == re.findall(r"\w+(?:[.,']\w+)*", key)


def _reference_quote_mask(tokens: list[str]) -> list[bool]:
    """quote_mask without its shortcut for text that has no opening mark."""
    openers = {'"': '"', "\u201c": '\u201d"', "\u201e": "\u201c\u201d", "\u00ab": "\u00bb",
               "\u2018": "\u2019"}  # fmt: skip
    mask, closer = [], ""
    for tok in tokens:
        core = tok.lstrip("([").rstrip(".,;:!?)]")
        if not closer and core[:1] in openers:
            closer, core = openers[core[:1]], core[1:]
        mask.append(bool(closer))
        if closer and core[-1:] and core[-1] in closer:
            closer = ""
    return mask


@given(
    st.lists(
        st.text(
            alphabet=st.sampled_from("a(.\"\u201c\u201d\u201e\u00ab\u00bb\u2018\u2019'"), min_size=1
        ),
        max_size=12,
    )
)
def test_quote_mask_follows_its_reference(tokens: list[str]) -> None:
    assert quote_mask(tokens) == _reference_quote_mask(tokens)


def test_quote_mask_of_text_without_quotes_is_all_false() -> None:
    assert quote_mask(["He", "said", "it's", "(fine)", "today."]) == [False] * 5
    assert quote_mask(["He", "said", '"fine"', "today."]) == [False, False, True, False]


def _matchable(item: tuple[Any, Any], alphabet: str) -> set[str] | None:
    """The characters of `alphabet` one parsed regex item can match; None when the item
    is not one character (an anchor, a group: it proves nothing)."""
    op, av = item
    if op is _sre.LITERAL:
        return {c for c in alphabet if ord(c) == av}
    if op is _sre.NOT_LITERAL:
        return {c for c in alphabet if ord(c) != av}
    if op is _sre.ANY:
        return set(alphabet) - {"\n"}
    if op is _sre.IN:
        categories = {_sre.CATEGORY_SPACE: r"\s", _sre.CATEGORY_WORD: r"\w",
                      _sre.CATEGORY_DIGIT: r"\d"}  # fmt: skip
        negate = any(o is _sre.NEGATE for o, _ in av)

        def inside(c: str) -> bool:
            for o, a in av:
                if (o is _sre.LITERAL and ord(c) == a) or (
                    o is _sre.RANGE and a[0] <= ord(c) <= a[1]
                ):
                    return True
                if o is _sre.CATEGORY and re.fullmatch(categories[a], c):
                    return True
            return False

        return {c for c in alphabet if inside(c) != negate}
    return None


def _branch_can_match(branch: list[tuple[Any, Any]], alphabet: str) -> bool:
    """False when a character the branch requires is not in `alphabet`."""
    for op, av in branch:
        if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
            low, _, sub = av
            if low == 0 or len(sub) != 1:
                continue
            op, av = sub[0]
        found = _matchable((op, av), alphabet)
        if found is not None and not found:
            return False
    return True


def test_ftfy_never_finds_mojibake_in_clean_typography() -> None:
    """repair_mojibake skips ftfy for text of ASCII and CLEAN_TYPOGRAPHY: every branch of
    ftfy's badness pattern needs a character outside them (so is_bad is False)."""
    alphabet = "".join(map(chr, range(128))) + CLEAN_TYPOGRAPHY
    [(op, (_, branches))] = list(_parser.parse(BADNESS_RE.pattern, BADNESS_RE.flags))
    assert op is _sre.BRANCH
    assert len(branches) > 30  # the whole pattern was read
    can_match = [str(b) for b in branches if _branch_can_match(list(b), alphabet)]
    assert can_match == []
    # and the proof can fail: with a currency sign "\u201d\u20ac" is flagged
    assert any(_branch_can_match(list(b), alphabet + "\u20ac") for b in branches)
    assert is_bad("\u201d\u20ac") and not is_bad(CLEAN_TYPOGRAPHY + " plain")


@pytest.mark.parametrize(
    "text", ["\u201cWe won\u2019t\u201d \u2014 she said\u2026", "a\u00a0b \u00abc\u00bb \u2022 d"]
)
def test_clean_typography_is_not_repaired(text: str) -> None:
    assert repair_mojibake(text) == (text, None)


@given(st.one_of(st.text(alphabet=st.characters(max_codepoint=127)), _TOKEN_TEXT))
def test_clean_text_of_plain_ascii_takes_every_step(text: str) -> None:
    import html
    import unicodedata

    reference = unicodedata.normalize(
        "NFC", re.sub("[\ud800-\udfff]", "\ufffd", html.unescape(text))
    )
    reference = re.sub("[\u200b\u2060\ufeff\u00ad]", "", reference)
    assert clean_text(text) == " ".join(reference.split())

"""Page furniture: menus, date lines, UI prompts, newsletter and share boxes, picture credits.

Described in `data/chrome.toml`, each entry with the real line it was written from.
Furniture still shows in the alignment; it only does not decide whether a copy is trimmed
or has additions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from ..datafiles import read_data
from ..errors import SettingsError
from ..hints import HintFinder, masks_by_hint

_DEFAULT_MAX_WORDS = 25


@dataclass(frozen=True)
class ChromeRule:
    regex: re.Pattern[str]
    example: str
    max_words: int
    # Strings one of which a line the regex matches holds, casefolded (none: no such list).
    hints: tuple[str, ...] = ()


@cache
def chrome_rules() -> tuple[ChromeRule, ...]:
    """The rules of data/chrome.toml. Raises SettingsError when the file is broken."""
    try:
        entries = read_data("chrome.toml")["line"]
        return tuple(
            ChromeRule(
                re.compile(e["pattern"], re.IGNORECASE),
                str(e["example"]),
                int(e.get("max_words", _DEFAULT_MAX_WORDS)),
                tuple(str(h).casefold() for h in e.get("hint", ())),
            )
            for e in entries
        )
    except (OSError, KeyError, TypeError, ValueError, re.error) as exc:
        raise SettingsError(f"data/chrome.toml: {exc}") from exc


def is_chrome(text: str) -> bool:
    """True when the whole line is page furniture rather than article text."""
    stripped = text.strip()
    if not stripped:
        return True
    n_words = len(stripped.split())
    finder, unhinted, fitting = _plan()
    if n_words >= len(fitting):
        return False  # longer than any furniture
    tried = fitting[n_words] & unhinted
    if fitting[n_words] & ~unhinted:  # a rule with hints fits: are they in the line?
        for _, hinted in finder.found_in(_folded(stripped)):
            tried |= hinted & fitting[n_words]
    return bool(tried) and any(
        tried >> i & 1 and rule.regex.fullmatch(stripped) for i, rule in enumerate(chrome_rules())
    )


@cache
def _plan() -> tuple[HintFinder[int], int, tuple[int, ...]]:
    """Each hint -> the mask of the rules holding it (bit i: `chrome_rules()[i]`), the
    mask of the rules without hints, and by a line's words the mask of the rules that
    allow that many."""
    rules = chrome_rules()
    masks = masks_by_hint(rule.hints for rule in rules)
    unhinted = sum(1 << i for i, rule in enumerate(rules) if not rule.hints)
    longest = max((rule.max_words for rule in rules), default=0)
    fitting = tuple(
        sum(1 << i for i, rule in enumerate(rules) if n <= rule.max_words)
        for n in range(longest + 1)
    )
    return HintFinder(masks), unhinted, fitting


def _folded(text: str) -> str:
    """`text` casefolded, in which a hint of ASCII letters stands wherever a case-insensitive
    regex would find it."""
    if text.isascii() or ("\u0130" not in text and "\u0131" not in text):
        return text.casefold()
    return text.replace("\u0130", "i").replace("\u0131", "i").casefold()

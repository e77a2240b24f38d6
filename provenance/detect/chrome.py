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
from ..hints import HintFinder

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
    finder, tried = _hint_finder()
    for _, rules in finder.found_in(_folded(stripped)):
        tried |= rules
    return any(
        tried >> i & 1 and n_words <= rule.max_words and rule.regex.fullmatch(stripped)
        for i, rule in enumerate(chrome_rules())
    )


@cache
def _hint_finder() -> tuple[HintFinder[int], int]:
    """Each hint -> the mask of the rules holding it (bit i: `chrome_rules()[i]`), and the
    mask of the rules without hints (always tried)."""
    masks: dict[str, int] = {}
    for i, rule in enumerate(chrome_rules()):
        for hint in rule.hints:
            masks[hint] = masks.get(hint, 0) | 1 << i
    unhinted = sum(1 << i for i, rule in enumerate(chrome_rules()) if not rule.hints)
    return HintFinder(masks), unhinted


def _folded(text: str) -> str:
    """`text` casefolded, in which a hint of ASCII letters stands wherever a case-insensitive
    regex would find it."""
    if text.isascii() or ("\u0130" not in text and "\u0131" not in text):
        return text.casefold()
    return text.replace("\u0130", "i").replace("\u0131", "i").casefold()

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

_DEFAULT_MAX_WORDS = 25


@dataclass(frozen=True)
class ChromeRule:
    regex: re.Pattern[str]
    example: str
    max_words: int


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
    return any(
        n_words <= rule.max_words and rule.regex.fullmatch(stripped) for rule in chrome_rules()
    )

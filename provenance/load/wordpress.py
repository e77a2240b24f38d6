"""WordPress REST API posts for the load stage, including posts whose JSON was cut off."""

from __future__ import annotations

import json
import re
from typing import Any

from ..errors import InputError
from ..text import may_hold_surrogates, scrub_surrogates
from .html import html_text, parse_fragment
from .item import MAX_ITEMS, Item, items_note, parse_date
from .plain import parse_plain

_WP_META_KEYS = (
    "id", "guid", "link", "slug", "date", "modified_gmt", "excerpt", "author", "categories",
    "tags", "yoast_head_json", "meta", "type", "status",
)  # fmt: skip
_WP_CONTENT_RE = re.compile(r'"content"\s*:\s*\{\s*"rendered"\s*:\s*"((?:[^"\\]|\\.)*)')
_WP_STRING_RE = r'"{key}"\s*:\s*"((?:[^"\\]|\\.)*)"'
_WP_TITLE_RE = re.compile(r'"title"\s*:\s*\{\s*"rendered"\s*:\s*"((?:[^"\\]|\\.)*)"')
_CUT_ESCAPE_RE = re.compile(r"\\(?:u[0-9a-fA-F]{0,3})?$")


def parse_json(body: str, *, source: str, url: str | None) -> list[Item | InputError]:
    """A WordPress REST post, or a list of them: one Item per post.

    Text that only looks like JSON ("[Breaking news] ...") is read as plain text; a post
    cut off mid-JSON is salvaged. Raises InputError for other malformed JSON, for JSON
    that is not a post or a non-empty list of posts, and for a single post without
    `content.rendered`; in a list, such a post is an InputError (naming its index) in
    its place. Only the first MAX_ITEMS posts of a list are read; past that, each item
    carries a note.
    """
    try:
        data = json.loads(body)
        if may_hold_surrogates(body):
            data = scrub_surrogates(data)
    except json.JSONDecodeError as exc:
        if body.startswith("[") and exc.pos <= 2:
            return [parse_plain(body, url=url)]  # "[Breaking news] ..." is text, not JSON
        salvaged = _salvage_wordpress(body)
        if salvaged is not None:
            return [salvaged]
        raise InputError(
            f"{source}: malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from exc
    if isinstance(data, dict):
        return [_wordpress_item(data, where=source, url=url)]
    if isinstance(data, list) and data:
        items = [
            _item_or_error(p, where=f"{source} item {i}", url=url)
            for i, p in enumerate(data[:MAX_ITEMS])
        ]
        if len(data) > MAX_ITEMS:
            for item in items:
                if isinstance(item, Item):
                    item.notes.append(items_note(len(data)))
        return items
    raise InputError(f"{source}: JSON is not a WordPress post or a list of posts")


def _item_or_error(post: Any, *, where: str, url: str | None) -> Item | InputError:
    try:
        return _wordpress_item(post, where=where, url=url)
    except InputError as exc:
        return exc


def _wordpress_item(post: Any, *, where: str, url: str | None) -> Item:
    if not isinstance(post, dict):
        raise InputError(f"{where}: not a WordPress post (JSON {type(post).__name__})")
    content = _rendered(post.get("content"))
    if content is None:
        raise InputError(f"{where}: not a WordPress post (no content.rendered)")
    item = parse_fragment(content, url=None)
    item.kind = "wordpress"
    link = post.get("link")
    item.url = link if isinstance(link, str) and link else url
    item.title = html_text(_rendered(post.get("title")) or "") or None
    item.published = parse_date(post.get("date_gmt"), assume_utc=True)
    item.meta = {key: post[key] for key in _WP_META_KEYS if key in post}
    return item


def _rendered(value: Any) -> str | None:
    if isinstance(value, dict) and isinstance(value.get("rendered"), str):
        return str(value["rendered"])
    return None


def _salvage_wordpress(body: str) -> Item | None:
    """Read what is complete of a WordPress post whose JSON was cut off (stored excerpts).

    Returns None unless the text holds the start of `content.rendered`.
    """
    content = _WP_CONTENT_RE.search(body)
    if content is None:
        return None
    item = parse_fragment(_json_string(content.group(1)), url=None)
    item.kind = "wordpress"
    title = _WP_TITLE_RE.search(body)
    item.title = html_text(_json_string(title.group(1))) if title else None
    fields = {}
    for key in ("link", "date_gmt", "modified_gmt", "slug"):
        found = re.search(_WP_STRING_RE.format(key=key), body)
        if found:
            fields[key] = _json_string(found.group(1))
    item.url = fields.get("link") or None
    item.published = parse_date(fields.get("date_gmt"), assume_utc=True)
    item.meta = fields
    item.notes.append(f"JSON is cut off after {len(body)} characters; read the complete fields")
    return item


def _json_string(raw: str) -> str:
    """Decode the body of a JSON string literal, dropping an escape cut in half at its end."""
    raw = _CUT_ESCAPE_RE.sub("", raw.rstrip("\r\n"))
    try:
        return str(scrub_surrogates(json.loads(f'"{raw}"', strict=False)))
    except json.JSONDecodeError:
        return raw

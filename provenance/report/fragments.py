"""An audit item's report rendered once, when it is checked: its JSON text and the parts
of the audit page that show it. The audit stores the fragment with the item's result, so
a rerun that reuses the item writes these instead of rebuilding and rendering the report
again (issue 14: "a reused item is read, not rebuilt").

    fragment = render_fragment(report_to_dict(report))   # in the worker that checked it
    usable_fragment(record)                               # in the writers: the fragment, or
                                                          # None (render from the report)

A fragment is used only by the same code that made it (`render_version`, a digest of the
package's files): after any change to the tool, reused items are rendered from their
stored reports, which gives the same bytes more slowly.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import InputError
from .serialize import dumps, jsonable, report_from_dict


@lru_cache(maxsize=1)
def render_version() -> str:
    """A digest of every file of the `provenance` package (code and data files).

    Raises nothing: an unreadable file counts by its name alone.
    """
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if "__pycache__" in path.parts or path.suffix == ".pyc" or not path.is_file():
            continue
        digest.update(path.relative_to(root).as_posix().encode("utf-8", "replace") + b"\x00")
        try:
            digest.update(path.read_bytes())
        except OSError:
            continue
    return digest.hexdigest()[:32]


def render_fragment(report: Mapping[str, Any]) -> dict[str, Any] | None:
    """Return the fragment of one report dict (`report_to_dict`): {"version", "json",
    "html"}, JSON-ready; None when the dict is not a readable report (the writers then
    show why, as they do for any stored report).

    "json" is the report as the audit's JSON writes it (`dumps(jsonable(report))`);
    "html" is `html.audit_item_parts` of the report rebuilt from its JSON, as the writers
    rebuild a stored one. Raises nothing for a report dict.
    """
    from .html import audit_item_parts

    try:
        rebuilt = report_from_dict(json.loads(json.dumps(report, ensure_ascii=False)))
    except InputError:
        return None
    return {
        "version": render_version(),
        "json": dumps(jsonable(report)),
        "html": audit_item_parts(rebuilt),
    }


def usable_fragment(record: Any) -> Mapping[str, Any] | None:
    """The fragment an audit record carries (its `rendered` attribute) when this code made
    it and the record has a report, else None."""
    fragment = getattr(record, "rendered", None)
    if not isinstance(fragment, Mapping) or getattr(record, "report", None) is None:
        return None
    if fragment.get("version") != render_version():
        return None
    return fragment


def split_fragment(fragment: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """(version, report JSON text, HTML details, the other page parts as JSON): a fragment
    as the audit state stores it, its long texts as they are (no JSON escaping)."""
    html = dict(fragment["html"])
    item = dict(html.pop("item"))
    body = str(item.pop("body"))
    parts = json.dumps({**html, "item": item}, ensure_ascii=False)
    return str(fragment["version"]), str(fragment["json"]), body, parts


def join_fragment(version: str, report: str, body: str, parts: str) -> dict[str, Any] | None:
    """The fragment that `split_fragment` split; None when this code did not make it (its
    parts may then be of another shape: the writers render the report instead)."""
    if version != render_version():
        return None
    html = json.loads(parts)
    html["item"]["body"] = body
    return {"version": version, "json": report, "html": html}

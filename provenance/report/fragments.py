"""An audit item's report rendered once, when it is checked: its JSON text and the parts
of the audit page that show it. The audit stores the fragment with the item's result, so
a rerun that reuses the item writes these instead of rebuilding and rendering the report
again (issue 14: "a reused item is read, not rebuilt").

    fragment = render_fragment(report_to_dict(report))   # report.audit, in the worker
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
from functools import cache
from pathlib import Path
from typing import Any


@cache
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

"""Decode CNN component ids (cuids) and read the editing history they leak.

A cuid is 'c' + 8 base-36 characters (milliseconds since 1970 when the component was
created) + 4 base-36 counter + 4-character host fingerprint + random characters.
Components created by one editing session share a fingerprint and have close
timestamps and rising counters; a counter missing inside such a batch hints that a
component (a paragraph) existed in the original and was not copied.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

CUID_RE = re.compile(
    r"^c(?P<ts>[0-9a-z]{8})(?P<counter>[0-9a-z]{4})(?P<fp>[0-9a-z]{4})[0-9a-z]{4,}$"
)
# Components created by one save of the article land within seconds; minutes apart
# means another editing session.
BATCH_WINDOW = timedelta(minutes=5)
# Earliest and latest plausible creation times: outside means "not a cuid".
_MIN_TIME = datetime(2010, 1, 1, tzinfo=UTC)
_MAX_TIME = datetime(2100, 1, 1, tzinfo=UTC)
_MAX_LISTED_GAP = 50


@dataclass(frozen=True)
class Component:
    cuid: str
    created: datetime
    counter: int
    fingerprint: str


def iso_z(moment: datetime) -> str:
    """Return `moment` as ISO-8601 UTC with second precision and a Z ("2025-02-12T22:50:01Z")."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def decode_cuid(cuid: str) -> Component | None:
    """Return the decoded component id, or None when `cuid` is not a plausible cuid."""
    match = CUID_RE.match(cuid)
    if match is None:
        return None
    created = datetime.fromtimestamp(int(match["ts"], 36) / 1000, tz=UTC)
    if not _MIN_TIME <= created < _MAX_TIME:
        return None
    return Component(cuid, created, int(match["counter"], 36), match["fp"])


def _batches(components: list[Component]) -> list[list[Component]]:
    by_fp: dict[str, list[Component]] = {}
    for comp in components:
        by_fp.setdefault(comp.fingerprint, []).append(comp)
    batches: list[list[Component]] = []
    for fp in sorted(by_fp):
        current: list[Component] = []
        for comp in sorted(by_fp[fp], key=lambda c: (c.created, c.counter)):
            if current and comp.created - current[-1].created > BATCH_WINDOW:
                batches.append(current)
                current = []
            current.append(comp)
        batches.append(current)
    return sorted(batches, key=lambda b: (b[0].created, b[0].fingerprint))


def _missing(batch: list[Component]) -> list[int]:
    counters = sorted({c.counter for c in batch})
    missing: list[int] = []
    for low, high in pairwise(counters):
        if 1 < high - low <= _MAX_LISTED_GAP:
            missing.extend(range(low + 1, high))
    return missing


def _batch_details(index: int, batch: list[Component]) -> dict[str, Any]:
    return {
        "index": index,
        "fingerprint": batch[0].fingerprint,
        "created": iso_z(batch[0].created),
        "last_created": iso_z(batch[-1].created),
        "size": len(batch),
        "counters": sorted(c.counter for c in batch),
    }


def cuid_details(cuids: list[str], published: datetime | None) -> dict[str, Any]:
    """Return the Marker.details for CNN cuids: components, batches, gaps and lag.

    Keys: components (sorted by creation), earliest_created, latest_created, batches,
    counter_gaps and, when `published` is known, lag_seconds and lag_hours.
    """
    components = sorted(
        {c for c in (decode_cuid(x) for x in cuids) if c is not None},
        key=lambda c: (c.created, c.counter, c.cuid),
    )
    if not components:
        return {}
    batches = _batches(components)
    details: dict[str, Any] = {
        "components": [
            {
                "cuid": c.cuid,
                "created": iso_z(c.created),
                "counter": c.counter,
                "fingerprint": c.fingerprint,
            }
            for c in components
        ],
        "earliest_created": iso_z(components[0].created),
        "latest_created": iso_z(components[-1].created),
        "batches": [_batch_details(i, b) for i, b in enumerate(batches)],
        "counter_gaps": [
            {"batch": i, "created": iso_z(b[0].created), "missing": _missing(b)}
            for i, b in enumerate(batches)
            if _missing(b)
        ],
    }
    if published is not None:
        aware = published if published.tzinfo else published.replace(tzinfo=UTC)
        lag = (aware.astimezone(UTC) - components[0].created).total_seconds()
        details["lag_seconds"] = round(lag)
        details["lag_hours"] = round(lag / 3600, 1)
    return details

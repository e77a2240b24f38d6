"""CNN component ids: decoding, batches, counter gaps, lag."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from provenance.detect.cuid import cuid_details, decode_cuid, iso_z


def _cuid(ms: int, counter: int, fingerprint: str = "356m") -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"

    def b36(n: int, width: int) -> str:
        out = ""
        while n:
            n, r = divmod(n, 36)
            out = digits[r] + out
        return out.rjust(width, "0")

    return "c" + b36(ms, 8) + b36(counter, 4) + fingerprint + "abcdefgh"


@pytest.mark.parametrize(
    ("cuid", "created", "counter", "fingerprint"),
    [
        ("cm72i7hgq000a356mow561so5", "2025-02-12T22:50:01Z", 10, "356m"),
        ("cm72irhjc000q356mka8g14pr", "2025-02-12T23:05:34Z", 26, "356m"),
        ("cm72is5ve0016356m1e2imbrf", "2025-02-12T23:06:05Z", 42, "356m"),
        ("clxvwnjgm00093b6ku0r1ehv2", "2024-06-26T14:02:40Z", 9, "3b6k"),
    ],
)
def test_decode_real_cuids(cuid: str, created: str, counter: int, fingerprint: str) -> None:
    comp = decode_cuid(cuid)
    assert comp is not None
    assert (iso_z(comp.created), comp.counter, comp.fingerprint) == (created, counter, fingerprint)


def test_decode_keeps_milliseconds() -> None:
    comp = decode_cuid("cm72i7hgq000a356mow561so5")
    assert comp is not None
    assert comp.created == datetime(2025, 2, 12, 22, 50, 1, 130_000, tzinfo=UTC)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "paragraph_169DBC10",
        "xm72i7hgq000a356mow561so5",
        "cm72i7hgq000a356m",
        "cZZZZZZZZ000a356mow561so5",
        "c00000001000a356mow561so5",
    ],
)
def test_decode_rejects_non_cuids(bad: str) -> None:
    assert decode_cuid(bad) is None


def test_batches_gaps_and_lag() -> None:
    base = 1_739_400_000_000
    cuids = [
        _cuid(base, 5),
        _cuid(base + 600_000, 20),
        _cuid(base + 600_010, 21),
        _cuid(base + 600_020, 24),
    ]
    published = datetime.fromtimestamp(base / 1000 + 7200, tz=UTC)
    details = cuid_details(list(reversed(cuids)), published)
    assert [c["counter"] for c in details["components"]] == [5, 20, 21, 24]
    assert [b["size"] for b in details["batches"]] == [1, 3]
    assert details["counter_gaps"] == [
        {"batch": 1, "created": details["batches"][1]["created"], "missing": [22, 23]}
    ]
    assert details["lag_seconds"] == 7200
    assert details["lag_hours"] == 2.0


def test_other_fingerprint_is_another_batch() -> None:
    base = 1_739_400_000_000
    details = cuid_details([_cuid(base, 1, "aaaa"), _cuid(base + 5, 3, "bbbb")], None)
    assert len(details["batches"]) == 2
    assert details["counter_gaps"] == []
    assert "lag_hours" not in details


def test_huge_counter_jumps_are_not_listed() -> None:
    base = 1_739_400_000_000
    details = cuid_details([_cuid(base, 1), _cuid(base + 1, 900)], None)
    assert details["counter_gaps"] == []


def test_no_valid_cuid_gives_no_details() -> None:
    assert cuid_details(["nope"], None) == {}

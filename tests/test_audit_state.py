"""Fresh state: an audit state entry records what its result depended on (the archive's
content, the settings and policy that change a result, the tool's version), and an audit
rechecks an item when any of them changed, and only then."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from provenance.archive import Archive
from provenance.audit import AuditOptions, AuditResult, run_audit
from provenance.audit import run as audit_mod
from provenance.audit.policy import load_policy
from provenance.audit.state import AuditState
from provenance.settings import Settings

_PARAGRAPHS = [
    "The harbour authority approved a plan on Monday to dredge the eastern channel before winter.",
    "Ships longer than two hundred metres have had to wait for high tide since the spring storms.",
    "The work will cost about four million euros and take eleven weeks, the authority said.",
    "Fishermen asked for the dredging to pause during the herring season in late October.",
    "The authority said it would publish a timetable for the work by the end of the month.",
]
ORIGINAL_URL = "https://harbour.example/news/dredging-plan"


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Settings, AuditOptions]:
    source = tmp_path / "copies"
    source.mkdir()
    (source / "copy.txt").write_text("\n\n".join(_PARAGRAPHS) + "\n", encoding="utf-8")
    settings = Settings(
        offline=True, archive_path=tmp_path / "archive.sqlite", cache_dir=tmp_path / "cache"
    )
    options = AuditOptions(policy=load_policy(None), state_path=tmp_path / "state.sqlite")
    return source, settings, options


def _audit(source: Path, settings: Settings, options: AuditOptions) -> AuditResult:
    return run_audit([str(source)], settings=settings, options=replace(options, workers=1))


def _import_original(settings: Settings, folder: Path) -> None:
    original = folder / "original.txt"
    original.write_text(
        ORIGINAL_URL + "\n# NOTE: the original\n" + "\n\n".join(_PARAGRAPHS), encoding="utf-8"
    )
    with Archive.open(settings.archive_path, settings=settings) as archive:
        assert archive.import_paths([original], settings).added == 1


def test_an_item_is_rechecked_once_the_archive_holds_its_original(
    setup: tuple[Path, Settings, AuditOptions], tmp_path: Path
) -> None:
    source, settings, options = setup
    first = _audit(source, settings, options)
    [record] = first.records
    assert (first.checked, first.reused) == (1, 0)
    assert record.report is not None and record.report["verdict"] == "unverified"
    again = _audit(source, settings, options)
    assert (again.checked, again.reused) == (0, 1)

    _import_original(settings, tmp_path)
    later = _audit(source, settings, options)
    assert (later.checked, later.reused) == (1, 0)
    [record] = later.records
    assert record.report is not None and record.report["verdict"] == "faithful"
    assert record.report["original"]["url"] == ORIGINAL_URL
    assert options.state_path is not None
    with AuditState(options.state_path) as state, Archive.open(settings.archive_path) as archive:
        depends = state.depends(record.key)
        assert depends is not None
        assert depends["archive"] == archive.content_version()
        assert set(depends) == {"tool", "schema", "settings", "policy", "archive"}


def test_only_what_changes_a_result_makes_a_recheck(
    setup: tuple[Path, Settings, AuditOptions], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, settings, options = setup
    _audit(source, settings, options)
    elsewhere = replace(settings, cache_dir=tmp_path / "other-cache", user_agent="other/1.0")
    assert _audit(source, elsewhere, options).reused == 1

    policy_file = tmp_path / "renamed-policy.toml"
    policy_file.write_text("", encoding="utf-8")
    renamed = replace(options.policy, source=str(policy_file))
    assert _audit(source, settings, replace(options, policy=renamed)).reused == 1

    stricter = replace(options.policy, min_coverage=0.5)
    assert _audit(source, settings, replace(options, policy=stricter)).checked == 1
    assert _audit(source, replace(settings, verbatim_threshold=0.99), options).checked == 1
    monkeypatch.setattr(audit_mod, "_tool_version", lambda: "99.0")
    assert _audit(source, replace(settings, verbatim_threshold=0.99), options).checked == 1


def test_an_entry_of_an_earlier_version_is_not_reused(
    setup: tuple[Path, Settings, AuditOptions],
) -> None:
    source, settings, options = setup
    assert options.state_path is not None
    with sqlite3.connect(options.state_path) as db:  # the state file of version 0.1
        db.execute(
            "CREATE TABLE items (key TEXT PRIMARY KEY, content_hash TEXT NOT NULL,"
            " checked_at TEXT NOT NULL, result TEXT NOT NULL)"
        )
    first = _audit(source, settings, options)
    assert first.checked == 1
    assert _audit(source, settings, options).reused == 1

"""The generated JSON forms of the data files: current, equal to the TOML, never trusted stale."""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path

import pytest

from provenance.datafiles import DATA_DIR as DATA
from provenance.datafiles import generated_form, generated_path, read_data

NAMES = sorted(p.name for p in DATA.glob("*.toml"))


def test_every_data_file_is_read_through_a_generated_form() -> None:
    assert {"attributions.toml", "markers.toml", "publishers.toml"} <= set(NAMES)
    forms = {p.stem for p in (DATA / "generated").glob("*.json")}
    assert forms == {Path(n).stem for n in NAMES}, "run: python scripts/gen_data.py"


@pytest.mark.parametrize("name", NAMES)
def test_generated_form_is_current(name: str) -> None:
    stored = generated_path(name).read_text(encoding="utf-8")
    assert stored == generated_form(name), f"{name} changed: run python scripts/gen_data.py"


@pytest.mark.parametrize("name", NAMES)
def test_read_data_equals_the_toml(name: str) -> None:
    expected = tomllib.loads((DATA / name).read_text(encoding="utf-8"))
    assert read_data(name) == expected
    stored = json.loads(generated_path(name).read_text(encoding="utf-8"))
    assert stored["data"] == expected


def _write(folder: Path, toml: str, form: str | None) -> None:
    (folder / "generated").mkdir()
    (folder / "x.toml").write_text(toml, encoding="utf-8")
    if form is not None:
        (folder / "generated" / "x.json").write_text(form, encoding="utf-8")


def test_a_current_form_is_used(tmp_path: Path) -> None:
    """The form's data, not the TOML's, when its hash is the TOML's (data made to differ)."""
    digest = hashlib.sha256(b"a = 1\n").hexdigest()
    _write(tmp_path, "a = 1\n", json.dumps({"sha256": digest, "data": {"a": 2}}))
    assert read_data("x.toml", tmp_path) == {"a": 2}


@pytest.mark.parametrize(
    "form",
    [None, "", "{not json", "[]", '{"sha256": "0", "data": {"a": 2}}', '{"data": {"a": 2}}'],
    ids=["missing", "empty", "broken", "not-a-table", "stale", "no-hash"],
)
def test_a_missing_broken_or_stale_form_falls_back_to_the_toml(
    tmp_path: Path, form: str | None
) -> None:
    _write(tmp_path, "a = 1\n", form)
    assert read_data("x.toml", tmp_path) == {"a": 1}


def test_a_broken_toml_still_raises(tmp_path: Path) -> None:
    _write(tmp_path, "a = \n", None)
    with pytest.raises(tomllib.TOMLDecodeError):
        read_data("x.toml", tmp_path)

"""Docs that cannot drift: the README's CLI reference is generated from --help."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_cli_docs", ROOT / "scripts" / "gen_cli_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_cli_reference_matches_help() -> None:
    gen = _generator()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert gen.updated_readme(readme) == readme, "README CLI reference is stale: run `make docs`"


def test_every_command_has_help_with_an_example_and_is_documented() -> None:
    gen = _generator()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path, command in gen.iter_commands(gen.cli):
        assert command.help, path
        assert "Example: provenance" in command.help, f"{' '.join(path)} has no example"
        assert f"### `{' '.join(path)}`" in readme, f"{' '.join(path)} is not in the README"

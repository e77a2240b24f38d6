"""Docs that cannot drift: the README's CLI reference is generated from --help."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_cli_docs", ROOT / "scripts" / "gen_cli_docs.py"
    )
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


def test_readme_example_session_is_real_output(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from provenance.cli import cli

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(ROOT)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    prompt = "$ provenance check cases/real-seed-digitaltradecenter/digitaltradecenter_13123.json --offline\n"
    shown = readme.split(prompt, 1)[1].split("\n```", 1)[0]
    args = [*prompt[len("$ provenance ") :].split(), "--no-color"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0
    assert result.stdout.rstrip() == shown.rstrip()

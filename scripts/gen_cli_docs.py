"""Regenerate the README's CLI reference from `--help` (tests/test_docs.py checks it)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from provenance.cli import cli  # noqa: E402

START = "<!-- cli-reference:start -->"
END = "<!-- cli-reference:end -->"


def iter_commands(
    command: click.Command, path: tuple[str, ...] = ("provenance",)
) -> list[tuple[tuple[str, ...], click.Command]]:
    found = [(path, command)]
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            found += iter_commands(command.commands[name], (*path, name))
    return found


def help_text(path: tuple[str, ...], command: click.Command) -> str:
    """What `provenance ... --help` prints, at 100 columns, exactly as a user sees it."""
    del command  # the path names it; help is taken from a real invocation
    result = CliRunner().invoke(
        cli, [*path[1:], "--help"], prog_name="provenance", env={"COLUMNS": "100"}
    )
    return result.output.rstrip("\n")


def reference() -> str:
    parts = [START, ""]
    for path, command in iter_commands(cli):
        parts += [f"### `{' '.join(path)}`", "", "```", help_text(path, command), "```", ""]
    parts.append(END)
    return "\n".join(parts)


def updated_readme(text: str) -> str:
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    return head + reference() + tail


def main() -> None:
    readme = ROOT / "README.md"
    readme.write_text(updated_readme(readme.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main()

"""The house rules of the package layout, checked on the source itself."""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

import provenance

PACKAGE = Path(provenance.__file__).parent
STDLIB = set(sys.stdlib_module_names) | {"__future__"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _relative_imports(path: Path) -> set[str]:
    """Absolute names of the package modules `path` imports."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            base = parts[: len(parts) - node.level] if node.level else ()
            found.add(".".join((*base, node.module)))
    return found


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_each_third_party_library_is_imported_in_exactly_one_module() -> None:
    where: dict[str, list[str]] = defaultdict(list)
    for path in _modules():
        for name in _imports(path) - STDLIB - {"provenance"}:
            where[name].append(str(path.relative_to(PACKAGE)))
    shared = {name: paths for name, paths in where.items() if len(paths) > 1}
    assert not shared, f"imported in more than one module: {shared}"
    assert {"httpx", "rapidfuzz", "trafilatura", "click"} <= set(where)


def test_nothing_imports_the_cli() -> None:
    offenders = [
        str(p.relative_to(PACKAGE))
        for p in _modules()
        if p.name != "cli.py" and "provenance.cli" in _relative_imports(p)
    ]
    assert offenders == []


def test_public_api_is_sorted_and_complete() -> None:
    assert provenance.__all__ == sorted(provenance.__all__)
    for name in provenance.__all__:
        assert hasattr(provenance, name), name

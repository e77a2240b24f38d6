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


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_graph() -> dict[str, set[str]]:
    """Package module -> the package modules it imports (TYPE_CHECKING and lazy ones too)."""
    modules = {_module_name(p): p for p in _modules()}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            here = name.split(".") if is_package else name.split(".")[:-1]
            base = here[: len(here) - node.level + 1] if node.level else []
            target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in modules else target)
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle of `graph` as a path of module names, or [] when there is none."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []


def test_modules_below_the_package_import_no_circle() -> None:
    """A package's __init__ may import its modules; no module imports its way back to itself."""
    graph = _import_graph()
    # A package __init__ re-exports its modules; edges into an __init__ are how they reach a
    # sibling, so only module-to-module edges count here.
    packages = {_module_name(p) for p in _modules() if p.name == "__init__.py"}
    modules_only = {n: {m for m in deps if m not in packages} for n, deps in graph.items()}
    assert _cycle(modules_only) == []


def test_the_report_audit_view_imports_no_renderer() -> None:
    graph = _import_graph()
    renderers = {f"provenance.report.{n}" for n in ("audit", "html", "junit", "terminal")}
    assert graph["provenance.report.audit_view"] & renderers == set()
    for name in renderers - {"provenance.report.audit"}:
        assert "provenance.report.audit" not in graph[name], name


def test_the_audit_is_one_package() -> None:
    loose = {"audit", "sources", "policy", "state", "workers", "run"}
    assert not {p.stem for p in PACKAGE.glob("*.py")} & loose
    assert {p.stem for p in (PACKAGE / "audit").glob("*.py")} >= loose - {"audit"}

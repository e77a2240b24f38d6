"""cases/synthetic-* is what tests/make_synthetic_cases.py makes from the project's own text.

The generator reads only tests/synthetic_sources/ (articles written for the project), so the
bundled synthetic cases can be rebuilt anywhere, byte for byte, without ../shared.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[1]


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_synthetic_cases", REPO / "tests" / "make_synthetic_cases.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_synthetic_cases", module)
    spec.loader.exec_module(module)
    return module


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.glob("synthetic-*/*"))
        if p.is_file()
    }


def test_the_generator_rebuilds_the_bundled_synthetic_cases(tmp_path: Path) -> None:
    count = _generator().build(tmp_path)
    assert count == 31
    built, bundled = _tree(tmp_path), _tree(REPO / "cases")
    assert sorted(built) == sorted(bundled)
    differ = [name for name in built if built[name] != bundled[name]]
    assert not differ, f"rerun `python tests/make_synthetic_cases.py`; these differ: {differ}"


def test_every_operation_is_bundled() -> None:
    names = {
        p.name.removeprefix("synthetic-").rsplit("-", 1)[0] for p in REPO.glob("cases/synthetic-*")
    }
    assert names == {
        "verbatim", "trimmed", "dropmiddle", "added", "boilerplate", "edited", "style", "quote",
        "moved", "splitmerge", "spun", "mojibake", "republication", "hardneg", "unrelated",
    }  # fmt: skip


def test_the_sources_are_the_projects_own_articles() -> None:
    gen = _generator()
    articles = gen.load_articles()
    assert len(articles) >= 14
    for art in articles.values():
        assert art.path.startswith("tests/synthetic_sources/"), art.path
        assert 6 <= len(art.paragraphs) <= 12, (art.path, len(art.paragraphs))
        assert art.header.keys() >= {"url", "outlet", "topic", "date"}, art.path
    used = {s.article for s in gen.PLAN} | {s.other for s in gen.PLAN if s.other}
    assert used | {stem for _, stem, _ in gen.REPUBLICATIONS} == set(articles)

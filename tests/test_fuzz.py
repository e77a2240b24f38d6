"""Short fuzz runs in the suite: the harnesses of fuzz/harnesses.py driven by Hypothesis.

Each harness may raise only the InputError family (`harnesses.ALLOWED`); any other
exception fails, and so does an example slower than the deadline. The long runs (at
least 100,000 executions per harness, under atheris) are `fuzz/run.py`.
"""

from __future__ import annotations

import importlib.util
import json
from datetime import timedelta
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[1]


def _load_harnesses() -> ModuleType:
    spec = importlib.util.spec_from_file_location("harnesses", REPO / "fuzz" / "harnesses.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


harnesses = _load_harnesses()
FUZZ = settings(
    max_examples=200,
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)
_MARKUP = st.sampled_from(
    ["<p>", "</p>", "<div>", "</div>", "<a href='https://www.cnn.com/x'>", "</a>", "<script>",
     "<!--", "-->", "<meta property='og:url' content='http://[x'>", "&amp;", "&#0;", "\ud800",
     "<br>", "CNN", "This article originally appeared on ", " ", "\n\n", "<html><body>",
     '<script type="application/ld+json">{"@type":"NewsArticle","url":"https://x.com/a"}',
     "<rss><channel><item><description>", "{\"content\":{\"rendered\":\"", "[", "{", "\\u"]
)  # fmt: skip
_TEXTS = st.one_of(
    st.binary(max_size=2_000),
    st.lists(_MARKUP | st.text(max_size=40), max_size=40).map(
        lambda parts: "".join(parts).encode("utf-8", "surrogatepass")
    ),
)


@pytest.mark.parametrize("name", sorted(harnesses.HARNESSES))
@FUZZ
@given(data=_TEXTS)
def test_harness_raises_only_input_errors(name: str, data: bytes) -> None:
    harnesses.run_one(name, data)


@FUZZ
@given(
    copy=st.lists(st.text(min_size=1, max_size=300), max_size=12),
    original=st.lists(st.text(min_size=1, max_size=300), max_size=12),
)
def test_align_covers_every_paragraph_of_arbitrary_lists(
    copy: list[str], original: list[str]
) -> None:
    left = "\n".join(t.replace("\n", " ").replace("\x00", " ") for t in copy)
    right = "\n".join(t.replace("\n", " ").replace("\x00", " ") for t in original)
    harnesses.align(b"\x00" + f"{left}\x00{right}".encode("utf-8", "surrogatepass"))


def test_harness_fails_on_an_unexpected_exception() -> None:
    """run_one lets anything outside ALLOWED through (a harness that cannot fail is none)."""
    harnesses.HARNESSES["boom"] = lambda data: json.loads(data)
    try:
        with pytest.raises(json.JSONDecodeError):
            harnesses.run_one("boom", b"{")
    finally:
        del harnesses.HARNESSES["boom"]


# Inputs the long runs found; each crashed a harness before its fix.
REGRESSIONS = [
    # ValueError "Invalid IPv6 URL" escaped registrable_domain (detect/domains.py).
    ("detect_markup", b"\x00<meta property='og:url' content='http://[x/a'>\nThe text."),
    ("detect_loaded", b"\x03<link rel='canonical' href='//[::1'><p>Some text here.</p>"),
    # RecursionError escaped the JSON-LD reader (detect/signals.py).
    ("detect_markup", b'\x00<script type="application/ld+json">' + b"[" * 5000 + b"</script>"),
]


@pytest.mark.parametrize(("name", "data"), REGRESSIONS)
def test_regression_inputs_raise_only_input_errors(name: str, data: bytes) -> None:
    harnesses.run_one(name, data)

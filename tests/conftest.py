"""Shared test fixtures, and the skip of tests that need ../shared when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest
from shared_dir import MISSING, SHARED, have_shared


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the tests marked `shared` (one line: why) when ../shared is not there."""
    if have_shared():
        return
    skip = pytest.mark.skip(reason=MISSING)
    for item in items:
        if item.get_closest_marker("shared") is not None:
            # before any other skip (an empty parameter set) so this reason is the one shown
            item.add_marker(skip, append=False)


@pytest.fixture(scope="session")
def shared() -> Path:
    """The read-only real material beside the repository (../shared); skips when absent."""
    if not have_shared():
        pytest.skip(MISSING)
    return SHARED

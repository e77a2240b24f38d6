"""The real material beside the repository (../shared), which a clone may not have.

A test that reads it is marked `@pytest.mark.shared` (or takes the `shared` fixture of
conftest.py); when ../shared is absent it is skipped with one line saying so. Modules only
read ../shared while collecting when `have_shared()` says it is there.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
# The bundled copy of the seed post (cases/ ships it; ../shared/seed holds the same bytes).
SEED = REPO / "cases" / "real-seed-digitaltradecenter" / "digitaltradecenter_13123.json"
MISSING = (
    "needs ../shared beside the repository (real corpora, publisher pages, families, dev set), "
    f"absent: {SHARED}"
)


def have_shared() -> bool:
    """Return whether ../shared is there to be read."""
    return SHARED.is_dir()

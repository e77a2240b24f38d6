"""Regenerate the JSON forms of the packaged data files (tests/test_datafiles.py checks them).

    python scripts/gen_data.py

Writes provenance/data/generated/NAME.json for every provenance/data/NAME.toml: the TOML
stays the one source of truth; the JSON form only spares a process the pure-Python TOML
parse (see provenance/datafiles.py). Run it after editing a data file.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from provenance.datafiles import DATA_DIR, generated_form, generated_path  # noqa: E402


def main() -> int:
    out = DATA_DIR / "generated"
    out.mkdir(exist_ok=True)
    for source in sorted(DATA_DIR.glob("*.toml")):
        target = generated_path(source.name)
        form = generated_form(source.name)
        if not target.exists() or target.read_text(encoding="utf-8") != form:
            target.write_text(form, encoding="utf-8")
            print(f"wrote {target.relative_to(ROOT)}")
    stale = {p.stem for p in out.glob("*.json")} - {p.stem for p in DATA_DIR.glob("*.toml")}
    for stem in sorted(stale):
        (out / f"{stem}.json").unlink()
        print(f"removed {out.relative_to(ROOT)}/{stem}.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The packaged data files (`provenance/data/*.toml`), read fast.

The TOML files are the one source of truth. tomllib is pure Python (publishers.toml alone
takes ~12 ms to parse, paid by the first check of every process), so each file also ships a
generated JSON form, `provenance/data/generated/NAME.json`, written by
`scripts/gen_data.py` and holding the SHA-256 of the TOML text it was made from.
`read_data` uses that form only when the hash matches the TOML beside it; otherwise it
parses the TOML (the same result, just slower), and tests/test_datafiles.py fails until
the form is regenerated.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path
from typing import Any

__all__ = ["DATA_DIR", "generated_form", "generated_path", "read_data"]


# The package's data folder (a path, not importlib.resources: that imports zipfile, a
# millisecond of a first check, and the package is never run from a zip).
DATA_DIR = Path(__file__).parent / "data"


def generated_path(filename: str, folder: Path = DATA_DIR) -> Path:
    """Where the generated JSON form of the data file `filename` lives."""
    return folder / "generated" / (filename.removesuffix(".toml") + ".json")


def read_data(filename: str, folder: Path = DATA_DIR) -> dict[str, Any]:
    """Return the contents of the data file `filename` ("publishers.toml") of `folder`
    (default: the package's `data/`).

    The same dict as `tomllib.loads` of the file. Raises OSError when the TOML cannot be
    read and tomllib.TOMLDecodeError when it is not valid TOML (a missing, broken or stale
    generated form is never an error: the TOML is parsed instead).
    """
    text = (folder / filename).read_text(encoding="utf-8")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    try:
        stored = json.loads(generated_path(filename, folder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        stored = None
    if isinstance(stored, dict) and stored.get("sha256") == digest:
        data = stored.get("data")
        if isinstance(data, dict):
            return data
    return tomllib.loads(text)


def generated_form(filename: str) -> str:
    """Return the JSON text `scripts/gen_data.py` writes for the data file `filename`.

    Raises OSError, tomllib.TOMLDecodeError, or TypeError when the TOML holds a value
    JSON cannot carry (a date).
    """
    text = (DATA_DIR / filename).read_text(encoding="utf-8")
    form = {
        "source": f"provenance/data/{filename}",
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "data": tomllib.loads(text),
    }
    return json.dumps(form, ensure_ascii=False, separators=(",", ":"), allow_nan=False) + "\n"

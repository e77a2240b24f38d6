"""The truth set: every cases/<slug>/case.json checked through `check_source`.

Three kinds of test:
- `test_case_schema`: each case.json is well formed (fails loudly, naming the case);
- `test_case`: the pipeline's report agrees with the case's expected verdict, credit,
  origin, findings and coverage (+-0.03);
- `test_accuracy_gate`: accuracy over all cases stays at or above the floors pinned in
  tests/eval_baseline.json (floors only move up, on purpose).

`python -m tests.test_cases` (from the repo root) prints the per-case table and the metrics.

A case flagged `requires_shared` names its copy or original by a path relative to the
repository ("../shared/real/..."): text the repository may not ship. It is checked when
../shared is beside the repository and skipped, with a one-line reason, when it is not; the
metrics then cover the other cases. `provenance.audit.sources.shared_case_file` is the one place
such a path is resolved.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from provenance.audit.sources import SHARED_PREFIX, shared_case_file
from provenance.errors import InputError

REPO = Path(__file__).resolve().parents[1]
CASES_DIR = REPO / "cases"
BASELINE = Path(__file__).with_name("eval_baseline.json")
COVERAGE_TOLERANCE = 0.03

VERDICTS = {"faithful", "trimmed", "modified", "rewritten", "unrelated", "unverified"}
CREDITS = {"credited", "uncredited", "miscredited", "unknown"}
TOP_KEYS = {"slug", "kind", "copy", "original", "source", "expected", "reason"}
# "known_miss": the label stands, the tool gets it wrong, and says why; the case runs as a
# strict xfail (it fails loudly once the tool gets it right) and counts as a miss in the gate.
# "requires_shared": the copy or original is named in ../shared (see the module docstring).
OPTIONAL_TOP_KEYS = {"item", "known_miss", "requires_shared"}
EXPECTED_KEYS = {"verdict", "credit", "origin", "findings", "absent_findings", "coverage"}


def case_dirs() -> list[Path]:
    """Every case directory (one holding a case.json), sorted by slug."""
    return sorted(p.parent for p in CASES_DIR.glob("*/case.json"))


def case_file(case_dir: Path, data: dict[str, Any], key: str) -> Path | None:
    """The path of the case's `key` file ("copy" or "original"), or None for no original."""
    name = data.get(key)
    if not isinstance(name, str):
        return None
    if data.get("requires_shared") is True and name.startswith(SHARED_PREFIX):
        return shared_case_file(case_dir, name)
    return case_dir / name


def missing_shared(case_dir: Path, data: dict[str, Any]) -> str | None:
    """Why a `requires_shared` case cannot run here (its ../shared file is absent), or None."""
    for key in ("copy", "original"):
        path = case_file(case_dir, data, key)
        if path is not None and data.get("requires_shared") is True and not path.is_file():
            return f"case {case_dir.name} needs ../shared ({data[key]} is absent)"
    return None


def load_case(case_dir: Path) -> dict[str, Any]:
    """The parsed case.json of `case_dir`; raises AssertionError naming the case if unreadable."""
    try:
        data = json.loads((case_dir / "case.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AssertionError(f"case {case_dir.name}: cannot read case.json: {exc}") from exc
    if not isinstance(data, dict):
        raise AssertionError(f"case {case_dir.name}: case.json is not an object")
    return data


# ------------------------------------------------------------------ schema


def _check_expected(exp: Any, kind: Any) -> Iterator[str]:
    if not isinstance(exp, dict):
        yield "'expected' must be an object"
        return
    if unknown := set(exp) - EXPECTED_KEYS:
        yield f"unknown expected keys {sorted(unknown)}"
    if exp.get("verdict") not in VERDICTS:
        yield f"expected.verdict {exp.get('verdict')!r} not one of {sorted(VERDICTS)}"
    if "credit" in exp and exp["credit"] not in CREDITS:
        yield f"expected.credit {exp['credit']!r} not one of {sorted(CREDITS)}"
    if kind == "real" and "credit" not in exp:
        yield "real cases must state expected.credit"
    origin = exp.get("origin")
    if origin is not None and (not isinstance(origin, str) or "/" in origin or "." not in origin):
        yield f"expected.origin {origin!r} must be a registrable domain or null"
    for key in ("findings", "absent_findings"):
        codes = exp.get(key, [])
        if not isinstance(codes, list) or not all(isinstance(c, str) and c for c in codes):
            yield f"expected.{key} must be a list of finding codes"
    if set(exp.get("findings", [])) & set(exp.get("absent_findings", [])):
        yield "a code is both in findings and absent_findings"
    cov = exp.get("coverage")
    if cov is not None and not (isinstance(cov, int | float) and 0.0 <= cov <= 1.0):
        yield f"expected.coverage {cov!r} must be a number in [0, 1]"


def _file_errors(case_dir: Path, data: dict[str, Any]) -> Iterator[str]:
    shared = data.get("requires_shared", False)
    if not isinstance(shared, bool):
        yield "requires_shared must be true or false"
    names = [data.get(k) for k in ("copy", "original")]
    if shared is True and not any(
        isinstance(n, str) and n.startswith(SHARED_PREFIX) for n in names
    ):
        yield f"requires_shared is set but neither file is named {SHARED_PREFIX}<path>"
    for key, name in zip(("copy", "original"), names, strict=True):
        if name is None and key == "original":
            continue
        if shared is True and isinstance(name, str) and name.startswith(SHARED_PREFIX):
            try:
                shared_case_file(case_dir, name)
            except InputError as exc:
                yield f"{key}: {exc}"
            continue  # present or not, it is checked when ../shared is there
        if not isinstance(name, str) or not (case_dir / name).is_file():
            yield f"{key} file {name!r} not found in the case directory"


def schema_errors(case_dir: Path, data: dict[str, Any]) -> list[str]:
    """Everything wrong with one case.json (empty when it is well formed)."""
    errors: list[str] = []
    if missing := TOP_KEYS - set(data):
        errors.append(f"missing keys {sorted(missing)}")
    if unknown := set(data) - TOP_KEYS - OPTIONAL_TOP_KEYS:
        errors.append(f"unknown keys {sorted(unknown)}")
    if data.get("slug") != case_dir.name:
        errors.append(f"slug {data.get('slug')!r} differs from the directory name")
    if data.get("kind") not in ("real", "synthetic"):
        errors.append(f"kind {data.get('kind')!r} must be 'real' or 'synthetic'")
    if data.get("kind") == "synthetic" and not case_dir.name.startswith("synthetic-"):
        errors.append("synthetic cases live in cases/synthetic-*")
    errors.extend(_file_errors(case_dir, data))
    for key in ("source", "reason"):
        if not isinstance(data.get(key), str) or len(data.get(key, "")) < 10:
            errors.append(f"{key} must say where the case came from / why the label")
    if "known_miss" in data and (
        not isinstance(data["known_miss"], str) or len(data["known_miss"]) < 20
    ):
        errors.append("known_miss must explain why the tool gets this case wrong")
    item = data.get("item", 0)
    if not isinstance(item, int) or item < 0:
        errors.append("item must be a non-negative integer")
    errors.extend(_check_expected(data.get("expected"), data.get("kind")))
    exp = data.get("expected")
    if (
        data.get("original") is None
        and isinstance(exp, dict)
        and exp.get("verdict") != "unverified"
    ):
        errors.append("a case without an original must expect 'unverified'")
    return errors


# ------------------------------------------------------------------ running


@dataclass
class Outcome:
    """What the pipeline said about one case, and where it disagreed with the labels."""

    slug: str
    kind: str
    expected: dict[str, Any]
    got: dict[str, Any] = field(default_factory=dict)
    mismatches: list[str] = field(default_factory=list)
    error: str | None = None

    def ok(self, key: str) -> bool:
        return self.error is None and not any(m.startswith(key) for m in self.mismatches)


def _norm_domain(d: str | None) -> str | None:
    return d.lower().removeprefix("www.") if d else None


def _report_facts(report: Any) -> dict[str, Any]:
    codes = {f.code for f in report.findings} | {f.code for f in report.evidence.findings}
    return {
        "verdict": str(report.verdict.value),
        "credit": str(report.credit.value),
        "origin": _norm_domain(report.evidence.origin.domain),
        "findings": sorted(codes),
        "coverage": None if report.scores is None else round(report.scores.coverage, 4),
    }


def _compare(exp: dict[str, Any], got: dict[str, Any]) -> list[str]:
    out = []
    if got["verdict"] != exp["verdict"]:
        out.append(f"verdict: expected {exp['verdict']}, got {got['verdict']}")
    if "credit" in exp and got["credit"] != exp["credit"]:
        out.append(f"credit: expected {exp['credit']}, got {got['credit']}")
    if "origin" in exp and got["origin"] != _norm_domain(exp["origin"]):
        out.append(f"origin: expected {exp['origin']}, got {got['origin']}")
    if missing := set(exp.get("findings", [])) - set(got["findings"]):
        out.append(f"findings: missing {sorted(missing)} (got {got['findings']})")
    if present := set(exp.get("absent_findings", [])) & set(got["findings"]):
        out.append(f"findings: must be absent {sorted(present)}")
    if "coverage" in exp:
        cov = got["coverage"]
        if cov is None or abs(cov - exp["coverage"]) > COVERAGE_TOLERANCE:
            out.append(f"coverage: expected {exp['coverage']:.3f} +-0.03, got {cov}")
    return out


@cache
def run_case(case_dir: Path) -> Outcome:
    """Run `check_source` on the case (offline, no cache) and compare with its labels."""
    from provenance.errors import ProvenanceError
    from provenance.pipeline import check_source
    from provenance.settings import Settings

    data = load_case(case_dir)
    outcome = Outcome(data["slug"], data["kind"], data["expected"])
    original = case_file(case_dir, data, "original")
    settings = Settings(offline=True, cache_dir=None)
    try:
        reports = check_source(
            str(case_file(case_dir, data, "copy")),
            original=str(original) if original else None,
            settings=settings,
        )
    except ProvenanceError as exc:
        outcome.error = f"{type(exc).__name__}: {exc}"
        return outcome
    item = data.get("item", 0)
    if len(reports) <= item:
        outcome.error = f"check_source returned {len(reports)} reports, case needs item {item}"
        return outcome
    outcome.got = _report_facts(reports[item])
    outcome.mismatches = _compare(outcome.expected, outcome.got)
    return outcome


# ------------------------------------------------------------------ metrics


def _share(outcomes: list[Outcome], key: str, want: str | None = None) -> float | None:
    pool = [o for o in outcomes if key in o.expected and (want is None or o.kind == want)]
    if not pool:
        return None
    return sum(o.ok(key) for o in pool) / len(pool)


def _findings_ok(o: Outcome) -> bool:
    return o.error is None and not any(m.startswith("findings") for m in o.mismatches)


def metrics(outcomes: list[Outcome]) -> dict[str, float]:
    """Verdict accuracy (real, synthetic), credit, origin and findings accuracy, coverage MAE."""
    with_findings = [
        o for o in outcomes if "findings" in o.expected or "absent_findings" in o.expected
    ]
    cov_errors = [
        1.0
        if o.error or o.got.get("coverage") is None
        else abs(o.got["coverage"] - o.expected["coverage"])
        for o in outcomes
        if "coverage" in o.expected
    ]
    values = {
        "verdict_accuracy_real": _share(outcomes, "verdict", "real"),
        "verdict_accuracy_synthetic": _share(outcomes, "verdict", "synthetic"),
        "credit_accuracy": _share(outcomes, "credit"),
        "origin_accuracy": _share(outcomes, "origin"),
        "findings_accuracy": (
            sum(_findings_ok(o) for o in with_findings) / len(with_findings)
            if with_findings
            else None
        ),
        "coverage_mean_abs_error": sum(cov_errors) / len(cov_errors) if cov_errors else None,
    }
    return {k: round(v, 4) for k, v in values.items() if v is not None}


def summary_table(outcomes: list[Outcome]) -> str:
    """A plain-text table: one line per case, then the metrics."""
    lines = [f"{'case':52} {'verdict (exp/got)':28} {'credit':22} {'cov':13} ok"]
    for o in outcomes:
        g = o.got
        verdict = f"{o.expected['verdict']}/{g.get('verdict', 'ERROR')}"
        credit = f"{o.expected.get('credit', '-')}/{g.get('credit', '-')}"
        cov = f"{o.expected.get('coverage', '-')}/{g.get('coverage', '-')}"
        status = "ok" if not o.mismatches and not o.error else "FAIL"
        lines.append(f"{o.slug:52} {verdict:28} {credit:22} {cov:13} {status}")
        lines.extend(f"{'':6}- {m}" for m in ([o.error] if o.error else o.mismatches))
    lines.append("")
    lines.extend(f"{k:30} {v:.3f}" for k, v in metrics(outcomes).items())
    return "\n".join(lines)


# ------------------------------------------------------------------ tests

CASE_DIRS = case_dirs()
IDS = [d.name for d in CASE_DIRS]


def runnable(case_dirs: list[Path]) -> tuple[list[Path], list[str]]:
    """The cases that can run here, and a one-line reason for each that cannot."""
    ready, skipped = [], []
    for d in case_dirs:
        why = missing_shared(d, load_case(d))
        if why is None:
            ready.append(d)
        else:
            skipped.append(why)
    return ready, skipped


def test_there_are_cases() -> None:
    kinds = [load_case(d)["kind"] for d in CASE_DIRS]
    assert len(kinds) >= 30, f"only {len(kinds)} cases under {CASES_DIR}"
    assert "real" in kinds and "synthetic" in kinds


@pytest.mark.parametrize("case_dir", CASE_DIRS, ids=IDS)
def test_case_schema(case_dir: Path) -> None:
    errors = schema_errors(case_dir, load_case(case_dir))
    assert not errors, f"case {case_dir.name} is malformed:\n  " + "\n  ".join(errors)


def test_schema_check_rejects_a_malformed_case(tmp_path: Path) -> None:
    bad = tmp_path / "bad-case"
    bad.mkdir()
    data = {
        "slug": "other",
        "kind": "real",
        "copy": "nope.txt",
        "original": None,
        "source": "x",
        "expected": {"verdict": "great", "coverage": 2},
    }
    errors = " | ".join(schema_errors(bad, data))
    for fragment in (
        "missing keys ['reason']",
        "slug",
        "copy file",
        "verdict",
        "coverage",
        "expected.credit",
    ):
        assert fragment in errors, errors


def test_schema_check_of_shared_names(tmp_path: Path) -> None:
    case_dir = tmp_path / "repo" / "cases" / "real-x"
    case_dir.mkdir(parents=True)
    (case_dir / "copy.txt").write_text("Title\n\nText.\n", encoding="utf-8")
    base = {"slug": "real-x", "kind": "real", "copy": "copy.txt", "source": "shared/real/x.txt"}
    base |= {"expected": {"verdict": "unrelated", "credit": "unknown"}, "reason": "a test case"}
    ok = base | {"original": "../shared/real/x.txt", "requires_shared": True}
    assert schema_errors(case_dir, ok) == []  # ../shared absent here: checked where it is
    assert (
        missing_shared(case_dir, ok)
        == "case real-x needs ../shared (../shared/real/x.txt is absent)"
    )
    (tmp_path / "shared" / "real").mkdir(parents=True)
    (tmp_path / "shared" / "real" / "x.txt").write_text("Title\n\nText.\n", encoding="utf-8")
    assert missing_shared(case_dir, ok) is None
    assert case_file(case_dir, ok, "original") == tmp_path / "shared" / "real" / "x.txt"
    for bad, fragment in (
        (base | {"original": "../shared/real/x.txt"}, "original file"),
        (base | {"original": "../shared/../x.txt", "requires_shared": True}, "no '..'"),
        (base | {"original": None, "requires_shared": True}, "neither file"),
        (ok | {"requires_shared": "yes"}, "true or false"),
    ):
        errors = " | ".join(schema_errors(case_dir, bad))
        assert fragment in errors, (bad, errors)


@pytest.mark.parametrize("case_dir", CASE_DIRS, ids=IDS)
def test_case(case_dir: Path) -> None:
    case = load_case(case_dir)
    if why := missing_shared(case_dir, case):
        pytest.skip(why)
    outcome = run_case(case_dir)
    reason = case["reason"]
    problems = [outcome.error] if outcome.error else outcome.mismatches
    if "known_miss" in case:
        assert problems, f"case {outcome.slug} is marked known_miss but now passes: update it"
        pytest.xfail(f"known miss: {case['known_miss']}")
    assert not problems, (
        f"case {outcome.slug} ({outcome.kind}):\n  "
        + "\n  ".join(str(p) for p in problems)
        + f"\n  got: {outcome.got}\n  why the label: {reason}"
    )


def test_accuracy_gate() -> None:
    ready, skipped = runnable(CASE_DIRS)
    outcomes = [run_case(d) for d in ready]
    print("\n" + summary_table(outcomes) + "".join(f"\nskipped: {why}" for why in skipped))
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    measured = metrics(outcomes)
    drops = [
        f"{name}: {measured.get(name, 0.0):.3f} < floor {floor:.3f}"
        for name, floor in baseline["floors"].items()
        if measured.get(name, 0.0) < floor
    ]
    drops += [
        f"{name}: {measured.get(name, 1.0):.3f} > ceiling {ceiling:.3f}"
        for name, ceiling in baseline["ceilings"].items()
        if measured.get(name, 1.0) > ceiling
    ]
    assert not drops, "accuracy fell below the pinned baseline:\n  " + "\n  ".join(drops)


def main() -> int:
    """Print the per-case table, the metrics and the skipped cases; return 0."""
    ready, skipped = runnable(CASE_DIRS)
    print(summary_table([run_case(d) for d in ready]))
    for why in skipped:
        print(f"skipped: {why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

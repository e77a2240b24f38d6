"""The command line: exact messages and exit codes, through click's CliRunner."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from shared_dir import SEED

from provenance.cli import cli

CASES = Path(__file__).resolve().parents[1] / "cases"


@pytest.fixture(autouse=True)
def private_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Keep the default archive, state and HTTP cache out of the user's home."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    yield


def run(*args: str, input: str | bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_check_seed_json_names_cnn_from_footer_and_markup() -> None:
    code, out, _ = run("check", str(SEED), "--offline", "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert report["schema_version"] == "1.0"
    assert report["origin"]["domain"] == "cnn.com"
    assert report["verdict"] == "unverified"
    assert report["credit"] == "credited"
    [cnn] = [m for m in report["evidence"]["markers"] if m["kind"] == "cms-component-uri"]
    assert cnn["count"] == 12
    assert cnn["earliest_created"] == "2025-02-12T22:50:01Z"
    assert cnn["lag_hours"] == 12.8
    assert {a["origin"] for a in report["evidence"]["attributions"]} == {"cnn.com"}
    assert "possible-omissions" in {f["code"] for f in report["findings"]}


def test_check_json_is_byte_identical_across_runs() -> None:
    first = run("check", str(SEED), "--offline", "--format", "json")
    second = run("check", str(SEED), "--offline", "--format", "json")
    assert first == second


def test_check_with_original_reports_alignment() -> None:
    case = CASES / "real-markets-kvia-vs-cnn"
    data = json.loads((case / "case.json").read_text())
    code, out, _ = run(
        "check", str(case / data["copy"]), "--original", str(case / data["original"]),
        "--offline", "--format", "json",
    )  # fmt: skip
    assert code == 0
    report = json.loads(out)
    assert report["original"]["found_by"] == "user"
    assert {m["status"] for m in report["alignment"]} >= {"verbatim"}
    assert 0.0 <= report["scores"]["coverage"] <= 1.0


def test_check_reads_stdin() -> None:
    code, out, _ = run("check", "-", "--offline", "--format", "json", input=SEED.read_bytes())
    assert code == 0
    assert json.loads(out)["origin"]["domain"] == "cnn.com"


def test_check_markdown_and_output_file(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    code, out, _ = run(
        "check", str(SEED), "--offline", "--format", "markdown", "--output", str(target)
    )
    assert (code, out) == (0, "")
    assert target.read_text().startswith("#")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "has no text"),
        (b"   \n\t ", "has no text"),
        (b'{"id": 1, "content": ', "malformed JSON"),
        (b"\x00\x01\x02\xff" * 200, "unknown format"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, content: bytes, message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    code, out, err = run("check", str(bad), "--offline")
    assert code == 2
    assert out == ""
    assert err.startswith("Error: ") and err.count("\n") == 1, err
    assert message in err


def test_a_malformed_post_of_a_list_is_named_and_the_others_are_checked(tmp_path: Path) -> None:
    seed = json.loads(SEED.read_text(encoding="utf-8"))
    posts = [seed, {"title": {"rendered": "no content"}}, 7, {**seed, "id": 2}]
    listing = tmp_path / "posts.json"
    listing.write_text(json.dumps(posts), encoding="utf-8")
    code, out, err = run("check", str(listing), "--offline", "--format", "json")
    assert code == 2
    reports = json.loads(out)
    assert [r["copy"]["source"] for r in reports] == [str(listing)] * 2
    assert [r["origin"]["domain"] for r in reports] == ["cnn.com", "cnn.com"]
    assert err.splitlines() == [
        f"Error: {listing} item 1: not a WordPress post (no content.rendered)",
        f"Error: {listing} item 2: not a WordPress post (JSON int)",
    ]


def test_a_list_whose_posts_are_all_malformed_is_one_error(tmp_path: Path) -> None:
    listing = tmp_path / "posts.json"
    listing.write_text('[{"title": "x"}, 7]', encoding="utf-8")
    code, out, err = run("check", str(listing), "--offline")
    assert (code, out) == (2, "")
    assert err == f"Error: {listing} item 0: not a WordPress post (no content.rendered)\n"


def test_missing_file_is_exit_2() -> None:
    code, _, err = run("check", "/nonexistent/copy.json", "--offline")
    assert code == 2
    assert err.count("\n") == 1 and "/nonexistent/copy.json" in err


def test_missing_archive_is_a_one_line_error(tmp_path: Path) -> None:
    code, _, err = run("check", str(SEED), "--offline", "--archive", str(tmp_path / "none.sqlite"))
    assert code == 1
    assert err.count("\n") == 1 and "none.sqlite" in err


def test_archive_import_stats_and_search(tmp_path: Path) -> None:
    archive = tmp_path / "a.sqlite"
    case = CASES / "real-markets-kvia-vs-cnn"
    data = json.loads((case / "case.json").read_text())
    originals = tmp_path / "originals"
    originals.mkdir()
    (originals / "cnn.txt").write_bytes((case / data["original"]).read_bytes())
    code, out, _ = run("archive", "import", str(originals), "--archive", str(archive), "--offline")
    assert code == 0 and out.startswith("1 added, 0 updated, 0 unchanged, 0 skipped")
    code, out, _ = run("archive", "import", str(originals), "--archive", str(archive), "--offline")
    assert out.startswith("0 added, 0 updated, 1 unchanged")
    code, out, _ = run("archive", "stats", "--archive", str(archive), "--json")
    assert json.loads(out)["documents"] == 1
    code, out, _ = run(
        "archive", "search", str(case / data["copy"]), "--archive", str(archive), "--json"
    )
    [hit] = json.loads(out)
    assert hit["score"] > 0.5


def test_check_finds_original_in_archive(tmp_path: Path) -> None:
    archive = tmp_path / "a.sqlite"
    case = CASES / "real-markets-kvia-vs-cnn"
    data = json.loads((case / "case.json").read_text())
    run("archive", "import", str(case / data["original"]), "--archive", str(archive), "--offline")
    code, out, _ = run(
        "check",
        str(case / data["copy"]),
        "--archive",
        str(archive),
        "--offline",
        "--format",
        "json",
    )
    report = json.loads(out)
    assert code == 0
    assert report["original"]["found_by"] == "archive"
    assert report["verdict"] != "unverified"

"""The command line: exact messages and exit codes, through click's CliRunner."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from servers import LoopbackServer, Reply
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
    assert report["schema_version"] == "1.1"
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
    case = CASES / "synthetic-verbatim-1"
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


@pytest.mark.parametrize(
    "command",
    [
        ["check", str(SEED), "--offline"],
        ["check", str(SEED), "--original", str(SEED)],
        ["archive", "stats"],
        ["archive", "search", str(SEED)],
    ],
    ids=["check", "check-original", "stats", "search"],
)
def test_missing_archive_is_exit_2_naming_the_path(tmp_path: Path, command: list[str]) -> None:
    missing = tmp_path / "none.sqlite"
    code, out, err = run(*command, "--archive", str(missing))
    assert (code, out) == (2, "")
    assert err == f"Error: --archive {missing}: no such archive file\n"


@pytest.mark.parametrize(
    "command",
    [["check", str(SEED), "--offline"], ["archive", "stats"], ["archive", "search", str(SEED)]],
    ids=["check", "stats", "search"],
)
def test_an_archive_that_cannot_be_opened_is_exit_3(tmp_path: Path, command: list[str]) -> None:
    broken = tmp_path / "broken.sqlite"
    broken.write_bytes(b"this is not a SQLite database" * 100)
    code, out, err = run(*command, "--archive", str(broken))
    assert (code, out) == (3, "")
    assert err.startswith("Error: ") and err.count("\n") == 1 and str(broken) in err, err


def test_a_copy_url_that_cannot_be_fetched_is_exit_3_naming_it() -> None:
    with LoopbackServer() as server:
        url = server.url("/gone")  # unrouted: 404 (robots.txt too, which allows everything)
        code, out, err = run("check", url, "--offline")
    assert (code, out) == (3, "")
    assert err == f"Error: {url}: HTTP 404\n"


def test_an_unreadable_robots_txt_is_exit_3_naming_the_url_typed() -> None:
    with LoopbackServer() as server:
        server.route("/robots.txt", Reply(body=b"#" * 600_000, content_type="text/plain"))
        server.route("/story", Reply(body=b"<p>The story.</p>"))
        url = server.url("/story")
        code, out, err = run("check", url, "--offline")
        assert server.hits("/story") == 0
    assert (code, out) == (3, "")
    assert err.startswith(f"Error: {url}: its robots.txt could not be read ("), err
    assert err.count("\n") == 1 and "/robots.txt" not in err


def test_an_original_url_that_cannot_be_fetched_is_exit_3() -> None:
    with LoopbackServer() as server:
        url = server.url("/missing-original")
        code, out, err = run("check", str(SEED), "--original", url)
    assert (code, out, err) == (3, "", f"Error: {url}: HTTP 404\n")


def test_click_usage_errors_are_exit_2() -> None:
    code, _, err = run("check", str(SEED), "--format", "xml")
    assert code == 2 and "Invalid value for '--format'" in err


# Every cell of the README's exit-code table, and the test that shows it.
EXIT_CODE_TESTS: dict[str, dict[int, str]] = {
    "check": {
        0: "test_cli.py::test_check_seed_json_names_cnn_from_footer_and_markup",
        2: "test_cli.py::test_missing_archive_is_exit_2_naming_the_path",
        3: "test_cli.py::test_an_unreadable_robots_txt_is_exit_3_naming_the_url_typed",
    },
    "archive import": {
        0: "test_cli.py::test_archive_import_stats_and_search",
        2: "test_cli.py::test_archive_import_of_a_missing_path_is_exit_2",
        3: "test_cli.py::test_archive_import_into_a_broken_archive_is_exit_3",
    },
    "archive search": {
        0: "test_cli.py::test_archive_import_stats_and_search",
        2: "test_cli.py::test_missing_archive_is_exit_2_naming_the_path",
        3: "test_cli.py::test_an_archive_that_cannot_be_opened_is_exit_3",
    },
    "archive stats": {
        0: "test_cli.py::test_archive_import_stats_and_search",
        2: "test_cli.py::test_missing_archive_is_exit_2_naming_the_path",
        3: "test_cli.py::test_an_archive_that_cannot_be_opened_is_exit_3",
    },
    "scan": {
        0: "test_scan.py::test_cli_scan_prints_the_counts",
        2: "test_scan.py::test_cli_scan_without_an_archive_is_exit_2",
        3: "test_scan.py::test_cli_scan_with_an_archive_that_cannot_be_opened_is_exit_3",
    },
    "audit": {
        0: "test_audit.py::test_permissive_policy_passes_everything_with_exit_code_0",
        1: "test_audit.py::test_default_policy_fails_uncredited_copies_with_exit_code_1",
        2: "test_audit.py::test_bad_policy_file_exits_2_naming_the_file",
        3: "test_audit.py::test_unreachable_source_exits_3",
    },
}


def _readme_exit_codes() -> dict[str, set[int]]:
    """command -> the codes the README's exit-code table gives it (cells other than '—')."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in rows[0].strip("|").split("|")]
    commands = [name.strip("`") for cell in header[1:] for name in cell.split(", ")]
    columns = [cell.split(", ") for cell in header[1:]]
    table: dict[str, set[int]] = {name: set() for name in commands}
    for row in rows[2:]:
        code, *cells = (cell.strip() for cell in row.strip("|").split("|"))
        for names, cell in zip(columns, cells, strict=True):
            if cell != "—":
                for name in names:
                    table[name.strip("`")].add(int(code))
    return table


def test_the_readme_exit_code_table_is_the_tested_one() -> None:
    assert _readme_exit_codes() == {cmd: set(codes) for cmd, codes in EXIT_CODE_TESTS.items()}
    tests = Path(__file__).resolve().parent
    for codes in EXIT_CODE_TESTS.values():
        for where in codes.values():
            module, name = where.split("::")
            assert f"def {name}(" in (tests / module).read_text(encoding="utf-8"), where


def test_every_command_is_in_the_exit_code_table() -> None:
    commands = {f"archive {name}" for name in cli.commands["archive"].commands}  # type: ignore[attr-defined]
    commands |= set(cli.commands) - {"archive"}
    assert commands == set(EXIT_CODE_TESTS)


def test_archive_import_of_a_missing_path_is_exit_2(tmp_path: Path) -> None:
    code, _, err = run(
        "archive", "import", str(tmp_path / "nope"), "--archive", str(tmp_path / "a")
    )
    assert code == 2 and "does not exist" in err


def test_archive_import_into_a_broken_archive_is_exit_3(tmp_path: Path) -> None:
    broken = tmp_path / "broken.sqlite"
    broken.write_bytes(b"this is not a SQLite database" * 100)
    code, out, err = run("archive", "import", str(SEED), "--archive", str(broken), "--offline")
    assert (code, out) == (3, "")
    assert err.startswith("Error: ") and err.count("\n") == 1 and str(broken) in err, err


def test_archive_import_stats_and_search(tmp_path: Path) -> None:
    archive = tmp_path / "a.sqlite"
    case = CASES / "synthetic-verbatim-1"
    data = json.loads((case / "case.json").read_text())
    originals = tmp_path / "originals"
    originals.mkdir()
    (originals / "original.txt").write_bytes((case / data["original"]).read_bytes())
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
    case = CASES / "synthetic-verbatim-1"
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

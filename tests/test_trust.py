"""Trust boundaries and failure isolation of `audit`, `check` and `archive import`, each
through the real command in a subprocess: paths named by content stay inside their folder,
keys cannot pose as other keys, one hostile item is one error item, and no option or
output the user names ends in a traceback.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from servers import LoopbackServer, Reply

from provenance.errors import InputError
from provenance.paths import display_path, read_regular, resolve_inside

RUN_TIMEOUT = 120.0  # a guard against hangs, not a timing assertion
SECRET = "TOPSECRET-7f3a the words of a file outside the audited folder"
STORY = (
    "The council voted on Tuesday to expand bus service across the city, adding routes "
    "to the northern suburbs and extending evening hours on weekdays.\n\n"
    "Officials said the expansion would cost four million dollars a year and be paid for "
    "by a new parking levy in the city centre."
)
CLEAN_STORY = (
    "<html><head><title>Buses</title></head><body><article>"
    + "".join(f"<p>{p}</p>" for p in STORY.split("\n\n"))
    + "</article></body></html>"
)


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str


def run(root: Path, *args: str) -> Run:
    env = dict(os.environ, XDG_DATA_HOME=str(root / "xdg-data"),
               XDG_CACHE_HOME=str(root / "xdg-cache"))  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "provenance.cli", *args],
        env=env,
        capture_output=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    out = done.stdout.decode("utf-8", "replace")
    return Run(done.returncode, out, done.stderr.decode("utf-8", "replace"))


def one_line_error(result: Run, code: int) -> None:
    assert result.code == code, result.stderr[-800:]
    assert "Traceback" not in result.stderr, result.stderr[-800:]
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("Error: "), result.stderr


def audit_json(
    root: Path, *sources: str, extra: tuple[str, ...] = ()
) -> tuple[Run, dict[str, Any]]:
    out = root / "report.json"
    result = run(root, "audit", *sources, "--offline", "--no-state", "--json", str(out), *extra)
    assert result.code in (0, 1), result.stderr[-800:]
    assert "Traceback" not in result.stderr
    return result, json.loads(out.read_text(encoding="utf-8"))


def items(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["key"]: item for item in report["items"]}


# ---- paths named by content --------------------------------------------------------------


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    secret = tmp_path / "secret.txt"
    secret.write_text(f"Secret\n\n{SECRET}\n", encoding="utf-8")
    return secret


def _case(root: Path, name: str, case: dict[str, Any]) -> Path:
    folder = root / "audited" / name
    folder.mkdir(parents=True)
    (folder / "copy.html").write_text(CLEAN_STORY, encoding="utf-8")
    (folder / "case.json").write_text(json.dumps(case), encoding="utf-8")
    return folder


def test_case_paths_stay_inside_their_folder(tmp_path: Path, outside: Path) -> None:
    _case(tmp_path, "a-climbs", {"copy": "../../secret.txt"})
    _case(tmp_path, "b-absolute", {"copy": str(outside)})
    link = _case(tmp_path, "c-symlink", {"copy": "copy.html", "original": "orig.txt"})
    (link / "orig.txt").symlink_to(outside)
    fifo = _case(tmp_path, "d-fifo", {"copy": "copy.html", "original": "pipe"})
    os.mkfifo(fifo / "pipe")
    _case(tmp_path, "e-nul", {"copy": "copy.html\u0000x"})
    _case(tmp_path, "f-good", {"copy": "copy.html"})
    result, report = audit_json(tmp_path, str(tmp_path / "audited"))
    found = items(report)
    assert SECRET not in json.dumps(report) and SECRET not in result.stdout
    reasons = {Path(k).name: (v["status"], v.get("error") or "") for k, v in found.items()}
    assert reasons["a-climbs"][0] == "error" and "'..'" in reasons["a-climbs"][1]
    assert reasons["b-absolute"][0] == "error" and "absolute" in reasons["b-absolute"][1]
    assert reasons["c-symlink"][0] == "error" and "leads out" in reasons["c-symlink"][1]
    assert reasons["d-fifo"][0] == "error" and "FIFO" in reasons["d-fifo"][1]
    assert reasons["e-nul"][0] == "error" and "control" in reasons["e-nul"][1]
    assert reasons["f-good"][0] != "error"


def test_symlinked_file_out_of_the_tree_is_not_read(tmp_path: Path, outside: Path) -> None:
    folder = tmp_path / "audited"
    folder.mkdir()
    (folder / "story.html").write_text(CLEAN_STORY, encoding="utf-8")
    (folder / "leak.txt").symlink_to(outside)
    (folder / "inside.html").symlink_to(folder / "story.html")
    os.mkfifo(folder / "pipe.txt")
    _result, report = audit_json(tmp_path, str(folder))
    found = {Path(k).name: v for k, v in items(report).items()}
    assert SECRET not in json.dumps(report)
    assert found["leak.txt"]["status"] == "error" and "symlink" in found["leak.txt"]["error"]
    assert found["pipe.txt"]["status"] == "error" and "FIFO" in found["pipe.txt"]["error"]
    assert found["inside.html"]["status"] != "error"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../x", "'..'"),
        ("a/../../x", "'..'"),
        ("/etc/passwd", "absolute"),
        ("C:\\x", "absolute"),
        ("", "not a file name"),
        (7, "not a file name"),
        ("a\u001b[2Jb", "control"),
        ("missing.txt", "no such file"),
    ],
)
def test_resolve_inside_refuses(tmp_path: Path, name: object, reason: str) -> None:
    with pytest.raises(InputError, match=reason.replace("\\", "\\\\").replace(".", "\\.")):
        resolve_inside(tmp_path, name)


def test_resolve_inside_accepts_a_file_below(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "copy.html").write_text("x", encoding="utf-8")
    assert resolve_inside(tmp_path, "sub/copy.html") == tmp_path / "sub" / "copy.html"


def test_read_regular_refuses_a_device_without_blocking() -> None:
    with pytest.raises(InputError, match="character device"):
        read_regular(Path("/dev/zero"), 10)


def test_display_path_of_a_non_utf8_name() -> None:
    assert display_path(os.fsdecode(b"/tmp/caf\xe9.txt")) == "/tmp/caf\\xe9.txt"


# ---- keys --------------------------------------------------------------------------------


def _post(link: str, title: str) -> dict[str, Any]:
    paragraphs = "".join(f"<p>{p}</p>" for p in STORY.split("\n\n"))
    return {
        "id": 1,
        "link": link,
        "title": {"rendered": title},
        "content": {"rendered": paragraphs},
    }


def test_a_nul_in_a_link_cannot_pose_as_another_item(tmp_path: Path) -> None:
    victim = "https://news.example/victim"
    folder = tmp_path / "audited"
    folder.mkdir()
    posts = [_post(victim + "\u0000attacker", "ATTACKER TITLE")]
    (folder / "posts.json").write_text(json.dumps(posts), encoding="utf-8")
    state = tmp_path / "state.sqlite"
    out = tmp_path / "report.json"
    result = run(tmp_path, "audit", str(folder), "--offline", "--state", str(state),
                 "--json", str(out))  # fmt: skip
    assert result.code in (0, 1), result.stderr
    with sqlite3.connect(state) as db:
        keys = [row[0] for row in db.execute("SELECT key FROM items")]
    assert victim not in keys
    [item] = json.loads(out.read_text(encoding="utf-8"))["items"]
    assert item["key"] == victim + "\\x00attacker"
    assert item["status"] == "error" and "control characters" in item["error"]


# ---- one hostile item is one error item ----------------------------------------------------


def test_deep_brackets_are_one_error_item_each(tmp_path: Path) -> None:
    folder = tmp_path / "audited"
    folder.mkdir()
    (folder / "a-story.html").write_text(CLEAN_STORY, encoding="utf-8")
    (folder / "b-brackets.json").write_text("[" * 100_000, encoding="utf-8")
    good = json.dumps({"url": "https://x.example/a", "html": CLEAN_STORY})
    (folder / "c-lines.jsonl").write_text(f"{good}\n{'[' * 100_000}\n", encoding="utf-8")
    _result, report = audit_json(tmp_path, str(folder))
    found = {Path(k).name: v for k, v in items(report).items()}
    assert found["a-story.html"]["status"] != "error"
    assert found["b-brackets.json"]["status"] == "error"
    assert found["c-lines.jsonl#1"]["status"] != "error"
    assert found["c-lines.jsonl#2"]["status"] == "error"
    assert "nested too deep" in found["c-lines.jsonl#2"]["error"]


def test_deep_brackets_from_a_posts_endpoint_are_an_error_item(tmp_path: Path) -> None:
    with LoopbackServer() as server:
        body = b"[" * 100_000
        headers = {"X-WP-TotalPages": "1"}
        server.route("/wp-json/wp/v2/posts",
                     Reply(body=body, content_type="application/json", headers=headers))  # fmt: skip
        result, report = audit_json(tmp_path, server.url("/wp-json/wp/v2/posts"))
    assert result.code == 1
    [item] = report["items"]
    assert item["status"] == "error" and "recursion" in item["error"]


# ---- no traceback for any command-line input ------------------------------------------------


@pytest.fixture
def copy_file(tmp_path: Path) -> Path:
    path = tmp_path / "copy.html"
    path.write_text(CLEAN_STORY, encoding="utf-8")
    return path


def test_check_output_to_a_full_device(tmp_path: Path, copy_file: Path) -> None:
    result = run(tmp_path, "check", str(copy_file), "--offline", "--output", "/dev/full")
    one_line_error(result, 2)
    assert "cannot write /dev/full" in result.stderr


@pytest.mark.parametrize("option", ["--html", "--json", "--junit", "--write-baseline"])
def test_audit_output_in_a_missing_folder(tmp_path: Path, copy_file: Path, option: str) -> None:
    result = run(tmp_path, "audit", str(copy_file), "--offline", "--no-state", option,
                 str(tmp_path / "missing" / "dir" / "out"))  # fmt: skip
    one_line_error(result, 2)
    assert "no such directory" in result.stderr


@pytest.mark.parametrize("value", ["inf", "1e400", "nan", "-inf", "abc", "0"])
@pytest.mark.parametrize("option", ["--timeout", "--fetch-timeout"])
def test_audit_refuses_unusable_seconds(
    tmp_path: Path, copy_file: Path, option: str, value: str
) -> None:
    result = run(tmp_path, "audit", str(copy_file), "--offline", "--no-state", option, value)
    assert result.code == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "Invalid value for" in result.stderr


def test_deeply_nested_policy(tmp_path: Path, copy_file: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text("x = " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    result = run(tmp_path, "audit", str(copy_file), "--offline", "--no-state",
                 "--policy", str(policy))  # fmt: skip
    one_line_error(result, 2)
    assert "nested too deep" in result.stderr


def test_non_utf8_file_names_reach_every_report(tmp_path: Path) -> None:
    folder = tmp_path / "audited"
    folder.mkdir()
    name = os.fsdecode(b"caf\xe9-story.html")
    (folder / name).write_text(CLEAN_STORY, encoding="utf-8")
    html = tmp_path / "report.html"
    _result, report = audit_json(tmp_path, str(folder), extra=("--html", str(html)))
    [key] = items(report)
    assert key.endswith("caf\\xe9-story.html")
    assert "caf\\xe9-story.html" in html.read_text(encoding="utf-8")


def test_escape_sequences_never_reach_the_terminal(tmp_path: Path) -> None:
    urls = tmp_path / "list.urls"
    urls.write_text("http://127.0.0.1:9/\x1b]0;owned\x07\x1b[2J\n", encoding="utf-8")
    imported = run(tmp_path, "archive", "import", str(urls), "--offline",
                   "--archive", str(tmp_path / "a.sqlite"))  # fmt: skip
    assert "skipped" in imported.stderr
    assert "\x1b" not in imported.stderr and "\x07" not in imported.stderr
    fatal = run(tmp_path, "audit", str(tmp_path / "no\x1b[2Jsuch\x1b]0;x\x07"), "--offline",
                "--no-state")  # fmt: skip
    one_line_error(fatal, 3)
    assert "\x1b" not in fatal.stderr and "\x07" not in fatal.stderr


def test_url_lists_inside_content_are_not_trusted(tmp_path: Path) -> None:
    with LoopbackServer() as server:
        server.route("/internal", Reply(body=CLEAN_STORY.encode()))
        folder = tmp_path / "corpus"
        folder.mkdir()
        (folder / "more.urls").write_text(server.url("/internal") + "\n", encoding="utf-8")
        result = run(tmp_path, "archive", "import", str(folder),
                     "--archive", str(tmp_path / "a.sqlite"))  # fmt: skip
        assert server.hits("/internal") == 0
    assert result.code == 0, result.stderr
    assert "non-global address 127.0.0.1" in result.stderr
    assert "0 added" in result.stdout

"""`provenance audit` end to end: a real WordPress, a feed, case folders, resumable state,
a kill -9 part-way, JUnit and HTML outputs, baselines and the exit codes CI relies on.

Every run is the real console command in a subprocess, with XDG_DATA_HOME/XDG_CACHE_HOME
in a temporary directory, so nothing lands in $HOME. `--offline`: the posts' originals are
never fetched; the WordPress source itself is read over loopback.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from lxml import etree  # test-only: XSD validation
from servers import LoopbackServer, Reply, Request
from test_report_html import CHROMIUM, CHROMIUM_ARGS
from test_report_junit import JUNIT_XSD
from wordpress import POST_COUNT, WordPressSite, seed_posts, wordpress_site

from provenance.audit.state import AuditState

__all__ = ["wordpress_site"]  # the fixture, imported so pytest finds it in this module

RUN_TIMEOUT = 300.0  # a guard against hangs, not a timing assertion
# Two hash seeds that order the default policy's frozenset of verdicts differently: a
# rerun must find its stored results whatever the per-process string hash seed is.
FIRST_SEED, OTHER_SEED = "1", "3"
PERMISSIVE_POLICY = "[defaults]\nfail_verdicts = []\nrequire_credit = false\n"
PARAGRAPHS = (
    "Researchers at the university found that sunscreen blocks ultraviolet light by absorbing "
    "it in a thin layer on the skin, which then releases the energy as heat.",
    "The team tested twelve common products over three summers and found that most of them "
    "met the protection level printed on the bottle.",
    "Only two products fell short, and both were sprays that left gaps when applied outdoors "
    "in the wind, the researchers said.",
)


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str


class Env:
    """Where one test's audits keep their data, cache and outputs."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.vars = dict(
            os.environ,
            XDG_DATA_HOME=str(root / "data"),
            XDG_CACHE_HOME=str(root / "cache"),
            PYTHONHASHSEED=FIRST_SEED,
        )
        self.vars.pop("CI", None)

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "provenance.cli", "audit", *args]

    def run(self, *args: str, seed: str = FIRST_SEED) -> Run:
        done = subprocess.run(
            self.command(*args),
            env={**self.vars, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )
        return Run(done.returncode, done.stdout, done.stderr)

    def popen(self, *args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            self.command(*args),
            env=self.vars,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: the workers die with it
        )


@pytest.fixture
def env(tmp_path: Path) -> Env:
    return Env(tmp_path)


def _json(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _keys(report: Mapping[str, Any]) -> list[str]:
    return [item["key"] for item in report["items"]]


def _statuses(report: Mapping[str, Any]) -> dict[str, str]:
    return {Path(item["key"]).name: item["status"] for item in report["items"]}


def _post_links(site: WordPressSite) -> dict[int, str]:
    links: dict[int, str] = {}
    with httpx.Client(timeout=30.0) as client:
        for page in (1, 2, 3):
            response = client.get(site.posts_endpoint, params={"per_page": 100, "page": page})
            links |= {post["id"]: post["link"] for post in response.json()}
    return links


# ---- one full audit of the WordPress site, shared by the tests that only read it -------


@dataclass(frozen=True)
class FirstAudit:
    env: Env
    run: Run
    state: Path
    report: dict[str, Any]
    junit: Path
    html: Path


@pytest.fixture(scope="module")
def first_audit(
    wordpress_site: WordPressSite, tmp_path_factory: pytest.TempPathFactory
) -> FirstAudit:
    env = Env(tmp_path_factory.mktemp("first-audit"))
    out = env.root
    run = env.run(
        wordpress_site.base_url + "/",
        "--offline",
        "--state", str(out / "state.sqlite"),
        "--json", str(out / "audit.json"),
        "--junit", str(out / "audit.xml"),
        "--html", str(out / "audit.html"),
    )  # fmt: skip
    assert run.code in (0, 1), run.stderr
    return FirstAudit(
        env,
        run,
        out / "state.sqlite",
        _json(out / "audit.json"),
        out / "audit.xml",
        out / "audit.html",
    )


def test_base_url_discovers_the_api_and_sees_every_post(
    first_audit: FirstAudit, wordpress_site: WordPressSite
) -> None:
    report = first_audit.report
    assert report["audit"]["sources"] == [wordpress_site.base_url + "/"]
    assert (report["audit"]["checked"], report["audit"]["reused"]) == (POST_COUNT, 0)
    assert len(report["items"]) == POST_COUNT
    # 250 posts at most 100 a page: every post's link, so all three pages were read.
    assert sorted(_keys(report)) == sorted(_post_links(wordpress_site).values())
    assert all(item["report"]["copy"]["kind"] == "wordpress" for item in report["items"])
    assert report["audit"]["summary"]["items"] == POST_COUNT


def test_default_policy_fails_uncredited_copies_with_exit_code_1(first_audit: FirstAudit) -> None:
    assert first_audit.run.code == 1
    failing = [i for i in first_audit.report["items"] if i["status"] == "fail"]
    assert failing, "the fixture holds uncredited copies"
    assert all(i["failures"] for i in failing)
    assert any(f["rule"] == "credit" for i in failing for f in i["failures"])
    assert first_audit.report["audit"]["summary"]["status"]["fail"] == len(failing)


def test_junit_validates_with_a_testcase_per_post(first_audit: FirstAudit) -> None:
    text = first_audit.junit.read_bytes()
    schema = etree.XMLSchema(etree.fromstring(JUNIT_XSD))
    assert schema.validate(etree.fromstring(text)), schema.error_log
    root = ET.fromstring(text)
    failing = sum(i["status"] == "fail" for i in first_audit.report["items"])
    assert len(root.findall("./testsuite/testcase")) == POST_COUNT
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == (
        str(POST_COUNT), str(failing), "0"
    )  # fmt: skip


browser_only = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason="Debian chromium is not installed (apt-get install chromium); CI always runs these",
)


@pytest.mark.browser
@browser_only
def test_html_report_renders_in_chromium_without_errors(first_audit: FirstAudit) -> None:
    from playwright.sync_api import sync_playwright

    console: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(first_audit.html.as_uri())
            page.wait_for_load_state("load")
            rows = page.locator("#items tbody tr").count()
            summary = page.locator("#audit-summary").inner_text()
        finally:
            browser.close()
    assert (console, errors) == ([], [])
    assert rows == POST_COUNT
    assert summary.startswith(f"{POST_COUNT} items: ")


def test_rerun_reuses_everything_and_rechecks_only_a_changed_post(
    first_audit: FirstAudit, wordpress_site: WordPressSite
) -> None:
    env, out = first_audit.env, first_audit.env.root
    args = [wordpress_site.base_url + "/", "--offline", "--state", str(first_audit.state)]
    again = env.run(*args, "--json", str(out / "again.json"), seed=OTHER_SEED)
    assert again.code == first_audit.run.code, again.stderr
    report = _json(out / "again.json")
    assert (report["audit"]["checked"], report["audit"]["reused"]) == (0, POST_COUNT)
    assert all(item["reused"] for item in report["items"])
    assert _statuses(report) == _statuses(first_audit.report)

    index = len(wordpress_site.post_ids) - 1
    post_id = wordpress_site.post_ids[index]
    changed_key = _post_links(wordpress_site)[post_id]
    original = seed_posts()[index]
    try:
        wordpress_site.update_post(post_id, original["content"] + "<p>A paragraph added later.</p>")
        third = env.run(*args, "--json", str(out / "third.json"), seed=OTHER_SEED)
    finally:
        wordpress_site.update_post(post_id, original["content"])
    assert third.code in (0, 1), third.stderr
    report = _json(out / "third.json")
    assert (report["audit"]["checked"], report["audit"]["reused"]) == (1, POST_COUNT - 1)
    assert [i["key"] for i in report["items"] if not i["reused"]] == [changed_key]


# ---- a slow server: pages of more than 20 posts time out ----------------------------------

SLOW_PAGE_SECONDS = 6.0  # how long the proxy stalls a big page: past --fetch-timeout
SMALL_PAGE = 20


def _slow_proxy(server: LoopbackServer, site: WordPressSite, client: httpx.Client) -> None:
    """Route the site's pages through `server`, stalling any page of more than SMALL_PAGE
    posts (as a loaded WordPress does) and pointing every site URL at the proxy."""
    ours, theirs = server.url("").rstrip("/"), site.base_url

    def forward(request: Request) -> Reply:
        query = dict(parse_qsl(urlsplit(request.path).query))
        if int(query.get("per_page", "10")) > SMALL_PAGE:
            server.stopping.wait(SLOW_PAGE_SECONDS)
        answer = client.get(theirs + request.path)
        headers = {
            name: answer.headers[name].replace(theirs, ours)
            for name in ("link", "x-wp-total", "x-wp-totalpages")
            if name in answer.headers
        }
        return Reply(
            status=answer.status_code,
            body=answer.content.replace(theirs.encode(), ours.encode()),
            headers=headers,
            content_type=answer.headers.get("content-type"),
        )

    for path in ("/", "/robots.txt", "/wp-json/", "/wp-json/wp/v2/posts"):
        server.route(path, forward)


def test_a_slow_site_is_read_in_smaller_pages(env: Env, wordpress_site: WordPressSite) -> None:
    """Pages of 100 time out: the audit retries, halves per_page until pages answer, and
    checks every post (it used to give up on the whole site with exit 3)."""
    out = env.root / "slow.json"
    with LoopbackServer() as proxy, httpx.Client(timeout=60.0) as client:
        _slow_proxy(proxy, wordpress_site, client)
        run = env.run(proxy.url("/"), "--offline", "--no-state", "--fetch-timeout", "2",
                      "--json", str(out))  # fmt: skip
        sizes = {
            int(dict(parse_qsl(urlsplit(r.path).query)).get("per_page", "0"))
            for r in proxy.requests
            if r.path.startswith("/wp-json/wp/v2/posts")
        }
    assert run.code in (0, 1), run.stderr[-1000:]
    report = _json(out)
    keys = _keys(report)
    assert len(keys) == len(set(keys)) == POST_COUNT
    assert all(item["status"] != "error" for item in report["items"]), run.stderr[-1000:]
    assert max(sizes) == 100 and min(sizes) <= SMALL_PAGE


# ---- feed, kill -9, exit codes against the site ------------------------------------------


def test_feed_audit_sees_what_the_feed_holds(env: Env, wordpress_site: WordPressSite) -> None:
    run = env.run(
        wordpress_site.base_url + "/feed/",
        "--offline",
        "--no-state",
        "--json",
        str(env.root / "feed.json"),
    )
    assert run.code in (0, 1), run.stderr
    report = _json(env.root / "feed.json")
    assert len(report["items"]) == 10 and report["audit"]["checked"] == 10
    newest = set(list(_post_links(wordpress_site).values())[:10])
    assert set(_keys(report)) == newest
    assert {i["report"]["copy"]["kind"] for i in report["items"]} == {"rss"}


def test_permissive_policy_passes_everything_with_exit_code_0(
    env: Env, wordpress_site: WordPressSite
) -> None:
    policy = env.root / "policy.toml"
    policy.write_text(PERMISSIVE_POLICY, encoding="utf-8")
    out = env.root / "feed.json"
    feed = wordpress_site.base_url + "/feed/"
    run = env.run(feed, "--offline", "--no-state", "--policy", str(policy), "--json", str(out))
    assert run.code == 0, run.stderr
    assert {i["status"] for i in _json(out)["items"]} == {"pass"}
    strict = env.run(feed, "--offline", "--no-state", "--json", str(out))
    assert strict.code == 1, "the default policy fails some of these items"


def _state_rows(path: Path) -> int:
    """Rows in the state file, or -1 while it (or its table) does not exist yet."""
    if not path.exists():
        return -1
    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=5.0)
        try:
            return int(db.execute("SELECT COUNT(*) FROM items").fetchone()[0])
        finally:
            db.close()
    except sqlite3.OperationalError:
        return -1


def _kill_after_rows(proc: subprocess.Popen[bytes], state: Path, rows: int) -> int:
    """SIGKILL the audit's process group once the state holds `rows` results."""
    deadline = time.monotonic() + RUN_TIMEOUT
    while _state_rows(state) < rows:
        assert proc.poll() is None, f"the audit ended (exit {proc.returncode}) before the kill"
        assert time.monotonic() < deadline, "the audit stored nothing in time"
        time.sleep(0.002)  # poll interval
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=RUN_TIMEOUT)
    return proc.returncode


@pytest.fixture
def killed(wordpress_site: WordPressSite) -> Iterator[list[subprocess.Popen[bytes]]]:
    procs: list[subprocess.Popen[bytes]] = []
    yield procs
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_kill_9_part_way_then_rerun_ends_with_each_result_once(
    env: Env, wordpress_site: WordPressSite, killed: list[subprocess.Popen[bytes]]
) -> None:
    state = env.root / "state.sqlite"
    args = [wordpress_site.base_url + "/", "--offline", "--state", str(state), "--workers", "2"]
    proc = env.popen(*args)
    killed.append(proc)
    assert _kill_after_rows(proc, state, 20) == -signal.SIGKILL
    stored = _state_rows(state)
    assert 20 <= stored < POST_COUNT, "killed part-way"

    rerun = env.run(*args, "--json", str(env.root / "rerun.json"), seed=OTHER_SEED)
    assert rerun.code in (0, 1), rerun.stderr
    report = _json(env.root / "rerun.json")
    keys = _keys(report)
    assert len(keys) == len(set(keys)) == POST_COUNT
    assert report["audit"]["reused"] == stored
    assert report["audit"]["checked"] == POST_COUNT - stored
    with AuditState(state) as audit_state:
        assert audit_state.integrity() == "ok"
        assert audit_state.count() == POST_COUNT
    db = sqlite3.connect(state)
    try:
        assert db.execute("SELECT COUNT(DISTINCT key) FROM items").fetchone()[0] == POST_COUNT
        assert {row[0] for row in db.execute("SELECT key FROM items")} == set(keys)
    finally:
        db.close()


def _free_loopback_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_source_exits_3(env: Env) -> None:
    url = f"http://127.0.0.1:{_free_loopback_port()}/"
    run = env.run(url, "--offline", "--no-state")
    assert run.code == 3
    assert run.stderr.startswith("Error: the audit could not run: ")
    assert len(run.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ('[defaults]\nfail_verdicts = ["bogus"]\n', "invalid policy"),
        ("[defaults\n", "invalid TOML"),
        (
            '[defaults]\nrequire_credit = "no"\n',
            "invalid policy (require_credit must be true or false",
        ),
    ],
)
def test_bad_policy_file_exits_2_naming_the_file(env: Env, policy: str, message: str) -> None:
    path = env.root / "bad-policy.toml"
    path.write_text(policy, encoding="utf-8")
    run = env.run(str(env.root), "--offline", "--no-state", "--policy", str(path))
    assert run.code == 2
    assert run.stderr.startswith(f"Error: {path}: {message}")
    assert len(run.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "option",
    [
        ["--fail-on", "fatal"],
        ["--workers", "0"],
        ["--timeout", "0"],
        ["--baseline", "missing.json"],
    ],
)
def test_bad_option_exits_2(env: Env, option: list[str]) -> None:
    run = env.run(str(env.root), "--offline", "--no-state", *option)
    assert run.code == 2
    assert "Error: Invalid value for" in run.stderr


def test_bad_baseline_file_exits_2(env: Env) -> None:
    path = env.root / "baseline.json"
    path.write_text('{"accepted": 3}', encoding="utf-8")
    run = env.run(str(env.root), "--offline", "--no-state", "--baseline", str(path))
    assert run.code == 2
    assert run.stderr.startswith(f"Error: {path}: invalid baseline")


# ---- directory sources: cases, bad items, timeouts, baselines, --fail-on ----------------


def _page(paragraphs: tuple[str, ...], extra: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        "<html><head><title>How sunscreen works</title></head><body><article>"
        f"<h1>How sunscreen works</h1>{body}{extra}</article></body></html>"
    )


def _case(root: Path, name: str, *, credited: bool) -> Path:
    """A case folder: an HTML copy of a Reuters story, credited or not, and the original."""
    folder = root / name
    folder.mkdir(parents=True)
    credit = "<p>This article originally appeared on Reuters.</p>" if credited else ""
    (folder / "copy.html").write_text(_page(PARAGRAPHS, credit), encoding="utf-8")
    original = "https://www.reuters.com/science/how-sunscreen-works/\n# NOTE: the original\n\n"
    original += "How sunscreen works\n\n" + "\n\n".join(PARAGRAPHS) + "\n"
    (folder / "original.txt").write_text(original, encoding="utf-8")
    case = {"slug": name, "copy": "copy.html", "original": "original.txt"}
    (folder / "case.json").write_text(json.dumps(case), encoding="utf-8")
    return folder


def test_case_folders_audit_offline(env: Env) -> None:
    cases = env.root / "cases"
    _case(cases, "credited", credited=True)
    _case(cases, "uncredited", credited=False)
    run = env.run(str(cases), "--offline", "--no-state", "--json", "-")
    assert run.code == 1
    report = json.loads(run.stdout)
    assert _statuses(report) == {"credited": "pass", "uncredited": "fail"}
    items = {Path(i["key"]).name: i for i in report["items"]}
    assert items["uncredited"]["failures"] == [
        {"rule": "credit", "severity": "error", "message": "credit uncredited"}
    ]
    assert items["credited"]["report"]["original"]["found_by"] == "user"
    assert items["credited"]["report"]["verdict"] == "faithful"


def _needs_absent_shared(folder: Path) -> bool:
    """A `requires_shared` case whose ../shared file is not beside this repository."""
    case = json.loads((folder / "case.json").read_text(encoding="utf-8"))
    names = [case.get(k) for k in ("copy", "original")]
    shared = [n for n in names if isinstance(n, str) and n.startswith("../shared/")]
    root = folder.parent.parent
    return bool(case.get("requires_shared")) and not all((root / n).is_file() for n in shared)


def test_repository_cases_audit_offline(env: Env) -> None:
    cases = Path(__file__).resolve().parents[1] / "cases"
    run = env.run(str(cases), "--offline", "--no-state", "--json", "-")
    assert run.code == 1, run.stderr
    report = json.loads(run.stdout)
    expected = {str(p) for p in cases.iterdir() if (p / "case.json").is_file()}
    # the truth set is documented in docs/cases.md, so every entry of cases/ is a case
    assert {i["key"].split("#")[0] for i in report["items"]} == expected
    # only cases whose text lives in ../shared may fail to read, and only without it
    errors = {i["key"]: i["error"] for i in report["items"] if i["status"] == "error"}
    assert set(errors) == {k for k in expected if _needs_absent_shared(Path(k))}
    assert all("this case needs ../shared beside the repository" in e for e in errors.values())


def _shared_case(repo: Path, original: str) -> Path:
    """A case of `repo`/cases whose original is named in ../shared (see docs/cases.md)."""
    folder = repo / "cases" / "needs-shared"
    folder.mkdir(parents=True)
    credit = "<p>This article originally appeared on Reuters.</p>"
    (folder / "copy.html").write_text(_page(PARAGRAPHS, credit), encoding="utf-8")
    case = {"slug": "needs-shared", "copy": "copy.html", "original": original}
    case["requires_shared"] = True
    (folder / "case.json").write_text(json.dumps(case), encoding="utf-8")
    return folder


def test_a_case_reads_its_original_from_shared_beside_the_repository(env: Env) -> None:
    repo = env.root / "repo"
    _shared_case(repo, "../shared/real/original.txt")
    shared = env.root / "shared" / "real"
    shared.mkdir(parents=True)
    original = "https://www.reuters.com/science/how-sunscreen-works/\n# NOTE: the original\n\n"
    original += "How sunscreen works\n\n" + "\n\n".join(PARAGRAPHS) + "\n"
    (shared / "original.txt").write_text(original, encoding="utf-8")
    run = env.run(str(repo / "cases"), "--offline", "--no-state", "--json", "-")
    [item] = json.loads(run.stdout)["items"]
    assert (item["status"], item["report"]["original"]["found_by"]) == ("pass", "user"), item
    assert item["report"]["verdict"] == "faithful"


def test_a_case_whose_shared_original_is_absent_is_an_item_error(env: Env) -> None:
    repo = env.root / "repo"
    _shared_case(repo, "../shared/real/original.txt")
    _case(repo / "cases", "local", credited=True)
    run = env.run(str(repo / "cases"), "--offline", "--no-state", "--json", "-")
    assert run.code == 1
    items = {Path(i["key"]).name: i for i in json.loads(run.stdout)["items"]}
    assert items["local"]["status"] == "pass"
    assert items["needs-shared"]["status"] == "error"
    assert items["needs-shared"]["error"] == (
        "original ../shared/real/original.txt is not here: "
        "this case needs ../shared beside the repository"
    )
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize(
    "name", ["../shared/../secret.txt", "../shared/real/../../secret.txt", "../sharedx/a.txt"]
)
def test_a_shared_name_cannot_leave_shared(env: Env, name: str) -> None:
    repo = env.root / "repo"
    _shared_case(repo, name)
    (env.root / "secret.txt").write_text("Secret\n\nNot for the audit.\n", encoding="utf-8")
    (env.root / "sharedx").mkdir()
    (env.root / "sharedx" / "a.txt").write_text("Secret\n\nNot for the audit.\n", encoding="utf-8")
    run = env.run(str(repo / "cases"), "--offline", "--no-state", "--json", "-")
    [item] = json.loads(run.stdout)["items"]
    assert item["status"] == "error", item
    assert "secret" not in json.dumps(item.get("report")).lower()


def test_bad_item_is_recorded_with_its_reason_and_the_audit_goes_on(env: Env) -> None:
    source = env.root / "items"
    _case(source, "good", credited=True)
    (source / "dangling.html").symlink_to(source / "nowhere.html")
    os.mkfifo(source / "pipe.html")  # opening it would block for ever
    (source / "broken-case").mkdir()
    (source / "broken-case" / "case.json").write_text("{not json", encoding="utf-8")
    run = env.run(str(source), "--offline", "--no-state", "--json", "-", "--timeout", "30")
    assert run.code == 1
    items = {Path(i["key"]).name: i for i in json.loads(run.stdout)["items"]}
    assert items["good"]["status"] == "pass"
    assert items["dangling.html"]["error"] == "cannot read: No such file or directory"
    assert items["pipe.html"]["error"] == "cannot read: not a regular file (a FIFO)"
    assert items["broken-case"]["error"].startswith("unreadable case: ")
    assert {items[k]["status"] for k in ("dangling.html", "pipe.html", "broken-case")} == {"error"}
    assert run.stderr == ""  # not a terminal: no progress lines; the errors are in the report


def _big_case(root: Path) -> None:
    """A copy and original of 3,000 paragraphs: seconds of work, far past a 0.5 s budget."""
    words = ["the", "council", "voted", "on", "a", "plan", "to", "expand", "bus", "service"]
    paragraphs = [
        " ".join(words[(i * 7 + j) % len(words)] for j in range(60)) + f" {i}." for i in range(3000)
    ]
    folder = root / "big"
    folder.mkdir(parents=True)
    (folder / "original.txt").write_text(
        "Big story\n\n" + "\n\n".join(paragraphs), encoding="utf-8"
    )
    (folder / "copy.txt").write_text(
        "Big story\n\n" + "\n\n".join(paragraphs[::-1]), encoding="utf-8"
    )
    case = {"slug": "big", "copy": "copy.txt", "original": "original.txt"}
    (folder / "case.json").write_text(json.dumps(case), encoding="utf-8")


def test_item_past_the_timeout_is_recorded_and_the_audit_goes_on(env: Env) -> None:
    source = env.root / "items"
    _big_case(source)
    _case(source, "small", credited=True)
    state = env.root / "state.sqlite"
    args = [str(source), "--offline", "--state", str(state), "--timeout", "0.5", "--workers", "1"]
    run = env.run(*args, "--json", "-")
    assert run.code == 1
    items = {Path(i["key"]).name: i for i in json.loads(run.stdout)["items"]}
    assert items["big"]["status"] == "error"
    assert items["big"]["error"] == "timed out after 0.5 s"
    assert items["small"]["status"] == "pass"
    # A timed-out item is not remembered: the next run tries it again.
    again = json.loads(env.run(*args, "--json", "-").stdout)
    assert (again["audit"]["checked"], again["audit"]["reused"]) == (1, 1)


def test_baseline_accepts_todays_failures_and_fails_only_new_ones(env: Env) -> None:
    cases = env.root / "cases"
    for name in ("old-a", "old-b"):
        _case(cases, name, credited=False)
    _case(cases, "fine", credited=True)
    baseline = env.root / "baseline.json"
    state = ["--state", str(env.root / "state.sqlite")]
    first = env.run(str(cases), "--offline", *state, "--write-baseline", str(baseline))
    assert first.code == 1
    assert _json(baseline) == {
        "accepted": {str(cases / "old-a"): ["credit"], str(cases / "old-b"): ["credit"]}
    }
    accepted = env.run(str(cases), "--offline", *state, "--baseline", str(baseline), "--json", "-")
    assert accepted.code == 0, accepted.stdout
    assert set(_statuses(json.loads(accepted.stdout)).values()) == {"pass"}

    _case(cases, "new", credited=False)
    later = env.run(str(cases), "--offline", *state, "--baseline", str(baseline), "--json", "-")
    assert later.code == 1
    report = json.loads(later.stdout)
    assert _statuses(report) == {"new": "fail", "old-a": "pass", "old-b": "pass", "fine": "pass"}
    assert (report["audit"]["checked"], report["audit"]["reused"]) == (1, 3)


def test_fail_on_sets_the_lowest_failing_severity(env: Env) -> None:
    cases = env.root / "cases"
    _case(cases, "uncredited", credited=False)
    policy = env.root / "policy.toml"
    policy.write_text('[severity]\ncredit = "warning"\n', encoding="utf-8")
    common = [str(cases), "--offline", "--no-state", "--policy", str(policy), "--json", "-"]
    on_error = env.run(*common)
    assert on_error.code == 0
    [item] = json.loads(on_error.stdout)["items"]
    assert item["status"] == "pass"
    assert {
        "rule": "credit",
        "severity": "warning",
        "message": "credit uncredited",
        "passed": False,
    } in item["rules"]
    on_warning = env.run(*common, "--fail-on", "warning")
    assert on_warning.code == 1
    [item] = json.loads(on_warning.stdout)["items"]
    assert [f["rule"] for f in item["failures"]] == ["credit"]
    assert env.run(*common, "--fail-on", "info").code == 1


# ---- docs/ci.md cannot drift from the command -------------------------------------------


def test_ci_doc_uses_only_real_audit_options() -> None:
    import re

    from provenance.cli import audit

    doc = (Path(__file__).resolve().parents[1] / "docs" / "ci.md").read_text(encoding="utf-8")
    commands = re.findall(r"provenance audit (?:[^\n]*\\\n)*[^\n]*", doc)
    assert len(commands) >= 3
    known = {opt for param in audit.params for opt in param.opts}
    used = {opt for command in commands for opt in re.findall(r"(?<!\S)--[a-z-]+", command)}
    assert used and used <= known, used - known
    for code in ("0", "1", "2", "3"):
        assert f"\n| {code} | " in doc

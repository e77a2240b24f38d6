"""A real WordPress on 127.0.0.1 for tests: Debian's `wordpress`, MariaDB and `php -S`.

Everything lives in one temporary directory: a MariaDB data directory served on a Unix
socket only (`--skip-networking`), a site directory that borrows WordPress's code from
/usr/share/wordpress with its own `wp-config.php`, `wp-content` (a minimal theme) and
`router.php`, and the logs. `.ci/install-wordpress.sh` installs the packages.

Posts: the seed post and the text of every real page bundled in cases/real-*/ (the
repository's own material, so the fixture runs the same with or without ../shared), cycled
with distinct titles, dates and slugs until there are POST_COUNT of them (newest last).

Use the session fixture `wordpress_site` (`from wordpress import wordpress_site` in the
test module: tests/ is on sys.path under both `pytest` and `python -m pytest`), or
`start_wordpress()` / `stop_wordpress()` for a private site. `site.update_post(id, html)`
changes a post through WordPress itself, for "changed item" tests.
"""

from __future__ import annotations

import html
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from shared_dir import SEED

WORDPRESS_DIR = Path("/usr/share/wordpress")
REPO = Path(__file__).resolve().parents[1]
POST_COUNT = 250
FIRST_DATE = datetime(2025, 1, 1, 8, 0, 0)
STARTUP_TIMEOUT = 60.0
_TOOLS = ("php", "mariadbd", "mariadb-install-db")

_WP_CONFIG = """<?php
define('DB_NAME', 'wordpress');
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', 'localhost:' . {socket});
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
define('WP_HOME', {url});
define('WP_SITEURL', {url});
define('WP_CONTENT_DIR', __DIR__ . '/wp-content');
define('WP_CONTENT_URL', {url} . '/wp-content');
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('WP_DEBUG', false);
foreach (['AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT',
          'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT'] as $k) {{
    define($k, 'provenance-test-fixture-' . $k);
}}
$table_prefix = 'wp_';
if (!defined('ABSPATH')) {{
    define('ABSPATH', __DIR__ . '/');
}}
require_once ABSPATH . 'wp-settings.php';
"""

# php -S has no rewrite rules: send every request that is not an existing file to WordPress.
_ROUTER = """<?php
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if ($path !== '/' && is_file(__DIR__ . $path)) {
    return false;
}
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = __DIR__ . '/index.php';
require __DIR__ . '/index.php';
"""

_THEME_CSS = "/*\nTheme Name: Provenance Fixture\nVersion: 1.0\n*/\n"
_THEME_INDEX = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><?php wp_head(); ?></head><body>
<?php if (is_singular()) : the_post(); ?>
<article><h1><?php the_title(); ?></h1><?php the_content(); ?></article>
<?php else : while (have_posts()) : the_post(); ?>
<article><h2><a href="<?php the_permalink(); ?>"><?php the_title(); ?></a></h2></article>
<?php endwhile; endif; ?>
<?php wp_footer(); ?></body></html>
"""

_INSTALL_PHP = """<?php
$sock = $argv[1];
$posts = json_decode(file_get_contents($argv[2]), true);
$db = new mysqli('localhost', 'root', '', '', 0, $sock);
$db->query('CREATE DATABASE IF NOT EXISTS wordpress CHARACTER SET utf8mb4');
$db->close();
define('WP_INSTALLING', true);
function wp_new_blog_notification() {}
require __DIR__ . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
wp_install('Provenance Fixture', 'admin', 'admin@example.invalid', true, '', 'admin');
update_option('template', 'fixture');
update_option('stylesheet', 'fixture');
update_option('permalink_structure', '/%year%/%monthnum%/%postname%/');
flush_rewrite_rules(false);
wp_delete_post(1, true);  // "Hello world!": the site holds only the fixture's posts
kses_remove_filters();    // keep the seed's CMS markup as the content farm posted it
wp_defer_term_counting(true);
remove_action('publish_post', '_publish_post_hook', 5);
$ids = [];
foreach ($posts as $p) {
    $id = wp_insert_post(wp_slash([
        'post_title' => $p['title'], 'post_content' => $p['content'],
        'post_name' => $p['slug'], 'post_date' => $p['date'], 'post_date_gmt' => $p['date'],
        'post_status' => 'publish', 'post_author' => 1,
        'meta_input' => ['provenance_fixture_source' => $p['source']],
    ]), true);
    if (is_wp_error($id)) { fwrite(STDERR, $id->get_error_message()); exit(1); }
    $ids[] = $id;
}
wp_defer_term_counting(false);
echo json_encode($ids);
"""

_UPDATE_PHP = """<?php
require __DIR__ . '/wp-load.php';
kses_remove_filters();
$change = json_decode(file_get_contents('php://stdin'), true);
$r = wp_update_post(wp_slash($change), true);
if (is_wp_error($r)) { fwrite(STDERR, $r->get_error_message()); exit(1); }
echo $r;
"""


@dataclass
class WordPressSite:
    """A running WordPress. `post_ids[i]` holds `post_sources[i]`; newest post last."""

    base_url: str
    root: Path
    site_dir: Path
    socket: Path
    post_ids: tuple[int, ...]
    post_sources: tuple[str, ...]
    startup_seconds: float
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list, repr=False)

    @property
    def post_count(self) -> int:
        return len(self.post_ids)

    @property
    def posts_endpoint(self) -> str:
        return f"{self.base_url}/wp-json/wp/v2/posts"

    def update_post(self, post_id: int, content: str, title: str | None = None) -> None:
        """Change a post's content (and title) through WordPress itself (wp_update_post)."""
        change: dict[str, object] = {"ID": post_id, "post_content": content}
        if title is not None:
            change["post_title"] = title
        self.run_php(_UPDATE_PHP, stdin=json.dumps(change))

    def run_php(self, script: str, *args: str, stdin: str = "") -> str:
        """Run a PHP script from the site directory (so `__DIR__ . '/wp-load.php'` works)."""
        path = self.site_dir / "_fixture_script.php"
        path.write_text(script, encoding="utf-8")
        try:
            return _run(["php", str(path), *args], stdin=stdin)
        finally:
            path.unlink()


def update_post(site: WordPressSite, post_id: int, content: str, title: str | None = None) -> None:
    """Module-level spelling of `WordPressSite.update_post`."""
    site.update_post(post_id, content, title)


def wordpress_missing() -> str | None:
    """Return why the fixture cannot run here (a missing package), or None."""
    missing = [tool for tool in _TOOLS if shutil.which(tool) is None]
    if not (WORDPRESS_DIR / "wp-settings.php").is_file():
        missing.append("wordpress")
    if missing:
        return "missing " + ", ".join(missing) + " (run .ci/install-wordpress.sh)"
    return None


def start_wordpress(root: Path | None = None) -> WordPressSite:
    """Set up and start a WordPress with POST_COUNT posts; stop it with `stop_wordpress`."""
    started = time.monotonic()
    root = root or Path(tempfile.mkdtemp(prefix="wp-"))
    processes: list[subprocess.Popen[bytes]] = []
    try:
        sock = root / "mysql.sock"
        processes.append(_start_mariadb(root / "db", sock, root / "mariadb.log"))
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        site = _make_site_dir(root / "site", sock, base_url)
        posts = seed_posts()
        (root / "posts.json").write_text(json.dumps(posts), encoding="utf-8")
        ids = _install(site, sock, root / "posts.json")
        processes.append(_start_php_server(site, port, root / "php.log"))
    except BaseException:
        _stop(processes)
        shutil.rmtree(root, ignore_errors=True)
        raise
    return WordPressSite(
        base_url=base_url,
        root=root,
        site_dir=site,
        socket=sock,
        post_ids=tuple(ids),
        post_sources=tuple(str(p["source"]) for p in posts),
        startup_seconds=time.monotonic() - started,
        processes=processes,
    )


def stop_wordpress(site: WordPressSite) -> None:
    """Stop the servers this site started and delete its directory."""
    _stop(site.processes)
    shutil.rmtree(site.root, ignore_errors=True)


_shared: list[WordPressSite] = []  # the one site every module's fixture hands out
_users: list[int] = [0]


@pytest.fixture(scope="session")
def wordpress_site() -> Iterator[WordPressSite]:
    """A running WordPress with POST_COUNT posts; skipped outside CI when packages are missing.

    Each test module that imports this fixture gets its own session-scoped copy of it, so
    the site itself is shared here and stopped when the last of them is torn down.
    """
    reason = wordpress_missing()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"WordPress fixture: {reason}")
        pytest.skip(f"WordPress fixture: {reason}")
    if not _shared:
        _shared.append(start_wordpress())
    _users[0] += 1
    try:
        yield _shared[0]
    finally:
        _users[0] -= 1
        if _users[0] == 0:
            stop_wordpress(_shared.pop())


# --- posts -------------------------------------------------------------------------------


def seed_posts(count: int = POST_COUNT) -> list[dict[str, str]]:
    """The posts the fixture creates: dicts with title, content, slug, date, source."""
    bases = [_seed_base(), *(_text_base(p) for p in _real_texts())]
    posts = []
    for i in range(count):
        title, content, source = bases[i % len(bases)]
        round_ = i // len(bases)
        suffix = f" ({round_ + 1})" if round_ else ""
        posts.append(
            {
                "title": title + suffix,
                "content": content,
                "slug": f"fixture-post-{i + 1:03d}",
                "date": (FIRST_DATE + timedelta(hours=6 * i)).strftime("%Y-%m-%d %H:%M:%S"),
                "source": source,
            }
        )
    return posts


def _real_texts() -> list[Path]:
    """The bundled real text files, each file name once (some cases share an original)."""
    by_name: dict[str, Path] = {}
    for path in sorted((REPO / "cases").glob("real-*/*.txt")):
        by_name.setdefault(path.name, path)
    return sorted(by_name.values(), key=lambda p: p.name)


def _seed_base() -> tuple[str, str, str]:
    post = json.loads(SEED.read_text(encoding="utf-8"))
    title = html.unescape(post["title"]["rendered"])
    return title, post["content"]["rendered"], SEED.relative_to(REPO).as_posix()


def _text_base(path: Path) -> tuple[str, str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    body = "\n".join(line for line in lines if not line.startswith("# NOTE"))
    paragraphs = [" ".join(p.split()) for p in body.split("\n\n") if p.strip()]
    content = "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)
    title = paragraphs[0][:90] if paragraphs else path.stem
    return f"{title} [{path.stem}]", content, path.relative_to(REPO).as_posix()


# --- processes -----------------------------------------------------------------------------


def _run(cmd: list[str], *, stdin: str = "", cwd: Path | None = None) -> str:
    done = subprocess.run(
        cmd, input=stdin.encode(), capture_output=True, cwd=cwd, timeout=STARTUP_TIMEOUT
    )
    if done.returncode != 0:
        err = (done.stderr or done.stdout).decode(errors="replace")[-2000:]
        raise RuntimeError(f"{cmd[0]} failed ({done.returncode}): {err}")
    return done.stdout.decode()


def _start_mariadb(datadir: Path, sock: Path, log: Path) -> subprocess.Popen[bytes]:
    _run(
        [
            "mariadb-install-db",
            "--no-defaults",
            f"--datadir={datadir}",
            "--user=root",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
            "--skip-name-resolve",
        ]
    )
    proc = _spawn(
        [
            "mariadbd",
            "--no-defaults",
            f"--datadir={datadir}",
            f"--socket={sock}",
            f"--pid-file={datadir / 'mariadbd.pid'}",
            "--skip-networking",
            "--user=root",
            "--skip-log-bin",
            "--innodb-flush-log-at-trx-commit=0",
            "--innodb-buffer-pool-size=64M",
        ],
        log,
    )
    _wait_until(lambda: _mariadb_ready(sock), proc, log, "MariaDB")
    return proc


def _spawn(cmd: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            cmd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )


def _mariadb_ready(sock: Path) -> bool:
    """True once the server sends its handshake on the socket."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(2.0)
            conn.connect(str(sock))
            return len(conn.recv(4)) == 4
    except OSError:
        return False


def _make_site_dir(site: Path, sock: Path, base_url: str) -> Path:
    """Top-level PHP files are copied so their __DIR__ is the site; the rest is symlinked."""
    site.mkdir(parents=True)
    for entry in WORDPRESS_DIR.iterdir():
        if entry.name in {"wp-config.php", "wp-content", ".htaccess"}:
            continue
        if entry.is_dir():
            (site / entry.name).symlink_to(entry)
        else:
            shutil.copy2(entry, site / entry.name)
    theme = site / "wp-content" / "themes" / "fixture"
    theme.mkdir(parents=True)
    (site / "wp-content" / "plugins").mkdir()
    (theme / "style.css").write_text(_THEME_CSS, encoding="utf-8")
    (theme / "index.php").write_text(_THEME_INDEX, encoding="utf-8")
    config = _WP_CONFIG.format(socket=_php_str(str(sock)), url=_php_str(base_url))
    (site / "wp-config.php").write_text(config, encoding="utf-8")
    (site / "router.php").write_text(_ROUTER, encoding="utf-8")
    return site


def _php_str(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _install(site: Path, sock: Path, posts_json: Path) -> list[int]:
    script = site / "_fixture_install.php"
    script.write_text(_INSTALL_PHP, encoding="utf-8")
    try:
        out = _run(["php", str(script), str(sock), str(posts_json)], cwd=site)
    finally:
        script.unlink()
    ids = json.loads(out[out.rindex("[") :])
    return [int(i) for i in ids]


def _start_php_server(site: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PHP_CLI_SERVER_WORKERS="4")
    cmd = ["php", "-S", f"127.0.0.1:{port}", "-t", str(site), str(site / "router.php")]
    proc = _spawn(cmd, log, env)
    _wait_until(lambda: _http_ready(port), proc, log, "php -S")
    return proc


def _http_ready(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5.0)
        try:
            conn.request("GET", "/wp-json/")
            return conn.getresponse().status == 200
        finally:
            conn.close()
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until(
    ready: Callable[[], bool], proc: subprocess.Popen[bytes], log: Path, what: str
) -> None:
    """Poll `ready()` until it holds; fail at once if the process dies, or at the deadline."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not ready():
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}: {_tail(log)}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} not ready after {STARTUP_TIMEOUT:.0f}s: {_tail(log)}")
        time.sleep(0.05)  # polling interval, not a wait for a guessed duration


def _tail(log: Path) -> str:
    try:
        return log.read_text(errors="replace")[-1500:]
    except OSError:
        return "(no log)"


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """Stop in reverse start order; each process leads its own group (php -S workers)."""
    for proc in reversed(processes):
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
    processes.clear()

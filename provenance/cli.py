"""The `provenance` command: click parsing only; the library does the work.

Library errors become one-line messages; the exit codes (the README's table, checked by
tests/test_cli.py) are:

    0  done: a report written, an import finished, every audited item passes
    1  audit only: at least one item fails the policy
    2  bad input or options: an unreadable or unparsable file, a missing --archive, a bad
       policy (InputError, SettingsError; click's usage errors are 2 as well)
    3  nothing could be checked, or the audit could not run: the copy, the original or a
       source cannot be fetched, the archive cannot be opened (FetchError, ArchiveError)

Each command imports the stages it uses when it runs, so `provenance --help` starts
without loading them (and their libraries: httpx, trafilatura, lxml, numpy, rich).
"""

from __future__ import annotations

import json
import math
import shutil
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import click

from .errors import InputError, Interrupted, ProvenanceError, SettingsError
from .settings import (
    DEFAULT_ARCHIVE,
    DEFAULT_AUDIT_WORKERS,
    DEFAULT_ITEM_TIMEOUT,
    DEFAULT_MIN_SHARED,
    DEFAULT_STATE,
    SCAN_ENGINES,
    Settings,
)

if TYPE_CHECKING:
    from .archive import Archive
    from .audit import AuditResult
    from .fetch import Fetcher

EXIT_POLICY_FAILURES = 1
EXIT_BAD_INPUT = 2
EXIT_CANNOT_RUN = 3


def safe_line(text: object) -> str:
    """`text` without escape sequences or control characters (content may hold them)."""
    from .report import safe_line as clean

    return clean(text)


class OneLine(click.ClickException):
    """A one-line error whose text, which may quote content, is stripped of escape
    sequences and control characters before it reaches the terminal."""

    def __init__(self, message: str) -> None:
        super().__init__(safe_line(message))


class BadInput(OneLine):
    """A one-line error with exit code 2 (bad input, bad options)."""

    exit_code = EXIT_BAD_INPUT


class CannotRun(OneLine):
    """A one-line error with exit code 3 (nothing could be checked or imported)."""

    exit_code = EXIT_CANNOT_RUN


if TYPE_CHECKING:  # ParamType is generic in click's newer releases only
    _FloatType = click.ParamType[float]
else:
    _FloatType = click.ParamType


class Seconds(_FloatType):
    """A finite number of seconds within [low, high]: `inf`, `1e400` and `nan` are refused."""

    name = "seconds"

    def __init__(self, low: float, high: float) -> None:
        self.low, self.high = low, high

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not math.isfinite(number) or not self.low <= number <= self.high:
            self.fail(
                f"{value!r} is not between {self.low:g} and {self.high:g} seconds", param, ctx
            )
        return number


def _fail(exc: ProvenanceError) -> click.ClickException:
    if isinstance(exc, InputError | SettingsError):
        return BadInput(str(exc))
    return CannotRun(str(exc))


def _require_archive(archive: Path | None) -> None:
    """A --archive that names no file is a bad option (exit 2), named as typed."""
    if archive is not None and str(archive) != "-" and not archive.is_file():
        raise BadInput(f"--archive {archive}: no such archive file")


def _settings(offline: bool, archive: Path | None, fetch_timeout: float | None = None) -> Settings:
    settings = Settings(offline=offline, archive_path=archive or DEFAULT_ARCHIVE)
    if fetch_timeout is None:
        return settings
    total = max(settings.total_timeout, 3 * fetch_timeout)
    return replace(settings, read_timeout=fetch_timeout, total_timeout=total)


def _terminal_width() -> int | None:
    """The terminal's width (60-200 columns) when stdout is one; None for a file or a pipe:
    lines are then not folded (URLs stay whole) and the bytes are the same every time."""
    if not sys.stdout.isatty():
        return None
    return min(max(shutil.get_terminal_size().columns, 60), 200)


def _write(text: str, output: Path | None) -> None:
    """Print `text`, or write it to `output`; raises BadInput when it cannot be written."""
    if output is None or str(output) == "-":
        click.echo(text, nl=not text.endswith("\n"))
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"cannot write {output}: {exc.strerror or exc}") from exc


def _check_writable(*outputs: Path | None) -> None:
    """Refuse, before any work, an output whose folder does not exist."""
    for path in outputs:
        if path is not None and str(path) != "-" and not path.parent.is_dir():
            raise BadInput(f"cannot write {path}: no such directory {path.parent}")


@contextmanager
def _stop_on_signals() -> Iterator[None]:
    """SIGTERM and SIGINT raise Interrupted in the main process while the block runs."""

    def stop(signum: int, _frame: FrameType | None) -> None:
        raise Interrupted(signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _write_pieces(pieces: Iterator[str], output: Path) -> None:
    """Write a report that comes in pieces (an audit's items) as they come."""
    if str(output) == "-":
        last = "\n"
        for piece in pieces:
            click.echo(piece, nl=False)
            last = piece[-1:] or last
        if last != "\n":
            click.echo("")
        return
    with output.open("w", encoding="utf-8") as stream:
        stream.writelines(pieces)


def _is_url(source: str | None) -> bool:
    return source is not None and source.startswith(("http://", "https://"))


@contextmanager
def _resources(
    settings: Settings, *, archive_given: bool, copy: str, original: str | None
) -> Iterator[tuple[Fetcher | None, Archive | None]]:
    """The fetcher and the archive, each only when the check can use it.

    The fetcher reads a URL the user typed (even --offline) and, with no --original, looks
    for the original online; the archive (when it exists) is searched only with no
    --original. Neither is created otherwise, nor are their libraries imported.
    """
    with ExitStack() as stack:
        fetcher = None
        if _is_url(copy) or _is_url(original) or (original is None and not settings.offline):
            from .fetch import Fetcher

            fetcher = stack.enter_context(Fetcher(settings))
        archive = None
        if original is None and (archive_given or settings.archive_path.exists()):
            from .archive import Archive

            archive = stack.enter_context(
                Archive.open(settings.archive_path, create=False, settings=settings)
            )
        yield fetcher, archive


archive_option = click.option(
    "--archive",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="SQLite archive of originals [default: $XDG_DATA_HOME/provenance/archive.sqlite, "
    "else ~/.local/share/provenance/archive.sqlite].",
)
offline_option = click.option(
    "--offline", is_flag=True, help="Never fetch an original over the network."
)
fetch_timeout_option = click.option(
    "--fetch-timeout",
    type=Seconds(0.1, 3600),
    default=None,
    help="Seconds to wait for a server's next bytes [default: 10]; a fetch may take at most"
    " 30 s or three times this, whichever is longer.",
)
output_path = click.Path(dir_okay=False, path_type=Path, allow_dash=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="provenance")
def cli() -> None:
    """Where did a republished article come from, and how faithfully was it copied?

    Example: provenance check post.json --format json
    """


@cli.command()
@click.argument("copy")
@click.option("--original", help="The original: a file, a URL or - for stdin.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
    show_default=True, help="Report format.",
)  # fmt: skip
@click.option("--output", type=output_path, help="Write the report to this file.")
@offline_option
@archive_option
@fetch_timeout_option
@click.option(
    "--color/--no-color", default=None, help="Colour the text report [default: on a terminal]."
)
def check(
    copy: str,
    original: str | None,
    fmt: str,
    output: Path | None,
    offline: bool,
    archive: Path | None,
    fetch_timeout: float | None,
    color: bool | None,
) -> None:
    """Check one COPY (a file, a URL or - for stdin): evidence, original, alignment, verdict.

    Without --original the original is looked for: links in the copy, the archive,
    the origin site's sitemaps and feeds, the Wayback Machine. A post of a list that
    cannot be read is named on stderr, the others are checked, and the exit code is 2.
    Exit code: 0 report written, 2 bad input or options, 3 nothing could be checked
    (the copy or the original cannot be fetched, the archive cannot be opened).

    Example: provenance check post.json --original original.html --format json
    """
    from . import pipeline
    from .report import render_report

    _require_archive(archive)
    settings = _settings(offline, archive, fetch_timeout)
    _check_writable(output)
    unreadable: list[InputError] = []
    try:
        resources = _resources(
            settings, archive_given=archive is not None, copy=copy, original=original
        )
        with resources as (fetcher, store):
            reports = pipeline.check_source(
                copy,
                original=original,
                settings=settings,
                fetcher=fetcher,
                archive=store,
                on_error=unreadable.append,
            )
    except ProvenanceError as exc:
        raise _fail(exc) from exc
    use_color = sys.stdout.isatty() and output is None if color is None else color
    subject = reports[0] if len(reports) + len(unreadable) == 1 else reports
    width = _terminal_width() if output is None else None
    _write(render_report(subject, fmt, color=use_color, width=width), output)
    for error in unreadable:
        click.echo(f"Error: {safe_line(error)}", err=True)
    if unreadable:
        sys.exit(EXIT_BAD_INPUT)


@cli.group()
def archive() -> None:
    """The local archive of originals (SQLite).

    Example: provenance archive import originals/ --archive originals.sqlite
    """


@archive.command(name="import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@archive_option
@offline_option
@click.option(
    "--workers",
    type=click.IntRange(0, 64),
    default=None,
    help="Processes that hash and sketch documents while one writes"
    " [default: one per CPU, at most 4; 0: none].",
)
def archive_import(
    paths: tuple[Path, ...], archive: Path | None, offline: bool, workers: int | None
) -> None:
    """Import originals: directories of HTML, text, WordPress JSON or RSS files, WARC files,
    or files of URLs to fetch (one per line). Idempotent; a changed page becomes a new version.

    Example: provenance archive import corpus/ crawl.warc.gz --archive originals.sqlite
    """
    from .archive import Archive
    from .fetch import Fetcher

    settings = _settings(offline, archive)
    try:
        with (
            Fetcher(settings) as fetcher,
            Archive.open(settings.archive_path, settings=settings) as store,
        ):
            fetch = None if offline else _url_fetch(fetcher)
            result = store.import_paths(list(paths), settings, fetch=fetch, workers=workers)
    except ProvenanceError as exc:
        raise _fail(exc) from exc
    for where, reason in result.errors:
        click.echo(f"skipped {safe_line(where)}: {safe_line(reason)}", err=True)
    repeated = f"{result.duplicates} repeated in this import, " if result.duplicates else ""
    click.echo(
        f"{result.added} added, {result.updated} updated, {result.unchanged} unchanged, "
        f"{repeated}{len(result.errors)} skipped ({settings.archive_path})"
    )


def _url_fetch(fetcher: Fetcher) -> Callable[[str], tuple[bytes, str | None]]:
    """Fetch the URLs listed in imported files: content, not the user's word, so never
    trusted (the SSRF guard refuses internal addresses)."""

    def fetch(url: str) -> tuple[bytes, str | None]:
        page = fetcher.fetch_page(url, trusted=False)
        return page.body, page.content_type

    return fetch


@archive.command(name="stats")
@archive_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def archive_stats(archive: Path | None, as_json: bool) -> None:
    """Show what the archive holds.

    Example: provenance archive stats --archive originals.sqlite
    """
    from .archive import Archive

    _require_archive(archive)
    settings = _settings(True, archive)
    try:
        with Archive.open(settings.archive_path, create=False, settings=settings) as store:
            stats = store.stats()
    except ProvenanceError as exc:
        raise _fail(exc) from exc
    data = {
        "path": str(stats.path),
        "documents": stats.documents,
        "versions": stats.versions,
        "paragraphs": stats.paragraphs,
        "size_bytes": stats.size_bytes,
    }
    if as_json:
        click.echo(json.dumps(data, indent=2))
    else:
        click.echo("\n".join(f"{k}: {v}" for k, v in data.items()))


@archive.command(name="search")
@click.argument("copy")
@archive_option
@click.option(
    "--limit", default=5, show_default=True, type=click.IntRange(1, 100), help="Most candidates."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def archive_search(copy: str, archive: Path | None, limit: int, as_json: bool) -> None:
    """Rank the archived originals that COPY shares text with (verified, best first); with
    none, those in another language that share its names and numbers (a translation's).

    Example: provenance archive search post.json --archive originals.sqlite
    """
    from . import pipeline
    from .archive import Archive

    _require_archive(archive)
    settings = _settings(True, archive)
    try:
        docs = pipeline.read_documents(copy, settings=settings)
        with Archive.open(settings.archive_path, create=False, settings=settings) as store:
            found = [(i, c) for i, doc in enumerate(docs) for c in store.search(doc, limit=limit)]
    except ProvenanceError as exc:
        raise _fail(exc) from exc
    rows = [
        {
            "item": i,
            "url": c.url,
            "title": c.title,
            "score": round(c.score, 3),
            "matched_by": c.matched_by,
            "version": c.version,
            "versions": c.versions,
        }
        for i, c in found
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif not rows:
        click.echo("no candidate above the threshold")
    else:
        for row in rows:
            by = "  (anchors of a translation)" if row["matched_by"] == "anchors" else ""
            click.echo(f"{row['score']:.3f}  {row['url'] or '-'}  {row['title'] or ''}{by}")


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@offline_option
@archive_option
@click.option(
    "--state", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="State file for incremental, resumable runs [default: $XDG_DATA_HOME/provenance/"
    "audit-state.sqlite, else ~/.local/share/provenance/audit-state.sqlite].",
)  # fmt: skip
@click.option("--no-state", is_flag=True, help="Check every item; remember nothing.")
@click.option(
    "--policy",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Policy TOML file.",
)
@click.option("--baseline", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Accept the failures listed in this baseline file.")  # fmt: skip
@click.option(
    "--write-baseline", type=output_path, help="Write a baseline accepting today's failures."
)
@click.option(
    "--fail-on", type=click.Choice(["error", "warning", "info"]), default="error",
    show_default=True, help="Lowest severity of a failed rule that fails an item.",
)  # fmt: skip
@click.option("--workers", type=click.IntRange(1, 64), default=DEFAULT_AUDIT_WORKERS,
              show_default=True, help="Worker processes.")  # fmt: skip
@click.option("--timeout", type=Seconds(0.1, 86_400), default=DEFAULT_ITEM_TIMEOUT,
              show_default=True, help="Seconds one item may take.")  # fmt: skip
@fetch_timeout_option
@click.option(
    "--json", "json_out", type=output_path, help="Write the JSON report here (- for stdout)."
)
@click.option("--jsonl", "jsonl_out", type=output_path, help="Write JSON Lines here.")
@click.option("--markdown", "markdown_out", type=output_path, help="Write a Markdown summary here.")
@click.option("--junit", "junit_out", type=output_path, help="Write JUnit XML here.")
@click.option("--html", "html_out", type=output_path, help="Write the HTML report here.")
@click.option("--color/--no-color", default=None, help="Colour the terminal summary.")
def audit(
    sources: tuple[str, ...],
    offline: bool,
    archive: Path | None,
    state: Path | None,
    no_state: bool,
    policy: Path | None,
    baseline: Path | None,
    write_baseline: Path | None,
    fail_on: str,
    workers: int,
    timeout: float,
    fetch_timeout: float | None,
    json_out: Path | None,
    jsonl_out: Path | None,
    markdown_out: Path | None,
    junit_out: Path | None,
    html_out: Path | None,
    color: bool | None,
) -> None:
    """Audit every item of SOURCES against a policy, for people and for CI.

    A SOURCE is a WordPress site or its /wp-json/wp/v2/posts endpoint, an RSS/Atom feed,
    a sitemap, a file, a directory (a folder of cases/ pairs each copy with its original)
    or a JSON Lines file. Exit code: 0 all pass, 1 policy failures, 2 bad options,
    3 the audit could not run.

    Example: provenance audit https://example.com/ --junit audit.xml --html audit.html
    """
    from . import audit as audit_mod
    from .audit.policy import load_policy
    from .models import Severity
    from .report import progress_printer, render_audit

    # No _require_archive here: an audit takes a --archive that does not exist yet as
    # an empty archive (each worker opens it when it is there).
    settings = _settings(offline, archive, fetch_timeout)
    _check_writable(json_out, jsonl_out, markdown_out, junit_out, html_out, write_baseline)
    try:
        options = audit_mod.AuditOptions(
            policy=load_policy(policy),
            state_path=None if no_state else (state or DEFAULT_STATE),
            fail_on=Severity(fail_on),
            workers=workers,
            item_timeout=timeout,
            baseline=audit_mod.load_baseline(baseline) if baseline else {},
        )
    except ProvenanceError as exc:
        raise _fail(exc) from exc
    progress = progress_printer(sys.stderr, is_terminal=sys.stderr.isatty())
    try:
        with _stop_on_signals():  # the audit makes its fetcher when a source needs one
            result = audit_mod.run_audit(
                list(sources), settings=settings, options=options, progress=progress
            )
    except Interrupted as exc:
        progress.close()
        name = signal.Signals(exc.signum).name
        kept = f"; results so far are in {options.state_path}" if options.state_path else ""
        click.echo(f"Error: audit stopped by {name} {safe_line(exc.where)}{kept}", err=True)
        sys.exit(128 + exc.signum)
    except SettingsError as exc:
        raise BadInput(str(exc)) from exc
    except ProvenanceError as exc:
        raise CannotRun(f"the audit could not run: {exc}") from exc
    try:
        _audit_outputs(
            result, json_out, jsonl_out, markdown_out, junit_out, html_out, write_baseline
        )
    except ProvenanceError as exc:  # a stored report that cannot be read, for one
        raise CannotRun(f"the audit could not write its reports: {exc}") from exc
    use_color = sys.stdout.isatty() if color is None else color
    if "-" not in {str(p) for p in (json_out, jsonl_out, markdown_out, junit_out, html_out) if p}:
        _write(render_audit(result, "text", color=use_color, width=_terminal_width()), None)
    sys.exit(EXIT_POLICY_FAILURES if result.failed else 0)


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "--archive", type=click.Path(dir_okay=False, path_type=Path), required=True,
    help="SQLite archive of originals to look for (opened read-only).",
)  # fmt: skip
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), required=True,
    help="Folder for findings.jsonl, findings.parquet, errors.jsonl, summary.json/.md.",
)  # fmt: skip
@click.option("--engine", type=click.Choice(SCAN_ENGINES), default="local", show_default=True,
              help="local: worker processes here; spark: Apache Spark (pip install "
              "'provenance[spark]' and a Java 17 runtime).")  # fmt: skip
@click.option("--master", help="Spark master URL [default: local[*]] (--engine spark).")
@click.option("--workers", type=click.IntRange(1, 256), default=None,
              help="Worker processes of --engine local [default: one per CPU].")  # fmt: skip
@click.option("--timeout", type=Seconds(0.1, 86_400), default=DEFAULT_ITEM_TIMEOUT,
              show_default=True, help="Seconds one record may take.")  # fmt: skip
@click.option("--min-shared", type=click.IntRange(1), default=DEFAULT_MIN_SHARED,
              show_default=True,
              help="Word 5-shingles a page must share with the archive to be checked.")  # fmt: skip
def scan(
    sources: tuple[str, ...],
    archive: Path,
    out: Path,
    engine: str,
    master: str | None,
    workers: int | None,
    timeout: float,
    min_shared: int,
) -> None:
    """Scan WARC files for copies of the archive's originals: who republishes us?

    A SOURCE is a WARC or WARC.gz file, a folder of them, a text file listing paths or
    URLs, or (with --engine spark) a URL Spark reads (s3a://, hdfs://). Every HTML
    response is checked like `provenance check --offline --archive`; pages sharing no text
    with any original are dropped first. Bad records are listed in errors.jsonl.

    Example: provenance scan crawl/ --archive originals.sqlite --out scan-out/
    """
    _require_archive(archive)
    from . import scan as scan_mod
    from .report import progress_line

    options = scan_mod.ScanOptions(
        archive=archive, out=out, engine=engine, master=master, item_timeout=timeout,
        min_shared=min_shared, **({"workers": workers} if workers else {}),
    )  # fmt: skip
    progress = progress_line(sys.stderr, is_terminal=sys.stderr.isatty())
    try:
        result = scan_mod.run_scan(
            list(sources), options=options, settings=_settings(True, archive), progress=progress
        )
    except ProvenanceError as exc:
        raise _fail(exc) from exc
    counts = result.counts
    click.echo(
        f"{len(result.files)} files, {counts['records']} records: {counts['skipped']} not HTML,"
        f" {counts['dropped']} dropped by the prefilter, {counts['checked']} checked,"
        f" {counts['copies']} with copies ({result.summary['totals']['findings']} findings),"
        f" {counts['errors']} errors ({out})"
    )


def _audit_outputs(result: AuditResult, *outputs: Path | None) -> None:
    from .audit import baseline_of
    from .report import iter_audit

    json_out, jsonl_out, markdown_out, junit_out, html_out, write_baseline = outputs
    for fmt, path in (("json", json_out), ("jsonl", jsonl_out), ("markdown", markdown_out),
                      ("junit", junit_out), ("html", html_out)):  # fmt: skip
        if path is not None:
            _write_pieces(iter_audit(result, fmt), path)
    if write_baseline is not None:
        _write(json.dumps(baseline_of(result), indent=2) + "\n", write_baseline)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="provenance")


if __name__ == "__main__":
    main()

"""`provenance scan` over WARC files built from cases/: copies mixed with unrelated pages
and broken records, scanned by both engines, which must write the same bytes."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from warcs import Crawl, build_crawl

from provenance.cli import cli
from provenance.scan import ScanOptions, ScanResult, run_scan
from provenance.settings import Settings

SETTINGS = Settings(offline=True, cache_dir=None)
OUTPUTS = ("findings.jsonl", "errors.jsonl", "summary.json", "summary.md", "findings.parquet")


def _spark_missing() -> str | None:
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install 'provenance[spark]')"
    if shutil.which("java") is None:
        return "no Java runtime (apt-get install openjdk-17-jre-headless)"
    return None


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    return build_crawl(tmp_path_factory.mktemp("crawl"))


def _scan(crawl: Crawl, out: Path, sources: list[str] | None = None, **options: Any) -> ScanResult:
    names = sources or [str(p) for p in crawl.warcs]
    return run_scan(
        names, options=ScanOptions(archive=crawl.archive, out=out, **options), settings=SETTINGS
    )


@pytest.fixture(scope="module")
def local_run(crawl: Crawl, tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    return _scan(crawl, tmp_path_factory.mktemp("local"), workers=2)


def _findings(out: Path) -> dict[str, dict[str, Any]]:
    lines = (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()
    return {json.loads(line)["copy"]["url"]: json.loads(line) for line in lines}


def test_every_copy_that_keeps_text_is_found_with_its_original(
    crawl: Crawl, local_run: ScanResult
) -> None:
    found = _findings(local_run.out)
    wrong = {
        url: (found[url]["original"]["url"] if url in found else None, original)
        for url, original in crawl.derived.items()
        if url not in found or found[url]["original"]["url"] != original
    }
    assert len(crawl.derived) >= 30
    assert wrong == {}


def test_paraphrases_found_are_found_with_their_original(
    crawl: Crawl, local_run: ScanResult
) -> None:
    found = _findings(local_run.out)
    hits = {url: found[url]["original"]["url"] for url in crawl.paraphrases if url in found}
    assert hits, "no paraphrase found at all"
    assert hits == {url: crawl.paraphrases[url] for url in hits}


def test_no_finding_for_unrelated_pages(crawl: Crawl, local_run: ScanResult) -> None:
    found = _findings(local_run.out)
    assert sorted(crawl.unrelated & set(found)) == []
    # The generated pages share no text with any original: the prefilter drops them.
    assert local_run.counts["dropped"] >= 30


def test_broken_records_are_listed_and_the_scan_goes_on(
    crawl: Crawl, local_run: ScanResult
) -> None:
    errors = [
        json.loads(line)
        for line in (local_run.out / "errors.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    by_url = {e["url"]: e["reason"] for e in errors if e["url"]}
    assert set(by_url) == crawl.broken
    assert "broken HTTP header" in by_url["https://broken.example/bad-http-header"]
    assert "truncated record" in by_url["https://broken.example/cut-body"]
    assert "larger than" in by_url["https://broken.example/gzip-bomb"]
    assert "attributes" in by_url["https://broken.example/many-attributes"]
    [cut] = [e for e in errors if e["url"] is None]
    assert cut["file"].endswith("crawl-1.warc.gz") and "Gzip" in cut["reason"]
    counts = local_run.counts
    assert counts["errors"] == len(errors)
    # Every response record but the cut gzip member is read and counted once: not HTML
    # (the image and the 404), dropped by the prefilter, checked, or an error.
    assert counts["records"] == crawl.records
    assert counts["skipped"] == 2
    assert counts["dropped"] + counts["checked"] + len(by_url) == counts["records"] - 2


def test_rows_are_sorted_and_flattened_in_parquet(local_run: ScanResult) -> None:
    lines = (local_run.out / "findings.jsonl").read_text(encoding="utf-8").splitlines()
    keys = [(json.loads(x)["copy"]["url"], json.loads(x)["warc"]["offset"]) for x in lines]
    assert keys == sorted(keys)
    table = pq.read_table(local_run.out / "findings.parquet").to_pylist()
    assert [row["copy_url"] for row in table] == [url for url, _ in keys]
    first = json.loads(lines[0])
    row = table[0]
    assert row["original_url"] == first["original"]["url"]
    assert (row["verdict"], row["credit"]) == (first["verdict"], first["credit"])
    assert row["coverage"] == first["scores"]["coverage"]
    assert row["findings"] == [f["code"] for f in first["findings"]]
    assert row["warc_offset"] == first["warc"]["offset"]
    summary = json.loads((local_run.out / "summary.json").read_text(encoding="utf-8"))
    assert summary["totals"]["findings"] == len(lines)
    assert sum(d["copies"] for d in summary["domains"]) == len(lines)
    assert (
        "| americandividends.com | 1 | faithful 1 | credited 1 |"
        in (local_run.out / "summary.md").read_text()
    )


def test_one_worker_and_another_file_order_write_the_same_bytes(
    crawl: Crawl, local_run: ScanResult, tmp_path: Path
) -> None:
    listing = tmp_path / "warcs.txt"
    listing.write_text("# reversed\n" + "\n".join(str(p) for p in reversed(crawl.warcs)) + "\n")
    other = _scan(crawl, tmp_path / "out", [str(listing)], workers=1)
    for name in OUTPUTS:
        assert (other.out / name).read_bytes() == (local_run.out / name).read_bytes(), name


@pytest.fixture(scope="session")
def spark_session() -> Any:
    reason = _spark_missing()
    if reason:
        pytest.skip(reason)
    from provenance.scan.spark import start_session

    session = start_session("local[2]")
    yield session
    session.stop()


def test_spark_engine_writes_the_same_bytes(
    crawl: Crawl, local_run: ScanResult, spark_session: Any, tmp_path: Path
) -> None:
    result = run_scan(
        [str(p) for p in crawl.warcs],
        options=ScanOptions(archive=crawl.archive, out=tmp_path, engine="spark"),
        settings=SETTINGS,
        spark_session=spark_session,
    )
    assert result.counts == local_run.counts
    for name in OUTPUTS:
        assert (tmp_path / name).read_bytes() == (local_run.out / name).read_bytes(), name


def test_spark_reads_urls_through_its_filesystem_layer(
    crawl: Crawl, spark_session: Any, tmp_path: Path
) -> None:
    path = crawl.warcs[0]
    local = _scan(crawl, tmp_path / "local", [str(path)], workers=1)
    url = path.resolve().as_uri()
    remote = run_scan(
        [url],
        options=ScanOptions(archive=crawl.archive, out=tmp_path / "spark", engine="spark"),
        settings=SETTINGS,
        spark_session=spark_session,
    )
    assert remote.counts == local.counts
    # The same findings, naming the file as it was given.
    expected = (local.out / "findings.jsonl").read_text().replace(str(path), url)
    assert local.counts["copies"] > 0
    assert (remote.out / "findings.jsonl").read_text() == expected


def test_cli_scan_prints_the_counts(crawl: Crawl, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["scan", str(crawl.warcs[0]), "--archive", str(crawl.archive), "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    counts = json.loads((tmp_path / "summary.json").read_text())["totals"]
    assert result.stdout == (
        f"1 files, {counts['records']} records: {counts['skipped']} not HTML,"
        f" {counts['dropped']} dropped by the prefilter, {counts['checked']} checked,"
        f" {counts['copies']} with copies ({counts['findings']} findings),"
        f" {counts['errors']} errors ({tmp_path})\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["s3a://bucket/crawl.warc.gz"], "URLs are read by --engine spark only"),
        (["missing.warc.gz"], "missing.warc.gz: no such file or folder"),
        (["--engine", "local", "{archive}"], "neither a WARC file nor a list of them"),
    ],
)
def test_cli_scan_bad_sources_are_one_line_errors(
    crawl: Crawl, tmp_path: Path, args: list[str], message: str
) -> None:
    args = [a.replace("{archive}", str(crawl.archive)) for a in args]
    result = CliRunner().invoke(
        cli, ["scan", *args, "--archive", str(crawl.archive), "--out", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_scan_without_an_archive_is_exit_2(crawl: Crawl, tmp_path: Path) -> None:
    missing = tmp_path / "none.sqlite"
    result = CliRunner().invoke(
        cli, ["scan", str(crawl.warcs[0]), "--archive", str(missing), "--out", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert result.stderr == f"Error: --archive {missing}: no such archive file\n"


def test_cli_scan_with_an_archive_that_cannot_be_opened_is_exit_3(
    crawl: Crawl, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.sqlite"
    broken.write_bytes(b"this is not a SQLite database" * 100)
    result = CliRunner().invoke(
        cli, ["scan", str(crawl.warcs[0]), "--archive", str(broken), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 3, result.output
    assert result.stderr.startswith("Error: ") and len(result.stderr.splitlines()) == 1


def test_check_and_audit_read_a_warc_record_by_record(crawl: Crawl, tmp_path: Path) -> None:
    """Issue 12: `check copy.warc.gz` and `audit` read WARC files like any other source."""
    warc = str(crawl.warcs[2])  # holds the broken records too
    check = CliRunner().invoke(
        cli, ["check", warc, "--offline", "--archive", str(crawl.archive), "--format", "json"]
    )
    assert check.exit_code == 2  # some records cannot be read: named on stderr
    reports = json.loads(check.stdout)
    assert len(reports) > 10
    assert {r["copy"]["source"].split("@")[0] for r in reports} == {warc}
    assert "broken HTTP header" in check.stderr and "unknown format" not in check.stderr
    audit = CliRunner().invoke(
        cli,
        ["audit", warc, "--offline", "--no-state", "--archive", str(crawl.archive),
         "--json", str(tmp_path / "audit.json"), "--workers", "1"],
    )  # fmt: skip
    assert audit.exit_code in (0, 1), audit.output
    data = json.loads((tmp_path / "audit.json").read_text())
    keys = [item["key"] for item in data["items"]]
    assert all(key.startswith(f"{warc}@") for key in keys)
    errors = {item["key"]: item.get("error") for item in data["items"] if item.get("error")}
    assert any("broken HTTP header" in e for e in errors.values())

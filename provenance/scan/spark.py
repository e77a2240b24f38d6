"""The Spark engine: the only pyspark import.

Each WARC file is one Spark task (a gzip WARC cannot be split), which reads it record by
record inside the executor and runs `scan_record` on each, in one forked worker process
under the per-record time budget (`record.scan_file`). The archive (a consistent snapshot)
and the prefilter are shipped with `SparkContext.addFile`; each executor opens its copy
read-only (SQLite `immutable=1`, the filter memory-mapped). Local paths are opened by the
executors themselves (on a cluster they must be on storage every node mounts); URLs
(s3a://, hdfs://, file://) are read through Spark's filesystem layer (`binaryFiles`, which
hands a task the whole file: an executor needs memory for its largest WARC file).
"""

from __future__ import annotations

import io
import os
import shutil
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit

from pyspark import SparkFiles
from pyspark.sql import SparkSession

from ..errors import ScanError
from .inputs import is_url
from .record import Outcome, ScanContext, scan_file, with_paths

DEFAULT_MASTER = "local[*]"
_POLL_SECONDS = 0.5

Progress = Callable[[Counter[str], int, int], None]


def run_spark(
    files: Sequence[str],
    ctx: ScanContext,
    *,
    master: str | None,
    progress: Progress,
    session: Any = None,
) -> list[Outcome]:
    """Every copy, error and file outcome of `files`, computed on Spark (`session`, or a
    new one on `master`, default local[*], stopped at the end).

    Raises ScanError when Java is missing or the Spark job fails.
    """
    own = session is None
    spark = session if session is not None else start_session(master or DEFAULT_MASTER)
    try:
        return _run(spark.sparkContext, files, ctx, progress)
    finally:
        if own:
            spark.stop()


def start_session(master: str) -> Any:
    """A SparkSession on `master` for scans. Raises ScanError when Java is missing or
    Spark cannot start."""
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise ScanError(
            "--engine spark needs a Java 17 runtime"
            " (Debian: apt-get install openjdk-17-jre-headless)"
        )
    # Local mode runs Python workers with this interpreter, where provenance is installed.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.master(master)
        .appName("provenance scan")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
    )
    if master.startswith("local"):  # everything stays on the loopback interface
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = builder.config("spark.driver.host", "127.0.0.1").config(
            "spark.driver.bindAddress", "127.0.0.1"
        )
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # pyspark raises several kinds; all mean "cannot start"
        raise ScanError(f"cannot start Spark on {master}: {_first_line(exc)}") from exc
    session.sparkContext.setLogLevel("ERROR")
    return session


def _run(sc: Any, files: Sequence[str], ctx: ScanContext, progress: Progress) -> list[Outcome]:
    sc.addFile(ctx.archive)
    sc.addFile(ctx.filter)
    records, copies, done = sc.accumulator(0), sc.accumulator(0), sc.accumulator(0)
    accumulators = (records, copies, done)
    paths = [f for f in files if not is_url(f)]
    urls = [f for f in files if is_url(f)]
    parts = []
    if paths:
        rdd = sc.parallelize(paths, len(paths))
        parts.append(rdd.mapPartitions(lambda names: _scan_paths(names, ctx, accumulators)))
    if urls:
        rdd = sc.binaryFiles(",".join(urls), minPartitions=len(urls))
        names = {_key(u): u for u in urls}
        parts.append(rdd.mapPartitions(lambda kv: _scan_bytes(kv, names, ctx, accumulators)))
    job = parts[0] if len(parts) == 1 else sc.union(parts)
    result: list[Outcome] = []
    failure: list[BaseException] = []

    def collect() -> None:
        try:
            result.extend(job.collect())
        except BaseException as exc:  # re-raised below, in the caller's thread
            failure.append(exc)

    worker = threading.Thread(target=collect, name="provenance-scan-collect", daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(_POLL_SECONDS)
        live = Counter({"records_done": records.value, "copies": copies.value})
        progress(live, done.value, len(files))
    if failure:
        raise ScanError(f"the Spark job failed: {_first_line(failure[0])}") from failure[0]
    return result


def _executor_ctx(ctx: ScanContext) -> ScanContext:
    archive = SparkFiles.get(os.path.basename(ctx.archive))
    return with_paths(ctx, archive, SparkFiles.get(os.path.basename(ctx.filter)))


def _scan_paths(names: Iterable[str], ctx: ScanContext, acc: tuple[Any, ...]) -> Iterator[Outcome]:
    local = _executor_ctx(ctx)
    for name in names:
        yield from _counted(scan_file(name, local, workers=1), acc)


def _scan_bytes(
    pairs: Iterable[tuple[str, bytes]], names: dict[tuple[str, str], str], ctx: ScanContext,
    acc: tuple[Any, ...],
) -> Iterator[Outcome]:  # fmt: skip
    local = _executor_ctx(ctx)
    for key, data in pairs:
        name = names.get(_key(key), key)
        stream = io.BytesIO(data)
        yield from _counted(scan_file(name, local, workers=1, stream=stream), acc)


def _counted(outcomes: Iterator[Outcome], acc: tuple[Any, ...]) -> Iterator[Outcome]:
    records, copies, done = acc
    for outcome in outcomes:
        if outcome.kind == "file":
            records.add(outcome.counts.get("records", 0))
            copies.add(outcome.counts.get("copies", 0))
            done.add(1)
        yield outcome


def _key(url: str) -> tuple[str, str]:
    """A file URL as Spark may spell it back (file:/x for file:///x)."""
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc + "/" + parts.path.lstrip("/")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return " ".join(text[0].split())[:300] if text else type(exc).__name__

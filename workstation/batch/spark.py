"""The Spark engine: the same per-sample function under PySpark ``mapInPandas``, writing the same part rows.

Only this module imports PySpark (optional extra ``.[spark]``; Java 17+). The tasks (one row per sample: the
manifest's paths, or a joint VCF's genotype lists transposed by :mod:`workstation.batch.joint`) become a Spark
DataFrame; each partition's rows go through :func:`workstation.batch.tasks.process_task` on an executor and come
back as ``(sample_id, tbl, row_json, attempt)`` rows, written by Spark as Parquet under
``RESULTS/parts/spark-NNNN/``. The driver then writes the result tables from the parts exactly as the local engine
does (:func:`workstation.batch.output.finalize`), so both engines give byte-identical tables.

On a cluster the executors must see the VCF paths (shared file system, or paths the executors can open) and have
this package installed (a wheel, ``--py-files``, or a conda/venv archive): see docs/BATCH_SPARK.md.
"""
from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Callable

import pandas as pd

from workstation.batch import output
from workstation.batch.tasks import Task, process_task

TASK_SCHEMA = ("sample_id string, kind string, input string, vcf_sample string, outside_calls string, sex string, "
               "gts array<string>, pss array<string>, problem string")
PART_SCHEMA = "sample_id string, tbl string, row_json string, attempt int"


class SparkUnavailable(Exception):
    pass


def unavailable_reason() -> str | None:
    """Why Spark cannot run here (no pyspark, no java), or None."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "PySpark is not installed (pip install -c constraints.txt -e \".[spark]\")"
    import os

    java = shutil.which("java") or (os.environ.get("JAVA_HOME") and
                                    shutil.which("java", path=str(Path(os.environ["JAVA_HOME"]) / "bin")))
    if not java:
        return "no Java runtime was found (PySpark 4 needs Java 17+; Debian: openjdk-17-jre-headless)"
    return None


def pyspark_version() -> str:
    import pyspark

    return pyspark.__version__


def _partition_fn(records: pd.DataFrame | None, attempt: int):
    def run(batches):
        for pdf in batches:
            rows = []
            for t in pdf.to_dict("records"):
                for k, v in t.items():      # Arrow -> pandas gives NaN for a null string, arrays for lists
                    if k in ("gts", "pss"):
                        t[k] = None if v is None else [None if x is None else str(x) for x in v]
                    elif not isinstance(v, str):
                        t[k] = None
                rows.extend(process_task(Task(**t), records))
            out = pd.DataFrame(rows, columns=["sample_id", "tbl", "row_json"])
            out["attempt"] = pd.Series([attempt] * len(out), dtype="int32")
            yield out
    return run


def _watch(spark, total: int, on_chunk: Callable[[int, int], None], stop: threading.Event) -> None:
    """Report completed Spark tasks (partitions) as approximate sample counts while the job runs."""
    tracker = spark.sparkContext.statusTracker()
    while not stop.wait(1.0):
        try:
            done = n = 0
            for sid in tracker.getActiveStageIds():
                info = tracker.getStageInfo(sid)
                if info is not None:
                    done += info.numCompletedTasks
                    n += info.numTasks
            if n:
                on_chunk(int(total * done / n), 0)
        except Exception:  # noqa: BLE001 - progress is best effort; the job's own errors surface below
            return


def run_spark(tasks: list[Task], records, results: Path, *, attempt: int, master: str | None,
              on_chunk: Callable[[int, int], None] | None = None, samples_per_partition: int = 32) -> dict:
    reason = unavailable_reason()
    if reason:
        from workstation.batch.run import BatchError

        raise BatchError(f"The Spark engine cannot run: {reason}.")
    import os
    import sys

    from pyspark.sql import SparkSession

    import warnings

    # PySpark 4.3 warns that it "does not yet fully support pandas >= 3"; the columns crossing Arrow here are plain
    # strings, string lists and int32, and tests/core/test_batch_spark.py compares every table byte for byte.
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
    local = (master or "").startswith("local")
    if local:      # local mode: the executors are this machine's Python (this venv), bound to loopback only
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    existing = SparkSession.getActiveSession()
    builder = SparkSession.builder.appName("workstation-batch")
    if master:
        builder = builder.master(master)
    if local:
        builder = builder.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
    spark = (builder.config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.execution.arrow.pyspark.enabled", "true")
             .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    cb = on_chunk or (lambda d, f: None)
    stop = threading.Event()
    watcher = threading.Thread(target=_watch, args=(spark, len(tasks), cb, stop), daemon=True,
                               name="spark-progress")
    try:
        pdf = pd.DataFrame([t.to_dict() for t in tasks],
                           columns=[c.split()[0] for c in TASK_SCHEMA.split(", ")])
        pdf = pdf.astype(object).where(pdf.notna(), None)
        n_parts = max(1, -(-len(tasks) // samples_per_partition))
        df = spark.createDataFrame(pdf, schema=TASK_SCHEMA).repartition(n_parts)
        out = df.mapInPandas(_partition_fn(records, attempt), schema=PART_SCHEMA)
        target = output.parts_dir(results) / f"spark-{attempt:04d}"
        watcher.start()
        out.write.mode("overwrite").parquet(str(target))
        stop.set()
        watcher.join()
        cb(len(tasks), 0)            # failures are counted from the tables by the caller
        return {"engine": "spark", "master": spark.sparkContext.master, "spark": spark.version,
                "partitions": n_parts, "default_parallelism": spark.sparkContext.defaultParallelism}
    finally:
        stop.set()
        if watcher.is_alive():
            watcher.join()
        if existing is None:
            spark.stop()

"""Batch throughput: 1,000 synthetic samples as one joint VCF and as 1,000 single-sample VCFs, through the local
process pool and Spark ``local[2]``; samples/s, ms per sample per core, and the ratio to PharmCAT's published
1.2-5.9 s per sample per core (the issue's figures; PharmCAT also needs a per-sample split of joint VCFs).

    python bench/bench_batch.py [--samples 1000] [--repeats 3] [--engines local,spark] [--inputs joint,singles]

Prints one line per run and a summary (median of the repeats). The machine is shared: the load average before and
after each run is printed beside it. Spark's session (JVM) is started once, before the timed runs, so its numbers
are "once the JVM is up"; its start-up time is printed separately. Results go to docs/benchmarks.md by hand.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workstation.batch import synthetic  # noqa: E402
from workstation.batch.local import default_workers  # noqa: E402
from workstation.batch.run import BatchInput, run_batch  # noqa: E402

PHARMCAT_S_PER_SAMPLE_CORE = (1.2, 5.9)


def _cpu() -> float:
    """CPU seconds used by this process and its finished children (the local pool's workers); not Spark's."""
    import resource

    me, ch = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + ch.ru_utime + ch.ru_stime


def _load() -> str:
    try:
        return "/".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--engines", default="local,spark")
    ap.add_argument("--inputs", default="joint,singles")
    ap.add_argument("--workdir", default=None, help="keep the generated cohort here (default: a temp folder)")
    a = ap.parse_args()
    cores = default_workers()
    work = Path(a.workdir) if a.workdir else Path(tempfile.mkdtemp(prefix="bench-batch-"))
    work.mkdir(parents=True, exist_ok=True)
    joint = work / f"joint{a.samples}.vcf"
    singles = work / f"singles{a.samples}"
    t = time.perf_counter()
    if not joint.exists():
        synthetic.write_joint(joint, a.samples, seed=16)
    if not (singles / "manifest.csv").exists():
        synthetic.write_singles(singles, a.samples, seed=16)
    print(f"cohort: {a.samples} synthetic samples in {work} ({time.perf_counter() - t:.1f} s to write); "
          f"{cores} cores; python {sys.version.split()[0]}")
    inputs = {"joint": BatchInput(joint_vcf=joint), "singles": BatchInput(manifest=singles / "manifest.csv")}
    engines = a.engines.split(",")
    spark_master = f"local[{cores}]"
    if "spark" in engines:
        from workstation.batch.spark import unavailable_reason

        why = unavailable_reason()
        if why:
            print(f"spark: skipped ({why})")
            engines.remove("spark")
        else:
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
            from pyspark.sql import SparkSession

            t = time.perf_counter()
            spark = (SparkSession.builder.master(spark_master).config("spark.ui.enabled", "false")
                     .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                     .config("spark.ui.showConsoleProgress", "false").getOrCreate())
            spark.sparkContext.setLogLevel("ERROR")
            print(f"spark: session ({spark_master}, Spark {spark.version}) up in {time.perf_counter() - t:.1f} s")
    summary = []
    for name in a.inputs.split(","):
        for eng in engines:
            walls, analyse = [], []
            for r in range(a.repeats):
                out = work / f"out-{name}-{eng}-{r}"
                shutil.rmtree(out, ignore_errors=True)
                before = _load()
                c0 = _cpu()
                t = time.perf_counter()
                m = run_batch(inputs[name], out, engine=eng, master=spark_master if eng == "spark" else None)
                wall = time.perf_counter() - t
                cpu_ms = (_cpu() - c0) / a.samples * 1000
                walls.append(wall)
                analyse.append(m["seconds"]["analyse"])
                assert m["counts"]["ok"] == a.samples, m["counts"]
                print(f"{name:7s} {eng:5s} run {r + 1}: {wall:7.2f} s wall (read inputs "
                      f"{m['seconds']['read_inputs']:.2f} s), {a.samples / wall:7.1f} samples/s, "
                      f"{wall * cores / a.samples * 1000:7.1f} ms/sample/core, CPU {cpu_ms:6.1f} ms/sample"
                      f"{' (driver only)' if eng == 'spark' else ''}; load before {before}, after {_load()}")
                shutil.rmtree(out, ignore_errors=True)
            w = statistics.median(walls)
            per_core_ms = w * cores / a.samples * 1000
            lo, hi = (s * 1000 / per_core_ms for s in PHARMCAT_S_PER_SAMPLE_CORE)
            summary.append(f"{name:7s} {eng:5s} median {w:7.2f} s: {a.samples / w:7.1f} samples/s = "
                           f"{a.samples / w / cores:6.1f} samples/s/core = {per_core_ms:6.1f} ms/sample/core; "
                           f"PharmCAT 1.2-5.9 s/sample/core is {lo:,.0f}-{hi:,.0f}x slower")
    print("\nsummary (median of %d runs each):" % a.repeats)
    for s in summary:
        print("  " + s)
    if not a.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

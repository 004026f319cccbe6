"""The Spark engine (PySpark ``local[2]``) writes byte-identical result tables to the local process pool on the same
inputs: single-sample VCFs with a broken and a missing one among them, PharmCAT's two-sample joint VCF, and a
larger synthetic joint VCF with an invalid genotype in one sample.

Spark runs in a child process (one JVM for all three inputs): the suite's no-network guard refuses the localhost
socket PySpark's driver uses to talk to its JVM inside the test process, and a child keeps the JVM out of the
suite. Skips with the reason only where PySpark or Java cannot be had (CI installs both: .ci/run).
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from workstation.batch import synthetic
from workstation.batch.run import BatchInput, run_batch
from workstation.batch.spark import unavailable_reason

ROOT = Path(__file__).resolve().parents[2]
MULTISAMPLE = ROOT.parent / "shared" / "data" / "pharmcat" / "multisample.vcf"
TABLES = ("genes", "recommendations", "scores", "samples")

_SPARK_RUNS = """
import json, sys
from pathlib import Path
from workstation.batch.run import BatchInput, run_batch
out = []
for kind, path, res in json.loads(sys.argv[1]):
    inp = BatchInput(manifest=Path(path)) if kind == "manifest" else BatchInput(joint_vcf=Path(path))
    out.append(run_batch(inp, res, engine="spark", master="local[2]")["counts"])
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def spark_ok():
    why = unavailable_reason()
    if why:
        pytest.skip(f"Spark cannot run here: {why}")


def _inputs(tmp: Path) -> list[tuple[str, Path]]:
    man = synthetic.write_singles(tmp / "singles", 6, seed=11)
    lines = (tmp / "singles" / "S000001.vcf").read_text().splitlines()
    lines[-2] = lines[-2].rsplit("\t", 2)[0]                      # a record two columns short
    (tmp / "singles" / "S000001.vcf").write_text("\n".join(lines) + "\n")
    (tmp / "singles" / "S000004.vcf").unlink()
    joint = tmp / "joint.vcf"
    synthetic.write_joint(joint, 40, seed=12)
    jl = joint.read_text().splitlines()
    k = next(i for i, ln in enumerate(jl) if not ln.startswith("#")) + 7
    cells = jl[k].split("\t")
    cells[9 + 17] = "1/7"                                         # an ALT the record does not list
    jl[k] = "\t".join(cells)
    joint.write_text("\n".join(jl) + "\n")
    out = [("manifest", man), ("joint", joint)]
    if MULTISAMPLE.exists():
        shutil.copy(MULTISAMPLE, tmp / "multisample.vcf")
        out.append(("joint", tmp / "multisample.vcf"))
    return out


def test_spark_local2_and_local_pool_write_identical_tables(tmp_path, spark_ok):
    inputs = _inputs(tmp_path)
    jobs = [(kind, str(p), str(tmp_path / f"spark-{i}")) for i, (kind, p) in enumerate(inputs)]
    r = subprocess.run([sys.executable, "-c", _SPARK_RUNS, json.dumps(jobs)], capture_output=True, text=True,
                       timeout=900, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    spark_counts = json.loads(r.stdout.strip().splitlines()[-1])
    for i, (kind, p) in enumerate(inputs):
        inp = BatchInput(manifest=p) if kind == "manifest" else BatchInput(joint_vcf=p)
        local = run_batch(inp, tmp_path / f"local-{i}", workers=2, chunk=4)
        assert local["counts"] == spark_counts[i]
        for t in TABLES:
            a = (tmp_path / f"local-{i}" / f"{t}.parquet").read_bytes()
            b = (tmp_path / f"spark-{i}" / f"{t}.parquet").read_bytes()
            assert a == b, f"{p.name}: {t}.parquet differs between the local pool and Spark"
    assert spark_counts[0]["failed"] == 2 and spark_counts[0]["ok"] == 4
    assert spark_counts[1]["failed"] == 1 and spark_counts[1]["ok"] == 39
    run = json.loads((tmp_path / "spark-1" / "run.json").read_text())
    assert run["engine"]["engine"] == "spark" and run["engine"]["master"] == "local[2]"
    assert run["failures"][0]["sample_id"] == "S000017" and "field GT" in run["failures"][0]["reason"]


def test_unavailable_reason_names_java_when_missing(monkeypatch):
    pytest.importorskip("pyspark", reason="PySpark not installed (the .[spark] extra)")
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    assert "Java" in unavailable_reason()

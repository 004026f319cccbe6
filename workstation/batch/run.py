"""A batch run: inputs -> tasks -> an engine -> parts -> result tables + run manifest.

``run_batch(BatchInput, results_dir, engine=...)`` is the core entry point (the CLI is a thin wrapper). Progress is
reported through a callback ``on_progress(done, failed, total, skipped)`` (the CLI prints counts and an ETA).
Rerunning on the same results folder skips samples whose latest attempt finished; failed ones are tried again.
"""
from __future__ import annotations

import json
import platform
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import pandas as pd

from workstation.batch import output
from workstation.batch.tasks import KIND_JOINT, KIND_VCF, Task, sha256_file

from workstation.errors import UnsupportedBuild, WorkstationError

ProgressFn = Callable[[int, int, int, int], None]
RUN_MANIFEST = "run.json"


class BatchError(WorkstationError):
    """The batch cannot start (bad input, unusable results folder, engine unavailable)."""


@dataclass
class BatchInput:
    """Either a manifest (CSV/TSV) or a joint multi-sample VCF."""

    manifest: Path | None = None
    joint_vcf: Path | None = None


@dataclass
class Prepared:
    tasks: list[Task]
    records: object | None            # joint VCF: the shared record table (pandas), else None
    inputs: list[dict] = field(default_factory=list)
    build: str | None = None


def _joint_build(j) -> tuple[str | None, str | None]:
    """The genome-build check of issue 11 for a joint VCF: the header's build, or — when the header is silent — the
    REF alleles of the records at known GRCh38 pharmacogene sites (workstation.genome.build.vote_known_sites).
    Returns (build, refusal sentence or None when calls may be made)."""
    from workstation.genome import build as gb
    from workstation.pgx.tables import gene_definitions

    if j.build is not None:
        return j.build, gb.refusal(j.build, getattr(j.header, "build_evidence", "") or "from the header")
    expected = {(d.chrom, lc.pos): lc.ref for d in gene_definitions().values() for lc in d.loci}
    recs = j.records if len(j.records) else pd.DataFrame(columns=["chrom", "pos", "ref"])
    rows = [("38", str(r), expected[(c, int(p))]) for c, p, r in zip(recs["chrom"], recs["pos"], recs["ref"])
            if (c, int(p)) in expected]
    vote = gb.vote_known_sites(rows)
    return vote.build, gb.refusal(vote.build, vote.evidence)


def prepare(inp: BatchInput) -> Prepared:
    """Read the manifest (structure checked) or the joint VCF (one DuckDB pass) into tasks."""
    for p in (inp.joint_vcf, inp.manifest):
        if p is not None and not Path(p).is_file():
            raise BatchError(f"{p}: the file does not exist.")
    if inp.joint_vcf is not None:
        from workstation.batch.joint import read_joint
        from workstation.batch.sample import batch_positions

        j = read_joint(inp.joint_vcf, batch_positions())
        build, refusal = _joint_build(j)
        if refusal:           # GRCh37 or unknown build: the whole run is refused with the same sentence as pgx --vcf
            raise UnsupportedBuild(str(inp.joint_vcf), refusal.rstrip("."), field="##reference")
        tasks = [Task(sample_id=s, kind=KIND_JOINT, input=str(inp.joint_vcf), gts=g, pss=p,
                      problem=pr if isinstance(pr, str) else None)
                 for s, g, p, pr in zip(j.samples["sample"], j.samples["gts"], j.samples["pss"],
                                        j.samples["problem"])]
        dup = [s for s in set(j.header.samples) if j.header.samples.count(s) > 1]
        if dup:
            raise BatchError(f"{inp.joint_vcf}: sample name {sorted(dup)[0]!r} appears twice in the #CHROM line; "
                             "sample ids must be unique.")
        return Prepared(tasks, j.records, [_file_entry(inp.joint_vcf, "joint_vcf")], build)
    from workstation.batch.manifest import read_manifest

    entries = read_manifest(inp.manifest)
    tasks = [Task(sample_id=e.sample_id, kind=KIND_VCF, input=str(e.vcf), vcf_sample=e.vcf_sample,
                  outside_calls=str(e.outside_calls) if e.outside_calls else None, sex=e.sex) for e in entries]
    inputs = [_file_entry(inp.manifest, "manifest")]
    inputs += [_file_entry(e.outside_calls, "outside_calls", e.sample_id) for e in entries
               if e.outside_calls is not None and e.outside_calls.is_file()]
    return Prepared(tasks, None, inputs)


def _file_entry(path: Path, role: str, sample_id: str | None = None) -> dict:
    p = Path(path)
    d = {"role": role, "path": str(p), "sha256": sha256_file(p), "size_bytes": p.stat().st_size}
    if sample_id is not None:
        d["sample_id"] = sample_id
    return d


def run_batch(inp: BatchInput, results: str | Path, *, engine: str = "local", workers: int | None = None,
              master: str | None = None, on_progress: ProgressFn | None = None, chunk: int = 32) -> dict:
    """Run (or resume) a batch; returns the run manifest (also written to RESULTS/run.json)."""
    results = Path(results)
    results.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    prep = prepare(inp)
    done, last_attempt = output.finished(results)
    attempt = last_attempt + 1
    todo = [t for t in prep.tasks if t.sample_id not in done]
    skipped = len(prep.tasks) - len(todo)
    total = len(prep.tasks)
    cb = on_progress or (lambda *a: None)
    cb(skipped, 0, total, skipped)
    t_read = time.perf_counter() - t0
    if todo:
        if engine == "local":
            from workstation.batch.local import run_local

            engine_info = run_local(todo, prep.records, results, attempt=attempt, workers=workers, chunk=chunk,
                                    on_chunk=lambda d, f: cb(skipped + d, f, total, skipped))
        elif engine == "spark":
            from workstation.batch.spark import run_spark

            engine_info = run_spark(todo, prep.records, results, attempt=attempt, master=master,
                                    on_chunk=lambda d, f: cb(skipped + d, f, total, skipped))
        else:
            raise BatchError(f"Unknown engine {engine!r}: use local or spark.")
    else:
        engine_info = {"engine": engine, "note": "every sample was already finished; nothing was run"}
    t_run = time.perf_counter() - t0 - t_read
    counts = output.finalize(results, sample_ids=[t.sample_id for t in prep.tasks])
    fails = output.failures(results)
    n_ok = output.count_ok(results)
    inputs = prep.inputs + _sample_inputs(results)
    manifest = {
        "format": "workstation-batch-run/1",
        "started": started, "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "input": {"manifest": str(inp.manifest) if inp.manifest else None,
                  "joint_vcf": str(inp.joint_vcf) if inp.joint_vcf else None, "build": prep.build},
        "engine": engine_info, "attempt": attempt,
        "counts": {"samples": total, "skipped_already_finished": skipped, "run_now": len(todo),
                   "ok": n_ok, "failed": len(fails), "not_finished": total - n_ok - len(fails), "rows": counts},
        "seconds": {"read_inputs": round(t_read, 3), "analyse": round(t_run, 3),
                    "total": round(time.perf_counter() - t0, 3)},
        "failures": [{"sample_id": f["sample_id"], "reason": f["reason"]} for f in fails],
        "inputs": inputs, "software": software_versions(engine), "resources": resource_versions(),
        "tables": {t: {"file": f"{t}.parquet", "rows": counts[t], "sha256": sha256_file(results / f"{t}.parquet")}
                   for t in output.TABLES},
    }
    (results / RUN_MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                        encoding="utf-8")
    return manifest


def _sample_inputs(results: Path) -> list[dict]:
    con = output._con()
    try:
        df = con.execute(f"SELECT sample_id, input, input_sha256 FROM read_parquet("
                         f"'{output._q(results / 'samples.parquet')}') WHERE input_sha256 IS NOT NULL "
                         "ORDER BY sample_id").df()
    finally:
        con.close()
    return [{"role": "vcf", "sample_id": r.sample_id, "path": r.input, "sha256": r.input_sha256}
            for r in df.itertuples(index=False)]


def software_versions(engine: str) -> dict:
    import duckdb
    import numpy
    import onnxruntime
    import pandas

    from workstation import __version__

    out = {"workstation": __version__, "python": platform.python_version(), "duckdb": duckdb.__version__,
           "pandas": pandas.__version__, "numpy": numpy.__version__, "onnxruntime": onnxruntime.__version__,
           "platform": platform.platform()}
    if engine == "spark":
        from workstation.batch.spark import pyspark_version

        out["pyspark"] = pyspark_version()
    return out


def resource_versions() -> dict:
    """SHA-256 of every PGx resource table and of the models' MANIFEST.json (what the results rest on)."""
    from workstation.paths import models_dir, resources_dir

    out = {f"resources/pgx/{p.name}": sha256_file(p) for p in sorted((Path(resources_dir()) / "pgx").glob("*.tsv"))}
    m = Path(models_dir()) / "MANIFEST.json"
    if m.is_file():
        out["models_onnx/MANIFEST.json"] = sha256_file(m)
    return out

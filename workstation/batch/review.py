"""A batch's results into a patient store for review (``workstation import-batch RESULTS``), without genomes.

Each sample that finished becomes (or joins) the patient with the sample's id; its gene calls, CPIC
recommendations and scores are stored as they are in the result tables (one JSON payload per sample and run, in
``results_cache`` with ``kind = 'batch'``; the genotypes are never read or stored). The whole import is one
transaction with one provenance row (run.json's SHA-256) and one audit row; importing the same run again changes
nothing. The tables are checked against the SHA-256 run.json gives for each, so an edited table is refused.

:func:`batch_results` gives a stored patient's batch results for presenters (newest run first).
"""
from __future__ import annotations

import json
from pathlib import Path

import duckdb

from workstation.batch.records import TABLES
from workstation.batch.tasks import sha256_file
from workstation.errors import ImportError_

KIND = "batch"
IMPORTER_VERSION = "1"


def _read_manifest(results: Path) -> dict:
    run = results / "run.json"
    if not run.is_file():
        raise ImportError_(str(results), "this folder has no run.json, so it is not the output of workstation batch")
    try:
        m = json.loads(run.read_text(encoding="utf-8"))
    except ValueError:
        raise ImportError_(str(run), "run.json is not valid JSON") from None
    if m.get("format") != "workstation-batch-run/1":
        raise ImportError_(str(run), "run.json is not a workstation batch run manifest", field="format")
    for t in TABLES:
        entry = (m.get("tables") or {}).get(t) or {}
        f = results / str(entry.get("file", f"{t}.parquet"))
        if not f.is_file():
            raise ImportError_(str(results), f"the result table {f.name} is missing")
        if entry.get("sha256") != sha256_file(f):
            raise ImportError_(str(f), "the table does not match the SHA-256 recorded in run.json (it was changed "
                               "after the run)", field="tables")
    return m


def _per_sample(results: Path) -> dict[str, dict]:
    out: dict[str, dict] = {}
    con = duckdb.connect(":memory:")
    try:
        for t in TABLES:
            df = con.execute(f"SELECT * FROM read_parquet('{str(results / f'{t}.parquet')}')").df()
            df = df.astype(object).where(df.notna(), None)
            for row in df.to_dict("records"):
                out.setdefault(row["sample_id"], {k: [] for k in TABLES})[t].append(row)
    finally:
        con.close()
    return out


def import_results(store, results: str | Path) -> dict:
    """Store every finished sample's results; returns counts and the source id."""
    from workstation.store import already_imported, file_info, import_batch

    results = Path(results)
    m = _read_manifest(results)
    info = file_info(results / "run.json")
    prev = already_imported(store, info)
    per = _per_sample(results)
    ok = {s: d for s, d in per.items() if d["samples"] and d["samples"][0]["status"] == "ok"}
    counts = {"samples": len(ok), "failed_not_stored": len(per) - len(ok),
              "genes": sum(len(d["genes"]) for d in ok.values()),
              "recommendations": sum(len(d["recommendations"]) for d in ok.values()),
              "scores": sum(len(d["scores"]) for d in ok.values())}
    if prev is not None:
        return {**counts, "batch_id": int(prev["id"]), "status": "already imported"}
    run = {k: m.get(k) for k in ("started", "finished", "engine", "software", "resources", "input")}
    with import_batch(store, info, kind="batch-results", importer="batch", importer_version=IMPORTER_VERSION) as b:
        for sid, d in sorted(ok.items()):
            b.upsert_patient({"id": sid})
            payload = {"run": run, "run_sha256": info.sha256, "source_id": b.source_id, **d}
            b.con.execute("INSERT OR REPLACE INTO results_cache (patient_id, kind, cache_key, payload) "
                          "VALUES (?, ?, ?, ?)", [sid, KIND, f"{info.sha256}", json.dumps(payload, default=str)])
        b.counts.update(counts)
        b.details.update({"results_folder": str(results), "engine": (m.get("engine") or {}).get("engine"),
                          "genotypes_stored": False})
    return {**counts, "batch_id": b.source_id, "status": "imported"}


def batch_results(store, patient_id: str) -> list[dict]:
    """The patient's stored batch results (genes, recommendations, scores, samples, run), newest first."""
    df = store.con.execute("SELECT payload FROM results_cache WHERE patient_id = ? AND kind = ? "
                           "ORDER BY computed_at DESC, cache_key", [patient_id, KIND]).df()
    return [json.loads(p) for p in df["payload"]]

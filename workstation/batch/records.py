"""The plain records a per-sample analysis produces, and the typed columns of the batch's result tables.

Each result table is one list of (column, DuckDB type). Rows are plain dicts with exactly those keys; nested detail
(the full gene call, the recommendation's basis) is kept as canonical JSON (sorted keys) so that every engine writes
the same bytes. Float values travel through ``repr``-exact JSON.
"""
from __future__ import annotations

import json
from typing import Any

GENE_COLUMNS = (
    ("sample_id", "VARCHAR"), ("gene", "VARCHAR"), ("source", "VARCHAR"), ("called", "BOOLEAN"),
    ("diplotype", "VARCHAR"), ("phenotype", "VARCHAR"), ("activity_score", "DOUBLE"),
    ("incomplete", "BOOLEAN"), ("tie", "BOOLEAN"), ("phased", "BOOLEAN"), ("translated", "BOOLEAN"),
    ("n_missing_positions", "INTEGER"), ("n_positions_used", "INTEGER"), ("detail_json", "VARCHAR"),
)
RECOMMENDATION_COLUMNS = (
    ("sample_id", "VARCHAR"), ("drug", "VARCHAR"), ("rxnorm", "VARCHAR"), ("genes", "VARCHAR"),
    ("population", "VARCHAR"), ("action", "VARCHAR"), ("level", "VARCHAR"), ("strength", "VARCHAR"),
    ("summary", "VARCHAR"), ("dose_adjustment", "VARCHAR"), ("basis_json", "VARCHAR"),
)
SCORE_COLUMNS = (
    ("sample_id", "VARCHAR"), ("model", "VARCHAR"), ("version", "VARCHAR"), ("value", "DOUBLE"),
    ("unit", "VARCHAR"), ("refused", "VARCHAR"), ("n_inputs_used", "INTEGER"), ("n_inputs_missing", "INTEGER"),
    ("detail_json", "VARCHAR"),
)
SAMPLE_COLUMNS = (
    ("sample_id", "VARCHAR"), ("status", "VARCHAR"), ("reason", "VARCHAR"), ("input", "VARCHAR"),
    ("input_sha256", "VARCHAR"), ("vcf_sample", "VARCHAR"), ("sex", "VARCHAR"), ("n_genotype_rows", "INTEGER"),
    ("notes_json", "VARCHAR"),
)
TABLES = {"genes": GENE_COLUMNS, "recommendations": RECOMMENDATION_COLUMNS, "scores": SCORE_COLUMNS,
          "samples": SAMPLE_COLUMNS}
# The order rows are written in (a total order, so every engine writes the same file).
SORT_KEYS = {"genes": ("sample_id", "gene"),
             "recommendations": ("sample_id", "drug", "population", "genes", "action", "summary"),
             "scores": ("sample_id", "model"), "samples": ("sample_id",)}


def canonical_json(obj: Any) -> str:
    """JSON with sorted keys and no spaces: the same object always gives the same text."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def gene_row(sample_id: str, call) -> dict:
    return {"sample_id": sample_id, "gene": call.gene, "source": call.source, "called": bool(call.called),
            "diplotype": " OR ".join(call.diplotypes) if call.diplotypes else call.source_diplotype,
            "phenotype": call.phenotype,
            "activity_score": None if call.activity_score is None else float(call.activity_score),
            "incomplete": bool(call.incomplete), "tie": bool(call.tie), "phased": bool(call.phased),
            "translated": bool(call.translated), "n_missing_positions": len(call.missing_positions),
            "n_positions_used": len(call.positions_used), "detail_json": canonical_json(call.to_json())}


def recommendation_row(sample_id: str, rec) -> dict:
    return {"sample_id": sample_id, "drug": rec.drug, "rxnorm": rec.rxnorm, "genes": ";".join(rec.genes),
            "population": rec.population, "action": rec.action, "level": rec.level.value,
            "strength": rec.strength, "summary": rec.summary, "dose_adjustment": rec.dose_adjustment,
            "basis_json": canonical_json(rec.basis)}


def score_row(sample_id: str, score, notes: list[str]) -> dict:
    detail = {"inputs_used": score.inputs_used, "inputs_missing": list(score.inputs_missing),
              "extra": score.extra, "notes": list(score.notes) + list(notes), "band": score.band,
              "model_sha256": (score.card or {}).get("sha256"), "category": score.category}
    return {"sample_id": sample_id, "model": score.model, "version": score.version,
            "value": None if score.value is None else float(score.value), "unit": score.unit,
            "refused": score.refused, "n_inputs_used": len(score.inputs_used),
            "n_inputs_missing": len(score.inputs_missing), "detail_json": canonical_json(detail)}


def sample_row(sample_id: str, *, status: str, reason: str | None = None, input: str | None = None,
               input_sha256: str | None = None, vcf_sample: str | None = None, sex: str | None = None,
               n_rows: int | None = None,
               notes: list[str] | None = None) -> dict:
    return {"sample_id": sample_id, "status": status, "reason": reason, "input": input, "input_sha256": input_sha256,
            "vcf_sample": vcf_sample,
            "sex": sex, "n_genotype_rows": n_rows, "notes_json": canonical_json(list(notes or []))}

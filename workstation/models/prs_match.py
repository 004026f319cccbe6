"""Effect-allele dosages for a polygenic score from a patient's stored VCF records (GRCh38).

Matching follows pgsc_calc defaults (MODELS.md section 7): by chromosome and position, alleles on the forward
strand or complemented (strand flip); strand-ambiguous A/T and C/G SNPs are excluded (``keep_ambiguous=false``).
A position absent from the VCF, or with a no-call genotype, is *not called* (missing is not reference); no mean
imputation is done.
"""
from __future__ import annotations

import re

import pandas as pd

COMPLEMENT = {"A": "T", "T": "A", "C": "G", "G": "C"}


def _genotype_alleles(rec) -> list[str] | None:
    gt = str(rec["gt"] or "")
    idx = re.split(r"[/|]", gt)
    if len(idx) != 2 or any(i in (".", "") for i in idx):
        return None
    alleles = [str(rec["ref"])] + [a for a in str(rec["alt"] or ".").split(",") if a != "."]
    try:
        return [alleles[int(i)] for i in idx]
    except (ValueError, IndexError):
        return None


def dosages(variants: pd.DataFrame, rows: list[dict]) -> tuple[dict, dict, list[str]]:
    """Return ``(dosage by rsID or None, source by rsID, notes)`` for the scoring ``rows`` of a model card."""
    out: dict[str, float | None] = {r["rsid"]: None for r in rows}
    sources: dict[str, dict] = {}
    notes: list[str] = []
    if variants is None or variants.empty:
        return out, sources, ["no genotype data (VCF) on record"]
    positions = {r["pos"] for r in rows}
    near = variants[variants["pos"].isin(positions)].drop_duplicates(["chrom", "pos"], keep="first")
    by_key = {(str(rec["chrom"]), int(rec["pos"])): rec for rec in near.to_dict("records")}
    ambiguous = 0
    for r in rows:
        if r["strand_ambiguous"]:
            ambiguous += 1
            continue
        rec = by_key.get((r["chrom"], r["pos"]))
        if rec is None:
            continue
        gt = _genotype_alleles(rec)
        if gt is None:
            continue
        pair = {r["effect_allele"], r["other_allele"]}
        if all(a in pair for a in gt):
            d = sum(a == r["effect_allele"] for a in gt)
        elif all(COMPLEMENT.get(a) in pair for a in gt):
            d = sum(COMPLEMENT.get(a) == r["effect_allele"] for a in gt)
        else:
            notes.append(f"{r['rsid']}: genotype alleles {'/'.join(gt)} do not match {r['effect_allele']}/"
                         f"{r['other_allele']}; not used")
            continue
        out[r["rsid"]] = float(d)
        sources[r["rsid"]] = {"table": "variants", "chrom": r["chrom"], "pos": r["pos"], "gt": str(rec["gt"]),
                              "ref": str(rec["ref"]), "alt": str(rec["alt"]), "source_id": _int(rec.get("source_id"))}
    if ambiguous:
        notes.append(f"{ambiguous} strand-ambiguous (A/T, C/G) variants excluded, as pgsc_calc does by default")
    return out, sources, notes


def _int(v):
    try:
        return int(v)
    except (TypeError, ValueError):
        return None

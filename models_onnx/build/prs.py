"""PGS000001 (PRS77_BC) breast-cancer polygenic score: sum of effect-allele dosage x weight, with coverage.

Weights: PGS Catalog scoring file PGS000001 harmonised to GRCh38 (HmPOS_date 2022-07-29), transcribed into
``data/PGS000001_weights.tsv`` (citation in its header). Publication: Mavaddat N et al. Prediction of breast
cancer risk based on profiling with common genetic variants. J Natl Cancer Inst 2015;107(5):djv036,
doi:10.1093/jnci/djv036. Weights are ln(OR) per effect allele.

Scoring follows pgsc_calc / pgscatalog-calc semantics (``shared/reference/risk/MODELS.md`` section 7):
SUM = sum(dosage x effect_weight) over called variants, DENOM = 2 x called variants, AVG = SUM / DENOM. No
mean imputation (a single patient has no sample frequencies and no reference-frequency file is shipped), so
uncalled variants contribute nothing and coverage is reported; below pgsc_calc's ``min_overlap`` 0.75 the score
is refused. No percentile is given: no cited reference distribution ships with the project.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from models_onnx.build.common import base_card
from models_onnx.build.graph import Built, GraphBuilder

WEIGHTS_FILE = Path(__file__).with_name("data") / "PGS000001_weights.tsv"
MIN_OVERLAP = 0.75  # pgsc_calc nextflow.config default min_overlap (MODELS.md section 7)
COMPLEMENT = {"A": "T", "T": "A", "C": "G", "G": "C"}


def read_weights(path: Path = WEIGHTS_FILE) -> list[dict]:
    """The scoring rows, in file order, with ``strand_ambiguous`` set for A/T and C/G SNPs."""
    lines = [ln.rstrip("\n") for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    header = lines[0].split("\t")
    rows = []
    for ln in lines[1:]:
        r = dict(zip(header, ln.split("\t")))
        rows.append({"rsid": r["rsID"], "chrom": "chr" + r["hm_chr"], "pos": int(r["hm_pos"]),
                     "effect_allele": r["effect_allele"], "other_allele": r["other_allele"],
                     "weight": float(r["effect_weight"]), "odds_ratio": float(r["OR"]), "locus": r["locus_name"],
                     "strand_ambiguous": COMPLEMENT.get(r["effect_allele"]) == r["other_allele"]})
    return rows


def _graph(model_id: str, weights: np.ndarray, card: dict):
    n = len(weights)
    g = GraphBuilder(model_id, 2 * n)
    dos = g.op("Slice", "x", g.const_i64([0]), g.const_i64([n]), g.const_i64([1]))
    called = g.op("Slice", "x", g.const_i64([n]), g.const_i64([2 * n]), g.const_i64([1]))
    terms = g.mul(g.mul(dos, called), g.const(weights.reshape(1, n)))
    g.identity(terms, "terms")
    total = g.rowsum(terms)
    g.identity(total, "value")
    g.identity(total, "lp")
    n_called = g.rowsum(called)
    g.op("Div", n_called, g.scalar(float(n)), out="coverage")
    g.op("Div", total, g.mul(g.scalar(2.0), n_called), out="avg")
    return g.model({"value": 1, "lp": 1, "terms": n, "coverage": 1, "avg": 1}, card)


def card(rows: list[dict]) -> dict:
    c = base_card(
        "prs_pgs000001_breast_cancer", "PGS000001 (PRS77_BC) breast cancer polygenic score", "PGS000001.hmPOS-2022-07-29",
        intended_use=("Research and counselling context: a patient's relative genetic predisposition to breast "
                      "cancer from 77 common variants. Not an absolute risk; no percentile is given because no "
                      "cited reference distribution ships with the project."),
        population="Breast cancer case-control studies analysed by Mavaddat 2015 (see the publication).",
        outcome="Breast cancer (trait EFO_0000305).", horizon="not applicable (relative score)",
        citation=("Mavaddat N, Pharoah PDP, Michailidou K, et al. Prediction of breast cancer risk based on "
                  "profiling with common genetic variants. J Natl Cancer Inst 2015;107(5):djv036. "
                  "doi:10.1093/jnci/djv036. PGS Catalog PGS000001 (harmonised GRCh38 file, 2022-07-29)."),
        kind="prs",
    )
    c["variants"] = rows
    c["inputs"] = [{"name": "<rsID>", "type": "number", "unit": "effect-allele dosage", "range": [0, 2],
                    "description": "One input per variant, keyed by rsID: dosage (0, 1, 2) of the effect allele, or "
                                   "null when not called (missing is not reference).",
                    "range_source": "diploid dosage"}]
    c["features"] = [f"dosage:{r['rsid']}" for r in rows] + [f"called:{r['rsid']}" for r in rows]
    c["terms"] = [r["rsid"] for r in rows]
    c["output"] = {"name": "value", "unit": "sum of ln(OR)",
                   "meaning": "Polygenic score SUM over called variants (ln odds-ratio scale; pgsc_calc SUM)."}
    c["extra_outputs"] = {"coverage": "fraction of the 77 variants called", "avg": "SUM / (2 x called) "
                          "(pgsc_calc AVG)"}
    c["min_overlap"] = MIN_OVERLAP
    c["matching"] = ("Profile variants are matched on GRCh38 hm_chr/hm_pos with effect/other allele on the forward "
                     "strand; strand-ambiguous A/T and C/G SNPs are excluded (pgsc_calc keep_ambiguous=false); "
                     "absent positions are not called; no mean imputation.")
    c["explain"] = {"method": "terms", "scale": "ln(OR): each variant's dosage x weight (they sum to the score)."}
    c["performance"] = {"published": "Not transcribed (not in the project's reference material); see "
                                     "Mavaddat 2015 and the PGS Catalog entry PGS000001."}
    c["subgroup_differences"] = [
        "Polygenic scores transfer poorly across ancestries: weights estimated in the source study's "
        "population can mis-rank people of other ancestries; interpret with the patient's ancestry in mind.",
        "Without a reference distribution the raw score cannot be placed in a population percentile.",
        "Strand-ambiguous variants are excluded when matching a VCF, so the maximum coverage is 70/77.",
    ]
    # who the score is for, as data (workstation/models/applicability.py): Mavaddat 2015 derived and validated it
    # in women (Breast Cancer Association Consortium studies of women of European ancestry)
    c["applicability"] = {"sex": ["female"],
                          "sex_source": "Mavaddat 2015: derived and validated in women of European ancestry"}
    return c


def build() -> list[Built]:
    rows = read_weights()
    c = card(rows)
    w = np.array([r["weight"] for r in rows], dtype=np.float64)
    return [Built(c["id"], _graph(c["id"], w, c), c)]

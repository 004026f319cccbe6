"""IWPC warfarin dosing algorithms (pharmacogenetic and clinical), float64.

Source: International Warfarin Pharmacogenetics Consortium. Estimation of the warfarin dose with clinical and
pharmacogenetic data. N Engl J Med 2009;360:753-64 (doi:10.1056/NEJMoa0809329, PMC2722908), Supplementary
Appendix. Coefficients transcribed from ``shared/reference/risk/MODELS.md`` section 9.1, where every
coefficient was cross-checked identical in three independent open implementations (the NEJM appendix itself
could not be opened there).

``sqrt(weekly dose mg) = intercept + sum(coef * x)``; weekly dose = square. Age enters as "age in decades" =
``floor(age_years / 10)`` (the IWPC data record decade bins "10 - 19" ... "90+"; reil uses ``age // 10``).
VKORC1 genotype is rs9923231 on the -1639 (gene, minus-strand) scale: VCF C/T = G/A, T/T = A/A.
"""
from __future__ import annotations

import numpy as np

from models_onnx.build.common import BOOL, base_card, num
from models_onnx.build.graph import Built, GraphBuilder

# Pharmacogenetic algorithm, MODELS.md 9.1 (IWPC NEJM 2009 appendix).
PG_INTERCEPT = 5.6044
PG_COEF = {
    "age in decades": -0.2614,
    "height (cm)": 0.0087,
    "weight (kg)": 0.0128,
    "VKORC1 A/G": -0.8677,
    "VKORC1 A/A": -1.6974,
    "VKORC1 unknown": -0.4854,
    "CYP2C9 *1/*2": -0.5211,
    "CYP2C9 *1/*3": -0.9357,
    "CYP2C9 *2/*2": -1.0616,
    "CYP2C9 *2/*3": -1.9206,
    "CYP2C9 *3/*3": -2.3312,
    "CYP2C9 unknown": -0.2188,
    "Asian race": -0.1092,
    "Black or African American": -0.2760,
    "missing or mixed race": -0.1032,
    "enzyme inducer": 1.1816,
    "amiodarone": -0.5503,
}
# Clinical algorithm, MODELS.md 9.1 (IWPC NEJM 2009 appendix).
CL_INTERCEPT = 4.0376
CL_COEF = {
    "age in decades": -0.2546,
    "height (cm)": 0.0118,
    "weight (kg)": 0.0134,
    "Asian race": -0.6752,
    "Black or African American": 0.4060,
    "missing or mixed race": 0.0443,
    "enzyme inducer": 1.2799,
    "amiodarone": -0.5695,
}
# term -> (feature, input the term belongs to)
TERM_FEATURE = {
    "age in decades": ("age_years", "age_years"), "height (cm)": ("height_cm", "height_cm"),
    "weight (kg)": ("weight_kg", "weight_kg"),
    "VKORC1 A/G": ("vkorc1_ag", "vkorc1_rs9923231"), "VKORC1 A/A": ("vkorc1_aa", "vkorc1_rs9923231"),
    "VKORC1 unknown": ("vkorc1_unknown", "vkorc1_rs9923231"),
    "CYP2C9 *1/*2": ("cyp2c9_12", "cyp2c9"), "CYP2C9 *1/*3": ("cyp2c9_13", "cyp2c9"),
    "CYP2C9 *2/*2": ("cyp2c9_22", "cyp2c9"), "CYP2C9 *2/*3": ("cyp2c9_23", "cyp2c9"),
    "CYP2C9 *3/*3": ("cyp2c9_33", "cyp2c9"), "CYP2C9 unknown": ("cyp2c9_unknown", "cyp2c9"),
    "Asian race": ("race_asian", "race"), "Black or African American": ("race_black", "race"),
    "missing or mixed race": ("race_mixed_or_missing", "race"),
    "enzyme inducer": ("enzyme_inducer", "enzyme_inducer"), "amiodarone": ("amiodarone", "amiodarone"),
}
PLAUSIBILITY = ("plausibility limits set by this project: MODELS.md gives no validated input ranges for the "
                "IWPC algorithm (adult cohorts); check the NEJM appendix before widening")


def _inputs(pharmacogenetic: bool) -> list[dict]:
    race = {"name": "race", "type": "category", "categories": ["white", "asian", "black", "mixed_or_missing"],
            "description": "Race as recorded in IWPC (White is the baseline)", "default": "mixed_or_missing",
            "default_note": "IWPC has a 'missing or mixed race' coefficient; used when race is not recorded",
            "encode": {"white": {}, "asian": {"race_asian": 1.0}, "black": {"race_black": 1.0},
                       "mixed_or_missing": {"race_mixed_or_missing": 1.0}}}
    out = [num("age_years", "years", 18, 100, "Age (enters as decade, floor(age/10))", PLAUSIBILITY),
           num("height_cm", "cm", 120, 220, "Height", PLAUSIBILITY),
           num("weight_kg", "kg", 30, 250, "Weight", PLAUSIBILITY)]
    if pharmacogenetic:
        out += [
            {"name": "vkorc1_rs9923231", "type": "category", "categories": ["G/G", "A/G", "A/A", "unknown"],
             "description": "VKORC1 -1639 G>A (rs9923231; + strand C>T) genotype", "default": "unknown",
             "default_note": "IWPC has a 'VKORC1 unknown' coefficient; used when the genotype is not available",
             "encode": {"G/G": {}, "A/G": {"vkorc1_ag": 1.0}, "A/A": {"vkorc1_aa": 1.0},
                        "unknown": {"vkorc1_unknown": 1.0}}},
            {"name": "cyp2c9", "type": "category",
             "categories": ["*1/*1", "*1/*2", "*1/*3", "*2/*2", "*2/*3", "*3/*3", "unknown"],
             "description": "CYP2C9 diplotype (*1, *2, *3 only; other alleles are not covered -> unknown)",
             "default": "unknown",
             "default_note": "IWPC has a 'CYP2C9 unknown' coefficient; used when the diplotype is not available",
             "encode": {"*1/*1": {}, "*1/*2": {"cyp2c9_12": 1.0}, "*1/*3": {"cyp2c9_13": 1.0},
                        "*2/*2": {"cyp2c9_22": 1.0}, "*2/*3": {"cyp2c9_23": 1.0}, "*3/*3": {"cyp2c9_33": 1.0},
                        "unknown": {"cyp2c9_unknown": 1.0}}},
        ]
    out += [race,
            BOOL("enzyme_inducer", "Taking carbamazepine, phenytoin, rifampin/rifampicin"),
            BOOL("amiodarone", "Taking amiodarone")]
    return out


def _graph(model_id: str, intercept: float, coef: dict, card: dict):
    features = card["features"]
    g = GraphBuilder(model_id, len(features))
    cols = {f: g.col(i) for i, f in enumerate(features)}
    age_dec = g.op("Floor", g.div(cols["age_years"], g.scalar(10.0)))
    parts = [age_dec if t == "age in decades" else cols[TERM_FEATURE[t][0]] for t in coef]
    terms = g.mul(g.concat(parts), g.const(np.array([list(coef.values())])))
    g.identity(terms, "terms")
    lp = g.add(g.rowsum(terms), g.scalar(intercept))
    g.identity(lp, "lp")
    g.op("Mul", lp, lp, out="value")
    return g.model({"value": 1, "lp": 1, "terms": len(coef)}, card)


def _card(model_id: str, pharmacogenetic: bool, coef: dict, intercept: float) -> dict:
    kind = "pharmacogenetic" if pharmacogenetic else "clinical"
    c = base_card(
        model_id, f"IWPC warfarin {kind} dosing algorithm", "2009.1",
        intended_use=("Estimate the stable therapeutic warfarin dose (target INR 2-3) to guide initial dosing in "
                      "adults starting warfarin; the dose is then titrated by INR."),
        population="Patients on stable warfarin therapy in the IWPC multi-centre, multi-ethnic cohorts (NEJM 2009).",
        outcome="Stable weekly warfarin dose achieving a therapeutic INR.", horizon="at steady state",
        citation=("International Warfarin Pharmacogenetics Consortium. Estimation of the warfarin dose with "
                  "clinical and pharmacogenetic data. N Engl J Med 2009;360:753-64. doi:10.1056/NEJMoa0809329 "
                  "(Supplementary Appendix)."),
    )
    c["inputs"] = _inputs(pharmacogenetic)
    feats = []
    for t in coef:
        f = TERM_FEATURE[t][0]
        if f not in feats:
            feats.append(f)
    c["features"] = feats
    c["terms"] = list(coef)
    c["intercept"] = intercept
    c["output"] = {"name": "value", "unit": "mg/week", "meaning": "Estimated stable weekly warfarin dose in mg "
                   "(daily = weekly / 7)."}
    c["extra_outputs"] = {"lp": "square root of the weekly dose"}
    c["lp_check"] = {"min_exclusive": 0.0, "reason": "the algorithm gives no valid dose for these inputs "
                     "(square root of the dose is not positive)"}
    c["explain"] = {"method": "terms", "term_inputs": {t: TERM_FEATURE[t][1] for t in coef},
                    "scale": "square root of the weekly dose (mg); each input's coefficient x value. They sum, "
                             "with the intercept, to sqrt(weekly dose). Genotype and race terms are relative to "
                             "VKORC1 G/G, CYP2C9 *1/*1, White."}
    c["performance"] = {
        "published": "Not transcribed: the appendix's validation-cohort figures are not in the project's "
                     "reference material; see IWPC NEJM 2009.",
        "verification": "Reproduces the worked examples E1-E5 of MODELS.md 9.1 (computed from the coefficients)."}
    c["subgroup_differences"] = [
        "CYP2C9 *5, *6, *8, *11 (more frequent with African ancestry) are not in the algorithm; CPIC 2017 "
        "advises adjusting or dosing clinically in African-ancestry patients when they were not tested.",
        "Age enters by decade bin (floor(age/10)); some third-party code uses continuous age/10.",
        "Algorithms assume a target INR of 2-3.",
    ]
    if pharmacogenetic:
        c["subgroup_differences"].append("CPIC 2017: consider an alternative agent for CYP2C9 poor metabolisers "
                                         "(e.g. *2/*3, *3/*3), especially with VKORC1 A/G or A/A.")
    return c


def build() -> list[Built]:
    out = []
    for mid, pg, coef, icpt in (("iwpc_warfarin_weekly_dose", True, PG_COEF, PG_INTERCEPT),
                                ("iwpc_warfarin_clinical_weekly_dose", False, CL_COEF, CL_INTERCEPT)):
        c = _card(mid, pg, coef, icpt)
        out.append(Built(mid, _graph(mid, icpt, coef, c), c))
    return out

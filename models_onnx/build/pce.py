"""ACC/AHA 2013 Pooled Cohort Equations (10-year hard ASCVD), all four sex/race equations in one float64 graph.

Source: Goff DC Jr, Lloyd-Jones DM, et al. 2013 ACC/AHA Guideline on the Assessment of Cardiovascular Risk.
Circulation 2014;129(25 Suppl 2):S49-S73 (JACC 2014;63:2935-2959), Table A. Transcribed from
``shared/reference/risk/MODELS.md`` section 1.

Variant implemented: the Table A equations with the *precise digits* carried by the reference implementations
(github cerner/ascvd-risk-calculator ``app/load_fhir_data.js`` ``computeTenYearScore``; identical in PyPI
``ascvd`` 0.5 and github bcjaeger/PooledCohort ``R/predict_risk.R``). Where Table A prints 3 decimals and the
implementations carry more, the longer value is used; both are written below. The African-American women
equation is sensitive to this choice (MODELS.md "precision trap": up to ~0.2 percentage points at 25 % risk).

Form (Cox): ``risk = 1 - S10 ** exp(IndSum - MeanSum)``; computed as ``1 - exp(exp(lp) * ln S10)``.
"""
from __future__ import annotations

import numpy as np

from models_onnx.build.common import BOOL, ascvd_exclusion, base_card, num
from models_onnx.build.graph import Built, GraphBuilder

# Term order of the graph's ``terms`` output (names follow Goff Table A rows).
TERMS = [
    "ln age", "ln age squared", "ln total cholesterol", "ln age x ln total cholesterol", "ln HDL-C",
    "ln age x ln HDL-C", "ln treated SBP", "ln age x ln treated SBP", "ln untreated SBP",
    "ln age x ln untreated SBP", "current smoker", "ln age x current smoker", "diabetes",
]
STRATA = ["white_female", "black_female", "white_male", "black_male"]

# Coefficients per stratum, in TERMS order. Goff 2013 Table A; [precise digits] from cerner computeTenYearScore.
COEF = {
    # White women: Table A values (no extra digits in cerner).
    "white_female": [-29.799, 4.884, 13.540, -3.114, -13.578, 3.149, 2.019, 0.0, 1.957, 0.0, 7.574, -1.665, 0.661],
    # African-American women: Table A 17.114, 0.940, -18.920, 4.475, 29.291, -6.432, 27.820, -6.087, 0.691,
    # 0.874 -> cerner precise 17.1141, 0.9396, -18.9196, 4.4748, 29.2907, -6.4321, 27.8197, -6.0873, 0.6908, 0.8738.
    "black_female": [17.1141, 0.0, 0.9396, 0.0, -18.9196, 4.4748, 29.2907, -6.4321, 27.8197, -6.0873, 0.6908, 0.0,
                     0.8738],
    # White men: Table A (identical in cerner).
    "white_male": [12.344, 0.0, 11.853, -2.664, -7.990, 1.769, 1.797, 0.0, 1.764, 0.0, 7.837, -1.795, 0.658],
    # African-American men: Table A (identical in cerner).
    "black_male": [2.469, 0.0, 0.302, 0.0, -0.307, 0.0, 1.916, 0.0, 1.809, 0.0, 0.549, 0.0, 0.645],
}
# Mean of coefficient x value (Table A -29.18, 86.61, 61.18, 19.54; cerner precise digits used).
MEAN = {"white_female": -29.1817, "black_female": 86.6081, "white_male": 61.1816, "black_male": 19.5425}
# Baseline 10-year survival (Table A 0.9665, 0.9533, 0.9144, 0.8954; cerner precise digits used).
S10 = {"white_female": 0.96652, "black_female": 0.95334, "white_male": 0.91436, "black_male": 0.89536}

FEATURES = ["age", "total_chol_mgdl", "hdl_mgdl", "sbp_mmhg", "bp_treated", "smoker", "diabetes", "female", "black"]

# Reference profile for the per-input explanation: the Goff Table A worked-example patient (55 y, TC 213,
# HDL 50, untreated SBP 120, non-smoker, no diabetes). Contributions = exact Shapley values of the linear
# predictor relative to this profile (of the same sex and race).
REFERENCE = {"age": 55.0, "total_chol_mgdl": 213.0, "hdl_mgdl": 50.0, "sbp_mmhg": 120.0, "bp_treated": False,
             "smoker": False, "diabetes": False}


def _graph(card: dict):
    g = GraphBuilder("pce2013_ascvd_10y", len(FEATURES))
    age, tc, hdl, sbp, trt, smk, dm, fem, blk = (g.col(i) for i in range(len(FEATURES)))
    la, ltc, lh, ls = (g.op("Log", v) for v in (age, tc, hdl, sbp))
    untr = g.one_minus(trt)
    lst, lsu = g.mul(ls, trt), g.mul(ls, untr)
    t = g.concat([la, g.mul(la, la), ltc, g.mul(la, ltc), lh, g.mul(la, lh), lst, g.mul(la, lst), lsu,
                  g.mul(la, lsu), smk, g.mul(la, smk), dm])
    male, white = g.one_minus(fem), g.one_minus(blk)
    strata = g.concat([g.mul(fem, white), g.mul(fem, blk), g.mul(male, white), g.mul(male, blk)])  # [N, 4]
    coef = g.op("MatMul", strata, g.const(np.array([COEF[s] for s in STRATA])))
    terms = g.mul(t, coef)
    g.identity(terms, "terms")
    indsum = g.rowsum(terms)
    mean = g.op("MatMul", strata, g.const(np.array([[MEAN[s]] for s in STRATA])))
    ln_s10 = g.op("MatMul", strata, g.const(np.log(np.array([[S10[s]] for s in STRATA]))))
    lp = g.sub(indsum, mean)
    g.identity(lp, "lp")
    risk = g.one_minus(g.op("Exp", g.mul(g.op("Exp", lp), ln_s10)))
    g.identity(risk, "value")
    return g.model({"value": 1, "lp": 1, "terms": len(TERMS)}, card)


def card() -> dict:
    c = base_card(
        "pce2013_ascvd_10y", "ACC/AHA 2013 Pooled Cohort Equations (10-year hard ASCVD)", "2013.1",
        intended_use=("Estimate 10-year risk of a first hard ASCVD event for primary prevention in adults "
                      "40-79 years without clinical ASCVD, to inform a risk discussion (2013 ACC/AHA guideline)."),
        population=("Pooled US cohorts (ARIC, CHS, CARDIA, Framingham original and offspring); non-Hispanic "
                    "white and African-American adults 40-79 without ASCVD."),
        outcome="First hard ASCVD event: nonfatal MI, CHD death, or fatal/nonfatal stroke.",
        horizon="10 years",
        citation=("Goff DC Jr, Lloyd-Jones DM, et al. 2013 ACC/AHA Guideline on the Assessment of Cardiovascular "
                  "Risk. Circulation 2014;129(25 Suppl 2):S49-S73; JACC 2014;63:2935-2959. Table A."),
    )
    c["inputs"] = [
        num("age", "years", 40, 79, "Age", "Goff 2013 (PCE derived for ages 40-79); cerner returns null outside"),
        {"name": "sex", "type": "category", "categories": ["female", "male"], "description": "Sex",
         "encode": {"female": {"female": 1.0}, "male": {}}},
        {"name": "race", "type": "category", "categories": ["white", "black", "other"],
         "description": "Race (PCE only). 'other' uses the white equations, as cerner, ascvd, preventr and "
                        "PooledCohort do.",
         "encode": {"white": {}, "black": {"black": 1.0}, "other": {}}},
        num("total_chol_mgdl", "mg/dL", 130, 320, "Total cholesterol", "cerner validators / PooledCohort checks"),
        num("hdl_mgdl", "mg/dL", 20, 100, "HDL cholesterol", "cerner validators"),
        num("sbp_mmhg", "mm[Hg]", 90, 200, "Systolic blood pressure", "cerner validators / PooledCohort checks"),
        BOOL("bp_treated", "On treatment for high blood pressure"),
        BOOL("smoker", "Current smoker"),
        BOOL("diabetes", "Diabetes"),
    ]
    c["features"] = FEATURES
    c["terms"] = TERMS
    c["constraints"] = [{"type": "less_than", "a": "hdl_mgdl", "b": "total_chol_mgdl",
                         "reason": "HDL cholesterol must be lower than total cholesterol; check the values"}]
    c["output"] = {"name": "value", "unit": "probability", "meaning": "10-year probability of a first hard "
                   "ASCVD event (0-1)."}
    c["explain"] = {"method": "shapley_lp", "reference": REFERENCE,
                    "players": ["age", "total_chol_mgdl", "hdl_mgdl", "sbp_mmhg", "bp_treated", "smoker",
                                "diabetes"],
                    "scale": "log hazard ratio (linear predictor) relative to the Goff Table A example profile "
                             "(55 y, TC 213, HDL 50, untreated SBP 120, non-smoker, no diabetes) of the same sex "
                             "and race; exact Shapley values, so they sum to lp(patient) - lp(reference). "
                             "'terms' gives Table A's coefficient x value column."}
    c["performance"] = {
        "published": "Not transcribed: the guideline's discrimination and calibration figures are not in the "
                     "project's reference material (shared/reference/risk/MODELS.md); see Goff 2013.",
        "verification": "This build reproduces Goff Table A's worked example (2.1 %, 3.0 %, 5.4 % at full "
                        "precision [5.3 % printed from rounded intermediates], 6.1 %)."}
    c["subgroup_differences"] = [
        "Known to over-estimate risk in some populations; race categories other than white and "
        "African-American use the white equations, whose calibration there is not established.",
        "The African-American women equation has large cancelling log terms and is sensitive to coefficient "
        "rounding (Table A vs precise digits differ by up to ~0.2 percentage points at 25 % risk).",
        "Race-based equations: PREVENT (race-free) is the AHA's 2023 successor.",
    ]
    c["implementation_notes"] = ("Precise-digit variant (cerner computeTenYearScore) of Table A. Expected "
                                 "agreement with Table A-coefficient implementations (e.g. preventr pce_model): "
                                 "<= 0.003 absolute risk.")
    # who the equations are for, as data the registry checks against the record (workstation/models/applicability.py)
    c["applicability"] = {"exclude_conditions": [ascvd_exclusion()]}
    return c


def build() -> list[Built]:
    c = card()
    return [Built(c["id"], _graph(c), c)]

"""AHA PREVENT base equations (race-free, sex-specific logistic): 10-year CVD, ASCVD, HF; 30-year CVD, ASCVD.

Source: Khan SS, Matsushita K, Sang Y, et al. Development and Validation of the American Heart Association's
PREVENT Equations. Circulation 2024;149:430-449, doi:10.1161/CIRCULATIONAHA.123.067626, supplemental Excel
file. Coefficients transcribed from ``shared/reference/risk/MODELS.md`` section 2 ("PREVENT base 10yr/30yr"),
which read them from github martingmayer/preventr ``R/sysdata.rda`` and checked them term for term against
github bcjaeger/PooledCohort ``data-raw/coefs_prevent.xlsx``. Predictor transforms from preventr
``R/estimate_risk.R`` (``prep_terms``); cholesterol mmol/L = mg/dL x 0.02586.

``risk = 1 / (1 + exp(-L))``, ``L = sum(beta * x) + Constant``. The spline transforms (min/max) are in the graph,
so the model takes raw mg/dL, mmHg, kg/m2 and mL/min/1.73 m2.
"""
from __future__ import annotations

import numpy as np

from models_onnx.build.common import BOOL, ascvd_exclusion, base_card, num
from models_onnx.build.graph import Built, GraphBuilder

MGDL_TO_MMOL = 0.02586  # preventr R/estimate_risk.R

# Term names, in graph order (30-year models add "age squared" after "age").
T_AGE, T_AGE2 = "age per 10 y", "age squared"
TERM_ORDER = [
    T_AGE, T_AGE2, "non-HDL-C per 1 mmol/L", "HDL-C per 0.3 mmol/L", "SBP <110 per 20 mmHg",
    "SBP >=110 per 20 mmHg", "diabetes", "current smoking", "BMI <30 per 5 kg/m2", "BMI 30+ per 5 kg/m2",
    "eGFR <60 per -15", "eGFR 60+ per -15", "anti-hypertensive use", "statin use", "treated SBP >=110",
    "treated non-HDL-C", "age x non-HDL-C", "age x HDL-C", "age x SBP >=110", "age x diabetes",
    "age x smoking", "age x BMI 30+", "age x eGFR <60",
]

# Columns: F CVD, M CVD, F ASCVD, M ASCVD, F HF, M HF  (CHD and stroke columns of MODELS.md are not built).
# MODELS.md section 2, "PREVENT base 10yr" (Khan 2024 supplement via preventr base_10yr).
BASE_10Y = {
    T_AGE: [0.7939329, 0.7688528, 0.719883, 0.7099847, 0.8998235, 0.8972642],
    "non-HDL-C per 1 mmol/L": [0.0305239, 0.0736174, 0.1176967, 0.1658663, 0, 0],
    "HDL-C per 0.3 mmol/L": [-0.1606857, -0.0954431, -0.151185, -0.1144285, 0, 0],
    "SBP <110 per 20 mmHg": [-0.2394003, -0.4347345, -0.0835358, -0.2837212, -0.4559771, -0.6811466],
    "SBP >=110 per 20 mmHg": [0.3600781, 0.3362658, 0.3592852, 0.3239977, 0.3576505, 0.3634461],
    "diabetes": [0.8667604, 0.7692857, 0.8348585, 0.7189597, 1.038346, 0.923776],
    "current smoking": [0.5360739, 0.4386871, 0.4831078, 0.3956973, 0.583916, 0.5023736],
    "BMI <30 per 5 kg/m2": [0, 0, 0, 0, -0.0072294, -0.0485841],
    "BMI 30+ per 5 kg/m2": [0, 0, 0, 0, 0.2997706, 0.3726929],
    "eGFR <60 per -15": [0.6045917, 0.5378979, 0.4864619, 0.3690075, 0.7451638, 0.6926917],
    "eGFR 60+ per -15": [0.0433769, 0.0164827, 0.0397779, 0.0203619, 0.0557087, 0.0251827],
    "anti-hypertensive use": [0.3151672, 0.288879, 0.2265309, 0.2036522, 0.3534442, 0.2980922],
    "statin use": [-0.1477655, -0.1337349, -0.0592374, -0.0865581, 0, 0],
    "treated SBP >=110": [-0.0663612, -0.0475924, -0.0395762, -0.0322916, -0.0981511, -0.0497731],
    "treated non-HDL-C": [0.1197879, 0.150273, 0.0844423, 0.114563, 0, 0],
    "age x non-HDL-C": [-0.0819715, -0.0517874, -0.0567839, -0.0300005, 0, 0],
    "age x HDL-C": [0.0306769, 0.0191169, 0.0325692, 0.0232747, 0, 0],
    "age x SBP >=110": [-0.0946348, -0.1049477, -0.1035985, -0.0927024, -0.0946663, -0.1289201],
    "age x diabetes": [-0.27057, -0.2251948, -0.2417542, -0.2018525, -0.3581041, -0.3040924],
    "age x smoking": [-0.078715, -0.0895067, -0.0791142, -0.0970527, -0.1159453, -0.1401688],
    "age x BMI 30+": [0, 0, 0, 0, -0.003878, 0.0068126],
    "age x eGFR <60": [-0.1637806, -0.1543702, -0.1671492, -0.1217081, -0.1884289, -0.1797778],
    "constant": [-3.307728, -3.031168, -3.819975, -3.500655, -4.310409, -3.946391],
}
# MODELS.md section 2, "PREVENT base 30yr" (Khan 2024 supplement via preventr base_30yr).
BASE_30Y = {
    T_AGE: [0.5503079, 0.4627309, 0.4669202, 0.3994099, 0.6254374, 0.5681541],
    T_AGE2: [-0.0928369, -0.0984281, -0.0893118, -0.0937484, -0.0983038, -0.1048388],
    "non-HDL-C per 1 mmol/L": [0.0409794, 0.0836088, 0.1256901, 0.1744643, 0, 0],
    "HDL-C per 0.3 mmol/L": [-0.1663306, -0.1029824, -0.1542255, -0.120203, 0, 0],
    "SBP <110 per 20 mmHg": [-0.1628654, -0.2140352, -0.0018093, -0.0665117, -0.3919241, -0.4761564],
    "SBP >=110 per 20 mmHg": [0.3299505, 0.2904325, 0.322949, 0.2753037, 0.3142295, 0.30324],
    "diabetes": [0.6793894, 0.5331276, 0.6296707, 0.4790257, 0.8330787, 0.6840338],
    "current smoking": [0.3196112, 0.2141914, 0.268292, 0.1782635, 0.3438651, 0.2656273],
    "BMI <30 per 5 kg/m2": [0, 0, 0, 0, 0.0594874, 0.0833107],
    "BMI 30+ per 5 kg/m2": [0, 0, 0, 0, 0.2525536, 0.26999],
    "eGFR <60 per -15": [0.1857101, 0.1155556, 0.100106, -0.0218789, 0.2981642, 0.2541805],
    "eGFR 60+ per -15": [0.0553528, 0.0603775, 0.0499663, 0.0602553, 0.0667159, 0.0638923],
    "anti-hypertensive use": [0.2894, 0.232714, 0.1875292, 0.1421182, 0.333921, 0.2583631],
    "statin use": [-0.075688, -0.0272112, 0.0152476, 0.0135996, 0, 0],
    "treated SBP >=110": [-0.056367, -0.0384488, -0.0276123, -0.0218265, -0.0893177, -0.0391938],
    "treated non-HDL-C": [0.1071019, 0.134192, 0.0736147, 0.1013148, 0, 0],
    "age x non-HDL-C": [-0.0751438, -0.0511759, -0.0521962, -0.0312619, 0, 0],
    "age x HDL-C": [0.0301786, 0.0165865, 0.0316918, 0.020673, 0, 0],
    "age x SBP >=110": [-0.0998776, -0.1101437, -0.1046101, -0.0920935, -0.0974299, -0.1269124],
    "age x diabetes": [-0.3206166, -0.2585943, -0.2727793, -0.2159947, -0.404855, -0.3273572],
    "age x smoking": [-0.1607862, -0.1566406, -0.1530907, -0.1548811, -0.1982991, -0.2043019],
    "age x BMI 30+": [0, 0, 0, 0, -0.0035619, -0.0182831],
    "age x eGFR <60": [-0.1450788, -0.1166776, -0.1299149, -0.0712547, -0.1564215, -0.1342618],
    "constant": [-1.318827, -1.148204, -1.974074, -1.736444, -2.205379, -1.95751],
}
OUTCOME_COL = {"cvd": 0, "ascvd": 2, "hf": 4}  # female column; male = +1
OUTCOMES = {
    "cvd": "Total cardiovascular disease: ASCVD (MI, stroke, CHD death) or heart failure.",
    "ascvd": "Atherosclerotic cardiovascular disease: myocardial infarction, stroke, or CHD death.",
    "hf": "Incident heart failure.",
}
# Which raw inputs each term needs.
TERM_NEEDS = {
    "non-HDL-C per 1 mmol/L": {"total_chol_mgdl", "hdl_mgdl"}, "HDL-C per 0.3 mmol/L": {"hdl_mgdl"},
    "BMI <30 per 5 kg/m2": {"bmi"}, "BMI 30+ per 5 kg/m2": {"bmi"}, "statin use": {"statin"},
    "treated non-HDL-C": {"statin", "total_chol_mgdl", "hdl_mgdl"},
    "age x non-HDL-C": {"total_chol_mgdl", "hdl_mgdl"}, "age x HDL-C": {"hdl_mgdl"}, "age x BMI 30+": {"bmi"},
}
ALL_INPUTS = ["age", "total_chol_mgdl", "hdl_mgdl", "sbp_mmhg", "bp_treated", "smoker", "diabetes", "statin",
              "egfr", "bmi"]
# Reference profile for explanations: the centring point of every PREVENT transform (age 55, non-HDL-C
# 3.5 mmol/L, HDL-C 1.3 mmol/L, SBP 130, eGFR 90, BMI 25, no binary factor) - all terms are 0 there.
REFERENCE = {"age": 55.0, "hdl_mgdl": 1.3 / MGDL_TO_MMOL, "total_chol_mgdl": (1.3 + 3.5) / MGDL_TO_MMOL,
             "sbp_mmhg": 130.0, "bp_treated": False, "smoker": False, "diabetes": False, "statin": False,
             "egfr": 90.0, "bmi": 25.0}


def _terms_for(table: dict, outcome: str) -> list[str]:
    """Terms with a non-zero coefficient for this outcome (either sex)."""
    j = OUTCOME_COL[outcome]
    return [t for t in TERM_ORDER if t in table and (table[t][j] != 0 or table[t][j + 1] != 0)]


def _inputs_for(terms: list[str]) -> list[str]:
    needed = {"age", "sbp_mmhg", "bp_treated", "smoker", "diabetes", "egfr"}
    for t in terms:
        needed |= TERM_NEEDS.get(t, set())
    return [i for i in ALL_INPUTS if i in needed]


def _graph(model_id: str, table: dict, outcome: str, card: dict):
    terms = _terms_for(table, outcome)
    features = card["features"]
    g = GraphBuilder(model_id, len(features))
    col = {f: g.col(i) for i, f in enumerate(features)}
    a = g.affine(col["age"], 55.0, 10.0)
    v: dict[str, str] = {T_AGE: a, T_AGE2: g.mul(a, a)}
    if "hdl_mgdl" in col:
        tc, hdl = col.get("total_chol_mgdl"), col["hdl_mgdl"]
        hdl_mmol = g.mul(hdl, g.scalar(MGDL_TO_MMOL))
        v["HDL-C per 0.3 mmol/L"] = g.affine(hdl_mmol, 1.3, 0.3)
        if tc is not None:
            v["non-HDL-C per 1 mmol/L"] = g.sub(g.mul(g.sub(tc, hdl), g.scalar(MGDL_TO_MMOL)), g.scalar(3.5))
    sbp = col["sbp_mmhg"]
    v["SBP <110 per 20 mmHg"] = g.affine(g.op("Min", sbp, g.scalar(110.0)), 110.0, 20.0)
    v["SBP >=110 per 20 mmHg"] = g.affine(g.op("Max", sbp, g.scalar(110.0)), 130.0, 20.0)
    v["diabetes"], v["current smoking"] = col["diabetes"], col["smoker"]
    if "bmi" in col:
        v["BMI <30 per 5 kg/m2"] = g.affine(g.op("Min", col["bmi"], g.scalar(30.0)), 25.0, 5.0)
        v["BMI 30+ per 5 kg/m2"] = g.affine(g.op("Max", col["bmi"], g.scalar(30.0)), 30.0, 5.0)
    v["eGFR <60 per -15"] = g.affine(g.op("Min", col["egfr"], g.scalar(60.0)), 60.0, -15.0)
    v["eGFR 60+ per -15"] = g.affine(g.op("Max", col["egfr"], g.scalar(60.0)), 90.0, -15.0)
    v["anti-hypertensive use"] = col["bp_treated"]
    v["treated SBP >=110"] = g.mul(col["bp_treated"], v["SBP >=110 per 20 mmHg"])
    if "statin" in col:
        v["statin use"] = col["statin"]
        v["treated non-HDL-C"] = g.mul(col["statin"], v["non-HDL-C per 1 mmol/L"])
    for name, other in (("age x non-HDL-C", "non-HDL-C per 1 mmol/L"), ("age x HDL-C", "HDL-C per 0.3 mmol/L"),
                        ("age x SBP >=110", "SBP >=110 per 20 mmHg"), ("age x diabetes", "diabetes"),
                        ("age x smoking", "current smoking"), ("age x BMI 30+", "BMI 30+ per 5 kg/m2"),
                        ("age x eGFR <60", "eGFR <60 per -15")):
        if name in terms:
            v[name] = g.mul(a, v[other])
    x_terms = g.concat([v[t] for t in terms])
    female = col["female"]
    sex = g.concat([female, g.one_minus(female)])                                     # [N, 2]
    j = OUTCOME_COL[outcome]
    coef = np.array([[table[t][j] for t in terms], [table[t][j + 1] for t in terms]])
    term_vals = g.mul(x_terms, g.op("MatMul", sex, g.const(coef)))
    g.identity(term_vals, "terms")
    const = g.op("MatMul", sex, g.const(np.array([[table["constant"][j]], [table["constant"][j + 1]]])))
    lp = g.add(g.rowsum(term_vals), const)
    g.identity(lp, "lp")
    g.op("Sigmoid", lp, out="value")
    return g.model({"value": 1, "lp": 1, "terms": len(terms)}, card)


def _lower_first(text: str) -> str:
    """'Total cardiovascular disease: ASCVD (MI ...' -> 'total cardiovascular disease: ASCVD (MI ...' (acronyms kept)."""
    return text[:1].lower() + text[1:]


def _card(model_id: str, outcome: str, years: int, table: dict) -> dict:
    terms = _terms_for(table, outcome)
    inputs = _inputs_for(terms)
    age_hi = 79 if years == 10 else 59
    c = base_card(
        model_id, f"AHA PREVENT base {years}-year {outcome.upper()} risk", "2024.1",
        intended_use=(f"Estimate {years}-year risk of {_lower_first(OUTCOMES[outcome].rstrip('.'))} for primary "
                      f"prevention in adults {30}-{age_hi} without known cardiovascular disease."),
        population=("Adults 30-79 without known cardiovascular disease in the pooled US cohorts and data sets "
                    "described by Khan 2024; race-free, sex-specific equations."),
        outcome=OUTCOMES[outcome], horizon=f"{years} years",
        citation=("Khan SS, Matsushita K, Sang Y, et al. Development and Validation of the American Heart "
                  "Association's PREVENT Equations. Circulation 2024;149:430-449. "
                  "doi:10.1161/CIRCULATIONAHA.123.067626 (base model, supplemental coefficient file)."),
    )
    specs = {
        "age": num("age", "years", 30, age_hi, "Age",
                   "preventr R/helpers.R (30-79)" if years == 10 else
                   "30-year estimates are given for ages 30-59 (preventr warns above 59); refused above"),
        "total_chol_mgdl": num("total_chol_mgdl", "mg/dL", 130, 320, "Total cholesterol", "preventr R/helpers.R"),
        "hdl_mgdl": num("hdl_mgdl", "mg/dL", 20, 100, "HDL cholesterol", "preventr R/helpers.R"),
        "sbp_mmhg": num("sbp_mmhg", "mm[Hg]", 90, 180, "Systolic blood pressure", "preventr R/helpers.R"),
        "bp_treated": BOOL("bp_treated", "On anti-hypertensive medication"),
        "smoker": BOOL("smoker", "Current smoker"),
        "diabetes": BOOL("diabetes", "Diabetes"),
        "statin": BOOL("statin", "On a statin"),
        "egfr": num("egfr", "mL/min/{1.73_m2}", 15, 140, "eGFR (race-free CKD-EPI 2021)", "preventr R/helpers.R"),
        "bmi": num("bmi", "kg/m2", 18.5, 39.9, "Body-mass index", "preventr R/helpers.R"),
    }
    c["inputs"] = [{"name": "sex", "type": "category", "categories": ["female", "male"], "description": "Sex",
                    "encode": {"female": {"female": 1.0}, "male": {}}}] + [specs[i] for i in inputs]
    c["features"] = inputs + ["female"]
    c["terms"] = terms
    if "hdl_mgdl" in inputs and "total_chol_mgdl" in inputs:
        c["constraints"] = [{"type": "less_than", "a": "hdl_mgdl", "b": "total_chol_mgdl",
                             "reason": "HDL cholesterol must be lower than total cholesterol; check the values"}]
    c["output"] = {"name": "value", "unit": "probability",
                   "meaning": f"{years}-year probability of {_lower_first(OUTCOMES[outcome].split(':')[0])} (0-1)."}
    c["explain"] = {"method": "shapley_lp", "players": inputs, "reference": {i: REFERENCE[i] for i in inputs},
                    "scale": "log-odds relative to the PREVENT centring profile (age 55, non-HDL-C 3.5 mmol/L, "
                             "HDL-C 1.3 mmol/L, SBP 130, eGFR 90, BMI 25, no diabetes/smoking/treatment) of the "
                             "same sex; exact Shapley values, summing to lp(patient) - lp(reference). 'terms' "
                             "gives each coefficient x transformed value."}
    c["performance"] = {
        "published": "Not transcribed: discrimination and calibration figures are not in the project's reference "
                     "material; see Khan 2024 and its supplement.",
        "verification": "Reproduces the supplement's worked example (age 50, TC 200, HDL 45, SBP 160 treated, "
                        "diabetes, non-smoker, eGFR 90, BMI 35) to 4 decimals for both sexes."}
    c["subgroup_differences"] = [
        "Race-free by design; calibration in groups under-represented in the US derivation cohorts (and "
        "outside the US) is not established.",
        "Base model only: UACR, HbA1c and social-deprivation add-on models are not included.",
    ]
    if years == 30:
        c["subgroup_differences"].append("30-year estimates are refused above age 59.")
    # Khan 2024: adults without known cardiovascular disease; clinical ASCVD on record excludes the patient
    # (workstation/models/applicability.py reads this)
    c["applicability"] = {"exclude_conditions": [ascvd_exclusion()]}
    return c


def build() -> list[Built]:
    out = []
    for years, table, outcomes in ((10, BASE_10Y, ("cvd", "ascvd", "hf")), (30, BASE_30Y, ("cvd", "ascvd"))):
        for outcome in outcomes:
            mid = f"prevent_{outcome}_{years}y"
            c = _card(mid, outcome, years, table)
            out.append(Built(mid, _graph(mid, table, outcome, c), c))
    return out

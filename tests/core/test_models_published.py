"""Published equations: worked examples, ONNX == independent NumPy formula (1e-9), refusals, explanations.

The NumPy formulas here are written from MODELS.md independently of the graph builders; they only reuse the
transcribed coefficient tables (a wrong transcription is caught by the worked examples instead).
"""
from __future__ import annotations

import numpy as np
import pytest

from models_onnx.build import iwpc, pce, prevent
from workstation.models import load_registry


@pytest.fixture(scope="module")
def reg():
    r = load_registry()
    assert not r.problems, r.problems
    return r


RNG = np.random.default_rng(20240601)

# --- PCE ------------------------------------------------------------------------------------------------------
GOFF = dict(age=55, total_chol_mgdl=213, hdl_mgdl=50, sbp_mmhg=120, bp_treated=False, smoker=False, diabetes=False)


@pytest.mark.parametrize("sex,race,published,full", [
    ("female", "white", 0.021, 0.0205), ("female", "black", 0.030, 0.0300),
    ("male", "white", 0.053, 0.0538), ("male", "black", 0.061, 0.0606)])
def test_pce_goff_table_a(reg, sex, race, published, full):
    s = reg.score("pce2013_ascvd_10y", dict(GOFF, sex=sex, race=race))
    assert s.refused is None
    assert abs(s.value - full) < 0.0005                 # full-precision recomputation (MODELS.md)
    tol = 0.0015 if (sex, race) == ("male", "white") else 0.0006   # Table A printed 5.3 % from rounded sums
    assert abs(s.value - published) < tol


def test_pce_other_race_uses_white_equations(reg):
    a = reg.score("pce2013_ascvd_10y", dict(GOFF, sex="male", race="other")).value
    b = reg.score("pce2013_ascvd_10y", dict(GOFF, sex="male", race="white")).value
    assert a == b


def test_pce_black_women_precision_trap(reg):
    # MODELS.md: 50 y woman, SBP 160 treated, TC 200, HDL 45, diabetes: 24.32 % (precise) vs 24.48 % (Table A)
    s = reg.score("pce2013_ascvd_10y", dict(age=50, sex="female", race="black", total_chol_mgdl=200, hdl_mgdl=45,
                                            sbp_mmhg=160, bp_treated=True, smoker=False, diabetes=True))
    assert abs(s.value - 0.2432) < 0.0003
    assert abs(s.value - 0.245) < 0.003                 # preventr's Table A-coefficient vector, within 0.003


def _pce_numpy(x: dict) -> float:
    key = ("white" if x["race"] != "black" else "black") + "_" + x["sex"]
    c = dict(zip(pce.TERMS, pce.COEF[key]))
    la, lt, lh, ls = np.log([x["age"], x["total_chol_mgdl"], x["hdl_mgdl"], x["sbp_mmhg"]])
    trt, smk, dm = float(x["bp_treated"]), float(x["smoker"]), float(x["diabetes"])
    s = (c["ln age"] * la + c["ln age squared"] * la ** 2 + c["ln total cholesterol"] * lt
         + c["ln age x ln total cholesterol"] * la * lt + c["ln HDL-C"] * lh + c["ln age x ln HDL-C"] * la * lh
         + trt * (c["ln treated SBP"] * ls + c["ln age x ln treated SBP"] * la * ls)
         + (1 - trt) * (c["ln untreated SBP"] * ls + c["ln age x ln untreated SBP"] * la * ls)
         + c["current smoker"] * smk + c["ln age x current smoker"] * la * smk + c["diabetes"] * dm)
    return 1 - pce.S10[key] ** np.exp(s - pce.MEAN[key])


def _random_cv(age=(40, 79), sbp=(90, 200)) -> dict:
    tc = RNG.uniform(130, 320)
    return dict(age=RNG.uniform(*age), sex=RNG.choice(["female", "male"]), race=RNG.choice(["white", "black", "other"]),
                total_chol_mgdl=tc, hdl_mgdl=RNG.uniform(20, min(100, tc - 1)), sbp_mmhg=RNG.uniform(*sbp),
                bp_treated=bool(RNG.integers(2)), smoker=bool(RNG.integers(2)), diabetes=bool(RNG.integers(2)),
                statin=bool(RNG.integers(2)), egfr=RNG.uniform(15, 140), bmi=RNG.uniform(18.5, 39.9))


def test_pce_onnx_matches_numpy(reg):
    for _ in range(300):
        x = _random_cv()
        assert abs(reg.score("pce2013_ascvd_10y", x, explain=False).value - _pce_numpy(x)) < 1e-9


@pytest.mark.parametrize("change,word", [({"age": 39}, "age"), ({"age": 80}, "age"),
                                         ({"total_chol_mgdl": 129}, "total_chol_mgdl"),
                                         ({"total_chol_mgdl": 321}, "total_chol_mgdl"), ({"hdl_mgdl": 19}, "hdl_mgdl"),
                                         ({"sbp_mmhg": 201}, "sbp_mmhg"), ({"race": "martian"}, "race"),
                                         ({"smoker": "maybe"}, "smoker"), ({"diabetes": None}, "missing diabetes")])
def test_pce_refuses_out_of_domain(reg, change, word):
    s = reg.score("pce2013_ascvd_10y", {**GOFF, "sex": "male", "race": "white", **change})
    assert s.value is None and word in s.refused


def test_pce_explanation_is_exact(reg):
    x = dict(age=62, sex="female", race="black", total_chol_mgdl=240, hdl_mgdl=38, sbp_mmhg=150, bp_treated=True,
             smoker=True, diabetes=True)
    s = reg.score("pce2013_ascvd_10y", x)
    assert abs(s.baseline + sum(s.contributions.values()) - s.extra["lp"]) < 1e-9
    # Goff's "coefficient x value" column sums to IndSum = lp + mean
    assert abs(sum(s.terms.values()) - pce.MEAN["black_female"] - s.extra["lp"]) < 1e-9
    # additive, non-interacting input: its Shapley value is its term (diabetes coefficient)
    assert abs(s.contributions["diabetes"] - pce.COEF["black_female"][12]) < 1e-12


# --- PREVENT ----------------------------------------------------------------------------------------------------
KHAN = dict(age=50, total_chol_mgdl=200, hdl_mgdl=45, sbp_mmhg=160, bp_treated=True, diabetes=True, smoker=False,
            statin=False, egfr=90, bmi=35)
KHAN_EXPECTED = {  # MODELS.md section 2 (Khan supplement worked example; PooledCohort / preventr tests)
    "prevent_cvd_10y": (0.1468, 0.1632), "prevent_ascvd_10y": (0.0920, 0.1019), "prevent_hf_10y": (0.0806, 0.1059),
    "prevent_cvd_30y": (0.530, 0.514), "prevent_ascvd_30y": (0.354, 0.349),
}


@pytest.mark.parametrize("model_id", sorted(KHAN_EXPECTED))
@pytest.mark.parametrize("sex", ["female", "male"])
def test_prevent_supplement_example(reg, model_id, sex):
    expected = KHAN_EXPECTED[model_id][0 if sex == "female" else 1]
    s = reg.score(model_id, dict(KHAN, sex=sex))
    digits = 4 if model_id.endswith("10y") else 3
    assert round(s.value, digits) == pytest.approx(expected, abs=1e-12)


def _prevent_numpy(model_id: str, x: dict) -> float:
    table = prevent.BASE_10Y if model_id.endswith("10y") else prevent.BASE_30Y
    j = prevent.OUTCOME_COL[model_id.split("_")[1]] + (0 if x["sex"] == "female" else 1)
    b = {k: v[j] for k, v in table.items()}
    a = (x["age"] - 55) / 10
    nh = (x["total_chol_mgdl"] - x["hdl_mgdl"]) * 0.02586 - 3.5
    hd = (x["hdl_mgdl"] * 0.02586 - 1.3) / 0.3
    s_lo, s_hi = (min(x["sbp_mmhg"], 110) - 110) / 20, (max(x["sbp_mmhg"], 110) - 130) / 20
    b_lo, b_hi = (min(x["bmi"], 30) - 25) / 5, (max(x["bmi"], 30) - 30) / 5
    e_lo, e_hi = (min(x["egfr"], 60) - 60) / -15, (max(x["egfr"], 60) - 90) / -15
    dm, sm, tx, st = (float(x[k]) for k in ("diabetes", "smoker", "bp_treated", "statin"))
    lp = (b["age per 10 y"] * a + b.get("age squared", 0) * a * a + b["non-HDL-C per 1 mmol/L"] * nh
          + b["HDL-C per 0.3 mmol/L"] * hd + b["SBP <110 per 20 mmHg"] * s_lo + b["SBP >=110 per 20 mmHg"] * s_hi
          + b["diabetes"] * dm + b["current smoking"] * sm + b["BMI <30 per 5 kg/m2"] * b_lo
          + b["BMI 30+ per 5 kg/m2"] * b_hi + b["eGFR <60 per -15"] * e_lo + b["eGFR 60+ per -15"] * e_hi
          + b["anti-hypertensive use"] * tx + b["statin use"] * st + b["treated SBP >=110"] * tx * s_hi
          + b["treated non-HDL-C"] * st * nh + b["age x non-HDL-C"] * a * nh + b["age x HDL-C"] * a * hd
          + b["age x SBP >=110"] * a * s_hi + b["age x diabetes"] * a * dm + b["age x smoking"] * a * sm
          + b["age x BMI 30+"] * a * b_hi + b["age x eGFR <60"] * a * e_lo + b["constant"])
    return 1 / (1 + np.exp(-lp))


@pytest.mark.parametrize("model_id", sorted(KHAN_EXPECTED))
def test_prevent_onnx_matches_numpy(reg, model_id):
    hi = 79 if model_id.endswith("10y") else 59
    for _ in range(150):
        x = _random_cv(age=(30, hi), sbp=(90, 180))
        s = reg.score(model_id, x, explain=False)
        assert abs(s.value - _prevent_numpy(model_id, x)) < 1e-9


@pytest.mark.parametrize("model_id,change,word", [
    ("prevent_cvd_10y", {"age": 29}, "age"), ("prevent_cvd_10y", {"sbp_mmhg": 181}, "sbp_mmhg"),
    ("prevent_cvd_10y", {"egfr": 14}, "egfr"), ("prevent_hf_10y", {"bmi": 40}, "bmi"),
    ("prevent_hf_10y", {"bmi": 18.4}, "bmi"), ("prevent_cvd_30y", {"age": 60}, "age"),
    ("prevent_ascvd_10y", {"statin": None}, "missing statin")])
def test_prevent_refuses_out_of_domain(reg, model_id, change, word):
    s = reg.score(model_id, {**KHAN, "sex": "female", **change})
    assert s.value is None and word in s.refused


def test_prevent_explanation(reg):
    s = reg.score("prevent_cvd_10y", dict(KHAN, sex="male", smoker=True))
    assert abs(s.baseline - prevent.BASE_10Y["constant"][1]) < 1e-9   # all terms vanish at the centring profile
    assert abs(s.baseline + sum(s.contributions.values()) - s.extra["lp"]) < 1e-9
    assert set(s.contributions) == {"age", "total_chol_mgdl", "hdl_mgdl", "sbp_mmhg", "bp_treated", "smoker",
                                    "diabetes", "statin", "egfr"}


# --- IWPC -------------------------------------------------------------------------------------------------------
BASE = dict(age_years=65, height_cm=170, weight_kg=70, race="white", vkorc1_rs9923231="G/G", cyp2c9="*1/*1",
            enzyme_inducer=False, amiodarone=False)


@pytest.mark.parametrize("change,sqrt_dose,weekly", [  # MODELS.md 9.1 worked examples E1-E5
    ({}, 6.4110, 41.10), ({"vkorc1_rs9923231": "A/G"}, 5.5433, 30.73),
    ({"vkorc1_rs9923231": "A/A", "cyp2c9": "*3/*3"}, 2.3824, 5.68),
    ({"race": "asian", "vkorc1_rs9923231": "A/G", "cyp2c9": "*1/*3", "amiodarone": True}, 3.9481, 15.59),
    ({"age_years": 55, "height_cm": 180, "weight_kg": 90, "race": "black", "vkorc1_rs9923231": "unknown",
      "cyp2c9": "unknown", "enzyme_inducer": True}, 7.2168, 52.08)])
def test_iwpc_examples(reg, change, sqrt_dose, weekly):
    s = reg.score("iwpc_warfarin_weekly_dose", dict(BASE, **change))
    assert s.extra["lp"] == pytest.approx(sqrt_dose, abs=5e-5)
    assert round(s.value, 2) == pytest.approx(weekly, abs=1e-9)
    assert s.extra["daily_mg"] == pytest.approx(s.value / 7)


def test_iwpc_clinical_example(reg):
    s = reg.score("iwpc_warfarin_clinical_weekly_dose", BASE)
    assert s.extra["lp"] == pytest.approx(5.4540, abs=5e-5) and round(s.value, 2) == 29.75


def _iwpc_numpy(x: dict, clinical: bool = False) -> float:
    coef, icpt = (iwpc.CL_COEF, iwpc.CL_INTERCEPT) if clinical else (iwpc.PG_COEF, iwpc.PG_INTERCEPT)
    v = icpt + coef["age in decades"] * np.floor(x["age_years"] / 10) + coef["height (cm)"] * x["height_cm"] \
        + coef["weight (kg)"] * x["weight_kg"]
    v += {"white": 0, "asian": coef["Asian race"], "black": coef["Black or African American"],
          "mixed_or_missing": coef["missing or mixed race"]}[x["race"]]
    if not clinical:
        v += {"G/G": 0, "A/G": coef["VKORC1 A/G"], "A/A": coef["VKORC1 A/A"],
              "unknown": coef["VKORC1 unknown"]}[x["vkorc1_rs9923231"]]
        v += 0 if x["cyp2c9"] == "*1/*1" else coef[f"CYP2C9 {x['cyp2c9']}"]
    v += coef["enzyme inducer"] * x["enzyme_inducer"] + coef["amiodarone"] * x["amiodarone"]
    return v * v


@pytest.mark.parametrize("clinical", [False, True])
def test_iwpc_onnx_matches_numpy(reg, clinical):
    mid = "iwpc_warfarin_clinical_weekly_dose" if clinical else "iwpc_warfarin_weekly_dose"
    for _ in range(200):
        x = dict(age_years=RNG.uniform(18, 100), height_cm=RNG.uniform(140, 200), weight_kg=RNG.uniform(40, 150),
                 race=RNG.choice(["white", "asian", "black", "mixed_or_missing"]),
                 vkorc1_rs9923231=RNG.choice(["G/G", "A/G", "A/A", "unknown"]),
                 cyp2c9=RNG.choice(["*1/*1", "*1/*2", "*1/*3", "*2/*2", "*2/*3", "*3/*3", "unknown"]),
                 enzyme_inducer=bool(RNG.integers(2)), amiodarone=bool(RNG.integers(2)))
        s = reg.score(mid, x, explain=False)
        if s.refused:                                           # only when sqrt dose <= 0
            assert "no valid dose" in s.refused
            continue
        assert abs(s.value - _iwpc_numpy(x, clinical)) < 1e-9


def test_iwpc_refusals_and_defaults(reg):
    assert "height_cm" in reg.score("iwpc_warfarin_weekly_dose", dict(BASE, height_cm=300)).refused
    assert "cyp2c9 must be one of" in reg.score("iwpc_warfarin_weekly_dose", dict(BASE, cyp2c9="*1/*5")).refused
    s = reg.score("iwpc_warfarin_weekly_dose", {k: v for k, v in BASE.items() if k not in ("cyp2c9", "race")})
    assert s.refused is None and set(s.defaults_used) == {"cyp2c9", "race"}
    assert s.inputs_used["cyp2c9"] == "unknown" and s.inputs_used["race"] == "mixed_or_missing"
    # allele order does not matter
    assert reg.score("iwpc_warfarin_weekly_dose", dict(BASE, cyp2c9="*3/*1")).inputs_used["cyp2c9"] == "*1/*3"


def test_iwpc_contributions_sum_to_sqrt_dose(reg):
    s = reg.score("iwpc_warfarin_weekly_dose", dict(BASE, vkorc1_rs9923231="A/A", cyp2c9="*2/*3"))
    assert abs(s.baseline + sum(s.contributions.values()) - s.extra["lp"]) < 1e-12
    assert s.contributions["cyp2c9"] == pytest.approx(-1.9206)


# --- FINDRISC ---------------------------------------------------------------------------------------------------
def _findrisc_numpy(x: dict) -> int:
    age = int(np.floor(x["age"]))
    p = 0 if age < 45 else 2 if age < 55 else 3 if age < 65 else 4
    p += 0 if x["bmi"] < 25 else 1 if x["bmi"] <= 30 else 3
    lo, hi = (80, 88) if x["sex"] == "female" else (94, 102)
    p += 0 if x["waist_cm"] < lo else 3 if x["waist_cm"] <= hi else 4
    p += 0 if x["physically_active_daily"] else 2
    p += 0 if x["vegetables_daily"] else 1
    p += 2 * x["antihypertensive_ever"] + 5 * x["high_glucose_ever"]
    p += {"none": 0, "second_degree": 3, "first_degree": 5}[x["family_diabetes"]]
    return p


def test_findrisc_matches_numpy_and_bands(reg):
    bands = ["low", "slightly elevated", "moderate", "high", "very high"]
    for _ in range(400):
        x = dict(age=float(RNG.integers(18, 90)), sex=RNG.choice(["female", "male"]), bmi=RNG.uniform(18, 45),
                 waist_cm=float(RNG.integers(60, 130)), physically_active_daily=bool(RNG.integers(2)),
                 vegetables_daily=bool(RNG.integers(2)), antihypertensive_ever=bool(RNG.integers(2)),
                 high_glucose_ever=bool(RNG.integers(2)),
                 family_diabetes=RNG.choice(["none", "second_degree", "first_degree"]))
        s = reg.score("findrisc_t2d", x)
        p = _findrisc_numpy(x)
        assert s.value == p and sum(s.contributions.values()) == p
        band = 0 if p < 7 else 1 if p < 12 else 2 if p < 15 else 3 if p < 21 else 4
        assert s.band == bands[band]


def test_findrisc_boundaries(reg):
    x = dict(age=44, sex="male", bmi=25, waist_cm=94, physically_active_daily=True, vegetables_daily=True,
             antihypertensive_ever=False, high_glucose_ever=False, family_diabetes="none")
    s = reg.score("findrisc_t2d", x)
    assert s.contributions["age"] == 0 and s.contributions["bmi"] == 1 and s.contributions["waist_cm"] == 3
    s = reg.score("findrisc_t2d", dict(x, age=45, bmi=30.0, waist_cm=102.0, sex="male"))
    assert (s.contributions["age"], s.contributions["bmi"], s.contributions["waist_cm"]) == (2, 1, 3)
    s = reg.score("findrisc_t2d", dict(x, age=65, bmi=30.1, waist_cm=88.5, sex="female"))
    assert (s.contributions["age"], s.contributions["bmi"], s.contributions["waist_cm"]) == (4, 3, 4)
    assert "missing vegetables_daily" in reg.score("findrisc_t2d", dict(x, vegetables_daily=None)).refused

"""The trained flchain mortality model: the shipped ONNX judged on the public cohort with scikit-survival's own
metrics, ONNX = numpy, the exact-optimum fit, the survival numerics against scikit-survival, and the patient path
(kappa/lambda units, MGUS, applicability, subgroup rows, cohort gaps, interval)."""
from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pandas as pd
import pytest


from models_onnx.build import cox_onnx, survival as sv, trained_flchain as fl
from tests.core.models_support import make_profile, obs
from workstation.models import load_registry, score_all
from workstation.models.profile_inputs import gather_facts

MODELS_DIR = Path(fl.__file__).resolve().parents[1]
ONNX = MODELS_DIR / f"{fl.MODEL_ID}.onnx"


@pytest.fixture(scope="module")
def cohort():
    return fl.load()


@pytest.fixture(scope="module")
def shipped(cohort):
    sess = ort.InferenceSession(str(ONNX), providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    return dict(zip(names, sess.run(names, {"x": cohort.x})))


@pytest.fixture(scope="module")
def reg():
    return load_registry(MODELS_DIR)


def test_shipped_model_meets_the_acceptance_figures_on_the_held_out_split(cohort, shipped):
    """Independent of the build's own evaluator: scikit-survival's metrics on the shipped file's outputs."""
    from sksurv.linear_model import CoxPHSurvivalAnalysis
    from sksurv.metrics import concordance_index_censored, cumulative_dynamic_auc
    from sksurv.nonparametric import kaplan_meier_estimator
    from sksurv.util import Surv

    te, tr = cohort.test, cohort.train
    y_tr = Surv.from_arrays(cohort.event[tr], cohort.time[tr])
    y_te = Surv.from_arrays(cohort.event[te], cohort.time[te])
    lp, risk = shipped["lp"][te, 0], shipped["value"][te, 0]
    c = concordance_index_censored(cohort.event[te], cohort.time[te], lp)[0]
    auc = cumulative_dynamic_auc(y_tr, y_te, lp, [fl.HORIZON_DAYS])[0][0]
    t, s = kaplan_meier_estimator(cohort.event[te], cohort.time[te])
    o_e = (1 - s[t <= fl.HORIZON_DAYS][-1]) / risk.mean()
    slope = CoxPHSurvivalAnalysis(ties="breslow").fit(lp[:, None], y_te).coef_[0]
    assert c >= 0.78 and auc >= 0.82
    assert 0.90 <= o_e <= 1.10 and 0.90 <= slope <= 1.10
    male = cohort.x[te, 1] == 1
    for rows in (male, ~male):
        assert concordance_index_censored(cohort.event[te][rows], cohort.time[te][rows], lp[rows])[0] >= 0.77
    # the card reports the same figures, and the gain over age + sex has a CI above 0
    card = json.loads((MODELS_DIR / f"{fl.MODEL_ID}.json").read_text())
    perf = card["performance"]["held_out"]
    assert perf["model"]["harrell_c"]["est"] == round(c, 4)
    assert perf["model"]["td_auc_10y"]["est"] == round(auc, 4)
    assert perf["delta_c_vs_age_sex"]["ci95"][0] > 0
    assert 0.90 <= perf["model"]["ipcw_logistic_calibration"]["slope"] <= 1.10      # the other slope definition
    assert {r["label"] for r in card["subgroups"]} >= {"female", "male", "age 50-59", "age 80 and over", "MGUS"}
    assert all(r["n"] > 0 and len(r["harrell_c"]["ci95"]) == 2 for r in card["subgroups"])


def test_every_cohort_row_is_inside_the_card_domain_and_scores_as_the_onnx_file(cohort, shipped, reg):
    rows = cohort.test[::7]
    for i in rows:
        a, male, k, lam, cr, mg = cohort.x[i]
        s = reg.score(fl.MODEL_ID, {"age": a, "sex": "male" if male else "female", "kappa_mg_dl": k,
                                    "lambda_mg_dl": lam, "creatinine_mg_dl": cr, "mgus": bool(mg)}, explain=False)
        assert s.ok, s.refused
        assert s.value == pytest.approx(shipped["value"][i, 0], abs=1e-12)


def test_onnx_equals_the_numpy_model_and_the_interval_brackets_the_estimate(cohort, shipped):
    p = fl.fit(cohort)
    ref = cox_onnx.predict(p, cohort.x)
    for k in ("value", "lp", "terms", "value_lo", "value_hi"):
        assert np.max(np.abs(shipped[k] - ref[k])) < 1e-9, k
    assert np.all(shipped["value_lo"] <= shipped["value_hi"])
    inside = (shipped["value_lo"] <= shipped["value"] + 1e-12) & (shipped["value"] <= shipped["value_hi"] + 1e-12)
    assert inside.mean() > 0.95
    assert np.allclose(shipped["terms"].sum(axis=1, keepdims=True), shipped["lp"], atol=1e-12)


def test_fit_is_the_penalised_optimum_and_matches_scikit_survival(cohort):
    p = fl.fit(cohort, n_boot=1)
    f = cohort.x[cohort.train].copy()
    f[:, fl.LOG_COLS] = np.log(f[:, fl.LOG_COLS])
    z = (f - p.mean) / p.sd
    s = sv._sorted(cohort.time[cohort.train], cohort.event[cohort.train])
    _, grad, _ = sv._loglik_parts(z[s.order], s, np.ones(len(z)), p.beta)
    assert np.max(np.abs(grad - fl.LAM * p.beta)) < 1e-5       # only the 10-digit rounding is left
    from sksurv.linear_model import CoxPHSurvivalAnalysis
    from sksurv.util import Surv

    y = Surv.from_arrays(cohort.event[cohort.train], cohort.time[cohort.train])
    unpenalised = sv.cox_fit(z, cohort.time[cohort.train], cohort.event[cohort.train])
    assert np.allclose(CoxPHSurvivalAnalysis(ties="breslow").fit(z, y).coef_, unpenalised, atol=1e-7)


def test_survival_numerics_equal_scikit_survival_and_weights_equal_resampling(cohort):
    from sksurv.metrics import concordance_index_censored, cumulative_dynamic_auc
    from sksurv.nonparametric import CensoringDistributionEstimator, kaplan_meier_estimator
    from sksurv.util import Surv

    te = cohort.test
    t, e = cohort.time[te], cohort.event[te]
    y_tr = Surv.from_arrays(cohort.event[cohort.train], cohort.time[cohort.train])
    risk = np.round(cohort.x[te, 0] + 3 * np.log(cohort.x[te, 2]), 1)       # rounded: many tied scores
    ev = sv.Evaluator(t, e, fl.HORIZON_DAYS, CensoringDistributionEstimator().fit(y_tr)
                      .predict_ipcw(Surv.from_arrays(e, t)))
    draw = np.random.default_rng(11).integers(0, len(te), len(te))
    w = np.bincount(draw, minlength=len(te)).astype(float)[None, :]
    for rows, weights in ((np.arange(len(te)), None), (draw, w)):
        assert ev.harrell(risk, weights)[0] == pytest.approx(
            concordance_index_censored(e[rows], t[rows], risk[rows])[0], abs=1e-12)
        assert ev.td_auc(risk, weights)[0] == pytest.approx(cumulative_dynamic_auc(
            y_tr, Surv.from_arrays(e[rows], t[rows]), risk[rows], [fl.HORIZON_DAYS])[0][0], abs=1e-12)
        km_t, km_s = kaplan_meier_estimator(e[rows], t[rows])
        got = sv.km_risk(t, e, fl.HORIZON_DAYS, weights)
        assert float(np.ravel(got)[0]) == pytest.approx(1 - km_s[km_t <= fl.HORIZON_DAYS][-1], abs=1e-12)


# --- the patient path -------------------------------------------------------------------------------------------
def _profile(kappa=(14.0, "mg/L"), lam=(16.0, "mg/L"), *, born=date(1950, 3, 1), conditions=(), race=None):
    o = [obs("2160-0", 0.9, "mg/dL", "2026-05-01")]
    if kappa:
        o.append(obs("36916-5", kappa[0], kappa[1], "2026-05-01", display="Kappa light chains.free"))
    if lam:
        o.append(obs("33944-0", lam[0], lam[1], "2026-05-01", display="Lambda light chains.free"))
    return make_profile(birth_date=born, sex="female", as_of=datetime(2026, 6, 1), observations=o,
                        conditions=list(conditions), race=race)


def _flc(profile, reg):
    return next(s for s in score_all(profile, registry=reg) if s.model == fl.MODEL_ID)


def test_kappa_lambda_in_mg_per_litre_are_converted_and_scored_with_interval_and_subgroups(reg):
    s = _flc(_profile(), reg)
    assert s.refused is None and s.inputs_used["kappa_mg_dl"] == pytest.approx(1.4)
    assert s.inputs_used["lambda_mg_dl"] == pytest.approx(1.6) and s.inputs_used["mgus"] is False
    same = _flc(_profile(kappa=(1.4, "mg/dL"), lam=(1.6, "mg/dL")), reg)
    assert same.value == pytest.approx(s.value, abs=1e-12)
    assert s.interval[0] < s.value < s.interval[1] and s.interval_level == 0.95
    assert [r["label"] for r in s.subgroups] == ["female", "age 70-79", "creatinine 1.2 mg/dL or less", "no MGUS"]
    assert any("no race, ethnicity or ancestry" in n for n in s.cohort_notes)
    assert not any("record gives a race" in n for n in s.cohort_notes)
    with_race = _flc(_profile(race="Black or African American"), reg)
    assert any("record gives a race" in n for n in with_race.cohort_notes)
    assert s.sources["kappa_mg_dl"]["unit"] == "mg/L" and s.sources["kappa_mg_dl"]["value"] == 14.0
    assert abs(s.baseline + sum(s.contributions.values()) - s.value) < 1e-12


@pytest.mark.parametrize("unit", ["", None, "mg"])
def test_a_light_chain_without_a_known_unit_is_refused_with_the_reason(reg, unit):
    s = _flc(_profile(kappa=(14.0, unit)), reg)
    assert s.value is None and s.applicable
    assert "kappa" in s.refused and "not used" in s.refused
    if not unit:
        assert "no unit" in s.refused and "83 %" in s.refused


def test_mgus_from_conditions_and_patients_the_model_does_not_cover(reg):
    mgus = {"code_system": "http://snomed.info/sct", "code": "277577000", "clinical_status": "active",
            "display": "Monoclonal gammopathy of uncertain significance (disorder)",
            "onset": pd.Timestamp("2020-01-01"), "resource_id": "c-mgus"}
    s = _flc(_profile(conditions=[mgus]), reg)
    assert s.inputs_used["mgus"] is True and "MGUS" in [r["label"] for r in s.subgroups]
    assert s.sources["mgus"]["code"] == "277577000"
    assert any(r.get("note", "").startswith("only") for r in s.subgroups if r["label"] == "MGUS")
    young = _flc(_profile(born=date(1990, 1, 1)), reg)
    assert not young.applicable and "ages 50-101" in young.refused
    none = _flc(_profile(kappa=None, lam=None), reg)
    assert not none.applicable and "no serum free light chain" in none.refused


def test_gather_facts_reads_the_lab_codes(reg):
    pf = gather_facts(_profile(kappa=(0.7, "mg/dL")))
    assert pf.facts["kappa_mg_dl"].value == 0.7 and pf.facts["kappa_mg_dl"].source["code"] == "36916-5"
    assert pf.facts["creatinine_mg_dl"].value == 0.9


def test_report_row_fhir_note_and_json_carry_the_interval_and_cohort(reg):
    from workstation.exchange.fhir_export import score_observation
    from workstation.report.deid import When
    from workstation.report.risk_part import risk_section

    scores = score_all(_profile(race="White"), registry=reg)
    s = next(x for x in scores if x.model == fl.MODEL_ID)
    lo, hi = (f"{v * 100:.1f}" for v in s.interval)
    section = risk_section(scores, reg, When(datetime(2026, 6, 1), deidentify=False))
    row = next(r for r in section.scores if r.model_id == fl.MODEL_ID)
    assert f"({lo}–{hi} %)" in row.result
    assert any(n.startswith("Free light chain mortality model: bracketed range = 95 % interval") and
               "no race or ancestry recorded" in n for n in section.notes)
    note = score_observation(s, "urn:uuid:x", "2026-06-01")["note"][0]["text"]
    assert f"95 % interval {lo}–{hi} %" in note and "held-out subgroup female" in note
    assert "no race, ethnicity or ancestry" in note
    d = s.to_dict()
    assert d["interval"] == s.interval and d["subgroups"] and d["cohort_notes"] and d["category"] == "clinical"

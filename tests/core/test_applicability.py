"""Model applicability as data: clinical ASCVD on record refuses PCE and PREVENT, breast-cancer scores refuse
non-female patients, and the reason names the record row and the source of the code list."""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from tests.core.models_support import make_profile, obs
from workstation.models import load_registry, score_all

ASCVD_MODELS = ("pce2013_ascvd_10y", "prevent_ascvd_10y", "prevent_cvd_10y", "prevent_hf_10y", "prevent_cvd_30y",
                "prevent_ascvd_30y")


@pytest.fixture(scope="module")
def reg():
    return load_registry()


def _profile(sex="female", conditions=(), pid="app1"):
    labs = [obs("2093-3", 200, "mg/dL", "2024-01-10"), obs("2085-9", 45, "mg/dL", "2024-01-10"),
            obs("8480-6", 140, "mm[Hg]", "2024-05-01"), obs("39156-5", 28, "kg/m2", "2024-05-01"),
            obs("33914-3", 90, "mL/min/{1.73_m2}", "2024-05-01"),
            dict(obs("72166-2", float("nan"), None, "2024-05-01", text="Never smoker"), value_num=None)]
    return make_profile(birth_date=date(1969, 3, 1), sex=sex, as_of=datetime(2024, 6, 1), pid=pid, race="White",
                        observations=labs, conditions=list(conditions))


def _cond(system, code, display):
    return {"code_system": system, "code": code, "display": display, "clinical_status": "resolved",
            "onset": pd.Timestamp("2019-04-02"), "resource_id": f"c-{code}"}


def test_without_ascvd_the_primary_prevention_models_score(reg):
    s = {x.model: x for x in score_all(_profile(), registry=reg)}
    for m in ASCVD_MODELS[1:4]:
        assert s[m].applicable and s[m].value is not None, m


@pytest.mark.parametrize("system,code,display", [
    ("http://snomed.info/sct", "53741008", "Coronary Heart Disease"),
    ("http://snomed.info/sct", "230690007", "Stroke"),
    ("http://hl7.org/fhir/sid/icd-10-cm", "I25.10", "Atherosclerotic heart disease of native coronary artery"),
])
def test_clinical_ascvd_refuses_pce_and_prevent_with_the_record_row(reg, system, code, display):
    s = {x.model: x for x in score_all(_profile(conditions=[_cond(system, code, display)]), registry=reg)}
    for m in ASCVD_MODELS:
        assert s[m].applicable is False and s[m].value is None, m
        assert display in s[m].refused and code in s[m].refused and "Stone NJ" in s[m].refused, s[m].refused
    assert s["flchain_mortality_10y"].refused is None or "ASCVD" not in s["flchain_mortality_10y"].refused


def test_unrelated_condition_does_not_refuse(reg):
    s = {x.model: x for x in score_all(_profile(conditions=[_cond("http://snomed.info/sct", "38341003",
                                                                    "Hypertension")]), registry=reg)}
    assert s["prevent_cvd_10y"].value is not None


def test_breast_cancer_scores_refuse_a_man(reg):
    s = {x.model: x for x in score_all(_profile(sex="male", pid="app2"), registry=reg)}
    for m in ("prs_pgs000001_breast_cancer", "gail_bcrat"):
        assert s[m].applicable is False and "female patients only" in s[m].refused, s[m].refused
    cards = {m: reg.card(m)["applicability"] for m in ("prs_pgs000001_breast_cancer", "gail_bcrat")}
    assert all(c["sex"] == ["female"] for c in cards.values())


def test_the_report_shows_the_refusal_with_its_reason(reg):
    from workstation.analysis import analyse
    from workstation.report import build_report_from

    p = _profile(conditions=[_cond("http://snomed.info/sct", "53741008", "Coronary Heart Disease")], pid="app3")
    a = analyse(p, registry=reg)
    content = build_report_from(p, a.pgx, list(a.alerts), list(a.recommendations), list(a.scores), registry=reg)
    shown = [t for t in content.risk.not_applicable if "Pooled Cohort" in t or "PREVENT" in t]
    assert len(shown) >= 2 and all("Coronary Heart Disease (SNOMED CT 53741008" in t for t in shown), shown
    assert not any(r.model_id.startswith(("pce", "prevent")) for r in content.risk.scores)

"""Risk view: a model's score and basis, a refusal with its reason, and live what-if re-scoring (pytest-qt).

Runs on the real synthetic demo cohort and the real ONNX registry; expected numbers come from the core registry
called directly with the same inputs, so the test checks that the view shows what the core computes.
"""
from __future__ import annotations

import shutil

import pytest


from tests.conftest import DEMO_PASSPHRASE as PASSPHRASE
PATIENT = "demo-0001"


@pytest.fixture
def view(session, prefs, demo_template, tmp_path, qtbot):
    from ui.views.risk_view import RiskView

    dst = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, dst)
    shutil.copy(str(demo_template) + ".vault", str(dst) + ".vault")
    with qtbot.waitSignal(session.patients_loaded, timeout=20000):
        session.unlock(dst, passphrase=PASSPHRASE, use_keyring=False)
    v = RiskView(session, prefs)
    qtbot.addWidget(v)
    v.resize(1200, 800)
    with qtbot.waitSignal(v.loaded, timeout=30000):
        session.open_patient(PATIENT)
    assert v.bundle is not None, v.models_note.text()
    return v


def _scored(view, need: str):
    """A model that gave a number and has an adjustable numeric input ``need`` (skips if the demo has none)."""
    for s in view.bundle.scores:
        if s.ok and any(sp["name"] == need for sp in view.bundle.specs[s.model]):
            return s
    pytest.skip(f"no model scored for {PATIENT} with input {need} (demo record changed?)")


def test_shows_a_score_with_its_basis(view):
    from ui.widgets.risk_format import fmt_value

    s = _scored(view, "sbp_mmhg")
    view.select_model(s.model)
    assert view.model_id == s.model
    assert view.value.text() == fmt_value(s) and any(ch.isdigit() for ch in view.value.text())
    assert view.name.text() == s.name
    frame = view.inputs.source.frame
    assert len(frame) == len(view.bundle.specs[s.model])
    sbp = frame[frame["input"] == "Systolic blood pressure"].iloc[0]
    assert sbp["state"] == "used" and sbp["date"] == s.sources["sbp_mmhg"]["date"]
    assert "mmHg" in sbp["value"]
    card = view.card_text.toPlainText()
    assert "Intended use" in card and "Known subgroup differences" in card and s.card["population"][:30] in card
    assert view.chart.isVisibleTo(view) and len(view.chart.values) > 0
    assert sum(view.chart.values) == pytest.approx(sum(v for v in s.contributions.values() if abs(v) > 1e-9))
    listed = view.models.source.frame
    assert listed.loc[listed["id"] == s.model, "result"].iloc[0] == fmt_value(s)


def test_refused_model_says_why(view):
    refused = [s for s in view.bundle.scores if s.applicable and not s.ok]
    assert refused, f"{PATIENT} (over 59) should be outside the PREVENT 30-year models' age range"
    for s in refused:
        view.select_model(s.model)
        assert s.refused in view.reason.text() and view.reason.isVisibleTo(view)
        assert view.value.text() == "No result"
        assert view.models.source.frame.set_index("id").loc[s.model, "result"] == "refused"
    # the sliders span the validated range; a value outside it (typed through the view's what-if entry point)
    # is refused with the core's reason, never extrapolated
    view.select_model("pce2013_ascvd_10y")
    assert view.whatif.controls["age"].spin.minimum() == 40
    view.rescore({"age": 35})
    assert view.whatif_score is not None and not view.whatif_score.ok
    assert "age 35 years is outside the validated range 40-79" in view.reason.text()
    assert view.whatif_value.text() == "What-if: no result"
    view.whatif.reset()
    assert view.whatif_score is None and view.whatif_value.text() == ""


def test_moving_a_slider_rescores(view):
    from ui.widgets.risk_format import fmt_value

    s = _scored(view, "sbp_mmhg")
    view.select_model(s.model)
    ctl = view.whatif.controls["sbp_mmhg"]
    before = ctl.value()
    target = ctl.slider.minimum() if before > (ctl.lo + ctl.hi) / 2 else ctl.slider.maximum()
    ctl.slider.setValue(target)                     # the user drags the slider to one end
    moved = ctl.value()
    assert moved != before
    expected = view.bundle.registry.what_if(s.model, view.bundle.inputs[s.model], {"sbp_mmhg": moved})
    assert expected.ok and expected.value != s.value
    assert view.whatif_score.value == pytest.approx(expected.value)
    assert f"What-if: <b>{fmt_value(expected)}</b>" in view.whatif_value.text()
    assert fmt_value(expected) != fmt_value(s)
    assert view.value.text() == fmt_value(s)       # the recorded result stays on screen beside it
    assert view.whatif.overrides() == {"sbp_mmhg": moved}


def test_trained_model_shows_its_interval_subgroup_rows_and_cohort_gaps(view, session, qtbot):
    from workstation.display import interval_text, subgroup_text

    with qtbot.waitSignal(view.loaded, timeout=30000):
        session.open_patient("demo-0003")       # kappa/lambda (mg/L) and creatinine in the record
    s = view.bundle.score("flchain_mortality_10y")
    assert s.ok, s.refused
    view.select_model(s.model)
    assert view.interval.isVisibleTo(view) and interval_text(s) in view.interval.text()
    shown = view.cohort.toPlainText()
    assert view.cohort_card.isVisibleTo(view) and s.subgroups
    for row in s.subgroups:
        assert subgroup_text(row).split(":")[0] in shown
    assert "no race, ethnicity or ancestry" in shown
    ids = set(view.models.source.frame["id"])
    assert "wdbc_malignancy_logreg" not in ids   # a demonstration model is not in the patient's list

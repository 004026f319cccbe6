"""Wearable summaries in the core on a real store filled by the real wearable CSV importer: resting heart rate by
Mishra et al.'s rule (no steps in the 12 minutes up to a minute), its absence said in words, per-day summaries and
the timeline's events as annotations."""
from __future__ import annotations

import json

import numpy as np
import pytest

from tests.core.helpers import store_with_patient
from workstation import wearable_summary as ws
from workstation.ingest.fhir import import_fhir
from workstation.ingest.wearable_csv import import_wearable_csv


def _csv(path, rows):
    path.write_text("timestamp,metric,value,unit\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def store(tmp_path):
    s = store_with_patient(tmp_path)
    yield s
    s.close()


def _minutes(day: str, n: int):
    return [f"{day}T{m // 60:02d}:{m % 60:02d}:00Z" for m in range(n)]


def test_resting_heart_rate_follows_the_12_minute_rule(store, tmp_path):
    stamps = _minutes("2026-03-02", 60)
    hr = [50 + m for m in range(60)]                          # a distinct value each minute
    steps = [0] * 30 + [10] * 10 + [0] * 20                   # still, walking, still again
    rows = [f"{t},heart_rate,{v},/min" for t, v in zip(stamps, hr)]
    rows += [f"{t},steps,{v},{{steps}}" for t, v in zip(stamps, steps)]
    import_wearable_csv(store, _csv(tmp_path / "w.csv", rows), patient_id="P1")
    d = ws.load_metric(store, "P1", "heart_rate", days=365)
    # minutes 11..29 (12 still minutes up to each) and 51..59 (12 still minutes after the walk ends at 39)
    rest = [hr[m] for m in list(range(11, 30)) + list(range(51, 60))]
    assert d.resting["resting"].tolist() == pytest.approx([np.mean(rest)])
    assert int(d.resting["n"].iloc[0]) == len(rest)
    assert d.resting_basis == ws.RESTING_BASIS
    assert d.daily["max"].tolist() == [109.0] and d.daily["min"].tolist() == [50.0]
    assert "resting" in d.last_days() and d.unit_label == "/min"
    s = ws.load_metric(store, "P1", "steps", days=365)
    assert s.summed and s.daily["total"].tolist() == [100.0] and s.resting.empty


def test_no_resting_heart_rate_without_minute_steps(store, tmp_path):
    rows = [f"{t},heart_rate,60,/min" for t in _minutes("2026-03-02", 30)]
    import_wearable_csv(store, _csv(tmp_path / "hr.csv", rows), patient_id="P1")
    d = ws.load_metric(store, "P1", "heart_rate", days=365)
    assert d.resting.empty and d.resting_basis == ws.NO_MINUTE_STEPS


def test_a_recorded_resting_heart_rate_is_used_as_recorded(store, tmp_path):
    rows = [f"{t},heart_rate,70,/min" for t in _minutes("2026-03-02", 5)] + ["2026-03-02T06:00:00Z,resting_hr,54,bpm"]
    import_wearable_csv(store, _csv(tmp_path / "r.csv", rows), patient_id="P1")
    d = ws.load_metric(store, "P1", "heart_rate", days=365)
    assert d.resting["resting"].tolist() == [54.0] and "recorded by the device" in d.resting_basis


def test_timeline_events_become_annotations(store, tmp_path):
    rows = [f"{t},heart_rate,60,/min" for t in _minutes("2026-03-02", 10)]
    rows += ["2026-03-20T08:00:00Z,heart_rate,61,/min"]
    import_wearable_csv(store, _csv(tmp_path / "hr.csv", rows), patient_id="P1")
    p = {"reference": "Patient/P1"}
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in [
        {"resourceType": "Patient", "id": "P1"},
        {"resourceType": "MedicationStatement", "id": "m", "subject": p, "status": "completed",
         "effectivePeriod": {"start": "2026-03-05", "end": "2026-03-15"},
         "medicationCodeableConcept": {"text": "amiodarone"}},
        {"resourceType": "MedicationRequest", "id": "old", "subject": p, "status": "active", "intent": "order",
         "authoredOn": "2020-01-01", "medicationCodeableConcept": {"text": "metformin"}},
        {"resourceType": "Encounter", "id": "a", "subject": p, "status": "finished", "class": {"code": "IMP"},
         "period": {"start": "2026-03-10T10:00:00Z"}, "type": [{"text": "Encounter Inpatient"}]},
        {"resourceType": "Encounter", "id": "v", "subject": p, "status": "finished", "class": {"code": "AMB"},
         "period": {"start": "2026-03-11T10:00:00Z"}, "type": [{"text": "Check up"}]}]]}
    f = tmp_path / "b.json"
    f.write_text(json.dumps(bundle), encoding="utf-8")
    import_fhir(store, f, patient_id="P1")
    d = ws.load_metric(store, "P1", "heart_rate", days=365)
    assert [a.text for a in d.annotations] == ["Started amiodarone", "Admitted: Encounter Inpatient",
                                               "Stopped amiodarone"]

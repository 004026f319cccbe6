"""The combined timeline's core (workstation/timeline.py) on a real encrypted store filled by the real FHIR
importer: lanes, day-zero choices and their axes, lab tracks with bands and flags, units converted or apart."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import numpy as np
import pytest

from workstation import timeline as tl
from workstation import vault
from workstation.ingest.fhir import import_fhir
from workstation.store import Store

PW = "a long passphrase"
P = {"reference": "Patient/p1"}
SCT = "http://snomed.info/sct"
V3 = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"


def _q(v, unit):
    return {"value": v, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit}


def _lab(i, code, v, unit, when, rr=None, interp=None, display=None):
    r = {"resourceType": "Observation", "id": f"o{i}", "status": "final", "subject": P,
         "category": [{"coding": [{"code": "laboratory"}]}],
         "code": {"coding": [{"system": "http://loinc.org", "code": code, "display": display or code}]},
         "effectiveDateTime": when, "valueQuantity": _q(v, unit)}
    if rr:
        r["referenceRange"] = [rr]
    if interp:
        r["interpretation"] = [{"coding": [{"system": V3, "code": interp}]}]
    return r


def story() -> dict:
    egfr_rr = {"low": _q(90, "mL/min/{1.73_m2}"), "high": _q(120, "mL/min/{1.73_m2}"), "text": "90-120"}
    res = [
        {"resourceType": "Patient", "id": "p1", "birthDate": "1960-06-15", "gender": "female"},
        {"resourceType": "Condition", "id": "c1", "subject": P, "onsetDateTime": "2015-03-01",
         "clinicalStatus": {"coding": [{"code": "active"}]}, "code": {"coding": [{"code": "38341003",
                                                                                    "display": "Hypertension"}]}},
        {"resourceType": "Condition", "id": "c2", "subject": P, "onsetDateTime": "2018-01-10",
         "abatementDateTime": "2018-02-20", "clinicalStatus": {"coding": [{"code": "resolved"}]},
         "code": {"coding": [{"code": "195662009", "display": "Acute viral pharyngitis"}]}},
        {"resourceType": "MedicationRequest", "id": "m1", "subject": P, "status": "active", "intent": "order",
         "authoredOn": "2020-01-01", "medicationCodeableConcept": {"coding": [{"code": "855332",
                                                                               "display": "Warfarin 5 MG"}]}},
        {"resourceType": "MedicationStatement", "id": "m2", "subject": P, "status": "completed",
         "effectivePeriod": {"start": "2016-05-01", "end": "2017-05-01"},
         "medicationCodeableConcept": {"coding": [{"code": "197361", "display": "Amlodipine 5 MG"}]}},
        {"resourceType": "Procedure", "id": "pr1", "subject": P, "status": "completed",
         "performedDateTime": "2020-02-01", "code": {"coding": [{"system": SCT, "code": "180325003",
                                                                 "display": "Electrical cardioversion"}]}},
        {"resourceType": "Encounter", "id": "e1", "subject": P, "status": "finished", "class": {"code": "IMP"},
         "period": {"start": "2019-12-28", "end": "2020-01-02"},
         "type": [{"coding": [{"system": SCT, "code": "183452005", "display": "Encounter Inpatient"}]}]},
        _lab(1, "33914-3", 95, "mL/min/{1.73_m2}", "2019-06-01", egfr_rr, display="eGFR"),
        _lab(2, "33914-3", 58, "mL/min/{1.73_m2}", "2021-06-01", egfr_rr, display="eGFR"),
        _lab(3, "33914-3", 57, "mL/min/{1.73_m2}", "2022-06-01", egfr_rr, "L", display="eGFR"),
        _lab(4, "2093-3", 210, "mg/dL", "2019-06-01", {"high": _q(200, "mg/dL")}, display="Cholesterol"),
        _lab(5, "2093-3", 5.0, "mmol/L", "2021-06-01", {"high": _q(5.17, "mmol/L")}, display="Cholesterol"),
        _lab(6, "2093-3", 180, "mg/dL", "2022-06-01", display="Cholesterol"),
        _lab(7, "718-7", 13.1, "g/dL", "2021-06-01", display="Hemoglobin"),
        _lab(8, "718-7", 8.2, "mmol/L", "2022-06-01", display="Hemoglobin"),
        _lab(10, "718-7", 12.8, "g/dL", "2023-01-01", display="Hemoglobin"),
        _lab(9, "6301-6", 2.4, "{INR}", "2020-03-01", interp="HH", display="INR"),
        # the record's own flag wins over the one computed from the range
        _lab(11, "2345-7", 75, "mg/dL", "2020-03-01", {"low": _q(70, "mg/dL"), "high": _q(99, "mg/dL")}, "L"),
    ]
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in res]}


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    d = tmp_path_factory.mktemp("tl")
    s = Store.create(d / "p.duckdb", PW, kdf=vault.FAST_KDF)
    f = d / "story.json"
    f.write_text(json.dumps(story()), encoding="utf-8")
    import_fhir(s, f)
    try:
        yield tl.load(s, "p1")
    finally:
        s.close()


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, tz=timezone.utc).strftime("%Y-%m-%d")


def test_lanes_hold_spans_points_and_ongoing(data):
    assert data.lanes() == ["medications", "conditions", "procedures", "encounters"]
    ev = {e.label: e for e in data.events}
    warfarin, amlodipine = ev["Warfarin 5 MG"], ev["Amlodipine 5 MG"]
    assert warfarin.ongoing and warfarin.end is None and _iso(warfarin.start) == "2020-01-01"
    assert not amlodipine.ongoing and _iso(amlodipine.end) == "2017-05-01"
    assert ev["Hypertension"].ongoing and not ev["Acute viral pharyngitis"].ongoing
    assert not ev["Electrical cardioversion"].is_span and ev["Encounter Inpatient"].kind == "IMP"
    assert data.last == pytest.approx(data.now)          # ongoing spans reach today


def test_day_zero_choices_and_their_axes(data):
    keys = [(z.key, z.label) for z in data.day_zeros]
    assert keys[:3] == [("calendar", "Calendar date"), ("birth", "Birth"), ("first_visit", "First visit")]
    assert ("diagnosis", "Diagnosis: Hypertension") in keys and ("medication", "Start of Warfarin 5 MG") in keys
    t = tl.epoch(["2021-01-01"])
    cal = data.axis(data.day_zero("calendar"))
    assert cal.calendar and cal.title == "Date" and cal.x(t)[0] == t[0]
    age = data.axis(data.day_zero("birth"))
    assert age.title == "Age (years)" and age.x(t)[0] == pytest.approx(60.55, abs=0.01)
    med = data.axis(next(z for z in data.day_zeros if z.label == "Start of Warfarin 5 MG"))
    assert med.title == "Years since start of Warfarin 5 MG" and med.unit == "years"
    assert med.x(tl.epoch(["2020-01-01"]))[0] == 0.0 and med.x(tl.epoch(["2021-01-01"]))[0] == pytest.approx(1.0, 0.01)
    assert med.t(med.x(t))[0] == pytest.approx(t[0])
    dx = data.axis(data.day_zero("diagnosis"))
    assert dx.title == "Years since diagnosis of Hypertension"
    assert dx.text(0.0).startswith("year +0.0 (2015-03-01")
    assert data.day_zero("no-such-key") is tl.CALENDAR


def test_short_records_get_days_and_months():
    z = tl.DayZero("medication", "Start of X", datetime(2024, 1, 1))
    assert tl.time_axis(z, 30 * tl.DAY_S).title == "Days since start of X"
    assert tl.time_axis(z, 400 * tl.DAY_S).title == "Months since start of X"
    assert tl.time_axis(tl.DayZero("birth", "Birth", datetime(1950, 1, 1)), 10 * tl.DAY_S).unit == "years"


def test_bands_and_flags_come_from_the_record(data):
    tracks = {t.key: t for t in data.tracks}
    egfr = tracks["33914-3"]
    assert (egfr.low, egfr.high, egfr.ref_text) == (90.0, 120.0, "90-120")
    assert egfr.flags == ("N", "L", "L") and egfr.out_of_range == 2        # 58 computed, 57 as the record says
    inr = tracks["6301-6"]
    assert inr.flags == ("H",) and inr.low is None and inr.high is None     # HH from the record, no band
    lo, hi = egfr.y_range()
    assert lo <= 57 and hi >= 120                                          # the band is in view
    assert tracks["2345-7"].flags == ("L",)


def test_units_are_converted_or_drawn_apart(data):
    tracks = {t.key: t for t in data.tracks}
    chol = tracks["2093-3"]
    assert chol.unit == "mg/dL" and chol.y[1] == pytest.approx(5.0 / 0.02586)
    assert chol.high == pytest.approx(5.17 / 0.02586)  # the latest value's range, converted to mg/dL
    assert chol.flags == ("H", "N", "")                # each value against its own range; none: no flag
    assert "1 value recorded in mmol/L is shown converted to mg/dL" in chol.note
    hb = tracks["718-7|mmol/L"]
    assert hb.separate and hb.unit == "mmol/L" and hb.name == "Hemoglobin (recorded in mmol/L)"
    assert tracks["718-7"].unit == "g/dL" and len(tracks["718-7"].y) == 2
    assert not any(t.unit != hb.unit and "mmol/L" in t.name for t in data.tracks if t is not hb)


def test_y_range_is_not_tight():
    t = tl.LabTrack("k", "k", "k", "laboratory", "mg/dL", np.array([0.0, 1.0]), np.array([100.0, 101.0]), ("", ""))
    lo, hi = t.y_range()
    assert hi - lo >= 20          # 1 mg/dL of change does not fill the track

"""FHIR import: real Synthea bundles from ../shared/data, plus small hand-written bundles for each rule."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from workstation import vault
from workstation.errors import ImportError_, MalformedFile
from workstation.ingest import import_file
from workstation.ingest.fhir import import_fhir
from workstation.progress import Cancelled, Progress
from workstation.store import Store
from workstation.store.schema import DATA_TABLES

SYNTHEA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "fhir_r4_synthea"
PARKER = SYNTHEA / "Parker_Casper_6d0c6969-6843-47e1-9921-d9bf11b1df31.json"
ELVINA = SYNTHEA / "Elvina_Lemke_f2a4f241-ad65-4a1b-8b54-b5717a2338b6.json"
HIV = SYNTHEA / "fhir-data-pipes_synthea-hiv_test_bundle.json"
needs_synthea = pytest.mark.skipif(not SYNTHEA.is_dir(), reason="../shared/data/fhir_r4_synthea is absent")


@pytest.fixture
def store(tmp_path):
    s = Store.create(tmp_path / "p.duckdb", "a long passphrase", kdf=vault.FAST_KDF)
    yield s
    s.close()


def q(store, sql, *params):
    return store.con.execute(sql, list(params)).fetchall()


def nothing_stored(store) -> bool:
    n = sum(q(store, f"SELECT count(*) FROM {t}")[0][0] for t in DATA_TABLES)
    return n == 0 and q(store, "SELECT count(*) FROM sources")[0][0] == 0 and \
        q(store, "SELECT count(*) FROM patients")[0][0] == 0


def write(tmp_path, name, obj) -> Path:
    p = tmp_path / name
    p.write_text(obj if isinstance(obj, str) else json.dumps(obj), encoding="utf-8")
    return p


# -- real files ----------------------------------------------------------------------------------------------------
@needs_synthea
def test_parker_casper_bundle(store):
    r = import_file(store, PARKER)
    assert r.status == "imported" and r.kind == "fhir"
    pid = "ec6a274e-5090-45c9-b153-e40418f6fa3d"
    assert r.patient_ids == [pid]
    # 268 Observations, 10 of them blood pressure panels with 2 components and no own value → 258 + 20 rows
    assert r.counts == {"patients": 1, "observations": 278, "conditions": 15, "medications": 17,
                        "procedures": 18, "encounters": 24, "fhir_resources": 343}
    p = store.patient(pid)
    assert (p["name"], p["sex"], str(p["birth_date"])[:10], str(p["deceased_date"])[:10]) == \
        ("Parker Casper", "male", "1952-07-31", "2021-02-21")
    assert (p["race"], p["ethnicity"]) == ("White", "Not Hispanic or Latino")       # US Core extensions
    assert q(store, "SELECT rxnorm, status, kind, start_time FROM medications WHERE display LIKE 'Clopidogrel%'") == \
        [("309362", "active", "request", datetime(2016, 8, 11, 19, 27, 45))]
    assert q(store, "SELECT count(*) FROM medications WHERE rxnorm = '855332'")[0][0] == 1       # warfarin
    a1c = q(store, "SELECT value_num, unit, category FROM observations WHERE code = '4548-4' "
                   "AND resource_id = '2fa4eb10-68a2-4d0f-9b06-2a1e11ec8abe'")
    assert a1c == [(pytest.approx(5.998967835047721), "%", "laboratory")]
    bp = q(store, "SELECT code, value_num, unit FROM observations WHERE resource_id = "
                  "'dd122902-b55e-472c-9fda-f2677c6cc0e2' ORDER BY code")
    assert bp == [("8462-4", pytest.approx(117.60467061501181), "mm[Hg]"),
                  ("8480-6", pytest.approx(189.41944426522355), "mm[Hg]")]
    assert q(store, "SELECT clinical_status FROM conditions WHERE code = '38341003'") == [("active",)]
    raw = q(store, "SELECT json FROM fhir_resources WHERE resource_id = 'dd122902-b55e-472c-9fda-f2677c6cc0e2'")
    assert json.loads(raw[0][0])["component"][1]["code"]["coding"][0]["code"] == "8480-6"
    src = q(store, "SELECT patient_id, kind, importer, size_bytes, counts FROM sources")
    assert src[0][:4] == (pid, "fhir", "fhir", PARKER.stat().st_size)
    assert json.loads(src[0][4])["observations"] == 278
    assert q(store, "SELECT count(*) FROM audit_log WHERE action = 'import'")[0][0] == 1
    assert "41 Claim" in r.warnings[0]


@needs_synthea
def test_elvina_allergy_and_reimport_is_noop(store):
    r = import_file(store, ELVINA)
    assert r.counts["allergies"] == 1 and r.counts["observations"] == 202
    assert q(store, "SELECT code, display, category, criticality, clinical_status FROM allergies") == \
        [("300913006", "Shellfish allergy", "food", "low", "active")]
    again = import_file(store, ELVINA)
    assert again.status == "already imported" and again.source_id == r.source_id
    assert q(store, "SELECT count(*) FROM sources")[0][0] == 1
    assert q(store, "SELECT count(*) FROM allergies")[0][0] == 1


@needs_synthea
def test_us_core_bundle_units_normalised(store):
    r = import_file(store, HIV)
    assert r.counts["observations"] == 12 and r.counts["encounters"] == 65
    assert q(store, "SELECT value_num, unit FROM observations WHERE display = 'TEMPERATURE'") == \
        [(pytest.approx(37.377), "Cel")]
    assert q(store, "SELECT value_num, unit FROM observations WHERE display = 'PULSE'") == \
        [(pytest.approx(142.31), "/min")]
    assert q(store, "SELECT count(*) FROM observations WHERE unit = 'mm[Hg]'")[0][0] == 2
    assert q(store, "SELECT rxnorm, status FROM medications ORDER BY rxnorm") == \
        [("1804799", "stopped"), ("309362", "stopped")]
    assert any("'beats/minute' → '/min'" in w for w in r.warnings)
    details = json.loads(q(store, "SELECT details FROM sources")[0][0])
    assert details["units_normalised"]["C"] == "Cel"
    assert details["skipped_resource_types"]["DocumentReference"] == 65


# -- hand-written bundles --------------------------------------------------------------------------------------------
def _bundle(entries, btype="collection"):
    return {"resourceType": "Bundle", "type": btype,
            "entry": [{"fullUrl": f"urn:uuid:{u}", "resource": r} for u, r in entries]}


PATIENT = ("p-1", {"resourceType": "Patient", "id": "pat1", "gender": "female", "birthDate": "1980-02-29",
                   "name": [{"given": ["Ada", "B"], "family": "Lovelace"}]})


def test_collection_bundle_references_and_resources(store, tmp_path):
    entries = [
        PATIENT,
        ("m-1", {"resourceType": "Medication", "id": "med1", "code": {"coding": [
            {"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "32968", "display": "clopidogrel"}]}}),
        ("o-1", {"resourceType": "Observation", "id": "temp", "status": "final",
                 "category": [{"coding": [{"code": "vital-signs"}]}],
                 "code": {"coding": [{"system": "http://loinc.org", "code": "8310-5", "display": "Body temperature"}]},
                 "subject": {"reference": "urn:uuid:p-1"}, "effectiveDateTime": "2024-05-01T10:00:00+02:00",
                 "valueQuantity": {"value": 98.6, "unit": "°F"},
                 "referenceRange": [{"low": {"value": 97.0}, "high": {"value": 99.5}}]}),
        ("ms-1", {"resourceType": "MedicationStatement", "id": "ms", "status": "active",
                  "medicationReference": {"reference": "urn:uuid:m-1"}, "subject": {"reference": "urn:uuid:p-1"},
                  "effectivePeriod": {"start": "2024-01-02", "end": "2024-03"},
                  "dosage": [{"text": "75 mg once daily"}]}),
        ("f-1", {"resourceType": "FamilyMemberHistory", "id": "fh", "status": "completed",
                 "patient": {"reference": "urn:uuid:p-1"},
                 "relationship": {"coding": [{"code": "MTH", "display": "mother"}]},
                 "sex": {"coding": [{"code": "female"}]}, "deceasedBoolean": True,
                 "condition": [{"code": {"coding": [{"system": "http://snomed.info/sct", "code": "254837009",
                                                     "display": "Breast cancer"}]},
                                "onsetAge": {"value": 52, "unit": "a"}},
                               {"code": {"text": "Type 2 diabetes"}}]}),
        ("x-1", {"resourceType": "Immunization", "id": "imm"}),
        ("x-2", {"resourceType": "Immunization", "id": "imm2"}),
    ]
    r = import_fhir(store, write(tmp_path, "b.json", _bundle(entries)))
    assert r.counts == {"patients": 1, "observations": 1, "medications": 1, "family_history": 2,
                        "fhir_resources": 5, "family_members": 1}     # the mother, in the family model too
    assert r.warnings[0].startswith("Skipped resource types the workstation does not use: 2 Immunization")
    assert store.patient("pat1")["name"] == "Ada B Lovelace"
    obs = q(store, "SELECT value_num, unit, effective, ref_low, ref_high, category FROM observations")[0]
    assert obs[:2] == (98.6, "[degF]") and str(obs[2]) == "2024-05-01 08:00:00"     # +02:00 → UTC
    assert obs[3:] == (97.0, 99.5, "vital-signs")
    med = q(store, "SELECT rxnorm, display, kind, start_time, end_time, dosage FROM medications")[0]
    assert med[:3] == ("32968", "clopidogrel", "statement")
    assert (str(med[3]), str(med[4]), med[5]) == ("2024-01-02 00:00:00", "2024-03-01 00:00:00", "75 mg once daily")
    fh = q(store, "SELECT relationship, relative_sex, code, display, onset_age, deceased FROM family_history "
                  "ORDER BY onset_age NULLS LAST")
    assert fh == [("mother", "female", "254837009", "Breast cancer", 52.0, True),
                  ("mother", "female", None, "Type 2 diabetes", None, True)]


def test_ndjson_and_searchset(store, tmp_path):
    lines = [json.dumps(PATIENT[1]), json.dumps({
        "resourceType": "Condition", "id": "c1", "subject": {"reference": "Patient/pat1"},
        "clinicalStatus": {"coding": [{"code": "resolved"}]}, "code": {"coding": [{"code": "44054006"}]},
        "onsetDateTime": "2020-01-01T00:00:00Z", "abatementDateTime": "2021-06-01T00:00:00-05:00"})]
    p = write(tmp_path, "conditions.ndjson", "\n".join(lines) + "\n")
    r = import_file(store, p)
    assert r.counts["conditions"] == 1 and r.patient_ids == ["pat1"]
    assert [tuple(map(str, x)) for x in q(store, "SELECT clinical_status, onset, abatement FROM conditions")] == \
        [("resolved", "2020-01-01 00:00:00", "2021-06-01 05:00:00")]
    # a searchset that references the now-stored patient by Patient/id
    ss = {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": {
        "resourceType": "Procedure", "id": "pr", "status": "completed", "subject": {"reference": "Patient/pat1"},
        "code": {"text": "Appendectomy"}, "performedDateTime": "2019-03-03"}, "search": {"mode": "match"}}]}
    r2 = import_file(store, write(tmp_path, "search.json", ss))
    assert r2.counts["procedures"] == 1 and r2.patient_ids == ["pat1"]


def test_components_and_value_kinds(store, tmp_path):
    obs = {"resourceType": "Observation", "id": "bp", "subject": {"reference": "urn:uuid:p-1"},
           "code": {"coding": [{"code": "85354-9"}]}, "effectiveDateTime": "2024-01-01T08:00:00Z",
           "component": [{"code": {"coding": [{"code": "8480-6"}]}, "valueQuantity": {"value": 120, "unit": "mmHg"}},
                         {"code": {"coding": [{"code": "8462-4"}]}, "valueQuantity": {"value": 80, "unit": "mmHg"}}]}
    smoke = {"resourceType": "Observation", "id": "sm", "subject": {"reference": "urn:uuid:p-1"},
             "code": {"coding": [{"code": "72166-2"}]},
             "valueCodeableConcept": {"coding": [{"code": "8517006", "display": "Former smoker"}]}}
    r = import_fhir(store, write(tmp_path, "bp.json", _bundle([PATIENT, ("o1", obs), ("o2", smoke)])))
    assert r.counts["observations"] == 3
    rows = q(store, "SELECT code, value_num, value_text, unit, effective FROM observations ORDER BY code")
    assert [x[:4] for x in rows] == [("72166-2", None, "Former smoker", None), ("8462-4", 80.0, None, "mm[Hg]"),
                                     ("8480-6", 120.0, None, "mm[Hg]")]
    assert rows[1][4] == rows[2][4]


# -- bad input: typed error, nothing stored -----------------------------------------------------------------------
def test_invalid_json_names_line(store, tmp_path):
    p = write(tmp_path, "bad.json", '{"resourceType": "Bundle",\n "entry": [\n {"resource": }\n]}')
    with pytest.raises(MalformedFile) as ei:
        import_file(store, p)
    assert ei.value.line == 3 and "not valid JSON" in str(ei.value) and "bad.json" in str(ei.value)
    assert nothing_stored(store)


def test_bundle_without_patient(store, tmp_path):
    obs = {"resourceType": "Observation", "id": "o", "subject": {"reference": "urn:uuid:missing"},
           "code": {"text": "x"}, "valueQuantity": {"value": 1}}
    with pytest.raises(MalformedFile) as ei:
        import_file(store, write(tmp_path, "nopat.json", _bundle([("o", obs)], "transaction")))
    assert "no Patient resource" in str(ei.value) and ei.value.field == "subject"
    assert nothing_stored(store)


def test_bad_date_names_record_and_field(store, tmp_path):
    cond = {"resourceType": "Condition", "id": "c9", "subject": {"reference": "urn:uuid:p-1"},
            "onsetDateTime": "2020-13-45"}
    with pytest.raises(MalformedFile) as ei:
        import_file(store, write(tmp_path, "d.json", _bundle([PATIENT, ("c", cond)])))
    assert ei.value.record == "Condition/c9" and ei.value.field == "onsetDateTime"
    assert nothing_stored(store)


def test_ndjson_bad_line(store, tmp_path):
    p = write(tmp_path, "x.ndjson", json.dumps(PATIENT[1]) + "\n{not json}\n")
    with pytest.raises(MalformedFile) as ei:
        import_file(store, p)
    assert ei.value.line == 2
    assert nothing_stored(store)


def test_several_patients_cannot_go_to_one(store, tmp_path):
    two = _bundle([PATIENT, ("p-2", {"resourceType": "Patient", "id": "pat2"})])
    with pytest.raises(ImportError_):
        import_fhir(store, write(tmp_path, "two.json", two), patient_id="someone")
    r = import_fhir(store, write(tmp_path, "two.json", two))
    assert sorted(r.patient_ids) == ["pat1", "pat2"]
    assert q(store, "SELECT patient_id FROM sources") == [(None,)]


def test_cancel_leaves_nothing(store, tmp_path):
    entries = [PATIENT] + [(f"o{i}", {"resourceType": "Observation", "id": f"o{i}",
                                      "subject": {"reference": "urn:uuid:p-1"}, "code": {"text": "x"},
                                      "valueQuantity": {"value": i}}) for i in range(5000)]
    class CancelMidway(Progress):      # cancels once writing has started inside the transaction
        def set(self, fraction=None, message=None):
            super().set(fraction, message)
            if fraction is not None and fraction > 0.3:
                self.cancel()

    prog = CancelMidway()
    with pytest.raises(Cancelled):
        import_fhir(store, write(tmp_path, "big.json", _bundle(entries)), progress=prog)
    assert nothing_stored(store)

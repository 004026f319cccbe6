"""Reference ranges and interpretation codes from FHIR: kept by the importer (converted to the value's unit by the
unit policy), migrated into older stores, and returned by the timeline's query."""
from __future__ import annotations

import json

import pytest

from workstation import vault
from workstation.ingest.fhir import import_fhir
from workstation.store import Store, Unlock, db as store_db
from workstation.store import queries, schema

PW = "a long passphrase"


def _obs(oid, code, value, unit, **extra):
    return {"resourceType": "Observation", "id": oid, "status": "final",
            "category": [{"coding": [{"code": "laboratory"}]}],
            "code": {"coding": [{"system": "http://loinc.org", "code": code, "display": code}]},
            "subject": {"reference": "Patient/p1"}, "effectiveDateTime": "2024-03-01T09:00:00Z",
            "valueQuantity": {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit},
            **extra}


def _q(value, unit):
    return {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit}


HIGH = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "code": "H"}]}
TREATMENT = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/referencerange-meaning",
                         "code": "treatment"}]}


def _bundle():
    entries = [
        {"resourceType": "Patient", "id": "p1", "name": [{"family": "Range", "given": ["Rita"]}]},
        _obs("cr", "2160-0", 1.4, "mg/dL", interpretation=[HIGH],
             referenceRange=[{"low": _q(0.6, "mg/dL"), "high": _q(1.1, "mg/dL"), "text": "0.6-1.1 mg/dL (women)"}]),
        # the range in another unit: converted to the value's unit through the unit policy (creatinine 88.42)
        _obs("cr2", "2160-0", 0.9, "mg/dL", referenceRange=[{"low": _q(53.0, "umol/L"), "high": _q(97.2, "umol/L")}]),
        # a therapeutic range first, the normal one second: the normal one is kept
        _obs("tc", "2093-3", 230, "mg/dL", referenceRange=[{"high": _q(100, "mg/dL"), "type": TREATMENT},
                                                           {"high": _q(200, "mg/dL")}]),
        # a range in a unit that cannot be converted: no numbers, a note in the text
        _obs("hb", "718-7", 13.0, "g/dL", referenceRange=[{"low": _q(7.4, "mmol/L"), "high": _q(9.9, "mmol/L")}]),
        # a panel: each component keeps its own range and interpretation
        {"resourceType": "Observation", "id": "bp", "status": "final",
         "category": [{"coding": [{"code": "vital-signs"}]}],
         "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}]},
         "subject": {"reference": "Patient/p1"}, "effectiveDateTime": "2024-03-01T09:00:00Z",
         "component": [{"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]},
                        "valueQuantity": _q(150, "mm[Hg]"), "interpretation": [HIGH],
                        "referenceRange": [{"high": _q(120, "mm[Hg]")}]},
                       {"code": {"coding": [{"system": "http://loinc.org", "code": "8462-4"}]},
                        "valueQuantity": _q(70, "mm[Hg]")}]},
    ]
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in entries]}


@pytest.fixture
def store(tmp_path):
    s = Store.create(tmp_path / "p.duckdb", PW, kdf=vault.FAST_KDF)
    yield s
    s.close()


def test_fhir_ranges_and_interpretations_are_kept(store, tmp_path):
    f = tmp_path / "ranges.json"
    f.write_text(json.dumps(_bundle()), encoding="utf-8")
    import_fhir(store, f)
    rows = {r[0]: r[1:] for r in store.con.execute(
        "SELECT resource_id || ':' || code, ref_low, ref_high, ref_text, interpretation FROM observations").fetchall()}
    assert rows["cr:2160-0"] == (0.6, 1.1, "0.6-1.1 mg/dL (women)", "H")
    low, high, text, interp = rows["cr2:2160-0"]
    assert low == pytest.approx(53.0 / 88.42) and high == pytest.approx(97.2 / 88.42) and text is None
    assert rows["tc:2093-3"][:2] == (None, 200.0)
    low, high, text, _ = rows["hb:718-7"]
    assert low is None and high is None and "cannot be converted to g/dL" in text and "7.4 mmol/L" in text
    assert rows["bp:8480-6"] == (None, 120.0, None, "H")
    assert rows["bp:8462-4"] == (None, None, None, None)
    tl = queries.numeric_observations(store, "p1")
    assert {"ref_low", "ref_high", "ref_text", "interpretation"} <= set(tl.columns)
    assert tl.loc[tl["code"] == "8480-6", "interpretation"].tolist() == ["H"]


def test_a_version_1_store_gains_the_range_columns(tmp_path, monkeypatch):
    monkeypatch.setattr(store_db, "SCHEMA_VERSION", 1)          # written by the program before issue 18
    s = Store.create(tmp_path / "old.duckdb", PW, kdf=vault.FAST_KDF)
    with s.transaction() as con:
        con.execute("INSERT INTO patients (id) VALUES ('p1')")
        con.execute("INSERT INTO observations (patient_id, code, value_num, ref_low, ref_high) "
                    "VALUES ('p1', '2160-0', 1.0, 0.6, 1.1)")
    cols = [r[0] for r in s.con.execute("DESCRIBE observations").fetchall()]
    assert "interpretation" not in cols and s.schema_version() == 1
    s.close()
    monkeypatch.undo()
    with Store.open(tmp_path / "old.duckdb", Unlock(passphrase=PW)) as s2:
        assert s2.schema_version() == schema.SCHEMA_VERSION
        cols = [r[0] for r in s2.con.execute("DESCRIBE observations").fetchall()]
        assert {"interpretation", "ref_text"} <= set(cols)
        assert s2.con.execute("SELECT ref_low, ref_high, interpretation FROM observations").fetchall() == \
            [(0.6, 1.1, None)]
        assert s2.audit_rows()["action"].tolist()[-1] == "migrate_schema"


def test_demo_labs_carry_their_cited_ranges():
    from workstation.demo.cohort import make_patient
    from workstation.demo.fhir_writer import LABS, REFERENCE_RANGES, bundle_for

    seen = {}
    for i in (0, 1):                                   # demo-0001 is a woman, demo-0002 a man
        p = make_patient(i)
        for e in bundle_for(p)["entry"]:
            r = e["resource"]
            if r["resourceType"] != "Observation" or r["category"][0]["coding"][0]["code"] != "laboratory":
                continue
            code = r["code"]["coding"][0]["code"]
            rr = r.get("referenceRange")
            if code not in REFERENCE_RANGES:
                assert rr is None and "interpretation" not in r, code      # no citable interval: no band
                continue
            low, high, text = REFERENCE_RANGES[code].get(p.sex, REFERENCE_RANGES[code].get("any"))
            assert rr[0]["text"] == text and rr[0].get("low", {}).get("value") == low
            assert rr[0].get("high", {}).get("value") == high
            v = r["valueQuantity"]["value"]
            flag = "H" if high is not None and v > high else "L" if low is not None and v < low else "N"
            assert r["interpretation"][0]["coding"][0]["code"] == flag
            seen[(code, p.sex)] = (low, high)
    assert seen[("38483-4", "female")] == (0.6, 1.1) and seen[("38483-4", "male")] == (0.7, 1.3)
    assert {c for c, _ in seen} == set(REFERENCE_RANGES) and "2339-0" in {c for c, *_ in LABS}

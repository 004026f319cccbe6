"""The family model in the encrypted store: schema migration, versions, audit rows, FHIR FamilyMemberHistory."""
from __future__ import annotations

import json

import pytest

from tests.core.helpers import PASSPHRASE, new_store
from workstation.family import Diagnosis, edit, fhir_io, kinship
from workstation.family import store as fs
from workstation.ingest import import_file
from workstation.store import Store, Unlock, schema

ROLE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
SCT = "http://snomed.info/sct"


def _fmh(i, code, sex, cond=None, age=None, **kw):
    r = {"resourceType": "FamilyMemberHistory", "id": f"f{i}", "status": "completed",
         "patient": {"reference": "Patient/pat1"}, "relationship": {"coding": [{"system": ROLE, "code": code}]},
         "sex": {"coding": [{"system": "http://hl7.org/fhir/administrative-gender", "code": sex}]}}
    if cond:
        r["condition"] = [{"code": {"coding": [{"system": SCT, "code": cond[0], "display": cond[1]}]},
                           "onsetAge": {"value": age, "unit": "a", "system": "http://unitsofmeasure.org",
                                        "code": "a"}}]
    r.update(kw)
    return r


def fmh_bundle() -> dict:
    return {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "Patient", "id": "pat1", "gender": "female", "birthDate": "1975-03-01",
                      "name": [{"given": ["Ann"], "family": "Lee"}]}},
        {"resource": _fmh(1, "MTH", "female", ("254837009", "Malignant neoplasm of breast"), 45)},
        {"resource": _fmh(2, "MAUNT", "female", ("363443007", "Malignant tumor of ovary"), 50)},
        {"resource": _fmh(3, "FTH", "male", deceasedAge={"value": 70, "unit": "a"})},
        {"resource": _fmh(4, "PCOUSN", "female", ("254837009", "Breast cancer"), 38)},
        {"resource": _fmh(5, "SIS", "female")},
    ]}


def test_migration_from_schema_1_adds_the_family_table(tmp_path):
    """A store written before the family model (schema 1) is migrated on open: table created, audited."""
    s = new_store(tmp_path)
    with s.transaction() as con:
        con.execute("INSERT INTO patients (id, name) VALUES ('p1', 'Old Patient')")
        con.execute("DROP TABLE family_versions")
        con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    s.close()
    with Store.open(tmp_path / "p.duckdb", Unlock(passphrase=PASSPHRASE)) as s2:
        assert s2.schema_version() == schema.SCHEMA_VERSION    # and on through every later migration
        assert fs.current(s2, "p1") == (None, 0)
        fam = fhir_io.merge(None, [], s2.patient("p1"))[0]
        assert fs.save(s2, "p1", fam, {"op": "new"}) == 1
        assert s2.audit_rows()["action"].tolist()[-2:] == ["migrate_schema", "family_change"]
        assert s2.verify_audit().ok


def test_fhir_family_history_goes_into_the_family_model(tmp_path):
    path = tmp_path / "b.json"
    path.write_text(json.dumps(fmh_bundle()))
    s = new_store(tmp_path)
    r = import_file(s, path)
    assert r.status == "imported" and r.counts["family_history"] == 5
    fam, version = fs.current(s, "pat1")
    assert version == 1
    rel = {kinship.kin(fam, fam.consultand, pid).code: fam.people[pid] for pid in fam.people if pid != fam.consultand}
    assert rel["NMTH"].first_age("breast_cancer") == 45 and not rel["NMTH"].inferred
    assert rel["MAUNT"].has("ovarian_cancer")
    assert rel["NFTH"].deceased and rel["NFTH"].age == 70
    assert rel["PCOUSN"].first_age("breast_cancer") == 38
    assert kinship.kin(fam, fam.consultand, [p for p in fam.people if fam.people[p] is rel["MAUNT"]][0]).degree == 2
    assert rel["MGRMTH"].inferred                       # created to connect the aunt, and marked so
    actions = s.audit_rows()["action"].tolist()
    assert actions[-2:] == ["family_change", "import"]
    # the same bytes again: nothing added
    assert import_file(s, path).status == "already imported"
    assert fs.current(s, "pat1")[1] == 1


def test_fhir_export_and_reimport_keeps_the_tree(tmp_path):
    path = tmp_path / "b.json"
    path.write_text(json.dumps(fmh_bundle()))
    s = new_store(tmp_path)
    import_file(s, path)
    fam, _ = fs.current(s, "pat1")
    bundle = fhir_io.to_bundle(fam, s.patient("pat1"))
    again, _ = fhir_io.merge(None, [e["resource"] for e in bundle["entry"][1:]], s.patient("pat1"))

    def shape(f):
        return sorted((kinship.kin(f, f.consultand, pid).code, p.sex, p.age, p.deceased,
                       tuple((d.condition, d.age) for d in p.diagnoses)) for pid, p in f.people.items()
                      if pid != f.consultand)
    assert shape(again) == shape(fam)


def test_every_edit_is_a_version_with_an_audit_row_and_undo_redo(tmp_path):
    s = new_store(tmp_path)
    with s.transaction() as con:
        con.execute("INSERT INTO patients (id, name, sex) VALUES ('p1', 'Pat', 'female')")
    fam0 = fhir_io.merge(None, [], s.patient("p1"))[0]
    fs.save(s, "p1", fam0, {"op": "new"})
    session = fs.EditSession("p1")
    me = fam0.consultand
    v_before = s.data_version("p1")
    session.apply(s, edit.add_parents(fam0, me))
    assert s.data_version("p1") != v_before              # the patient's version moves with the family
    fam, _ = session.family(s)
    mother = fam.people[me].mother
    session.edit(s, "set_diagnoses", mother, [Diagnosis("breast_cancer", 44)])
    assert session.family(s)[0].people[mother].first_age("breast_cancer") == 44
    session.undo(s)
    assert not session.family(s)[0].people[mother].diagnoses
    session.redo(s)
    assert session.family(s)[0].people[mother].first_age("breast_cancer") == 44
    hist = fs.history(s, "p1")
    assert [h["change"]["op"] for h in hist] == ["new", "add_parents", "diagnoses", "undo", "redo"]
    assert s.audit_rows()["action"].tolist().count("family_change") == 5
    assert s.verify_audit().ok


def test_an_inconsistent_family_is_refused_and_nothing_is_stored(tmp_path):
    s = new_store(tmp_path)
    with s.transaction() as con:
        con.execute("INSERT INTO patients (id, name, sex) VALUES ('p1', 'Pat', 'female')")
    fam = fhir_io.merge(None, [], s.patient("p1"))[0]
    fam.people[fam.consultand].mother = "nobody"
    with pytest.raises(edit.FamilyEditError, match="not in the family"):
        fs.save(s, "p1", fam, {"op": "bad"})
    assert fs.current(s, "p1") == (None, 0)
    with pytest.raises(edit.FamilyEditError, match="later than"):
        good = fhir_io.merge(None, [], s.patient("p1"))[0]
        good.people[good.consultand].age = 30
        edit.set_diagnoses(good, good.consultand, [Diagnosis("breast_cancer", 40)])


def test_profile_carries_the_family(tmp_path):
    path = tmp_path / "b.json"
    path.write_text(json.dumps(fmh_bundle()))
    s = new_store(tmp_path)
    import_file(s, path)
    prof = s.profile("pat1", audit_open=False)
    assert prof.family is not None and prof.family_version == 1
    assert len(prof.family) == 12


def test_findrisc_family_item_reads_the_family_model(tmp_path):
    from workstation.models.profile_inputs import gather_facts

    path = tmp_path / "b.json"
    path.write_text(json.dumps(fmh_bundle()))
    s = new_store(tmp_path)
    import_file(s, path)
    assert gather_facts(s.profile("pat1", audit_open=False)).facts["family_diabetes"].value == "none"
    fam, _ = fs.current(s, "pat1")
    aunt = next(p for p in fam.people.values() if kinship.kin(fam, fam.consultand, p.id).code == "MAUNT")
    fs.save(s, "pat1", edit.set_diagnoses(fam, aunt.id, aunt.diagnoses + [Diagnosis("diabetes", 50)])[0],
            {"op": "diagnoses"})
    fact = gather_facts(s.profile("pat1", audit_open=False)).facts["family_diabetes"]
    assert fact.value == "second_degree" and fact.source["table"] == "family_versions"
    fam, _ = fs.current(s, "pat1")
    mother = fam.people[fam.people[fam.consultand].mother]
    fs.save(s, "pat1", edit.set_diagnoses(fam, mother.id, mother.diagnoses + [Diagnosis("diabetes", 60)])[0],
            {"op": "diagnoses"})
    fact = gather_facts(s.profile("pat1", audit_open=False)).facts["family_diabetes"]
    assert fact.value == "first_degree" and fact.source["relatives"][0]["relationship"] == "natural mother"

"""Pedigree files: every shared file reads, round trips keep what the format holds, bad files name the line and
column and store nothing."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.core.helpers import store_with_patient
from workstation.errors import MalformedFile
from workstation.family import canrisk, fhir_io, kinship, ped
from workstation.family import store as fs
from workstation.family.export import export_family
from workstation.ingest import detect, import_file

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "pedigree"
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason="shared/data/pedigree is not beside this checkout")
CANRISK_FILES = ["d11.canrisk3", "d3.bwa", "d7.canrisk4", "d8.canrisk4"]


@needs_data
@pytest.mark.parametrize("name, fmt, people", [("ceph1463.ped", "ped", 17), ("d11.canrisk3", "canrisk", 6),
                                               ("d3.bwa", "boadicea", 3), ("d7.canrisk4", "canrisk", 5),
                                               ("d8.canrisk4", "canrisk", 5)])
def test_every_shared_file_is_detected_and_imported(tmp_path, name, fmt, people):
    assert detect(DATA / name) == fmt
    s = store_with_patient(tmp_path)
    r = import_file(s, DATA / name, patient_id="P1", sample="NA12878" if fmt == "ped" else None)
    assert r.status == "imported" and r.counts["family_members"] == people
    fam, version = fs.current(s, "P1")
    assert version == 1 and len(fam) == people and fam.index_id is not None
    assert fam.people[fam.index_id].refs["patient"] == "P1"
    assert s.audit_rows()["action"].tolist()[-2:] == ["family_change", "import"]


@needs_data
def test_d8_content():
    fam, det = canrisk.read(DATA / "d8.canrisk4")
    assert det["version"] == 4 and fam.consultand == "PB" and fam.id == "aaaa"
    pm, pf = fam.people["PM"], fam.people["PF"]
    assert pm.first_age("breast_cancer") == 55 and pm.test("BRCA2").result == "P"
    assert pm.test("BRCA2").test_type == "S" and pm.test("HOXB13").test_type == "T"
    assert pm.pathology == {"er": "P", "pr": "N", "her2": "N"}
    assert pf.deceased and pf.age == 80 and pf.first_age("prostate_cancer") == 76
    assert fam.risk_factors["stratus"] == "72" and list(fam.risk_factors)[0] == "menarche"
    assert kinship.kin(fam, "PB", "PGO").code == "PGRMTH"


@needs_data
@pytest.mark.parametrize("name", ["d7.canrisk4", "d8.canrisk4"])
def test_canrisk4_round_trip_is_byte_identical_in_its_records(name):
    text = (DATA / name).read_text()
    fam, _ = canrisk.read(DATA / name)
    out, lost = canrisk.write_v4(fam)
    assert out.splitlines() == [ln for ln in text.splitlines() if ln.strip()]
    assert lost == []


@needs_data
@pytest.mark.parametrize("name", CANRISK_FILES)
def test_canrisk_and_bwa_round_trip_through_v4_keep_the_model(name):
    fam, _ = canrisk.read(DATA / name)
    again, det = canrisk.read("x.canrisk4", canrisk.write_v4(fam)[0])
    assert det["version"] == 4 and again.to_dict() == fam.to_dict()


@needs_data
def test_ped_round_trip():
    fam, _ = ped.read(DATA / "ceph1463.ped")
    text, _ = ped.write(fam)
    assert [ln.split() for ln in text.splitlines()] == [ln.split() for ln in
                                                        (DATA / "ceph1463.ped").read_text().splitlines()]
    assert ped.read("x.ped", text)[0].to_dict() == fam.to_dict()


@needs_data
def test_stored_family_survives_the_store_and_exports(tmp_path):
    s = store_with_patient(tmp_path)
    import_file(s, DATA / "d8.canrisk4", patient_id="P1")
    res = export_family(s, "P1", "canrisk", tmp_path / "out.canrisk4")
    assert (tmp_path / "out.canrisk4").read_text() == (DATA / "d8.canrisk4").read_text().rstrip("\n") + "\n"
    assert s.audit_rows()["action"].tolist()[-1] == "export_family" and res.people == 5
    res = export_family(s, "P1", "fhir", tmp_path / "out.json")
    bundle = json.loads((tmp_path / "out.json").read_text())
    back, _ = fhir_io.merge(None, [e["resource"] for e in bundle["entry"][1:]], s.patient("P1"))
    fam, _ = fs.current(s, "P1")
    codes = sorted(kinship.kin(fam, fam.index_id, p).code for p in fam.people if p != fam.index_id)
    assert sorted(kinship.kin(back, back.index_id, p).code for p in back.people if p != back.index_id) == codes
    assert res.not_carried                       # tests and pathology: said, not silently dropped


D8_ROW = "aaaa\tF1\t1\tPB\tPF\tPM\tF\t0\t0\t55\t1969\t0\t0\t0\t0\t0\t0" + "\t0:0" * 10 + "\t0:0:0:0:0"
BAD = [
    ("##CanRisk 4\n##" + "\t".join(canrisk.V4_COLUMNS) + "\n" + D8_ROW.replace("\tF\t0\t0\t55", "\tX\t0\t0\t55"),
     3, "Sex"),
    ("##CanRisk 4\n##" + "\t".join(canrisk.V4_COLUMNS) + "\n" + D8_ROW.replace("\t55\t1969", "\t55\t1969x"),
     3, "Yob"),
    ("##CanRisk 4\n##" + "\t".join(canrisk.V4_COLUMNS) + "\n" + D8_ROW.replace("\t0:0\t0:0:0:0:0", "\tS:Q\t0:0:0:0:0"),
     3, "HOXB13"),
    ("##CanRisk 4\n##" + "\t".join(canrisk.V4_COLUMNS) + "\n" + D8_ROW, 3, "FathID"),
    ("##CanRisk 4\n##" + "\t".join(canrisk.V4_COLUMNS) + "\n" + D8_ROW.rsplit("\t", 1)[0], 3, None),
    ("FAM1 A 0 0 1 -9\nFAM1 B A C 2 -9\n", 2, "MAT"),
    ("FAM1 A 0 0 1 -9\nFAM1 B 0 0 3 -9\n", 2, "SEX"),
]


@pytest.mark.parametrize("text, line, col", BAD)
def test_bad_files_name_the_line_and_column_and_store_nothing(tmp_path, text, line, col):
    path = tmp_path / ("bad.ped" if text.startswith("FAM1") else "bad.canrisk4")
    path.write_text(text)
    s = store_with_patient(tmp_path)
    with pytest.raises(MalformedFile) as e:
        import_file(s, path, patient_id="P1")
    assert e.value.line == line and e.value.field == col
    assert f"line {line}" in str(e.value) and "Nothing from this file was stored" in str(e.value)
    assert fs.current(s, "P1") == (None, 0)
    assert s.con.execute("SELECT count(*) FROM sources WHERE kind = 'pedigree'").fetchone()[0] == 0


def test_pedigree_needs_a_patient(tmp_path):
    path = tmp_path / "f.ped"
    path.write_text("F A 0 0 1 -9\n")
    s = store_with_patient(tmp_path)
    from workstation.errors import ImportError_

    with pytest.raises(ImportError_, match="--patient"):
        import_file(s, path)


@needs_data
@pytest.mark.parametrize("name", ["d8.canrisk4", "ceph1463.ped", "d3.bwa"])
def test_ga4gh_pedigree_round_trip_keeps_structure_sex_vital_status_and_conditions(name, tmp_path):
    from workstation.family import ga4gh

    fam = (ped if name.endswith(".ped") else canrisk).read(DATA / name)[0]
    text, lost = ga4gh.write(fam, "pedigree")
    back, det = ga4gh.read("x.json", text)

    def shape(f):
        return sorted((p.id, p.sex, p.father, p.mother, p.deceased,
                       tuple((d.condition, d.age) for d in p.diagnoses if d.condition != "contralateral_breast_cancer"))
                      for p in f.people.values())
    assert det["version"] == "pedigree" and shape(back) == shape(fam) and back.consultand == fam.consultand
    assert any("genetic test results" in x for x in lost)
    if name == "d3.bwa":                 # no SNOMED concept for a contralateral breast cancer: said, not hidden
        assert any("Contralateral" in x for x in lost)
    path = tmp_path / "family.json"
    path.write_text(text)
    assert detect(path) == "ga4gh"
    s = store_with_patient(tmp_path)
    r = import_file(s, path, patient_id="P1", sample="NA12878" if name.endswith(".ped") else None)
    assert r.status == "imported" and fs.current(s, "P1")[0].people.keys() == fam.people.keys()


def test_ga4gh_bad_document_is_refused_with_its_path(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"id": "F", "individuals": [{"id": "a", "subject": {"id": "A", "sex": "ALIEN"}}],
                                "relationships": [{"individualId": "A", "relation": {"id": "KIN:027",
                                                   "label": "isBiologicalMotherOf"}, "relativeId": "B"}]}))
    s = store_with_patient(tmp_path)
    with pytest.raises(MalformedFile) as e:
        import_file(s, path, patient_id="P1")
    assert "GA4GH" in str(e.value) and fs.current(s, "P1") == (None, 0)


@needs_data
@pytest.mark.parametrize("version, drop", [("2.0", ["HOXB13"]), ("1.0", ["HOXB13", "BARD1"])])
def test_canrisk_v1_and_v2_layouts_read(tmp_path, version, drop):
    """v2/v3 records have 27 fields (no HOXB13), v1 26 (HEREDITARY.md 1b); the reader follows the header's names.
    Made from d8 by removing those columns, since no v1/v2 file is in shared/data."""
    lines = (DATA / "d8.canrisk4").read_text().splitlines()
    head = lines[[i for i, ln in enumerate(lines) if ln.startswith("##FamID")][0]][2:].split("\t")
    keep = [i for i, c in enumerate(head) if c not in drop]
    out = [f"##CanRisk {version}"]
    for ln in lines[1:]:
        if ln.startswith("##FamID"):
            out.append("##" + "\t".join(head[i] for i in keep))
        elif ln.startswith("##"):
            out.append(ln)
        else:
            out.append("\t".join(ln.split("\t")[i] for i in keep))
    path = tmp_path / f"d8.v{version[0]}.canrisk"
    path.write_text("\n".join(out) + "\n")
    fam, det = canrisk.read(path)
    assert det["version"] == int(version[0]) and len(fam) == 5
    assert fam.people["PM"].test("BRCA2").positive and fam.people["PM"].test("HOXB13") is None
    bad = path.read_text().replace("##CanRisk 2.0", "##CanRisk 4").replace("##CanRisk 1.0", "##CanRisk 4")
    with pytest.raises(MalformedFile, match="has 28"):
        canrisk.read("x.canrisk4", bad)

"""The demo families: written as CanRisk v4 and FHIR files by the demo generator, imported through the importers."""
from __future__ import annotations

import shutil

import pytest

from tests.conftest import DEMO_PASSPHRASE
from workstation.family import canrisk, criteria, kinship
from workstation.family.risk import family_risk
from workstation.store import Store, Unlock


@pytest.fixture
def store(demo_template, tmp_path):
    dst = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, dst)
    shutil.copy(str(demo_template) + ".vault", str(dst) + ".vault")
    s = Store.open(dst, Unlock(passphrase=DEMO_PASSPHRASE))
    yield s
    s.close()


def test_families_came_through_the_importers(store):
    kinds = dict(store.con.execute("SELECT patient_id, string_agg(importer, ',') FROM sources "
                                   "WHERE kind IN ('pedigree') OR file_name LIKE '%family.fhir.json' "
                                   "GROUP BY patient_id").fetchall())
    assert kinds == {"demo-0001": "canrisk", "demo-0002": "fhir", "demo-0003": "canrisk"}
    for pid in kinds:
        assert store.profile(pid, audit_open=False).family is not None


def test_brca2_family(store):
    prof = store.profile("demo-0001", audit_open=False)
    fam = prof.family
    mother = fam.people[fam.people[fam.consultand].mother]
    assert mother.test("BRCA2").positive and mother.first_age("breast_cancer") == 44
    assert len({p.id for p in fam.people.values()}) >= 12
    assert max(kinship.ancestors(fam, fam.consultand).values())[0] == 2          # three generations at least
    gail = [s for s in family_risk(prof).scores if s.model == "gail_bcrat"]
    assert gail[0].inputs_used["N_Rels"] == 1 and gail[0].sources["N_Rels"]["table"] == "family_versions"


def test_lynch_family_meets_amsterdam_ii(store):
    fam = store.profile("demo-0002", audit_open=False).family
    assert criteria.amsterdam_ii(fam).met and criteria.bethesda(fam).met
    risk = family_risk(store.profile("demo-0002", audit_open=False))
    premm = next(s for s in risk.scores if s.model == "premm5_lynch")
    assert premm.value >= 0.025 and premm.band.startswith("at or above")


def test_unremarkable_family(store):
    prof = store.profile("demo-0003", audit_open=False)
    assert not any(p.diagnoses for p in prof.family.people.values() if p.id != prof.family.consultand
                   and p.diagnoses and p.diagnoses[0].condition != "other")
    risk = family_risk(prof)
    assert not any(c.met for c in risk.criteria)
    assert next(s for s in risk.scores if s.model == "premm5_lynch").value < 0.025


def test_demo_canrisk_files_read_back(demo_template):
    files = sorted((demo_template.parent / "demo-files").rglob("*.canrisk4"))
    assert len(files) == 3
    for f in files:
        fam, det = canrisk.read(f)
        assert det["version"] == 4 and fam.consultand == "self"


def test_report_carries_the_pedigree_deidentified(store):
    from workstation.report import build_report

    content = build_report(store, "demo-0001", deidentify=True)
    f = content.family
    assert f is not None and f.people >= 12 and f.drawing.symbols
    name = store.patient("demo-0001")["given"]
    lines = [ln for s in f.drawing.symbols for ln in s.lines]
    assert "patient" in lines and not any(name in ln for ln in lines)
    assert not any(ln.startswith("b. ") for ln in lines)
    assert any("Gail inputs:" in ln for ln in f.risk) and any("PREMM5" in ln for ln in f.risk)
    assert not any(r.model_id == "gail_bcrat" for r in content.risk.scores)   # shown once, in the family part


def test_own_recorded_cancer_counts_for_the_index_person(store):
    from workstation.family.risk import family_risk

    prof = store.profile("demo-0002", audit_open=False)
    assert not prof.family.people[prof.family.consultand].diagnoses       # FMH describes relatives only...
    premm = next(s for s in family_risk(prof).scores if s.model == "premm5_lynch")
    assert premm.inputs_used["own_colorectal_cancers"] == 1                # ...his own CRC is in his record

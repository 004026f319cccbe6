"""FHIR export of PGx (Genomics Reporting IG shapes) and risk results; re-import through the real FHIR importer."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from workstation import vault
from workstation.errors import WorkstationError
from workstation.exchange.fhir_export import MODEL_SYSTEM, build_fhir_bundle, export_fhir
from workstation.exchange.fhir_genomics import PROFILE
from workstation.store import Store

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
VCF = SHARED / "pharmcat" / "pharmcat.example2.vcf"          # CYP2C19 *2/*2 (PharmCAT example 2)
FINDRISC_INPUTS = {"age": 50, "sex": "female", "bmi": 27.0, "waist_cm": 85, "physically_active_daily": True,
                   "vegetables_daily": True, "antihypertensive_ever": False, "high_glucose_ever": False,
                   "family_diabetes": "none"}


def new_store(path: Path) -> Store:
    return Store.create(path, "a long passphrase", kdf=vault.FAST_KDF)


@pytest.fixture()
def exported(tmp_path):
    """Store A with a real VCF for p1, a real FINDRISC score, exported to FHIR JSON."""
    if not VCF.exists():
        pytest.skip("../shared/data/pharmcat/pharmcat.example2.vcf is not beside the checkout")
    from workstation.ingest import import_file
    from workstation.models import get_registry

    a = new_store(tmp_path / "a.duckdb")
    with a.transaction() as con:
        con.execute("INSERT INTO patients (id, name, given, family, sex, birth_date) VALUES "
                    "('p1', 'Ada Lovelace', 'Ada', 'Lovelace', 'female', DATE '1975-12-10')")
    import_file(a, VCF, patient_id="p1")
    score = get_registry().score("findrisc_t2d", FINDRISC_INPUTS)
    assert score.value is not None
    out = tmp_path / "p1.fhir.json"
    res = export_fhir(a, "p1", out, scores=[score])
    yield a, out, res, score
    a.close()


def _by_profile(bundle: dict, name: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"]
            if PROFILE[name] in (e["resource"].get("meta") or {}).get("profile", [])]


def test_ig_shapes(exported):
    _, out, res, _ = exported
    bundle = json.loads(out.read_text("utf-8"))
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "transaction"
    urls = {e["fullUrl"] for e in bundle["entry"]}
    for e in bundle["entry"]:
        assert e["request"] == {"method": "POST", "url": e["resource"]["resourceType"]}
        for ref in json.dumps(e["resource"]).split('"reference": "')[1:]:
            assert ref.split('"')[0] in urls, "every reference resolves inside the Bundle"
    (report,) = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "DiagnosticReport"]
    assert report["meta"]["profile"] == [PROFILE["genomic-report"]]
    assert report["code"]["coding"][0]["code"] == "51969-4"
    assert report["category"][0]["coding"][0] == {"system": "http://terminology.hl7.org/CodeSystem/v2-0074",
                                                   "code": "GE"}
    assert "CYP2D6" in report["conclusion"]            # not called: listed, never reported as reference
    genotypes = {g["component"][0]["valueCodeableConcept"].get("coding", [{}])[0].get("display")
                 or g["component"][0]["valueCodeableConcept"]["text"]: g for g in _by_profile(bundle, "genotype")}
    cyp = genotypes["CYP2C19"]
    assert cyp["code"]["coding"][0]["code"] == "84413-4"
    assert cyp["valueCodeableConcept"]["text"] == "CYP2C19 *2/*2"
    assert cyp["component"][0]["code"]["coding"][0]["code"] == "48018-6"
    assert cyp["component"][0]["valueCodeableConcept"]["coding"][0]["code"] == "HGNC:2621"
    assert [c["coding"][0]["code"] for c in cyp["category"]] == ["laboratory", "GE"]
    assert "CYP2D6" not in genotypes
    haps = [h for h in _by_profile(bundle, "haplotype") if h["valueCodeableConcept"]["text"].startswith("CYP2C19")]
    assert [h["valueCodeableConcept"]["text"] for h in haps] == ["CYP2C19 *2", "CYP2C19 *2"]
    assert {d["reference"] for d in cyp["derivedFrom"]} == {e["fullUrl"] for e in bundle["entry"]
                                                           if e["resource"] in haps}
    impls = _by_profile(bundle, "therapeutic-implication")
    clop = [i for i in impls if any(c["valueCodeableConcept"].get("text") == "clopidogrel"
                                    for c in i["component"] if "valueCodeableConcept" in c)]
    assert len(clop) == 3          # CPIC's three indications (CVI ACS/PCI, CVI non-ACS non-PCI, NVI) stay split
    comps = {c["code"]["coding"][0]["code"]: c for c in clop[0]["component"]}
    assert sorted(c["component"][-1]["valueString"].split(":")[0] for c in clop) == [
        "clopidogrel (CVI ACS PCI)", "clopidogrel (CVI non-ACS non-PCI)", "clopidogrel (NVI)"]
    assert comps["51963-7"]["valueCodeableConcept"]["coding"][0] == {
        "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "32968", "display": "clopidogrel"}
    assert comps["therapeutic-implication"]["valueCodeableConcept"]["coding"][0]["code"] == "LA9657-3"
    assert "conclusion-string" in comps and clop[0]["extension"][0]["valueRelatedArtifact"]["url"].startswith(
        "https://cpicpgx.org/")
    assert res.counts["genotype"] == len(_by_profile(bundle, "genotype"))


def test_risk_result_observation(exported):
    _, out, _, score = exported
    bundle = json.loads(out.read_text("utf-8"))
    (obs,) = [e["resource"] for e in bundle["entry"]
              if e["resource"].get("code", {}).get("coding", [{}])[0].get("system") == MODEL_SYSTEM]
    assert obs["code"]["coding"][0]["code"] == "findrisc_t2d"
    assert obs["valueQuantity"] == {"value": score.value, "unit": "points"}
    assert score.version in obs["method"]["text"] and score.card["sha256"] in obs["method"]["text"]
    assert "Lindstrom" in obs["note"][0]["text"]


def test_reimport_into_fresh_store(exported, tmp_path):
    from workstation.ingest import import_file

    _, out, _, score = exported
    b = new_store(tmp_path / "b.duckdb")
    try:
        res = import_file(b, out)
        assert res.status == "imported" and res.patient_ids == ["p1"]
        p = b.patient("p1")
        assert p["name"] == "Ada Lovelace" and p["sex"] == "female" and str(p["birth_date"])[:10] == "1975-12-10"
        obs = b.con.execute("SELECT category, code, value_text, value_num FROM observations "
                            "WHERE patient_id = 'p1'").df()
        geno = obs[obs.code == "84413-4"]
        assert "CYP2C19 *2/*2" in geno.value_text.tolist() and set(geno.category) == {"laboratory"}
        assert "clopidogrel" in obs[obs.code == "51963-7"].value_text.tolist()
        assert obs[obs.code == "findrisc_t2d"].value_num.tolist() == [score.value]
    finally:
        b.close()


def test_export_is_audited_and_refuses_overwrite(exported):
    a, out, _, _ = exported
    rows = a.audit_rows("p1")
    assert rows.action.tolist()[-1] == "export_fhir"
    with pytest.raises(WorkstationError, match="already exists"):
        export_fhir(a, "p1", out, scores=[])
    assert a.verify_audit().ok


def test_refused_scores_left_out_and_units():
    """Pure builder: a refused score is left out (and reported); probabilities are written as percent (UCUM)."""
    from workstation.exchange.fhir_export import UCUM, _quantity
    from workstation.models import get_registry

    refused = get_registry().score("findrisc_t2d", dict(FINDRISC_INPUTS, age=5))   # outside the validated range
    assert refused.value is None and refused.refused
    bundle, res = build_fhir_bundle({"id": "p9", "name": "Test Person"}, None, [], [refused])
    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == ["Patient"]
    assert res.not_exported == [f"findrisc_t2d: {refused.refused}"]
    assert _quantity(0.0734, "probability") == {"value": 7.34, "unit": "%", "system": UCUM, "code": "%"}
    assert _quantity(35.0, "mg/week") == {"value": 35.0, "unit": "mg/week", "system": UCUM, "code": "mg/wk"}

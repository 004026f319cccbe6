"""Profile -> model inputs: LOINC + UCUM, windows, conditions/medications, PGx genotypes, PRS from VCF rows,
and an end-to-end run on a real Synthea bundle through the real encrypted store and the CLI."""
from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from models_onnx.build import prs
from tests.core.models_support import make_profile, obs
from workstation.models import load_registry, score_all
from workstation.models.profile_inputs import gather_facts, map_inputs, vkorc1_genotype

SHARED = Path(__file__).resolve().parents[3] / "shared"


@pytest.fixture(scope="module")
def reg():
    return load_registry()


def _khan_profile(**extra):
    """The PREVENT supplement patient (woman, 50) as stored records, lipids in mmol/L."""
    tables = dict(
        observations=[obs("2093-3", 200 * 0.02586, "mmol/L", "2024-01-10"), obs("2085-9", 45, "mg/dL", "2024-01-10"),
                      obs("8480-6", 150, "mm[Hg]", "2023-01-05"), obs("8480-6", 160, "mm[Hg]", "2024-05-01"),
                      obs("8480-6", 110, "mm[Hg]", "2024-07-01"),            # after as_of: ignored
                      obs("39156-5", 35, "kg/m2", "2024-05-01"), obs("33914-3", 90, "mL/min/{1.73_m2}", "2024-05-01"),
                      dict(obs("72166-2", float("nan"), None, "2024-05-01", text="Never smoker"), value_num=None)],
        conditions=[{"code": "44054006", "display": "Diabetes mellitus type 2 (disorder)", "clinical_status": "active",
                     "onset": pd.Timestamp("2015-01-01"), "resource_id": "c1"}],
        medications=[{"code": "314076", "display": "lisinopril 10 MG Oral Tablet", "status": "active",
                      "start_time": pd.Timestamp("2016-01-01"), "resource_id": "m1"}],
    )
    tables.update(extra)
    return make_profile(birth_date=date(1974, 3, 1), sex="female", as_of=datetime(2024, 6, 1), **tables)


def test_facts_with_sources_units_and_windows():
    pf = gather_facts(_khan_profile())
    f = pf.facts
    assert f["age"].value == 50
    assert f["total_chol_mgdl"].value == pytest.approx(200) and f["total_chol_mgdl"].source["unit"] == "mmol/L"
    assert f["sbp_mmhg"].value == 160 and f["sbp_mmhg"].source["date"] == "2024-05-01"
    assert f["diabetes"].value is True and f["diabetes"].source["code"] == "44054006"
    assert f["bp_treated"].value is True and "lisinopril" in f["bp_treated"].source["display"]
    assert f["statin"].value is False and f["statin"].source["assumed"] is True
    assert f["smoker"].value is False
    assert f["egfr"].value == 90 and f["egfr"].source["code"] == "33914-3"


def test_score_all_reproduces_prevent_from_records(reg):
    scores = {s.model: s for s in score_all(_khan_profile(), registry=reg)}
    s = scores["prevent_cvd_10y"]
    assert s.refused is None and round(s.value, 4) == 0.1468
    assert s.sources["sbp_mmhg"]["date"] == "2024-05-01"
    assert round(scores["prevent_hf_10y"].value, 4) == 0.0806
    pce_ = scores["pce2013_ascvd_10y"]
    assert pce_.value is None and "race" in pce_.refused and any("race" in n for n in pce_.notes)
    assert "patient already has diabetes" in scores["findrisc_t2d"].refused
    assert "wdbc_malignancy_logreg" not in scores                   # a demonstration model: not for patients
    demo = {s.model: s for s in score_all(_khan_profile(), registry=reg, include_demonstration=True)}
    assert demo["wdbc_malignancy_logreg"].applicable is False and demo["wdbc_malignancy_logreg"].category == \
        "demonstration"
    assert scores["prs_pgs000001_breast_cancer"].applicable is False
    flc = scores["flchain_mortality_10y"]                            # no free light chains in this record
    assert flc.applicable is False and "free light chain" in flc.refused
    # race supplied by the clinician -> PCE scores (precision-trap patient, 24.3 %)
    with_race = {s.model: s for s in score_all(_khan_profile(), registry=reg, overrides={"race": "black"})}
    assert round(with_race["pce2013_ascvd_10y"].value, 3) == 0.243
    assert with_race["pce2013_ascvd_10y"].sources["race"] == {"entered": True, "mapped_value": "black"}


def test_stale_values_are_missing_and_creatinine_gives_ckd_epi_2021(reg):
    p = make_profile(birth_date=date(1960, 1, 1), sex="male", as_of=datetime(2024, 6, 1),
                     observations=[obs("8480-6", 140, "mm[Hg]", "2021-01-01"),           # older than 1 year
                                   obs("38483-4", 88.42, "umol/L", "2024-02-01")])
    pf = gather_facts(p)
    assert "sbp_mmhg" not in pf.facts and any("sbp" in n for n in pf.notes)
    # CKD-EPI 2021, man aged 64, creatinine 1.0 mg/dL: 142 * (1/0.9)^-1.2 * 0.9938^64
    expected = 142 * (1 / 0.9) ** -1.2 * 0.9938 ** 64
    assert pf.facts["egfr"].value == pytest.approx(expected)
    assert "CKD-EPI 2021" in pf.facts["egfr"].source["computed"]
    s = {s.model: s for s in score_all(p, registry=reg)}["prevent_cvd_10y"]
    assert "sbp_mmhg" in s.inputs_missing and s.refused.startswith("missing")


def test_unrecognised_unit_is_not_used():
    p = make_profile(birth_date=date(1960, 1, 1), sex="male", as_of=datetime(2024, 6, 1),
                     observations=[obs("2093-3", 5.2, "furlongs", "2024-01-01")])
    pf = gather_facts(p)
    assert "total_chol_mgdl" not in pf.facts and any("furlongs" in n for n in pf.notes)


@pytest.mark.parametrize("text,expected", [
    ("rs9923231 reference (C)/rs9923231 variant (T)", "A/G"), ("rs9923231 variant (T)/rs9923231 variant (T)", "A/A"),
    ("rs9923231 reference (C)/rs9923231 reference (C)", "G/G"), ("C/T", "A/G"), ("G/A", "A/G"), ("T/T", "A/A")])
def test_vkorc1_strand_mapping(text, expected):
    assert vkorc1_genotype(text) == expected


def test_iwpc_from_pgx_and_medications(reg):
    p = _khan_profile(observations=[obs("8302-2", 170, "cm", "2020-01-01"), obs("29463-7", 154.3236, "[lb_av]", "2024-05-01")],
                      medications=[{"display": "Amiodarone hydrochloride 200 MG Oral Tablet", "status": "active"}],
                      outside_calls=[{"gene": "CYP2C9", "diplotype": "*1/*1"}])
    pgx = {"VKORC1": {"diplotypes": ["rs9923231 reference (C)/rs9923231 variant (T)"]},
           "CYP2C9": {"diplotypes": ["*3/*1"]}}
    inputs, sources, _ = map_inputs(p, "iwpc_warfarin_weekly_dose", pgx, registry=reg)
    assert inputs["vkorc1_rs9923231"] == "A/G" and inputs["cyp2c9"] == "*1/*3"
    assert inputs["amiodarone"] is True and inputs["enzyme_inducer"] is False
    assert inputs["weight_kg"] == pytest.approx(70.0, abs=1e-3) and sources["cyp2c9"]["table"] == "pgx"
    s = reg.score("iwpc_warfarin_weekly_dose", inputs)
    assert s.defaults_used == {"race": s.defaults_used["race"]} and s.inputs_used["race"] == "mixed_or_missing"
    # without pgx results, the outside call in the store is used; an ambiguous call becomes "unknown"
    inputs, sources, _ = map_inputs(p, "iwpc_warfarin_weekly_dose", None, registry=reg)
    assert inputs["cyp2c9"] == "*1/*1" and sources["cyp2c9"]["table"] == "outside_calls"
    inputs, _, notes = map_inputs(p, "iwpc_warfarin_weekly_dose", {"CYP2C9": {"diplotypes": ["*1/*2", "*1/*3"]}},
                                  registry=reg)
    assert inputs["cyp2c9"] == "unknown" and any("possible diplotypes" in n for n in notes)


def test_prs_from_vcf_rows(reg):
    rows = prs.read_weights()
    comp = {"A": "T", "T": "A", "C": "G", "G": "C"}
    variants = []
    expected = {}
    for i, r in enumerate(rows):
        if r["strand_ambiguous"] or i % 11 == 0:           # leave some positions absent (not called)
            continue
        ref, alt = (r["other_allele"], r["effect_allele"]) if i % 2 else (r["effect_allele"], r["other_allele"])
        if i % 5 == 0:                                     # reverse-strand record: complemented alleles
            ref, alt = comp[ref], comp[alt]
        gt = ["0/0", "0/1", "1|1"][i % 3]
        n_alt = gt.count("1")
        d = n_alt if i % 2 else 2 - n_alt
        expected[r["rsid"]] = d
        variants.append({"chrom": r["chrom"], "pos": r["pos"], "ref": ref, "alt": alt, "gt": gt, "source_id": 1})
    variants.append({"chrom": rows[1]["chrom"], "pos": 999, "ref": "A", "alt": "G", "gt": "0/1"})
    p = _khan_profile(variants=variants)
    inputs, sources, notes = map_inputs(p, "prs_pgs000001_breast_cancer", registry=reg)
    assert {k: v for k, v in inputs.items() if v is not None} == expected
    assert any("strand-ambiguous" in n for n in notes)
    s = {s.model: s for s in score_all(p, registry=reg)}["prs_pgs000001_breast_cancer"]
    w = {r["rsid"]: r["weight"] for r in rows}
    assert s.refused is None and s.value == pytest.approx(sum(w[k] * d for k, d in expected.items()), abs=1e-12)
    assert s.extra["coverage"] == pytest.approx(len(expected) / 77)


def test_synthea_bundle_end_to_end(tmp_path, reg, capsys, monkeypatch):
    """A real Synthea R4 bundle imported into a real encrypted store, then scored through the CLI."""
    bundle = SHARED / "data/fhir_r4_synthea/Parker_Casper_6d0c6969-6843-47e1-9921-d9bf11b1df31.json"
    if not bundle.exists():
        pytest.skip("shared/data is not beside this checkout")
    from tests.core.helpers import PASSPHRASE, new_store
    from workstation.cli import run
    from workstation.ingest.fhir import import_fhir

    store = new_store(tmp_path)
    import_fhir(store, bundle)
    pid = store.con.execute("SELECT id FROM patients").fetchone()[0]
    profile = store.profile(pid)
    store.close()
    # as of the last recorded encounter year the record is complete enough for PREVENT: labs, BP, eGFR, smoking
    last = pd.Timestamp(profile.observations["effective"].max()).to_pydatetime()
    profile = type(profile)(**{**profile.__dict__, "as_of": last})
    scores = {s.model: s for s in score_all(profile, registry=reg)}
    pf = gather_facts(profile)
    assert pf.facts["diabetes"].value is True                     # type 2 diabetes in the bundle
    assert pf.facts["statin"].value is True                       # the active simvastatin order of 2016
    assert pf.facts["statin"].source["display"] == "Simvastatin 20 MG Oral Tablet"
    assert pf.facts["total_chol_mgdl"].source["code"] == "2093-3"
    s = scores["prevent_cvd_10y"]
    # the bundle records Coronary Heart Disease (SNOMED 53741008, 2016): PREVENT is for people without known CVD
    assert s.value is None and not s.applicable and "Coronary Heart Disease (SNOMED CT 53741008" in s.refused
    assert "not applicable" in scores["prevent_cvd_30y"].refused and "ASCVD" in scores["pce2013_ascvd_10y"].refused
    inputs, _src, _notes = map_inputs(profile, "prevent_cvd_10y", registry=reg)
    direct = reg.score("prevent_cvd_10y", inputs)          # the mapping itself: every input on record
    assert direct.refused is None and direct.value == pytest.approx(0.18538551958198568, rel=1e-9)
    monkeypatch.setenv("WS_PW", PASSPHRASE)
    monkeypatch.setenv("WORKSTATION_NO_KEYRING", "1")
    rc = run(["--db", str(tmp_path / "p.duckdb"), "--passphrase-env", "WS_PW", "score", "--patient", pid,
              "--set", "race=white", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["patient"] == pid and len(out["scores"]) == 13        # every model but the WDBC demonstration
    assert all(("value" in x and "sources" in x and "inputs_missing" in x) for x in out["scores"])


def test_test_profiles_have_the_column_types_of_an_imported_patient(demo_template):
    """make_profile goes through the real store: every frame has the dtypes a demo patient imported from real files
    has (a frame assembled in pandas would leave empty DOUBLE columns as object and miss DuckDB's own types)."""
    from tests.conftest import DEMO_PASSPHRASE
    from workstation.store import Store, Unlock

    with Store.open(demo_template, Unlock(passphrase=DEMO_PASSPHRASE), read_only=True) as s:
        pid = str(s.patients()["id"].iloc[0])
        imported = s.profile(pid, audit_open=False)
    mine = _khan_profile()
    for table in ("observations", "conditions", "medications"):
        a, b = getattr(mine, table), getattr(imported, table)
        assert list(a.columns) == list(b.columns), table
        filled = [c for c in a.columns if a[c].notna().any() and b[c].notna().any()]   # all-NULL columns are object
        assert len(filled) >= 5, (table, filled)
        assert a[filled].dtypes.astype(str).to_dict() == b[filled].dtypes.astype(str).to_dict(), table
    assert type(mine.patient["birth_date"]) is type(imported.patient["birth_date"])

"""The demo cohort: real files in real formats, imported through the real importers, deterministic."""
from __future__ import annotations

import hashlib

from workstation import vault
from workstation.demo import build_demo_store, ensure_demo_store, write_demo_files
from workstation.demo.cohort import make_cohort
from workstation.store import Store, Unlock


def _digest(files: dict) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for paths in files.values() for p in paths}


def test_demo_files_are_deterministic(tmp_path):
    cohort = make_cohort(3)
    a = _digest(write_demo_files(tmp_path / "a", cohort))
    b = _digest(write_demo_files(tmp_path / "b", make_cohort(3)))
    assert a == b
    kinds = {name.split(".", 1)[1] if "." in name else name for name in a}
    assert {"fhir.json", "vcf.gz"} <= kinds


def test_demo_store_has_every_data_type(tmp_path):
    s = build_demo_store(tmp_path / "demo.duckdb", "demo passphrase", n_patients=3, kdf=vault.FAST_KDF)
    try:
        assert len(s.patients()) == 3
        counts = dict(s.con.execute("SELECT kind, count(*) FROM sources GROUP BY kind").fetchall())
        assert counts["fhir"] == 4 and counts["vcf"] == 3                # + the Lynch family's FHIR file
        assert counts["pedigree"] == 2                                   # the CanRisk files of two families
        assert counts["omics"] >= 3 and counts["wearable"] >= 2          # demo-0001 has omics and wearables
        prof = s.profile("demo-0001")
        assert not prof.observations.empty and not prof.variants.empty and not prof.analytes.empty
        assert prof.patient["race"]                                       # from the US Core race extension
        from workstation.models import score_all                          # kappa/lambda in mg/L -> a score
        flc = next(x for x in score_all(s.profile("demo-0003")) if x.model == "flchain_mortality_10y")
        assert flc.ok and flc.interval and flc.sources["kappa_mg_dl"]["unit"] == "mg/L"
        n_hr = s.con.execute("SELECT count(*) FROM wearable_samples WHERE patient_id = 'demo-0001' "
                             "AND metric = 'heart_rate'").fetchone()[0]
        assert n_hr == 525_600                                            # a year of minute-level heart rate
        assert s.verify_audit().ok
    finally:
        s.close()


def test_ensure_demo_store_reuses_the_store(tmp_path):
    info = ensure_demo_store(folder=tmp_path / "demo", n_patients=2)
    again = ensure_demo_store(folder=tmp_path / "demo", n_patients=2)
    assert again.db_path == info.db_path and again.passphrase == info.passphrase and again.n_patients == 2
    Store.open(info.db_path, Unlock(passphrase=info.passphrase_file.read_text().strip())).close()

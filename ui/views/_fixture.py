"""A small, deterministic, synthetic patient store for running views alone, tests and benchmarks.

Everything is invented (names, values, variants) and marked as synthetic; it is written through the real
encrypted store and the real ``import_batch`` path, one provenance file (a CSV written beside the store) per batch.
Codes used for labels are standard public codes (LOINC, SNOMED CT, RxNorm); the values are random.
"""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from workstation import vault
from workstation.store import Store, file_info, import_batch

PASSPHRASE = "synthetic-demo-passphrase"
GIVEN = ["Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kira", "Luis", "Mina",
         "Noah", "Olga", "Pavel", "Quinn", "Rosa", "Sami", "Tara"]
FAMILY = ["Synth", "Testa", "Example", "Demo", "Sample", "Mock", "Fixture", "Placeholder"]
# (code, display, unit, ref_low, ref_high, mean, sd, category)
LABS = [("2345-7", "Glucose", "mg/dL", 70, 99, 105, 18, "laboratory"),
        ("4548-4", "Hemoglobin A1c", "%", 4.0, 5.6, 6.1, 0.7, "laboratory"),
        ("2160-0", "Creatinine", "mg/dL", 0.6, 1.2, 1.0, 0.2, "laboratory"),
        ("2093-3", "Cholesterol, total", "mg/dL", None, 200, 195, 30, "laboratory"),
        ("8867-4", "Heart rate", "/min", 60, 100, 74, 8, "vital-signs"),
        ("8480-6", "Systolic blood pressure", "mm[Hg]", 90, 120, 132, 12, "vital-signs")]
CONDITIONS = [("44054006", "Type 2 diabetes mellitus"), ("59621000", "Essential hypertension"),
              ("55822004", "Hyperlipidemia"), ("49436004", "Atrial fibrillation"), ("195967001", "Asthma")]
MEDS = [("6809", "metformin"), ("29046", "lisinopril"), ("83367", "atorvastatin"), ("32968", "clopidogrel"),
        ("11289", "warfarin"), ("36567", "simvastatin")]
PGX_GENES = [("chr10", 94781859, "CYP2C19"), ("chr10", 94842866, "CYP2C9"), ("chr12", 21178615, "SLCO1B1"),
             ("chr16", 31096368, "VKORC1"), ("chr22", 42126611, "CYP2D6")]


def _batch(store: Store, folder: Path, name: str, kind: str, pid: str | None, frames: dict,
           patients: list[dict] | None = None) -> None:
    f = folder / name
    f.write_text(json.dumps({k: 0 if v is None else len(v) for k, v in frames.items()}) + "\n# synthetic fixture\n")
    with import_batch(store, file_info(f), kind=kind, importer="ui-fixture", importer_version="1",
                      patient_id=pid) as b:
        for p in patients or []:
            b.upsert_patient(p)
        for table, df in frames.items():
            b.counts[table] = b.insert_frame(table, df)
        if kind == "vcf":            # the synthetic genotypes are written in GRCh38 coordinates
            b.details.update({"build": "GRCh38", "build_evidence": "synthetic fixture (GRCh38 coordinates)"})


def _patient(i: int, rng: np.random.Generator) -> dict:
    g, f = GIVEN[i % len(GIVEN)], FAMILY[(i // len(GIVEN)) % len(FAMILY)]
    born = date(1940, 1, 1) + timedelta(days=int(rng.integers(0, 365 * 60)))
    return {"id": f"SYN-{i + 1:05d}", "name": f"{g} {f}{'' if i < 160 else ' ' + str(i)}", "given": g,
            "family": f, "birth_date": born, "sex": "female" if i % 2 == 0 else "male",
            "identifiers": [{"system": "urn:synthetic:mrn", "value": f"MRN{900000 + i}"}]}


def _clinical(pid: str, rng: np.random.Generator, born: date) -> dict:
    start = datetime(2019, 1, 1)
    obs = []
    for code, disp, unit, lo, hi, mu, sd, cat in LABS:
        for k in range(int(rng.integers(6, 14))):
            t = start + timedelta(days=int(k * 120 + rng.integers(0, 60)))
            obs.append({"category": cat, "code_system": "http://loinc.org", "code": code, "display": disp,
                        "value_num": round(float(rng.normal(mu, sd)), 2), "unit": unit, "effective": t,
                        "ref_low": lo, "ref_high": hi})
    cond_idx = rng.choice(len(CONDITIONS), size=int(rng.integers(1, 4)), replace=False)
    conds = [{"code_system": "http://snomed.info/sct", "code": CONDITIONS[c][0], "display": CONDITIONS[c][1],
              "clinical_status": "active", "onset": start + timedelta(days=int(rng.integers(0, 900)))}
             for c in cond_idx]
    med_idx = rng.choice(len(MEDS), size=int(rng.integers(1, 4)), replace=False)
    meds = []
    for m in med_idx:
        s = start + timedelta(days=int(rng.integers(0, 1200)))
        stopped = bool(rng.random() < 0.3)
        meds.append({"code_system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": MEDS[m][0],
                     "rxnorm": MEDS[m][0], "display": MEDS[m][1], "status": "stopped" if stopped else "active",
                     "kind": "request", "start_time": s, "end_time": s + timedelta(days=200) if stopped else None,
                     "dosage": "as directed"})
    allergies = pd.DataFrame([{"display": "Penicillin", "category": "medication", "criticality": "high",
                               "clinical_status": "active", "recorded": start}]) if rng.random() < 0.5 else None
    fam = pd.DataFrame([{"relationship": "mother", "relative_sex": "female", "display": "Breast cancer",
                         "onset_age": 52.0, "deceased": False},
                        {"relationship": "father", "relative_sex": "male", "display": "Myocardial infarction",
                         "onset_age": 61.0, "deceased": True}])
    enc = pd.DataFrame([{"class": "AMB", "display": "Outpatient visit", "status": "finished",
                         "start_time": start + timedelta(days=30 * k)} for k in range(4)])
    return {"observations": pd.DataFrame(obs), "conditions": pd.DataFrame(conds),
            "medications": pd.DataFrame(meds), "allergies": allergies, "family_history": fam, "encounters": enc}


def _omics(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for omics, n, unit, kind in (("transcriptomics", 60, "TPM", "gene"), ("proteomics", 25, "ng/mL", "protein"),
                                 ("metabolomics", 25, "umol/L", "metabolite")):
        for k in range(n):
            mid = float(rng.uniform(5, 200))
            has_ref = k % 3 != 0
            rows.append({"omics": omics, "id_system": "name", "analyte_id": f"{omics[:4].upper()}{k:03d}",
                         "name": f"Synthetic {kind} {k}", "value": round(mid * rng.lognormal(0, .4), 3),
                         "unit": unit, "ref_low": round(mid * .6, 3) if has_ref else None,
                         "ref_high": round(mid * 1.4, 3) if has_ref else None, "sample": "S1",
                         "measured_at": datetime(2023, 5, 1)})
    return pd.DataFrame(rows)


def _wearables(rng: np.random.Generator, days: int) -> pd.DataFrame:
    t0 = np.datetime64("2023-01-01T00:00")
    minutes = np.arange(days * 1440)
    tod = (minutes % 1440) / 1440.0
    hr = 62 + 18 * np.clip(np.sin((tod - 0.3) * np.pi * 1.6), 0, None) + rng.normal(0, 4, len(minutes))
    hr[rng.integers(0, len(minutes), max(1, days // 3))] += 45          # a few spikes (exercise)
    hr_df = pd.DataFrame({"metric": "heart_rate", "start_utc": t0 + minutes.astype("timedelta64[m]"),
                          "value": np.round(hr, 1), "unit": "/min", "utc_offset_min": 60, "device": "synthetic"})
    hours = np.arange(days * 24)
    steps = np.where((hours % 24 >= 7) & (hours % 24 <= 21), rng.poisson(500, len(hours)), 0)
    st_df = pd.DataFrame({"metric": "steps", "start_utc": t0 + hours.astype("timedelta64[h]"), "value": steps,
                          "unit": "{steps}", "utc_offset_min": 60, "device": "synthetic"})
    d = np.arange(days)
    sl_df = pd.DataFrame({"metric": "sleep", "start_utc": t0 + d.astype("timedelta64[D]") - np.timedelta64(90, "m"),
                          "value": np.round(rng.normal(420, 45, days)), "unit": "min", "utc_offset_min": 60,
                          "device": "synthetic"})
    return pd.concat([hr_df, st_df, sl_df], ignore_index=True)


def _variants(rng: np.random.Generator, n: int) -> pd.DataFrame:
    chroms = rng.integers(1, 23, n)
    gts = rng.choice(["0/1", "1/1", "0|1", "1|0", "0/0", "./."], n, p=[.4, .25, .1, .1, .1, .05])
    ref = rng.choice(list("ACGT"), n)
    alt = np.array([{"A": "G", "C": "T", "G": "A", "T": "C"}[r] for r in ref])
    df = pd.DataFrame({"sample": "S1", "chrom": ["chr" + str(c) for c in chroms],
                       "pos": rng.integers(10_000, 150_000_000, n), "vid": [f"rs{1000000 + k}" for k in range(n)],
                       "ref": ref, "alt": alt, "qual": np.round(rng.uniform(5, 99, n), 1), "filter": "PASS",
                       "info": "DP=30", "gt": gts, "phased": [("|" in g) for g in gts],
                       "dp": rng.integers(8, 60, n), "gq": rng.integers(5, 99, n)})
    for k, (c, p, gene) in enumerate(PGX_GENES):
        df.loc[k, ["chrom", "pos", "info", "gt"]] = [c, p, f"DP=40;GENE={gene}", "0/1"]
    return df


def _family(store, folder: Path, patient: dict) -> None:
    """The demo BRCA2 family around the first (female) patient, written as CanRisk v4 and imported."""
    from types import SimpleNamespace

    from workstation.demo.families import brca2
    from workstation.family.canrisk import write_v4
    from workstation.ingest import import_file

    born = pd.Timestamp(patient["birth_date"]).date()
    who = SimpleNamespace(id=patient["id"], given=str(patient.get("given") or "Patient"), birth_date=born,
                          sex=patient["sex"])
    path = folder / f"{patient['id']}.canrisk4"
    path.write_text(write_v4(brca2(who, datetime(2024, 6, 1).date()))[0], encoding="utf-8")
    import_file(store, path, patient_id=patient["id"])


def build_fixture_store(path: Path | str, passphrase: str = PASSPHRASE, *, n_patients: int = 6, n_full: int = 3,
                        wear_days: int = 30, n_variants: int = 3000, seed: int = 7) -> Path:
    """Create ``path`` with ``n_patients`` synthetic patients; the first ``n_full`` have every kind of data."""
    path = Path(path)
    folder = path.parent / (path.stem + "_files")
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    store = Store.create(path, passphrase, kdf=vault.FAST_KDF)
    try:
        pats = [_patient(i, rng) for i in range(n_patients)]
        _batch(store, folder, "patients.csv", "demo", None, {}, patients=pats)
        for i, p in enumerate(pats[:n_full]):
            pid = p["id"]
            _batch(store, folder, f"{pid}_clinical.csv", "fhir", pid, _clinical(pid, rng, p["birth_date"]))
            _batch(store, folder, f"{pid}_omics.csv", "omics", pid, {"analytes": _omics(rng)})
            _batch(store, folder, f"{pid}_wearable.csv", "wearable", pid,
                   {"wearable_samples": _wearables(rng, wear_days if i == 0 else min(wear_days, 14))})
            _batch(store, folder, f"{pid}.vcf.csv", "vcf", pid, {"variants": _variants(rng, n_variants)})
        if pats:
            _family(store, folder, pats[0])
    finally:
        store.close()
    return path

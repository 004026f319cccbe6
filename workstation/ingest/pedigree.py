"""Import a pedigree file (PLINK PED, CanRisk v1-v4, BOADICEA v4, GA4GH Pedigree / Phenopackets) into a patient's
family model.

The file becomes the patient's next family version (the earlier ones stay in the history), written with its
provenance row and audit rows in one transaction; a bad file raises an error naming the line and column and
stores nothing. The patient is the file's target person (CanRisk ``Target``); for PED, whose records name no
patient, ``sample`` (the individual id, e.g. ``NA12878``) says who the patient is - without it the family is
stored with no index person. Affected relatives are also written as ``family_history`` rows, so every view of the
record shows them.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from workstation.errors import ImportError_
from workstation.family import canrisk, kinship, ped
from workstation.family import store as family_store
from workstation.ingest.common import finish, open_text, previous_result, require_patient
from workstation.progress import Progress, ensure
from workstation.store import file_info, import_batch

IMPORTER_VERSION = "1"
def _ga4gh(path, text):
    from workstation.family import ga4gh

    return ga4gh.read(path, text)


READERS = {"ped": ped.read, "canrisk": canrisk.read, "boadicea": canrisk.read, "ga4gh": _ga4gh}


def history_rows(fam) -> pd.DataFrame:
    """``family_history`` rows (one per relative's condition) for the family's index person."""
    idx = fam.index_id
    rows = []
    if idx is None:
        return pd.DataFrame(rows)
    for pid, k in kinship.relatives(fam, idx).items():
        p = fam.people[pid]
        for d in p.diagnoses:
            rows.append({"relationship": k.display, "relative_sex": p.sex, "code_system": d.code_system,
                         "code": d.code, "display": d.label, "onset_age": None if d.age is None else float(d.age),
                         "deceased": bool(p.deceased), "resource_id": f"pedigree:{pid}"})
    df = pd.DataFrame(rows)
    if not df.empty:
        df["onset_age"] = pd.to_numeric(df["onset_age"])
        df["deceased"] = df["deceased"].astype("boolean")
    return df


def import_pedigree(store, path: Path | str, *, patient_id: str | None = None, sample: str | None = None,
                    progress: Progress | None = None, fmt: str | None = None) -> "object":
    path = Path(path)
    progress = ensure(progress)
    pid = require_patient(store, path, patient_id)
    info = file_info(path)
    if (prev := previous_result(store, info, "pedigree", pid)) is not None:
        return prev
    if fmt is None:
        from workstation.ingest.detect import detect

        fmt = detect(path)
    with open_text(path) as fh:
        text = fh.read()
    progress.set(0.1, f"Reading {info.name}")
    fam, details = READERS[fmt](path, text)
    if fmt in ("ped", "ga4gh") and fam.consultand is None:
        if sample:
            if sample not in fam.people:
                raise ImportError_(str(path), f"there is no individual {sample!r} in this PED file", field="IID")
            fam.consultand = sample
    elif sample and sample != fam.consultand:
        raise ImportError_(str(path), f"the file's target person is {fam.consultand!r}, not {sample!r}",
                           field="Target")
    if fam.index_id:
        fam.people[fam.index_id].refs["patient"] = pid
    with import_batch(store, info, kind="pedigree", importer=fmt, importer_version=IMPORTER_VERSION,
                      patient_id=pid) as batch:
        change = {"op": "import_file", "format": fmt, "file": info.name, "people": len(fam)}
        version = family_store.save(store, pid, fam, change, con=batch.con, source_id=batch.source_id)
        rows = history_rows(fam)
        batch.counts["family_members"] = len(fam)
        if len(rows):
            batch.counts["family_history"] = batch.insert_frame("family_history", rows)
        batch.details.update({"format": fmt, "family_version": version,
                              **{k: v for k, v in details.items() if k != "records"}})
        if details.get("genotype_columns_not_stored"):
            batch.warnings.append(f"{details['genotype_columns_not_stored']} genotype columns were not stored "
                                  "(the family model keeps the pedigree only)")
        if fam.index_id is None:
            batch.warnings.append("no index person: name the patient's individual id (--sample) to link the "
                                  "family to the patient")
    progress.set(1.0, f"Imported {info.name}")
    label = {"ped": "PED", "canrisk": f"CanRisk v{details.get('version')}", "boadicea": "BOADICEA v4",
             "ga4gh": f"GA4GH ({details.get('version')})"}[fmt]
    return finish(info, batch, "pedigree", f"a {label} pedigree of {len(fam)} people")

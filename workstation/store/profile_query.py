"""Assemble a :class:`~workstation.profile.PatientProfile` from the store (read-only queries)."""
from __future__ import annotations

from datetime import datetime

from workstation.profile import FRAME_TABLES, PatientProfile

# Variants are only loaded for pharmacogene-sized profiles; a whole genome stays in the store and is queried
# by position (Store.variants_in_region) instead of being pulled into memory.
MAX_PROFILE_VARIANTS = 200_000


def load_profile(store, patient_id: str) -> PatientProfile:
    patient = store.patient(patient_id)
    con = store.con
    frames = {}
    for t in FRAME_TABLES:
        q = f"SELECT * FROM {t} WHERE patient_id = ?"
        if t == "variants":
            q += f" ORDER BY chrom, pos LIMIT {MAX_PROFILE_VARIANTS}"
        frames[t] = con.execute(q, [patient_id]).df()
    frames["sources"] = con.execute("SELECT * FROM sources WHERE patient_id = ? ORDER BY imported_at",
                                    [patient_id]).df()
    wear = con.execute("""
        SELECT metric, CAST(date_trunc('day', start_utc) AS DATE) AS day, count(*) AS n,
               avg(value) AS mean, min(value) AS min, max(value) AS max, sum(value) AS total, any_value(unit) AS unit
        FROM wearable_samples WHERE patient_id = ? GROUP BY ALL ORDER BY metric, day""", [patient_id]).df()
    from workstation.family.store import current as current_family

    family, family_version = current_family(store, patient_id)
    return PatientProfile(patient=patient, wearable_summary=wear, as_of=datetime.now(),
                          version=store.data_version(patient_id), family=family, family_version=family_version,
                          **frames)

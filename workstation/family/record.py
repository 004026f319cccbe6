"""The index person's own conditions come from the patient's record, not from family-history files.

FHIR FamilyMemberHistory describes relatives only, and a CanRisk file may predate a diagnosis in the record, so
``with_record(family, profile)`` returns a copy of the family whose index person also carries the cancers (and
diabetes) recorded in the patient's conditions, with the age at onset computed from the birth date. Nothing is
stored: the risk models, the drawing and the PDF all read the same combined view.
"""
from __future__ import annotations

import pandas as pd

from workstation.family.conditions import classify
from workstation.family.model import Diagnosis, Family


def record_diagnoses(profile) -> list[Diagnosis]:
    cond = getattr(profile, "conditions", None)
    if cond is None or cond.empty:
        return []
    born = profile.birth_date
    out = []
    for _, r in cond.iterrows():
        key = classify(r.get("code_system"), r.get("code"), r.get("display"))
        if key == "other":
            continue
        age = None
        onset = r.get("onset")
        if born is not None and onset is not None and not pd.isna(onset):
            t = pd.Timestamp(onset)
            age = t.year - born.year - ((t.month, t.day) < (born.month, born.day))
        out.append(Diagnosis(key, age, r.get("code_system"), r.get("code"), r.get("display")))
    return out


def with_record(fam: Family | None, profile) -> Family | None:
    if fam is None or fam.index_id is None:
        return fam
    extra = record_diagnoses(profile)
    me = fam.people[fam.index_id]
    have = {d.condition for d in me.diagnoses}
    new = [d for d in extra if d.condition not in have]
    if not new:
        return fam
    g = fam.copy()
    g.people[g.index_id].diagnoses = list(me.diagnoses) + new
    return g

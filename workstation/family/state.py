"""Everything the family view shows for one patient, computed on the store worker in one call.

``family_state(store, profile)`` reads the latest family version and returns it with its layout, its drawing
and the hereditary risk (the profile with that family), so the window only paints.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from workstation.family import store as family_store
from workstation.family.drawing import Drawing, drawing
from workstation.family.layout import Layout, layout
from workstation.family.model import Family
from workstation.family.risk import FamilyRisk, family_risk


@dataclass
class FamilyState:
    patient_id: str
    family: Family | None
    version: int
    layout: Layout = field(default_factory=Layout)
    drawing: Drawing = field(default_factory=Drawing)
    risk: FamilyRisk = field(default_factory=FamilyRisk)
    record_dx: list = field(default_factory=list)   # the index person's diagnoses that come from the record


def family_state(store, profile) -> FamilyState:
    fam, version = family_store.current(store, profile.id)
    prof = dataclasses.replace(profile, family=fam, family_version=version)
    st = FamilyState(profile.id, fam, version, risk=family_risk(prof))
    if fam is not None:
        from workstation.family.record import with_record

        shown = with_record(fam, prof)          # the patient's own recorded cancers drawn too
        if fam.index_id:
            n = len(fam.people[fam.index_id].diagnoses)
            st.record_dx = shown.people[fam.index_id].diagnoses[n:]
        st.layout = layout(shown)
        st.drawing = drawing(shown, st.layout)
    return st


def edit_and_state(store, edits, profile, op: str, *args, **kwargs) -> FamilyState:
    """Apply one edit (one stored version, one audit row) and return the new state."""
    if op in ("undo", "redo"):
        getattr(edits, op)(store)
    else:
        edits.edit(store, op, *args, **kwargs)
    return family_state(store, profile)

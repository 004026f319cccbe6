"""Export a patient's family: CanRisk v4 (for canrisk.org/BOADICEA when online), PLINK PED, FHIR R4
FamilyMemberHistory, GA4GH Pedigree (Phenopackets form) and a Phenopackets v2 Family. Each export is audited; the result says what the format could not carry."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from workstation.errors import NotFound, WorkstationError
from workstation.family import canrisk, fhir_io, ped
from workstation.family import store as family_store

FORMATS = ("canrisk", "ped", "fhir", "ga4gh", "phenopacket")
FHIR_NOT_CARRIED = ["genetic test results, tumour pathology, twins, adoption and Ashkenazi ancestry have no "
                    "FamilyMemberHistory element in this export"]


@dataclass
class ExportResult:
    path: str
    format: str
    people: int
    not_carried: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        msg = f"Wrote {self.people} people to {self.path} ({self.format})."
        if self.not_carried:
            msg += f" Not carried by the format: {len(self.not_carried)} item(s)."
        return msg


def render(family, fmt: str, patient: dict) -> tuple[str, list[str]]:
    if fmt == "canrisk":
        return canrisk.write_v4(family)
    if fmt == "ped":
        return ped.write(family)
    if fmt == "fhir":
        return json.dumps(fhir_io.to_bundle(family, patient), indent=2) + "\n", list(FHIR_NOT_CARRIED)
    if fmt in ("ga4gh", "phenopacket"):
        from workstation.family import ga4gh

        text, lost = ga4gh.write(family, "pedigree" if fmt == "ga4gh" else "family")
        if fmt == "phenopacket":
            lost.append("a Phenopackets Family holds details only for relatives with a condition; the others are "
                        "in its PED-style pedigree (sex, parents, affected) only")
        return text + "\n", lost
    raise WorkstationError(f"Unknown pedigree format {fmt!r}; use one of {', '.join(FORMATS)}.")


def export_family(store, patient_id: str, fmt: str, out: Path | str, *, overwrite: bool = False) -> ExportResult:
    out = Path(out)
    patient = store.patient(patient_id)
    family, version = family_store.current(store, patient_id)
    if family is None:
        raise NotFound(f"Patient {patient_id!r} has no family history recorded; nothing was written.")
    if out.exists() and not overwrite:
        raise WorkstationError(f"{out} already exists; choose another name or replace it (--force).")
    text, lost = render(family, fmt, patient)
    tmp = out.with_name(out.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
    store.audit("export_family", patient_id=patient_id,
                detail={"format": fmt, "file": out.name, "family_version": version, "people": len(family)})
    return ExportResult(str(out), fmt, len(family), lost)

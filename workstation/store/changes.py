"""Change descriptors: what a mutation touched (which patients, which tables), so each view refreshes only what it
shows (the pattern of Anki's ``OpChanges``). Mutations return one, or the caller derives it from their result with
:func:`from_result`. Pure data; no store access.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from workstation.store.schema import DATA_TABLES

# an importer's kind -> the tables it writes (its counts name wearable metrics or omics layers, not tables)
KIND_TABLES = {"vcf": ("variants", "ref_blocks"), "omics": ("analytes",), "wearable": ("wearable_samples",),
               "pedigree": ("family_history", "family_versions")}


@dataclass(frozen=True)
class Changes:
    patients: frozenset = field(default_factory=frozenset)
    tables: frozenset = field(default_factory=frozenset)
    patient_list: bool = False          # a patient was added, renamed or deleted (the list needs reloading)
    origin: object = None               # the mutation's own result (ImportResult, ...), for its message

    def touches(self, patient_id: str | None, tables) -> bool:
        """Whether a view showing ``tables`` of ``patient_id`` must refresh."""
        return patient_id in self.patients and bool(self.tables & frozenset(tables))


def from_import(result) -> Changes:
    """The change an :class:`~workstation.ingest.base.ImportResult` made (nothing when it stored nothing)."""
    if getattr(result, "status", "") != "imported":
        return Changes(origin=result)
    counts = dict(getattr(result, "counts", {}) or {})
    tables = {t for t, n in counts.items() if t in DATA_TABLES and n}
    tables |= set(KIND_TABLES.get(getattr(result, "kind", None) or "", ()))
    if getattr(result, "kind", None) == "fhir":
        tables.add("fhir_resources")
    return Changes(frozenset(result.patient_ids or ()), frozenset(tables), bool(counts.get("patients")), result)


def outside_calls(patient_id: str, result=None) -> Changes:
    return Changes(frozenset({patient_id}), frozenset({"outside_calls"}), False, result)


ALL_TABLES = frozenset(DATA_TABLES)

"""Storing outside PGx calls (a lab's CYP2D6, HLA-A/B or MT-RNR1 result) for a patient, with provenance and audit.

One entry (the form in the window, or one PharmCAT outside-call TSV) is one ``sources`` row (kind ``outside_call``:
file name or "entered in the window", SHA-256 of what was stored, and in ``details`` the lab, the date of the test,
who entered it) plus one ``outside_calls`` row per gene, written in one transaction through
:func:`workstation.store.importing.import_batch` (which also appends the audit row). Every call is interpreted by
:func:`workstation.pgx.outside_call` before anything is written: a call that cannot be read is refused with the
field named, and nothing is stored.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workstation.errors import MalformedFile
from workstation.pgx.outside import OutsideCallError, outside_call, read_outside_calls
from workstation.store import audit
from workstation.store.db import Store
from workstation.store.importing import FileInfo, file_info, import_batch

IMPORTER_VERSION = "1"
WINDOW = "outside call entered in the window"


@dataclass(frozen=True)
class OutsideCallEntry:
    gene: str
    diplotype: str | None = None
    phenotype: str | None = None
    activity_score: str | None = None


@dataclass(frozen=True)
class StoredOutsideCalls:
    patient_id: str
    source_id: int
    genes: tuple[str, ...]
    status: str = "imported"
    patient_ids: tuple[str, ...] = ()


def _validate(entries: list[OutsideCallEntry], where: str) -> None:
    seen = set()
    for n, e in enumerate(entries, start=1):
        try:
            call = outside_call(e.gene, e.diplotype, e.phenotype, e.activity_score)
        except OutsideCallError as exc:
            raise MalformedFile(where, str(exc), line=n if len(entries) > 1 else None, field=exc.field) from None
        if call.gene in seen:
            raise MalformedFile(where, f"gene {call.gene} appears twice", line=n, field="gene")
        seen.add(call.gene)


def add_outside_calls(store: Store, patient_id: str, entries: list[OutsideCallEntry], *, lab: str | None = None,
                      test_date: str | None = None, info: FileInfo | None = None) -> StoredOutsideCalls:
    """Store ``entries`` for ``patient_id`` (all or nothing). ``info`` describes the file they came from; None for
    the window's form."""
    store.patient(patient_id)
    if not entries:
        raise MalformedFile(info.name if info else WINDOW, "no outside call to store", field="gene")
    _validate(entries, info.name if info else WINDOW)
    rows = [{"gene": e.gene.strip().upper(), "diplotype": (e.diplotype or "").strip() or None,
             "phenotype": (e.phenotype or "").strip() or None,
             "activity_score": (str(e.activity_score).strip() if e.activity_score not in (None, "") else None)}
            for e in entries]
    if info is None:
        blob = json.dumps({"calls": rows, "lab": lab, "date": test_date}, sort_keys=True).encode()
        info = FileInfo(Path(WINDOW), WINDOW, hashlib.sha256(blob).hexdigest(), len(blob))
    who = audit.os_user()
    with import_batch(store, info, kind="outside_call", importer="outside_call", importer_version=IMPORTER_VERSION,
                      patient_id=patient_id) as batch:
        frame = pd.DataFrame([{**r, "patient_id": patient_id, "source_id": batch.source_id, "entered_by": who}
                              for r in rows])
        batch.insert_frame("outside_calls", frame)
        batch.counts["outside_calls"] = len(frame)
        batch.details.update({"lab": lab, "test_date": test_date, "entered_by": who,
                              "genes": [r["gene"] for r in rows]})
        source_id = batch.source_id
    return StoredOutsideCalls(patient_id, source_id, tuple(r["gene"] for r in rows), patient_ids=(patient_id,))


def import_outside_call_file(store: Store, patient_id: str, path: Path | str, *, lab: str | None = None,
                             test_date: str | None = None) -> StoredOutsideCalls:
    """A PharmCAT outside-call TSV (gene, diplotype, phenotype, activity score) for ``patient_id``."""
    path = Path(path)
    calls = read_outside_calls(path)         # raises MalformedFile naming the line and field
    entries = [OutsideCallEntry(c.gene, c.source_diplotype,
                                None if c.gene in ("HLA-A", "HLA-B") or c.source_diplotype else c.phenotype,
                                None if c.activity_score is None or c.source_diplotype else str(c.activity_score))
               for c in calls]
    return add_outside_calls(store, patient_id, entries, lab=lab, test_date=test_date, info=file_info(path))


def provenance(sources: pd.DataFrame | None) -> dict[int, dict]:
    """source_id -> {lab, test_date, entered_by, file} from a profile's ``sources`` frame."""
    out: dict[int, dict] = {}
    if sources is None or len(sources) == 0 or "kind" not in sources:
        return out
    for r in sources[sources["kind"] == "outside_call"].itertuples(index=False):
        try:
            d = json.loads(r.details or "{}")
        except (TypeError, ValueError):
            d = {}
        out[int(r.id)] = {"lab": d.get("lab"), "test_date": d.get("test_date"), "entered_by": d.get("entered_by"),
                          "file": r.file_name}
    return out

"""FHIR R4 import: Bundles (transaction, collection, searchset, batch, document), single resources and NDJSON.

Two passes over the file: the first indexes Patients and Medications (and, for a Bundle, every ``fullUrl`` so
``urn:uuid:`` references resolve), the second maps resources to rows (:mod:`workstation.ingest.fhir_resources`)
and writes them in chunks inside the file's one transaction. NDJSON is streamed line by line (bounded memory); a
Bundle is a single JSON document and is loaded whole. Every stored resource keeps its raw JSON in
``fhir_resources``. Resource types the workstation does not use are counted and skipped with a warning.

Patients: resources are filed under the Patient they reference. With ``patient_id`` given, everything in the file
is filed under that existing-or-new patient id (the file's own Patient id is kept in ``identifiers``).
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Iterator

import pandas as pd

from workstation.errors import ImportError_, MalformedFile
from workstation.ingest.base import ImportResult
from workstation.ingest import limits
from workstation.ingest.common import finish, open_text, previous_result
from workstation.ingest.fhir_resources import MAPPERS, REFERENCE_ONLY, Ctx, map_patient
from workstation.progress import Progress, ensure
from workstation.store import file_info, import_batch

IMPORTER_VERSION = "1"
CHUNK_ROWS = 50_000
_TS_COLS = {"effective", "onset", "abatement", "start_time", "end_time", "recorded", "performed_start",
            "performed_end"}
_NUM_COLS = {"value_num", "ref_low", "ref_high", "onset_age"}


def _entries(path: Path, ndjson: bool) -> Iterator[tuple[str, int | None, dict, str | None]]:
    """(record label, line, resource, fullUrl) for every resource in the file."""
    if ndjson:
        with open_text(path) as fh:
            n = 0
            while line := fh.readline(limits.MAX_LINE + 1):
                n += 1
                if len(line) > limits.MAX_LINE:
                    raise MalformedFile(str(path), f"this line is longer than {limits.MAX_LINE >> 20} MiB", line=n)
                if not line.strip():
                    continue
                res = limits.load_json(line, path, line=n)
                _check_resource(path, res, f"line {n}", n)
                yield f"line {n}", n, res, None
        return
    with open_text(path) as fh:
        doc = limits.load_json(fh, path)
    if not isinstance(doc, dict) or "resourceType" not in doc:
        raise MalformedFile(str(path), "the JSON is not a FHIR resource (no resourceType)", field="resourceType")
    _check_resource(path, doc, "the document", None)
    if doc["resourceType"] != "Bundle":
        yield doc["resourceType"], None, doc, None
        return
    entries = doc.get("entry") or []
    if not isinstance(entries, list):
        raise MalformedFile(str(path), "the Bundle's entry is not a list", field="entry")
    for i, entry in enumerate(entries):
        if entry is None:
            continue
        if not isinstance(entry, dict):
            raise MalformedFile(str(path), "this Bundle entry is not a JSON object", record=f"entry {i}")
        res = entry.get("resource")
        if res is None:
            continue  # e.g. a transaction DELETE entry
        full_url = entry.get("fullUrl")
        if full_url is not None and not isinstance(full_url, str):
            raise MalformedFile(str(path), "the fullUrl is not text", record=f"entry {i}", field="fullUrl")
        _check_resource(path, res, f"entry {i}", None)
        yield f"entry {i}", None, res, full_url


def _check_resource(path: Path, res, label: str, line: int | None) -> None:
    """The fields every resource's handling relies on have the right JSON type."""
    rec = None if line else label
    if not isinstance(res, dict):
        raise MalformedFile(str(path), "this resource is not a JSON object", line=line, record=rec)
    if not isinstance(res.get("resourceType"), str) or not res.get("resourceType"):
        raise MalformedFile(str(path), "this resource has no resourceType (or it is not text)", line=line,
                            record=rec, field="resourceType")
    if "id" in res and res["id"] is not None and not isinstance(res["id"], str):
        raise MalformedFile(str(path), "the resource id is not text", line=line, record=rec, field="id")


class _Index:
    """References within the file: fullUrl and Type/id → resource."""

    def __init__(self) -> None:
        self.by_key: dict[str, dict] = {}
        self.patients: dict[str, dict] = {}      # patient key (Type/id or fullUrl) → Patient resource
        self.patient_order: list[dict] = []

    def add(self, res: dict, full_url: str | None) -> None:
        keys = []
        if full_url:
            keys.append(full_url)
        if res.get("id"):
            keys.append(f"{res['resourceType']}/{res['id']}")
        for k in keys:
            self.by_key[k] = res
        if res.get("resourceType") == "Patient":
            self.patient_order.append(res)
            if not res.get("id") and full_url:
                res["id"] = full_url.rsplit(":", 1)[-1].rsplit("/", 1)[-1]

    def resolve(self, ref: dict | None) -> dict | None:
        r = (ref or {}).get("reference")
        if not r:
            return None
        if r in self.by_key:
            return self.by_key[r]
        parts = r.rstrip("/").split("/")   # absolute URL …/Type/id or Type/id/_history/n
        if "_history" in parts:
            parts = parts[:parts.index("_history")]
        return self.by_key.get("/".join(parts[-2:])) if len(parts) >= 2 else None


def _frame(rows: list[dict], path: Path | None = None, table: str = "") -> pd.DataFrame:
    df = pd.DataFrame(rows)
    for c in df.columns:
        try:
            if c in _TS_COLS:
                df[c] = pd.to_datetime(df[c])
            elif c in _NUM_COLS:
                df[c] = pd.to_numeric(df[c])
                if df[c].dtype == object:
                    raise ValueError("not numbers")
            elif c == "deceased":
                df[c] = df[c].astype("boolean")
        except (ValueError, TypeError, OverflowError) as exc:
            raise MalformedFile(str(path), f"a {c.replace('_', ' ')} value could not be read "
                                f"({limits.short(exc, 120)})", field=f"{table}.{c}") from None
    return df


def import_fhir(store, path: Path | str, *, patient_id: str | None = None, sample: str | None = None,
                progress: Progress | None = None, ndjson: bool | None = None) -> ImportResult:
    """Import one FHIR R4 Bundle / resource (JSON) or NDJSON file. ``sample`` is ignored (FHIR has none)."""
    path = Path(path)
    progress = ensure(progress)
    if ndjson is None:
        from workstation.ingest.detect import detect
        ndjson = detect(path) == "fhir-ndjson"
    info = file_info(path)
    if (prev := previous_result(store, info, "fhir", patient_id)) is not None:
        return prev
    progress.set(0.0, f"Reading {info.name}")
    index = _Index()
    total = 0
    for label, line, res, full_url in _entries(path, ndjson):
        if not isinstance(res, dict) or not res.get("resourceType"):
            raise MalformedFile(str(path), "this resource has no resourceType", line=line,
                                record=None if line else label, field="resourceType")
        total += 1
        if ndjson and res["resourceType"] not in ("Patient", *REFERENCE_ONLY):
            continue
        index.add(res, full_url)
        if total % 5000 == 0:
            progress.check()
    if len(index.patient_order) > 1 and patient_id:
        raise ImportError_(str(path), f"the file holds {len(index.patient_order)} patients, so it cannot be filed "
                           f"under the one patient {patient_id!r}; import it without naming a patient")
    with import_batch(store, info, kind="fhir", importer="fhir", importer_version=IMPORTER_VERSION,
                      patient_id=patient_id) as batch:
        writer = _Writer(store, path, batch, index, patient_id)
        for pres in index.patient_order:
            writer.patient(pres)
        for n, (label, line, res, full_url) in enumerate(_entries(path, ndjson), 1):
            writer.resource(label, line, res)
            if n % 2000 == 0:
                progress.check()
                progress.set(0.05 + 0.9 * n / max(total, 1), f"Importing {info.name}: {n:,} of {total:,} resources")
        writer.flush(force=True)
        writer.family()
        writer.summarise()
        progress.set(1.0, f"Imported {info.name}")
    return finish(info, batch, "fhir", f"{total:,} FHIR resources")


def _field_hint(exc: BaseException) -> str | None:
    return limits.short(str(exc.args[0]), 40) if isinstance(exc, KeyError) and exc.args else None


class _Writer:
    """Maps resources to rows and writes them through the batch in chunks."""

    def __init__(self, store, path: Path, batch, index: _Index, patient_id: str | None) -> None:
        self.store, self.path, self.batch, self.index, self.forced = store, path, batch, index, patient_id
        self.rows: dict[str, list[dict]] = {}
        self.counts: Counter = Counter()
        self.skipped: Counter = Counter()
        self.unit_changes: dict[str, str] = {}
        self.fmh: dict[str, list[dict]] = {}      # patient id -> FamilyMemberHistory resources (family model)
        self.pid_of_patient: dict[int, str] = {}
        self.known_in_store: dict[str, bool] = {}
        self.ctx = Ctx(index.resolve, self._fail, self.unit_changes)
        self._label = ""
        self._line: int | None = None

    def _fail(self, res: dict, field: str, reason: str) -> None:
        rec = f"{res.get('resourceType')}/{res.get('id')}" if res.get("id") else self._label
        raise MalformedFile(str(self.path), reason, line=self._line, record=rec, field=field)

    def patient(self, res: dict) -> None:
        try:
            row = map_patient(res, self.ctx)
        except MalformedFile:
            raise
        except (TypeError, AttributeError, KeyError, IndexError, ValueError, OverflowError) as exc:
            self._fail(res, _field_hint(exc), "a field of this Patient does not have the type FHIR R4 gives it")
        pid = self.forced or res.get("id")
        if self.forced and res.get("id"):
            row["identifiers"] = row["identifiers"] + [{"system": "urn:fhir:Patient.id", "value": res["id"]}]
        self.batch.upsert_patient({"id": pid, **row})
        self.pid_of_patient[id(res)] = pid
        self.counts["patients"] += 1

    def _patient_of(self, res: dict, ref_field: str) -> str:
        ref = res.get(ref_field)
        target = self.index.resolve(ref) if ref else None
        if target is not None and target.get("resourceType") == "Patient":
            return self.pid_of_patient[id(target)]
        if self.forced:
            return self.forced
        r = (ref or {}).get("reference") or ""
        if r.startswith("Patient/"):
            pid = r.split("/")[1]
            if pid not in self.known_in_store:
                self.known_in_store[pid] = self.store.con.execute(
                    "SELECT 1 FROM patients WHERE id = ?", [pid]).fetchone() is not None
            if self.known_in_store[pid]:
                return pid
        if not ref and len(self.index.patient_order) == 1:
            return self.pid_of_patient[id(self.index.patient_order[0])]
        if not self.index.patient_order:
            raise MalformedFile(str(self.path), "the Bundle holds no Patient resource, so its records cannot be "
                                "filed under a patient (name an existing patient with --patient ID)",
                                line=self._line, record=self._label, field=ref_field)
        self._fail(res, ref_field, f"the patient reference {r!r} does not match any Patient in this file")
        return ""

    def resource(self, label: str, line: int | None, res: dict) -> None:
        self._label, self._line = label, line
        rtype = res["resourceType"]
        if rtype == "Patient":
            self._raw(res, self.pid_of_patient.get(id(res)) or self.forced or res.get("id"))
            return
        if rtype in REFERENCE_ONLY:
            self._raw(res, None)
            return
        spec = MAPPERS.get(rtype)
        if spec is None:
            self.skipped[rtype] += 1
            return
        table, mapper, ref_field = spec
        ref = res.get(ref_field)
        if ref is not None and not (isinstance(ref, dict) and isinstance(ref.get("reference", ""), str)):
            self._fail(res, ref_field, "the patient reference is not a FHIR Reference object")
        pid = self._patient_of(res, ref_field)
        if rtype == "FamilyMemberHistory":
            self.fmh.setdefault(pid, []).append(res)
        try:
            rows = list(mapper(res, self.ctx))
        except MalformedFile:
            raise
        except (TypeError, AttributeError, KeyError, IndexError, ValueError, OverflowError) as exc:
            self._fail(res, _field_hint(exc), "a field does not have the type FHIR R4 gives it (e.g. text where "
                       "an object or list is expected)")
        for row in rows:
            row["patient_id"] = pid
            self.rows.setdefault(table, []).append(row)
        self._raw(res, pid)
        self.flush()

    def _raw(self, res: dict, pid: str | None) -> None:
        self.rows.setdefault("fhir_resources", []).append(
            {"patient_id": pid, "resource_type": res["resourceType"], "resource_id": res.get("id"),
             "json": json.dumps(res, separators=(",", ":"), ensure_ascii=False)})

    def flush(self, force: bool = False) -> None:
        for table, rows in self.rows.items():
            if rows and (force or len(rows) >= CHUNK_ROWS):
                self.counts[table] += self.batch.insert_frame(table, _frame(rows, self.path, table))
                rows.clear()

    def family(self) -> None:
        """File each patient's FamilyMemberHistory into the family model (one new version per patient)."""
        from workstation.family import fhir_io
        from workstation.family import store as family_store

        for pid, resources in self.fmh.items():
            fam, _ = family_store.current(self.store, pid)
            patient = self.store.patient(pid)
            new, change = fhir_io.merge(fam, resources, patient)
            if not change["added"]:
                continue
            family_store.save(self.store, pid, new, change, con=self.batch.con, source_id=self.batch.source_id)
            self.counts["family_members"] += len(change["added"])

    def summarise(self) -> None:
        b = self.batch
        b.counts.update({k: int(v) for k, v in self.counts.items() if v})
        if self.skipped:
            b.details["skipped_resource_types"] = dict(sorted(self.skipped.items()))
            listed = ", ".join(f"{n} {t}" for t, n in sorted(self.skipped.items(), key=lambda kv: -kv[1]))
            b.warnings.append(f"Skipped resource types the workstation does not use: {listed}.")
        if self.unit_changes:
            b.details["units_normalised"] = dict(sorted(self.unit_changes.items()))
            listed = ", ".join(f"{a!r} → {u!r}" for a, u in sorted(self.unit_changes.items()))
            b.warnings.append(f"Units rewritten to UCUM: {listed}.")

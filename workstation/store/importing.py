"""Writing one imported file: all of it in one transaction, with one provenance row and one audit row.

Importers (``workstation/ingest``) parse and validate, then write through an :class:`ImportBatch`::

    info = file_info(path)
    if (prev := already_imported(store, info)) is not None: ...   # re-import is a no-op
    with import_batch(store, info, kind="fhir", importer="fhir", importer_version="1") as batch:
        batch.upsert_patient({...})
        batch.insert_frame("observations", frame)          # patient_id column in frame, or batch.patient_id
        batch.insert_select("variants", "SELECT ... FROM read_csv(...)", params)  # streaming, in DuckDB
        batch.counts["observations"] = len(frame)

Any exception inside the ``with`` (a parse error, :class:`~workstation.progress.Cancelled`, a full disk) rolls
back everything of that file.
"""
from __future__ import annotations

import hashlib
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

from workstation.errors import MalformedFile
from workstation.ingest.limits import display_name, has_surrogate

from workstation.store import audit, failpoints
from workstation.store.db import Store


@dataclass(frozen=True)
class FileInfo:
    path: Path
    name: str
    sha256: str
    size: int


def file_info(path: Path | str) -> FileInfo:
    p = Path(path)
    h = hashlib.sha256()
    with open(p, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return FileInfo(p, display_name(p), h.hexdigest(), os.path.getsize(p))


def already_imported(store: Store, info: FileInfo, patient_id: str | None = None) -> dict | None:
    """The provenance row of an earlier import of the same bytes (for the same patient, when given)."""
    q = "SELECT * FROM sources WHERE sha256 = ?"
    params: list = [info.sha256]
    if patient_id is not None:
        q += " AND (patient_id = ? OR patient_id IS NULL)"
        params.append(patient_id)
    df = store.con.execute(q + " ORDER BY id LIMIT 1", params).df()
    return None if df.empty else df.iloc[0].to_dict()


@dataclass
class ImportBatch:
    con: object
    source_id: int
    patient_id: str | None
    counts: dict = field(default_factory=dict)
    details: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    patient_ids: set = field(default_factory=set)
    file: str = ""

    def _check(self, table: str, df: pd.DataFrame) -> None:
        """Refuse text DuckDB cannot store (a lone surrogate would break the open connection) and non-finite
        numbers, before anything reaches the database."""
        for c in df.columns:
            col = df[c]
            if col.dtype.kind == "f":
                vals = col.to_numpy(dtype="float64", na_value=np.nan)
                if np.isinf(vals).any():
                    raise MalformedFile(self.file, "a number is infinite, which is not a measured value",
                                        field=f"{table}.{c}")
            elif col.dtype == object or str(col.dtype) in ("str", "string"):
                try:
                    values = pd.unique(col.dropna())  # distinct values only: metric/unit columns repeat a lot
                except TypeError:                     # a dict or list among them: not a value for a column
                    raise MalformedFile(self.file, "a JSON object or list stands where a single value is expected",
                                        field=f"{table}.{c}") from None
                for v in values:
                    if isinstance(v, str) and has_surrogate(v):
                        raise MalformedFile(self.file, "a text value holds an invalid Unicode character (a lone "
                                            "surrogate)", field=f"{table}.{c}")

    def upsert_patient(self, patient: dict) -> None:
        """Insert a patient, or fill in demographics the stored row lacks (never blanks a known value)."""
        cols = ["id", "name", "given", "family", "birth_date", "sex", "deceased_date", "race", "ethnicity",
                "identifiers"]
        row = {c: patient.get(c) for c in cols}
        if isinstance(row["identifiers"], (list, dict)):
            row["identifiers"] = json.dumps(row["identifiers"])
        for c, v in row.items():
            if v is not None and not isinstance(v, (str, int, float, bool)) and c not in ("birth_date",
                                                                                       "deceased_date"):
                raise MalformedFile(self.file, f"the patient's {c} is not text", field=f"patients.{c}")
            if isinstance(v, str) and has_surrogate(v):
                raise MalformedFile(self.file, "a text value holds an invalid Unicode character (a lone "
                                    "surrogate)", field=f"patients.{c}")
        exists = self.con.execute("SELECT 1 FROM patients WHERE id = ?", [row["id"]]).fetchone()
        if exists:
            sets = ", ".join(f"{c} = coalesce({c}, ?)" for c in cols[1:])
            self.con.execute(f"UPDATE patients SET {sets} WHERE id = ?", [row[c] for c in cols[1:]] + [row["id"]])
        else:
            self.con.execute(f"INSERT INTO patients ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                             [row[c] for c in cols])
        self.patient_ids.add(row["id"])

    def insert_frame(self, table: str, frame: pd.DataFrame) -> int:
        if frame is None or len(frame) == 0:
            return 0
        df = frame.copy()
        if "patient_id" not in df.columns:
            if self.patient_id is None:
                raise ValueError(f"rows for {table} have no patient_id")
            df["patient_id"] = self.patient_id
        df["source_id"] = self.source_id
        self._check(table, df)
        self.patient_ids.update(df["patient_id"].dropna().unique().tolist())
        self.con.register("_import_frame", df)
        try:
            self.con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _import_frame")
        finally:
            self.con.unregister("_import_frame")
        return len(df)

    def insert_select(self, table: str, select_sql: str, params: list | None = None) -> int:
        """Stream ``select_sql`` (columns named as in the table, without patient_id/source_id) into ``table``."""
        if self.patient_id is None:
            raise ValueError("insert_select needs the batch's patient_id")
        n0 = self.con.execute(f"SELECT count(*) FROM {table} WHERE source_id = ?", [self.source_id]).fetchone()[0]
        self.con.execute(
            f"INSERT INTO {table} BY NAME SELECT ? AS patient_id, ? AS source_id, q.* FROM ({select_sql}) q",
            [self.patient_id, self.source_id] + list(params or []))
        self.patient_ids.add(self.patient_id)
        if table == "variants":
            self._check_genotypes()
        n1 = self.con.execute(f"SELECT count(*) FROM {table} WHERE source_id = ?", [self.source_id]).fetchone()[0]
        return int(n1 - n0)

    def _check_genotypes(self) -> None:
        """Guard for the VCF importer (issue 17; the reader itself belongs to the VCF code): an allele index of
        more than 4 digits (``99999999999999999999/1``) is not a genotype."""
        bad = self.con.execute(
            "SELECT gt FROM variants WHERE source_id = ? AND regexp_matches(gt, '[0-9]{5,}') LIMIT 1",
            [self.source_id]).fetchone()
        if bad is not None:
            from workstation.ingest.limits import check_genotype

            check_genotype(bad[0], self.file)


@contextmanager
def import_batch(store: Store, info: FileInfo, *, kind: str, importer: str, importer_version: str,
                 patient_id: str | None = None) -> Iterator[ImportBatch]:
    with store.transaction() as con:
        source_id = con.execute("SELECT nextval('source_seq')").fetchone()[0]
        batch = ImportBatch(con, int(source_id), patient_id, file=str(info.path))
        yield batch
        failpoints.hit("import:rows-written")
        pids = sorted(batch.patient_ids) or ([patient_id] if patient_id else [])
        owner = patient_id if patient_id is not None else (pids[0] if len(pids) == 1 else None)
        con.execute(
            "INSERT INTO sources (id, patient_id, file_name, sha256, size_bytes, kind, importer, importer_version, "
            "counts, details, imported_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [source_id, owner, info.name, info.sha256, info.size, kind, importer, importer_version,
             json.dumps(batch.counts, sort_keys=True),
             json.dumps({**batch.details, "warnings": batch.warnings, "patients": pids}, default=str),
             audit.os_user()])
        audit.append(con, "import", patient_id=owner,
                     detail={"file": info.name, "sha256": info.sha256, "kind": kind, "counts": batch.counts,
                             "patients": len(pids)})

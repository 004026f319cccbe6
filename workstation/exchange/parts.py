"""Patient rows as Parquet parts, written and read by DuckDB entirely in memory.

DuckDB's ``COPY … TO`` and ``read_parquet`` work on an fsspec in-memory file system registered on the store's
connection for the duration of one export or import (:func:`memory_files`), so no plaintext patient data ever
touches the disk. Parquet keeps DuckDB's column types exactly (timestamps, dates, booleans, NULLs) and is
compressed with zstd.
"""
from __future__ import annotations

import json
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from workstation.store.schema import DATA_TABLES

# Every table that holds one patient's data: the patient row, the provenance rows, then the data tables.
BUNDLE_TABLES = ("patients", "sources") + DATA_TABLES


@dataclass(frozen=True)
class MemDir:
    """A private folder in the process's in-memory file system."""

    fs: object
    root: str

    def url(self, name: str) -> str:
        return f"memory://{self.root}/{name}.parquet"

    def read(self, name: str) -> bytes:
        return self.fs.cat_file(f"/{self.root}/{name}.parquet")

    def write(self, name: str, data: bytes) -> None:
        self.fs.pipe_file(f"/{self.root}/{name}.parquet", data)

    def remove(self, name: str) -> None:
        p = f"/{self.root}/{name}.parquet"
        if self.fs.exists(p):
            self.fs.rm(p)


@contextmanager
def memory_files(con) -> Iterator[MemDir]:
    """Register fsspec's in-memory file system on ``con`` and give a fresh folder in it; both are removed after."""
    from fsspec.implementations.memory import MemoryFileSystem   # named directly so packagers see it

    fs = MemoryFileSystem()
    registered = "memory" in con.list_filesystems()
    if not registered:
        con.register_filesystem(fs)
    d = MemDir(fs, f"wsx-{uuid.uuid4().hex}")
    try:
        yield d
    finally:
        if fs.exists(f"/{d.root}"):
            fs.rm(f"/{d.root}", recursive=True)
        if not registered:
            con.unregister_filesystem("memory")


def select_sql(table: str) -> str:
    """The rows of ``table`` that belong to the patients in the registered frame ``_bx_pids(pid)``.

    ``sources``: the patients' own provenance rows plus every row referenced by their data (a file holding several
    patients has no owner); an owner outside the export is blanked and ``details`` comes from the registered frame
    ``_bx_details(id, details)`` (other patients' ids removed, see :func:`scrub_details`). ``fhir_resources`` also carries the
    patient-less resources (e.g. Medication) of the exported sources, which the patients' records refer to.
    """
    pids = "(SELECT pid FROM _bx_pids)"
    if table == "patients":
        return f"SELECT * FROM patients WHERE id IN {pids} ORDER BY id"
    if table == "sources":
        return (f"SELECT s.* REPLACE (CASE WHEN s.patient_id IN {pids} THEN s.patient_id END AS patient_id, "
                f"coalesce(d.details, s.details) AS details) FROM sources s LEFT JOIN _bx_details d ON s.id = d.id "
                f"WHERE s.id IN ({source_ids_sql()}) ORDER BY s.id")
    if table == "fhir_resources":
        return (f"SELECT * FROM fhir_resources WHERE patient_id IN {pids} "
                f"OR (patient_id IS NULL AND source_id IN ({source_ids_sql()}))")
    return f"SELECT * FROM {table} WHERE patient_id IN {pids}"


def source_ids_sql() -> str:
    pids = "(SELECT pid FROM _bx_pids)"
    refs = " UNION ".join(f"SELECT source_id FROM {t} WHERE patient_id IN {pids}" for t in DATA_TABLES)
    return f"SELECT id FROM sources WHERE patient_id IN {pids} UNION {refs}"


def table_columns(con, table: str) -> list[str]:
    return [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]


def scrub_details(details: str | None, keep: set[str]) -> str | None:
    """A provenance ``details`` JSON with patient ids outside ``keep`` removed from its ``patients`` list."""
    if not details:
        return details
    try:
        d = json.loads(details)
    except ValueError:
        return details
    if isinstance(d, dict) and isinstance(d.get("patients"), list):
        d["patients"] = [p for p in d["patients"] if p in keep]
        return json.dumps(d, default=str)
    return details

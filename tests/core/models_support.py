"""Helpers for the model tests: a PatientProfile made by writing rows into a real encrypted store and reading the
patient back through ``Store.profile``, so the model mapper sees DuckDB's own column types (TIMESTAMP, DOUBLE,
DATE, VARCHAR), exactly as for an imported patient.

One store per test process (FAST_KDF, in a temporary folder removed at exit); each :func:`make_profile` call
replaces that patient's rows. Columns that are not in the store's schema fail the insert (DuckDB names them).
"""
from __future__ import annotations

import atexit
import shutil
import tempfile
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from workstation import vault
from workstation.profile import FRAME_TABLES, PatientProfile
from workstation.store import Store

_STORE: Store | None = None


def _store() -> Store:
    global _STORE
    if _STORE is None or not _STORE.is_open:
        folder = Path(tempfile.mkdtemp(prefix="ws-models-support-"))
        _STORE = Store.create(folder / "profiles.duckdb", "models support passphrase", kdf=vault.FAST_KDF)

        def _close(store: Store = _STORE, path: Path = folder) -> None:
            store.close()
            shutil.rmtree(path, ignore_errors=True)

        atexit.register(_close)
    return _STORE


def make_profile(*, birth_date: date, sex: str, as_of: datetime, pid: str = "p1", race: str | None = None,
                 **tables: list[dict]) -> PatientProfile:
    """Store one patient with these rows (table name -> list of column dicts) and return ``Store.profile``."""
    unknown = set(tables) - set(FRAME_TABLES) - {"variants", "ref_blocks"}
    assert not unknown, f"not profile tables: {unknown}"
    s = _store()
    if s.con.execute("SELECT 1 FROM patients WHERE id = ?", [pid]).fetchone() is not None:
        s.delete_patient(pid)
    with s.transaction() as con:
        con.execute("INSERT INTO patients (id, name, birth_date, sex, race) VALUES (?, ?, ?, ?, ?)",
                    [pid, "Test Patient", birth_date, sex, race])
        genome = bool(tables.get("variants") or tables.get("ref_blocks"))   # genotype rows: a GRCh38 VCF source
        source_id = con.execute(   # a provenance row, as every import writes
            "INSERT INTO sources (patient_id, file_name, sha256, kind, importer, details) VALUES (?, 'test rows', "
            "'', ?, 'tests.core.models_support', ?) RETURNING id",
            [pid, "vcf" if genome else "test",
             '{"build": "GRCh38", "build_evidence": "test rows"}' if genome else None]).fetchone()[0]
        for table, rows in tables.items():
            if not rows:
                continue
            df = pd.DataFrame([dict(r, patient_id=pid, source_id=source_id) for r in rows])
            con.register("_rows", df)
            try:
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _rows")
            finally:
                con.unregister("_rows")
    return replace(s.profile(pid, audit_open=False), as_of=as_of)


def obs(code: str, value: float, unit: str, when: str, display: str = "", text: str | None = None) -> dict:
    return {"code_system": "http://loinc.org", "code": code, "display": display or code, "value_num": value,
            "value_text": text, "unit": unit, "effective": pd.Timestamp(when), "category": "laboratory",
            "resource_id": f"obs-{code}-{when}"}

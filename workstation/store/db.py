"""The Store: one open, unlocked, encrypted patient database.

Threading: a Store (and its DuckDB connection) belongs to one thread at a time; the UI's background runner
serialises all store work on its single worker. Ownership: whoever opens a Store closes it (``with`` works).
"""
from __future__ import annotations

import hashlib
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import duckdb
import pandas as pd

from workstation import __version__, vault
from workstation.errors import NotFound, StoreError
from workstation.store import audit
from workstation.store.connect import attach_encrypted, secure_connection, temp_dir_for, translate_open_error
from workstation.store.schema import DATA_TABLES, MIGRATIONS, SCHEMA_VERSION, V1


@dataclass(frozen=True)
class Unlock:
    """How to unlock: a passphrase and/or a keyring backend (``vault.default_keyring()``)."""

    passphrase: str | None = None
    keyring_backend: object | None = None


class Store:
    def __init__(self, path: Path, con: duckdb.DuckDBPyConnection, header: vault.VaultHeader,
                 data_key: bytes, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.con = con
        self.header = header
        self._data_key = data_key
        self.read_only = read_only

    # -- lifecycle ----------------------------------------------------------------------------------------------
    @classmethod
    def create(cls, path: Path | str, passphrase: str, *, kdf: vault.KdfParams = vault.KdfParams(),
               keyring_backend=None) -> "Store":
        path = Path(path)
        hp = vault.header_path(path)
        if path.exists() or hp.exists():
            raise StoreError(f"A patient store already exists at {path}; open it instead of creating a new one.")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"The folder {path.parent} cannot be created ({exc.strerror}).") from None
        if not os.access(path.parent, os.W_OK):
            raise StoreError(f"The folder {path.parent} is read-only, so no patient store can be created there.")
        data_key = vault.new_data_key()
        header = vault.new_header(data_key, passphrase, kdf=kdf, keyring_backend=keyring_backend)
        con = secure_connection(temp_dir=temp_dir_for(path))
        try:
            attach_encrypted(con, path, vault.db_key_string(data_key))
            con.execute("BEGIN")
            con.execute(V1)
            _apply_migrations(con, 1)
            con.execute("INSERT INTO meta VALUES ('schema_version', ?), ('created_by', ?), ('vault_id', ?)",
                        [str(SCHEMA_VERSION), f"workstation {__version__}", header.vault_id])
            audit.append(con, "create_store", detail={"schema_version": SCHEMA_VERSION})
            con.execute("COMMIT")
            con.execute("CHECKPOINT")
            header.save(hp)
        except BaseException:
            con.close()
            for p in (path, Path(str(path) + ".wal"), hp):
                try:
                    p.unlink()
                except OSError:
                    pass
            raise
        return cls(path, con, header, data_key)

    @classmethod
    def open(cls, path: Path | str, unlock: Unlock, *, read_only: bool = False) -> "Store":
        path = Path(path)
        if not path.exists():
            raise NotFound(f"There is no patient store at {path}. Create one with 'workstation init'.")
        header = vault.VaultHeader.load(vault.header_path(path))
        data_key = vault.unlock(header, passphrase=unlock.passphrase, keyring_backend=unlock.keyring_backend)
        con = secure_connection(temp_dir=temp_dir_for(path))
        try:
            attach_encrypted(con, path, vault.db_key_string(data_key), read_only=read_only)
            _check_and_migrate(con, path, header, read_only=read_only)
        except BaseException:
            con.close()
            raise
        return cls(path, con, header, data_key, read_only=read_only)

    def close(self) -> None:
        if self.con is not None:
            try:
                if not self.read_only:
                    self.con.execute("CHECKPOINT")
            except duckdb.Error:
                pass
            self.con.close()
            self.con = None  # type: ignore[assignment]
        self._data_key = b""

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def is_open(self) -> bool:
        return self.con is not None

    def schema_version(self) -> int:
        return int(self.con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0])

    # -- transactions ------------------------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """BEGIN … COMMIT; any exception rolls everything back and propagates."""
        if self.read_only:
            raise StoreError("The patient store is open read-only; nothing can be changed.")
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        try:
            self.con.execute("COMMIT")
        except duckdb.Error as exc:
            try:
                self.con.execute("ROLLBACK")
            except duckdb.Error:
                pass
            raise translate_open_error(self.path, exc) from None

    def audit(self, action: str, *, patient_id: str | None = None, detail: dict | None = None) -> None:
        """Append one audit row in its own transaction (for reads such as opening a patient or printing)."""
        if self.read_only:
            return
        with self.transaction() as con:
            audit.append(con, action, patient_id=patient_id, detail=detail)

    def verify_audit(self) -> audit.VerifyResult:
        return audit.verify(self.con)

    def audit_rows(self, patient_id: str | None = None) -> pd.DataFrame:
        q = "SELECT seq, ts, os_user, action, patient_id, detail FROM audit_log"
        if patient_id is not None:
            return self.con.execute(q + " WHERE patient_id = ? ORDER BY seq", [patient_id]).df()
        return self.con.execute(q + " ORDER BY seq").df()

    # -- patients --------------------------------------------------------------------------------------------
    def patients(self) -> pd.DataFrame:
        """id, name, birth_date, sex, identifiers, n_sources (distinct data sources), last_import."""
        return self.con.execute("""
            SELECT p.id, p.name, p.birth_date, p.sex, p.identifiers,
                   count(DISTINCT s.id) AS n_sources, max(s.imported_at) AS last_import
            FROM patients p LEFT JOIN sources s ON s.patient_id = p.id
            GROUP BY ALL ORDER BY p.name, p.id""").df()

    def patient(self, patient_id: str) -> dict:
        row = self.con.execute("SELECT * FROM patients WHERE id = ?", [patient_id]).df()
        if row.empty:
            raise NotFound(f"There is no patient with id {patient_id!r} in this store.")
        return row.iloc[0].to_dict()

    def data_version(self, patient_id: str) -> str:
        """Changes whenever anything is imported or deleted for the patient (key for derived-result caches)."""
        r = self.con.execute("SELECT count(*), coalesce(max(id), 0) FROM sources WHERE patient_id = ?",
                             [patient_id]).fetchone()
        oc = self.con.execute("SELECT count(*), max(entered_at) FROM outside_calls WHERE patient_id = ?",
                              [patient_id]).fetchone()
        fam = self.con.execute("SELECT count(*), max(version) FROM family_versions WHERE patient_id = ?",
                               [patient_id]).fetchone()
        return hashlib.sha256(json.dumps([r, oc, fam], default=str).encode()).hexdigest()[:16]

    def profile(self, patient_id: str, *, audit_open: bool = True):
        from workstation.store.profile_query import load_profile

        prof = load_profile(self, patient_id)
        if audit_open:
            self.audit("open_patient", patient_id=patient_id)
        return prof

    def delete_patient(self, patient_id: str):
        """Delete the patient and all their data (audited); returns the change descriptor
        (:class:`~workstation.store.changes.Changes`: that patient, every data table, the patient list)."""
        from workstation.store.changes import ALL_TABLES, Changes

        self.patient(patient_id)
        with self.transaction() as con:
            for t in DATA_TABLES + ("results_cache",):
                con.execute(f"DELETE FROM {t} WHERE patient_id = ?", [patient_id])
            con.execute("DELETE FROM sources WHERE patient_id = ?", [patient_id])
            con.execute("DELETE FROM patients WHERE id = ?", [patient_id])
            audit.append(con, "delete_patient", patient_id=patient_id)
        return Changes(frozenset({patient_id}), ALL_TABLES, True)

    # -- key material (used by workstation.store.keys) ------------------------------------------------------------
    @property
    def data_key(self) -> bytes:
        return self._data_key


def _check_and_migrate(con, path: Path, header: vault.VaultHeader, *, read_only: bool) -> None:
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except duckdb.Error:
        raise StoreError(f"{path} is a database but not a workstation patient store.") from None
    if row is None:
        raise StoreError(f"{path} is a database but not a workstation patient store.")
    version = int(row[0])
    if version > SCHEMA_VERSION:
        raise StoreError(f"The patient store {path} was written by a newer version of the workstation (schema "
                         f"{version}, this program knows {SCHEMA_VERSION}); update the workstation to open it.")
    if version < SCHEMA_VERSION:
        if read_only:
            raise StoreError(f"The patient store {path} needs an upgrade and is open read-only.")
        con.execute("BEGIN")
        try:
            _apply_migrations(con, version)
            con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)])
            audit.append(con, "migrate_schema", detail={"from": version, "to": SCHEMA_VERSION})
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise


def _apply_migrations(con, from_version: int) -> None:
    for v in range(from_version, SCHEMA_VERSION):
        con.execute(MIGRATIONS[v])

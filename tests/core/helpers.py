"""Test helpers shared by core tests: an in-memory keyring backend and a small store factory."""
from __future__ import annotations

from pathlib import Path

from keyring.backend import KeyringBackend

from workstation import vault
from workstation.store import Store

PASSPHRASE = "correct horse battery"


class MemoryKeyring(KeyringBackend):
    """A real keyring backend object (the keyring API), keeping secrets in memory for the test's duration."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.secrets.get((service, username))

    def set_password(self, service, username, password):
        self.secrets[(service, username)] = password

    def delete_password(self, service, username):
        self.secrets.pop((service, username), None)


def new_store(tmp_path: Path, name: str = "p.duckdb", **kw) -> Store:
    return Store.create(tmp_path / name, PASSPHRASE, kdf=vault.FAST_KDF, **kw)


def store_with_patient(tmp_path: Path, *, birth_date: str | None = None) -> Store:
    """A new store holding one patient, P1 (the importers of per-patient files need one)."""
    s = Store.create(tmp_path / "p.duckdb", "a long passphrase", kdf=vault.FAST_KDF)
    with s.transaction() as con:
        con.execute("INSERT INTO patients (id, name, birth_date) VALUES ('P1', 'Test Patient', ?)", [birth_date])
    return s

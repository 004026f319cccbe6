"""The encrypted store and its vault: round trips, refusals, and faults that must not damage data."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import duckdb
import pytest

from tests.core.helpers import PASSPHRASE, MemoryKeyring, new_store
from workstation import vault
from workstation.errors import NotFound, StoreError, VaultError, WrongPassphrase
from workstation.store import Store, Unlock, file_info, import_batch
from workstation.store import db as store_db
from workstation.store import schema


def test_round_trip_keyring_and_passphrase(tmp_path):
    kr = MemoryKeyring()
    s = new_store(tmp_path, keyring_backend=kr)
    with s.transaction() as con:
        con.execute("INSERT INTO patients (id, name, sex) VALUES ('p1', 'Ada Example', 'female')")
    s.close()
    assert kr.secrets, "the keyring wrap key was stored in the keyring"
    with Store.open(tmp_path / "p.duckdb", Unlock(keyring_backend=kr)) as s2:      # keyring, no passphrase
        assert s2.patient("p1")["name"] == "Ada Example"
    with Store.open(tmp_path / "p.duckdb", Unlock(passphrase=PASSPHRASE)) as s3:   # passphrase, no keyring
        assert s3.patients()["id"].tolist() == ["p1"]
    with pytest.raises(WrongPassphrase):
        Store.open(tmp_path / "p.duckdb", Unlock(passphrase="not the passphrase"))


def test_keyring_without_entry_falls_back_to_passphrase(tmp_path):
    kr = MemoryKeyring()
    new_store(tmp_path, keyring_backend=kr).close()
    kr.secrets.clear()  # e.g. another user account, or the keychain was reset
    with pytest.raises(VaultError, match="passphrase"):
        Store.open(tmp_path / "p.duckdb", Unlock(keyring_backend=kr))
    Store.open(tmp_path / "p.duckdb", Unlock(passphrase=PASSPHRASE, keyring_backend=kr)).close()


def test_no_keyring_backend_needs_passphrase(tmp_path):
    new_store(tmp_path).close()
    with pytest.raises(VaultError, match="No keyring"):
        Store.open(tmp_path / "p.duckdb", Unlock())


def test_header_never_holds_the_key_in_clear(tmp_path):
    s = new_store(tmp_path, keyring_backend=MemoryKeyring())
    key_hex = s.data_key.hex()
    s.close()
    header = vault.header_path(tmp_path / "p.duckdb").read_text()
    assert key_hex not in header and PASSPHRASE not in header
    assert json.loads(header)["kdf"]["name"] == "argon2id"


def test_missing_and_corrupt_header(tmp_path):
    new_store(tmp_path).close()
    hp = vault.header_path(tmp_path / "p.duckdb")
    good = hp.read_bytes()
    hp.write_text("{ this is not json")
    with pytest.raises(VaultError, match="damaged"):
        Store.open(tmp_path / "p.duckdb", Unlock(passphrase=PASSPHRASE))
    hp.unlink()
    with pytest.raises(VaultError, match="missing"):
        Store.open(tmp_path / "p.duckdb", Unlock(passphrase=PASSPHRASE))
    hp.write_bytes(good)
    Store.open(tmp_path / "p.duckdb", Unlock(passphrase=PASSPHRASE)).close()  # data undamaged


def test_database_from_another_program_is_refused(tmp_path):
    other = tmp_path / "other.duckdb"
    c = duckdb.connect(str(other))
    c.execute("CREATE TABLE t AS SELECT 1 AS x")
    c.close()
    # give it a valid vault header (as if someone swapped the database file)
    new_store(tmp_path, "mine.duckdb").close()
    os.replace(vault.header_path(tmp_path / "mine.duckdb"), vault.header_path(other))
    before = other.read_bytes()
    with pytest.raises(StoreError) as err:
        Store.open(other, Unlock(passphrase=PASSPHRASE))
    assert "Traceback" not in str(err.value)
    assert other.read_bytes() == before
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"%PDF-1.4 not a database at all" * 100)
    os.replace(vault.header_path(other), vault.header_path(junk))
    with pytest.raises(StoreError):
        Store.open(junk, Unlock(passphrase=PASSPHRASE))


def test_store_from_newer_schema_is_refused(tmp_path):
    s = new_store(tmp_path)
    with s.transaction() as con:
        con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    s.close()
    with pytest.raises(StoreError, match="newer version"):
        Store.open(tmp_path / "p.duckdb", Unlock(passphrase=PASSPHRASE))


def test_older_store_is_migrated_forward(tmp_path, monkeypatch):
    """A store written at schema N opens under a program at schema N + 1; the migration runs once, audited."""
    s = new_store(tmp_path)
    with s.transaction() as con:
        con.execute("INSERT INTO patients (id, name) VALUES ('p1', 'Old Patient')")
    s.close()
    current = schema.SCHEMA_VERSION
    monkeypatch.setattr(store_db, "SCHEMA_VERSION", current + 1)
    monkeypatch.setitem(schema.MIGRATIONS, current, "ALTER TABLE patients ADD COLUMN preferred_language VARCHAR;")
    with Store.open(tmp_path / "p.duckdb", Unlock(passphrase=PASSPHRASE)) as s2:
        assert s2.schema_version() == current + 1
        cols = [r[0] for r in s2.con.execute("DESCRIBE patients").fetchall()]
        assert "preferred_language" in cols
        assert s2.patient("p1")["name"] == "Old Patient"
        assert s2.audit_rows()["action"].tolist()[-1] == "migrate_schema"
        assert s2.verify_audit().ok


def test_second_writer_gets_in_use(tmp_path):
    s = new_store(tmp_path)
    code = ("import sys\nfrom workstation.store import Store, Unlock\n"
            "from workstation.errors import StoreInUse\n"
            f"try:\n    Store.open({str(tmp_path / 'p.duckdb')!r}, Unlock(passphrase={PASSPHRASE!r}))\n"
            "except StoreInUse as e:\n    print(e); sys.exit(7)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    s.close()
    assert r.returncode == 7, r.stderr
    assert "in use" in r.stdout


def test_read_only_folder(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("running as root: file permissions do not restrict root")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(StoreError, match="read-only"):
            Store.create(ro / "p.duckdb", PASSPHRASE, kdf=vault.FAST_KDF)
    finally:
        ro.chmod(0o700)


def test_read_only_folder_is_refused_even_as_root(tmp_path, monkeypatch):
    """os.access is what decides; simulate a folder the user may not write (root bypasses chmod)."""
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, m: False if (m & os.W_OK) else real_access(p, m))
    with pytest.raises(StoreError, match="read-only"):
        Store.create(tmp_path / "p.duckdb", PASSPHRASE, kdf=vault.FAST_KDF)
    assert not (tmp_path / "p.duckdb").exists()


def test_create_refuses_to_overwrite(tmp_path):
    new_store(tmp_path).close()
    with pytest.raises(StoreError, match="already exists"):
        new_store(tmp_path)


def test_missing_store(tmp_path):
    with pytest.raises(NotFound):
        Store.open(tmp_path / "nope.duckdb", Unlock(passphrase=PASSPHRASE))


def test_import_batch_is_all_or_nothing(tmp_path):
    import pandas as pd

    s = new_store(tmp_path)
    f = tmp_path / "x.csv"
    f.write_text("a\n1\n")
    with pytest.raises(RuntimeError):
        with import_batch(s, file_info(f), kind="omics", importer="t", importer_version="1", patient_id="p1") as b:
            b.upsert_patient({"id": "p1", "name": "P One"})
            b.insert_frame("observations", pd.DataFrame({"code": ["x"], "value_num": [1.0]}))
            raise RuntimeError("parse error half-way")
    assert s.con.execute("SELECT count(*) FROM patients").fetchone()[0] == 0
    assert s.con.execute("SELECT count(*) FROM observations").fetchone()[0] == 0
    assert s.con.execute("SELECT count(*) FROM sources").fetchone()[0] == 0
    assert s.audit_rows()["action"].tolist() == ["create_store"]
    s.close()

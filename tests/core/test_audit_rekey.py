"""Audit chain tamper detection, passphrase change and re-key (including a disk that fills up mid-way)."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.core.helpers import PASSPHRASE, MemoryKeyring, new_store
from workstation.errors import StoreError, WrongPassphrase
from workstation.store import Store, Unlock
from workstation.store.connect import attach_encrypted, secure_connection
from workstation.store.keys import change_passphrase, rekey


def _store_with_history(tmp_path):
    s = new_store(tmp_path)
    with s.transaction() as con:
        con.execute("INSERT INTO patients (id, name) VALUES ('p1', 'Ada Example'), ('p2', 'Bo Example')")
    for pid in ("p1", "p2", "p1"):
        s.audit("open_patient", patient_id=pid)
    return s


def test_audit_chain_verifies_and_detects_an_edit(tmp_path):
    s = _store_with_history(tmp_path)
    assert s.verify_audit().ok and s.verify_audit().rows == 4
    key = s.data_key.hex()
    s.close()
    # tamper with a plain DuckDB connection that knows the key (an insider with the key, not the app)
    con = secure_connection()
    attach_encrypted(con, tmp_path / "p.duckdb", key)
    con.execute("UPDATE audit_log SET patient_id = 'p9' WHERE seq = 3")
    con.close()
    with Store.open(tmp_path / "p.duckdb", Unlock(passphrase=PASSPHRASE)) as s2:
        res = s2.verify_audit()
    assert not res.ok and res.first_bad_seq == 3


def test_audit_detects_deleted_row(tmp_path):
    s = _store_with_history(tmp_path)
    key = s.data_key.hex()
    s.close()
    con = secure_connection()
    attach_encrypted(con, tmp_path / "p.duckdb", key)
    con.execute("DELETE FROM audit_log WHERE seq = 2")
    con.close()
    with Store.open(tmp_path / "p.duckdb", Unlock(passphrase=PASSPHRASE)) as s2:
        res = s2.verify_audit()
    assert not res.ok and res.first_bad_seq == 3


def test_change_passphrase(tmp_path):
    kr = MemoryKeyring()
    s = new_store(tmp_path, keyring_backend=kr)
    with pytest.raises(WrongPassphrase):
        change_passphrase(s, "wrong old passphrase", "a brand new passphrase")
    change_passphrase(s, PASSPHRASE, "a brand new passphrase")
    s.close()
    with pytest.raises(WrongPassphrase):
        Store.open(tmp_path / "p.duckdb", Unlock(passphrase=PASSPHRASE))
    Store.open(tmp_path / "p.duckdb", Unlock(passphrase="a brand new passphrase")).close()
    Store.open(tmp_path / "p.duckdb", Unlock(keyring_backend=kr)).close()   # keyring still works


def test_rekey_changes_the_data_key_and_keeps_data(tmp_path):
    kr = MemoryKeyring()
    s = _store_with_history(tmp_path)
    old_key = s.data_key
    s = rekey(s, PASSPHRASE, keyring_backend=kr)
    assert s.data_key != old_key
    assert sorted(s.patients()["id"]) == ["p1", "p2"]
    assert s.verify_audit().ok and "rekey" in s.audit_rows()["action"].tolist()
    s.close()
    con = secure_connection()     # the old key no longer opens the file
    with pytest.raises(Exception):
        attach_encrypted(con, tmp_path / "p.duckdb", old_key.hex())
    con.close()
    Store.open(tmp_path / "p.duckdb", Unlock(keyring_backend=kr)).close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.duckdb", "p.duckdb.vault"]


FULL_DISK = textwrap.dedent("""
    import resource, signal, sys
    sys.path.insert(0, {root!r})
    from workstation.store import Store, Unlock
    from workstation.store.keys import rekey
    from workstation.errors import StoreError
    s = Store.open({path!r}, Unlock(passphrase={pw!r}))
    s.con.execute("CHECKPOINT")
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)      # writes past the limit fail with EFBIG, like ENOSPC
    resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
    try:
        rekey(s, {pw!r})
    except StoreError as e:
        print(e)
        sys.exit(9)
    sys.exit(0)
""")


def test_full_disk_during_rekey_leaves_old_store_usable(tmp_path):
    s = new_store(tmp_path)
    with s.transaction() as con:
        con.execute("INSERT INTO observations (patient_id, code, value_text) "
                    "SELECT 'p' || (i % 50), 'x', md5(i::VARCHAR) || md5((i+1)::VARCHAR) FROM range(200000) t(i)")
    s.close()
    db = tmp_path / "p.duckdb"
    size = db.stat().st_size
    code = FULL_DISK.format(root=str(Path(__file__).resolve().parents[2]), path=str(db), pw=PASSPHRASE,
                            limit=size // 3)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 9, (r.returncode, r.stdout, r.stderr)
    assert "nothing was changed" in r.stdout and "Traceback" not in r.stdout + r.stderr
    assert not (tmp_path / "p.duckdb.rekey-tmp").exists()
    with Store.open(db, Unlock(passphrase=PASSPHRASE)) as s2:
        assert s2.con.execute("SELECT count(*) FROM observations").fetchone()[0] == 200000
        assert s2.verify_audit().ok
        assert "rekey" not in s2.audit_rows()["action"].tolist()   # not logged as done (nor as failed: no space)


def test_failed_rekey_is_audited_as_failed(tmp_path):
    s = _store_with_history(tmp_path)
    blocker = tmp_path / "p.duckdb.vault.rekey-tmp.tmp"     # the new header cannot be written
    blocker.mkdir()
    with pytest.raises(StoreError, match="nothing was changed"):
        rekey(s, PASSPHRASE)
    blocker.rmdir()
    actions = s.audit_rows()["action"].tolist()
    assert actions[-1] == "rekey_failed" and "rekey" not in actions
    assert s.verify_audit().ok
    s.close()
    s = Store.open(tmp_path / "p.duckdb", Unlock(passphrase=PASSPHRASE))
    assert not (tmp_path / "p.duckdb.rekey-tmp").exists()
    s.close()

"""The 13 audit-tampering cases of issue 17, each made by an insider holding the data key (a plain DuckDB
connection, not the app), each detected by ``audit verify`` (the hash chain, then the anchor in the vault header).
"""
from __future__ import annotations

import json
import shutil

import pytest

from tests.core.helpers import PASSPHRASE, new_store
from workstation import vault
from workstation.store import Store, Unlock
from workstation.store.audit import _row_hash
from workstation.store.connect import attach_encrypted, secure_connection


@pytest.fixture
def store_path(tmp_path):
    s = new_store(tmp_path)
    with s.transaction() as con:
        con.execute("INSERT INTO patients (id, name) VALUES ('p1', 'Ada Example'), ('p2', 'Bo Example')")
        con.execute("INSERT INTO observations (patient_id, code, value_num) VALUES ('p1', 'x', 1), ('p1', 'x', 2)")
    for i in range(9):
        s.audit("open_patient", patient_id=f"p{1 + i % 2}")
    s.close()
    return tmp_path / "p.duckdb"


def _key(path) -> bytes:
    h = vault.VaultHeader.load(vault.header_path(path))
    return vault.unlock_with_passphrase(h, PASSPHRASE)


def _sql(path, *statements):
    con = secure_connection()
    attach_encrypted(con, path, _key(path).hex())
    for st in statements:
        con.execute(st)
    con.close()


def _rechain(path):
    """Renumber and re-hash the whole log, as an attacker covering a deletion would."""
    con = secure_connection()
    attach_encrypted(con, path, _key(path).hex())
    rows = con.execute("SELECT ts, os_user, action, patient_id, detail FROM audit_log ORDER BY seq").fetchall()
    con.execute("DELETE FROM audit_log")
    prev = "0" * 64
    for i, (ts, user, action, pid, detail) in enumerate(rows, 1):
        h = _row_hash(prev, i, ts, user, action, pid, detail)
        con.execute("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [i, ts, user, action, pid, detail, prev, h])
        prev = h
    con.close()


def _append_forged(path):
    con = secure_connection()
    attach_encrypted(con, path, _key(path).hex())
    seq, prev, ts = con.execute("SELECT seq, hash, ts FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    h = _row_hash(prev, seq + 1, ts, "root", "open_patient", "p2", None)
    con.execute("INSERT INTO audit_log VALUES (?, ?, 'root', 'open_patient', 'p2', NULL, ?, ?)",
                [seq + 1, ts, prev, h])
    con.close()


def _rollback_db(path, tmp_path):
    old = tmp_path / "older-copy.duckdb"
    shutil.copy2(path, old)
    with Store.open(path, Unlock(passphrase=PASSPHRASE)) as s:
        s.audit("print_report", patient_id="p1")      # more history after the copy was taken
        s.delete_patient("p2")
    shutil.copy2(old, path)


def _edit_header(path, fn):
    hp = vault.header_path(path)
    raw = json.loads(hp.read_text("utf-8"))
    fn(raw)
    hp.write_text(json.dumps(raw), "utf-8")


def _header_seq_plus(raw):
    raw["audit_anchor"]["state"]["seq"] += 1


CASES = {
    "edit a middle row": lambda p, t: _sql(p, "UPDATE audit_log SET patient_id = 'p9' WHERE seq = 4"),
    "delete a middle row": lambda p, t: _sql(p, "DELETE FROM audit_log WHERE seq = 4"),
    "insert a row in the middle": lambda p, t: _sql(
        p, "UPDATE audit_log SET seq = seq + 1 WHERE seq >= 5",
        "INSERT INTO audit_log SELECT 5, ts, os_user, action, patient_id, detail, hash, hash FROM audit_log "
        "WHERE seq = 4"),
    "delete the last row": lambda p, t: _sql(p, "DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)"),
    "delete the last 5 rows": lambda p, t: _sql(
        p, "DELETE FROM audit_log WHERE seq > (SELECT max(seq) - 5 FROM audit_log)"),
    "truncate the table": lambda p, t: _sql(p, "DELETE FROM audit_log"),
    "delete a row and re-chain": lambda p, t: (_sql(p, "DELETE FROM audit_log WHERE seq = 3"), _rechain(p)),
    "append a forged row": lambda p, t: _append_forged(p),
    "delete data without an audit row": lambda p, t: _sql(p, "DELETE FROM observations WHERE value_num = 2"),
    "add data without an audit row": lambda p, t: _sql(p, "INSERT INTO patients (id, name) VALUES ('p3', 'Eve')"),
    "roll the database back to an older copy": _rollback_db,
    "edit the anchor in the vault header": lambda p, t: _edit_header(p, _header_seq_plus),
    "remove the anchor from the vault header": lambda p, t: _edit_header(p, lambda raw: raw.pop("audit_anchor")),
}


def test_thirteen_cases():
    assert len(CASES) == 13


@pytest.mark.parametrize("case", list(CASES))
def test_tampering_is_detected(store_path, tmp_path, case):
    with Store.open(store_path, Unlock(passphrase=PASSPHRASE), read_only=True) as s:
        assert s.verify_audit().ok                           # intact before
    CASES[case](store_path, tmp_path)
    with Store.open(store_path, Unlock(passphrase=PASSPHRASE), read_only=True) as s:
        res = s.verify_audit()
    assert not res.ok, case
    assert res.problem and len(res.problem) < 300


@pytest.mark.parametrize("case", ["delete the last row", "delete data without an audit row",
                                  "roll the database back to an older copy", "edit the anchor in the vault header"])
def test_detection_survives_further_use(store_path, tmp_path, case):
    """Opening read-write and writing on must not re-anchor over the tampering: it is recorded for good."""
    CASES[case](store_path, tmp_path)
    with Store.open(store_path, Unlock(passphrase=PASSPHRASE)) as s:
        s.audit("open_patient", patient_id="p1")
        assert "audit_anchor_mismatch" in s.audit_rows()["action"].tolist()
    with Store.open(store_path, Unlock(passphrase=PASSPHRASE)) as s:
        s.audit("open_patient", patient_id="p1")
        assert not s.verify_audit().ok


def test_untampered_store_stays_valid_through_normal_use(store_path):
    for _ in range(3):
        with Store.open(store_path, Unlock(passphrase=PASSPHRASE)) as s:
            s.audit("open_patient", patient_id="p1")
            s.delete_patient("p2") if "p2" in s.patients()["id"].tolist() else None
            assert s.verify_audit().ok

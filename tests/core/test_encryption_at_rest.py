"""Plaintext scan: 1,000 distinctive markers must not appear in the database file, its WAL, or temp spill
files. The same scan on an unencrypted control store finds them, so the test can fail."""
from __future__ import annotations

import glob
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from tests.core.helpers import PASSPHRASE, new_store
from workstation.store import Store, Unlock
from workstation.store.connect import attach_encrypted, secure_connection

MARKER = b"ZQXMARKER"


def _markers_sql(n: int = 1000) -> str:
    return (f"SELECT 'p' || i AS patient_id, 'marker' AS code, 'ZQXMARKER-' || i || '-' || md5(i::VARCHAR) "
            f"AS value_text FROM range({n}) t(i)")


def _count(paths) -> int:
    n = 0
    for p in paths:
        if os.path.isfile(p):
            n += Path(p).read_bytes().count(MARKER)
    return n


def test_database_file_has_no_plaintext(tmp_path):
    s = new_store(tmp_path)
    with s.transaction() as con:
        con.execute(f"INSERT INTO observations (patient_id, code, value_text) {_markers_sql()}")
    s.close()
    assert _count([tmp_path / "p.duckdb"]) == 0
    with Store.open(tmp_path / "p.duckdb", Unlock(passphrase=PASSPHRASE)) as s2:   # and the data is really there
        assert s2.con.execute("SELECT count(*) FROM observations WHERE value_text LIKE 'ZQXMARKER-%'").fetchone()[0] == 1000


def test_control_unencrypted_file_shows_markers(tmp_path):
    c = duckdb.connect(str(tmp_path / "plain.duckdb"))
    c.execute(f"CREATE TABLE observations AS {_markers_sql()}")
    c.close()
    assert _count([tmp_path / "plain.duckdb"]) >= 1000


KILL_BEFORE_CHECKPOINT = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, {root!r})
    from workstation.store import Store, Unlock
    from workstation.store.connect import secure_connection
    encrypted = {encrypted!r}
    if encrypted:
        s = Store.open({path!r}, Unlock(passphrase={pw!r}))
        con = s.con
    else:
        import duckdb
        con = duckdb.connect({path!r})
        con.execute("CREATE TABLE IF NOT EXISTS observations (patient_id VARCHAR, code VARCHAR, value_text VARCHAR)")
        con.execute("CHECKPOINT")
    con.execute("INSERT INTO observations (patient_id, code, value_text) " + {sql!r})
    os._exit(0)   # killed: no close, no checkpoint, the rows live only in the WAL
""")


@pytest.mark.parametrize("encrypted", [True, False])
def test_wal_of_killed_process(tmp_path, encrypted):
    path = tmp_path / "p.duckdb"
    if encrypted:
        new_store(tmp_path).close()
    code = KILL_BEFORE_CHECKPOINT.format(root=str(Path(__file__).resolve().parents[2]), encrypted=encrypted,
                                         path=str(path), pw=PASSPHRASE, sql=_markers_sql())
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    wal = Path(str(path) + ".wal")
    assert wal.exists() and wal.stat().st_size > 0, "the rows must still be in the WAL"
    found = _count([path, wal])
    if encrypted:
        assert found == 0
        with Store.open(path, Unlock(passphrase=PASSPHRASE)) as s:   # WAL replays: nothing lost
            assert s.con.execute("SELECT count(*) FROM observations").fetchone()[0] == 1000
    else:
        assert found >= 1000


@pytest.mark.parametrize("encrypted", [True, False])
def test_temp_spill_files(tmp_path, encrypted):
    tmpdir = tmp_path / "spill"
    if encrypted:
        con = secure_connection(temp_dir=str(tmpdir))
        attach_encrypted(con, tmp_path / "p.duckdb", "ab" * 32)
    else:
        con = duckdb.connect(str(tmp_path / "p.duckdb"))
        con.execute(f"SET temp_directory = '{tmpdir}'")
    con.execute("CREATE TABLE m AS SELECT 'ZQXMARKER-' || i || '-' || repeat('x', 40) AS s, random() AS r "
                "FROM range(1000000) t(i)")
    con.execute("CHECKPOINT")
    con.execute("SET memory_limit = '60MB'")
    con.execute("SET threads = 1")
    con.execute("SELECT s, r FROM m ORDER BY r")   # the sort spills; its runs stay on disk until fetched
    files = glob.glob(str(tmpdir / "**"), recursive=True)
    spilled = sum(os.path.getsize(f) for f in files if os.path.isfile(f))
    assert spilled > 1_000_000, "the query must actually spill to disk for this test to mean anything"
    found = _count(files)
    con.close()
    if encrypted:
        assert found == 0
    else:
        assert found > 0

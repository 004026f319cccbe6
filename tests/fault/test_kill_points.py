"""Kill tests: a child process runs import, bundle import, re-key or passphrase change and is killed with SIGKILL
at every failpoint it passes (workstation.store.failpoints) and at timed moments; the parent then checks that the
store opens, its audit log verifies, no orphan rows or leftover files remain, and the operation happened
completely or not at all.

WORKSTATION_FAULT_LONG=1 (.ci/run) adds more timed moments.
"""
from __future__ import annotations

import shutil
import sys

import pytest

from tests.fault.helpers import (LONG, NEW_PW, PW, bundle_file, check_store_sound, fhir_file, fresh_store,
                                 passed_points, point_times, run_child, vcf_file)
from workstation.store import Store, Unlock

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL of a child is a POSIX test")


def _copy_store(base, dest):
    dest.mkdir()
    for p in base.parent.iterdir():
        if p.name.startswith(base.name):
            shutil.copy2(p, dest / p.name)
    return dest / base.name


def _points_then_kill(tmp_path, op, args, check):
    base = fresh_store(tmp_path / "base" / "p.duckdb") if not (tmp_path / "base").exists() else \
        tmp_path / "base" / "p.duckdb"
    points = passed_points(op, _copy_store(base, tmp_path / "enumerate"), *args, tmp=tmp_path)
    assert points, "the operation passed no failpoint"
    outcomes = []
    for i, point in enumerate(points):
        db = _copy_store(base, tmp_path / f"k{i}")
        rc, out = run_child(op, db, *args, failpoint=point)
        assert rc == -9, (point, rc, out)        # it really was killed there
        s, pw = check_store_sound(db)
        try:
            outcomes.append((point, check(s, pw)))
        finally:
            s.close()
    return outcomes


def _import_outcome(table: str, n: int, name: str):
    def check(s: Store, pw: str) -> str:
        src = s.con.execute("SELECT count(*) FROM sources WHERE file_name = ?", [name]).fetchone()[0]
        rows = s.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        audited = s.con.execute("SELECT count(*) FROM audit_log WHERE action = 'import'").fetchone()[0]
        assert (src, rows, audited) in ((0, 0, 0), (1, n, 1)), (src, rows, audited)
        return "done" if src else "undone"
    return check


def test_fhir_import_killed_at_every_point(tmp_path):
    f = fhir_file(tmp_path / "kill.json")
    out = _points_then_kill(tmp_path, "import", [str(f)], _import_outcome("observations", 300, "kill.json"))
    kinds = {o for _, o in out}
    assert kinds == {"done", "undone"}, out     # some points are before the commit, some after


def test_vcf_import_killed_at_every_point(tmp_path):
    f = vcf_file(tmp_path / "kill.vcf", n=2000)
    out = _points_then_kill(tmp_path, "import", [str(f), "P1"], _import_outcome("variants", 2000, "kill.vcf"))
    assert {o for _, o in out} == {"done", "undone"}, out


def _bundle_check(n: int):
    def check(s: Store, pw: str) -> str:
        has = s.con.execute("SELECT count(*) FROM patients WHERE id = 'BX1'").fetchone()[0]
        rows = s.con.execute("SELECT count(*) FROM variants").fetchone()[0]
        srcs = s.con.execute("SELECT count(*) FROM sources").fetchone()[0]
        audited = s.con.execute("SELECT count(*) FROM audit_log WHERE action = 'import_bundle'").fetchone()[0]
        assert (has, rows, srcs, audited) in ((0, 0, 0, 0), (1, n, 2, 1)), (has, rows, srcs, audited)
        return "done" if has else "undone"
    return check


def test_bundle_import_killed_at_every_point(tmp_path):
    b = bundle_file(tmp_path, n_variants=5000)
    out = _points_then_kill(tmp_path, "bundle", [str(b)], _bundle_check(5000))
    assert {o for _, o in out} == {"done", "undone"}, out


def _commit_window(base, tmp_path, op, args) -> float:
    """Seconds the import's COMMIT takes (between the failpoints around it), from one uninterrupted run."""
    log = tmp_path / "window.log"
    rc, out = run_child(op, _copy_store(base, tmp_path / "window"), *args, log=log)
    assert rc == 0, out
    t = point_times(log)
    return t["tx:after-commit#1"] - t["tx:before-commit#1"]


@pytest.mark.slow
@pytest.mark.parametrize("op", ["bundle", "vcf"])
def test_import_killed_inside_duckdbs_commit(tmp_path, op):
    """A real SIGKILL at moments spread over DuckDB's own COMMIT of 300k (bundle) or 150k (VCF) variant rows,
    timed from the failpoint just before COMMIT. Before the pending-anchor repair, a bundle killed there left its
    variant rows without patient, provenance or audit row (the issue's orphan rows)."""
    n = 300000 if op == "bundle" else 150000
    if op == "bundle":
        args, check = [str(bundle_file(tmp_path, n_variants=n))], _bundle_check(n)
    else:
        f = vcf_file(tmp_path / "big.vcf", n=n)
        args, check = [str(f), "P1"], _import_outcome("variants", n, "big.vcf")
    base = fresh_store(tmp_path / "base" / "p.duckdb")
    window = _commit_window(base, tmp_path, "bundle" if op == "bundle" else "import", args)
    moments = 24 if LONG else 6
    outcomes = []
    for i in range(moments):
        db = _copy_store(base, tmp_path / f"t{i}")
        log = tmp_path / f"t{i}.log"
        run_child("bundle" if op == "bundle" else "import", db, *args, log=log,
                  kill_after_point=("tx:before-commit#1", window * (i + 0.5) / moments))
        s, pw = check_store_sound(db)
        try:
            outcomes.append(check(s, pw))
        finally:
            s.close()
    assert set(outcomes) <= {"done", "undone"}


def _rekey_check(s: Store, pw: str) -> str:
    assert pw == PW
    assert s.con.execute("SELECT count(*) FROM patients").fetchone()[0] == 1
    n = s.con.execute("SELECT count(*) FROM audit_log WHERE action = 'rekey'").fetchone()[0]
    assert n in (0, 1)
    return "done" if n else "undone"


def test_rekey_killed_at_every_point(tmp_path):
    out = _points_then_kill(tmp_path, "rekey", [], _rekey_check)
    assert {o for _, o in out} == {"done", "undone"}, out
    names = [p for p, _ in out]
    assert any(p.startswith("rekey:renamed") for p in names)   # the rename points of the issue are covered


def _passwd_check(s: Store, pw: str) -> str:
    n = s.con.execute("SELECT count(*) FROM audit_log WHERE action = 'change_passphrase'").fetchone()[0]
    assert n == (1 if pw == NEW_PW else 0), (pw, n)     # the header change and its audit row go together
    return "done" if pw == NEW_PW else "undone"


def test_passwd_killed_at_every_point(tmp_path):
    out = _points_then_kill(tmp_path, "passwd", [], _passwd_check)
    assert {o for _, o in out} == {"done", "undone"}, out


def test_repair_is_audited(tmp_path):
    db = fresh_store(tmp_path / "p.duckdb")
    rc, _ = run_child("rekey", db, failpoint="rekey:renamed-old-db")
    assert rc == -9
    assert not db.exists()                      # the state the issue found unopenable
    with Store.open(db, Unlock(passphrase=PW)) as s:
        actions = s.audit_rows()["action"].tolist()
    assert actions[-2:] == ["rekey", "rekey_finished_after_interruption"], actions

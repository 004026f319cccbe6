"""The states an interrupted re-key of the previous workstation version left (no journal), which the issue found
unopenable ("There is no patient store …", "The vault header … is missing"): the next open restores the old pair."""
from __future__ import annotations

import os

import pytest

from tests.fault.helpers import PW, fresh_store
from workstation.store import Store, Unlock


def _legacy(db, step: int) -> None:
    """Replay the old swap order up to ``step``: 1 db→.old, 2 header→.vault.old, 3 new copy→db."""
    hp = db.with_name(db.name + ".vault")
    tmp = db.with_name(db.name + ".rekey-tmp")
    tmp.write_bytes(os.urandom(4096))          # stands for the new copy under a key that was never saved
    if step >= 1:
        os.replace(db, db.with_name(db.name + ".old"))
    if step >= 2:
        os.replace(hp, hp.with_name(hp.name + ".old"))
    if step >= 3:
        os.replace(tmp, db)


@pytest.mark.parametrize("step", [1, 2, 3])
def test_legacy_interrupted_rekey_is_rolled_back(tmp_path, step):
    db = fresh_store(tmp_path / "p.duckdb")
    _legacy(db, step)
    with Store.open(db, Unlock(passphrase=PW)) as s:
        assert s.patients()["id"].tolist() == ["P1"]
        assert s.verify_audit().ok
        assert s.audit_rows()["action"].tolist()[-1] == "rekey_rolled_back_after_interruption"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.duckdb", "p.duckdb.vault"]

"""A crafted bundle (re-encrypted with the right passphrase, so it is authentic) that lists only patient EVIL but
carries rows for P1, a patient already in the store: refused, nothing stored, P1 untouched."""
from __future__ import annotations

import duckdb
import pytest

from tests.fault.child import BUNDLE_PW
from tests.fault.helpers import bundle_file, fresh_store
from tests.fault.child import PW
from workstation import vault
from workstation.errors import MalformedFile
from workstation.exchange import container, import_bundle
from workstation.store import Store, Unlock


def _rewrite_part(parts: dict, name: str, sql: str) -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT * FROM read_parquet(?)", [_tmp_parquet(con, parts[name])])
    con.execute(sql)
    out = _tmp_parquet.path + ".out.parquet"
    con.execute(f"COPY t TO '{out}' (FORMAT parquet)")
    with open(out, "rb") as fh:
        parts[name] = fh.read()
    con.close()


def _tmp_parquet(con, data: bytes) -> str:
    path = _tmp_parquet.path
    with open(path, "wb") as fh:
        fh.write(data)
    return path


@pytest.mark.parametrize("table", ["variants", "sources"])
def test_rows_for_an_unlisted_patient_are_refused(tmp_path, table):
    b = bundle_file(tmp_path, n_variants=50, pid="EVIL")
    parts = container.read_bundle(b, BUNDLE_PW)
    _tmp_parquet.path = str(tmp_path / "part.parquet")
    _rewrite_part(parts, table, "UPDATE t SET patient_id = 'P1'")
    crafted = tmp_path / "crafted.wsbundle"
    container.write_bundle(crafted, parts.items(), BUNDLE_PW, kdf=vault.FAST_KDF)
    db = fresh_store(tmp_path / "target" / "p.duckdb")
    with Store.open(db, Unlock(passphrase=PW)) as s:
        before = {t: s.con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("variants", "sources")}
        with pytest.raises(MalformedFile, match="does not name"):
            import_bundle(s, crafted, BUNDLE_PW)
        after = {t: s.con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("variants", "sources")}
        assert after == before
        assert s.con.execute("SELECT count(*) FROM patients").fetchone()[0] == 1
        assert s.verify_audit().ok and s.consistency_problems() == []
        assert s.audit_rows()["action"].tolist()[-1] == "import_bundle_refused"

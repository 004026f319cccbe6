"""Outside calls stored for a patient in the real encrypted store: provenance (lab, date, who), audit, all or
nothing, the PharmCAT outside-call TSV, and the calls reaching the patient's guidance."""
from __future__ import annotations

import json

import pytest

from tests.core.helpers import store_with_patient
from tests.core.test_pgx import PHARMCAT, need
from workstation import pgx
from workstation.errors import MalformedFile
from workstation.levels import Level
from workstation.store.outside_calls import OutsideCallEntry, add_outside_calls, import_outside_call_file


def _pid(store) -> str:
    return str(store.patients()["id"].iloc[0])


def test_entered_call_is_stored_with_provenance_and_audited(tmp_path):
    store = store_with_patient(tmp_path)
    pid = _pid(store)
    before = store.data_version(pid)
    res = add_outside_calls(store, pid, [OutsideCallEntry("HLA-B", "*57:01/*08:01")], lab="Example HLA lab",
                            test_date="2026-11-30")
    assert res.genes == ("HLA-B",) and store.data_version(pid) != before
    src = store.con.execute("SELECT kind, file_name, details FROM sources WHERE id = ?", [res.source_id]).fetchone()
    assert src[0] == "outside_call" and json.loads(src[2])["lab"] == "Example HLA lab"
    audit = store.audit_rows(pid)
    assert "import" in set(audit["action"]) and "outside_call" in audit["detail"].iloc[-1]
    call = pgx.call_profile(store.profile(pid, audit_open=False)).genes["HLA-B"]
    assert dict(call.allele_status)["*57:01"] == "positive" and call.source == "outside call"
    assert dict(call.provenance) == {"entered_by": call.provenance[0][1], "lab": "Example HLA lab",
                                     "date": "2026-11-30"}
    store.close()


def test_bad_call_stores_nothing(tmp_path):
    store = store_with_patient(tmp_path)
    pid = _pid(store)
    n = store.con.execute("SELECT count(*) FROM outside_calls").fetchone()[0]
    with pytest.raises(MalformedFile) as e:
        add_outside_calls(store, pid, [OutsideCallEntry("CYP2D6", "*1/*1x2"), OutsideCallEntry("CYP2D6", "*1/*999")])
    assert "CYP2D6" in str(e.value)
    with pytest.raises(MalformedFile):
        add_outside_calls(store, pid, [OutsideCallEntry("HLA-B", "*57")])
    assert store.con.execute("SELECT count(*) FROM outside_calls").fetchone()[0] == n
    assert store.con.execute("SELECT count(*) FROM sources WHERE kind = 'outside_call'").fetchone()[0] == 0
    store.close()


def test_pharmcat_outside_call_file_for_a_stored_patient(tmp_path):
    store = store_with_patient(tmp_path)
    pid = _pid(store)
    res = import_outside_call_file(store, pid, need(PHARMCAT / "pharmcat.example.outsideCall.tsv"), lab="PharmCAT")
    assert set(res.genes) == {"CYP2D6", "HLA-B", "MT-RNR1"}
    profile = store.profile(pid, audit_open=False)
    _, recs = pgx.guidance(pgx.call_profile(profile))
    by = {r.drug: r for r in recs if r.population in ("general", "CBZ naive")}
    assert by["abacavir"].level is Level.AVOID and by["gentamicin"].level is Level.AVOID
    assert by["codeine"].basis["lookup"] == {"CYP2D6": "Intermediate Metabolizer"}
    # a later entry for the same gene replaces the earlier one, and says so
    add_outside_calls(store, pid, [OutsideCallEntry("CYP2D6", "*1/*1x2")], lab="second lab")
    call = pgx.call_profile(store.profile(pid, audit_open=False)).genes["CYP2D6"]
    assert call.phenotype == "Ultrarapid Metabolizer" and any("replaces an earlier" in m for m in call.messages)
    store.close()


def test_cli_outside_call(tmp_path):
    import os
    import subprocess
    import sys

    store = store_with_patient(tmp_path)
    store.close()
    root = __import__("pathlib").Path(__file__).resolve().parents[2]
    env = {**os.environ, "WS_PW": "a long passphrase", "WORKSTATION_NO_KEYRING": "1",
           "WORKSTATION_HOME": str(tmp_path / "home")}

    def ws(*args):
        return subprocess.run([sys.executable, "-c", "import sys; from workstation.cli import main; main(sys.argv[1:])",
                               "--db", str(tmp_path / "p.duckdb"), "--passphrase-env", "WS_PW", *args], cwd=root,
                              env=env, capture_output=True, text=True, timeout=300)

    r = ws("outside-call", "--patient", "P1", "--gene", "CYP2D6", "--diplotype", "*1/*1x2", "--lab", "Lab A",
           "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["genes"] == ["CYP2D6"]
    bad = ws("outside-call", "--patient", "P1", "--gene", "CYP2D6", "--diplotype", "*1/*999")
    assert bad.returncode != 0 and "*999" in bad.stderr and "Traceback" not in bad.stderr
    r = ws("pgx", "--patient", "P1", "--json")
    assert json.loads(r.stdout)["genes"]["CYP2D6"]["phenotype"] == "Ultrarapid Metabolizer"

"""export-bundle / import-bundle / export-fhir as a script would run them: real processes, files, exit codes."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

from workstation import vault
from workstation.store import Store, file_info, import_batch

ROOT = Path(__file__).resolve().parents[2]
PW = "cli test passphrase"
BPW = "the bundle passphrase"


def ws(tmp_path, db: str, *args, env_extra=None):
    env = dict(os.environ)
    env.update({"WS_PW": PW, "WS_BPW": BPW, "WORKSTATION_NO_KEYRING": "1",
                "WORKSTATION_HOME": str(tmp_path / "home"), "QT_QPA_PLATFORM": "offscreen"})
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "ui.launcher", "--db", str(tmp_path / db),
                           "--passphrase-env", "WS_PW", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL)


def make_store(tmp_path, name: str, pid: str | None) -> None:
    s = Store.create(tmp_path / name, PW, kdf=vault.FAST_KDF)
    if pid:
        f = tmp_path / "labs.csv"
        f.write_text("creatinine 1.1")
        with import_batch(s, file_info(f), kind="demo", importer="t", importer_version="1", patient_id=pid) as b:
            b.upsert_patient({"id": pid, "name": "Cli Person", "sex": "male"})
            b.insert_frame("observations", pd.DataFrame({"code": ["2160-0"], "value_num": [1.1], "unit": ["mg/dL"]}))
    s.close()


def test_bundle_round_trip_through_the_cli(tmp_path):
    make_store(tmp_path, "a.duckdb", "p1")
    make_store(tmp_path, "b.duckdb", None)
    out = tmp_path / "p1.wsbundle"
    r = ws(tmp_path, "a.duckdb", "export-bundle", "--patient", "p1", "--out", str(out),
           "--bundle-passphrase-env", "WS_BPW", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["counts"]["p1"]["observations"] == 1
    r = ws(tmp_path, "b.duckdb", "import-bundle", str(out), "--bundle-passphrase-env", "WS_BPW")
    assert r.returncode == 0, r.stderr
    assert "Imported 1 patient" in r.stdout
    r = ws(tmp_path, "b.duckdb", "patients", "--json")
    assert [p["id"] for p in json.loads(r.stdout)] == ["p1"]
    # a second import of the same patient is refused in one sentence; --as files it under a new id
    r = ws(tmp_path, "b.duckdb", "import-bundle", str(out), "--bundle-passphrase-env", "WS_BPW")
    assert r.returncode != 0 and "already exists" in r.stderr and "Traceback" not in r.stderr
    r = ws(tmp_path, "b.duckdb", "import-bundle", str(out), "--bundle-passphrase-env", "WS_BPW", "--as", "p1b")
    assert r.returncode == 0, r.stderr
    r = ws(tmp_path, "b.duckdb", "audit", "--json")
    actions = [row["action"] for row in json.loads(r.stdout)]
    assert actions.count("import_bundle") == 2 and "import_bundle_refused" in actions


def test_wrong_bundle_passphrase_and_unset_variable(tmp_path):
    make_store(tmp_path, "a.duckdb", "p1")
    make_store(tmp_path, "b.duckdb", None)
    out = tmp_path / "p1.wsbundle"
    assert ws(tmp_path, "a.duckdb", "export-bundle", "--patient", "p1", "--out", str(out),
              "--bundle-passphrase-env", "WS_BPW").returncode == 0
    r = ws(tmp_path, "b.duckdb", "import-bundle", str(out), "--bundle-passphrase-env", "WS_BPW",
           env_extra={"WS_BPW": "a wrong passphrase"})
    assert r.returncode != 0 and "passphrase does not open" in r.stderr and "Traceback" not in r.stderr
    r = ws(tmp_path, "b.duckdb", "import-bundle", str(out))            # no variable, no terminal
    assert r.returncode != 0 and "--bundle-passphrase-env" in r.stderr


def test_export_fhir_cli(tmp_path):
    make_store(tmp_path, "a.duckdb", "p1")
    out = tmp_path / "p1.json"
    r = ws(tmp_path, "a.duckdb", "export-fhir", "--patient", "p1", "--out", str(out), "--json")
    assert r.returncode == 0, r.stderr
    bundle = json.loads(out.read_text("utf-8"))
    assert bundle["entry"][0]["resource"]["id"] == "p1"
    assert json.loads(r.stdout)["counts"]["Patient"] == 1
    r = ws(tmp_path, "a.duckdb", "export-fhir", "--patient", "nobody", "--out", str(tmp_path / "x.json"))
    assert r.returncode != 0 and "nobody" in r.stderr and "Traceback" not in r.stderr

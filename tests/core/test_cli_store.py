"""The store commands as an installer or a script would run them: real processes, real files, exit codes.

Only ``test_init_patients_audit_verify`` pays the shipped argon2id cost through ``workstation init``; the other tests
create their store through the Python API with ``vault.FAST_KDF`` (:func:`fast_store`). The KDF parameters are
recorded in the vault header, so every CLI command opens such a store normally, and the CLI itself has no way to
create one (the init test checks that the header carries the shipped defaults).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from workstation import vault
from workstation.store import Store


ROOT = Path(__file__).resolve().parents[2]
PW = "cli test passphrase"


def ws(tmp_path, *args, env_extra=None, input=None):
    env = dict(os.environ)
    env.update({"WS_PW": PW, "WORKSTATION_NO_KEYRING": "1", "WORKSTATION_HOME": str(tmp_path / "home"),
                "QT_QPA_PLATFORM": "offscreen"})
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "ui.launcher", "--db", str(tmp_path / "s.duckdb"),
                           "--passphrase-env", "WS_PW", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300, input=input)


def fast_store(tmp_path) -> None:
    """The store ``ws`` opens, created with cheap KDF parameters (tests only; see the module docstring)."""
    Store.create(tmp_path / "s.duckdb", PW, kdf=vault.FAST_KDF).close()


def test_init_patients_audit_verify(tmp_path):
    r = ws(tmp_path, "init")
    assert r.returncode == 0, r.stderr
    assert "Created an encrypted patient store" in r.stdout
    header = vault.VaultHeader.load(vault.header_path(tmp_path / "s.duckdb"))
    assert header.kdf == vault.KdfParams() and header.kdf != vault.FAST_KDF   # the CLI uses the shipped cost
    assert ws(tmp_path, "unlock-check").returncode == 0
    r = ws(tmp_path, "patients", "--json")
    assert r.returncode == 0 and json.loads(r.stdout) == []
    r = ws(tmp_path, "audit", "verify")
    assert r.returncode == 0 and "intact" in r.stdout
    r = ws(tmp_path, "audit", "--json")
    rows = json.loads(r.stdout)
    assert rows[0]["action"] == "create_store" and rows[0]["user"]


def test_wrong_passphrase_is_one_sentence(tmp_path):
    fast_store(tmp_path)
    r = ws(tmp_path, "unlock-check", env_extra={"WS_PW": "wrong wrong wrong"})
    assert r.returncode != 0
    assert "passphrase is not correct" in r.stderr and "Traceback" not in r.stderr


def test_unset_env_var_and_missing_store(tmp_path):
    r = ws(tmp_path, "patients", env_extra={"WS_PW": ""})
    assert r.returncode != 0 and "no patient store" in r.stderr.lower() and "Traceback" not in r.stderr
    env = {k: v for k, v in os.environ.items() if k != "WS_PW"}
    r = subprocess.run([sys.executable, "-m", "ui.launcher", "--db", str(tmp_path / "s.duckdb"), "--passphrase-env",
                        "NOT_SET_ANYWHERE", "init"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode != 0 and "NOT_SET_ANYWHERE" in r.stderr and "Traceback" not in r.stderr


def test_rekey_and_passwd(tmp_path):
    fast_store(tmp_path)
    r = ws(tmp_path, "rekey")
    assert r.returncode == 0, r.stderr
    r = ws(tmp_path, "passwd", "--new-passphrase-env", "WS_NEW", env_extra={"WS_NEW": "another passphrase 2"})
    assert r.returncode == 0, r.stderr
    assert ws(tmp_path, "unlock-check").returncode != 0
    assert ws(tmp_path, "unlock-check", env_extra={"WS_PW": "another passphrase 2"}).returncode == 0
    r = ws(tmp_path, "audit", "--json", env_extra={"WS_PW": "another passphrase 2"})
    actions = [x["action"] for x in json.loads(r.stdout)]
    assert "rekey" in actions and "change_passphrase" in actions


def test_selftest_passes(tmp_path):
    r = ws(tmp_path, "selftest", "--json")
    out = json.loads(r.stdout)
    failed = [c for c in out["checks"] if not c["ok"]]
    names = {c["name"] for c in out["checks"]}
    assert {"encrypted store", "onnxruntime", "Qt platform", "PDF writer"} <= names
    assert r.returncode == (0 if not failed else 1)
    assert not failed, failed

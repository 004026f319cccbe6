"""A full disk, for real: a small tmpfs is mounted (root only; skipped with the reason otherwise), the store lives
on it, the rest of the space is taken by a filler file, then passwd, rekey, export-bundle, import and audit run
through the CLI. Each must give one sentence (no traceback), leave no 0-byte or temporary file, and leave the store
opening with the old passphrase and its audit log verifying once space is freed."""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.fault.helpers import NEW_PW, PW, ROOT, fhir_file, fresh_store
from workstation.store import Store, Unlock


def _mount(tmp_path: Path, size: str) -> Path:
    if sys.platform != "linux" or os.geteuid() != 0:
        pytest.skip("mounting a small file system needs Linux and root")
    mnt = tmp_path / f"small-{uuid.uuid4().hex[:6]}"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mnt)], capture_output=True,
                       text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {r.stderr.strip()[:200]}")
    return mnt


@pytest.fixture
def small_fs(tmp_path):
    mnt = _mount(tmp_path, "24m")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def _fill(folder: Path) -> Path:
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as fh:
        for block in (65536, 4096, 512, 1):
            try:
                while True:
                    fh.write(b"\0" * block)
            except OSError:
                pass
    return filler


def _cli(db: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "KILL_PW": PW, "KILL_NEW_PW": NEW_PW, "KILL_BPW": "bundle passphrase long",
           "PYTHONPATH": str(ROOT), "WORKSTATION_NO_KEYRING": "1"}
    return subprocess.run([sys.executable, "-m", "ui.launcher", "--db", str(db), "--passphrase-env", "KILL_PW",
                           *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)


COMMANDS = {
    "passwd": ["passwd", "--new-passphrase-env", "KILL_NEW_PW"],
    "rekey": ["rekey"],
    "export-bundle": ["export-bundle", "--patient", "P1", "--out", "{dir}/p1.wsbundle",
                      "--bundle-passphrase-env", "KILL_BPW"],
    "import": ["import", "{fhir}"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_full_disk(small_fs, tmp_path, command):
    db = fresh_store(small_fs / "p.duckdb")
    fhir = fhir_file(tmp_path / "obs.json", n_obs=2000)
    filler = _fill(small_fs)
    before = {p.name for p in small_fs.iterdir()}
    args = [a.format(dir=small_fs, fhir=fhir) for a in COMMANDS[command]]
    r = _cli(db, *args)
    out = r.stdout + r.stderr
    assert r.returncode != 0, out
    assert "Traceback" not in out, out
    assert len(out.strip().splitlines()) == 1 and len(out) < 400, out
    assert "full" in out or "could not be written" in out or "nothing was changed" in out.lower(), out
    left = {p.name for p in small_fs.iterdir()} - before
    assert left == set(), left                   # no vault.tmp, no .part, no .rekey-tmp
    assert not any(p.stat().st_size == 0 for p in small_fs.iterdir() if p.name != "filler"), \
        [p.name for p in small_fs.iterdir()]
    filler.unlink()
    with Store.open(db, Unlock(passphrase=PW)) as s:
        assert s.verify_audit().ok, s.verify_audit()
        assert s.consistency_problems() == []
        assert s.con.execute("SELECT count(*) FROM observations").fetchone()[0] == 0

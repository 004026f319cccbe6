"""Shared pieces of the fault tests: stores and files to attack, a child runner, the all-or-nothing checks."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.fault.child import BUNDLE_PW, NEW_PW, PW
from workstation import vault
from workstation.store import Store, Unlock

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"
LONG = bool(os.environ.get("WORKSTATION_FAULT_LONG"))   # .ci/run sets it: more kill moments, more fuzz inputs


def fresh_store(path: Path, *, patients: tuple[str, ...] = ("P1",)) -> Path:
    s = Store.create(path, PW, kdf=vault.FAST_KDF)
    with s.transaction() as con:
        for p in patients:
            con.execute("INSERT INTO patients (id, name) VALUES (?, ?)", [p, f"Patient {p}"])
    s.close()
    return path


def fhir_file(path: Path, n_obs: int = 300) -> Path:
    entries = [{"resource": {"resourceType": "Patient", "id": "kp1", "gender": "female", "birthDate": "1970-01-02",
                             "name": [{"family": "Kill", "given": ["Test"]}]}}]
    for i in range(n_obs):
        entries.append({"resource": {
            "resourceType": "Observation", "id": f"o{i}", "status": "final",
            "subject": {"reference": "Patient/kp1"},
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                      "code": "laboratory"}]}],
            "code": {"coding": [{"system": "http://loinc.org", "code": "2160-0", "display": "Creatinine"}]},
            "effectiveDateTime": f"2020-01-{1 + i % 28:02d}T10:00:00Z",
            "valueQuantity": {"value": 0.8 + (i % 10) / 10, "unit": "mg/dL", "system": "http://unitsofmeasure.org",
                              "code": "mg/dL"}}})
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}), "utf-8")
    return path


def vcf_file(path: Path, n: int = 20000) -> Path:
    lines = ["##fileformat=VCFv4.2", "##reference=GRCh38", "##contig=<ID=chr1,length=248956422>",
             '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
             "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1"]
    lines += [f"chr1\t{1000 + 7 * i}\t.\tA\tG\t50\tPASS\t.\tGT\t0/1" for i in range(n)]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def bundle_file(tmp: Path, *, n_variants: int = 200000, pid: str = "BX1") -> Path:
    """A bundle holding one patient with ``n_variants`` variant rows, exported from a scratch store."""
    from workstation.exchange import export_bundle
    from workstation.store import file_info, import_batch

    src = tmp / "bundle-src.duckdb"
    s = Store.create(src, PW, kdf=vault.FAST_KDF)
    marker = tmp / "marker.txt"
    marker.write_text(pid, "utf-8")
    with s.transaction() as con:
        con.execute("INSERT INTO patients (id, name) VALUES (?, 'Bundle Patient')", [pid])
    with import_batch(s, file_info(marker), kind="vcf", importer="test", importer_version="1", patient_id=pid) as b:
        b.counts["variants"] = b.insert_select(
            "variants", "SELECT 'chr1' AS chrom, (1000 + i)::BIGINT AS pos, 'A' AS ref, 'G' AS alt, '0/1' AS gt "
                        "FROM range(?) t(i)", [n_variants])
    out = tmp / f"{pid}.wsbundle"
    export_bundle(s, [pid], out, BUNDLE_PW, kdf=vault.FAST_KDF)
    s.close()
    return out


def run_child(op: str, db: Path, *args: str, failpoint: str | None = None, log: Path | None = None,
              kill_after: float | None = None, kill_after_point: tuple[str, float] | None = None,
              timeout: float = 240) -> tuple[int, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WORKSTATION_NO_KEYRING": "1"}
    env.pop("WORKSTATION_FAILPOINT", None)
    if failpoint:
        env["WORKSTATION_FAILPOINT"] = failpoint
    if log:
        env["WORKSTATION_FAILPOINT_LOG"] = str(log)
    proc = subprocess.Popen([sys.executable, "-m", "tests.fault.child", op, str(db), *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if kill_after_point is not None:     # SIGKILL ``delay`` seconds after the child passes the named point
        point, delay = kill_after_point
        t_end = time.monotonic() + timeout
        while proc.poll() is None and time.monotonic() < t_end:
            if log.exists() and point in log.read_text("utf-8"):
                time.sleep(delay)
                break
            time.sleep(0.001)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate()
    elif kill_after is not None:
        try:
            out, err = proc.communicate(timeout=kill_after)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            out, err = proc.communicate()
    else:
        out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out + err


def timed(op: str, db: Path, *args: str) -> float:
    t = time.perf_counter()
    rc, out = run_child(op, db, *args)
    assert rc == 0, out
    return time.perf_counter() - t


def passed_points(op: str, db: Path, *args: str, tmp: Path) -> list[str]:
    """Every failpoint passage of one uninterrupted run of ``op`` (on a copy of the store)."""
    log = tmp / f"points-{op}.log"
    log.unlink(missing_ok=True)
    rc, out = run_child(op, db, *args, log=log)
    assert rc == 0, out
    return [line.split()[0] for line in log.read_text("utf-8").splitlines()]


def point_times(log: Path) -> dict[str, float]:
    return {a: float(b) for a, b in (line.split() for line in log.read_text("utf-8").splitlines())}


def open_any(db: Path) -> tuple[Store, str]:
    """Open with the old or the new passphrase (a killed passwd leaves one of them); returns which."""
    try:
        return Store.open(db, Unlock(passphrase=PW)), PW
    except Exception:
        return Store.open(db, Unlock(passphrase=NEW_PW)), NEW_PW


def check_store_sound(db: Path) -> tuple[Store, str]:
    """The store opens (twice: the repair is idempotent), its audit log verifies, no orphan rows, no leftovers."""
    s, pw = open_any(db)
    s.close()
    s = Store.open(db, Unlock(passphrase=pw))
    res = s.verify_audit()
    assert res.ok, res
    assert s.consistency_problems() == [], s.consistency_problems()
    left = sorted(p.name for p in db.parent.iterdir() if p.name.startswith(db.name) and
                  p.name not in (db.name, db.name + ".vault", db.name + ".wal", db.name + ".tmp"))
    assert left == [], left
    return s, pw

"""Core self-checks for installers: versions, encrypted DuckDB, onnxruntime and every shipped model.

Uses only synthetic data in a temporary folder; touches no patient store. The Qt checks (platform plugin, PDF
writer) are added by ``ui/selftest.py`` because the core never imports Qt.
"""
from __future__ import annotations

import platform
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from workstation import __version__


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    seconds: float = 0.0


def versions() -> dict:
    import duckdb
    import numpy
    import pandas

    out = {"workstation": __version__, "python": sys.version.split()[0], "platform": platform.platform(),
           "duckdb": duckdb.__version__, "numpy": numpy.__version__, "pandas": pandas.__version__}
    try:
        import onnxruntime

        out["onnxruntime"] = onnxruntime.__version__
    except ImportError:
        out["onnxruntime"] = "missing"
    return out


def check_encrypted_store() -> Check:
    """Create an encrypted store, write a marker, reopen it, and prove the marker is not in the file in clear."""
    from workstation import vault
    from workstation.store import Store, Unlock

    t0 = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="ws-selftest-") as d:
            path = Path(d) / "selftest.duckdb"
            marker = "SELFTEST-MARKER-7f3a9c"
            s = Store.create(path, "selftest passphrase", kdf=vault.FAST_KDF)
            with s.transaction() as con:
                con.execute("INSERT INTO patients (id, name) VALUES ('selftest', ?)", [marker])
            s.close()
            s = Store.open(path, Unlock(passphrase="selftest passphrase"))
            name = s.patient("selftest")["name"]
            s.close()
            raw = path.read_bytes()
            if name != marker:
                return Check("encrypted store", False, "the marker did not read back", time.perf_counter() - t0)
            if marker.encode() in raw:
                return Check("encrypted store", False, "plaintext found in the database file",
                             time.perf_counter() - t0)
        from workstation.store.connect import httpfs_extension_path

        return Check("encrypted store", True, f"AES-GCM via DuckDB httpfs crypto ({httpfs_extension_path().name})",
                     time.perf_counter() - t0)
    except Exception as exc:  # report, never crash the self-test
        return Check("encrypted store", False, str(exc).splitlines()[0], time.perf_counter() - t0)


def check_models() -> list[Check]:
    """onnxruntime loads, and every model in the manifest passes its hash check and scores its example."""
    t0 = time.perf_counter()
    try:
        import onnxruntime  # noqa: F401
    except ImportError as exc:
        return [Check("onnxruntime", False, str(exc))]
    checks = [Check("onnxruntime", True, f"providers: {', '.join(onnxruntime.get_available_providers())}",
                    time.perf_counter() - t0)]
    try:
        from workstation.models import selfcheck_models
    except ImportError:
        checks.append(Check("models", False, "model registry not available"))
        return checks
    checks.extend(Check(**c) if isinstance(c, dict) else c for c in selfcheck_models())
    return checks


def run_core_checks() -> list[Check]:
    return [check_encrypted_store(), *check_models()]

"""The built one-folder application, smoke-tested: its ``--self-test``, its contents, its archive and checksum.

Building takes a while, so these tests run only when ``WORKSTATION_BUILD_BUNDLE=1`` (they build it first with
``python packaging/build.py``; CI does this) or ``WORKSTATION_TEST_BUNDLE=1`` (they test the build already in
``dist/workstation/``). Otherwise they are skipped with the reason, so a stale local build never fails a plain
``pytest`` run.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"
BUNDLE = DIST / "workstation"
EXE = BUNDLE / ("workstation.exe" if sys.platform == "win32" else "workstation")
SIZE_BUDGET = 350_000_000  # bytes unpacked (issue 7)


def _load_plan():
    import importlib.util

    spec = importlib.util.spec_from_file_location("workstation_packaging", ROOT / "packaging" / "build.py")
    mod = sys.modules["workstation_packaging"] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def bundle() -> Path:
    if os.environ.get("WORKSTATION_BUILD_BUNDLE") == "1":
        proc = subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py"), "--no-self-test"], cwd=ROOT,
                              capture_output=True, text=True, timeout=3600)
        assert proc.returncode == 0, f"the bundle did not build:\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}"
    elif os.environ.get("WORKSTATION_TEST_BUNDLE") != "1" or not EXE.is_file():
        pytest.skip("packaged build not tested: set WORKSTATION_BUILD_BUNDLE=1 to build dist/workstation and test "
                    "it, or WORKSTATION_TEST_BUNDLE=1 to test an existing build")
    assert EXE.is_file(), f"{EXE} is missing after the build"
    return BUNDLE


def _internal(bundle: Path) -> Path:
    return bundle / "_internal"


def _run(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    full = dict(os.environ, QT_QPA_PLATFORM="offscreen", **(env or {}))
    return subprocess.run([str(EXE), *args], capture_output=True, text=True, env=full, timeout=timeout)


def test_packaged_self_test_passes(bundle):
    proc = _run("--self-test")
    assert proc.returncode == 0, f"packaged --self-test failed:\n{proc.stdout}\n{proc.stderr[-4000:]}"
    assert "Self-test passed" in proc.stdout
    assert proc.stdout.startswith("Versions: workstation ")


def test_packaged_self_test_proves_crypto_models_qt_and_pdf(bundle):
    proc = _run("selftest", "--json")
    assert proc.returncode == 0, proc.stderr[-4000:]
    report = json.loads(proc.stdout)
    names = [c["name"] for c in report["checks"]]
    assert report["ok"] is True and all(c["ok"] for c in report["checks"])
    for required in ("encrypted store", "onnxruntime", "Qt platform", "PDF writer"):
        assert required in names
    assert "offscreen" in next(c["detail"] for c in report["checks"] if c["name"] == "Qt platform")
    models = sorted(p.stem for p in (_internal(bundle) / "models_onnx").glob("*.onnx"))
    assert models, "no model in the bundle"
    for model in models:
        assert any(model in n for n in names), f"model {model} was not checked by the packaged self-test"
    versions = report["versions"]
    assert versions["pyside6"] != "missing" and versions.get("pyqtgraph"), "Qt or pyqtgraph failed to import"
    assert versions["duckdb"] and versions["onnxruntime"] != "missing"


def test_bundle_holds_resources_models_and_the_crypto_extension_unchanged(bundle):
    plan = _load_plan()
    stale = []
    for src, dest in plan.tree_datas(["resources", "models_onnx"]) + plan.httpfs_data():
        packed = _internal(bundle) / dest / Path(src).name
        if not packed.is_file() or packed.read_bytes() != Path(src).read_bytes():
            stale.append(f"{dest}/{Path(src).name}")
    assert not stale, (f"dist/workstation differs from the source for {stale[:10]}: rebuild it with "
                       "python packaging/build.py")
    assert (_internal(bundle) / "models_onnx" / "MANIFEST.json").is_file()
    assert not (_internal(bundle) / "models_onnx" / "build").exists()
    assert not list(_internal(bundle).rglob("*keyrings*alt*"))


def test_bundle_has_only_the_qt_it_needs_and_fits_the_size_budget(bundle):
    plugins = next(p for p in _internal(bundle).rglob("plugins") if (p / "platforms").is_dir())
    platforms = {p.stem.removeprefix("lib") for p in (plugins / "platforms").iterdir()}
    need = {"linux": {"qoffscreen", "qxcb"}, "win32": {"qoffscreen", "qwindows"},
            "darwin": {"qoffscreen", "qcocoa"}}.get(sys.platform, {"qoffscreen"})
    assert need <= platforms
    assert not platforms & {"qeglfs", "qlinuxfb", "qvnc", "qwayland-egl", "qwayland-generic"}
    big = [p.name for p in _internal(bundle).rglob("*")
           if any(m in p.name for m in ("WebEngine", "Qt63D", "Qt6Quick", "Qt6Qml", "Multimedia", "Qt6Network"))]
    assert not big, f"unused Qt modules were bundled: {big[:10]}"
    files, size = _load_plan().bundle_size(bundle)
    assert size <= SIZE_BUDGET, f"the bundle is {size / 1e6:.1f} MB unpacked, over the {SIZE_BUDGET / 1e6:.0f} MB goal"


def test_archive_checksum_file_verifies(bundle):
    plan = _load_plan()
    suffix = ".zip" if sys.platform == "win32" else ".tar.gz"
    archive = DIST / f"workstation-{plan.version()}-{plan.platform_tag()}{suffix}"
    if not archive.is_file():
        pytest.skip(f"{archive.name} was not written (build.py --no-archive)")
    digest, name = (archive.parent / (archive.name + ".sha256")).read_text("ascii").split()
    assert name == archive.name
    h = hashlib.sha256()
    with open(archive, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    assert h.hexdigest() == digest
    if suffix == ".zip":
        with zipfile.ZipFile(archive) as zf:
            assert "workstation/workstation.exe" in zf.namelist()
    else:
        with tarfile.open(archive) as tf:
            assert tf.getmember("workstation/workstation").mode & 0o111


def test_packaged_headless_commands_build_and_read_an_encrypted_store(bundle, tmp_path):
    env = {"WORKSTATION_HOME": str(tmp_path), "WORKSTATION_NO_KEYRING": "1"}
    built = _run("demo", "--no-window", "--patients", "4", env=env, timeout=600)
    assert built.returncode == 0, built.stderr[-4000:]
    db = tmp_path / "demo" / "demo-patients.duckdb"
    passphrase = (tmp_path / "demo" / "demo-passphrase.txt").read_text("utf-8").strip()
    env["WS_TEST_PASSPHRASE"] = passphrase
    listed = _run("--db", str(db), "--passphrase-env", "WS_TEST_PASSPHRASE", "patients", "--json", env=env)
    assert listed.returncode == 0, listed.stderr[-4000:]
    assert len(json.loads(listed.stdout)) == 4
    audit = _run("--db", str(db), "--passphrase-env", "WS_TEST_PASSPHRASE", "audit", "verify", env=env)
    assert audit.returncode == 0, audit.stderr[-4000:]
    wrong = _run("--db", str(db), "--passphrase-env", "NOPE", "patients", env={**env, "NOPE": "not the passphrase"})
    assert wrong.returncode != 0 and "Traceback" not in wrong.stderr

"""Fast checks of packaging/workstation.spec and packaging/build.py (no PyInstaller run, seconds in total).

The spec is executed for real (its declarations; the Analysis/EXE/COLLECT part runs only under PyInstaller) and
its lists are checked against the source tree: what must ship, where the store looks for the crypto extension, and
that nothing the code imports is excluded.
"""
from __future__ import annotations

import ast
import fnmatch
import hashlib
import json
import os
import re
import shutil
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "packaging" / "workstation.spec"


@pytest.fixture(scope="module")
def spec() -> dict:
    ns = {"SPECPATH": str(SPEC.parent), "__file__": str(SPEC), "__name__": "workstation_spec"}
    exec(compile(SPEC.read_text("utf-8"), str(SPEC), "exec"), ns)
    return ns


@pytest.fixture(scope="module")
def plan(spec):
    return spec["plan"]


def _dest_of(spec: dict) -> dict[str, str]:
    return {Path(src).resolve().as_posix(): dest for src, dest in spec["DATAS"]}


def _shipped_tree(top: str) -> list[Path]:
    out = []
    for dirpath, dirnames, filenames in os.walk(ROOT / top):
        dirnames[:] = [d for d in dirnames if d not in ("build", "__pycache__") and not d.startswith(".")]
        out += [Path(dirpath) / f for f in filenames if not f.endswith((".py", ".pyc")) and not f.startswith(".")]
    return out


def test_spec_is_one_declarative_file_with_the_standard_build_steps(spec):
    tree = ast.parse(SPEC.read_text("utf-8"))
    calls = {n.func.id: n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    assert {"Analysis", "PYZ", "EXE", "COLLECT"} <= calls.keys()
    kw = {k.arg: ast.unparse(k.value) for k in calls["Analysis"].keywords}
    assert kw["datas"] == "DATAS" and kw["hiddenimports"] == "HIDDEN_IMPORTS" and kw["excludes"] == "EXCLUDES"
    assert {k.arg: ast.unparse(k.value) for k in calls["EXE"].keywords}["name"] == "APP_NAME"
    assert {k.arg: ast.unparse(k.value) for k in calls["COLLECT"].keywords}["name"] == "APP_NAME"
    assert spec["APP_NAME"] == "workstation"
    assert spec["ENTRY_POINT"] == ROOT / "ui" / "launcher.py"
    assert list((ROOT / "packaging").glob("*.spec")) == [SPEC], "one spec for every OS"


def test_every_resource_and_model_file_ships_where_paths_py_looks(spec):
    dest = _dest_of(spec)
    expected = _shipped_tree("resources") + _shipped_tree("models_onnx")
    assert any(p.suffix == ".onnx" for p in expected) and any(p.parts[-3] == "resources" for p in expected)
    for p in expected:
        rel_parent = p.parent.relative_to(ROOT).as_posix()
        assert dest.get(p.resolve().as_posix()) == rel_parent, f"{p.relative_to(ROOT)} is not bundled"


def test_models_manifest_and_every_listed_file_ship(spec):
    dest = _dest_of(spec)
    manifest = ROOT / "models_onnx" / "MANIFEST.json"
    assert dest[manifest.resolve().as_posix()] == "models_onnx"
    listed = json.loads(manifest.read_text("utf-8"))["files"]
    assert listed, "the manifest lists no model files"
    for name in listed:
        assert dest.get((ROOT / "models_onnx" / name).resolve().as_posix()) == "models_onnx", name


def test_build_scripts_and_python_sources_do_not_ship_as_data(spec):
    for src, dest in spec["DATAS"]:
        rel = Path(src).resolve()
        assert "build" not in Path(dest).parts, f"{src} is build-time material"
        assert rel.suffix not in (".py", ".pyc"), f"{src} is code, not data"
    assert (ROOT / "models_onnx" / "build").is_dir()  # so the check above is not vacuous


def test_httpfs_extension_goes_where_the_store_looks_in_a_bundle(spec, tmp_path, monkeypatch):
    import duckdb
    from workstation.store.connect import httpfs_extension_path, secure_connection

    ext = httpfs_extension_path()
    dest = _dest_of(spec)[ext.resolve().as_posix()]
    assert fnmatch.fnmatch(f"{dest}/httpfs.duckdb_extension",
                           "duckdb_extension_httpfs/extensions/*/httpfs.duckdb_extension")
    assert dest.endswith("v" + duckdb.__version__)
    # Lay the file out as the bundle does, hide the installed wheel, and load it from there for real.
    target = tmp_path / dest / ext.name
    target.parent.mkdir(parents=True)
    shutil.copyfile(ext, target)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    monkeypatch.setitem(sys.modules, "duckdb_extension_httpfs", None)
    monkeypatch.delenv("WORKSTATION_HTTPFS_EXTENSION", raising=False)
    assert httpfs_extension_path() == target
    con = secure_connection()
    try:
        assert con.execute("SELECT loaded FROM duckdb_extensions() WHERE extension_name='httpfs'").fetchone()[0]
    finally:
        con.close()


def _imported_names(package: str) -> set[str]:
    names = set()
    for py in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(py.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def _excluded(name: str, excludes: list[str]) -> bool:
    return any(name == e or name.startswith(e + ".") for e in excludes)


def test_big_unused_qt_modules_are_excluded_and_nothing_the_code_imports_is(spec):
    excludes = spec["EXCLUDES"]
    for big in ("QtWebEngineCore", "QtWebEngineWidgets", "Qt3DCore", "QtQuick", "QtQml", "QtMultimedia",
                "QtNetwork"):
        assert f"PySide6.{big}" in excludes
    used = _imported_names("workstation") | _imported_names("ui") | {f"PySide6.{m}" for m in spec["QT_USED"]}
    used |= {f"PySide6.{m}" for m in ("QtCore", "QtGui", "QtWidgets", "QtSvg", "QtTest")}  # pyqtgraph's imports
    optional = set(spec.get("OPTIONAL_EXTRAS", ()))      # imported only on request, from an optional extra
    wrongly = sorted(n for n in used if _excluded(n, excludes) and n.split(".")[0] not in optional)
    assert not wrongly, f"the spec excludes modules the code imports: {wrongly}"
    assert "keyrings.alt" in excludes


def test_every_module_of_our_packages_is_a_hidden_import(spec):
    hidden = set(spec["HIDDEN_IMPORTS"])
    for package in ("workstation", "ui"):
        for py in (ROOT / package).rglob("*.py"):
            if "__pycache__" in py.parts:
                continue
            parts = py.relative_to(ROOT).with_suffix("").parts
            mod = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            assert mod in hidden, mod
    assert {"workstation.cli.store_cmds", "ui.selftest", "ui.launcher", "PySide6.QtPrintSupport"} <= hidden


def _plugin_files() -> list[str]:
    pyside = pytest.importorskip("PySide6")
    plugins = Path(pyside.__file__).parent / "Qt" / "plugins"
    if not plugins.is_dir():  # Windows wheels keep plugins beside the modules
        plugins = Path(pyside.__file__).parent / "plugins"
    files = [p for p in plugins.rglob("*") if p.is_file()]
    if not files:
        pytest.skip(f"no Qt plugins found under {plugins}")
    return [f"PySide6/Qt/plugins/{p.relative_to(plugins).as_posix()}" for p in files]


def test_qt_platform_plugins_for_this_os_are_kept_and_the_rest_dropped(spec):
    kept = [d for d in _plugin_files() if spec["_plugin_kept"](d)]
    platforms = {Path(d).stem.removeprefix("lib") for d in kept if "/platforms/" in d}
    need = {"linux": {"qoffscreen", "qxcb"}, "win32": {"qoffscreen", "qwindows"},
            "darwin": {"qoffscreen", "qcocoa"}}.get(sys.platform, {"qoffscreen"})
    assert need <= platforms
    assert not platforms - spec["QT_PLATFORMS_KEEP"]
    assert not [d for d in kept if re.search(r"/(egldeviceintegrations|wayland-[^/]*|tls|qmltooling)/", d)]
    assert any("/imageformats/" in d for d in kept)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="orphan pruning runs on Linux only")
def test_prune_orphans_drops_only_libraries_that_dropped_plugins_needed(plan):
    if not shutil.which("objdump"):
        pytest.importorskip("PyInstaller", reason="neither objdump nor PyInstaller is installed")
    pyside = Path(pytest.importorskip("PySide6").__file__).parent / "Qt"
    files = {"xcb": pyside / "plugins/platforms/libqxcb.so", "xcbqpa": pyside / "lib/libQt6XcbQpa.so.6",
             "eglfs": pyside / "plugins/platforms/libqeglfs.so",
             "eglfslib": pyside / "lib/libQt6EglFSDeviceIntegration.so.6", "core": pyside / "lib/libQt6Core.so.6"}
    if not all(p.is_file() for p in files.values()):
        pytest.skip("this PySide6 build lacks the xcb/eglfs plugins")

    def entry(key):
        return (files[key].relative_to(pyside.parent.parent).as_posix(), str(files[key]), "BINARY")

    kept, pruned = plan.prune_orphans([entry("xcb"), entry("xcbqpa"), entry("eglfslib"), entry("core")],
                                      [entry("eglfs")])
    assert [e[0] for e in pruned] == [entry("eglfslib")[0]]
    assert {e[0] for e in kept} == {entry(k)[0] for k in ("xcb", "xcbqpa", "core")}
    # A host library is removed, and so is what only it needed; what kept binaries need stays.
    kept, pruned = plan.prune_orphans([entry("xcb"), entry("xcbqpa"), entry("core")], [], ("libqt6xcbqpa",))
    assert {e[0] for e in pruned} == {entry("xcbqpa")[0]}


def test_links_to_removed_files_are_dropped(plan):
    datas = [("libQt6Network.so.6", "PySide6/Qt/lib/libQt6Network.so.6", "SYMLINK"),
             ("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK"),
             ("resources/pgx", "/src/resources/pgx/drugs.tsv", "DATA")]
    out = plan.drop_links_to(datas, {os.path.normpath("PySide6/Qt/lib/libQt6Network.so.6")})
    assert [d[0] for d in out] == ["libQt6Core.so.6", "resources/pgx"]


def _sample_bundle(tmp_path: Path) -> Path:
    b = tmp_path / "src" / "workstation"
    (b / "_internal" / "resources").mkdir(parents=True)
    (b / "workstation").write_bytes(b"\x7fELF pretend executable")
    (b / "workstation").chmod(0o755)
    (b / "_internal" / "resources" / "drugs.tsv").write_text("gene\tdrug\nCYP2C19\tclopidogrel\n")
    return b


@pytest.mark.parametrize("suffix", [".tar.gz", ".zip"])
def test_archive_is_reproducible_and_checksum_verifies(plan, tmp_path, suffix):
    bundle = _sample_bundle(tmp_path)
    a1 = plan.write_archive(bundle, tmp_path / "one" / f"ws{suffix}", epoch=1_700_000_000)
    os.utime(bundle / "_internal" / "resources" / "drugs.tsv", (1_000_000_000, 1_000_000_000))  # touch a file
    a2 = plan.write_archive(bundle, tmp_path / "two" / f"ws{suffix}", epoch=1_700_000_000)
    assert a1.read_bytes() == a2.read_bytes()
    checksum, digest = plan.write_checksum(a1)
    assert checksum.name == f"ws{suffix}.sha256"
    assert checksum.read_text("ascii") == f"{hashlib.sha256(a1.read_bytes()).hexdigest()}  ws{suffix}\n"
    assert digest == hashlib.sha256(a1.read_bytes()).hexdigest()
    out = tmp_path / "unpacked"
    if suffix == ".zip":
        with zipfile.ZipFile(a1) as zf:
            zf.extractall(out)
            mode = zf.getinfo("workstation/workstation").external_attr >> 16
    else:
        with tarfile.open(a1) as tf:
            tf.extractall(out, filter="tar")
            mode = tf.getmember("workstation/workstation").mode
    assert mode & 0o111, "the executable lost its executable bit"
    assert (out / "workstation" / "_internal" / "resources" / "drugs.tsv").read_text().startswith("gene\tdrug")


def test_bundle_size_counts_files_not_links(plan, tmp_path):
    bundle = _sample_bundle(tmp_path)
    files, size = plan.bundle_size(bundle)
    assert files == 2 and size == sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file())
    if hasattr(os, "symlink") and sys.platform != "win32":
        (bundle / "link.tsv").symlink_to(bundle / "_internal" / "resources" / "drugs.tsv")
        assert plan.bundle_size(bundle) == (files, size)


def test_archive_name_and_platform_tag(plan):
    tag = plan.platform_tag()
    assert re.fullmatch(r"(linux|windows|macos)-[a-z0-9_]+", tag)
    assert plan.version() == __import__("workstation").__version__
    assert plan.executable_path(Path("dist/workstation")).name in ("workstation", "workstation.exe")


def test_the_build_refuses_an_environment_that_differs_from_the_lock(spec, tmp_path):
    """packaging/build.py checks every installed package against constraints.txt before PyInstaller runs."""
    import importlib.util

    mod_spec = importlib.util.spec_from_file_location("ws_build", ROOT / "packaging" / "build.py")
    build = importlib.util.module_from_spec(mod_spec)
    sys.modules["ws_build"] = build          # dataclasses look their module up while the file runs
    try:
        mod_spec.loader.exec_module(build)
    finally:
        del sys.modules["ws_build"]
    from importlib import metadata

    pytest_version = metadata.version("pytest")
    good = tmp_path / "good.txt"
    good.write_text(f"pytest=={pytest_version}\n    # via a comment\nnot-installed-anywhere==1.0\n"
                    "pytest==0.0.1 ; sys_platform == 'no-such-platform'\n", encoding="utf-8")
    assert build.lock_mismatches(good) == []
    bad = tmp_path / "bad.txt"
    bad.write_text("pytest==0.0.1\n", encoding="utf-8")
    assert build.lock_mismatches(bad) == [f"pytest is {pytest_version}, the lock says 0.0.1"]
    # the environment CI and this test run in was installed from the project's own lock
    assert build.lock_mismatches() == [], "this environment was not installed from constraints.txt"

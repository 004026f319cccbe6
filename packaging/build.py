"""Build the one-folder workstation application: ``python packaging/build.py``.

Runs PyInstaller on ``packaging/workstation.spec`` (output ``dist/workstation/`` with the executable ``workstation``,
``workstation.exe`` on Windows), prints the bundle size, writes a reproducible archive
``dist/workstation-<version>-<platform>.tar.gz`` (``.zip`` on Windows) with its SHA-256 file beside it, and runs the
frozen ``workstation --self-test`` (with ``QT_QPA_PLATFORM=offscreen``). Exit 0 only if every step passed.

Offline: nothing is downloaded (PyInstaller comes from ``pip install -c constraints.txt -e ".[package]"``). The build
refuses to start when an installed package differs from the lock (``constraints.txt``), so the packaged app carries
the versions CI tested (``--unlocked`` overrides, for experiments only). The same file also holds the
helpers the spec calls (which files ship, which Qt plugins and orphaned libraries are dropped), so that the rules
live in one place and tests/packaging can check them without running PyInstaller.
"""
from __future__ import annotations

import argparse
import fnmatch
import gzip
import hashlib
import os
import platform
import re
import shutil
import stat
import subprocess
import sys
import tarfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "workstation.spec"
APP_NAME = "workstation"
# Fixed timestamp for archive members (1980-01-01, the earliest a zip can hold) unless SOURCE_DATE_EPOCH is set.
DEFAULT_EPOCH = 315532800

# --- what ships (called by the spec) -------------------------------------------------------------------------------
SKIP_DIRS = {"build", "__pycache__", ".pytest_cache"}  # build-time scripts and caches never ship
SKIP_SUFFIXES = {".py", ".pyc", ".pyo"}


def tree_datas(tops: list[str], root: Path = ROOT) -> list[tuple[str, str]]:
    """(source file, destination folder) for every shipped file under root/<top>, sorted for reproducible builds.

    Skips ``build/`` folders (e.g. models_onnx/build: the scripts that produce the models), caches, hidden files and
    Python sources: the bundle carries data only; code is frozen by PyInstaller's analysis.
    """
    out = []
    for top in tops:
        for dirpath, dirnames, filenames in os.walk(root / top):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
            for name in sorted(filenames):
                if Path(name).suffix in SKIP_SUFFIXES or name.startswith("."):
                    continue
                src = Path(dirpath) / name
                out.append((str(src), src.parent.relative_to(root).as_posix()))
    return out


def httpfs_data() -> list[tuple[str, str]]:
    """The DuckDB httpfs extension, placed where workstation.store.connect looks for it inside a bundle."""
    from workstation.store.connect import httpfs_extension_path

    ext = httpfs_extension_path()
    if not ext.is_file():
        raise SystemExit(f"The DuckDB httpfs extension is missing ({ext}): pip install duckdb-extension-httpfs")
    return [(str(ext), f"duckdb_extension_httpfs/extensions/{ext.parent.name}")]


def package_modules(package: str, root: Path = ROOT) -> list[str]:
    """Every module of one of our packages (commands and views are imported by name, so analysis cannot see them)."""
    mods = []
    for dirpath, dirnames, filenames in os.walk(root / package):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        rel = Path(dirpath).relative_to(root).parts
        for name in sorted(filenames):
            if name.endswith(".py"):
                stem = name[:-3]
                mods.append(".".join(rel if stem == "__init__" else (*rel, stem)))
    return mods


def qt_plugin_kept(dest: str, *, platforms_keep: set[str], categories_drop: set[str], files_drop: set[str]) -> bool:
    """False for a Qt plugin the spec drops (dest is the file's path inside the bundle); True for everything else.

    ``categories_drop`` holds plugin folder names or patterns (``wayland-*``); ``files_drop`` plugin names without
    ``lib`` prefix and suffix; ``platforms_keep`` the platform plugins to keep."""
    parts = Path(dest).parts
    if "plugins" not in parts or len(parts) < parts.index("plugins") + 3:
        return True
    category = parts[parts.index("plugins") + 1]
    stem = Path(parts[-1]).stem
    stem = stem[3:] if stem.startswith("lib") else stem
    if any(fnmatch.fnmatch(category, pattern) for pattern in categories_drop) or stem in files_drop:
        return False
    return category != "platforms" or stem in platforms_keep


def under_any(dest: str, folders: list[str]) -> bool:
    d = Path(dest).as_posix()
    return any(d == f or d.startswith(f.rstrip("/") + "/") for f in folders)


def prune_orphans(binaries: list, dropped: list, host_libs: tuple[str, ...] = ()) -> tuple[list, list]:
    """Drop libraries that were in the bundle only because a dropped plugin (or a host library) needed them.

    A library nobody in the original bundle links to is a root (extension modules, plugins, anything loaded with
    dlopen/ctypes); it is always kept. A library some binary links to is kept only if a kept root still reaches it.
    ``host_libs`` (file-name prefixes such as ``libcups.so``) are taken from the user's system instead of the bundle:
    they are removed and their own dependencies are not followed. Uses PyInstaller's dependency reader (ldd on
    Linux). Returns (kept, pruned).
    """
    def key(name: str) -> str:
        return os.path.basename(name).lower()

    entries = [e for e in binaries + dropped if e[2] != "SYMLINK"]
    needs = {e[0]: {key(n) for n in direct_imports(e[1])} for e in entries}
    needed_anywhere = set().union(*needs.values()) if needs else set()
    by_name: dict[str, list[str]] = {}
    for e in entries:
        by_name.setdefault(key(e[0]), []).append(e[0])
    dropped_dest = {e[0] for e in dropped} | {e[0] for e in entries if key(e[0]).startswith(tuple(host_libs))}
    todo = [e[0] for e in entries if key(e[0]) not in needed_anywhere and e[0] not in dropped_dest]
    reached = set(todo)
    while todo:
        for name in needs.get(todo.pop(), ()):
            for dest in by_name.get(name, ()):
                if dest not in reached and dest not in dropped_dest:
                    reached.add(dest)
                    todo.append(dest)
    kept = [e for e in binaries if e[2] == "SYMLINK" or e[0] in reached]
    return kept, [e for e in binaries if e not in kept]


def direct_imports(path: str) -> list[str]:
    """The libraries a binary links to directly (ELF DT_NEEDED via ``objdump -p``); PyInstaller's reader (ldd, which
    lists indirect ones too) where objdump is missing. Indirect entries only make pruning keep more, never less."""
    objdump = shutil.which("objdump")
    if objdump and sys.platform.startswith("linux"):
        out = subprocess.run([objdump, "-p", path], capture_output=True, text=True).stdout
        return re.findall(r"^\s*NEEDED\s+(\S+)", out, re.M)
    from PyInstaller.depend.bindepend import get_imports

    return [name for name, _ in get_imports(path)]


def drop_links_to(entries: list, removed: set[str]) -> list:
    """Remove SYMLINK entries (PyInstaller lists them with the data) whose target file is no longer collected."""
    def target(e) -> str:
        return os.path.normpath(os.path.join(os.path.dirname(e[0]), e[1]))

    return [e for e in entries if e[2] != "SYMLINK" or target(e) not in removed]


def strip_debug_copies(binaries: list, workdir: Path) -> list:
    """Linux: the Python interpreter's own libraries (libpython, lib-dynload) often ship with debug info (pyenv,
    source builds). Replace them by copies with only the debug sections removed (``strip --strip-debug``). Wheels
    from site-packages are left byte-for-byte alone: they are stripped upstream, and auditwheel-patched libraries
    (``numpy.libs``) or the signed DuckDB extension break when stripped. Without a ``strip`` tool nothing changes."""
    tool = shutil.which("strip")
    if not tool or not sys.platform.startswith("linux"):
        return binaries
    out = []
    for dest, src, typecode in binaries:
        real = os.path.realpath(src)
        if typecode in ("BINARY", "EXTENSION") and _interpreter_binary(real):
            copy = workdir / "strip-debug" / dest
            copy.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run([tool, "--strip-debug", "-o", str(copy), real], check=True)
            src = str(copy)
        out.append((dest, src, typecode))
    return out


def _interpreter_binary(path: str) -> bool:
    """libpython or a standard-library extension module of the running interpreter (not a site-packages wheel)."""
    p = Path(path)
    if re.search(r"(site|dist)-packages", path):
        return False
    return p.name.startswith("libpython") or p.parent.name == "lib-dynload"


# --- after the build: size, archive, checksum, self-test -----------------------------------------------------------

@dataclass
class BuildResult:
    bundle: Path
    executable: Path
    files: int
    unpacked_bytes: int
    archive: Path | None = None
    archive_bytes: int = 0
    sha256: str = ""
    build_seconds: float = 0.0
    selftest_rc: int | None = None


def version() -> str:
    text = (ROOT / "workstation" / "__init__.py").read_text("utf-8")
    return re.search(r'^__version__\s*=\s*"([^"]+)"', text, re.M).group(1)


def platform_tag() -> str:
    system = {"win32": "windows", "darwin": "macos"}.get(sys.platform, "linux")
    machine = platform.machine().lower() or "unknown"
    return f"{system}-{ {'amd64': 'x86_64', 'aarch64': 'arm64'}.get(machine, machine)}"


def executable_path(bundle: Path) -> Path:
    return bundle / (APP_NAME + (".exe" if sys.platform == "win32" else ""))


def bundle_size(bundle: Path) -> tuple[int, int]:
    """(number of files, total bytes) of regular files in the bundle; symlinks count as nothing."""
    files = total = 0
    for p in bundle.rglob("*"):
        if p.is_file() and not p.is_symlink():
            files += 1
            total += p.stat().st_size
    return files, total


def _members(bundle: Path) -> list[Path]:
    return sorted(bundle.rglob("*"), key=lambda p: p.relative_to(bundle.parent).as_posix())


def write_archive(bundle: Path, archive: Path, *, epoch: int | None = None) -> Path:
    """A reproducible .tar.gz or .zip of the bundle folder: sorted entries, fixed times, no owner names."""
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", DEFAULT_EPOCH)) if epoch is None else epoch
    epoch = max(epoch, DEFAULT_EPOCH)
    archive.parent.mkdir(parents=True, exist_ok=True)
    if archive.name.endswith(".zip"):
        stamp = time.gmtime(epoch)[:6]
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            for p in _members(bundle):
                name = p.relative_to(bundle.parent).as_posix() + ("/" if p.is_dir() else "")
                info = zipfile.ZipInfo(name, stamp)
                info.external_attr = ((0o755 if p.is_dir() or os.access(p, os.X_OK) else 0o644)
                                      | (stat.S_IFDIR if p.is_dir() else stat.S_IFREG)) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, b"" if p.is_dir() else p.read_bytes())
        return archive

    def clean(ti: tarfile.TarInfo) -> tarfile.TarInfo:
        ti.uid = ti.gid = 0
        ti.uname = ti.gname = ""
        ti.mtime = epoch
        if not ti.issym():
            ti.mode = 0o755 if ti.isdir() or ti.mode & 0o111 else 0o644
        return ti

    with open(archive, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0,
                                                    compresslevel=6) as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for p in _members(bundle):
            tf.add(p, arcname=p.relative_to(bundle.parent).as_posix(), recursive=False, filter=clean)
    return archive


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_checksum(archive: Path) -> tuple[Path, str]:
    """``<archive>.sha256`` in the format ``sha256sum -c`` and ``shasum -a 256 -c`` read."""
    digest = sha256_file(archive)
    out = archive.with_name(archive.name + ".sha256")
    out.write_text(f"{digest}  {archive.name}\n", encoding="ascii")
    return out, digest


def run_self_test(executable: Path, *, timeout: float = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    return subprocess.run([str(executable), "--self-test"], env=env, capture_output=True, text=True,
                          timeout=timeout)


SEED_TOOLS = {"pip", "setuptools", "wheel"}


def lock_mismatches(constraints: Path = ROOT / "constraints.txt") -> list[str]:
    """Installed distributions whose version differs from the lock, as sentences (empty: the environment matches).

    Only pins whose environment marker applies to this interpreter count; packages of extras that are not installed
    (e.g. the bench extra) are not required. pip and setuptools are left out: ``python -m venv`` seeds its own copies,
    which only the build backend uses (the lock pins setuptools because PyInstaller asks for it)."""
    from importlib import metadata

    from packaging.markers import Marker
    from packaging.utils import canonicalize_name

    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()
                 if d.metadata["Name"]}
    out = []
    for line in constraints.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or "==" not in line:
            continue
        spec, _, marker = line.partition(";")
        name, _, want = spec.strip().partition("==")
        if marker.strip() and not Marker(marker.strip()).evaluate():
            continue
        if canonicalize_name(name) in SEED_TOOLS:
            continue
        have = installed.get(canonicalize_name(name))
        if have is not None and have != want.strip():
            out.append(f"{name.strip()} is {have}, the lock says {want.strip()}")
    return out


def run_pyinstaller(dist: Path, work: Path) -> float:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        raise SystemExit('PyInstaller is not installed: python -m pip install -e ".[package]"') from None
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "PyInstaller", str(SPEC), "--noconfirm", "--clean", "--log-level",
                           "WARN", "--distpath", str(dist), "--workpath", str(work)], cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"PyInstaller failed (exit {proc.returncode}); its messages are above.")
    return time.perf_counter() - t0


def build(*, dist: Path, work: Path, self_test: bool = True, archive: bool = True) -> BuildResult:
    """Build, measure, archive, checksum and self-test; prints each step in plain sentences."""
    import PyInstaller

    print(f"Building workstation {version()} for {platform_tag()} with PyInstaller {PyInstaller.__version__} "
          f"(Python {platform.python_version()})…", flush=True)
    seconds = run_pyinstaller(dist, work)
    bundle = dist / APP_NAME
    files, size = bundle_size(bundle)
    res = BuildResult(bundle=bundle, executable=executable_path(bundle), files=files, unpacked_bytes=size,
                      build_seconds=seconds)
    print(f"Bundle: {bundle} ({files} files, {size / 1e6:.1f} MB = {size / 2**20:.1f} MiB unpacked), "
          f"built in {seconds:.0f} s.")
    if archive:
        suffix = ".zip" if sys.platform == "win32" else ".tar.gz"
        res.archive = write_archive(bundle, dist / f"{APP_NAME}-{version()}-{platform_tag()}{suffix}")
        res.archive_bytes = res.archive.stat().st_size
        checksum, res.sha256 = write_checksum(res.archive)
        print(f"Archive: {res.archive} ({res.archive_bytes / 1e6:.1f} MB); SHA-256 {res.sha256} written to "
              f"{checksum.name}.")
    if self_test:
        proc = run_self_test(res.executable)
        res.selftest_rc = proc.returncode
        print(proc.stdout.rstrip())
        if proc.returncode != 0:
            print(proc.stderr.rstrip()[-4000:], file=sys.stderr)
            print("The packaged self-test FAILED: do not ship this build.", file=sys.stderr)
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder (default: dist/)")
    ap.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller",
                    help="PyInstaller's work folder (default: build/pyinstaller)")
    ap.add_argument("--no-self-test", action="store_true", help="do not run the frozen --self-test")
    ap.add_argument("--no-archive", action="store_true", help="do not write the archive and checksum")
    ap.add_argument("--unlocked", action="store_true",
                    help="build even if installed packages differ from constraints.txt (never for a release)")
    args = ap.parse_args(argv)
    wrong = lock_mismatches()
    if wrong and not args.unlocked:
        print("This environment differs from the lock (constraints.txt): " + "; ".join(wrong) + ". Install with "
              '`python -m pip install -c constraints.txt -e ".[package]"` in a fresh virtual environment.',
              file=sys.stderr)
        return 2
    res = build(dist=args.dist.resolve(), work=args.work.resolve(), self_test=not args.no_self_test,
                archive=not args.no_archive)
    return 0 if res.selftest_rc in (None, 0) else 1


if __name__ == "__main__":
    sys.exit(main())

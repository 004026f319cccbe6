"""Benchmark the packaged application: size, build time, cold start of the CLI, the self-test and the window.

    python bench/bench_package.py [--build N] [--runs 5] [--drop-caches]

* size: dist/workstation unpacked (regular files) and the compressed archive beside it;
* build time (with ``--build N``): N clean PyInstaller builds of packaging/workstation.spec (archive excluded);
* start-up, each a fresh process, median of ``--runs``: ``workstation --version`` (bootloader + Python + CLI),
  ``workstation --self-test`` (crypto, models, Qt, PDF), and the window: the packaged ``workstation demo`` on a demo
  store (built first with ``workstation demo --no-window``) under QT_QPA_PLATFORM=offscreen, timed from launch to
  Qt's own log of the first paint of the main window (``qt.widgets.painting`` "Painting and flushing dirty top
  level"), and to "settled": the last paint before 1.5 s without one (store unlocked in the background, patient list
  and first views drawn; the blinking text cursor and a busy progress bar do not count). The app needs no hook:
  the timing comes from Qt's logging categories.
* ``--drop-caches`` (Linux, root): empties the page cache before every run, so each start is a true cold start
  (files read from disk). Without it the runs after the first are warm.

Linux/macOS only (uses ``selectors`` on the process's stderr). Prints numbers; asserts nothing.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import re
import selectors
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAINT = "Painting and flushing dirty top level"
# Repaints that go on forever and say nothing about readiness: the text cursor blinking, a busy progress bar.
BLINK = re.compile(r"dirty widgets QList\((QLineEdit|QProgressBar)\(0x[0-9a-f]+[^)]*\)\)\s*$")


def load_plan():
    spec = importlib.util.spec_from_file_location("workstation_packaging", ROOT / "packaging" / "build.py")
    mod = sys.modules["workstation_packaging"] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def drop_caches() -> bool:
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("1\n")
        return True
    except OSError:
        return False


def timed_run(cmd: list[str], env: dict, *, cold: bool) -> float:
    if cold:
        drop_caches()
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    dt = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return dt


def window_run(exe: Path, env: dict, *, cold: bool, quiet: float = 1.5, limit: float = 30.0) -> tuple[float, float]:
    """(seconds to the first main-window paint, seconds to the last paint before `quiet` s without painting)."""
    if cold:
        drop_caches()
    env = dict(env, QT_LOGGING_RULES="qt.widgets.painting=true", QT_MESSAGE_PATTERN="%{category} %{message}")
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(exe), "demo"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sel = selectors.DefaultSelector()
    sel.register(proc.stderr, selectors.EVENT_READ)
    first = last = None
    buf = b""
    try:
        while True:
            now = time.perf_counter() - t0
            deadline = limit if last is None else min(limit, last + quiet)
            if now >= deadline or not sel.select(timeout=deadline - now):
                break  # no significant paint for `quiet` seconds: settled
            chunk = os.read(proc.stderr.fileno(), 1 << 16)
            if not chunk:
                break
            now = time.perf_counter() - t0
            buf += chunk
            *lines, buf = buf.split(b"\n")
            painted = [ln for ln in lines if PAINT.encode() in ln]
            if painted and first is None:
                first = now  # the main window is the demo's only top-level window
            if any(not BLINK.search(ln.decode(errors="replace")) for ln in painted):
                last = now
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        sel.close()
    if first is None:
        raise SystemExit("the packaged window never painted (is the build current? try `workstation demo` by hand)")
    return first, last


def med(xs: list[float]) -> str:
    return f"{statistics.median(xs):.3f} s (min {min(xs):.3f}, max {max(xs):.3f}, n={len(xs)})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="benchmark the packaged workstation")
    ap.add_argument("--build", type=int, default=0, metavar="N", help="time N clean builds first (default 0)")
    ap.add_argument("--runs", type=int, default=5, help="runs per start-up measurement (default 5)")
    ap.add_argument("--drop-caches", action="store_true", help="cold starts: empty the page cache before each run")
    args = ap.parse_args(argv)
    plan = load_plan()
    dist = ROOT / "dist"
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    if args.build:
        times = []
        with tempfile.TemporaryDirectory(prefix="ws-bench-build-") as work:
            for _ in range(args.build):
                times.append(plan.run_pyinstaller(dist, Path(work)))
        print(f"build time (clean PyInstaller build): {med(times)}")
        archive = plan.write_archive(plan.executable_path(dist / "workstation").parent,
                                     dist / f"workstation-{plan.version()}-{plan.platform_tag()}.tar.gz")
        plan.write_checksum(archive)
    bundle = dist / "workstation"
    exe = plan.executable_path(bundle)
    if not exe.is_file():
        raise SystemExit("no bundle in dist/: run python packaging/build.py (or pass --build 1)")
    files, size = plan.bundle_size(bundle)
    print(f"bundle unpacked: {size / 1e6:.1f} MB ({size / 2**20:.1f} MiB), {files} files")
    for archive in sorted(dist.glob(f"workstation-{plan.version()}-{plan.platform_tag()}.*")):
        if not archive.name.endswith(".sha256"):
            print(f"archive {archive.name}: {archive.stat().st_size / 1e6:.1f} MB")
    cold = args.drop_caches and drop_caches()
    if args.drop_caches and not cold:
        print("(could not drop the page cache: not root or not Linux; runs after the first are warm)")
    print(f"start-up runs are {'cold (page cache dropped before each)' if cold else 'warm after the first'}")
    with tempfile.TemporaryDirectory(prefix="ws-bench-home-") as home:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", WORKSTATION_HOME=home, WORKSTATION_NO_KEYRING="1")
        version = [timed_run([str(exe), "--version"], env, cold=cold) for _ in range(args.runs)]
        print(f"packaged `workstation --version`: {med(version)}")
        selftest = [timed_run([str(exe), "--self-test"], env, cold=cold) for _ in range(args.runs)]
        print(f"packaged `workstation --self-test`: {med(selftest)}")
        t0 = time.perf_counter()
        timed_run([str(exe), "demo", "--no-window"], env, cold=False)
        print(f"packaged `workstation demo --no-window` (builds the 24-patient demo store once): "
              f"{time.perf_counter() - t0:.1f} s")
        firsts, settled = [], []
        for _ in range(args.runs):
            f, s = window_run(exe, env, cold=cold)
            firsts.append(f)
            settled.append(s)
        print(f"packaged `workstation demo`, launch to first main-window paint: {med(firsts)}")
        print(f"packaged `workstation demo`, launch to settled window (store unlocked, views drawn): {med(settled)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The pre-Qt check: a plain sentence (and exit code 3) instead of Qt's abort when the window cannot open."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from ui import display_check

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the X11 check applies to Linux only")


@linux_only
def test_no_display_is_named():
    text = display_check.problem({"PATH": "/usr/bin"})
    assert text and "no desktop display" in text and "DISPLAY" in text


@linux_only
def test_other_platforms_and_wayland_are_left_to_qt():
    assert display_check.problem({"QT_QPA_PLATFORM": "offscreen"}) is None
    assert display_check.problem({"QT_QPA_PLATFORM": "wayland;xcb"}) is None
    assert display_check.problem({"WAYLAND_DISPLAY": "wayland-0"}) is None


def test_debian_package_names():
    assert display_check._debian_package("libxcb-icccm.so.4") == "libxcb-icccm4"
    assert display_check._debian_package("libxkbcommon-x11.so.0") == "libxkbcommon-x11-0"
    assert display_check._debian_package("libX11-xcb.so.1") == "libx11-xcb1"
    assert display_check._debian_package("libxcb-cursor.so.0") == "libxcb-cursor0"


@linux_only
@pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler to build a library with a missing dependency")
def test_missing_system_library_is_named(tmp_path, monkeypatch):
    """A real library whose dependency is absent: the loader's own failure names it, and so does the sentence."""
    (tmp_path / "dep.c").write_text("int dep(void) { return 1; }\n")
    (tmp_path / "main.c").write_text("int dep(void);\nint use(void) { return dep(); }\n")
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(tmp_path / "libwsabsent.so.7"), str(tmp_path / "dep.c"),
                    "-Wl,-soname,libwsabsent.so.7"], check=True)
    os.symlink("libwsabsent.so.7", tmp_path / "libwsabsent.so")
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(tmp_path / "libneeds.so"), str(tmp_path / "main.c"),
                    f"-L{tmp_path}", "-Wl,--no-as-needed", "-lwsabsent"], check=True)
    (tmp_path / "libwsabsent.so.7").unlink()
    monkeypatch.setattr(display_check, "xcb_library", lambda: tmp_path / "libneeds.so")
    text = display_check.problem({"DISPLAY": ":0"})
    assert text and "libwsabsent.so.7" in text and "libwsabsent7" in text


@linux_only
def test_gui_without_display_exits_with_a_sentence(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["WORKSTATION_HOME"] = str(tmp_path)
    r = subprocess.run([sys.executable, "-m", "ui.launcher", "gui"], env=env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 3
    assert "no desktop display" in r.stderr and "Traceback" not in r.stderr

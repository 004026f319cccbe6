"""Before Qt starts on Linux: can the window open at all? A plain sentence instead of Qt's abort.

When Qt's X11 platform plugin cannot load, Qt prints a misleading hint ("xcb-cursor0 ... is needed") and aborts the
process. This check runs first: with no display it says so; otherwise it loads Qt's X11 support library the way
the plugin would, and names the system library that is missing (the loader's own word for it) and the Debian /
Ubuntu package that usually provides it. It costs one ``dlopen`` of a library Qt loads anyway.
"""
from __future__ import annotations

import ctypes
import os
import re
import sys
from pathlib import Path

from workstation.errors import WorkstationError


class NoWindowSystem(WorkstationError):
    exit_code = 3


def _platform(env) -> str:
    """The Qt platform plugin that will be tried first ('' = Qt's choice)."""
    return re.split(r"[;:]", env.get("QT_QPA_PLATFORM", ""))[0].strip()


def _debian_package(soname: str) -> str:
    """'libxcb-icccm.so.4' -> 'libxcb-icccm4'; 'libxkbcommon-x11.so.0' -> 'libxkbcommon-x11-0' (Debian naming)."""
    base, _, ver = soname.partition(".so.")
    base = base.lower()
    return f"{base}{'-' if base[-1:].isdigit() else ''}{ver.split('.')[0]}" if ver else base


def xcb_library() -> Path | None:
    """Qt's X11 support library inside the installed (or packaged) PySide6, or None where it has none."""
    try:
        import PySide6
    except ImportError:
        return None
    lib = Path(PySide6.__file__).resolve().parent / "Qt" / "lib" / "libQt6XcbQpa.so.6"
    return lib if lib.exists() else None


def _bundled(soname: str) -> bool:
    root = getattr(sys, "_MEIPASS", None)
    return bool(root) and next(Path(root).rglob(soname), None) is not None


def problem(env: dict[str, str] | None = None) -> str | None:
    """A sentence saying why the window cannot open here, or None when nothing stands in the way (or the check
    does not apply: not Linux, another Qt platform chosen, a Wayland session)."""
    env = os.environ if env is None else env
    if not sys.platform.startswith("linux"):
        return None
    plat = _platform(env)
    if plat and plat != "xcb":
        return None
    if not plat and env.get("WAYLAND_DISPLAY"):
        return None
    if not env.get("DISPLAY"):
        return ("The window cannot open: no desktop display was found (DISPLAY is not set). Start it from a "
                "desktop session; every other command (see workstation --help) works without one.")
    lib = xcb_library()
    if lib is None:
        return None
    try:
        ctypes.CDLL(str(lib))
    except OSError as exc:
        m = re.search(r"([\w.+-]+\.so[.\d]*): cannot open shared object file", str(exc))
        if not m:
            return f"The window cannot open: Qt's X11 support does not load on this computer ({exc})."
        so = m.group(1)
        if _bundled(so):      # a packaged app carries it: the loader's path differs from Qt's, let Qt try
            return None
        return (f"The window cannot open: the system library {so}, which Qt needs to draw on an X11 desktop, is "
                f"not installed (on Debian or Ubuntu usually the package {_debian_package(so)}; docs/INSTALL.md "
                "lists them all). Every other command works without it.")
    return None


def require_window_system() -> None:
    """Raise :class:`NoWindowSystem` (printed by the CLI as one sentence) when the window cannot open."""
    text = problem()
    if text:
        raise NoWindowSystem(text)

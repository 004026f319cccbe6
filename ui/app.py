"""Start the window: QApplication, theme, pyqtgraph options, then the unlock dialog and the main window."""
from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from ui import theme
from ui.settings_store import Preferences

log = logging.getLogger(__name__)
_pg_configured = False


def ensure_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(argv if argv is not None else sys.argv[:1])
        app.setApplicationName("Precision Workstation")
        app.setOrganizationName("PrecisionWorkstation")
    return app  # type: ignore[return-value]


def configure(app: QApplication, prefs: Preferences) -> theme.Tokens:
    """Theme the app from the preference and set pyqtgraph's global options (once per process)."""
    global _pg_configured
    tokens = theme.resolve(prefs.get("appearance/theme"))
    theme.set_current(tokens)
    theme.apply(app, tokens)
    import pyqtgraph as pg

    if not _pg_configured:
        pg.setConfigOptions(antialias=True, background=tokens.plot_bg, foreground=tokens.plot_fg,
                            imageAxisOrder="row-major")
        _pg_configured = True
    else:
        pg.setConfigOptions(background=tokens.plot_bg, foreground=tokens.plot_fg)
    return tokens


def run_gui(args=None, store_path: Path | str | None = None, passphrase: str | None = None) -> int:
    """Open the window. With ``passphrase`` (the demo) the store opens without asking; else the unlock dialog."""
    from workstation import paths

    from ui.display_check import require_window_system
    from ui.main_window import MainWindow
    from ui.runner import Runner
    from ui.session import Session

    require_window_system()          # one sentence instead of Qt's abort when the window cannot open here
    app = ensure_app()
    prefs = Preferences()
    configure(app, prefs)
    db = getattr(args, "db", None) if args is not None else None
    path = Path(store_path or db or prefs.get("store/last_path") or paths.default_db_path())
    runner = Runner()
    session = Session(runner)
    win = MainWindow(session, prefs, store_path=path)
    win.show()
    if passphrase is not None:
        session.unlock(path, passphrase=passphrase, use_keyring=False, on_error=win.show_error)
    else:
        env = getattr(args, "passphrase_env", None) if args is not None else None
        import os

        if env and os.environ.get(env):
            session.unlock(path, passphrase=os.environ[env], use_keyring=False, on_error=win.show_error)
        else:
            win.ask_unlock()
    rc = app.exec()
    runner.shutdown()
    return int(rc)

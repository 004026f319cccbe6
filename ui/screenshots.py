"""``python -m ui.screenshots OUTDIR``: a PNG of every screen at 1600×1000, on a fresh synthetic store.

Screens: the unlock dialog, then the main window with the first full patient open, once per registered view.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QTimer

W, H = 1600, 1000


def main(argv: list[str] | None = None) -> int:
    from ui.app import configure, ensure_app
    from ui.main_window import MainWindow
    from ui.views._preview import Harness

    args = sys.argv[1:] if argv is None else argv
    if not args:
        print("usage: python -m ui.screenshots OUTDIR", file=sys.stderr)
        return 2
    out = Path(args[0])
    out.mkdir(parents=True, exist_ok=True)
    app = ensure_app()
    with tempfile.TemporaryDirectory(prefix="ws-shots-") as d:
        h = Harness(Path(d), wear_days=120)
        configure(app, h.prefs)
        win = MainWindow(h.session, h.prefs, store_path=h.path)
        win.resize(W, H)
        win.show()
        dlg = win.ask_unlock()
        pending = set(win.views)
        saved: list[str] = []

        def shoot_unlock() -> None:
            dlg.grab().save(str(out / "00_unlock.png"))
            saved.append("00_unlock.png")
            dlg.passphrase.setText("synthetic-demo-passphrase")
            dlg.ok.click()

        def on_loaded(view_id: str) -> None:
            pending.discard(view_id)
            if not pending:
                QTimer.singleShot(50, shoot_views)

        def shoot_views() -> None:
            for i, vid in enumerate(win.views):
                win.tabs.setCurrentIndex(i)
                win.grab().save(str(out / f"{i + 1:02d}_{vid}.png"))
                saved.append(f"{i + 1:02d}_{vid}.png")
            app.quit()

        for vid, view in win.views.items():
            view.loaded.connect(lambda v=vid: on_loaded(v))
        h.session.patients_loaded.connect(lambda df: win.patients.select(str(df["id"].iloc[0])))
        QTimer.singleShot(100, shoot_unlock)
        rc = app.exec()
        win.close()
        h.close()
    print("\n".join(str(out / s) for s in saved))
    return int(rc)


if __name__ == "__main__":
    raise SystemExit(main())

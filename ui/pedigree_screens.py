"""``python -m ui.pedigree_screens OUTDIR``: a 1600×1000 PNG of each demo family's pedigree, light and dark.

Builds the synthetic demo store (three patients: the BRCA2, Lynch and unremarkable families, imported from their
CanRisk and FHIR files through the importers) in a temporary folder, opens the Family view for each and saves
``pedigree-<family>-<theme>.png`` after the view's ``loaded`` signal. Prints one line per PNG; exit code 0 when
all six were saved.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QTimer

FAMILIES = {"demo-0001": "brca2", "demo-0002": "lynch", "demo-0003": "no-significant-history"}
PASSPHRASE = "synthetic-demo-passphrase"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    args = ap.parse_args(argv)
    from ui import theme
    from ui.app import ensure_app
    from ui.runner import Runner
    from ui.session import Session
    from ui.settings_store import ephemeral
    from ui.views.family_view import FamilyView
    from workstation import vault
    from workstation.demo import build_demo_store

    app = ensure_app()
    args.out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="ws-pedigree-") as d:
        path = Path(d) / "demo.duckdb"
        build_demo_store(path, PASSPHRASE, n_patients=3, kdf=vault.FAST_KDF).close()
        runner = Runner()
        session = Session(runner)
        prefs = ephemeral()
        steps = [(pid, name, tokens) for tokens in (theme.LIGHT, theme.DARK) for pid, name in FAMILIES.items()]
        view_box: dict = {}

        def next_step() -> None:
            if not steps:
                app.quit()
                return
            pid, name, tokens = steps[0]
            theme.set_current(tokens)
            theme.apply(app, tokens)
            old = view_box.pop("view", None)
            if old is not None:
                old.close()
                old.deleteLater()
            view = FamilyView(session, prefs)
            view.resize(1600, 1000)
            view.show()
            view_box["view"] = view
            view.loaded.connect(lambda: QTimer.singleShot(50, shoot))
            session.open_patient(pid)

        def shoot() -> None:
            pid, name, tokens = steps.pop(0)
            out = args.out / f"pedigree-{name}-{tokens.name}.png"
            view_box["view"].grab().save(str(out))
            saved.append(out)
            print(out, flush=True)
            QTimer.singleShot(0, next_step)

        session.patients_loaded.connect(lambda _df: QTimer.singleShot(0, next_step) if not saved else None)
        runner.error.connect(lambda text: (print(f"error: {text}", file=sys.stderr), app.exit(1)))
        session.unlock(path, passphrase=PASSPHRASE, use_keyring=False)
        app.exec()
        if "view" in view_box:
            view_box["view"].close()
        session.lock()
        runner.shutdown()
    return 0 if len(saved) == 2 * len(FAMILIES) else 1


if __name__ == "__main__":
    sys.exit(main())

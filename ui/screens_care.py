"""``python -m ui.screens_care OUTDIR [--store DIR]``: the point-of-care screenshots, at 1366×768 and 1600×1000, in
the light and the dark theme (one command refreshes all of them in ``docs/screens/``).

On the synthetic demo cohort (24 patients, fast key derivation, built once per run or kept in ``--store``):

* ``care-ascvd-refused-<size>-<theme>.png``: Hiro Rossi (demo-0024, coronary heart disease on record), Risk tab,
  the Pooled Cohort Equations selected: refused with the reason and the code list's source; PREVENT likewise.
* ``care-indicators-ingrid-…``: Ingrid Ivanova (demo-0009): the banner's genomic indicators beside her medicines.
* ``care-indicators-greta-…``: Greta Schmidt (demo-0007): her indicators (DPYD, TPMT, CYP2C9, CYP2C19, …).
* ``care-check-capecitabine-…``: "capecitabine" checked from the banner for Greta (DPYD intermediate metabolizer).
* ``care-genome-grch37-…``: a patient (demo-0041) whose genome is an all-reference GRCh37 file imported without the
  build choice: no pharmacogenomic calls, and the banner says why instead of looking like "nothing actionable".

Driven by signals and single-shot timers; nothing sleeps.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QTimer

from ui.screens_base import PASSPHRASE, Shots
SIZES = ((1366, 768), (1600, 1000))
THEMES = ("light", "dark")
ASCVD_PATIENT, INGRID, GRETA, GRCH37_PATIENT = "demo-0024", "demo-0009", "demo-0007", "demo-0041"
SETTLE_MS = 250


def demo_store(folder: Path) -> Path:
    from workstation import vault
    from workstation.demo import build_demo_store

    path = folder / "demo-patients.duckdb"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        build_demo_store(path, PASSPHRASE, n_patients=24, kdf=vault.FAST_KDF).close()
    _add_grch37_patient(path)
    return path


def _add_grch37_patient(path: Path) -> None:
    """demo-0041: its demo FHIR record, and a GRCh37 genome (every pharmacogene site of the shipped position table
    called 0/0 with its GRCh37 base) imported as the file says, i.e. refused for PGx."""
    from workstation import demo
    from workstation.demo.cohort import make_patient
    from workstation.genome.positions import site_pairs
    from workstation.ingest import import_file
    from workstation.store.db import Store, Unlock

    store = Store.open(path, Unlock(passphrase=PASSPHRASE))
    try:
        if GRCH37_PATIENT in set(store.patients()["id"]):
            return
        with tempfile.TemporaryDirectory(prefix="ws-care-37-") as d:
            files = demo.write_demo_files(Path(d), [make_patient(40)])
            fhir = next(p for ps in files.values() for p in ps if p.suffix == ".json")
            import_file(store, fhir)
            vcf = Path(d) / "genome-grch37.vcf"
            recs = [f"{x.chrom}\t{x.pos37}\t{x.rsid or '.'}\t{x.ref37}\t.\t.\tPASS\t.\tGT\t0/0" for x in site_pairs()]
            vcf.write_text("\n".join(["##fileformat=VCFv4.2", "##contig=<ID=chr1,length=249250621>",
                                       '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
                                       "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1", *recs]) + "\n")
            import_file(store, vcf, patient_id=GRCH37_PATIENT)
    finally:
        store.close()


class CareShots(Shots):
    """One window, one size and theme: unlock, then the five screens in turn."""

    def __init__(self, app, win, session, out: Path, suffix: str) -> None:
        super().__init__(app, win, session, out, suffix)
        self.steps = [(ASCVD_PATIENT, "risk", self._ascvd), (INGRID, "overview", self._indicators("ingrid")),
                      (GRETA, "overview", self._indicators("greta")), (GRETA, "overview", self._check),
                      (GRCH37_PATIENT, "pgx", lambda: (self.save("care-genome-grch37"), self._next()))]

    def listed(self) -> None:
        self._next()

    def _next(self) -> None:
        if not self.steps:
            self.app.exit(0)
            return
        pid, tab, then = self.steps.pop(0)
        self.win.show_view(tab)
        if self.session.profile is not None and self.session.profile.id == pid:
            QTimer.singleShot(SETTLE_MS, then)
            return

        def ready(_pid, _alerts) -> None:
            self.session.alerts_ready.disconnect(ready)
            QTimer.singleShot(SETTLE_MS, then)

        self.session.alerts_ready.connect(ready)
        self.win.patients.select(pid)

    def _ascvd(self) -> None:
        self.win.views["risk"].select_model("pce2013_ascvd_10y")
        QTimer.singleShot(SETTLE_MS, lambda: (self.save("care-ascvd-refused"), self._next()))

    def _indicators(self, who: str):
        return lambda: (self.save(f"care-indicators-{who}"), self._next())

    def _check(self) -> None:
        self.win.banner.check.setText("capecitabine")
        self.win.check_medicine("capecitabine")
        QTimer.singleShot(SETTLE_MS, lambda: (self.save("care-check-capecitabine"), self._next()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Point-of-care screenshots at two sizes in both themes.")
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--store", type=Path, help="folder to keep the demo store in between runs")
    args = ap.parse_args(sys.argv[1:] if argv is None else argv)
    args.outdir.mkdir(parents=True, exist_ok=True)
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from ui.app import configure, ensure_app
    from ui.main_window import MainWindow
    from ui.runner import Runner
    from ui.session import Session
    from ui.settings_store import ephemeral

    app = ensure_app()
    saved = 0
    with tempfile.TemporaryDirectory(prefix="ws-care-shots-") as d:
        path = demo_store(args.store or Path(d))
        for theme_name in THEMES:
            for w, h in SIZES:
                prefs = ephemeral()
                prefs.set("appearance/theme", theme_name)
                configure(app, prefs)
                runner = Runner()
                session = Session(runner)
                win = MainWindow(session, prefs, store_path=path)
                win.resize(w, h)
                win.show()
                shots = CareShots(app, win, session, args.outdir, f"{w}x{h}-{theme_name}")
                QTimer.singleShot(0, shots.start)
                rc = app.exec()
                if win.size().width() > w or win.size().height() > h:
                    print(f"the window grew to {win.width()}x{win.height()} at {w}x{h}", file=sys.stderr)
                    rc = 1
                win.close()
                runner.shutdown()
                saved += len(shots.saved)
                if rc != 0:
                    return 1
    return 0 if saved == 5 * len(SIZES) * len(THEMES) else 1


if __name__ == "__main__":
    raise SystemExit(main())

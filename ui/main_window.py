"""The main window. It only composes: patient list, banner, the registered views, actions, status bar.

Dependencies come in through the constructor (session, preferences); views are built from ``ui.views.VIEWS`` and
bind to the session themselves. Views in the tabs are deferred (:meth:`ui.views.base.PatientView.set_deferred`): on a
patient switch only the visible tab loads; the others clear at once and load when their tab is shown. Nothing here
queries the store or holds clinical logic.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (QFileDialog, QLabel, QMainWindow, QMessageBox, QProgressBar, QSplitter,
                               QVBoxLayout, QWidget)

from ui import actions as actions_mod
from ui.banner import PatientBanner
from ui.idle import IdleLock
from ui.import_dialog import ImportDialog
from ui.patient_list import PatientList
from ui.session import Session
from ui.settings_store import Preferences
from ui.unlock_dialog import UnlockDialog
from ui.views import VIEWS, ViewSpec
from ui.widgets.view_tabs import ViewTabs


class MainWindow(QMainWindow):
    def __init__(self, session: Session, prefs: Preferences, *, store_path: Path,
                 views: list[ViewSpec] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.prefs = prefs
        self.store_path = Path(store_path)
        self.setWindowTitle("Precision Workstation")
        self.setAcceptDrops(True)
        self.resize(1600, 1000)

        self.patients = PatientList()
        self.banner = PatientBanner()
        self.tabs = ViewTabs()
        self.tabs.setDocumentMode(True)
        self.views: dict[str, QWidget] = {}
        for spec in views if views is not None else VIEWS:
            view = spec.create(session, prefs)
            view.message.connect(self.show_status)
            if hasattr(view, "open_view"):
                view.open_view.connect(self.show_view)      # e.g. a data import clicked on the timeline
            if hasattr(view, "set_deferred"):
                view.set_deferred(True)     # hidden tabs load the patient when they are first shown
            self.views[spec.id] = view
            self.tabs.addTab(view, spec.title)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(6, 12, 12, 0)
        rl.setSpacing(8)
        rl.addWidget(self.banner)
        rl.addWidget(self.tabs, 1)
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.addWidget(self.patients)
        self.split.addWidget(right)
        self.split.setStretchFactor(1, 1)
        self.split.setSizes([460, 1140])    # room for a long patient name beside born/sex/sources
        self.split.setStretchFactor(0, 0)
        self.setCentralWidget(self.split)

        self.status_text = QLabel("")
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.setVisible(False)
        self.statusBar().addWidget(self.status_text, 1)
        self.statusBar().addPermanentWidget(self.busy)

        self.actions = actions_mod.install(self, actions_mod.ACTIONS)
        view_menu = self.menuBar().addMenu("&View")
        help_menu = self.actions["help.shortcuts"].associatedObjects()[0]
        self.menuBar().insertMenu(help_menu.menuAction(), view_menu)
        for i, spec in enumerate(views if views is not None else VIEWS):
            act = QAction(spec.title, self)
            act.setObjectName(f"view.{spec.id}")
            act.setShortcut(QKeySequence(spec.shortcut))
            act.triggered.connect(lambda _c=False, k=i: self.tabs.setCurrentIndex(k))
            view_menu.addAction(act)
            self.addAction(act)
            self.actions[f"view.{spec.id}"] = act

        self.idle = IdleLock(int(prefs.get("security/idle_lock_minutes")), self)
        self.idle.idle.connect(self._idle_lock)
        prefs.changed.connect(self._pref_changed)

        self.patients.patient_selected.connect(self._select)
        session.patients_loaded.connect(self.patients.set_patients)
        session.patient_opened.connect(self.banner.show_patient)
        session.alerts_ready.connect(self._alerts)
        self.banner.drug_clicked.connect(self.show_drug_evidence)
        self.banner.check_requested.connect(self.check_medicine)
        session.opened.connect(self._opened)
        session.locked.connect(self._locked)
        session.runner.error.connect(self.show_error)
        session.runner.busy_changed.connect(self.busy.setVisible)
        self._unlock: UnlockDialog | None = None
        self._import: ImportDialog | None = None
        self._restore_state()

    # -- store ---------------------------------------------------------------------------------------------------
    def ask_unlock(self, *, kdf=None) -> UnlockDialog:
        """Show the unlock/create dialog (window-modal, not blocking the event loop)."""
        if self._unlock is None:
            kw = {"kdf": kdf} if kdf is not None else {}
            self._unlock = UnlockDialog(self.session, self.store_path, self, **kw)
            self._unlock.rejected.connect(self.close)
        self._unlock.open()
        return self._unlock

    def _opened(self, path: str) -> None:
        self.store_path = Path(path)
        self.prefs.set("store/last_path", path)
        self.setWindowTitle(f"Precision Workstation — {Path(path).name}")
        self.show_status(f"Opened {path}.")
        self.idle.arm()

    def lock(self) -> None:
        """Close the store, drop caches, clear every view (Ctrl+L); then ask to unlock again."""
        if not self.session.is_open:
            return
        self.session.lock()
        self.ask_unlock()

    def _idle_lock(self) -> None:
        self.lock()
        self.show_status("Locked after a period without activity.")

    def _locked(self) -> None:
        self.idle.disarm()
        self.patients.clear()
        self.banner.clear()
        if self._import is not None:
            self._import.close()
        self.setWindowTitle("Precision Workstation — locked")
        self.show_status("The patient store is locked.")

    # -- patients ------------------------------------------------------------------------------------------------
    def _select(self, patient_id: str) -> None:
        self.session.open_patient(patient_id, on_error=self.show_error)

    def _alerts(self, patient_id: str, alerts) -> None:
        if self.session.profile is not None and self.session.profile.id == patient_id:
            self.banner.set_alerts(alerts)
            analysis = self.session.analysis
            self.banner.set_indicators(analysis.indicators if analysis is not None else None)

    def focus_check_medicine(self) -> None:
        """Ctrl+K: the banner's check-a-medicine field."""
        self.banner.focus_check()

    def check_medicine(self, text: str):
        """What CPIC says about ``text`` for the open patient (a lookup in its analysis), shown in the banner."""
        analysis = self.session.analysis
        if analysis is None:
            self.show_status("Open a patient to check a medicine for them.")
            return None
        result = analysis.check_medicine(text)
        self.banner.show_check(result)
        return result

    def show_drug_evidence(self, drug: str) -> None:
        """A banner drug chip was activated: the Pharmacogenomics tab, with that drug's evidence open. A tab that
        has not loaded the patient yet loads when shown; the drug is selected once it has (``loaded``)."""
        view = self.views.get("pgx")
        if view is None:
            return
        if getattr(view, "stale", False):
            view.loaded.connect(lambda d=drug: view.show_drug(d), Qt.ConnectionType.SingleShotConnection)
            self.tabs.setCurrentWidget(view)
        else:
            self.tabs.setCurrentWidget(view)
            if not view.show_drug(drug):
                self.show_status(f"No CPIC recommendation for {drug} applies to this patient's results; see the "
                                 "gene results in Pharmacogenomics.")

    def show_view(self, view_id: str) -> None:
        """Bring the tab ``view_id`` to the front (unknown ids are ignored)."""
        if view_id in self.views:
            self.tabs.setCurrentWidget(self.views[view_id])

    def focus_search(self) -> None:
        self.patients.search.setFocus()
        self.patients.search.selectAll()

    def next_patient(self) -> None:
        self.patients.step(1)

    def previous_patient(self) -> None:
        self.patients.step(-1)

    def reload_patient(self) -> None:
        if self.session.profile is not None:
            self.session.open_patient(self.session.profile.id, on_error=self.show_error)

    def print_report(self) -> None:
        """Ctrl+P: the consult summary PDF (ui/report_pdf.py does the dialog, the runner does the work)."""
        from ui.report_pdf import print_consult_summary

        print_consult_summary(self, self.session, on_status=self.show_status, on_error=self.show_error)

    # -- import ----------------------------------------------------------------------------------------------------
    def import_files(self, paths: list[str | Path] | None = None) -> ImportDialog | None:
        if not self.session.is_open:
            self.show_error("Unlock the patient store before importing files.")
            return None
        if paths is None:
            names, _ = QFileDialog.getOpenFileNames(self, "Import files", str(Path.home()),
                                                    "Patient data (*.vcf *.vcf.gz *.json *.ndjson *.csv *.tsv "
                                                    "*.txt *.xml *.zip);;All files (*)")
            paths = names
        if not paths:
            return None
        frame = self.patients.table.source.frame
        patients = [(str(r["id"]), str(r["name"])) for r in frame.to_dict("records")] if len(frame) else []
        open_id = self.session.profile.id if self.session.profile is not None else None
        self._import = ImportDialog(self.session, [Path(p) for p in paths], self, patient_id=open_id,
                                    patients=patients)
        self._import.finished_all.connect(lambda res: self.show_status(res[-1] if res else ""))
        self._import.start()
        return self._import

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and all(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        event.acceptProposedAction()
        self.import_files(paths)

    # -- messages, help, preferences -------------------------------------------------------------------------------
    def show_status(self, text: str) -> None:
        self.status_text.setText(text)

    def show_error(self, text: str) -> None:
        self.status_text.setText(text)
        box = QMessageBox(QMessageBox.Icon.Warning, "Precision Workstation", text, QMessageBox.StandardButton.Ok,
                          self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def show_shortcuts(self) -> None:
        rows = "".join(f"<tr><td>{a.text().replace('&', '')}</td><td><b>{a.shortcut().toString()}</b></td></tr>"
                       for a in self.actions.values() if not a.shortcut().isEmpty())
        box = QMessageBox(QMessageBox.Icon.NoIcon, "Keyboard shortcuts", f"<table cellpadding=4>{rows}</table>",
                          QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def _pref_changed(self, name: str, value) -> None:
        if name == "security/idle_lock_minutes":
            self.idle.set_minutes(int(value))

    def _fit_list(self) -> None:
        """On a small screen the patient list gives way to the banner and views (it keeps its minimum width)."""
        width, sizes = self.width(), self.split.sizes()
        if width < 1500 and len(sizes) == 2 and sum(sizes) and sizes[0] > 0.30 * width:
            left = max(self.patients.minimumWidth(), int(0.29 * width))
            self.split.setSizes([left, sum(sizes) - left])

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._fit_list()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self._fit_list()

    # -- state -------------------------------------------------------------------------------------------------------
    def _restore_state(self) -> None:
        geo = self.prefs.window_state("geometry")
        if geo is not None:
            self.restoreGeometry(geo)
        split = self.prefs.window_state("splitter")
        if split is not None:
            self.split.restoreState(split)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.prefs.save_window_state("geometry", self.saveGeometry())
        self.prefs.save_window_state("splitter", self.split.saveState())
        self.prefs.sync()
        self.idle.shutdown()
        if self.session.is_open:
            self.session.lock()
        self.session.runner.shutdown()
        super().closeEvent(event)

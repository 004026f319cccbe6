"""Import files one after another through the runner, with a progress bar and a Cancel button.

Files go into the patient chosen under "Import into" (the open patient when there is one). A FHIR record names its
own patient and is filed under it; genome, omics and wearable files need the chosen patient. The dialog says what each
file stored, and a file that failed for want of a patient can be imported again into the patient chosen.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QHBoxLayout, QProgressBar, QPushButton, QVBoxLayout,
                               QWidget)

from workstation.progress import Progress

from ui.session import Session
from ui.widgets.common import label


class ImportDialog(QDialog):
    """``finished_all(list[str])`` fires with one sentence per file once every file is done or cancelled."""

    finished_all = Signal(list)

    def __init__(self, session: Session, paths: list[Path], parent: QWidget | None = None,
                 patient_id: str | None = None, patients: list[tuple[str, str]] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Importing")
        self.setMinimumWidth(480)
        self.session = session
        self.paths = [Path(p) for p in paths]
        self.patient_id = patient_id
        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 18, 20, 18)
        into = QHBoxLayout()
        into.addWidget(label("Import into", name="muted"))
        self.target = QComboBox()
        self.target.addItem("The patient each FHIR file names (other files need a patient)", None)
        for pid, name in patients or []:
            self.target.addItem(f"{name} ({pid})", pid)
        if patient_id is not None:
            i = self.target.findData(patient_id)
            if i < 0:
                self.target.addItem(patient_id, patient_id)
                i = self.target.count() - 1
            self.target.setCurrentIndex(i)
        self.target.currentIndexChanged.connect(lambda _i: setattr(self, "patient_id", self.target.currentData()))
        into.addWidget(self.target, 1)
        lay.addLayout(into)
        self.file = label("", name="section", wrap=True)
        self.step = label("", name="muted", wrap=True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.log = label("", wrap=True)
        for w in (self.file, self.step, self.bar, self.log):
            lay.addWidget(w)
        row = QHBoxLayout()
        row.addStretch(1)
        self.retry_button = QPushButton("Import again into this patient")
        self.retry_button.setVisible(False)
        self.retry_button.clicked.connect(self.retry)
        row.addWidget(self.retry_button)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        row.addWidget(self.cancel_button)
        lay.addLayout(row)
        self.results: list[str] = []
        self.stored = 0                    # files that stored something
        self.need_patient: list[Path] = []   # files that failed because no patient was chosen
        self._i = -1
        self._progress: Progress | None = None
        self._cancelled = False

    def start(self) -> None:
        self.show()
        self._next()

    def cancel(self) -> None:
        if self._progress is not None and not self._cancelled:
            self._cancelled = True
            self._progress.cancel()
            self.step.setText("Cancelling; nothing from the current file will be stored…")
            self.cancel_button.setEnabled(False)
        elif self._progress is None:
            self.close()

    def _next(self) -> None:
        self._i += 1
        if self._cancelled or self._i >= len(self.paths):
            self._progress = None
            self.cancel_button.setText("Close")
            self.cancel_button.setEnabled(True)
            n = len(self.paths)
            if self._cancelled:
                self.file.setText("Import cancelled")
            elif self.stored:
                self.file.setText(f"Import finished: {self.stored} of {n} file{'s' if n != 1 else ''} stored")
            else:
                self.file.setText("Nothing was imported")
            self.step.setText("Choose the patient above and import again." if self.need_patient else "")
            self.retry_button.setVisible(bool(self.need_patient))
            self.bar.setValue(1000)
            self.finished_all.emit(self.results)
            return
        p = self.paths[self._i]
        self.file.setText(f"File {self._i + 1} of {len(self.paths)}: {p.name}")
        self.step.setText("Starting…")
        self.bar.setValue(0)
        self._progress = Progress()
        self.session.import_file(p, progress=self._progress, on_result=self._done, on_error=self._failed,
                                 on_progress=self._on_progress, patient_id=self.patient_id)

    def _on_progress(self, fraction: float, message: str) -> None:
        self.bar.setValue(int(fraction * 1000))
        if message and not self._cancelled:
            self.step.setText(message)

    def _record(self, text: str) -> None:
        self.results.append(text)
        self.log.setText("\n".join(self.results[-6:]))

    def retry(self) -> None:
        """Import the files that needed a patient again, into the one now chosen."""
        if not self.need_patient or self.target.currentData() is None:
            self.step.setText("Choose the patient the files belong to under “Import into” first.")
            return
        self.paths, self.need_patient, self._i, self.stored = list(self.need_patient), [], -1, 0
        self.retry_button.setVisible(False)
        self.cancel_button.setText("Cancel")
        self._next()

    def _done(self, result) -> None:
        if getattr(result, "status", "") == "imported":
            self.stored += 1
        self._record(getattr(result, "message", "") or f"{self.paths[self._i].name}: {result.status}.")
        self._next()

    def _failed(self, text: str) -> None:
        if "--patient" in text:        # the core's CLI wording: in the window the patient is chosen above
            self.need_patient.append(self.paths[self._i])
            text = (f"{self.paths[self._i].name} does not say whose data it is; choose the patient under "
                    "“Import into” and import it again. Nothing from it was stored.")
        self._record(text)
        self._next()

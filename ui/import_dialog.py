"""Import files one after another through the runner, with a progress bar and a Cancel button."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QProgressBar, QPushButton, QVBoxLayout, QWidget

from workstation.progress import Progress

from ui.session import Session
from ui.widgets.common import label


class ImportDialog(QDialog):
    """``finished_all(list[str])`` fires with one sentence per file once every file is done or cancelled."""

    finished_all = Signal(list)

    def __init__(self, session: Session, paths: list[Path], parent: QWidget | None = None,
                 patient_id: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Importing")
        self.setMinimumWidth(480)
        self.session = session
        self.paths = [Path(p) for p in paths]
        self.patient_id = patient_id
        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 18, 20, 18)
        self.file = label("", name="section", wrap=True)
        self.step = label("", name="muted", wrap=True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.log = label("", wrap=True)
        for w in (self.file, self.step, self.bar, self.log):
            lay.addWidget(w)
        row = QHBoxLayout()
        row.addStretch(1)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        row.addWidget(self.cancel_button)
        lay.addLayout(row)
        self.results: list[str] = []
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
            self.file.setText("Import finished" if not self._cancelled else "Import cancelled")
            self.step.setText("")
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

    def _done(self, result) -> None:
        self._record(getattr(result, "message", "") or f"{self.paths[self._i].name}: {result.status}.")
        self._next()

    def _failed(self, text: str) -> None:
        self._record(text)
        self._next()

"""Enter an outside PGx call (gene, diplotype or allele, lab, date) for the open patient, or import a PharmCAT
outside-call TSV. The core interprets, stores (with provenance) and audits it on the runner's worker
(:mod:`workstation.store.outside_calls`); a call it cannot read is refused with the field named and nothing is
stored. Threading: GUI thread only."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (QComboBox, QDateEdit, QDialog, QFileDialog, QFormLayout, QHBoxLayout, QLineEdit,
                               QPushButton, QVBoxLayout, QWidget)

from ui.session import Session
from ui.widgets.common import label

GENES = ("CYP2D6", "HLA-B", "HLA-A", "MT-RNR1", "CYP2C19", "CYP2C9", "DPYD", "TPMT", "NUDT15", "UGT1A1", "SLCO1B1",
         "CYP3A5", "CYP2B6", "G6PD", "RYR1", "CACNA1S", "NAT2", "CFTR", "IFNL3", "ABCG2", "CYP3A4", "CYP4F2", "VKORC1")
HINTS = {"CYP2D6": "e.g. *1/*4 or *1/*1x2 (copy number as xN)", "HLA-B": "e.g. *15:02/*57:01, or *57:01 positive",
         "HLA-A": "e.g. *31:01/*02:01, or *31:01 positive", "MT-RNR1": "e.g. 1555A>G or Reference"}


class OutsideCallDialog(QDialog):
    """``stored(str)`` fires with a plain sentence once the call is stored."""

    stored = Signal(str)

    def __init__(self, session: Session, patient_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add an outside call")
        self.setMinimumWidth(460)
        self.session = session
        self.patient_id = patient_id
        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 18, 20, 18)
        lay.addWidget(label("A result from another laboratory or caller. It is stored as given, marked as an outside "
                            "call, with the lab and date, and the entry is audited.", name="muted", wrap=True))
        form = QFormLayout()
        self.gene = QComboBox()
        self.gene.addItems(GENES)
        self.diplotype = QLineEdit()
        self.phenotype = QLineEdit(placeholderText="optional: only when the lab gives a phenotype")
        self.lab = QLineEdit(placeholderText="laboratory or test name")
        self.date = QDateEdit(QDate.currentDate())
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        for text, w in (("Gene", self.gene), ("Diplotype or allele", self.diplotype), ("Phenotype", self.phenotype),
                        ("Lab", self.lab), ("Date of the test", self.date)):
            form.addRow(text, w)
        lay.addLayout(form)
        self.error = label("", name="error", wrap=True)
        lay.addWidget(self.error)
        row = QHBoxLayout()
        self.import_button = QPushButton("Import PharmCAT outside-call file…")
        self.save_button = QPushButton("Save")
        self.save_button.setDefault(True)
        cancel = QPushButton("Cancel")
        row.addWidget(self.import_button)
        row.addStretch(1)
        row.addWidget(cancel)
        row.addWidget(self.save_button)
        lay.addLayout(row)
        self.gene.currentTextChanged.connect(self._hint)
        self.save_button.clicked.connect(self.save)
        self.import_button.clicked.connect(self.choose_file)
        cancel.clicked.connect(self.reject)
        self._hint(self.gene.currentText())

    def _hint(self, gene: str) -> None:
        self.diplotype.setPlaceholderText(HINTS.get(gene, "e.g. *1/*2"))

    def _busy(self, busy: bool) -> None:
        for b in (self.save_button, self.import_button):
            b.setEnabled(not busy)

    def save(self) -> None:
        from workstation.store.outside_calls import OutsideCallEntry, add_outside_calls

        entry = OutsideCallEntry(self.gene.currentText(), self.diplotype.text(), self.phenotype.text() or None)
        self._run(add_outside_calls, [entry])

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "PharmCAT outside-call file", "", "Outside calls (*.tsv *.txt)")
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path) -> None:
        from workstation.store.outside_calls import import_outside_call_file

        self._run(import_outside_call_file, path)

    def _run(self, fn, arg) -> None:
        self.error.setText("")
        self._busy(True)
        self.session.store_outside_calls(fn, self.patient_id, arg, lab=self.lab.text().strip() or None,
                                         test_date=self.date.date().toString("yyyy-MM-dd"),
                                         on_result=self._done, on_error=self._failed)

    def _done(self, result) -> None:
        self._busy(False)
        self.stored.emit(f"Outside call stored for {', '.join(result.genes)}.")
        self.accept()

    def _failed(self, text: str) -> None:
        self._busy(False)
        self.error.setText(text)

"""Unlock an existing patient store (keyring or recovery passphrase) or create a new one (passphrase twice).

The store is opened or created by the session on the background runner; this dialog only collects input and
shows the one-sentence error the core raises (wrong passphrase, store in use, newer schema…).
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from PySide6.QtWidgets import (QDialog, QFileDialog, QFormLayout, QHBoxLayout, QLineEdit, QPushButton,
                               QVBoxLayout, QWidget)

from workstation import vault

from ui.session import Session
from ui.widgets.common import label

MIN_PASSPHRASE = 8


class UnlockDialog(QDialog):
    def __init__(self, session: Session, path: Path, parent: QWidget | None = None, *,
                 kdf: vault.KdfParams = vault.KdfParams()) -> None:
        super().__init__(parent)
        self.session = session
        self.path = Path(path)
        self.kdf = kdf
        self.setWindowTitle("Open patient store")
        self.setMinimumWidth(520)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 20)
        lay.setSpacing(12)
        self.heading = label("", name="title")
        lay.addWidget(self.heading)
        self.where = label("", name="muted", wrap=True, selectable=True)
        lay.addWidget(self.where)
        form = QFormLayout()
        form.setSpacing(10)
        self.passphrase = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.confirm = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        form.addRow("Recovery passphrase", self.passphrase)
        form.addRow("Repeat passphrase", self.confirm)
        self.form = form
        lay.addLayout(form)
        self.error = label("", name="error", wrap=True)
        lay.addWidget(self.error)
        buttons = QHBoxLayout()
        self.choose = QPushButton("Other store…")
        self.choose.clicked.connect(self._choose)
        self.keyring = QPushButton("Unlock with keyring")
        self.keyring.clicked.connect(self._unlock_keyring)
        self.ok = QPushButton("Unlock")
        self.ok.setObjectName("primary")
        self.ok.setDefault(True)
        self.ok.clicked.connect(self._submit)
        quit_ = QPushButton("Quit")
        quit_.clicked.connect(self.reject)
        # Enter must never quit: only "Unlock" is a default button (a QPushButton in a dialog is auto-default, so
        # with "Unlock" disabled while unlocking, Enter used to press "Quit")
        for b in (self.choose, self.keyring, quit_):
            b.setAutoDefault(False)
            b.setDefault(False)
        buttons.addWidget(self.choose)
        buttons.addStretch(1)
        for b in (self.keyring, quit_, self.ok):
            buttons.addWidget(b)
        lay.addLayout(buttons)
        session.opened.connect(self._opened)
        self._set_path(self.path)

    @property
    def creating(self) -> bool:
        return not self.path.exists()

    def _set_path(self, path: Path) -> None:
        self.path = Path(path)
        c = self.creating
        self.heading.setText("Create a patient store" if c else "Unlock the patient store")
        self.where.setText(f"{'New store' if c else 'Store'}: {self.path}" + (
            "\nChoose a recovery passphrase of at least 8 characters. Keep it safe: without it (or this computer's "
            "keyring) the data cannot be recovered." if c else ""))
        self.confirm.setVisible(c)
        self.form.labelForField(self.confirm).setVisible(c)
        self.keyring.setVisible(not c)
        self.ok.setText("Create" if c else "Unlock")
        self.error.setText("")
        self.passphrase.setFocus()

    def _choose(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Patient store", str(self.path), "Patient store (*.duckdb)",
                                              options=QFileDialog.Option.DontConfirmOverwrite)
        if name:
            self._set_path(Path(name))

    def _busy(self, busy: bool) -> None:
        for w in (self.ok, self.keyring, self.choose, self.passphrase, self.confirm):
            w.setEnabled(not busy)
        if busy:
            self.error.setText("")

    def _failed(self, text: str) -> None:
        self._busy(False)
        self.error.setText(text)
        self.passphrase.selectAll()
        self.passphrase.setFocus()

    def _submit(self) -> None:
        pw = self.passphrase.text()
        if self.creating:
            if len(pw) < MIN_PASSPHRASE:
                self.error.setText(f"The passphrase must have at least {MIN_PASSPHRASE} characters.")
                return
            if pw != self.confirm.text():
                self.error.setText("The two passphrases are not the same.")
                return
            self._busy(True)
            self.session.create(self.path, pw, kdf=self.kdf, on_error=self._failed)
        else:
            if not pw:
                self.error.setText("Enter the recovery passphrase, or unlock with the keyring.")
                return
            self._busy(True)
            self.session.unlock(self.path, passphrase=pw, use_keyring=False, on_error=self._failed)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        """Enter / Return submits (once), wherever the focus is; it never reaches QDialog's default-button logic."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            if self.ok.isEnabled():
                self._submit()
            return
        super().keyPressEvent(event)

    def _unlock_keyring(self) -> None:
        self._busy(True)
        self.session.unlock(self.path, passphrase=None, use_keyring=True, on_error=self._failed)

    def _opened(self, _path: str) -> None:
        self.passphrase.clear()
        self.confirm.clear()
        self.accept()

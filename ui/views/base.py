"""What every patient view shares: it binds to the session's signals and clears itself when the store locks."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from ui.session import Session
from ui.settings_store import Preferences


class PatientView(QWidget):
    """Base of the views. Subclasses implement :meth:`show_patient` and :meth:`clear`.

    ``loaded`` fires once the view shows the current patient completely (after its own background queries);
    tests and the stand-alone runner wait for it. Views never reach up to the window.
    """

    loaded = Signal()
    message = Signal(str)   # a plain sentence for the status bar (e.g. a failed query)

    def __init__(self, session: Session, prefs: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.session = session
        self.prefs = prefs
        self.profile = None
        session.patient_opened.connect(self._on_patient)
        session.locked.connect(self._on_locked)

    def _on_patient(self, profile) -> None:
        self.profile = profile
        self.show_patient(profile)

    def _on_locked(self) -> None:
        self.profile = None
        self.clear()

    def show_patient(self, profile) -> None:
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError

    def is_empty(self) -> bool:
        """True when the view shows no patient data (checked by the lock test)."""
        return self.profile is None

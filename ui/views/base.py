"""What every patient view shares: it binds to the session's signals, clears itself when the store locks, and (in
the window) loads a patient only when it is shown.

Lazy loading: the main window calls :meth:`PatientView.set_deferred` on its tabs. A deferred view that is hidden when
a patient is opened does not query anything; it clears itself at once (so no earlier patient's data stays in it)
and is marked stale; its next ``showEvent`` clears it again and calls :meth:`show_patient`. A view on its own (the
stand-alone runner, tests) is not deferred and loads as soon as a patient is opened, as before.
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget

from ui.runner import Job
from ui.session import Session
from workstation.store.changes import ALL_TABLES, Changes
from ui.settings_store import Preferences


class PatientView(QWidget):
    """Base of the views. Subclasses implement :meth:`show_patient` and :meth:`clear`.

    ``loaded`` fires once the view shows the current patient completely (after its own background queries); a
    deferred view fires it after it is shown. Tests and the stand-alone runner wait for it. ``show_patient`` is
    only called with ``self.profile`` already set to its argument, and after :meth:`clear` when the patient differs
    from the one shown before. Views never reach up to the window. Threading: GUI thread only.
    """

    loaded = Signal()
    message = Signal(str)   # a plain sentence for the status bar (e.g. a failed query)
    TABLES: frozenset = ALL_TABLES   # the store tables the view shows: a change to others does not refresh it

    def __init__(self, session: Session, prefs: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.session = session
        self.prefs = prefs
        self.profile = None
        self._deferred = False
        self._stale = False
        self._shown_id: str | None = None   # patient whose data the view holds or is loading
        self._token = 0                     # bumped whenever the view's patient changes, it is cleared or locked
        self.refreshes = 0                  # how many change descriptors refreshed the view (tests count them)
        session.patient_opened.connect(self._on_patient)
        session.locked.connect(self._on_locked)
        session.data_changed.connect(self._on_changes)

    # -- lazy loading --------------------------------------------------------------------------------------------
    def set_deferred(self, deferred: bool) -> None:
        """When True, a patient opened while the view is hidden is loaded when the view is next shown."""
        self._deferred = bool(deferred)

    @property
    def stale(self) -> bool:
        """True while the view is cleared and waiting to be shown to load the current patient."""
        return self._stale

    def _on_patient(self, profile) -> None:
        self.profile = profile
        self._token += 1
        if self._deferred and not self.isVisible():
            if not self._stale:
                self._clear_now()
            self._stale = True
            return
        self._load_now()

    def _load_now(self) -> None:
        self._stale = False
        if self._shown_id != self.profile.id:
            self._clear_now()
        self._shown_id = self.profile.id
        self.show_patient(self.profile)

    def _clear_now(self) -> None:
        self._shown_id = None
        self.clear()

    def refresh(self) -> None:
        """Reload the current patient (e.g. after an import): now if shown, else when next shown."""
        if self.profile is None:
            return
        self._token += 1
        if self._deferred and not self.isVisible():
            self._stale = True
        else:
            self._load_now()

    def _on_changes(self, changes) -> None:
        """A mutation's change descriptor: refresh (with the session's reloaded profile) only when it touched one of
        :attr:`TABLES` of the patient shown."""
        if self.profile is None or not isinstance(changes, Changes):
            return
        if not changes.touches(self.profile.id, self.TABLES):
            return
        if self.session.profile is not None and self.session.profile.id == self.profile.id:
            self.profile = self.session.profile
        self.refreshes += 1
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale and self.profile is not None:
            self._shown_id = None           # anything a late job of an earlier patient drew goes first
            self._load_now()

    def _on_locked(self) -> None:
        self.profile = None
        self._stale = False
        self._token += 1
        self._clear_now()

    # -- data ----------------------------------------------------------------------------------------------------
    def fetch(self, fn: Callable[..., Any], *args: Any, key: str, on_result: Callable[[Any], None],
              on_error: Callable[[str], None] | None = None, **kwargs: Any) -> Job | None:
        """``session.call`` for this view: the result (or error) is dropped when, by the time it arrives, another
        patient was opened, the view was refreshed or cleared, or the store was locked."""
        token = self._token

        def deliver(value: Any) -> None:
            if token == self._token and self.profile is not None:
                on_result(value)

        def failed(text: str) -> None:
            if token == self._token:
                (on_error or self.message.emit)(text)

        return self.session.call(fn, *args, key=key, on_result=deliver, on_error=failed, **kwargs)

    # -- for subclasses --------------------------------------------------------------------------------------------
    def show_patient(self, profile) -> None:
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError

    def is_empty(self) -> bool:
        """True when the view shows no patient data (checked by the lock test)."""
        return self.profile is None

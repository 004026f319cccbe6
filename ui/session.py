"""The open patient store as seen by the window: unlock, patients, the current patient, import, lock.

Threading: the :class:`~workstation.store.Store` is created, used and closed only by jobs on the runner's single
worker; this object only hands it to those jobs. Views get the session through their constructors, listen to its
signals and ask it for data with :meth:`call`; nothing here touches a widget.
"""
from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

from workstation import vault
from workstation.errors import StoreError, WorkstationError
from workstation.progress import Progress
from workstation.store import Store, Unlock
from workstation.store import queries

from ui.runner import Job, Runner

LOCKED_TEXT = "The patient store is locked; unlock it to continue."


class StoreLocked(StoreError):
    pass


def _open(path: str, passphrase: str | None, use_keyring: bool) -> Store:
    kr = vault.default_keyring() if use_keyring else None
    return Store.open(path, Unlock(passphrase=passphrase, keyring_backend=kr))


def _create(path: str, passphrase: str, kdf: vault.KdfParams) -> Store:
    return Store.create(path, passphrase, kdf=kdf, keyring_backend=vault.default_keyring())


def _close(store: Store) -> None:
    store.close()


class Session(QObject):
    opened = Signal(str)             # store path, after unlock or create
    locked = Signal()                # store closed, caches dropped: every view clears itself
    patients_loaded = Signal(object)  # DataFrame from queries.patient_list
    patient_opened = Signal(object)  # PatientProfile (already audited as opened)
    alerts_ready = Signal(str, object)  # patient id, list[ui.alerts.Alert]
    data_changed = Signal(object)    # change descriptor: an ImportResult (patient_ids tells who changed)

    def __init__(self, runner: Runner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self._store: Store | None = None
        self.path: Path | None = None
        self.profile = None

    # -- unlock / lock -------------------------------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        return self._store is not None

    def unlock(self, path: Path | str, *, passphrase: str | None = None, use_keyring: bool = True,
               on_error: Callable[[str], None] | None = None) -> Job:
        return self.runner.submit(_open, str(path), passphrase, use_keyring, key="unlock",
                                  on_result=lambda s: self._attach(s), on_error=on_error)

    def create(self, path: Path | str, passphrase: str, *, kdf: vault.KdfParams = vault.KdfParams(),
               on_error: Callable[[str], None] | None = None) -> Job:
        return self.runner.submit(_create, str(path), passphrase, kdf, key="unlock",
                                  on_result=lambda s: self._attach(s), on_error=on_error)

    def _attach(self, store: Store) -> None:
        self._store = store
        self.path = store.path
        self.opened.emit(str(store.path))
        self.refresh_patients()

    def lock(self) -> None:
        """Close the store (on the worker, after the running job), drop every cached result, clear the views."""
        store, self._store, self.profile = self._store, None, None
        self.runner.discard_all()
        if store is not None:
            self.runner.submit(_close, store)
        self.locked.emit()

    # -- reads -------------------------------------------------------------------------------------------------
    def call(self, fn: Callable[..., Any], *args: Any, key: str | None = None,
             on_result: Callable[[Any], None] | None = None, on_error: Callable[[str], None] | None = None,
             progress: Progress | None = None, on_progress: Callable[[float, str], None] | None = None,
             **kwargs: Any) -> Job | None:
        """Run ``fn(store, *args, **kwargs)`` on the worker. When locked, reports the locked sentence instead."""
        if self._store is None:
            (on_error or self.runner.error.emit)(LOCKED_TEXT)
            return None
        return self.runner.submit(fn, self._store, *args, key=key, on_result=on_result, on_error=on_error,
                                  progress=progress, on_progress=on_progress, **kwargs)

    def refresh_patients(self) -> None:
        self.call(queries.patient_list, key="patients", on_result=self.patients_loaded.emit)

    def open_patient(self, patient_id: str, *, on_error: Callable[[str], None] | None = None) -> None:
        """Load (and audit) the patient's profile; ``patient_opened`` fires with it."""
        self.call(_profile, patient_id, key="profile", on_result=self._opened, on_error=on_error)

    def _opened(self, profile) -> None:
        self.profile = profile
        self.patient_opened.emit(profile)
        from ui import alerts

        if alerts.available():
            self.call(alerts.compute, profile, key="alerts",
                      on_result=lambda a, pid=profile.id: self.alerts_ready.emit(pid, a),
                      on_error=lambda text: None)

    # -- import ------------------------------------------------------------------------------------------------
    @staticmethod
    def import_available() -> bool:
        try:
            return hasattr(importlib.import_module("workstation.ingest"), "import_file")
        except ImportError:
            return False

    def import_file(self, path: Path | str, *, progress: Progress, on_result: Callable[[Any], None],
                    on_error: Callable[[str], None], on_progress: Callable[[float, str], None],
                    patient_id: str | None = None) -> Job | None:
        """Import one file through ``workstation.ingest.import_file``; fires ``data_changed`` when it stored data."""
        if not self.import_available():
            on_error("Importing files is not available in this build of the workstation.")
            return None
        ingest = importlib.import_module("workstation.ingest")

        def done(result) -> None:
            on_result(result)
            if getattr(result, "status", "") == "imported":
                self.data_changed.emit(result)
                self.refresh_patients()
                if self.profile is not None and self.profile.id in (result.patient_ids or []):
                    self.open_patient(self.profile.id)

        return self.call(ingest.import_file, Path(path), patient_id=patient_id, progress=progress,
                         on_result=done, on_error=on_error, on_progress=on_progress)


    # -- outside calls ---------------------------------------------------------------------------------------------
    def store_outside_calls(self, fn: Callable[..., Any], patient_id: str, *args: Any,
                            on_result: Callable[[Any], None], on_error: Callable[[str], None],
                            **kwargs: Any) -> Job | None:
        """Run a :mod:`workstation.store.outside_calls` writer; on success ``data_changed`` fires and the patient is
        reloaded (its PGx calls change)."""
        def done(result) -> None:
            on_result(result)
            self.data_changed.emit(result)
            if self.profile is not None and self.profile.id == patient_id:
                self.open_patient(patient_id)

        return self.call(fn, patient_id, *args, key="outside_call", on_result=done, on_error=on_error, **kwargs)


def _profile(store: Store, patient_id: str):
    if store.con is None:
        raise StoreLocked(LOCKED_TEXT)
    return store.profile(patient_id)


__all__ = ["Session", "StoreLocked", "WorkstationError"]

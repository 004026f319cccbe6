"""The open patient store as seen by the window: unlock, patients, the current patient, import, lock.

Threading: the :class:`~workstation.store.Store` is created, used and closed only by jobs on the runner's single
worker; this object only hands it to those jobs. Opening a patient loads the profile and its one
:class:`~workstation.analysis.PatientAnalysis` in the same worker job (kept per patient and profile version, dropped
on lock); views, the banner, the PDF and exports read ``session.analysis`` and compute nothing themselves. Views get
the session through their constructors, listen to its
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
from workstation.store.changes import Changes, from_import
from workstation.store.changes import outside_calls as outside_call_changes

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
    patient_opened = Signal(object)  # PatientProfile (already audited as opened); ``analysis`` is set before it fires
    alerts_ready = Signal(str, object)  # patient id, list[ui.alerts.Alert]
    data_changed = Signal(object)    # workstation.store.changes.Changes (patients, tables); the open patient's
                                     # profile and analysis are already reloaded when it fires

    def __init__(self, runner: Runner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self._store: Store | None = None
        self.path: Path | None = None
        self.profile = None
        self.analysis = None                    # workstation.analysis.PatientAnalysis of ``profile``
        self._analyses: dict[tuple[str, str], Any] = {}   # (patient id, profile version) -> analysis

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
        store, self._store, self.profile, self.analysis = self._store, None, None, None
        self._analyses.clear()
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
        """Load (and audit) the patient's profile and its analysis; ``patient_opened`` fires with the profile."""
        self.call(_profile, patient_id, dict(self._analyses), key="profile", on_result=self._opened,
                  on_error=on_error)

    def _keep(self, analysis) -> None:
        self._analyses[(analysis.patient_id, analysis.version)] = analysis
        while len(self._analyses) > 4:
            self._analyses.pop(next(iter(self._analyses)))

    def _opened(self, loaded) -> None:
        profile, analysis = loaded
        self.profile, self.analysis = profile, analysis
        self._keep(analysis)
        self.patient_opened.emit(profile)
        self._emit_alerts()

    def _emit_alerts(self) -> None:
        from ui import alerts

        self.alerts_ready.emit(self.analysis.patient_id, alerts.from_analysis(self.analysis))

    def _changed(self, changes: Changes) -> None:
        """After a mutation: reload the open patient without auditing an open (when it changed), then tell the views
        what changed; each refreshes only when it shows one of the touched tables."""
        if changes.patient_list or changes.patients - {getattr(self.profile, "id", None)}:
            self.refresh_patients()
        if self.profile is not None and self.profile.id in changes.patients:
            def reloaded(loaded) -> None:
                if self.profile is None or loaded[0].id != self.profile.id:
                    return
                self.profile, self.analysis = loaded
                self._keep(self.analysis)
                self.data_changed.emit(changes)
                self._emit_alerts()

            self.call(_profile, self.profile.id, dict(self._analyses), audit_open=False, key="profile",
                      on_result=reloaded)
        else:
            self.data_changed.emit(changes)

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

        def done(result) -> None:
            on_result(result)
            if getattr(result, "status", "") == "imported":
                self._changed(from_import(result))

        return self.call(_import_into, Path(path), patient_id, progress=progress,
                         on_result=done, on_error=on_error, on_progress=on_progress)


    # -- outside calls ---------------------------------------------------------------------------------------------
    def store_outside_calls(self, fn: Callable[..., Any], patient_id: str, *args: Any,
                            on_result: Callable[[Any], None], on_error: Callable[[str], None],
                            **kwargs: Any) -> Job | None:
        """Run a :mod:`workstation.store.outside_calls` writer; on success ``data_changed`` fires and the patient is
        reloaded (its PGx calls change)."""
        def done(result) -> None:
            on_result(result)
            self._changed(outside_call_changes(patient_id, result))

        return self.call(fn, patient_id, *args, key="outside_call", on_result=done, on_error=on_error, **kwargs)


def _import_into(store: Store, path: Path, patient_id: str | None, *, progress: Progress):
    """Worker job: import ``path``; a FHIR record is filed under the patient it names, every other file under
    ``patient_id`` (the patient chosen in the window)."""
    from workstation.ingest import import_file
    from workstation.ingest.detect import detect

    own_patient = detect(path) in ("fhir", "fhir-ndjson")
    return import_file(store, path, patient_id=None if own_patient else patient_id, progress=progress)


def _profile(store: Store, patient_id: str, cached: dict, *, audit_open: bool = True):
    """Worker job: the profile and its analysis (reused when this profile version was analysed before)."""
    from workstation.analysis import analyse

    if store.con is None:
        raise StoreLocked(LOCKED_TEXT)
    profile = store.profile(patient_id, audit_open=audit_open)
    hit = cached.get((profile.id, str(getattr(profile, "version", ""))))
    return profile, hit if hit is not None else analyse(profile)


__all__ = ["Session", "StoreLocked", "WorkstationError"]

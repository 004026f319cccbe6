"""QSettings as the storage behind the declared preferences of ``workstation/settings.py``.

Preferences live under ``prefs/``; window state (geometry, splitter sizes) under ``window/`` and is not a
preference. ``Preferences.changed(name, value)`` lets views react when the user changes one.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, QObject, QSettings, Signal

from workstation import settings as schema

ORG = "PrecisionWorkstation"
APP = "workstation"


class _Mapping:
    """The ``prefs/`` group of a QSettings as the mutable mapping ``schema.upgrade`` expects."""

    def __init__(self, qs: QSettings) -> None:
        self._qs = qs

    def get(self, key: str, default: Any = None) -> Any:
        return self._qs.value("prefs/" + key, default)

    def __setitem__(self, key: str, value: Any) -> None:
        self._qs.setValue("prefs/" + key, value)

    def __bool__(self) -> bool:
        return any(k.startswith("prefs/") for k in self._qs.allKeys())


class Preferences(QObject):
    changed = Signal(str, object)

    def __init__(self, qsettings: QSettings | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._qs = qsettings if qsettings is not None else QSettings(ORG, APP)
        schema.upgrade(_Mapping(self._qs))

    def get(self, name: str) -> Any:
        return schema.get(name, self._qs.value("prefs/" + name))

    def set(self, name: str, value: Any) -> None:
        v = schema.validate(name, value)
        if v != self.get(name):
            self._qs.setValue("prefs/" + name, v)
            self.changed.emit(name, v)

    # -- window state (not preferences) --------------------------------------------------------------------------
    def window_state(self, key: str) -> QByteArray | None:
        v = self._qs.value("window/" + key)
        return v if isinstance(v, QByteArray) else None

    def save_window_state(self, key: str, data: QByteArray) -> None:
        self._qs.setValue("window/" + key, data)

    def sync(self) -> None:
        self._qs.sync()


def ephemeral() -> Preferences:
    """Preferences kept in memory only (views run alone, tests)."""
    import tempfile

    path = tempfile.NamedTemporaryFile(prefix="ws-prefs-", suffix=".ini", delete=False).name
    return Preferences(QSettings(path, QSettings.Format.IniFormat))

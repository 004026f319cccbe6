"""Declared preferences: coercion, validation, upgrade, and the QSettings storage behind them."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from workstation import settings

from ui.settings_store import Preferences


def test_defaults_and_coercion():
    s = settings.BY_NAME["security/idle_lock_minutes"]
    assert s.coerce(None) == 10
    assert s.coerce("15") == 15
    assert s.coerce("many") == 10
    assert s.coerce(100000) == 10          # out of range falls back to the default
    assert settings.get("appearance/theme", "purple") == "system"


def test_validate_refuses_bad_values():
    assert settings.validate("appearance/theme", "dark") == "dark"
    with pytest.raises(ValueError):
        settings.validate("appearance/theme", "purple")
    with pytest.raises(ValueError):
        settings.validate("no/such", 1)


def test_upgrade_runs_registered_steps(monkeypatch):
    calls = []
    monkeypatch.setattr(settings, "SETTINGS_VERSION", 2)
    monkeypatch.setitem(settings.UPGRADES, 1, lambda m: calls.append(dict(m)))
    stored = {"settings_version": 1, "x": 1}
    assert settings.upgrade(stored) == 1
    assert calls and stored["settings_version"] == 2


def test_preferences_round_trip(tmp_path, qapp, qtbot):
    path = str(tmp_path / "p.ini")
    p = Preferences(QSettings(path, QSettings.Format.IniFormat))
    with qtbot.waitSignal(p.changed, timeout=1000) as blocker:
        p.set("security/idle_lock_minutes", 3)
    assert blocker.args == ["security/idle_lock_minutes", 3]
    p.sync()
    again = Preferences(QSettings(path, QSettings.Format.IniFormat))
    assert again.get("security/idle_lock_minutes") == 3
    assert again.get("appearance/theme") == "system"

"""Fixtures for the window tests: a synthetic encrypted store (built once, copied per test) and a session."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6 import QtCore  # noqa: F401  (imported before the thread/timer guard of tests/conftest.py runs)

from ui.views._fixture import PASSPHRASE, build_fixture_store


@pytest.fixture(scope="session")
def _template_store(tmp_path_factory) -> Path:
    return build_fixture_store(tmp_path_factory.mktemp("template") / "patients.duckdb", n_patients=8, n_full=3,
                               wear_days=20, n_variants=1200)


@pytest.fixture
def store_path(_template_store, tmp_path) -> Path:
    """A private copy of the synthetic store (database and vault header)."""
    dst = tmp_path / "patients.duckdb"
    shutil.copy(_template_store, dst)
    shutil.copy(str(_template_store) + ".vault", str(dst) + ".vault")
    return dst


@pytest.fixture
def passphrase() -> str:
    return PASSPHRASE


@pytest.fixture
def prefs(tmp_path, qapp):
    from PySide6.QtCore import QSettings

    from ui.settings_store import Preferences

    return Preferences(QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def session(qapp):
    from ui.runner import Runner
    from ui.session import Session

    runner = Runner()
    s = Session(runner)
    yield s
    if s.is_open:
        s.lock()
    runner.shutdown()


@pytest.fixture
def open_session(session, store_path, passphrase, qtbot):
    with qtbot.waitSignal(session.patients_loaded, timeout=20000):
        session.unlock(store_path, passphrase=passphrase, use_keyring=False)
    return session

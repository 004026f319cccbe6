"""Suite-wide guards: Qt runs offscreen, no test may open a network connection, and no test may leave a thread
or a Qt timer running.

``QT_QPA_PLATFORM`` is set here, at import time, before pytest-qt or any test imports Qt (without it Qt aborts the
whole run on a machine without a display).
"""
from __future__ import annotations

import os
import socket
import sys
import threading

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("WORKSTATION_NO_KEYRING", "1")   # no Secret Service / D-Bus lookups during tests

import pytest  # noqa: E402

_LOCAL_FAMILIES = {getattr(socket, "AF_UNIX", None)} - {None}


class NetworkBlocked(OSError):
    pass


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Any attempt to connect a non-local socket raises and fails the test (even if the code under test catches it)."""
    attempts: list[str] = []

    def _refuse(what: str, address) -> None:
        attempts.append(f"{what} {address!r}")
        raise NetworkBlocked(f"network access is not allowed in tests ({what} {address!r})")

    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def connect(self, address):
        if self.family in _LOCAL_FAMILIES:
            return real_connect(self, address)
        _refuse("connect", address)

    def connect_ex(self, address):
        if self.family in _LOCAL_FAMILIES:
            return real_connect_ex(self, address)
        _refuse("connect_ex", address)

    def create_connection(address, *args, **kwargs):
        _refuse("create_connection", address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    yield
    if attempts:
        pytest.fail("the test tried to use the network: " + "; ".join(attempts))


@pytest.fixture(autouse=True)
def _no_dangling_threads_or_timers(monkeypatch):
    """Fail a test that leaves a Python thread, a QThread or an active QTimer behind (cf. napari's conftest)."""
    before = set(threading.enumerate())
    qt = sys.modules.get("PySide6.QtCore")
    started_timers: list = []
    started_qthreads: list = []
    if qt is not None:
        QTimer, QThread = qt.QTimer, qt.QThread
        timer_start, thread_start = QTimer.start, QThread.start

        def tracked_timer_start(self, *args):
            started_timers.append(self)
            return timer_start(self, *args)

        def tracked_thread_start(self, *args):
            started_qthreads.append(self)
            return thread_start(self, *args)

        monkeypatch.setattr(QTimer, "start", tracked_timer_start)
        monkeypatch.setattr(QThread, "start", tracked_thread_start)
    yield
    leftover = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    for t in leftover:
        t.join(timeout=2.0)   # a thread that is finishing its last instruction; not a fixed wait
    alive = [t.name for t in leftover if t.is_alive() and not t.daemon]
    problems = []
    if alive:
        problems.append(f"threads still running: {alive}")
    if qt is not None:
        import shiboken6

        timers = [t for t in started_timers if shiboken6.isValid(t) and t.isActive()]
        threads = [t for t in started_qthreads if shiboken6.isValid(t) and t.isRunning()]
        for t in timers:
            t.stop()
        if timers:
            problems.append(f"{len(timers)} QTimer(s) still active")
        if threads:
            problems.append(f"{len(threads)} QThread(s) still running")
    if problems:
        pytest.fail("the test left work running: " + "; ".join(problems))


DEMO_PASSPHRASE = "synthetic-demo-passphrase"


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """A 3-patient demo store built once per test run through the real importers; copy it before writing."""
    from workstation import vault
    from workstation.demo import build_demo_store

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    build_demo_store(path, DEMO_PASSPHRASE, n_patients=3, kdf=vault.FAST_KDF).close()
    return path

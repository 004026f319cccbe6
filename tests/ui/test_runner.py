"""The background runner: results and errors on the GUI thread, progress, cancel, superseded jobs."""
from __future__ import annotations

import logging
import threading

import pytest

from workstation.errors import WrongPassphrase
from workstation.progress import Progress

from ui.runner import CANCELLED_TEXT, UNEXPECTED_TEXT, Runner


@pytest.fixture
def runner(qapp):
    r = Runner()
    yield r
    r.shutdown()


def test_result_arrives_on_gui_thread(runner, qtbot):
    seen = {}

    def work(a, b):
        seen["worker"] = threading.current_thread()
        return a + b

    def done(v):
        seen["gui"] = threading.current_thread()
        seen["value"] = v

    with qtbot.waitSignal(runner.busy_changed, check_params_cb=lambda busy: busy is False, timeout=5000):
        runner.submit(work, 2, 3, on_result=done)
    assert seen["value"] == 5
    assert seen["gui"] is threading.main_thread()
    assert seen["worker"] is not threading.main_thread()


def test_user_error_becomes_its_sentence(runner, qtbot):
    def fail():
        raise WrongPassphrase("The passphrase is not correct for this patient store.")

    with qtbot.waitSignal(runner.error, timeout=5000) as blocker:
        runner.submit(fail)
    assert blocker.args == ["The passphrase is not correct for this patient store."]


def test_unexpected_error_is_generic_and_logged_without_message(runner, qtbot, caplog):
    def boom():
        raise ValueError("patient Jane Doe has glucose 123")

    got = []
    with caplog.at_level(logging.ERROR, logger="ui.runner"):
        with qtbot.waitSignal(runner.busy_changed, check_params_cb=lambda b: b is False, timeout=5000):
            runner.submit(boom, on_error=got.append)
    assert got == [UNEXPECTED_TEXT]
    assert "ValueError" in caplog.text
    assert "Jane Doe" not in caplog.text and "123" not in caplog.text


def test_progress_is_polled_and_cancel_stops_the_job(runner, qtbot):
    started, release = threading.Event(), threading.Event()
    fractions: list[float] = []
    errors: list[str] = []

    def job(*, progress: Progress):
        progress.set(0.5, "half way")
        started.set()
        release.wait(5)
        progress.check()
        return "finished"

    p = Progress()
    j = runner.submit(job, progress=p, on_progress=lambda f, m: fractions.append(f), on_error=errors.append,
                      on_result=lambda v: errors.append("should not finish"))
    assert started.wait(5)
    qtbot.waitUntil(lambda: 0.5 in fractions, timeout=5000)   # the 100 ms timer delivered the snapshot
    j.cancel()
    release.set()
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert errors == [CANCELLED_TEXT]
    assert p.cancelled                                # the cancel reached the job's own progress handle


def test_newer_job_with_same_key_supersedes_older(runner, qtbot):
    gate = threading.Event()
    results: list[str] = []
    runner.submit(gate.wait, 5)                      # keeps the worker busy so the next two queue up
    runner.submit(lambda: "old", key="profile", on_result=results.append)
    runner.submit(lambda: "new", key="profile", on_result=results.append)
    gate.set()
    qtbot.waitUntil(lambda: not runner.busy, timeout=5000)
    assert results == ["new"]

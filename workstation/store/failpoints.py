"""Failpoints: named moments at which a test can make this process die as if the power went out.

``WORKSTATION_FAILPOINT=name`` (or ``name#k`` for its k-th passage; several comma-separated) makes :func:`hit` send SIGKILL to the current process
when it reaches that moment — no cleanup, no ``finally``, exactly like ``kill -9`` or a power cut. Unset (the
normal case) :func:`hit` costs one dictionary lookup. ``WORKSTATION_FAILPOINT_LOG=path`` appends the name of
every failpoint passed (with the time), so a test can enumerate the moments an operation goes through.
The kill tests (tests/core/test_kill_points.py) run a child process with each failpoint armed and then check that
the store opens, its audit log verifies and the operation happened completely or not at all.
"""
from __future__ import annotations

import os
import signal
import time

_passed: dict[str, int] = {}


def hit(name: str) -> None:
    armed = os.environ.get("WORKSTATION_FAILPOINT")
    log = os.environ.get("WORKSTATION_FAILPOINT_LOG")
    if not (armed or log):
        return
    n = _passed[name] = _passed.get(name, 0) + 1
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{name}#{n} {time.time():.6f}\n")
    if armed and (name in armed.split(",") or f"{name}#{n}" in armed.split(",")):
        if hasattr(signal, "SIGKILL"):
            os.kill(os.getpid(), signal.SIGKILL)
        os._exit(137)  # Windows: no SIGKILL; an immediate exit without cleanup is the nearest

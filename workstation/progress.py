"""Progress reporting and cancellation for long core jobs.

A job is a plain function ``run(inputs..., progress: Progress) -> Result``. It calls
``progress.set(fraction, message)`` now and then and ``progress.check()`` (raises :class:`Cancelled`) at safe
points. The object is thread-safe: the UI's background runner polls :meth:`snapshot` from the GUI thread while
the job runs on a worker.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass


class Cancelled(Exception):
    """The user cancelled the job; whatever it was writing has been rolled back."""


@dataclass(frozen=True)
class Snapshot:
    fraction: float
    message: str
    cancelled: bool


class Progress:
    """Fraction in [0, 1], a short message, and a cancel flag. Safe to share between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._fraction = 0.0
        self._message = ""
        self._cancelled = False

    def set(self, fraction: float | None = None, message: str | None = None) -> None:
        with self._lock:
            if fraction is not None:
                self._fraction = min(1.0, max(0.0, float(fraction)))
            if message is not None:
                self._message = message

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True

    @property
    def cancelled(self) -> bool:
        with self._lock:
            return self._cancelled

    def check(self) -> None:
        """Raise :class:`Cancelled` if cancel() was called."""
        if self.cancelled:
            raise Cancelled("cancelled by the user")

    def snapshot(self) -> Snapshot:
        with self._lock:
            return Snapshot(self._fraction, self._message, self._cancelled)


class NullProgress(Progress):
    """A Progress nobody watches (CLI default)."""


def ensure(progress: Progress | None) -> Progress:
    return progress if progress is not None else NullProgress()

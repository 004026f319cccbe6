"""The one background runner: core functions on a single worker thread, results back on the GUI thread.

Every piece of store work goes through :meth:`Runner.submit`, so all of it is serialised on one worker (the DuckDB
connection is only ever used from that thread). Results and errors arrive through a queued signal, so callbacks
run on the GUI thread; progress is polled from :meth:`Progress.snapshot` by a 100 ms timer; cancel is
:meth:`Job.cancel`. A job submitted with a ``key`` supersedes earlier jobs with the same key: a queued one is
skipped, a running one has its result dropped (switching patients quickly only loads the last one).

Errors: a :class:`WorkstationError` becomes its own plain sentence; :class:`Cancelled` a fixed sentence; anything
else a generic sentence, and the traceback is logged without the exception's message (which might hold patient
data). Ownership: the window owns the runner and calls :meth:`shutdown` when it closes.
"""
from __future__ import annotations

import itertools
import logging
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from workstation.errors import WorkstationError
from workstation.progress import Cancelled, Progress

log = logging.getLogger(__name__)

CANCELLED_TEXT = "Cancelled; nothing was changed."
UNEXPECTED_TEXT = ("Something went wrong inside the workstation and the action was not completed. "
                   "The technical details were written to the log.")


def error_sentence(exc: BaseException) -> str:
    """The sentence shown for ``exc``; unexpected errors are logged (type and stack only, no message)."""
    if isinstance(exc, WorkstationError):
        return str(exc)
    if isinstance(exc, Cancelled):
        return CANCELLED_TEXT
    stack = "\n".join(f"  {f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(exc.__traceback__))
    log.error("unexpected %s in a background job\n%s", type(exc).__name__, stack)
    return UNEXPECTED_TEXT


@dataclass(eq=False)
class Job:
    """A submitted call. ``cancel()`` asks the function to stop (it must check its Progress)."""

    id: int
    key: str | None
    fn: Callable[..., Any]
    args: tuple
    kwargs: dict
    progress: Progress | None
    on_result: Callable[[Any], None] | None
    on_error: Callable[[str], None] | None
    on_progress: Callable[[float, str], None] | None
    generation: int
    superseded: bool = False
    done: bool = False
    outcome: tuple = field(default=())

    def cancel(self) -> None:
        self.superseded = self.superseded or self.progress is None
        if self.progress is not None:
            self.progress.cancel()


class Runner(QObject):
    """Single-worker job runner. ``busy_changed(bool)`` tells the window when work starts and stops;
    ``error(str)`` carries sentences of jobs submitted without their own ``on_error``."""

    busy_changed = Signal(bool)
    error = Signal(str)
    _finished = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool: ThreadPoolExecutor | None = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        self._ids = itertools.count(1)
        self._generation = 0
        self._pending: dict[int, Job] = {}
        self._latest: dict[str, Job] = {}
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._timer = QTimer(self)
        self._timer.setInterval(100)
        self._timer.timeout.connect(self._poll)

    def submit(self, fn: Callable[..., Any], *args: Any, key: str | None = None,
               on_result: Callable[[Any], None] | None = None, on_error: Callable[[str], None] | None = None,
               progress: Progress | None = None, on_progress: Callable[[float, str], None] | None = None,
               **kwargs: Any) -> Job:
        """Run ``fn(*args, **kwargs)`` (plus ``progress=`` when given) on the worker; callbacks on the GUI thread."""
        if self._pool is None:
            raise RuntimeError("the runner has been shut down")
        job = Job(next(self._ids), key, fn, args, kwargs, progress, on_result, on_error, on_progress,
                  self._generation)
        if key is not None:
            prev = self._latest.get(key)
            if prev is not None and not prev.done:
                prev.cancel()
                prev.superseded = True
            self._latest[key] = job
        self._pending[job.id] = job
        if len(self._pending) == 1:
            self.busy_changed.emit(True)
        if progress is not None and on_progress is not None and not self._timer.isActive():
            self._timer.start()
        self._pool.submit(self._work, job)
        return job

    def discard_all(self) -> None:
        """Drop the results of everything submitted so far (used when the store is locked)."""
        self._generation += 1
        for job in self._pending.values():
            job.cancel()
            job.superseded = True

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def shutdown(self) -> None:
        """Cancel what is queued, wait for the running job to stop, and end the worker thread."""
        self.discard_all()
        self._timer.stop()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=False)
            self._pool = None
        self._pending.clear()

    # -- worker side ---------------------------------------------------------------------------------------------
    def _work(self, job: Job) -> None:
        if job.superseded:
            job.outcome = ("skipped", None)
        elif job.progress is not None and job.progress.cancelled:   # cancelled while queued: never starts
            job.outcome = ("error", Cancelled("cancelled before it started"))
        else:
            try:
                kw = dict(job.kwargs)
                if job.progress is not None:
                    kw["progress"] = job.progress
                job.outcome = ("ok", job.fn(*job.args, **kw))
            except BaseException as exc:  # delivered to the GUI thread as a sentence
                job.outcome = ("error", exc)
        self._finished.emit(job)

    # -- GUI side ------------------------------------------------------------------------------------------------
    def _deliver(self, job: Job) -> None:
        job.done = True
        self._pending.pop(job.id, None)
        if self._latest.get(job.key or "") is job:
            del self._latest[job.key]
        if not any(j.progress is not None and j.on_progress for j in self._pending.values()):
            self._timer.stop()
        if job.outcome[0] == "ok" and job.on_progress is not None and job.progress is not None:
            job.on_progress(1.0, job.progress.snapshot().message)
        live = not job.superseded and job.generation == self._generation
        kind, value = job.outcome
        if live and kind == "ok" and job.on_result is not None:
            job.on_result(value)
        elif kind == "error" and (live or not isinstance(value, Cancelled)):
            text = error_sentence(value)
            if live and job.on_error is not None:
                job.on_error(text)
            elif live:
                self.error.emit(text)
        if not self._pending:
            self.busy_changed.emit(False)

    def _poll(self) -> None:
        for job in list(self._pending.values()):
            if job.progress is not None and job.on_progress is not None and not job.superseded:
                snap = job.progress.snapshot()
                job.on_progress(snap.fraction, snap.message)

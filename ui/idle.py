"""Idle auto-lock: a single-shot timer restarted by any keyboard or mouse input anywhere in the application."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

_INPUT = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel,
          QEvent.Type.TouchBegin}


class IdleLock(QObject):
    """``idle`` fires after ``minutes`` without input while armed. 0 minutes = never. Owned by the window."""

    idle = Signal()

    def __init__(self, minutes: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.idle.emit)
        self._armed = False
        self.set_minutes(minutes)
        QApplication.instance().installEventFilter(self)

    def set_minutes(self, minutes: int) -> None:
        self._minutes = int(minutes)
        self._timer.setInterval(max(1, self._minutes) * 60_000)
        self.arm() if self._armed else self.disarm()

    def arm(self) -> None:
        self._armed = True
        if self._minutes > 0:
            self._timer.start()
        else:
            self._timer.stop()

    def disarm(self) -> None:
        self._armed = False
        self._timer.stop()

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if self._armed and event.type() in _INPUT and self._minutes > 0:
            self._timer.start()
        return False

    def shutdown(self) -> None:
        self.disarm()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

"""The window's tab widget: each view sits in a scroll area, so on a small screen a view scrolls instead of making
the window taller than the screen. Python callers keep addressing the views themselves: ``currentWidget()``,
``widget(i)``, ``indexOf(view)`` and ``setCurrentWidget(view)`` see through the scroll area."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QTabWidget, QWidget


class ViewTabs(QTabWidget):
    def addTab(self, view: QWidget, title: str) -> int:  # noqa: N802 - Qt API
        scroll = QScrollArea()
        scroll.setObjectName("page")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        scroll.setWidget(view)
        return super().addTab(scroll, title)

    @staticmethod
    def _inner(w: QWidget | None) -> QWidget | None:
        return w.widget() if isinstance(w, QScrollArea) else w

    def currentWidget(self) -> QWidget | None:  # noqa: N802
        return self._inner(super().currentWidget())

    def widget(self, index: int) -> QWidget | None:
        return self._inner(super().widget(index))

    def indexOf(self, view: QWidget) -> int:  # noqa: N802
        for i in range(self.count()):
            if self.widget(i) is view:
                return i
        return -1

    def setCurrentWidget(self, view: QWidget) -> None:  # noqa: N802
        i = self.indexOf(view)
        if i >= 0:
            self.setCurrentIndex(i)

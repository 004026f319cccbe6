"""Small shared building blocks: cards, section titles, tables configured the same way everywhere."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget)

from ui.widgets.frame_model import Column, FrameModel, MaskProxy


def label(text: str = "", *, name: str = "", wrap: bool = False, selectable: bool = False) -> QLabel:
    w = QLabel(text)
    if name:
        w.setObjectName(name)
    w.setWordWrap(wrap)
    if selectable:
        w.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return w


class Card(QFrame):
    """A titled white panel; ``body`` is its layout."""

    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(14, 12, 14, 12)
        self.body.setSpacing(8)
        self.title = label(title, name="section")
        if title:
            self.body.addWidget(self.title)


class FrameTable(QTableView):
    """A sortable read-only table bound to a :class:`FrameModel` through a :class:`MaskProxy`."""

    def __init__(self, columns: list[Column], parent: QWidget | None = None, *, sortable: bool = True,
                 stretch: int | None = None) -> None:
        super().__init__(parent)
        self.source = FrameModel(columns, self)
        self.proxy = MaskProxy(self)
        self.proxy.setSourceModel(self.source)
        self.setModel(self.proxy)
        self.setAlternatingRowColors(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(28)
        h = self.horizontalHeader()
        h.setHighlightSections(False)
        h.setResizeContentsPrecision(40)          # fit columns to the first 40 rows, not every row
        h.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        h.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        h.setStretchLastSection(stretch is None)
        self._stretch = stretch          # this column takes the spare width (see set_frame)
        self._stretch_fit = 0
        if stretch is not None:
            h.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        self.setSortingEnabled(sortable)
        if sortable:
            h.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)

    def set_frame(self, frame, *, fit: bool = True) -> None:
        """Show ``frame``. With ``fit``, columns fit their contents and the stretch column takes the spare width
        but is never cut by more than 15 % (the table scrolls instead); without, the stretch column fills what
        the others leave and elides."""
        self.proxy.set_mask(None)
        self.source.set_frame(frame)
        if self._stretch is not None:
            self.horizontalHeader().setSectionResizeMode(
                self._stretch, QHeaderView.ResizeMode.Interactive if fit else QHeaderView.ResizeMode.Stretch)
            self._stretch_fit = 0
        if fit:
            self.resizeColumnsToContents()
            for c in range(self.source.columnCount()):
                self.setColumnWidth(c, min(max(self.columnWidth(c) + 12, 70), 420))
            if self._stretch is not None:
                self._stretch_fit = self.columnWidth(self._stretch)
                self._fill_width()

    def _fill_width(self) -> None:
        """Give the stretch column the width the others leave (a horizontal scroll bar rather than text clipped
        by more than 15 % when the table is narrower than its contents)."""
        if self._stretch is None or not self._stretch_fit:
            return
        others = sum(self.columnWidth(c) for c in range(self.source.columnCount()) if c != self._stretch)
        # a little short (an empty table's headers, a few pixels) elides; much too short scrolls
        self.setColumnWidth(self._stretch, max(int(self._stretch_fit * 0.85), self.viewport().width() - others))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fill_width()

    def clear(self) -> None:
        self.source.set_frame(None)

"""The patient list: search-as-you-type over name and identifiers, sortable, instant with 10,000 patients."""
from __future__ import annotations

import numpy as np
import pandas as pd
from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from ui.widgets.common import FrameTable, label
from ui.widgets.frame_model import Column

SEX = {"female": "F", "male": "M", "other": "Other", "unknown": "?"}
COLUMNS = [Column("name", "Name"), Column("birth_date", "Born"), Column("sex", "Sex", fmt=lambda v: SEX.get(v, v or "")),
           Column("n_sources", "Sources", numeric=True)]
MIN_WIDTH = 300           # below this even a short name is cut; the main window starts the list wider


class PatientList(QWidget):
    """``patient_selected(id)`` fires when the current row changes to a patient."""

    patient_selected = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 12, 6, 12)
        lay.setSpacing(8)
        lay.addWidget(label("Patients", name="title"))
        self.search = QLineEdit(placeholderText="Search name or identifier  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        lay.addWidget(self.search)
        self.table = FrameTable(COLUMNS, stretch=0)       # the name takes the width the other columns leave
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)   # a cut name ends in "…"; its tooltip is whole
        self.setMinimumWidth(MIN_WIDTH)
        self.table.source.layoutChanged.connect(self._filter)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        lay.addWidget(self.table, 1)
        self.count = label("", name="muted")
        lay.addWidget(self.count)

    def set_patients(self, df: pd.DataFrame) -> None:
        current = self.current_id()
        self.table.set_frame(df, fit=False)
        h = self.table.horizontalHeader()
        fm = h.fontMetrics()
        pad = 2 * h.style().pixelMetric(h.style().PixelMetric.PM_HeaderMargin) + 22   # margins + sort arrow
        for c, sample in ((1, "0000-00-00"), (2, "Other"), (3, "Sources")):
            h.resizeSection(c, max(fm.horizontalAdvance(sample), fm.horizontalAdvance(COLUMNS[c].title)) + pad)
        self._filter()
        if current:
            self.select(current, emit=False)

    def clear(self) -> None:
        self.table.clear()
        self.search.clear()
        self.count.setText("")

    def _filter(self, *_a) -> None:
        df = self.table.source.frame
        text = self.search.text().strip().lower()
        mask = None
        if text and "search" in df.columns and len(df):
            mask = np.ones(len(df), dtype=bool)
            for word in text.split():
                mask &= df["search"].str.contains(word, regex=False).to_numpy(dtype=bool)
        self.table.proxy.set_mask(mask)
        shown = self.table.proxy.rowCount()
        self.count.setText(f"{shown:,} of {len(df):,} patients" if mask is not None else f"{len(df):,} patients")

    def current_id(self) -> str | None:
        idx = self.table.currentIndex()
        if not idx.isValid():
            return None
        return str(self.table.source.frame["id"].iat[self.table.proxy.mapToSource(idx).row()])

    def _current_changed(self, cur, _prev) -> None:
        if cur.isValid():
            self.patient_selected.emit(str(self.table.source.frame["id"].iat[self.table.proxy.mapToSource(cur).row()]))

    def select(self, patient_id: str, *, emit: bool = True) -> bool:
        ids = self.table.source.frame["id"] if "id" in self.table.source.frame.columns else pd.Series(dtype=str)
        hits = np.flatnonzero(ids.to_numpy() == patient_id)
        if not len(hits):
            return False
        idx = self.table.proxy.mapFromSource(self.table.source.index(int(hits[0]), 0))
        if not idx.isValid():
            return False
        self.table.selectionModel().blockSignals(not emit)
        self.table.selectionModel().setCurrentIndex(
            idx, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.table.selectionModel().blockSignals(False)
        self.table.scrollTo(idx)
        return True

    def step(self, delta: int) -> None:
        n = self.table.proxy.rowCount()
        if not n:
            return
        row = self.table.currentIndex().row()
        row = 0 if row < 0 else min(max(row + delta, 0), n - 1)
        self.table.setCurrentIndex(self.table.proxy.index(row, 0))
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

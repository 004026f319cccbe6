"""Omics: expression, proteomics and metabolomics values with reference intervals or z-scores (and their basis),
sortable and filterable, with counts and a plot of the most deviant analytes."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLineEdit, QSplitter, QVBoxLayout, QWidget

from workstation.store import queries

from ui import theme
from workstation.display import number_text, unit_text
from ui.views.base import PatientView
from ui.widgets.common import Card, FrameTable, label
from ui.widgets.frame_model import Column

TOP_N = 20


def _status_tone(v) -> str | None:
    return {"high": "avoid", "low": "accent", "no reference": "text_muted"}.get(str(v))


# What a clinician reads first (name, value, unit, reference, z, status) comes first; identifiers after.
COLUMNS = [Column("name", "Analyte"), Column("value", "Value", fmt=number_text, numeric=True),
           Column("unit", "Unit", fmt=unit_text),
           Column("ref_low", "Ref. low", fmt=number_text, numeric=True),
           Column("ref_high", "Ref. high", fmt=number_text, numeric=True),
           Column("z", "z", numeric=True, fmt=lambda v: "" if v is None or pd.isna(v) else f"{v:+.2f}"),
           Column("status", "Status", tone=_status_tone), Column("omics", "Layer"),
           Column("analyte_id", "Identifier"), Column("z_basis", "z basis")]
NAME_WIDTH = 210          # fits "Trimethylamine N-oxide"; longer names elide, the tooltip has them in full


class OmicsView(PatientView):

    TABLES = frozenset({"analytes"})
    def __init__(self, session, prefs, parent: QWidget | None = None) -> None:
        super().__init__(session, prefs, parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        bar = QHBoxLayout()
        self.layer = QComboBox()
        self.layer.addItem("All layers", "")
        for k, t in (("transcriptomics", "Expression"), ("proteomics", "Proteomics"),
                     ("metabolomics", "Metabolomics")):
            self.layer.addItem(t, k)
        self.search = QLineEdit(placeholderText="Filter by analyte name or identifier")
        self.search.setClearButtonEnabled(True)
        self.outside = QCheckBox("Outside reference only")
        for w in (self.layer, self.search, self.outside):
            bar.addWidget(w)
        bar.setStretch(1, 1)
        lay.addLayout(bar)
        self.counts = label("", name="muted")
        lay.addWidget(self.counts)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.table = FrameTable(COLUMNS)
        split.addWidget(self.table)
        card = Card(f"Most deviant analytes (top {TOP_N} by |z|)")
        self.plot = pg.PlotWidget()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.showGrid(x=True, alpha=0.15)
        self.plot.setLabel("bottom", "z-score")
        self.plot.getAxis("left").setWidth(210)
        card.body.addWidget(self.plot)
        self.basis = label("", name="hint", wrap=True)
        card.body.addWidget(self.basis)
        split.addWidget(card)
        split.setSizes([940, 560])
        lay.addWidget(split, 1)
        self._df = pd.DataFrame()
        self.layer.currentIndexChanged.connect(self._filter)
        self.search.textChanged.connect(self._filter)
        self.outside.toggled.connect(self._filter)
        self.table.source.layoutChanged.connect(self._filter)

    def show_patient(self, profile) -> None:
        self.fetch(queries.analytes_with_z, profile.id, key="omics", on_result=self._loaded)

    def _loaded(self, df: pd.DataFrame) -> None:
        if self.profile is None:
            return
        self._df = df
        self.table.set_frame(df)
        self.table.setColumnWidth(0, min(self.table.columnWidth(0), NAME_WIDTH))
        self._filter()
        self._plot(df)
        self.loaded.emit()

    def _filter(self, *_a) -> None:
        df = self.table.source.frame
        if df.empty:
            self.counts.setText("No omics data for this patient." if self.profile is not None else "")
            return
        mask = np.ones(len(df), dtype=bool)
        if self.layer.currentData():
            mask &= (df["omics"] == self.layer.currentData()).to_numpy()
        text = self.search.text().strip().lower()
        if text:
            hay = (df["name"].fillna("") + " " + df["analyte_id"].fillna("")).str.lower()
            mask &= hay.str.contains(text, regex=False).to_numpy()
        if self.outside.isChecked():
            mask &= df["status"].isin(["low", "high"]).to_numpy()
        self.table.proxy.set_mask(mask)
        st = df.loc[mask, "status"].value_counts()
        self.counts.setText(f"{int(mask.sum()):,} of {len(df):,} analytes · {st.get('high', 0)} high · "
                            f"{st.get('low', 0)} low · {st.get('no reference', 0)} without reference")

    def _plot(self, df: pd.DataFrame) -> None:
        self.plot.clear()
        tok = theme.current()
        top = df.dropna(subset=["z"]).head(TOP_N)[::-1]
        if top.empty:
            self.basis.setText("No analyte has a reference interval or enough values in this store for a z-score.")
            return
        y = np.arange(len(top))
        z = top["z"].to_numpy(dtype=float)
        brushes = [pg.mkBrush(tok.avoid if v > 0 else tok.accent) for v in z]
        self.plot.addItem(pg.BarGraphItem(x0=np.minimum(z, 0), x1=np.maximum(z, 0), y=y, height=0.7,
                                          brushes=brushes, pen=pg.mkPen(None)))
        labels = [n if len(str(n)) <= 24 else a for n, a in zip(top["name"], top["analyte_id"])]
        self.plot.getAxis("left").setTicks([[(int(i), str(t)) for i, t in zip(y, labels)]])
        for v in (-1.96, 1.96):
            self.plot.addItem(pg.InfiniteLine(v, angle=90, pen=pg.mkPen(tok.text_muted, style=Qt.PenStyle.DashLine)))
        bases = ", ".join(sorted(top["z_basis"].dropna().unique()))
        self.basis.setText(f"z basis: {bases}. Dashed lines: ±1.96 (the edges of a reference interval taken as the "
                           "central 95 %). Analytes without an interval or cohort have no z and are not shown.")

    def clear(self) -> None:
        self._df = pd.DataFrame()
        self.table.clear()
        self.plot.clear()
        self.counts.setText("")
        self.basis.setText("")


if __name__ == "__main__":
    from ui.views._preview import main

    raise SystemExit(main(OmicsView))

"""Wearables: heart rate, steps, sleep and other metrics over up to a year of minute-level samples, with daily
summaries. The store downsamples very long ranges; pyqtgraph's peak downsampling and clip-to-view keep zooming
smooth on a full year (525,600 points)."""
from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QVBoxLayout, QWidget

from workstation.store import queries

from ui import theme
from workstation.display import unit_text
from ui.views._plot_axes import grid_axes
from ui.views.base import PatientView
from ui.widgets.common import Card, label

TITLES = {"heart_rate": "Heart rate", "steps": "Steps", "sleep": "Sleep", "hrv_sdnn": "Heart-rate variability (SDNN)",
          "bp_systolic": "Systolic blood pressure", "bp_diastolic": "Diastolic blood pressure"}
SUMMED = {"steps", "sleep"}   # daily total is meaningful; for the others the daily mean and range


def _load_metric(store, patient_id: str, metric: str, days: int, last) -> dict:
    """Runs on the worker: the series for the last ``days`` days and the daily summary."""
    start = (pd.Timestamp(last) - timedelta(days=days)).to_pydatetime() if last is not None else None
    return {"metric": metric, "series": queries.wearable_series(store, patient_id, metric, start=start),
            "daily": queries.wearable_daily(store, patient_id, metric)}


def _load_first(store, patient_id: str, days: int) -> dict:
    """Runs on the worker: the patient's metrics and, in the same job, the series of the one shown first (heart
    rate when there is one), so a patient switch waits for one round trip to the worker, not two."""
    metrics = queries.wearable_metrics(store, patient_id)
    out = {"metrics": metrics, "first": None}
    if not metrics.empty:
        names = metrics["metric"].tolist()
        m = "heart_rate" if "heart_rate" in names else names[0]
        out["first"] = _load_metric(store, patient_id, m, days, metrics.loc[metrics["metric"] == m, "last"].iloc[0])
    return out


class WearablesView(PatientView):
    def __init__(self, session, prefs, parent: QWidget | None = None) -> None:
        super().__init__(session, prefs, parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        lay.setSpacing(10)
        bar = QHBoxLayout()
        bar.addWidget(label("Metric:"))
        self.metric_box = QComboBox()
        self.metric_box.setMinimumWidth(240)
        self.metric_box.currentIndexChanged.connect(self._metric_changed)
        bar.addWidget(self.metric_box)
        self.summary = label("", name="muted")
        bar.addWidget(self.summary, 1)
        lay.addLayout(bar)
        self.card = Card("")
        self.plot = pg.PlotWidget(axisItems=grid_axes(dates=True))
        self.plot.setDownsampling(auto=True, mode="peak")
        self.plot.setClipToView(True)
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        # a year of minute samples is drawn as a dense min/max envelope: without antialiasing a frame is ~1/3 faster
        self.curve = self.plot.plot(pen=pg.mkPen(theme.current().series[0], width=1), antialias=False)
        self.card.body.addWidget(self.plot)
        lay.addWidget(self.card, 3)
        daily_card = self.daily_card = Card("Daily summary")
        self.daily = pg.PlotWidget(axisItems=grid_axes(dates=True))
        self.daily.showGrid(x=True, y=True, alpha=0.15)
        self.daily.setMenuEnabled(False)
        self.daily.hideButtons()
        self.daily.setXLink(self.plot)
        daily_card.body.addWidget(self.daily)
        lay.addWidget(daily_card, 2)
        self.note = label("", name="hint", wrap=True)
        lay.addWidget(self.note)
        self._metrics = pd.DataFrame()
        self.points = 0

    def show_patient(self, profile) -> None:
        self.fetch(_load_first, profile.id, int(self.prefs.get("wearables/window_days")), key="wear-series",
                   on_result=self._first_loaded)

    def _first_loaded(self, data: dict) -> None:
        df, first = data["metrics"], data["first"]
        self._metrics = df
        self.metric_box.blockSignals(True)
        self.metric_box.clear()
        for m, unit, n in zip(df["metric"], df["unit"], df["n"]):
            self.metric_box.addItem(f"{TITLES.get(m, m.replace('_', ' ').capitalize())} ({n:,} samples)", m)
        if first is not None:
            self.metric_box.setCurrentIndex(max(self.metric_box.findData(first["metric"]), 0))
        self.metric_box.blockSignals(False)
        if first is None:
            self._clear_plots()
            self.note.setText("No wearable data for this patient.")
            self.loaded.emit()
            return
        self._series_loaded(first)

    def _metric_changed(self, *_a) -> None:
        if self.metric_box.currentIndex() < 0 or self.profile is None:   # no currentData() of nothing (PySide6 6.12)
            return
        m = self.metric_box.currentData()
        last = self._metrics.loc[self._metrics["metric"] == m, "last"].iloc[0]
        self.fetch(_load_metric, self.profile.id, m, int(self.prefs.get("wearables/window_days")), last,
                   key="wear-series", on_result=self._series_loaded)

    def _series_loaded(self, data: dict) -> None:
        if self.profile is None:
            return
        tok = theme.current()
        m = data["metric"]
        s, d = data["series"], data["daily"]
        unit = unit_text(self._metrics.loc[self._metrics["metric"] == m, "unit"].iloc[0])
        title = TITLES.get(m, m)
        self.card.title.setText(f"{title} ({unit})" if unit else title)
        t = s["t"].to_numpy(dtype=float)
        self.curve.setData(t, s["value"].to_numpy(dtype=float))
        self.points = len(t)
        self.daily.clear()
        if not d.empty:
            x = pd.to_datetime(d["day"]).astype("datetime64[s]").astype("int64").to_numpy() + 43200.0
            if m in SUMMED:
                self.daily.addItem(pg.BarGraphItem(x=x, height=d["total"].to_numpy(dtype=float), width=86400 * 0.8,
                                                   brush=pg.mkBrush(tok.series[0] + "cc"), pen=pg.mkPen(None)))
                daily_title = f"Daily total ({unit})"
            else:
                lo, hi = d["min"].to_numpy(dtype=float), d["max"].to_numpy(dtype=float)
                band_lo = self.daily.plot(x, lo, pen=pg.mkPen(None))
                band_hi = self.daily.plot(x, hi, pen=pg.mkPen(None))
                self.daily.addItem(pg.FillBetweenItem(band_lo, band_hi, brush=pg.mkBrush(tok.series[0] + "33")))
                self.daily.plot(x, d["mean"].to_numpy(dtype=float), pen=pg.mkPen(tok.series[0], width=2))
                daily_title = f"Daily mean (line) and range (band), {unit}"
            self.daily_card.title.setText(daily_title)
            self.summary.setText(self._summary(m, d, unit))
        if len(t):
            self.plot.setXRange(t[0], t[-1], padding=0.01)
            self.plot.enableAutoRange(y=True)
        self.note.setText("Times are shown in this computer's time zone; days are summarised in UTC.")
        self.loaded.emit()

    @staticmethod
    def _summary(metric: str, d: pd.DataFrame, unit: str) -> str:
        last7 = d.tail(7)
        col = "total" if metric in SUMMED else "mean"
        v = float(np.nanmean(last7[col].to_numpy(dtype=float)))
        period = f"{pd.Timestamp(last7['day'].iloc[0]):%d %b} – {pd.Timestamp(last7['day'].iloc[-1]):%d %b %Y}"
        what = "per day" if metric in SUMMED else "mean"
        return f"Last 7 days ({period}): {v:,.0f} {unit} {what} · {len(d):,} days recorded"

    def _clear_plots(self) -> None:
        self.curve.setData([], [])
        self.daily.clear()
        self.points = 0

    def clear(self) -> None:
        self._metrics = pd.DataFrame()
        self.metric_box.blockSignals(True)
        self.metric_box.clear()
        self.metric_box.blockSignals(False)
        self._clear_plots()
        self.summary.setText("")
        self.note.setText("")
        self.card.title.setText("")


if __name__ == "__main__":
    from ui.views._preview import main

    raise SystemExit(main(WearablesView))

"""What the wearable importers share: metric names, default units, and a chunked writer.

Every wearable sample becomes one ``wearable_samples`` row: metric, start/end in UTC, value, UCUM unit, the
source's UTC offset in minutes (kept), device. Rows are written in chunks (``CHUNK`` rows) through
``batch.insert_frame`` inside the file's one transaction, so memory stays bounded for multi-GB exports.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from workstation.units import to_ucum

CHUNK = 100_000
COLUMNS = ["metric", "start_utc", "end_utc", "value", "unit", "utc_offset_min", "device"]

# metric → default UCUM unit (used when a source gives none)
DEFAULT_UNITS = {"heart_rate": "/min", "resting_heart_rate": "/min", "steps": "{steps}", "sleep": "min",
                 "sleep_in_bed": "min", "sleep_awake": "min", "hrv_sdnn": "ms", "bp_systolic": "mm[Hg]",
                 "bp_diastolic": "mm[Hg]", "spo2": "%", "respiratory_rate": "/min", "distance": "km"}

METRIC_ALIASES = {"hr": "heart_rate", "heartrate": "heart_rate", "heart_rate_bpm": "heart_rate",
                  "pulse": "heart_rate", "step": "steps", "step_count": "steps", "stepcount": "steps",
                  "sleep_minutes": "sleep", "asleep": "sleep", "hrv": "hrv_sdnn", "sdnn": "hrv_sdnn",
                  "systolic": "bp_systolic", "diastolic": "bp_diastolic", "oxygen_saturation": "spo2",
                  "resting_hr": "resting_heart_rate"}


def norm_metric(name: str) -> str:
    m = "_".join(str(name).strip().lower().replace("-", " ").split())
    return METRIC_ALIASES.get(m, m)


def norm_units(units: pd.Series, metrics: pd.Series) -> pd.Series:
    """UCUM units (aliases rewritten; empty → the metric's default), computed per distinct value."""
    u = units.fillna("").astype(str).str.strip()
    keyed = u + "\x1f" + metrics.astype(str)
    codes, uniques = pd.factorize(keyed)
    mapped = np.array([_unit(*k.split("\x1f", 1)) for k in uniques], dtype=object)
    return pd.Series(mapped[codes], index=units.index, dtype=object)


def _unit(unit: str, metric: str) -> str | None:
    u = to_ucum(unit)
    if u is None or (u == "{count}" and metric in DEFAULT_UNITS):
        return DEFAULT_UNITS.get(metric, u)
    return u


class SampleWriter:
    """Collects sample rows (dicts or frames) and writes them to the batch in chunks; counts per metric."""

    def __init__(self, batch) -> None:
        self.batch = batch
        self.rows: list[tuple] = []
        self.counts: dict[str, int] = {}

    def add(self, metric, start_utc, end_utc, value, unit, offset, device) -> None:
        self.rows.append((metric, start_utc, end_utc, value, unit, offset, device))
        if len(self.rows) >= CHUNK:
            self.flush()

    def add_frame(self, df: pd.DataFrame) -> None:
        if len(df):
            self.batch.insert_frame("wearable_samples", df[COLUMNS])
            for m, n in df["metric"].value_counts().items():
                self.counts[m] = self.counts.get(m, 0) + int(n)

    def flush(self) -> None:
        if not self.rows:
            return
        df = pd.DataFrame(self.rows, columns=COLUMNS)
        self.rows = []
        df["start_utc"] = pd.to_datetime(df["start_utc"])
        df["end_utc"] = pd.to_datetime(df["end_utc"])
        df["value"] = pd.to_numeric(df["value"])
        df["utc_offset_min"] = df["utc_offset_min"].astype("Int32")
        self.add_frame(df)

    def finish(self) -> None:
        self.flush()
        for m, n in sorted(self.counts.items()):
            self.batch.counts[m] = n

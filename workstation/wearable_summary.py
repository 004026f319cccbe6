"""Wearable data for the Wearables view, assembled in the core: one metric's samples, its per-day summaries (mean,
range, totals, resting heart rate where the record allows), the scales a user can pick and the timeline events to
annotate. Call :func:`load_metric` on the store's thread. No Qt.

Resting heart rate (per day): the metric ``resting_heart_rate`` when the record has it (e.g. Apple Health's
HKQuantityTypeIdentifierRestingHeartRate, computed by the device); otherwise, when the patient has minute-level
heart rate *and* steps, the mean heart rate of the minutes with no steps in the 12 minutes up to and including that
minute, the RHR definition of Mishra et al., "Pre-symptomatic detection of COVID-19 from smartwatch data", Nat
Biomed Eng 2020;4:1208-1220 (code: github.com/gireeshkbogu/AnomalyDetect, scripts/rhrad_offline.py,
``resting_heart_rate``: ``steps.rolling(12).sum() == 0`` on 1-minute data). Here all 12 minutes must have a steps
record (a minute without one is unknown, not zero). Without minute-level steps there is no resting heart rate, and
:attr:`MetricData.resting_basis` says why.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import pandas as pd

from workstation import timeline as tl
from workstation import units

TITLES = {"heart_rate": "Heart rate", "resting_heart_rate": "Resting heart rate", "steps": "Steps",
          "sleep": "Sleep", "sleep_in_bed": "Time in bed", "sleep_awake": "Awake in bed",
          "hrv_sdnn": "Heart-rate variability (SDNN)", "bp_systolic": "Systolic blood pressure",
          "bp_diastolic": "Diastolic blood pressure", "spo2": "Oxygen saturation",
          "respiratory_rate": "Respiratory rate", "distance": "Distance"}
SUMMED = {"steps", "sleep", "sleep_in_bed", "sleep_awake", "distance"}   # a day's total means something
SCALES = {"day": 1, "week": 7, "month": 30, "year": 365}                  # days shown by each button
RAW_MAX_DAYS = 2.5          # up to this span the samples themselves are drawn; beyond it, the per-day summaries
RESTING_WINDOW_MIN = 12     # Mishra et al. 2020 (see the module docstring)
RESTING_BASIS = ("Resting heart rate: the mean heart rate of the minutes with no steps in the preceding 12 minutes "
                 "(Mishra et al., Nat Biomed Eng 2020).")
NO_MINUTE_STEPS = "No resting heart rate: it needs minute-level steps recorded beside the heart rate."
NO_REST = "No resting heart rate: no 12-minute stretch without steps had a heart rate."
ANNOTATED_LANES = ("medications", "conditions", "procedures", "encounters")


def title(metric: str) -> str:
    return TITLES.get(metric, metric.replace("_", " ").capitalize())


@dataclass(frozen=True)
class Annotation:
    t: float                  # epoch seconds
    text: str                 # "Started omeprazole", "Admitted: Encounter Inpatient"
    lane: str


@dataclass
class MetricData:
    metric: str
    unit: str                                    # UCUM
    series: pd.DataFrame                         # t (epoch s), value
    daily: pd.DataFrame                          # day, n, mean, min, max, total, t (epoch s of the day's noon)
    resting: pd.DataFrame = field(default_factory=pd.DataFrame)   # day, resting, n, t
    resting_basis: str = ""                      # a sentence: how resting heart rate was found, or why there is none
    annotations: tuple[Annotation, ...] = ()
    first: float | None = None                   # epoch seconds of the first and last sample in the store
    last: float | None = None

    @property
    def summed(self) -> bool:
        return self.metric in SUMMED

    @property
    def unit_label(self) -> str:
        return units.unit_text(self.unit)

    def last_days(self, n: int = 7) -> str:
        """'Last 7 days (24 Nov – 30 Nov 2026): 7,942 steps per day · 365 days recorded', '' without data."""
        d = self.daily.tail(n)
        if d.empty:
            return ""
        col = "total" if self.summed else "mean"
        v = float(d[col].mean())
        period = f"{pd.Timestamp(d['day'].iloc[0]):%d %b} – {pd.Timestamp(d['day'].iloc[-1]):%d %b %Y}"
        what = "per day" if self.summed else "mean"
        text = f"Last {len(d)} days ({period}): {v:,.0f} {self.unit_label} {what}"
        if not self.resting.empty:
            r = self.resting.tail(n)["resting"].mean()
            text += f" · resting {r:.0f} {self.unit_label}"
        return text + f" · {len(self.daily):,} days recorded"


def _day_noon(days: pd.Series) -> pd.Series:
    return pd.Series(tl.epoch(pd.to_datetime(days)) + 43200.0, index=days.index)


def resting_heart_rate(store, patient_id: str) -> tuple[pd.DataFrame, str]:
    """Per-day resting heart rate (day, resting, n, t) and its basis (or why there is none)."""
    con = store.con
    recorded = con.execute("""
        SELECT CAST(date_trunc('day', start_utc) AS DATE) AS day, avg(value) AS resting, count(*) AS n
        FROM wearable_samples WHERE patient_id = ? AND metric = 'resting_heart_rate' AND value IS NOT NULL
        GROUP BY day ORDER BY day""", [patient_id]).df()
    if not recorded.empty:
        return recorded.assign(t=_day_noon(recorded["day"])), "Resting heart rate: as recorded by the device."
    minute_steps = con.execute("""
        SELECT count(*) FILTER (WHERE end_utc IS NULL OR end_utc - start_utc <= INTERVAL 1 MINUTE)
        FROM wearable_samples WHERE patient_id = ? AND metric = 'steps'""", [patient_id]).fetchone()[0]
    if not minute_steps:
        return pd.DataFrame(columns=["day", "resting", "n", "t"]), NO_MINUTE_STEPS
    df = con.execute(f"""
        WITH hr AS (SELECT date_trunc('minute', start_utc) AS m, avg(value) AS hr FROM wearable_samples
                    WHERE patient_id = ? AND metric = 'heart_rate' AND value IS NOT NULL GROUP BY m),
             st AS (SELECT date_trunc('minute', start_utc) AS m, sum(value) AS steps FROM wearable_samples
                    WHERE patient_id = ? AND metric = 'steps' AND value IS NOT NULL GROUP BY m),
             w AS (SELECT m, sum(steps) OVER win AS s, count(*) OVER win AS k FROM st
                   WINDOW win AS (ORDER BY m RANGE BETWEEN INTERVAL {RESTING_WINDOW_MIN - 1} MINUTE PRECEDING
                                  AND CURRENT ROW))
        SELECT CAST(date_trunc('day', hr.m) AS DATE) AS day, avg(hr.hr) AS resting, count(*) AS n
        FROM hr JOIN w USING (m) WHERE w.k = {RESTING_WINDOW_MIN} AND w.s = 0
        GROUP BY day ORDER BY day""", [patient_id, patient_id]).df()
    if df.empty:
        return pd.DataFrame(columns=["day", "resting", "n", "t"]), NO_REST
    return df.assign(t=_day_noon(df["day"])), RESTING_BASIS


def annotations(store, patient_id: str, start: float | None, end: float | None) -> tuple[Annotation, ...]:
    """The combined timeline's events that fall in [start, end] (epoch s): medicines started or stopped,
    diagnoses, procedures, admissions and emergency visits (routine visits are left out: they would crowd)."""
    from workstation.store import queries

    if start is None or end is None:
        return ()
    out = []
    for e in tl.events(queries.timeline_events(store, patient_id)):
        if e.lane not in ANNOTATED_LANES:
            continue
        if e.lane == "encounters" and e.kind not in ("IMP", "EMER", "ACUTE"):
            continue
        first = {"medications": "Started", "conditions": "Diagnosed", "procedures": "",
                 "encounters": "Admitted:" if e.kind != "EMER" else "Emergency:"}[e.lane]
        if start <= e.start <= end:
            out.append(Annotation(e.start, f"{first} {e.label}".strip(), e.lane))
        if e.lane == "medications" and e.end is not None and start <= e.end <= end:
            out.append(Annotation(e.end, f"Stopped {e.label}", e.lane))
    return tuple(sorted(out, key=lambda a: a.t))


def load_metric(store, patient_id: str, metric: str, *, days: int | None = None) -> MetricData:
    """One metric: samples of the last ``days`` days (all when None; the store peak-downsamples very long
    ranges), its per-day summary over the whole record, resting heart rate for heart rate, and annotations."""
    from workstation.store import queries

    con = store.con
    unit, first, last = con.execute("""
        SELECT any_value(unit), epoch(min(start_utc)), epoch(max(start_utc)) FROM wearable_samples
        WHERE patient_id = ? AND metric = ?""", [patient_id, metric]).fetchone()
    start = None
    if days is not None and last is not None:
        start = datetime.fromtimestamp(last, tz=timezone.utc).replace(tzinfo=None) - timedelta(days=days)
    series = queries.wearable_series(store, patient_id, metric, start=start)
    daily = queries.wearable_daily(store, patient_id, metric)
    if not daily.empty:
        daily = daily.assign(t=_day_noon(daily["day"]))
    resting, basis = (pd.DataFrame(), "")
    if metric == "heart_rate":
        resting, basis = resting_heart_rate(store, patient_id)
    return MetricData(metric, unit or "", series, daily, resting, basis,
                      annotations(store, patient_id, first, last), first, last)

"""One patient's story over time, assembled for the Labs & timeline view (and anything else that draws it).

:func:`load` (on the store's thread) returns a :class:`TimelineData`: the events of the combined timeline by lane
(medications and conditions as spans, procedures, encounters and data imports as points), the day-zero choices,
and one :class:`LabTrack` per lab or vital with its values in one unit (the unit policy, :mod:`workstation.units`),
its reference band and a flag per value. :class:`TimeAxis` turns times into the x of the chosen day zero: calendar
dates, or time since birth (years of age), the first visit, a diagnosis or a medicine's start (days, months or
years by the span of the record). Pure data; no Qt; any thread.

Flags (``LabTrack.flags``): the record's own interpretation code when it has one (HL7 v3 ObservationInterpretation:
H/HH/HU/> → 'H', L/LL/LU/< → 'L', N → 'N', A/AA → 'A': abnormal, direction not stated), otherwise the value against
that value's own reference limits ('H' above the high limit, 'L' below the low one, 'N' within); '' when the record
has neither (missing is not normal).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

import numpy as np
import pandas as pd

from workstation import units

LANES = ("medications", "conditions", "procedures", "encounters", "data")
LANE_TITLES = {"medications": "Medications", "conditions": "Conditions", "procedures": "Procedures",
               "encounters": "Encounters", "data": "Genome & omics data"}
DAY_S = 86400.0
YEAR_S = 365.25 * DAY_S
MONTH_S = YEAR_S / 12
ONGOING = {"active", "on-hold", "intended", "recurrence", "relapse", "in-progress", "unknown", ""}
_HIGH = {"H", "HH", "HU", ">", "HX"}
_LOW = {"L", "LL", "LU", "<", "LX"}
_ABNORMAL = {"A", "AA"}
OPEN_VIEW = {"vcf": "variants", "omics": "omics", "wearable": "wearables"}   # a data event opens its view


def epoch(values) -> np.ndarray:
    """Naive-UTC (or aware) timestamps → seconds since the Unix epoch (NaT → NaN)."""
    arr = values.to_numpy() if isinstance(values, pd.Series) else None
    if arr is not None and np.issubdtype(arr.dtype, np.datetime64):      # the store's frames: a fast path
        ns = arr.astype("datetime64[ns]")
        out = ns.astype("int64").astype(float) / 1e9
        out[np.isnat(ns)] = np.nan
        return out
    t = pd.to_datetime(pd.Series(values), utc=True)
    return (t - pd.Timestamp("1970-01-01", tz="UTC")).dt.total_seconds().to_numpy(dtype=float)


def epoch1(when: datetime) -> float:
    """One timestamp (naive = UTC) → seconds since the Unix epoch."""
    when = pd.Timestamp(when).to_pydatetime()
    return (when if when.tzinfo else when.replace(tzinfo=timezone.utc)).timestamp()


@dataclass(frozen=True)
class DayZero:
    key: str                  # calendar | birth | first_visit | diagnosis | medication
    label: str                # "Birth", "Diagnosis: Hypertension", "Start of warfarin"
    when: datetime | None     # None for calendar dates

    @property
    def what(self) -> str:
        """The anchor in words for an axis title: 'start of warfarin', 'diagnosis of hypertension'."""
        if self.key == "diagnosis":
            return "diagnosis of " + self.label.split(": ", 1)[-1]
        return self.label[0].lower() + self.label[1:] if self.label else ""


CALENDAR = DayZero("calendar", "Calendar date", None)


@dataclass(frozen=True)
class TimeAxis:
    """x = (t - zero) / scale; calendar dates keep epoch seconds (scale 1) for a date axis."""

    zero: DayZero
    unit: str                 # date | years | months | days
    scale: float

    @property
    def calendar(self) -> bool:
        return self.zero.when is None

    @property
    def title(self) -> str:
        if self.calendar:
            return "Date"
        if self.zero.key == "birth":
            return "Age (years)"
        return f"{self.unit.capitalize()} since {self.zero.what}"

    @property
    def zero_s(self) -> float:
        return 0.0 if self.calendar else epoch1(self.zero.when)

    def x(self, t_epoch) -> np.ndarray:
        t = np.asarray(t_epoch, dtype=float)
        return t if self.calendar else (t - self.zero_s) / self.scale

    def t(self, x) -> np.ndarray:
        """The inverse of :meth:`x` (epoch seconds)."""
        x = np.asarray(x, dtype=float)
        return x if self.calendar else x * self.scale + self.zero_s

    def text(self, x: float) -> str:
        """The read-out of one x: '2024-05-01', 'age 61.5 years (2024-05-01)', 'day 34 (2024-05-01)'."""
        when = datetime.fromtimestamp(float(self.t(x)), tz=timezone.utc).strftime("%Y-%m-%d")
        if self.calendar:
            return when
        if self.zero.key == "birth":
            return f"age {x:.1f} years ({when})"
        unit = {"days": "day", "months": "month", "years": "year"}[self.unit]
        return f"{unit} {x:+.0f} ({when})" if self.unit == "days" else f"{unit} {x:+.1f} ({when})"


def time_axis(zero: DayZero, span_s: float) -> TimeAxis:
    """The axis for a day zero: dates; age in years from birth; otherwise days for a record up to 180 days long,
    months up to 3 years, years beyond."""
    if zero.when is None:
        return TimeAxis(zero, "date", 1.0)
    if zero.key == "birth":
        return TimeAxis(zero, "years", YEAR_S)
    if span_s <= 180 * DAY_S:
        return TimeAxis(zero, "days", DAY_S)
    if span_s <= 3 * YEAR_S:
        return TimeAxis(zero, "months", MONTH_S)
    return TimeAxis(zero, "years", YEAR_S)


@dataclass(frozen=True)
class Event:
    lane: str
    label: str
    start: float              # epoch seconds
    end: float | None         # epoch seconds; None: a point (or ongoing, see ``ongoing``)
    ongoing: bool = False     # a span still open today (drawn to now, open-ended)
    status: str = ""
    detail: str = ""
    kind: str = ""            # encounter class (AMB, IMP, EMER …) or data file kind (vcf, omics, wearable)
    source_id: int | None = None
    open_view: str = ""       # for data imports: the view that shows that file's data
    dated_by: str = ""        # for data imports: 'measured' or 'imported'

    @property
    def is_span(self) -> bool:
        return self.end is not None or self.ongoing


@dataclass(frozen=True)
class LabTrack:
    key: str                  # code, or "code|unit" for values that cannot be converted to the code's main unit
    code: str
    name: str
    category: str
    unit: str                 # UCUM code of the shown values
    t: np.ndarray             # epoch seconds, ascending
    y: np.ndarray             # values in ``unit``
    flags: tuple[str, ...]    # per value: H, L, A, N or ''
    low: float | None = None  # the band: the latest value's limits, in ``unit``
    high: float | None = None
    ref_text: str = ""
    note: str = ""            # what the unit policy did (converted values, values on their own track)
    separate: bool = False

    @property
    def unit_label(self) -> str:
        return units.unit_text(self.unit)

    @property
    def out_of_range(self) -> int:
        return sum(f in ("H", "L", "A") for f in self.flags)

    def y_range(self) -> tuple[float, float]:
        """A y-range holding the values and the band, padded, and never tighter than 20 % of the values' size, so
        small changes do not look large."""
        vals = [v for v in self.y.tolist() if np.isfinite(v)] + [v for v in (self.low, self.high) if v is not None]
        if not vals:
            return 0.0, 1.0
        lo, hi = min(vals), max(vals)
        floor = 0.2 * max(abs(float(np.nanmedian(self.y))) if len(self.y) else 0.0, abs(hi), 1e-9)
        span = max(hi - lo, floor)
        mid = (lo + hi) / 2
        lo, hi = mid - span / 2, mid + span / 2
        pad = span * 0.08
        lo -= pad
        hi += pad
        if min(vals) >= 0 > lo:          # a quantity that cannot be negative never gets a negative axis
            hi, lo = hi - lo, 0.0
        return float(lo), float(hi)


@dataclass(frozen=True)
class TimelineData:
    events: tuple[Event, ...]
    day_zeros: tuple[DayZero, ...]
    tracks: tuple[LabTrack, ...]
    now: float                               # epoch seconds when assembled (the end of ongoing spans)
    first: float | None = None               # earliest and latest time of anything shown
    last: float | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def lanes(self) -> list[str]:
        """The lanes with at least one event, in :data:`LANES` order."""
        have = {e.lane for e in self.events}
        return [lane for lane in LANES if lane in have]

    def axis(self, zero: DayZero) -> TimeAxis:
        span = (self.last - self.first) if self.first is not None and self.last is not None else 0.0
        return time_axis(zero, span)

    def day_zero(self, key: str) -> DayZero:
        """The first choice with ``key`` (calendar dates when there is none)."""
        return next((z for z in self.day_zeros if z.key == key), CALENDAR)


def _flag(interp, value: float, low: float, high: float) -> str:
    code = "" if interp is None or (isinstance(interp, float) and np.isnan(interp)) else str(interp).strip().upper()
    if code in _HIGH:
        return "H"
    if code in _LOW:
        return "L"
    if code in _ABNORMAL:
        return "A"
    if code == "N":
        return "N"
    if not np.isfinite(value):
        return ""
    if np.isfinite(high) and value > high:
        return "H"
    if np.isfinite(low) and value < low:
        return "L"
    return "N" if (np.isfinite(low) or np.isfinite(high)) else ""


def lab_tracks(obs: pd.DataFrame) -> tuple[LabTrack, ...]:
    """One track per observation code (and per unit that cannot be converted to the code's main unit)."""
    if obs is None or obs.empty:
        return ()
    obs = obs.sort_values(["category", "display", "code", "effective"], kind="stable", na_position="last")
    shown, groups = units.harmonise(obs)
    t_all = epoch(shown["effective"])
    y_all = shown["shown_value"].to_numpy(dtype=float)
    lo_all = shown["shown_ref_low"].to_numpy(dtype=float)
    hi_all = shown["shown_ref_high"].to_numpy(dtype=float)
    interp_all = shown["interpretation"].to_numpy(dtype=object) if "interpretation" in shown else \
        np.full(len(shown), None, dtype=object)
    text_all = shown["ref_text"].to_numpy(dtype=object) if "ref_text" in shown else interp_all
    display = shown["display"].to_numpy(dtype=object)
    category = shown["category"].to_numpy(dtype=object)
    group_all = shown["group"].to_numpy(dtype=object)
    out = []
    for g in groups:
        idx = np.flatnonzero(group_all == g.key)
        if not len(idx):
            continue
        idx = idx[np.argsort(t_all[idx], kind="stable")]
        y, lo_a, hi_a = y_all[idx], lo_all[idx], hi_all[idx]
        flags = tuple(_flag(i, v, lo, hi) for i, v, lo, hi in zip(interp_all[idx], y, lo_a, hi_a))
        has = np.flatnonzero(np.isfinite(lo_a) | np.isfinite(hi_a))
        low = high = None
        if len(has):
            k = has[-1]
            low = float(lo_a[k]) if np.isfinite(lo_a[k]) else None
            high = float(hi_a[k]) if np.isfinite(hi_a[k]) else None
        texts = [x for x in text_all[idx] if isinstance(x, str) and x.strip()] if "ref_text" in shown else []
        name = str(display[idx[0]] or g.code)
        if g.separate:
            name = f"{name} (recorded in {units.unit_text(g.unit) or 'no unit'})"
        out.append(LabTrack(key=g.key, code=g.code, name=name, category=str(category[idx[0]] or ""), unit=g.unit,
                            t=t_all[idx], y=y, flags=flags, low=low, high=high,
                            ref_text=texts[-1] if texts else "", note=units.conversion_note(g),
                            separate=g.separate))
    return tuple(out)


def events(frame: pd.DataFrame) -> tuple[Event, ...]:
    """Rows of :func:`workstation.store.queries.timeline_events` as :class:`Event` objects."""
    if frame is None or frame.empty:
        return ()
    starts, ends = epoch(frame["start"]), epoch(frame["end"])
    out = []
    for r, s, e in zip(frame.to_dict("records"), starts, ends):
        if not np.isfinite(s):
            continue
        status = "" if r.get("status") is None or r.get("status") != r.get("status") else str(r["status"])
        lane = str(r["lane"])
        span_lane = lane in ("medications", "conditions")
        end = float(e) if np.isfinite(e) else None
        ongoing = span_lane and end is None and status.lower() in ONGOING
        kind = "" if r.get("kind") is None or r.get("kind") != r.get("kind") else str(r["kind"])
        detail = "" if r.get("detail") is None or r.get("detail") != r.get("detail") else str(r["detail"])
        sid = r.get("source_id")
        out.append(Event(lane=lane, label=str(r["label"]), start=float(s), end=end, ongoing=ongoing,
                         status=status, detail=detail, kind=kind,
                         source_id=None if sid is None or sid != sid else int(sid),
                         open_view=OPEN_VIEW.get(kind, "") if lane == "data" else "",
                         dated_by=str(r.get("dated_by") or "") if lane == "data" else ""))
    return tuple(out)


def assemble(obs: pd.DataFrame, event_rows: pd.DataFrame, anchors: list[tuple[str, str, datetime]], *,
             now: datetime | None = None) -> TimelineData:
    """The timeline from the three query results (also used by tests on hand-made frames)."""
    now_s = epoch1(now or datetime.now(timezone.utc))
    tracks = lab_tracks(obs)
    evs = events(event_rows)
    zeros = (CALENDAR,) + tuple(DayZero(k, label, when) for k, label, when in anchors)
    times = [float(x) for tr in tracks for x in (tr.t.min(), tr.t.max()) if len(tr.t)]
    times += [x for e in evs for x in (e.start, e.end) if x is not None]
    times += [now_s for e in evs if e.ongoing]
    return TimelineData(evs, zeros, tracks, now_s, min(times) if times else None, max(times) if times else None)


def load(store, patient_id: str) -> TimelineData:
    """Everything the combined timeline shows for one patient (call on the store's thread)."""
    from workstation.store import queries

    return assemble(queries.numeric_observations(store, patient_id), queries.timeline_events(store, patient_id),
                    queries.day_zero_options(store, patient_id))

"""Fitbit data from a Google Takeout / Fitbit account export: ``heart_rate-*.json``, ``steps-*.json``,
``sleep-*.json``.

Shapes (one JSON array per file): heart rate ``[{"dateTime": "01/31/24 08:15:05", "value": {"bpm": 64,
"confidence": 2}}]``; steps ``[{"dateTime": "01/31/24 08:15:00", "value": "12"}]``; sleep ``[{"logId": …,
"startTime": "2024-01-30T23:10:00.000", "endTime": …, "minutesAsleep": 412, "timeInBed": 455, …}]``.
Heart rate is recognised by its content; steps and other scalar series share one shape, so the file name's
prefix (``steps-``) says which measure it is. The export's times carry no UTC offset: they are stored as written
(read as UTC), ``utc_offset_min`` is left empty, and the import says so in a warning. Each file is a single
JSON document (Fitbit writes one per day or month, a few MB at most) and is read whole.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from workstation.errors import MalformedFile
from workstation.ingest import limits
from workstation.ingest.base import ImportResult
from workstation.ingest.common import finish, open_text, start_patient_file
from workstation.ingest.wearables import DEFAULT_UNITS, SampleWriter
from workstation.progress import Progress
from workstation.store import import_batch

IMPORTER_VERSION = "1"
SCALAR_PREFIXES = {"steps": "steps"}
OFFSET_WARNING = ("Fitbit export times carry no UTC offset; they were stored as written (read as UTC) with the "
                  "offset left empty.")


def _kind(path: Path, data: list) -> str:
    first = next((x for x in data if isinstance(x, dict)), None)
    if first is None:
        return "empty"
    if "logId" in first or "dateOfSleep" in first:
        return "sleep"
    if isinstance(first.get("value"), dict) and "bpm" in first["value"]:
        return "heart_rate"
    prefix = path.name.split("-", 1)[0].lower()
    if prefix in SCALAR_PREFIXES and "dateTime" in first:
        return SCALAR_PREFIXES[prefix]
    raise MalformedFile(str(path), "this Fitbit file is neither heart rate, steps nor sleep (steps files must keep "
                        "their export name, steps-YYYY-MM-DD.json)", record="1")


def import_fitbit(store, path: Path | str, *, patient_id: str | None = None, sample: str | None = None,
                  progress: Progress | None = None) -> ImportResult:
    """Import one Fitbit export JSON file for an existing patient (``sample`` is not used)."""
    pf, prev = start_patient_file(store, path, "wearable", patient_id, progress)
    if prev is not None:
        return prev
    path, progress, info, pid = pf.path, pf.progress, pf.info, pf.patient_id
    with open_text(path) as fh:
        data = limits.load_json(fh, path)   # bounded nesting and numbers, no NaN, no lone surrogates
    if not isinstance(data, list):
        raise MalformedFile(str(path), "a Fitbit export file holds a JSON list of measurements")
    kind = _kind(path, data)
    progress.check()
    with import_batch(store, info, kind="wearable", importer="fitbit", importer_version=IMPORTER_VERSION,
                      patient_id=pid) as batch:
        writer = SampleWriter(batch)
        if kind == "sleep":
            _sleep(path, data, writer)
        elif kind != "empty":
            _series(path, data, kind, writer)
        writer.finish()
        batch.details["fitbit_kind"] = kind
        batch.warnings.append(OFFSET_WARNING)
        progress.set(1.0, f"Imported {info.name}")
    return finish(info, batch, "wearable", f"a Fitbit {kind.replace('_', ' ')} file")


def _series(path: Path, data: list, metric: str, writer: SampleWriter) -> None:
    for i, x in enumerate(data):
        if not isinstance(x, dict) or "dateTime" not in x or "value" not in x:
            raise MalformedFile(str(path), "a measurement lacks dateTime or value", record=str(i + 1))
        if not isinstance(x["dateTime"], str):
            raise MalformedFile(str(path), f"{limits.short(repr(x['dateTime']), 40)} is not a date and time (expected "
                                "MM/DD/YY HH:MM:SS)", record=str(i + 1), field="dateTime")
    times = pd.Series([x["dateTime"] for x in data], dtype=object)
    if metric == "heart_rate":
        raw = pd.Series([x["value"].get("bpm") if isinstance(x["value"], dict) else None for x in data],
                        dtype=object)
    else:
        raw = pd.Series([x["value"] for x in data], dtype=object)
    start = pd.to_datetime(times, format="%m/%d/%y %H:%M:%S", errors="coerce")
    if start.isna().any():
        start = start.fillna(pd.to_datetime(times, format="ISO8601", errors="coerce"))
    _fail_first(path, start.isna().to_numpy(), times, "dateTime", "is not a date and time (expected MM/DD/YY "
                "HH:MM:SS)")
    values = pd.to_numeric(raw, errors="coerce")
    _fail_first(path, values.isna().to_numpy(), raw, "value" if metric != "heart_rate" else "value.bpm",
                "is not a number")
    for lo in range(0, len(data), 100_000):
        sl = slice(lo, lo + 100_000)
        n = len(start[sl])
        writer.add_frame(pd.DataFrame({
            "metric": metric, "start_utc": start[sl].to_numpy(), "end_utc": pd.Series(pd.NaT, index=range(n)),
            "value": values[sl].to_numpy(dtype=float), "unit": DEFAULT_UNITS[metric],
            "utc_offset_min": pd.array([None] * n, dtype="Int32"), "device": "Fitbit"}))


def _fail_first(path: Path, bad: np.ndarray, raw: pd.Series, field: str, what: str) -> None:
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise MalformedFile(str(path), f"{raw.iloc[i]!r} {what}", record=str(i + 1), field=field)


def _sleep(path: Path, data: list, writer: SampleWriter) -> None:
    for i, x in enumerate(data, 1):
        if not isinstance(x, dict):
            raise MalformedFile(str(path), "a sleep log is not a JSON object", record=str(i))
        times = []
        for f in ("startTime", "endTime"):
            try:
                times.append(pd.Timestamp(x[f]).to_pydatetime().replace(tzinfo=None))
            except (KeyError, TypeError, ValueError):
                raise MalformedFile(str(path), f"{x.get(f)!r} is not a date and time", record=str(i),
                                    field=f) from None
        for f, metric in (("minutesAsleep", "sleep"), ("timeInBed", "sleep_in_bed")):
            v = x.get(f)
            if v is None:
                continue
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise MalformedFile(str(path), f"{v!r} is not a number", record=str(i), field=f)
            writer.add(metric, times[0], times[1], float(v), "min", None, "Fitbit")

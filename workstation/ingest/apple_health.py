"""Apple Health export (``export.zip`` or ``export.xml``), streamed with ``iterparse`` in bounded memory.

Recent exports (HealthKit Export Version 12+, iOS 16 on) ship an internal DTD with syntax errors, and some
hold stray control characters (e.g. ``\\x0b``) that XML forbids; both make a strict parser fail. The reader
therefore replaces the internal ``<!DOCTYPE … ]>`` block with as many blank lines (the DTD declares no entities
and nothing here validates against it, so no data is lost and reported line numbers stay exact) and drops
forbidden control bytes.

Imported: heart rate, resting heart rate, steps, heart-rate variability (SDNN), respiratory rate, walking/running
distance, blood pressure (top-level records and ``Correlation`` children, de-duplicated: Apple writes each
twice) and sleep analysis (minutes asleep / in bed / awake per interval). Other record types, workouts and
activity summaries are counted and skipped. Timestamps are stored in UTC with the export's offset kept.
"""
from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from workstation.errors import MalformedFile
from workstation.ingest import limits
from workstation.ingest.base import ImportResult
from workstation.ingest.common import finish, parse_timestamps, start_patient_file
from workstation.ingest.detect import apple_member
from workstation.ingest.wearables import CHUNK, SampleWriter, norm_units
from workstation.progress import Progress
from workstation.store import import_batch

IMPORTER_VERSION = "1"
TYPES = {
    "HKQuantityTypeIdentifierHeartRate": "heart_rate",
    "HKQuantityTypeIdentifierRestingHeartRate": "resting_heart_rate",
    "HKQuantityTypeIdentifierStepCount": "steps",
    "HKQuantityTypeIdentifierHeartRateVariabilitySDNN": "hrv_sdnn",
    "HKQuantityTypeIdentifierRespiratoryRate": "respiratory_rate",
    "HKQuantityTypeIdentifierDistanceWalkingRunning": "distance",
    "HKQuantityTypeIdentifierBloodPressureSystolic": "bp_systolic",
    "HKQuantityTypeIdentifierBloodPressureDiastolic": "bp_diastolic",
    "HKCategoryTypeIdentifierSleepAnalysis": "sleep",
}
SLEEP_VALUES = {
    "HKCategoryValueSleepAnalysisInBed": "sleep_in_bed", "HKCategoryValueSleepAnalysisAwake": "sleep_awake",
    "HKCategoryValueSleepAnalysisAsleep": "sleep", "HKCategoryValueSleepAnalysisAsleepUnspecified": "sleep",
    "HKCategoryValueSleepAnalysisAsleepCore": "sleep", "HKCategoryValueSleepAnalysisAsleepDeep": "sleep",
    "HKCategoryValueSleepAnalysisAsleepREM": "sleep",
}
_BP = {"bp_systolic", "bp_diastolic"}
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 13))


# Encodings an export.xml may declare (Apple writes UTF-8); anything else (e.g. "EBCDIC") is refused by name.
_ENCODINGS = {"utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1"}
_DECL_RE = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']{0,40})["']""")


class CleanXml:
    """A binary read() wrapper: blanks the internal DTD at the head, refuses any later DOCTYPE or ENTITY
    declaration (it would escape the blanking and its entities would be expanded) and unknown encodings, drops
    XML-forbidden control bytes, counts bytes."""

    def __init__(self, raw, path: Path | str = "") -> None:
        self.raw = raw
        self.path = path
        self.bytes_read = 0
        self._head_done = False
        self._tail = b""

    def _refuse_late_declarations(self, data: bytes) -> None:
        window = self._tail + data
        for marker in (b"<!DOCTYPE", b"<!ENTITY"):
            if marker in window:
                raise MalformedFile(str(self.path), f"the XML holds a {marker[2:].decode()} declaration after its "
                                    "start; an Apple Health export has none there, so it is refused")
        self._tail = window[-16:]

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n if n and n > 0 else 1 << 16)
        self.bytes_read += len(data)
        if self._head_done:
            self._refuse_late_declarations(data)
        else:
            m = _DECL_RE.match(data[:512])
            if m and m.group(1).decode("ascii", "replace").lower() not in _ENCODINGS:
                raise MalformedFile(str(self.path), f"the XML declares the encoding "
                                    f"{limits.short(m.group(1).decode('ascii', 'replace'), 40)!r}, which an Apple "
                                    "Health export does not use", line=1, field="encoding")
            while b"<!DOCTYPE" in data[:4096] and b"]>" not in data[data.find(b"<!DOCTYPE"):]:
                more = self.raw.read(1 << 16)
                if not more:
                    break
                self.bytes_read += len(more)
                data += more
            i = data.find(b"<!DOCTYPE")
            if i >= 0:
                j = data.find(b"]>", i)
                j = data.find(b">", i) if j < 0 else j + 1
                data = data[:i] + b"\n" * data.count(b"\n", i, j + 1) + data[j + 1:]
            self._head_done = True
            self._refuse_late_declarations(data)
        return data.translate(None, _CONTROL)


def import_apple_health(store, path: Path | str, *, patient_id: str | None = None, sample: str | None = None,
                        progress: Progress | None = None) -> ImportResult:
    """Import an Apple Health export.zip / export.xml for an existing patient (``sample`` is not used)."""
    pf, prev = start_patient_file(store, path, "wearable", patient_id, progress)
    if prev is not None:
        return prev
    path, progress, info, pid = pf.path, pf.progress, pf.info, pf.patient_id
    with import_batch(store, info, kind="wearable", importer="apple-health", importer_version=IMPORTER_VERSION,
                      patient_id=pid) as batch:
        member = apple_member(path) if zipfile.is_zipfile(path) else None
        try:
            if member is not None:
                with zipfile.ZipFile(path) as zf:
                    _check_member(path, zf.getinfo(member))
                with zipfile.ZipFile(path) as zf, zf.open(member) as raw:
                    total = zf.getinfo(member).file_size
                    parser = _Parser(path, batch, progress, total, store, pid)
                    parser.run(raw)
            else:
                with open(path, "rb") as raw:
                    parser = _Parser(path, batch, progress, os.path.getsize(path), store, pid)
                    parser.run(raw)
        except (zipfile.BadZipFile, EOFError) as exc:
            raise MalformedFile(str(path), f"the zip archive is truncated or damaged ({limits.short(exc, 80)})") \
                from None
        progress.set(1.0, f"Imported {info.name}")
    return finish(info, batch, "wearable", "an Apple Health export")


def _check_member(path: Path, zi: zipfile.ZipInfo) -> None:
    """Refuse by name what zipfile cannot or should not read: encryption, unknown compression, a zip bomb."""
    if zi.flag_bits & 0x1:
        raise MalformedFile(str(path), "the zip archive is encrypted (password-protected); export it again from the "
                            "Health app without a password")
    if zi.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
        raise MalformedFile(str(path), f"the zip archive uses a compression method ({zi.compress_type}) this "
                            "workstation cannot read (e.g. AES encryption)")
    limits.check_ratio(path, zi.compress_size, zi.file_size)


class _Parser:
    def __init__(self, path: Path, batch, progress: Progress, total: int, store, pid: str) -> None:
        self.path, self.batch, self.progress, self.total = path, batch, progress, total
        self.store, self.pid = store, pid
        self.writer = SampleWriter(batch)
        self.pending: list[tuple] = []           # (metric, value, unit, start, end, source, record no)
        self.skipped: Counter = Counter()
        self.bp_seen: set[tuple] = set()
        self.n_records = 0

    def run(self, raw) -> None:
        src = CleanXml(raw, self.path)
        depth = 0
        root = None
        try:
            for event, elem in ET.iterparse(src, events=("start", "end")):
                if event == "start":
                    depth += 1
                    if root is None:
                        root = elem
                        if elem.tag != "HealthData":
                            raise MalformedFile(str(self.path), f"the XML root is <{elem.tag}>, not <HealthData>: "
                                                "this is not an Apple Health export.xml")
                    continue
                depth -= 1
                if depth != 1:
                    continue
                self._top(elem)
                root.clear()
                if self.n_records % 20000 == 0:
                    self.progress.check()
                    self.progress.set(0.95 * src.bytes_read / max(self.total, 1),
                                      f"Importing {self.path.name}: {self.n_records:,} records")
        except ET.ParseError as exc:
            line, col = getattr(exc, "position", (None, None))
            reason = str(exc).split(":")[0]
            raise MalformedFile(str(self.path), f"the XML is malformed ({reason}, column {col})", line=line) from None
        if root is None:
            raise MalformedFile(str(self.path), "the file holds no XML")
        self._flush()
        self.writer.finish()
        if self.skipped:
            self.batch.details["skipped"] = dict(sorted(self.skipped.items()))
            top = ", ".join(f"{n:,} {t}" for t, n in self.skipped.most_common(6))
            self.batch.warnings.append(f"Skipped {sum(self.skipped.values()):,} records of types the workstation does"
                                       f" not import ({top}{', …' if len(self.skipped) > 6 else ''}).")

    def _top(self, elem) -> None:
        tag = elem.tag
        if tag == "Record":
            self.n_records += 1
            self._record(elem.attrib)
        elif tag == "Correlation":
            for child in elem.iter("Record"):
                self.n_records += 1
                if TYPES.get(child.get("type", "")) in _BP:
                    self._record(child.attrib)
        elif tag == "Me":
            self._check_me(elem.attrib)
        elif tag not in ("ExportDate",):
            self.skipped[tag] += 1

    def _record(self, a) -> None:
        metric = TYPES.get(a.get("type", ""))
        if metric is None:
            self.skipped[a.get("type", "Record without type")] += 1
            return
        if metric in _BP:
            key = (metric, a.get("startDate"), a.get("endDate"), a.get("value"), a.get("sourceName"))
            if key in self.bp_seen:
                return
            self.bp_seen.add(key)
        self.pending.append((metric, a.get("value"), a.get("unit"), a.get("startDate"), a.get("endDate"),
                             a.get("sourceName"), self.n_records))
        if len(self.pending) >= CHUNK:
            self._flush()

    def _flush(self) -> None:
        if not self.pending:
            return
        df = pd.DataFrame(self.pending, columns=["metric", "raw", "unit", "start", "end", "device", "rec"])
        self.pending = []
        for col in ("start", "end"):
            missing = df[col].isna().to_numpy()
            if missing.any():
                rec = int(df["rec"].iloc[int(np.flatnonzero(missing)[0])])
                raise MalformedFile(str(self.path), f"a record has no {col}Date", record=f"Record {rec}",
                                    field=f"{col}Date")
        start, off, _ = self._times(df, "start")
        end, _, _ = self._times(df, "end")
        sleep = (df["metric"] == "sleep").to_numpy()
        values = pd.to_numeric(df["raw"].where(~sleep), errors="coerce")
        bad = (values.isna().to_numpy() & ~sleep)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise MalformedFile(str(self.path), f"{df['raw'].iloc[i]!r} is not a number",
                                record=f"Record {int(df['rec'].iloc[i])}", field="value")
        metric = df["metric"].copy()
        if sleep.any():
            metric[sleep] = df.loc[sleep, "raw"].map(SLEEP_VALUES).fillna("sleep")
            values[sleep] = (end[sleep] - start[sleep]).dt.total_seconds() / 60.0
        self.writer.add_frame(pd.DataFrame({
            "metric": metric, "start_utc": start, "end_utc": end, "value": values,
            "unit": norm_units(df["unit"].where(~sleep, "min"), metric), "utc_offset_min": off,
            "device": df["device"]}))

    def _times(self, df: pd.DataFrame, col: str):
        try:
            return parse_timestamps(df[col], file=str(self.path), field=f"{col}Date", first_line=0)
        except MalformedFile as exc:
            i = (exc.line or 0)
            raise MalformedFile(str(self.path), exc.reason, record=f"Record {int(df['rec'].iloc[i])}",
                                field=f"{col}Date") from None

    def _check_me(self, a) -> None:
        dob = a.get("HKCharacteristicTypeIdentifierDateOfBirth")
        row = self.store.con.execute("SELECT birth_date FROM patients WHERE id = ?", [self.pid]).fetchone()
        if dob and row and row[0] is not None and str(row[0]) != dob:
            self.batch.warnings.append("The date of birth in this export differs from the patient's; check that "
                                       "the export belongs to this patient.")

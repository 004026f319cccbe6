"""Steps shared by the non-VCF importers: opening (gzip) text, patient checks, re-import, timestamps, results.

Threading: plain functions, no state; they run on whatever thread runs the importer.
"""
from __future__ import annotations

import gzip
import io
import re
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

from workstation.errors import ImportError_, MalformedFile, NotFound
from workstation.ingest import limits
from workstation.ingest.base import ImportResult
from workstation.progress import Progress, ensure
from workstation.store import FileInfo, ImportBatch, already_imported, file_info

GZIP_MAGIC = b"\x1f\x8b"
_OFFSET_RE = re.compile(r"([+-])(\d{2}):?(\d{2})$")


def is_gzip(path: Path | str) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == GZIP_MAGIC


@contextmanager
def open_text(path: Path | str) -> Iterator[io.TextIOBase]:
    """Open a text file, gunzipping it when its first bytes say gzip (whatever its name)."""
    path = Path(path)
    if is_gzip(path):
        raw = io.BufferedReader(limits.guarded_gzip(path), 1 << 16)   # refuses a decompression bomb
    else:
        raw = open(path, "rb")
    try:
        with io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline="") as fh:
            yield fh
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise MalformedFile(str(path), "the compressed (gzip) file is truncated or damaged "
                            f"({exc})") from None
    except UnicodeDecodeError:
        raise MalformedFile(str(path), "the file is not UTF-8 text") from None


def gzip_errors() -> tuple[type[BaseException], ...]:
    """Exceptions that mean a gzip stream is truncated or corrupt."""
    return (EOFError, gzip.BadGzipFile, zlib.error)


def previous_result(store, info: FileInfo, kind: str, patient_id: str | None = None) -> ImportResult | None:
    """The "already imported" result when the same bytes were imported before, else None."""
    prev = already_imported(store, info, patient_id)
    if prev is None:
        return None
    when = pd.Timestamp(prev["imported_at"]).strftime("%Y-%m-%d %H:%M") if prev.get("imported_at") else "earlier"
    pid = prev.get("patient_id")
    return ImportResult(
        file=str(info.path), status="already imported", kind=kind, counts={},
        patient_ids=[pid] if isinstance(pid, str) else [], source_id=int(prev["id"]),
        message=f"{info.name} was already imported on {when} (source {int(prev['id'])}); nothing was stored again.")


def require_patient(store, path: Path | str, patient_id: str | None) -> str:
    """The id of an existing patient, or a plain error: these files carry no patient of their own."""
    if not patient_id:
        raise ImportError_(str(path), "this file does not say whose data it is; name an existing patient "
                           "(--patient ID) to import it")
    row = store.con.execute("SELECT 1 FROM patients WHERE id = ?", [patient_id]).fetchone()
    if row is None:
        raise NotFound(f"There is no patient with id {patient_id!r} in this store; import the patient's FHIR "
                       f"record first or choose an existing patient. Nothing from {path} was stored.")
    return patient_id


@dataclass(frozen=True)
class PatientFile:
    """What every per-patient importer settles first: the path, progress handle, provenance and patient."""

    path: Path
    progress: Progress
    info: FileInfo
    patient_id: str


def start_patient_file(store, path: Path | str, kind: str, patient_id: str | None,
                       progress: Progress | None) -> tuple[PatientFile, ImportResult | None]:
    """Hash the file, check the patient exists, and find an earlier import of the same bytes (the second
    value, when not None, is the "already imported" result to return as is)."""
    path = Path(path)
    progress = ensure(progress)
    info = file_info(path)
    pid = require_patient(store, path, patient_id)
    pf = PatientFile(path, progress, info, pid)
    prev = previous_result(store, info, kind, pid)
    if prev is None:
        progress.set(0.0, f"Reading {info.name}")
    return pf, prev


def finish(info: FileInfo, batch: ImportBatch, kind: str, what: str) -> ImportResult:
    """The ImportResult of a committed batch, with one plain sentence."""
    parts = [f"{k.replace('_', ' ')}: {n:,}" for k, n in batch.counts.items() if isinstance(n, int) and n]
    stored = ", ".join(parts) if parts else "nothing (the file held no usable values)"
    msg = f"{info.name}: stored {stored} from {what}."
    if batch.warnings:
        msg += f" {len(batch.warnings)} warning(s)."
    return ImportResult(file=str(info.path), status="imported", kind=kind, counts=dict(batch.counts),
                        patient_ids=sorted(batch.patient_ids), source_id=batch.source_id,
                        warnings=list(batch.warnings), message=msg)


def parse_timestamps(s: pd.Series, *, file: str, field: str, first_line: int = 1,
                     lines: np.ndarray | None = None) -> tuple[pd.Series, pd.Series, bool]:
    """ISO-8601 strings → (UTC naive datetime64, offset minutes (nullable Int32), any_without_offset).

    Accepts ``2024-01-01T08:00:00+01:00``, ``…Z``, Apple's ``2024-01-01 08:00:00 +0100`` and times without an
    offset (read as UTC, offset left empty). ``first_line`` is the file line of ``s.iloc[0]`` (or ``lines``
    gives each value's line), for errors.
    """
    s = s.astype("str") if s.dtype != "str" else s
    utc = pd.to_datetime(s, format="ISO8601", utc=True, errors="coerce")
    bad = utc.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise MalformedFile(file, f"{s.iloc[i]!r} is not a date and time (expected e.g. "
                            "2024-01-31T08:15:00+01:00)", field=field,
                            line=int(lines[i]) if lines is not None else first_line + i)
    tail = s.str.strip().str.slice(-6)
    codes, uniques = pd.factorize(tail)
    offs = np.full(len(uniques), np.nan)
    for j, t in enumerate(uniques):
        if t.endswith("Z"):
            offs[j] = 0
        elif (m := _OFFSET_RE.search(t)) is not None:
            offs[j] = (1 if m.group(1) == "+" else -1) * (int(m.group(2)) * 60 + int(m.group(3)))
    off = pd.Series(offs[codes], index=s.index).astype("Int32")
    return utc.dt.tz_localize(None), off, bool(off.isna().any())

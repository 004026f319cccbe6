"""Generic wearable CSV (or TSV, optionally gzip): one sample per row.

Header (case-insensitive, after optional leading ``#`` comment lines): ``timestamp`` (or ``time``, ``start``,
``start_time``, ``datetime``), ``metric``, ``value``, optional ``unit``, ``end`` (or ``end_time``) and
``device``. Timestamps are ISO 8601 with a UTC offset (``2024-03-01T08:15:00+01:00`` or ``…Z``); they are stored
in UTC and the offset is kept. A time without an offset is read as UTC, its offset left empty, and a warning
says so. Read in chunks of 100,000 rows.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd

from workstation.errors import MalformedFile
from workstation.ingest import limits
from workstation.ingest.base import ImportResult
from workstation.ingest.common import finish, gzip_errors, is_gzip, parse_timestamps, start_patient_file
from workstation.ingest.wearables import CHUNK, SampleWriter, norm_metric, norm_units
from workstation.progress import Progress
from workstation.store import import_batch

IMPORTER_VERSION = "1"
TIME_NAMES = ("timestamp", "time", "start", "start_time", "datetime", "start_utc")
END_NAMES = ("end", "end_time", "end_utc")
DEVICE_NAMES = ("device", "source")


def sniff_header(cols: list[str]) -> bool:
    cols = [c.strip().lower() for c in cols]
    return any(c in TIME_NAMES for c in cols) and "metric" in cols and "value" in cols


def _pick(cols: list[str], names) -> str | None:
    return next((c for c in cols if c.strip().lower() in names), None)


def import_wearable_csv(store, path: Path | str, *, patient_id: str | None = None, sample: str | None = None,
                        progress: Progress | None = None) -> ImportResult:
    """Import one generic wearable CSV for an existing patient (``sample`` is not used)."""
    pf, prev = start_patient_file(store, path, "wearable", patient_id, progress)
    if prev is not None:
        return prev
    path, progress, info, pid = pf.path, pf.progress, pf.info, pf.patient_id
    from workstation.ingest.detect import head_bytes
    lines = head_bytes(path, 1 << 16).decode("utf-8", errors="replace").lstrip("\ufeff").splitlines()
    n_comments = next((i for i, ln in enumerate(lines) if not ln.startswith("#")), len(lines))
    head = lines[n_comments] if n_comments < len(lines) else ""
    sep = "\t" if head.count("\t") > head.count(",") else ","
    n_rows = 0
    no_offset = 0
    with import_batch(store, info, kind="wearable", importer="wearable-csv", importer_version=IMPORTER_VERSION,
                      patient_id=pid) as batch:
        writer = SampleWriter(batch)
        # gzip through limits' guarded stream, so a decompression bomb is refused while it is read
        src = io.BufferedReader(limits.guarded_gzip(path), 1 << 16) if is_gzip(path) else None
        try:
            reader = pd.read_csv(src if src is not None else path, sep=sep, dtype=str, keep_default_na=False,
                                 chunksize=CHUNK, skiprows=n_comments, compression=None, encoding="utf-8-sig")
            cols = None
            for chunk in reader:
                if cols is None:
                    cols = _columns(path, list(chunk.columns))
                n_rows, missing = _chunk(path, chunk, cols, n_rows, writer, n_comments)
                no_offset += missing
                progress.check()
                progress.set(min(0.95, n_rows / max(info.size / 40, 1)), f"Importing {info.name}: {n_rows:,} rows")
        except pd.errors.ParserError as exc:
            m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
            if m:
                raise MalformedFile(str(path), f"this row has {m.group(3)} columns but the header has {m.group(1)}",
                                    line=int(m.group(2)) + n_comments) from None
            raise MalformedFile(str(path), f"the table cannot be read ({exc})") from None
        except pd.errors.EmptyDataError:
            raise MalformedFile(str(path), "the file is empty") from None
        except UnicodeDecodeError:
            raise MalformedFile(str(path), "the file is not UTF-8 text") from None
        except gzip_errors() as exc:
            raise MalformedFile(str(path), f"the compressed (gzip) file is truncated or damaged ({exc})") from None
        finally:
            if src is not None:
                src.close()
        writer.finish()
        if no_offset:
            batch.warnings.append(f"{no_offset:,} timestamp(s) had no UTC offset and were read as UTC.")
        progress.set(1.0, f"Imported {info.name}")
    return finish(info, batch, "wearable", "a wearable CSV")


def _columns(path: Path, cols: list[str]) -> dict:
    t, metric, value = _pick(cols, TIME_NAMES), _pick(cols, ("metric",)), _pick(cols, ("value",))
    missing = [n for n, c in (("timestamp", t), ("metric", metric), ("value", value)) if c is None]
    if missing:
        raise MalformedFile(str(path), f"the header lacks the column(s) {', '.join(missing)} (expected timestamp,"
                            " metric, value, unit)", line=1)
    return {"time": t, "metric": metric, "value": value, "unit": _pick(cols, ("unit", "units")),
            "end": _pick(cols, END_NAMES), "device": _pick(cols, DEVICE_NAMES)}


def _chunk(path: Path, chunk: pd.DataFrame, c: dict, offset_rows: int, writer: SampleWriter,
           n_comments: int) -> tuple[int, int]:
    first_line = n_comments + offset_rows + 2
    raw_v = chunk[c["value"]].str.strip()
    empty = raw_v.str.lower().isin(["", "na", "nan"])
    values = pd.to_numeric(raw_v.where(~empty), errors="coerce")
    bad = values.isna() & ~empty
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise MalformedFile(str(path), f"{raw_v.iloc[i]!r} is not a number", line=first_line + i, field=c["value"])
    metric_raw = chunk[c["metric"]]
    if (metric_raw.str.strip() == "").any():
        i = int((metric_raw.str.strip() == "").to_numpy().nonzero()[0][0])
        raise MalformedFile(str(path), "the metric is empty", line=first_line + i, field=c["metric"])
    codes, uniq = pd.factorize(metric_raw)
    metrics = pd.Series(pd.Index([norm_metric(u) for u in uniq]).to_numpy()[codes], index=chunk.index)
    start, off, _ = parse_timestamps(chunk[c["time"]], file=str(path), field=c["time"], first_line=first_line)
    end = None
    if c["end"] is not None:
        has_end = chunk[c["end"]].str.strip() != ""
        end = pd.Series(pd.NaT, index=chunk.index, dtype="datetime64[us]")
        if has_end.any():
            e, _, _ = parse_timestamps(chunk.loc[has_end, c["end"]], file=str(path), field=c["end"],
                                       lines=(has_end.to_numpy().nonzero()[0] + first_line))
            end[has_end] = e
    df = pd.DataFrame({"metric": metrics, "start_utc": start, "end_utc": end if end is not None else pd.NaT,
                       "value": values,
                       "unit": norm_units(chunk[c["unit"]] if c["unit"] else pd.Series("", index=chunk.index),
                                          metrics),
                       "utc_offset_min": off,
                       "device": chunk[c["device"]].replace("", None) if c["device"] else None})
    df["end_utc"] = pd.to_datetime(df["end_utc"])
    keep = ~empty.to_numpy()
    writer.add_frame(df[keep])
    return offset_rows + len(chunk), int(off[keep].isna().sum())

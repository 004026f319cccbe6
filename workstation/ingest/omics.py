"""Omics tables (CSV or TSV, long or wide, optionally gzip) → the ``analytes`` table.

Accepted headers (case-insensitive; documented with examples in docs/IMPORT_FORMATS.md):

* identifier column (one): gene symbol (``gene``, ``gene_symbol``, ``symbol``, ``hgnc_symbol``, ``gene_name``),
  Ensembl (``ensembl``, ``ensembl_id``, ``ensembl_gene_id``, ``gene_id``), UniProt (``uniprot``, ``uniprot_id``,
  ``uniprot_accession``, ``protein``, ``protein_id``, ``accession``), metabolites (``hmdb``, ``hmdb_id``,
  ``chebi``, ``chebi_id``, ``metabolite``, ``compound``) or generic (``analyte``, ``analyte_id``).
* long format: a value column ``tpm`` | ``counts`` | ``abundance`` | ``intensity`` | ``concentration`` |
  ``value``, and optionally ``unit``, ``ref_low``, ``ref_high`` (or ``reference_range`` such as ``3.5-5.0``),
  ``sample``, ``measured_at``, ``name``, ``omics``.
* wide format: the identifier column, optionally ``name``/``unit``, then one numeric column per sample.
* leading ``# key=value`` lines may give ``omics``, ``unit``, ``sample`` and ``measured_at`` for the whole file.
* microarray probe sets (``probe_set``, ``probeset``, ``probe_set_id``, ``affy_id``): the file must declare
  ``# platform=`` (e.g. HG-U133A or GPL96) and ``# scale=`` (log2, log10 or linear); stored with
  ``id_system = probe_set:<platform>`` and the scale as the unit (``log2 intensity``), never converted.

Empty, ``NA`` and ``NaN`` cells are missing values: they are skipped (and counted), never stored as zero.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd

from workstation.ingest import limits
from workstation.errors import MalformedFile, UnknownSample
from workstation.ingest.base import ImportResult
from workstation.ingest.common import finish, open_text, parse_timestamps, start_patient_file
from workstation.units import to_ucum
from workstation.progress import Progress
from workstation.store import import_batch

IMPORTER_VERSION = "1"
CHUNK = 100_000

ID_COLUMNS = {  # header → (id_system or None for "by value", omics or None)
    "gene": ("symbol", "transcriptomics"), "gene_symbol": ("symbol", "transcriptomics"),
    "symbol": ("symbol", "transcriptomics"), "hgnc_symbol": ("symbol", "transcriptomics"),
    "gene_name": ("symbol", "transcriptomics"),
    "ensembl": ("ensembl", "transcriptomics"), "ensembl_id": ("ensembl", "transcriptomics"),
    "ensembl_gene_id": ("ensembl", "transcriptomics"), "gene_id": (None, "transcriptomics"),
    "uniprot": ("uniprot", "proteomics"), "uniprot_id": ("uniprot", "proteomics"),
    "uniprot_accession": ("uniprot", "proteomics"), "protein": (None, "proteomics"),
    "protein_id": (None, "proteomics"), "accession": (None, "proteomics"),
    "hmdb": ("hmdb", "metabolomics"), "hmdb_id": ("hmdb", "metabolomics"), "chebi": ("chebi", "metabolomics"),
    "chebi_id": ("chebi", "metabolomics"), "metabolite": (None, "metabolomics"),
    "compound": (None, "metabolomics"), "analyte": (None, None), "analyte_id": (None, None),
    # microarray probe sets: platform-specific IDs, so the file must declare '# platform=' and '# scale='
    "probe_set": ("probe_set", "transcriptomics"), "probeset": ("probe_set", "transcriptomics"),
    "probe_set_id": ("probe_set", "transcriptomics"), "probeset_id": ("probe_set", "transcriptomics"),
    "affy_id": ("probe_set", "transcriptomics"),
}
# Declared microarray platforms (``# platform=``; GEO platform accession GPL96 is HG-U133A) and scales
# (``# scale=``, stored as the unit). Values are stored as given: nothing is converted between scales.
PLATFORMS = {"hg-u133a": "HG-U133A", "affymetrix hg-u133a": "HG-U133A", "gpl96": "HG-U133A",
             "hg_u133a": "HG-U133A", "hg-u133_plus_2": "HG-U133_Plus_2", "gpl570": "HG-U133_Plus_2"}
SCALES = {"log2": "log2 intensity", "log2 intensity": "log2 intensity", "log10": "log10 intensity",
          "log10 intensity": "log10 intensity", "linear": "linear intensity", "linear intensity": "linear intensity"}
VALUE_COLUMNS = {  # header → (omics, default unit)
    "tpm": ("transcriptomics", "TPM"), "counts": ("transcriptomics", "counts"),
    "count": ("transcriptomics", "counts"), "read_count": ("transcriptomics", "counts"),
    "abundance": ("proteomics", "abundance"), "intensity": ("proteomics", "intensity"),
    "concentration": ("metabolomics", None), "conc": ("metabolomics", None), "value": (None, None),
}
META = {"unit": "unit", "units": "unit", "ref_low": "ref_low", "reference_low": "ref_low", "ref_lower": "ref_low",
        "ref_high": "ref_high", "reference_high": "ref_high", "ref_upper": "ref_high",
        "reference_range": "ref_range", "ref_range": "ref_range", "sample": "sample", "sample_id": "sample",
        "measured_at": "measured_at", "collected": "measured_at", "date": "measured_at", "name": "name",
        "description": "name", "omics": "omics"}
OMICS = ("transcriptomics", "proteomics", "metabolomics")
DEFAULT_WIDE_UNIT = {"proteomics": "abundance"}
MISSING = {"", "na", "nan", "n/a", "null", "none", "."}
_PATTERNS = [
    ("ensembl", re.compile(r"^ENS[A-Z]*[GTP]\d{11}(\.\d+)?$")),
    ("hmdb", re.compile(r"^HMDB\d{5,7}$")),
    ("chebi", re.compile(r"^CHEBI:\d+$", re.I)),
    ("uniprot", re.compile(r"^([OPQ][0-9][A-Z0-9]{3}[0-9]|[A-NR-Z][0-9]([A-Z][A-Z0-9]{2}[0-9]){1,2})(-\d+)?$")),
]
_OMICS_OF_SYSTEM = {"ensembl": "transcriptomics", "uniprot": "proteomics", "hmdb": "metabolomics",
                    "chebi": "metabolomics"}


def _norm(h: str) -> str:
    return re.sub(r"[\s\-]+", "_", h.strip().strip('"').strip().lower())


def sniff_header(cols: list[str]) -> bool:
    """True when a header row looks like an omics table (an identifier column among the first columns)."""
    cols = [_norm(c) for c in cols]
    return len(cols) >= 2 and any(c in ID_COLUMNS for c in cols[:3])


def _system_of(value: str, fixed: str | None, omics: str | None) -> str:
    if fixed:
        return fixed
    for name, pat in _PATTERNS:
        if pat.match(value):
            return name
    return "name" if omics == "metabolomics" else "symbol"


def _float(cell: str, path: Path, line: int, field: str) -> float | None:
    if cell.strip().lower() in MISSING:
        return None
    if len(cell) > 64:
        raise MalformedFile(str(path), f"a {len(cell):,}-character value is not a number", line=line, field=field)
    try:
        v = float(cell)
    except ValueError:
        raise MalformedFile(str(path), f"{cell!r} is not a number", line=line, field=field) from None
    return limits.check_finite(v, path, line=line, field=field)


def _ref_range(text: str, path: Path, line: int) -> tuple[float | None, float | None]:
    t = text.strip().replace("–", "-").replace("≤", "<").replace("≥", ">")
    if t.lower() in MISSING:
        return None, None
    m = re.match(r"^([-+]?\d*\.?\d+(?:[eE][-+]?\d+)?)\s*-\s*([-+]?\d*\.?\d+(?:[eE][-+]?\d+)?)$", t)
    if m:
        return (limits.check_finite(float(m.group(1)), path, line=line, field="reference_range"),
                limits.check_finite(float(m.group(2)), path, line=line, field="reference_range"))
    m = re.match(r"^([<>])=?\s*(\d*\.?\d+)$", t)
    if m:
        return (None, float(m.group(2))) if m.group(1) == "<" else (float(m.group(2)), None)
    raise MalformedFile(str(path), f"{text!r} is not a reference range (expected e.g. 3.5-5.0 or <5)",
                        line=line, field="reference_range")


class _Layout:
    """What the header says: which column is what, long or wide, which omics."""

    def __init__(self, header: list[str], meta: dict, path: Path) -> None:
        self.cols = [_norm(h) for h in header]
        self.raw = [h.strip() for h in header]
        id_idx = next((i for i, c in enumerate(self.cols) if c in ID_COLUMNS), None)
        if id_idx is None:
            raise MalformedFile(str(path), "no identifier column (gene, ensembl_id, uniprot, hmdb, metabolite …) "
                                "in the header", line=meta["_header_line"])
        self.id_idx = id_idx
        self.id_system, id_omics = ID_COLUMNS[self.cols[id_idx]]
        self.meta_idx = {META[c]: i for i, c in enumerate(self.cols) if c in META and i != id_idx}
        if "name" not in self.meta_idx:   # e.g. "uniprot,gene,...": the second identifier names the analyte
            second = next((i for i, c in enumerate(self.cols) if c in ID_COLUMNS and i != id_idx), None)
            if second is not None:
                self.meta_idx["name"] = second
        val = [(i, c) for i, c in enumerate(self.cols) if c in VALUE_COLUMNS and i != id_idx]
        self.long = bool(val)
        value_omics = None
        if self.long:
            self.value_idx, vname = val[0]
            value_omics, self.default_unit = VALUE_COLUMNS[vname]
            self.value_field = self.raw[self.value_idx]
        else:
            used = {id_idx, *self.meta_idx.values()}
            self.sample_cols = [(i, self.raw[i]) for i in range(len(self.cols)) if i not in used]
            if not self.sample_cols:
                raise MalformedFile(str(path), "no value column (tpm, counts, abundance, concentration, value) and "
                                    "no sample columns", line=meta["_header_line"])
            self.default_unit = None
        self.omics = meta.get("omics") or value_omics or id_omics
        if self.omics is not None and self.omics not in OMICS:
            raise MalformedFile(str(path), f"omics must be one of {', '.join(OMICS)}, not {self.omics!r}",
                                field="omics")
        self.file_unit = meta.get("unit")
        if self.id_system == "probe_set":
            self._probe_sets(meta, path)

    def _probe_sets(self, meta: dict, path: Path) -> None:
        """Probe-set IDs mean nothing without their platform, and intensities nothing without their scale."""
        platform = (meta.get("platform") or "").strip()
        if not platform:
            raise MalformedFile(str(path), "probe-set identifiers belong to one microarray platform: declare it "
                                "with a '# platform=…' line (e.g. '# platform=HG-U133A')", field="platform")
        self.id_system = f"probe_set:{PLATFORMS.get(platform.lower(), platform)}"
        scale = (meta.get("scale") or "").strip().lower()
        if scale not in SCALES:
            raise MalformedFile(str(path), "microarray values need their scale: add a '# scale=log2' (or log10 or "
                                f"linear) line{f'; {scale!r} is not one of them' if scale else ''}",
                                field="scale")
        self.file_unit = SCALES[scale]


def import_omics(store, path: Path | str, *, patient_id: str | None = None, sample: str | None = None,
                 progress: Progress | None = None, declared: dict | None = None) -> ImportResult:
    """Import one omics table for an existing patient. ``sample`` picks one sample column of a wide table;
    ``declared`` gives file-level keys (``platform``, ``scale``, ``unit`` ...) at import, as ``# key=value`` lines
    would (a file that says otherwise is refused)."""
    pf, prev = start_patient_file(store, path, "omics", patient_id, progress)
    if prev is not None:
        return prev
    path, progress, info, pid = pf.path, pf.progress, pf.info, pf.patient_id
    with import_batch(store, info, kind="omics", importer="omics", importer_version=IMPORTER_VERSION,
                      patient_id=pid) as batch, open_text(path) as fh:
        reader = _Reader(path, fh, sample, declared)
        n = 0
        for frame in reader.frames():
            n += batch.insert_frame("analytes", frame)
            progress.check()
            progress.set(min(0.95, n / 1e6), f"Importing {info.name}: {n:,} values")
        for om, k in reader.by_omics.items():
            batch.counts[om] = k
        batch.details.update({"layout": "long" if reader.layout.long else "wide", "missing_values": reader.missing})
        if reader.missing:
            batch.warnings.append(f"{reader.missing:,} empty or NA value(s) were skipped (not stored as zero).")
        progress.set(1.0, f"Imported {info.name}")
    return finish(info, batch, "omics", "an omics table")


class _Reader:
    def __init__(self, path: Path, fh, sample: str | None, declared: dict | None = None) -> None:
        self.path, self.fh, self.sample = path, fh, sample
        self.declared = {_norm(k): str(v).strip() for k, v in (declared or {}).items() if v}
        self.missing = 0
        self.by_omics: dict[str, int] = {}

    def _preamble(self) -> tuple[dict, str, int]:
        meta: dict = {}
        line_no = 0
        for line in self.fh:
            line_no += 1
            if line.startswith("#"):
                key, eq, val = line[1:].partition("=")
                if eq:
                    meta[_norm(key)] = val.strip()
                continue
            if line.strip():
                meta["_header_line"] = line_no
                return meta, line, line_no
        raise MalformedFile(str(self.path), "the file has no header row")

    def frames(self):
        meta, header_line, line_no = self._preamble()
        for key, value in self.declared.items():
            if key in meta and meta[key].lower() != value.lower():
                raise MalformedFile(str(self.path), f"the file says {key}={meta[key]} but the import declares "
                                    f"{key}={value}", field=key)
            meta.setdefault(key, value)
        delim = "\t" if header_line.count("\t") >= max(1, header_line.count(",")) else ","
        header = next(csv.reader([header_line], delimiter=delim))
        lay = self.layout = _Layout(header, meta, self.path)
        if not lay.long:
            names = [s for _, s in lay.sample_cols]
            if self.sample is not None:
                if self.sample not in names:
                    raise UnknownSample(str(self.path), f"there is no sample column named {self.sample!r} (the "
                                        f"samples are {', '.join(names[:10])})", line=line_no, field=self.sample)
                lay.sample_cols = [(i, s) for i, s in lay.sample_cols if s == self.sample]
        rows: list[dict] = []
        reader = csv.reader(self.fh, delimiter=delim)
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                raise MalformedFile(str(self.path), f"this row cannot be read as a table row "
                                    f"({limits.short(exc, 80)})", line=line_no + 1) from None
            line_no += 1
            for cell in fields:
                limits.check_text(cell, self.path, line=line_no)
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue
            if len(fields) != len(header):
                raise MalformedFile(str(self.path), f"this row has {len(fields)} columns but the header has "
                                    f"{len(header)}", line=line_no)
            rows.extend(self._rows(fields, line_no, meta))
            if len(rows) >= CHUNK:
                yield self._frame(rows, meta)
                rows = []
        if rows:
            yield self._frame(rows, meta)

    def _rows(self, f: list[str], line: int, meta: dict) -> list[dict]:
        lay = self.layout
        aid = f[lay.id_idx].strip()
        if not aid:
            raise MalformedFile(str(self.path), "the identifier is empty", line=line, field=lay.raw[lay.id_idx])
        m = {k: f[i].strip() for k, i in lay.meta_idx.items()}
        omics = (m.get("omics") or "").lower() or lay.omics
        system = _system_of(aid, lay.id_system, omics)
        if omics is None:
            omics = _OMICS_OF_SYSTEM.get(system)
            if omics is None:
                raise MalformedFile(str(self.path), f"cannot tell whether {aid!r} is transcriptomics, proteomics "
                                    "or metabolomics; add an 'omics' column or a '# omics=…' line", line=line)
        if omics not in OMICS:
            raise MalformedFile(str(self.path), f"omics must be one of {', '.join(OMICS)}, not {omics!r}",
                                line=line, field="omics")
        if system == "chebi" and not aid.upper().startswith("CHEBI:"):
            aid = f"CHEBI:{aid}"
        low = _float(m["ref_low"], self.path, line, "ref_low") if "ref_low" in m else None
        high = _float(m["ref_high"], self.path, line, "ref_high") if "ref_high" in m else None
        if m.get("ref_range"):
            low, high = _ref_range(m["ref_range"], self.path, line)
        unit = m.get("unit") or lay.file_unit or lay.default_unit or (None if lay.long else
                                                                        DEFAULT_WIDE_UNIT.get(omics))
        if not unit:
            raise MalformedFile(str(self.path), f"no unit for {aid!r}: {omics} values need a unit column or a "
                                "'# unit=…' line", line=line, field="unit")
        base = {"omics": omics, "id_system": system, "analyte_id": aid, "name": m.get("name") or None,
                "unit": to_ucum(unit), "ref_low": low, "ref_high": high,
                "measured_at": m.get("measured_at") or meta.get("measured_at") or None, "_line": line}
        cells = [(lay.value_idx, lay.value_field, m.get("sample") or meta.get("sample"))] if lay.long else \
            [(i, s, s) for i, s in lay.sample_cols]
        out = []
        for i, field, smp in cells:
            v = _float(f[i], self.path, line, field)
            if v is None:
                self.missing += 1
                continue
            out.append({**base, "value": v, "sample": smp or None})
            self.by_omics[omics] = self.by_omics.get(omics, 0) + 1
        return out

    def _frame(self, rows: list[dict], meta: dict) -> pd.DataFrame:
        df = pd.DataFrame(rows)
        if df["measured_at"].notna().any():
            filled = df["measured_at"].notna()
            ts, _, _ = parse_timestamps(df.loc[filled, "measured_at"].astype(str), file=str(self.path),
                                        field="measured_at", lines=df.loc[filled, "_line"].to_numpy())
            df["measured_at"] = pd.Series(pd.NaT, index=df.index, dtype="datetime64[us]")
            df.loc[filled, "measured_at"] = ts
        else:
            df["measured_at"] = pd.Series(pd.NaT, index=df.index, dtype="datetime64[us]")
        return df.drop(columns=["_line"])

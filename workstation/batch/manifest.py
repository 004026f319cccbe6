"""The batch manifest: a CSV or TSV with one sample a line, validated before any work starts.

Columns (header names, case-insensitive; the first two are required):

=================  =====================================================================================
``sample_id``      the sample's id in the results (unique; ``sample`` or ``id`` also accepted)
``vcf``            path of its VCF (plain or .gz), relative to the manifest's folder (``vcf_path``/``path``)
``vcf_sample``     which sample column to read when that VCF holds several (optional)
``outside_calls``  a PharmCAT outside-call TSV (CYP2D6, HLA…) for this sample (optional; ``outside_call_file``)
``sex``            male / female / M / F / unknown / empty (optional; a male's chrX is read as one allele)
=================  =====================================================================================

Structure problems (no header, a missing required column, an empty or repeated sample id, a sex word not in the
list) refuse the whole manifest with one sentence naming the line and field. A missing or unreadable VCF is a
failure of that sample only when the run starts; ``--dry-run`` reports those too, one sentence each.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from workstation.batch.sample import normalise_sex
from workstation.errors import WorkstationError

ALIASES = {"sample_id": ("sample_id", "sample", "id"), "vcf": ("vcf", "vcf_path", "path", "file"),
           "vcf_sample": ("vcf_sample",), "outside_calls": ("outside_calls", "outside_call_file", "outside"),
           "sex": ("sex",)}
REQUIRED = ("sample_id", "vcf")


class ManifestError(WorkstationError):
    """The manifest cannot be used; the message names the file, line and field."""

    def __init__(self, file: str, reason: str, *, line: int | None = None, field: str | None = None) -> None:
        where = ", ".join(x for x in (f"line {line}" if line else "", f"field {field}" if field else "") if x)
        super().__init__(f"{file}{f' ({where})' if where else ''}: {reason}.")
        self.file, self.reason, self.line, self.field = file, reason, line, field


@dataclass(frozen=True)
class Entry:
    line: int
    sample_id: str
    vcf: Path
    vcf_sample: str | None
    outside_calls: Path | None
    sex: str | None


def read_manifest(path: str | Path) -> list[Entry]:
    """Parse and check the manifest's structure; raises ManifestError on the first problem."""
    path = Path(path)
    if not path.is_file():
        raise ManifestError(str(path), "the manifest file does not exist")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ManifestError(str(path), "the manifest is not UTF-8 text") from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise ManifestError(str(path), "the manifest is empty; its first line must name the columns "
                            "(sample_id, vcf, and optionally vcf_sample, outside_calls, sex)", line=1)
    delim = "\t" if "\t" in lines[0] else ","
    rows = list(csv.reader(lines, delimiter=delim))
    header = [h.strip().lower() for h in rows[0]]
    col: dict[str, int] = {}
    for key, names in ALIASES.items():
        for i, h in enumerate(header):
            if h in names:
                col.setdefault(key, i)
    for key in REQUIRED:
        if key not in col:
            raise ManifestError(str(path), f"the header has no {key} column (it names: {', '.join(header)})",
                                line=1, field=key)
    base = path.parent
    seen: dict[str, int] = {}
    out: list[Entry] = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) > len(header):
            raise ManifestError(str(path), f"the line has {len(row)} fields but the header names {len(header)}",
                                line=n)

        def get(key: str) -> str:
            i = col.get(key)
            return row[i].strip() if i is not None and i < len(row) else ""

        sid = get("sample_id")
        if not sid:
            raise ManifestError(str(path), "the sample id is empty", line=n, field="sample_id")
        if sid in seen:
            raise ManifestError(str(path), f"sample id {sid!r} was already used on line {seen[sid]}", line=n,
                                field="sample_id")
        seen[sid] = n
        vcf = get("vcf")
        if not vcf:
            raise ManifestError(str(path), f"sample {sid} has no VCF path", line=n, field="vcf")
        try:
            sex = normalise_sex(get("sex"))
        except ValueError as exc:
            raise ManifestError(str(path), str(exc), line=n, field="sex") from None
        oc = get("outside_calls")
        out.append(Entry(n, sid, _resolve(base, vcf), get("vcf_sample") or None,
                         _resolve(base, oc) if oc else None, sex))
    if not out:
        raise ManifestError(str(path), "the manifest lists no samples (only a header line)", line=2)
    return out


def _resolve(base: Path, p: str) -> Path:
    q = Path(p).expanduser()
    return q if q.is_absolute() else base / q


def check_files(path: str | Path, entries: list[Entry]) -> list[str]:
    """One sentence per problem a run would meet with these files (missing VCF, not a VCF, unknown sample column,
    missing outside-call file). Reads only headers."""
    from workstation.errors import ImportError_
    from workstation.ingest.vcf_header import read_header

    problems = []
    for e in entries:
        if not e.vcf.is_file():
            problems.append(str(ManifestError(str(path), f"the VCF {e.vcf} of sample {e.sample_id} does not exist",
                                              line=e.line, field="vcf")))
            continue
        try:
            read_header(e.vcf).sample_index(e.vcf_sample)
        except ImportError_ as exc:
            problems.append(str(ManifestError(str(path), f"sample {e.sample_id}: {exc.reason}", line=e.line,
                                              field="vcf_sample" if "sample" in exc.reason else "vcf")))
        if e.outside_calls is not None and not e.outside_calls.is_file():
            problems.append(str(ManifestError(str(path), f"the outside-call file {e.outside_calls} of sample "
                                              f"{e.sample_id} does not exist", line=e.line, field="outside_calls")))
    return problems

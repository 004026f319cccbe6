"""Which importer a file needs, decided from its content (the first bytes), not its name.

Returns one of ``'vcf' | 'fhir' | 'fhir-ndjson' | 'omics' | 'apple-health' | 'fitbit' | 'wearable-csv' |
'canrisk' | 'boadicea' | 'ped' | 'ga4gh'`` or raises
:class:`~workstation.errors.FormatNotRecognised` naming the file. Gzip-compressed text is looked into; a zip is
recognised as an Apple Health export when it holds ``export.xml``.
"""
from __future__ import annotations

import json
import zipfile
import zlib
from pathlib import Path

from workstation.errors import FormatNotRecognised, NotFound

FORMATS = ("vcf", "fhir", "fhir-ndjson", "omics", "apple-health", "fitbit", "wearable-csv", "canrisk", "boadicea",
           "ped", "ga4gh")
HEAD_BYTES = 1 << 16


def head_bytes(path: Path | str, n: int = HEAD_BYTES) -> bytes:
    """Up to ``n`` bytes of the file's content, gunzipped when it is gzip (partial output of a truncated file)."""
    with open(path, "rb") as fh:
        raw = fh.read(n)
    if raw[:2] == b"\x1f\x8b":
        try:
            return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(raw, n)
        except zlib.error:
            return b""
    return raw


def apple_member(path: Path | str) -> str | None:
    """Name of the ``export.xml`` member of an Apple Health ``export.zip`` (None when there is none)."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if n.rsplit("/", 1)[-1] == "export.xml"]
    except zipfile.BadZipFile:
        return None
    return min(names, key=len) if names else None


def _sniff_vcf(head: bytes) -> bool:
    try:
        from workstation.ingest.vcf import sniff_vcf
    except ImportError:
        return head.lstrip(b"\xef\xbb\xbf").startswith(b"##fileformat=VCF")
    return bool(sniff_vcf(head))


def _first_table_line(text: str) -> str | None:
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            return line
    return None


def split_header(line: str) -> list[str]:
    delim = "\t" if line.count("\t") >= max(1, line.count(",")) else ","
    return [c.strip().strip('"').strip().lower() for c in line.split(delim)]


def detect_head(head: bytes, name: str = "") -> str | None:
    """The format of a file whose first bytes are ``head`` (None when not recognised)."""
    if _sniff_vcf(head):
        return "vcf"
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff").lstrip()
    from workstation.family import canrisk, ped

    if (pedigree := canrisk.sniff(text)) is not None:
        return pedigree
    if text.startswith("<"):
        return "apple-health" if ("<HealthData" in text or "DOCTYPE HealthData" in text) else None
    if text.startswith("{"):
        first, _, rest = text.partition("\n")
        if rest.strip():
            try:
                obj = json.loads(first)
            except json.JSONDecodeError:
                obj = None
            if isinstance(obj, dict) and "resourceType" in obj:
                return "fhir-ndjson"
        if '"resourceType"' in text:
            return "fhir"
        from workstation.family import ga4gh

        return "ga4gh" if ga4gh.sniff(text) else None
    if text.startswith("["):
        probe = text[:4096]
        if '"dateTime"' in probe or '"dateOfSleep"' in probe or '"logId"' in probe:
            return "fitbit"
        return None
    line = _first_table_line(text)
    if line is None:
        return None
    from workstation.ingest import omics, wearable_csv
    cols = split_header(line)
    if wearable_csv.sniff_header(cols):
        return "wearable-csv"
    if omics.sniff_header(cols):
        return "omics"
    if ped.sniff(text):
        return "ped"
    return None


def detect(path: Path | str) -> str:
    """The format of the file at ``path`` (see module docstring)."""
    p = Path(path)
    if not p.is_file():
        raise NotFound(f"There is no file at {p}.")
    with open(p, "rb") as fh:
        magic = fh.read(4)
    if magic == b"PK\x03\x04":
        if apple_member(p) is not None:
            return "apple-health"
        raise FormatNotRecognised(str(p), "this zip archive holds no Apple Health export.xml; unpack it and "
                                  "import the files inside")
    fmt = detect_head(head_bytes(p), p.name)
    if fmt is None:
        raise FormatNotRecognised(str(p), "the content is not a format the workstation imports (VCF, FHIR JSON or "
                                  "NDJSON, omics CSV/TSV, Apple Health export, Fitbit JSON, wearable CSV, PED, "
                                  "CanRisk, BOADICEA or GA4GH pedigree); see docs/IMPORT_FORMATS.md")
    return fmt

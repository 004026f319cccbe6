"""Import files into the patient store: the format is detected from the content, then one importer runs.

``import_file(store, path, *, patient_id=None, sample=None, progress=None) -> ImportResult`` is the entry point
for the CLI and the window. Each format also has its own ``import_xxx(store, path, *, patient_id=None,
progress=None)``. Every importer writes the whole file in one transaction (or nothing), with one provenance row
and one audit row; importing the same bytes again is a no-op reported as ``"already imported"``.
"""
from __future__ import annotations

from pathlib import Path

from workstation.errors import FormatNotRecognised
from workstation.ingest.base import ImportResult
from workstation.ingest.detect import FORMATS, detect
from workstation.progress import Progress

__all__ = ["ImportResult", "FORMATS", "detect", "import_file", "importer_for"]

# format → (module, function); modules are imported when first used.
IMPORTERS = {
    "vcf": ("workstation.ingest.vcf", "import_vcf"),
    "fhir": ("workstation.ingest.fhir", "import_fhir"),
    "fhir-ndjson": ("workstation.ingest.fhir", "import_fhir"),
    "omics": ("workstation.ingest.omics", "import_omics"),
    "apple-health": ("workstation.ingest.apple_health", "import_apple_health"),
    "fitbit": ("workstation.ingest.fitbit", "import_fitbit"),
    "wearable-csv": ("workstation.ingest.wearable_csv", "import_wearable_csv"),
    "canrisk": ("workstation.ingest.pedigree", "import_pedigree"),
    "boadicea": ("workstation.ingest.pedigree", "import_pedigree"),
    "ped": ("workstation.ingest.pedigree", "import_pedigree"),
    "ga4gh": ("workstation.ingest.pedigree", "import_pedigree"),
}


def importer_for(fmt: str, path: Path | str = ""):
    """The import function for a format name (raises a plain error when it is not available)."""
    import importlib

    mod_name, fn_name = IMPORTERS[fmt]
    try:
        mod = importlib.import_module(mod_name)
    except ModuleNotFoundError as exc:
        if exc.name == mod_name:
            raise FormatNotRecognised(str(path), f"{fmt.upper()} import is not available in this build") from None
        raise
    return getattr(mod, fn_name)


def import_file(store, path: Path | str, *, patient_id: str | None = None, sample: str | None = None,
                progress: Progress | None = None, declared: dict | None = None) -> ImportResult:
    """Detect the format of ``path`` and import it (see the module docstring). ``declared`` (omics tables only:
    ``{"platform": ..., "scale": ...}``; VCF: ``{"build": "GRCh38" | "GRCh37"}``, the build the lab states — GRCh37
    opts in to translating the pharmacogene positions) says at import what the file may also say."""
    fmt = detect(path)
    fn = importer_for(fmt, path)
    if fmt == "omics" and declared:
        return fn(store, path, patient_id=patient_id, sample=sample, progress=progress, declared=declared)
    if fmt == "vcf":
        from workstation.ingest.common import require_patient
        pid = require_patient(store, path, patient_id)
        return fn(store, path, patient_id=pid, sample=sample, progress=progress,
                  build=(declared or {}).get("build"))
    if fmt == "fhir-ndjson":
        return fn(store, path, patient_id=patient_id, progress=progress, ndjson=True)
    if fmt == "fhir":
        return fn(store, path, patient_id=patient_id, progress=progress, ndjson=False)
    if fmt in ("canrisk", "boadicea", "ped", "ga4gh"):
        return fn(store, path, patient_id=patient_id, sample=sample, progress=progress, fmt=fmt)
    return fn(store, path, patient_id=patient_id, sample=sample, progress=progress)

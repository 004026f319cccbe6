"""Tumour expression values for a platform-locked expression model, read from the patient's ``analytes`` table.

Microarray probe-set values are stored by the omics importer with ``id_system = "probe_set:<platform>"`` and the
declared scale as the unit (``log2 intensity``; docs/IMPORT_FORMATS.md). Only values on the model's platform and
scale are used: RNA-seq (gene symbols or Ensembl IDs with TPM or counts), other arrays and other scales are never
converted, and the reason is given. When the record holds several expression samples, the most recent one (by
``measured_at``, then sample name) is used and that is said.
"""
from __future__ import annotations

import pandas as pd

PLATFORM_ID = "probe_set:HG-U133A"
SCALE_UNIT = "log2 intensity"


def probe_values(profile, platform_id: str = PLATFORM_ID, unit: str = SCALE_UNIT) -> tuple[dict, dict, str | None]:
    """``(values by probe ID, source, why not)`` for the most recent sample on ``platform_id`` and ``unit``.

    ``why not`` explains what the record holds instead when it has transcriptomics but none usable (else None).
    """
    a = getattr(profile, "analytes", None)
    if a is None or a.empty:
        return {}, {}, None
    tx = a[a["omics"] == "transcriptomics"]
    if tx.empty:
        return {}, {}, None
    usable = tx[(tx["id_system"] == platform_id) & (tx["unit"] == unit) & tx["value"].notna()]
    if usable.empty:
        kinds = sorted({f"{_system_text(s)} in {u or 'no unit'}" for s, u in
                        zip(tx["id_system"].fillna(""), tx["unit"].fillna(""))})
        return {}, {}, ("the record's transcriptome is " + "; ".join(kinds[:3]) +
                        f", not {platform_id.split(':', 1)[1]} {unit}s; it is not converted")
    samples = usable.assign(_t=pd.to_datetime(usable["measured_at"]), _s=usable["sample"].fillna(""))
    latest = samples.sort_values(["_t", "_s"], na_position="first").iloc[-1]
    rows = samples[(samples["_s"] == latest["_s"]) & (samples["_t"].isna() if pd.isna(latest["_t"])
                                                      else samples["_t"] == latest["_t"])]
    values = dict(zip(rows["analyte_id"].astype(str), rows["value"].astype(float)))
    n_samples = samples[["_s", "_t"]].drop_duplicates().shape[0]
    when = None if pd.isna(latest["_t"]) else latest["_t"].date().isoformat()
    source = {"table": "analytes", "platform": platform_id.split(":", 1)[1], "unit": unit,
              "sample": latest["_s"] or None, "date": when, "n_values": len(values), "n_samples": n_samples}
    return values, source, None


def _system_text(system: str) -> str:
    if system.startswith("probe_set:"):
        return f"{system.split(':', 1)[1]} probe sets"
    return {"symbol": "gene symbols", "ensembl": "Ensembl IDs"}.get(system, system or "unknown identifiers")

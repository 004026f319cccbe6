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
    tx = (a["omics"] == "transcriptomics").to_numpy()
    if not tx.any():
        return {}, {}, None
    ok = tx & (a["id_system"] == platform_id).to_numpy() & (a["unit"] == unit).to_numpy() & \
        a["value"].notna().to_numpy()
    if not ok.any():
        t = a[tx]
        kinds = sorted({f"{_system_text(s)} in {u or 'no unit'}" for s, u in
                        zip(t["id_system"].fillna(""), t["unit"].fillna(""))})
        return {}, {}, ("the record's transcriptome is " + "; ".join(kinds[:3]) + ", which is not converted")
    usable = a[ok]
    when = pd.to_datetime(usable["measured_at"])
    sample = usable["sample"].fillna("").astype(str)
    n_samples = 1
    s_arr, t_arr = sample.to_numpy(), when.to_numpy()
    one = bool((s_arr == s_arr[0]).all()) and (bool(pd.isna(t_arr).all()) or bool((t_arr == t_arr[0]).all()))
    if not one:                                # the most recent sample (undated ones count as oldest)
        keys = pd.DataFrame({"t": when, "s": sample}).drop_duplicates()
        n_samples = len(keys)
        last = keys.sort_values(["t", "s"], na_position="first").iloc[-1]
        pick = (sample == last["s"]).to_numpy() & ((when == last["t"]).to_numpy() if pd.notna(last["t"])
                                                   else when.isna().to_numpy())
        usable, when, sample = usable[pick], when[pick], sample[pick]
    values = dict(zip(usable["analyte_id"].astype(str).tolist(), usable["value"].astype(float).tolist()))
    t0 = when.iloc[0]
    source = {"table": "analytes", "platform": platform_id.split(":", 1)[1], "unit": unit,
              "sample": sample.iloc[0] or None, "date": None if pd.isna(t0) else t0.date().isoformat(),
              "n_values": len(values), "n_samples": n_samples}
    return values, source, None


def _system_text(system: str) -> str:
    if system.startswith("probe_set:"):
        return f"{system.split(':', 1)[1]} probe sets"
    return {"symbol": "gene symbols", "ensembl": "Ensembl IDs"}.get(system, system or "unknown identifiers")

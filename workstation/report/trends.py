"""Key trends for the report: systolic blood pressure, total cholesterol, HbA1c and eGFR over time.

Codes: LOINC (loinc.org). SBP, total cholesterol and eGFR use the profile mapper's code lists
(``workstation.models.clinical_codes.LOINC``), so the trend shows the same records the scores read. HbA1c:
4548-4 "Hemoglobin A1c/Hemoglobin.total in Blood" (also in the Synthea R4 samples) and 17856-6 (the same, by
HPLC). Values are plotted as recorded; a series with units the trend cannot put on one axis keeps only the most
common unit. Series without any value are left out (the report says so).
"""
from __future__ import annotations

import pandas as pd

from workstation.models.clinical_codes import LOINC
from workstation.report.content import TrendSeries, display_unit
from workstation.report.deid import When

TRENDS = (
    ("sbp", "Systolic blood pressure", LOINC["sbp"]),
    ("total_chol", "Total cholesterol", LOINC["total_chol"]),
    ("hba1c", "HbA1c", ["4548-4", "17856-6"]),
    ("egfr", "eGFR", LOINC["egfr"]),
)
MAX_POINTS = 200   # the most recent ones; a handout plot shows no more


def _fmt(v: float) -> str:
    return f"{v:.0f}" if abs(v) >= 20 else f"{v:.1f}"


def trend_series(observations: pd.DataFrame, when: When) -> tuple[TrendSeries, ...]:
    if observations is None or observations.empty:
        return ()
    obs = observations[observations["value_num"].notna() & observations["effective"].notna()]
    as_of = pd.Timestamp(when.as_of)
    out = []
    for key, label, codes in TRENDS:
        rows = obs[obs["code"].astype(str).isin(codes)]
        if rows.empty:
            continue
        unit = rows["unit"].fillna("").mode().iloc[0]
        rows = rows[rows["unit"].fillna("") == unit].sort_values("effective")
        eff = pd.to_datetime(rows["effective"])
        if getattr(eff.dt, "tz", None) is not None:
            eff = eff.dt.tz_convert(None)
        rows = rows[eff <= as_of].tail(MAX_POINTS)
        if rows.empty:
            continue
        pts = tuple((when.x(t), float(v)) for t, v in zip(rows["effective"], rows["value_num"]))
        last = rows.iloc[-1]
        lo = rows["ref_low"].dropna()
        hi = rows["ref_high"].dropna()
        latest = f"{_fmt(float(last['value_num']))} {display_unit(unit)}".strip() + f", {when.ago(last['effective'])}"
        out.append(TrendSeries(key, label, display_unit(unit), pts, when.x_axis, latest,
                               float(lo.iloc[-1]) if len(lo) else None, float(hi.iloc[-1]) if len(hi) else None))
    return tuple(out)

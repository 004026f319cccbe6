"""Key trends for the report: systolic blood pressure, total cholesterol, HbA1c and eGFR over time.

Codes: LOINC (loinc.org). SBP, total cholesterol and eGFR use the profile mapper's code lists
(``workstation.models.clinical_codes.LOINC``), so the trend shows the same records the scores read. HbA1c:
4548-4 "Hemoglobin A1c/Hemoglobin.total in Blood" (also in the Synthea R4 samples) and 17856-6 (the same, by
HPLC). Units follow the single unit policy (:func:`workstation.units.harmonise`): the series is drawn in the unit
most of its values carry, values recorded in another unit are converted through the policy's cited table, and any
value that cannot be converted is not drawn and is counted in the series' ``note`` (never dropped silently).
Series without any value are left out (the report says so).
"""
from __future__ import annotations

import pandas as pd

from workstation import units
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
        rows = obs[obs["code"].astype(str).isin(codes)].sort_values("effective", kind="stable")
        eff = pd.to_datetime(rows["effective"])
        if getattr(eff.dt, "tz", None) is not None:
            eff = eff.dt.tz_convert(None)
        rows = rows[eff <= as_of].assign(_trend=key)
        if rows.empty:
            continue
        shown, groups = units.harmonise(rows, value="value_num", by="_trend")
        main = next(g for g in groups if not g.separate)
        apart = [g for g in groups if g.separate]
        if main.n == 0:          # every value is in a unit without a main-unit group (cannot happen: kept safe)
            continue
        drawn = shown[shown["group"] == main.key].tail(MAX_POINTS)
        pts = tuple((when.x(t), float(v)) for t, v in zip(drawn["effective"], drawn["shown_value"]))
        last = drawn.iloc[-1]
        lo, hi = drawn["shown_ref_low"].dropna(), drawn["shown_ref_high"].dropna()
        unit = main.unit
        latest = f"{_fmt(float(last['shown_value']))} {display_unit(unit)}".strip() + f", {when.ago(last['effective'])}"
        notes = [units.conversion_note(main)] if main.converted else []
        notes += [f"{g.n} value{'s' if g.n != 1 else ''} recorded in {display_unit(g.unit) or 'no unit'} "
                  f"cannot be converted to {display_unit(unit)} and {'are' if g.n != 1 else 'is'} not drawn."
                  for g in apart]
        out.append(TrendSeries(key, label, display_unit(unit), pts, when.x_axis, latest,
                               float(lo.iloc[-1]) if len(lo) else None, float(hi.iloc[-1]) if len(hi) else None,
                               note=" ".join(notes)))
    return tuple(out)

"""The single unit policy (workstation/units.py): the cited conversion table, substance-bound conversions, one
shown unit per observation code (converted or apart, never mixed or dropped), and every layer using it."""
from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from workstation import units
from workstation.report.deid import When
from workstation.report.trends import trend_series
from tests.core.models_support import make_profile, obs


def test_every_table_row_is_ucum_with_a_source_and_inverts():
    rows = units.conversion_rows()
    assert len(rows) >= 25
    for r in rows:
        assert r.sources and r.sources[0].strip() and r.factor not in (0.0,) and math.isfinite(r.factor)
        assert units.to_ucum(r.from_unit) == r.from_unit and units.to_ucum(r.to_unit) == r.to_unit
        back = r.inverse().apply(r.apply(12.5))
        assert back == pytest.approx(12.5)
        assert r.substance == "*" or r.substance in set(units._load()["substances"].values())


@pytest.mark.parametrize("value, src, dst, code, expected", [
    (200 * 0.02586, "mmol/L", "mg/dL", "2093-3", 200.0),        # total cholesterol, PREVENT's factor
    (1.0, "mmol/L", "mg/dL", "2085-9", 1 / 0.02586),             # HDL is cholesterol too
    (1.0, "mmol/L", "mg/dL", "2571-8", 88.57),                   # triglycerides
    (5.5, "mmol/L", "mg/dL", "2345-7", 5.5 * 18.0156),           # glucose
    (88.42, "umol/L", "mg/dL", "38483-4", 1.0),                  # creatinine
    (48.0, "mmol/mol", "%", "4548-4", 0.09148 * 48 + 2.152),     # HbA1c IFCC -> NGSP
    (98.6, "[degF]", "Cel", None, 37.0),
    (2.0, "g/L", "mg/dL", None, 200.0),                          # any mass concentration
    (12.0, "mg/L", "mg/dL", None, 1.2),
    (154.0, "[lb_av]", "kg", None, 154 * 0.45359237),
    (70.0, "[in_i]", "cm", None, 177.8),
    (1.0, "h", "s", None, 3600.0),
])
def test_conversions(value, src, dst, code, expected):
    assert units.convert(value, src, dst, code=code) == pytest.approx(expected, rel=1e-9)
    back = units.convert(expected, dst, src, code=code)
    assert back == pytest.approx(value, rel=1e-9)


def test_mass_to_amount_needs_the_substance():
    assert units.convert(5.0, "mmol/L", "mg/dL") is None                 # which molecule? no answer
    assert units.convert(5.0, "mmol/L", "mg/dL", code="718-7") is None   # a code the substance table lacks
    assert units.convert(5.0, "mmol/L", "mg/dL", code="2093-3") is not None
    assert units.convert(5.0, "mmol/L", "mg/dL", substance="glucose") == pytest.approx(90.078)
    assert units.convert(1.0, "mg/dL", "%", code="4548-4") is None        # unrelated kinds
    assert units.convert(3.0, "mmol/L", "mmol/L") == 3.0


def test_normalisation_reads_aliases_and_case_variants_only():
    assert units.to_ucum("mmHg") == "mm[Hg]" and units.to_ucum("bpm") == "/min"
    assert units.to_ucum("MG/DL") == "mg/dL" and units.to_ucum("Mmol/L") == "mmol/L"
    assert units.to_ucum("mL/min/1.73m2") == "mL/min/{1.73_m2}"
    assert units.to_ucum("A") == "A"              # never folded into 'a' (year)
    assert units.to_ucum("TPM") == "TPM" and units.to_ucum("  ") is None and units.to_ucum(None) is None
    assert units.is_alias("mmHg") and not units.is_alias("mm[Hg]")


def test_every_layer_uses_the_one_policy():
    from workstation import display
    from workstation.ingest import fhir_resources, omics, units as ingest_units, wearables
    from workstation.models import profile_inputs
    from workstation.report import content, trends

    assert ingest_units.to_ucum is units.to_ucum and display.unit_text is units.unit_text
    assert fhir_resources.to_ucum is units.to_ucum and omics.to_ucum is units.to_ucum
    assert wearables.to_ucum is units.to_ucum
    assert profile_inputs.units is units and trends.units is units
    assert content.unit_text is units.unit_text


def _frame(rows):
    return pd.DataFrame(rows, columns=["code", "value", "unit", "ref_low", "ref_high"])


def test_harmonise_converts_or_separates_never_mixes():
    df = _frame([("2093-3", 210.0, "mg/dL", None, 200.0), ("2093-3", 5.0, "mmol/L", None, 5.172),
                 ("2093-3", 190.0, "mg/dL", None, 200.0), ("2160-0", 1.1, "mg/dL", 0.6, 1.1),
                 ("2160-0", 97.0, "umol/L", 53.0, 97.2), ("2160-0", 1.0, "mg/dL", 0.6, 1.1),
                 ("718-7", 13.5, "g/dL", 12.0, 15.5), ("718-7", 8.4, "mmol/L", None, None),
                 ("718-7", 14.0, "g/dL", 12.0, 15.5)])
    out, groups = units.harmonise(df)
    assert len(out) == len(df) and out["value"].tolist() == df["value"].tolist()     # rows kept, in order
    by = {g.key: g for g in groups}
    assert set(by) == {"2093-3", "2160-0", "718-7", "718-7|mmol/L"}
    chol = out[out["code"] == "2093-3"]
    assert chol["shown_unit"].unique().tolist() == ["mg/dL"]
    assert chol["shown_value"].iloc[1] == pytest.approx(5.0 / 0.02586)
    assert chol["shown_ref_high"].iloc[1] == pytest.approx(5.172 / 0.02586)
    assert by["2093-3"].converted == {"mmol/L": 1} and by["2093-3"].n == 3
    creat = out[out["code"] == "2160-0"]
    assert creat["shown_value"].iloc[1] == pytest.approx(97 / 88.42)
    hb = by["718-7|mmol/L"]        # haemoglobin has no substance row: its mmol/L value stays apart
    assert hb.separate and hb.n == 1 and hb.main_unit == "g/dL" and by["718-7"].n == 2
    assert out.loc[out["unit"] == "mmol/L", "group"].tolist() == ["2093-3", "718-7|mmol/L"]
    assert "shown apart" in units.conversion_note(hb)
    assert units.conversion_note(by["2093-3"]) == "1 value recorded in mmol/L is shown converted to mg/dL."


def test_main_unit_is_the_most_common_then_the_latest():
    assert units.main_unit(pd.Series(["mmol/L", "mg/dL", "mg/dL"])) == "mg/dL"
    assert units.main_unit(pd.Series(["mg/dL", "mmol/L"])) == "mmol/L"
    assert units.main_unit(pd.Series([], dtype=object)) == ""


def test_report_trend_converts_and_names_what_it_cannot_draw():
    p = make_profile(birth_date=datetime(1960, 1, 1).date(), sex="male", as_of=datetime(2024, 6, 1),
                     observations=[obs("2093-3", 210, "mg/dL", "2022-01-10"), obs("2093-3", 5.0, "mmol/L", "2023-01-10"),
                                   obs("2093-3", 190, "mg/dL", "2024-01-10"), obs("2093-3", 4.0, "kat/L", "2024-02-10"),
                                   obs("8480-6", 150, "mm[Hg]", "2023-01-05"), obs("8480-6", 140, "mmHg", "2024-01-05")])
    trends = {t.key: t for t in trend_series(p.observations, When(datetime(2024, 6, 1), deidentify=False))}
    chol = trends["total_chol"]
    assert chol.unit == "mg/dL" and [round(v, 1) for _x, v in chol.points] == [210.0, round(5.0 / 0.02586, 1), 190.0]
    assert "1 value recorded in mmol/L is shown converted to mg/dL" in chol.note
    assert "1 value recorded in kat/L cannot be converted to mg/dL and is not drawn" in chol.note
    sbp = trends["sbp"]                    # an alias spelling is the same unit: both values drawn, no note
    assert len(sbp.points) == 2 and sbp.note == "" and sbp.unit == "mmHg"


def test_model_inputs_name_a_unit_they_cannot_convert():
    from workstation.models.profile_inputs import gather_facts

    p = make_profile(birth_date=datetime(1960, 1, 1).date(), sex="male", as_of=datetime(2024, 6, 1),
                     observations=[obs("2085-9", 1.3, "mmol/L", "2024-01-10"), obs("2093-3", 5, "mg", "2024-01-10")])
    pf = gather_facts(p)
    assert pf.facts["hdl_mgdl"].value == pytest.approx(1.3 / 0.02586)
    assert "total_chol_mgdl" not in pf.facts
    assert any("'mg', which cannot be converted to mg/dL" in n for n in pf.notes)


def test_numpy_arrays_convert_elementwise_and_keep_nan():
    out = units.convert(np.array([1.0, np.nan, 2.0]), "mmol/L", "umol/L")
    assert out[0] == 1000.0 and np.isnan(out[1]) and out[2] == 2000.0

"""One wording of a score's sources for the window and the PDF."""
from __future__ import annotations

from workstation.display import source_words
from workstation.report.deid import When
from workstation.report.risk_part import _source

OBS = {"table": "observations", "code": "2093-3", "display": "Total Cholesterol", "value": 5.2, "unit": "mmol/L",
       "date": "2024-01-10"}


def test_the_pdf_uses_the_window_words_without_the_values():
    date, words = source_words(OBS)
    assert (date, words) == ("2024-01-10", "Total Cholesterol (LOINC 2093-3): 5.2 mmol/L")
    from datetime import datetime

    pdf_when, pdf_words = _source(OBS, When(datetime(2024, 6, 1), deidentify=False))
    assert pdf_words == source_words(OBS, detail=False)[1] == "Total Cholesterol (LOINC 2093-3)" and pdf_when
    assert source_words({"assumed": True, "note": "no active statin on record"})[1] == \
        "assumed no: no active statin on record"
    assert source_words({"table": "patients", "birth_date": "1960-01-01"}, detail=False)[1] == "patient record"

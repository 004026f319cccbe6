"""Helpers for the model tests: PatientProfile frames with exactly the store schema's columns."""
from __future__ import annotations

import re
from datetime import date, datetime

import pandas as pd

from workstation.profile import FRAME_TABLES, PatientProfile
from workstation.store import schema


def schema_columns(table: str) -> list[str]:
    """Column names of ``table`` as declared in workstation/store/schema.py (V1 SQL)."""
    m = re.search(rf"CREATE TABLE {table} \((.*?)\n\);", schema.V1, re.S)
    assert m, table
    cols = []
    for line in m.group(1).splitlines():
        line = line.split("--")[0].strip()
        for part in line.split(","):
            part = part.strip()
            if part and not part.upper().startswith("PRIMARY KEY") and re.match(r"^[a-z_]+ ", part):
                cols.append(part.split()[0])
    return cols


def frame(table: str, rows: list[dict] | None = None) -> pd.DataFrame:
    cols = schema_columns(table)
    rows = rows or []
    for r in rows:
        unknown = set(r) - set(cols)
        assert not unknown, f"{table}: not schema columns {unknown}"
    return pd.DataFrame([{c: r.get(c) for c in cols} for r in rows], columns=cols)


def make_profile(*, birth_date: date, sex: str, as_of: datetime, pid: str = "p1", race: str | None = None,
                 **tables: list[dict]) -> PatientProfile:
    patient = {"id": pid, "name": "Test Patient", "birth_date": birth_date, "sex": sex}
    if race:
        patient["race"] = race
    frames = {t: frame(t, [dict(r, patient_id=pid) for r in tables.get(t, [])]) for t in FRAME_TABLES}
    return PatientProfile(patient=patient, sources=frame("sources"), as_of=as_of, **frames)


def obs(code: str, value: float, unit: str, when: str, display: str = "", text: str | None = None) -> dict:
    return {"code_system": "http://loinc.org", "code": code, "display": display or code, "value_num": value,
            "value_text": text, "unit": unit, "effective": pd.Timestamp(when), "category": "laboratory",
            "resource_id": f"obs-{code}-{when}"}

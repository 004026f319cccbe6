"""PatientProfile: an immutable snapshot of one patient, assembled by the store.

Frames have exactly the columns of the same-named tables in ``workstation/store/schema.py``. The genome is NOT in
the profile: ``variants`` and ``ref_blocks`` hold only the patient's genotypes at the positions the core needs
(pharmacogene definition positions and polygenic-score positions, GRCh38, read by the store's SQL join in
:func:`workstation.genome.reader.from_store`; a reference block is one row per covered position), ``genotypes`` is
that :class:`~workstation.genome.reader.GenotypeTable` (build, refusal, coverage) and ``variant_summary`` counts
the whole genome (records, reference blocks, build, coverage kind, per source). The Variants view pages through
the store (``workstation.store.queries.variants_page``). Views, the
pharmacogenomics caller and the model mapper read a profile; nothing writes to one. ``version`` changes whenever
the patient's stored data changes (derived results are cached per version).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd

FRAME_TABLES = ("observations", "conditions", "medications", "allergies", "family_history", "procedures",
                "encounters", "analytes", "outside_calls")


@dataclass(frozen=True)
class PatientProfile:
    patient: dict
    observations: pd.DataFrame
    conditions: pd.DataFrame
    medications: pd.DataFrame
    allergies: pd.DataFrame
    family_history: pd.DataFrame
    procedures: pd.DataFrame
    encounters: pd.DataFrame
    analytes: pd.DataFrame
    outside_calls: pd.DataFrame
    sources: pd.DataFrame
    wearable_summary: pd.DataFrame = field(default_factory=pd.DataFrame)  # metric, day, n, mean/min/max/sum
    as_of: datetime = field(default_factory=datetime.now)
    version: str = ""
    family: Any = None            # workstation.family.Family (latest stored version) or None
    family_version: int = 0
    variants: pd.DataFrame = field(default_factory=pd.DataFrame)     # genotypes at the needed positions only
    ref_blocks: pd.DataFrame = field(default_factory=pd.DataFrame)   # one row per covered needed position
    genotypes: Any = None         # workstation.genome.reader.GenotypeTable (positions the core needs) or None
    variant_summary: dict = field(default_factory=dict)   # see workstation.store.profile_query.variant_summary

    @property
    def id(self) -> str:
        return str(self.patient["id"])

    @property
    def name(self) -> str:
        return str(self.patient.get("name") or self.patient["id"])

    @property
    def sex(self) -> str | None:
        return self.patient.get("sex")

    @property
    def birth_date(self) -> date | None:
        b = self.patient.get("birth_date")
        if b is None or (isinstance(b, float) and pd.isna(b)):
            return None
        if isinstance(b, datetime):
            return b.date()
        if isinstance(b, date):
            return b
        return date.fromisoformat(str(b)[:10])

    def age(self, on: date | None = None) -> float | None:
        """Age in whole years on ``on`` (default: ``as_of``)."""
        b = self.birth_date
        if b is None:
            return None
        d = on or self.as_of.date()
        return d.year - b.year - ((d.month, d.day) < (b.month, b.day))

    def active_medications(self) -> pd.DataFrame:
        m = self.medications
        if m.empty:
            return m
        return m[m["status"].fillna("active").str.lower().isin(["active", "on-hold", "intended", "draft", "unknown"])]

    def active_conditions(self) -> pd.DataFrame:
        c = self.conditions
        if c.empty:
            return c
        return c[c["clinical_status"].fillna("active").str.lower().isin(["active", "recurrence", "relapse"])]

"""ReportContent: the consult summary as plain data (no Qt), ready for a renderer to lay out.

Every string here is final display text decided by the core (dates already formatted or removed, values with
units); the renderer adds section titles, colours and layout only. ``level`` fields are one of
:data:`LEVELS`. Trend points are ``(x, value)`` with ``x`` in decimal calendar years, or in years relative to the
report (negative = before it) in the de-identified variant; :attr:`TrendSeries.x_axis` says which.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from workstation.display import unit_text

# Traffic light of a medicine against its pharmacogenomic result. "none": guidance exists for the drug but no
# recommendation applies to the results available (missing is not standard). "not_in_scope": no CPIC guideline.
LEVELS = ("avoid", "adjust", "caution", "standard", "none", "not_in_scope")
LEVEL_TEXT = {"avoid": "avoid", "adjust": "adjust", "caution": "caution (result incomplete or uncertain)",
              "standard": "standard", "none": "no usable result",
              "not_in_scope": "no PGx guideline"}


def display_unit(unit: str | None) -> str:
    """A UCUM unit as printed for people ('mm[Hg]' -> 'mmHg'); the unit policy's converter, as in the window."""
    return unit_text(unit)


@dataclass(frozen=True)
class Banner:
    title: str                          # patient name, or "De-identified patient"
    age: str                            # "66 years", "90 or older", "age not recorded"
    sex: str
    birth: str = ""                     # "24 Nov 1960"; "" when de-identified
    patient_id: str = ""                # "" when de-identified
    identifiers: tuple[str, ...] = ()   # "demo-mrn: demo-0001"; () when de-identified
    allergies: tuple[str, ...] = ()


@dataclass(frozen=True)
class Problem:
    text: str
    since: str = ""                     # "since 8 Sep 2024" / "since 2024"


@dataclass(frozen=True)
class Medicine:
    name: str                           # as the record names it
    level: str                          # one of LEVELS
    drug: str = ""                      # the CPIC drug it maps to ("" when not in scope)
    advice: str = ""                    # one sentence: what the guideline says for this result
    since: str = ""


@dataclass(frozen=True)
class GeneResult:
    gene: str
    diplotype: str                      # "*1/*3"; tied diplotypes joined with " or "; "not called"
    phenotype: str
    source: str                         # "VCF" | "outside call"
    caveat: str = ""                    # ties and missing defining positions, in words


@dataclass(frozen=True)
class RecommendationBasis:
    """Why a medicine got its traffic light: the CPIC lookup with its source and strength."""

    medication: str
    drug: str
    level: str
    action: str                         # CPIC action class ("avoid / use alternative", ...) or "no recommendation"
    advice: str                         # the project's short wording of the recommendation
    genes: str                          # "CYP2C19 *8/*25 (Likely Poor Metabolizer)"
    guideline: str                      # "CPIC guideline for ... (2022)"
    strength: str                       # "Strong (general)" / "not stated in source"
    cpic_level: str = ""
    caveats: tuple[str, ...] = ()


@dataclass(frozen=True)
class PgxSection:
    genes: tuple[GeneResult, ...]
    not_called: tuple[str, ...]         # genes with no result (missing is not reference)
    basis: tuple[RecommendationBasis, ...]
    other_actionable: tuple[str, ...]   # "avoid: clopidogrel, ..." / "adjust: ..." for drugs the patient does not take
    n_recommendations: int = 0
    notes: tuple[str, ...] = ()         # genome-level sentences: build refusal, variant-only, GRCh37 translation


@dataclass(frozen=True)
class InputRow:
    label: str                          # "Total cholesterol"
    value: str                          # "182 mg/dL", "no", "66 years"
    when: str = ""                      # "14 Oct 2025" / "13 months ago" (de-identified)
    source: str = ""                    # "Total Cholesterol (LOINC 2093-3)", "assumed: no record", ...


@dataclass(frozen=True)
class RiskRow:
    model_id: str
    name: str
    outcome: str                        # "hard ASCVD, 10 years"
    result: str                         # "7.4 %" / "" when refused
    refused: str = ""                   # the reason, in words
    inputs_used: tuple[str, ...] = ()   # input labels
    inputs_missing: tuple[str, ...] = ()
    version: str = ""
    sha256_prefix: str = ""
    citation: str = ""


@dataclass(frozen=True)
class RiskSection:
    scores: tuple[RiskRow, ...]         # models the record gives inputs for (value or refusal)
    inputs: tuple[InputRow, ...]        # every input found in the record, once
    not_applicable: tuple[str, ...]     # models with none of their inputs in the record
    notes: tuple[str, ...] = ()         # mapper notes (e.g. "no sbp within the last 1 year(s)")


@dataclass(frozen=True)
class TrendSeries:
    key: str                            # sbp | total_chol | hba1c | egfr
    label: str
    unit: str
    points: tuple[tuple[float, float], ...]
    x_axis: str                         # "year" | "years relative to this report"
    latest: str = ""                    # "142 mm[Hg] on 14 Oct 2025"
    ref_low: float | None = None
    ref_high: float | None = None
    note: str = ""                      # what the unit policy did: values converted, values not drawn (and why)


@dataclass(frozen=True)
class ModelVersion:
    name: str
    version: str
    sha256_prefix: str


@dataclass(frozen=True)
class Provenance:
    software: str                       # "workstation 0.1.0"
    generated: str                      # "24 Nov 2026 20:15 UTC" / "2026"
    generated_by: str                   # OS user who printed (the workstation's user, not the patient)
    models: tuple[ModelVersion, ...]
    guidelines: tuple[str, ...]         # "CPIC CYP2C19 and clopidogrel (2022)"
    pgx_source: str
    data_sources: str                   # "8 imported files (1 FHIR, 1 VCF, …); latest import 24 Nov 2026"
    as_of_note: str = ""


@dataclass(frozen=True)
class ReportContent:
    deidentified: bool
    banner: Banner
    problems: tuple[Problem, ...]
    medicines: tuple[Medicine, ...]
    pgx: PgxSection
    risk: RiskSection
    trends: tuple[TrendSeries, ...]
    provenance: Provenance
    notices: tuple[str, ...] = field(default_factory=tuple)   # e.g. "De-identified (HIPAA Safe Harbor) …"
    family: object = None               # workstation.report.family_part.FamilySection, or None (no family)

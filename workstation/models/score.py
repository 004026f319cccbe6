"""The result of scoring one model: a number with its basis, or a refusal with the reason."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Score:
    """One model's answer for one set of inputs.

    ``value`` is None exactly when ``refused`` holds a reason. ``contributions`` maps each input to its share of
    the score on ``contribution_scale`` (see the model card's ``explain``); ``baseline`` is the value on that
    scale at the reference profile (Shapley) or the intercept (additive terms), so ``baseline + sum(contributions)``
    is the patient's value on that scale. ``terms`` holds the model's own additive terms (e.g. Goff Table A's
    coefficient x value). ``sources`` says, per input, which record (table, code, date, raw value) it came from.

    Trained models also carry ``interval`` ([low, high] on the value's scale, ``interval_level`` e.g. 0.95; the
    card's ``interval.method`` says how it was made), ``subgroups`` (the rows of the card's held-out subgroup table
    this patient belongs to) and ``cohort_notes`` (sentences naming groups the training cohort did not include or
    did not record). ``category`` is the card's ``clinical`` | ``research`` | ``demonstration``.
    """

    model: str
    version: str
    value: float | None
    unit: str
    refused: str | None = None
    name: str = ""
    band: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    contributions: dict[str, float] = field(default_factory=dict)
    contribution_scale: str = ""
    baseline: float | None = None
    terms: dict[str, float] = field(default_factory=dict)
    inputs_used: dict[str, Any] = field(default_factory=dict)
    inputs_missing: list[str] = field(default_factory=list)
    defaults_used: dict[str, str] = field(default_factory=dict)
    sources: dict[str, dict] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    applicable: bool = True
    card: dict[str, Any] = field(default_factory=dict)
    category: str = "clinical"
    interval: list[float] | None = None
    interval_level: float | None = None
    subgroups: list[dict] = field(default_factory=list)
    cohort_notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.refused is None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict (the CLI's ``--json`` output)."""
        return asdict(self)


def card_summary(card: dict, sha256: str | None = None) -> dict:
    """The part of a model card every score carries as its basis."""
    return {
        "name": card.get("name"), "version": card.get("version"), "citation": card.get("citation"),
        "intended_use": card.get("intended_use"), "outcome": card.get("outcome"), "horizon": card.get("horizon"),
        "population": card.get("population"), "subgroup_differences": card.get("subgroup_differences", []),
        "limitations": card.get("limitations", []), "variant": card.get("variant"), "sha256": sha256,
        "category": card.get("category", "clinical"), "interval": card.get("interval"), "data": card.get("data"),
    }

"""One analysis per patient: everything derived from a :class:`~workstation.profile.PatientProfile`, computed once.

:func:`analyse` returns a :class:`PatientAnalysis` holding the pharmacogenomic calls, the guidance for the patient's
medicines and for every CPIC level A/B drug with a result, the genomic indicators, and every clinical model's score
or refusal with the inputs it used. The window (on its one runner worker), the PDF, the FHIR export and the CLI
*present* it; none of them call the PGx caller or the scorer themselves. The window keeps one analysis per patient
and profile version and drops it on lock (``ui/session.py``).

Threading: pure and synchronous; the window calls it on the runner's worker. ``runs()`` counts calls (the tests
check that one open analyses once).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from workstation.levels import Level

_counter = itertools.count(1)
_runs = 0


def runs() -> int:
    """How many analyses this process has computed (for tests and the benchmark)."""
    return _runs


@dataclass(frozen=True)
class PatientAnalysis:
    patient_id: str
    version: str
    pgx: Any                                   # workstation.pgx.PgxResult
    alerts: tuple = ()                         # workstation.pgx.Alert for the patient's counted medicines
    recommendations: tuple = ()                # workstation.pgx.Recommendation for every drug with a result
    indicators: tuple = ()                     # workstation.pgx.indicators.Indicator, most serious first
    scores: tuple = ()                         # workstation.models.Score: results first, then refusals
    model_inputs: dict = field(default_factory=dict)    # model id -> record-mapped inputs (what-if base)
    model_specs: dict = field(default_factory=dict)     # model id -> card input specs
    model_kinds: dict = field(default_factory=dict)
    model_problems: dict = field(default_factory=dict)  # models the registry refused to load, with the reason
    medications: Any = None                    # the profile's active medications (for a medicine check)
    serial: int = 0

    def score(self, model_id: str):
        return next((s for s in self.scores if s.model == model_id), None)

    def check_medicine(self, text: str):
        """``workstation.pgx.check.check_medicine`` for this patient (pure lookup, no recomputation)."""
        from workstation.pgx.check import check_medicine

        return check_medicine(text, self.pgx, list(self.recommendations), self.medications)

    @property
    def worst_alert_level(self) -> Level | None:
        return Level.worst(a.level for a in self.alerts)


def _rank(s) -> int:
    return 0 if s.ok else 1 if s.applicable else 2


def analyse(profile, *, registry=None) -> PatientAnalysis:
    """Analyse one patient (PGx calls, guidance, indicators, every clinical model's score or refusal)."""
    global _runs
    from workstation import pgx
    from workstation.models import get_registry, score_all
    from workstation.pgx.indicators import indicators

    _runs += 1
    reg = registry or get_registry()
    result = pgx.call_profile(profile)
    meds = profile.active_medications()
    alerts, recs = pgx.guidance(result, meds)
    inds = indicators(result, recs)
    mapped: dict[str, dict] = {}
    scores = sorted(score_all(profile, result, registry=reg, inputs_out=mapped), key=_rank)
    specs, kinds = {}, {}
    for s in scores:
        card = reg.card(s.model)
        kinds[s.model] = card.get("kind", "tabular")
        specs[s.model] = list(card.get("inputs", []))
    return PatientAnalysis(profile.id, str(getattr(profile, "version", "")), result, tuple(alerts), tuple(recs),
                           tuple(inds), tuple(scores), mapped, specs, kinds, dict(reg.problems), meds,
                           next(_counter))


__all__ = ["PatientAnalysis", "analyse", "runs"]

"""Result objects of the pharmacogenomics core: plain frozen dataclasses with ``to_json()``.

They are what the CLI prints and what the UI binds to. Nothing here computes anything.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SOURCE_VCF = "vcf"
SOURCE_OUTSIDE = "outside call"


@dataclass(frozen=True)
class GeneCall:
    """The call for one gene.

    ``diplotypes`` holds every top-scoring diplotype, best first (empty when the gene is not called).
    ``phenotype`` is one CPIC term, or several joined with `` OR `` when tied diplotypes disagree.
    ``missing_positions`` are defining positions absent from the input (no-calls, never assumed reference).
    """

    gene: str
    diplotypes: tuple[str, ...] = ()
    phenotype: str | None = None
    activity_score: float | None = None
    missing_positions: tuple[str, ...] = ()
    positions_used: tuple[str, ...] = ()
    source: str = SOURCE_VCF
    tie: bool = False
    incomplete: bool = False
    phased: bool = False
    score: int | None = None
    functions: tuple[tuple[str, str], ...] = ()      # per top diplotype: (function 1, function 2)
    phenotypes: tuple[str, ...] = ()                 # per top diplotype
    lookup_diplotype: str | None = None              # DPYD: the two lowest-function variants used for lookup
    source_diplotype: str | None = None              # as PharmCAT's report TSV writes it (" OR ", " AND ")
    variants: tuple[str, ...] = ()                   # DPYD unphased: every variant found (hom ones twice)
    messages: tuple[str, ...] = ()

    @property
    def called(self) -> bool:
        return bool(self.diplotypes)

    def to_json(self) -> dict[str, Any]:
        return {
            "diplotypes": list(self.diplotypes),
            "phenotype": self.phenotype,
            "activity_score": self.activity_score,
            "missing_positions": list(self.missing_positions),
            "source": self.source,
            "tie": self.tie,
            "incomplete": self.incomplete,
            "phased": self.phased,
            "match_score": self.score,
            "phenotypes": list(self.phenotypes),
            "lookup_diplotype": self.lookup_diplotype,
            "source_diplotype": self.source_diplotype,
            "variants": list(self.variants),
            "positions_used": len(self.positions_used),
            "messages": list(self.messages),
        }


@dataclass(frozen=True)
class PgxResult:
    """Calls for every gene in scope (called or not) plus outside calls, keyed by gene symbol."""

    genes: dict[str, GeneCall]
    build: str | None = "GRCh38"
    messages: tuple[str, ...] = ()

    def get(self, gene: str) -> GeneCall | None:
        return self.genes.get(gene)

    def to_json(self) -> dict[str, Any]:
        return {"genes": {g: c.to_json() for g, c in self.genes.items()}}


@dataclass(frozen=True)
class Recommendation:
    """A CPIC recommendation that applies to this patient's gene results for one drug."""

    drug: str
    rxnorm: str
    genes: tuple[str, ...]
    action: str                 # standard | adjust dose | avoid / use alternative | no recommendation | ...
    summary: str                # the project's own short wording
    dose_adjustment: str
    strength: str
    basis: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"drug": self.drug, "rxnorm": self.rxnorm, "genes": list(self.genes), "action": self.action,
                "summary": self.summary, "dose_adjustment": self.dose_adjustment, "strength": self.strength,
                "basis": self.basis}


@dataclass(frozen=True)
class Alert:
    """A recommendation tied to one of the patient's active medications, with a severity for the banner."""

    drug: str
    medication: str             # as the record names it
    severity: str               # high | moderate | info
    headline: str
    recommendation: Recommendation | None
    basis: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"drug": self.drug, "medication": self.medication, "severity": self.severity,
                "headline": self.headline,
                "action": self.recommendation.action if self.recommendation else None,
                "strength": self.recommendation.strength if self.recommendation else None,
                "recommendation": self.recommendation.to_json() if self.recommendation else None,
                "basis": self.basis}

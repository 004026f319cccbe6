"""Result objects of the pharmacogenomics core: plain frozen dataclasses with ``to_json()``.

They are what the CLI prints and what the UI binds to. Nothing here computes anything.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workstation.levels import Level

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
    allele_status: tuple[tuple[str, str], ...] = ()  # HLA: (allele, "positive" | "negative") for alleles of interest
    translated: bool = False                         # genotypes translated from another build (GRCh37)
    provenance: tuple[tuple[str, str], ...] = ()     # outside calls: (field, value) such as lab, date, entered by
    lookup_keys: tuple[str, ...] = ()                # CPIC lookup keys that are not the phenotype (IFNL3)
    completeness: Any = None                         # workstation.pgx.completeness.Completeness (VCF calls)

    @property
    def uncertain(self) -> bool:
        """The call is incomplete, tied or translated: guidance resting on it is at most ``Level.CAUTION``."""
        return bool(self.incomplete or self.tie or self.translated)

    @property
    def completeness_text(self) -> str:
        """The one wording of how complete this result is (workstation.pgx.completeness.describe)."""
        from workstation.pgx.completeness import describe

        return describe(self)

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
            "allele_status": dict(self.allele_status),
            "translated": self.translated,
            "provenance": dict(self.provenance),
            "messages": list(self.messages),
            "completeness": dict(self.completeness.to_json(), text=self.completeness_text)
            if self.completeness is not None else None,
        }


@dataclass(frozen=True)
class PgxResult:
    """Calls for every gene in scope (called or not) plus outside calls, keyed by gene symbol."""

    genes: dict[str, GeneCall]
    build: str | None = "GRCh38"
    messages: tuple[str, ...] = ()
    translated_from: str | None = None     # 'GRCh37': every VCF call came through the position table
    refusal: str | None = None             # one sentence: why no VCF call was made (build unknown / GRCh37)

    def get(self, gene: str) -> GeneCall | None:
        return self.genes.get(gene)

    def to_json(self) -> dict[str, Any]:
        return {"genes": {g: c.to_json() for g, c in self.genes.items()}, "build": self.build,
                "translated_from": self.translated_from, "refusal": self.refusal, "messages": list(self.messages)}


@dataclass(frozen=True)
class Recommendation:
    """A CPIC recommendation that applies to this patient's gene results for one drug."""

    drug: str
    rxnorm: str
    genes: tuple[str, ...]
    action: str                 # standard | adjust dose | avoid / use alternative | see text | no recommendation
    summary: str                # CPIC's text as CPIC wrote it (plus, where a gene had no result, one sentence saying so)
    dose_adjustment: str        # the complete CPIC sentences that state a dose, percentage or range
    strength: str
    basis: dict[str, Any] = field(default_factory=dict)
    level: Level = Level.NO_GUIDANCE
    population: str = "general"  # CPIC's population / indication ("CVI ACS PCI", "PHT naive", ...)

    def to_json(self) -> dict[str, Any]:
        return {"drug": self.drug, "rxnorm": self.rxnorm, "genes": list(self.genes), "action": self.action,
                "summary": self.summary, "dose_adjustment": self.dose_adjustment, "strength": self.strength,
                "basis": self.basis, "level": self.level.value, "population": self.population}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Recommendation":
        return cls(drug=d["drug"], rxnorm=d["rxnorm"], genes=tuple(d["genes"]), action=d["action"],
                   summary=d["summary"], dose_adjustment=d["dose_adjustment"], strength=d["strength"],
                   basis=d.get("basis") or {}, level=Level(d.get("level", Level.NO_GUIDANCE.value)),
                   population=d.get("population", "general"))


@dataclass(frozen=True)
class Alert:
    """A recommendation tied to one of the patient's active medications, with a severity for the banner."""

    drug: str
    medication: str             # as the record names it
    severity: str               # high | moderate | info
    headline: str
    recommendation: Recommendation | None
    basis: dict[str, Any] = field(default_factory=dict)
    level: Level = Level.NO_RESULT
    status: str = "active"      # the medication's FHIR status as recorded ("unknown" is said in the headline)

    def to_json(self) -> dict[str, Any]:
        return {"drug": self.drug, "medication": self.medication, "severity": self.severity,
                "headline": self.headline, "level": self.level.value, "status": self.status,
                "action": self.recommendation.action if self.recommendation else None,
                "strength": self.recommendation.strength if self.recommendation else None,
                "recommendation": self.recommendation.to_json() if self.recommendation else None,
                "basis": self.basis}

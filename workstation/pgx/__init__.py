"""Pharmacogenomics: star-allele diplotypes, CPIC phenotypes and drug guidance.

Public API (pure Python, no Qt):

* :func:`call_genotypes(variants, ref_blocks=None, outside_calls=None, *, build="GRCh38") -> PgxResult`
* :func:`call_table(genotype_table, outside_calls=None)` for a :class:`workstation.genome.reader.GenotypeTable`
* :func:`call_profile(profile) -> PgxResult` for a stored patient's :class:`~workstation.profile.PatientProfile`
* :func:`guidance(result, medications) -> (alerts, recommendations)`; each carries a :class:`~workstation.levels.Level`
* :func:`outside_call` / :func:`read_outside_calls` for CYP2D6 (copy number), HLA-A, HLA-B, MT-RNR1 and overrides
* :func:`definition_positions` — the (chrom, pos) list to push down into ``read_vcf(positions=...)``

Resource tables live in resources/pgx/ (each row cites its source) and are loaded once per process.
"""
from __future__ import annotations

from workstation.pgx.caller import call_genotypes, call_table
from workstation.pgx.genotype import definition_positions
from workstation.pgx.guidance import guidance
from workstation.pgx.model import Alert, GeneCall, PgxResult, Recommendation
from workstation.pgx.outside import outside_call, read_outside_calls
from workstation.pgx.phenoconversion import Phenoconversion, all_phenoconversions, phenoconvert


def call_profile(profile) -> PgxResult:
    """Calls for one stored patient (variants, gVCF reference blocks and outside calls of the profile, with the lab
    and test date of each outside call from its provenance row)."""
    from workstation.pgx.outside import from_frame
    from workstation.store.outside_calls import provenance

    outs = from_frame(profile.outside_calls, provenance(getattr(profile, "sources", None)))
    table = getattr(profile, "genotypes", None)     # workstation.genome.reader.GenotypeTable, read by the store
    if table is not None:
        return call_table(table, outs)
    return call_genotypes(profile.variants, profile.ref_blocks, outs, build=None)


__all__ = ["Alert", "GeneCall", "Phenoconversion", "PgxResult", "Recommendation", "all_phenoconversions",
           "call_genotypes", "call_profile", "call_table", "phenoconvert",
           "definition_positions", "guidance", "outside_call", "read_outside_calls"]

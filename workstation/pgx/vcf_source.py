"""Reading the genotypes PGx needs straight from a VCF (``workstation pgx --vcf``), storing nothing.

Uses ``workstation.ingest.vcf.read_vcf(path, sample=..., positions=...)``: the VCF importer's own parser, with
the ~1,200 defining positions pushed down into DuckDB so even a whole-genome VCF is read in seconds.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workstation.errors import UnsupportedBuild
from workstation.pgx.genotype import definition_positions


@dataclass
class PgxGenotypes:
    variants: pd.DataFrame
    ref_blocks: pd.DataFrame
    build: str | None
    sample: str | None


def read_pgx_genotypes(path: str | Path, *, sample: str | None = None) -> PgxGenotypes:
    """Genotypes at the PGx defining positions; refuses a GRCh37 VCF (no liftover guessing)."""
    from workstation.ingest.vcf import read_vcf

    data = read_vcf(path, sample=sample, positions=definition_positions())
    _check_build(path, data.build)
    return PgxGenotypes(data.variants, data.ref_blocks, data.build, data.sample)


def _check_build(path, build: str | None) -> None:
    if build == "GRCh37":
        raise UnsupportedBuild(str(path), "this VCF is on genome build GRCh37; pharmacogenomic calling needs "
                               "GRCh38 positions and the program does not guess a liftover", field="##reference")

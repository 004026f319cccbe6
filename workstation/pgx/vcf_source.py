"""Reading the genotypes PGx needs straight from a VCF (``workstation pgx --vcf``), storing nothing.

A thin wrapper over :func:`workstation.genome.reader.from_file` — the same genotype reader the store path uses
(definition positions pushed down into DuckDB, gVCF blocks that *cover* a position counted, the build checked).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass
class PgxGenotypes:
    variants: pd.DataFrame
    ref_blocks: pd.DataFrame
    build: str | None
    sample: str | None
    table: object = None            # the GenotypeTable (build, refusal, coverage, notes)


def read_pgx_genotypes(path: str | Path, *, sample: str | None = None, build: str | None = None) -> PgxGenotypes:
    """Genotypes at the PGx defining positions. A GRCh37 or unknown-build file gives a table whose ``refusal``
    names the build and what to do; ``build='GRCh37'`` opts in to the position table."""
    from workstation.genome.reader import from_file

    t = from_file(path, sample=sample, build=build)
    return PgxGenotypes(t.variants, t.ref_blocks, t.build.build, sample, t)

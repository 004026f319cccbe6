"""GRCh37 -> GRCh38 positions of the pharmacogene definition sites (no general liftover).

The table ``resources/genome/grch37_pgx_positions.tsv`` is transcribed by
``resources/genome/build/transcribe_positions.py`` from pypgx 0.27.0 ``pypgx/api/data/variant-table.csv``
(MIT licence, https://github.com/sbslee/pypgx); each row cites its source line. It covers 622 of the 1,045
definition positions; the others stay *missing* for a GRCh37 file. CYP2D6 is not translated (outside calls).
Three sites have a different reference base in the two builds (CYP2C19 rs3758581, CYP3A5 rs776746, DPYD
rs1801265): there a GRCh37 ``0/0`` is the GRCh38 ALT, so an all-reference GRCh37 file is CYP3A5 ``*3/*3``.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from workstation.paths import resources_dir

TABLE_CITATION = "pypgx 0.27.0 variant-table.csv (MIT), resources/genome/grch37_pgx_positions.tsv"
TRANSLATION_LABEL = "from GRCh37 via position table"


@dataclass(frozen=True)
class SitePair:
    gene: str
    rsid: str
    chrom: str
    pos37: int
    pos38: int
    ref37: str
    ref38: str

    @property
    def ref_differs(self) -> bool:
        return self.ref37 != self.ref38


@lru_cache(maxsize=1)
def site_pairs() -> tuple[SitePair, ...]:
    path = Path(resources_dir()) / "genome" / "grch37_pgx_positions.tsv"
    with open(path, encoding="utf-8") as fh:
        return tuple(SitePair(r["gene"], r["rsid"], r["chrom"], int(r["grch37_pos"]), int(r["grch38_pos"]),
                              r["grch37_ref"], r["grch38_ref"]) for r in csv.DictReader(fh, delimiter="\t"))


@lru_cache(maxsize=1)
def by_pos37() -> dict[tuple[str, int], SitePair]:
    return {(s.chrom, s.pos37): s for s in site_pairs()}

"""Reading the genotypes PGx needs straight from a VCF (``workstation pgx --vcf``), storing nothing.

Uses ``workstation.ingest.vcf.read_vcf(path, sample=..., positions=...)`` when that module exists. Until then
(TEMPORARY — remove once workstation/ingest/vcf.py lands) a minimal reader below does the same narrow job: the
header through ``workstation.ingest.vcf_header.read_header``, the records through DuckDB ``read_csv`` (header
counted in Python, ``all_varchar``, ``quote=''``; DESIGN.md) keeping only the defining positions.
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
    positions = definition_positions()
    try:
        from workstation.ingest.vcf import read_vcf  # the ingest helper's reader, when present
    except ImportError:
        read_vcf = None
    if read_vcf is not None:
        data = read_vcf(path, sample=sample, positions=positions)
        _check_build(path, data.build)
        chosen = sample or (data.samples[0] if getattr(data, "samples", None) else None)
        return PgxGenotypes(data.variants, data.ref_blocks, data.build, chosen)
    return _temporary_read(Path(path), sample, positions)


def _check_build(path, build: str | None) -> None:
    if build == "GRCh37":
        raise UnsupportedBuild(str(path), "this VCF is on genome build GRCh37; pharmacogenomic calling needs "
                               "GRCh38 positions and the program does not guess a liftover", field="##reference")


def _temporary_read(path: Path, sample: str | None, positions) -> PgxGenotypes:  # TEMPORARY
    import duckdb

    from workstation.ingest.vcf_header import read_header

    hdr = read_header(path)
    _check_build(path, hdr.build)
    si = hdr.sample_index(sample)
    col = hdr.columns[9 + si]
    con = duckdb.connect()
    try:
        pos_df = pd.DataFrame({"p_chrom": [c for c, _ in positions], "p_pos": [p for _, p in positions]})
        con.register("pgx_positions", pos_df)
        comp = "gzip" if hdr.compressed else "none"
        names = [f"c{i}" for i in range(len(hdr.columns))]
        cols = "{" + ", ".join(f"'{n}': 'VARCHAR'" for n in names) + "}"
        sql = f"""
            WITH v AS (
              SELECT c0 AS chrom_raw, TRY_CAST(c1 AS BIGINT) AS pos, c3 AS ref, c4 AS alt, c7 AS info,
                     c8 AS fmt, c{9 + si} AS smp
              FROM read_csv(?, skip={hdr.n_header_lines}, header=false, delim='\t', quote='', escape='',
                            columns={cols}, compression='{comp}', null_padding=true, auto_detect=false)
            )
            SELECT CASE WHEN starts_with(chrom_raw, 'chr') THEN chrom_raw ELSE 'chr' || chrom_raw END AS chrom,
                   pos, ref, alt, info, fmt, smp
            FROM v JOIN pgx_positions p
              ON p.p_pos = v.pos
             AND p.p_chrom = CASE WHEN starts_with(chrom_raw, 'chr') THEN chrom_raw ELSE 'chr' || chrom_raw END
        """
        df = con.execute(sql, [str(path)]).df()
    finally:
        con.close()
    gts, pss = [], []
    for fmt, smp in zip(df["fmt"], df["smp"]):
        keys = (fmt or "").split(":")
        vals = (smp or "").split(":")
        d = dict(zip(keys, vals))
        gts.append(d.get("GT", "."))
        pss.append(d.get("PS") if d.get("PS") not in (None, ".") else None)
    variants = pd.DataFrame({"chrom": df["chrom"], "pos": df["pos"].astype("int64"), "ref": df["ref"],
                             "alt": df["alt"], "gt": gts, "phased": ["|" in g for g in gts], "ps": pss})
    blocks = pd.DataFrame(columns=["chrom", "start_pos", "end_pos"])
    return PgxGenotypes(variants, blocks, hdr.build, hdr.samples[si])

"""A joint multi-sample VCF read ONCE with DuckDB at the positions the batch needs, then transposed.

The file is never split per sample (bcftools view -s per sample costs ~15 s a sample on a 250k-sample file,
PharmCAT issue #141). DuckDB reads each record line as one value, keeps only lines whose POS is one of the wanted
positions (the push-down: nothing else is split or parsed), splits the kept lines on tabs, and turns the
records x samples matrix into one genotype list per sample (``UNNEST`` + ``GROUP BY`` sample). Memory is the kept
records times the samples (about 1,300 positions x N samples short strings), never the whole file.

A record whose column count differs from the header fails the whole file (``MalformedFile`` with its line). A
genotype that is not valid VCF fails only that sample, with the line and field named; the others go on.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import duckdb
import pandas as pd

from workstation.errors import MalformedFile
from workstation.ingest.vcf_header import VcfHeader, check_gzip_complete, read_header
from workstation.ingest.vcf_sql import lit, normalise_chrom

_SEP = "\x1f"          # ASCII unit separator: never in a VCF line, so read_csv yields the whole line as one value
_MAX_LINE = 64 * 1024 * 1024
_GT_OK = r"(\.|[0-9]+)([/|](\.|[0-9]+))*"


@dataclass
class JointGenotypes:
    """``records``: one row per kept record (k, chrom, pos, ref, alt, line); ``samples``: one row per sample
    (si, sample, gts, pss, problem) with ``gts``/``pss`` aligned to ``records.k``."""

    path: Path
    header: VcfHeader
    records: pd.DataFrame
    samples: pd.DataFrame

    @property
    def build(self) -> str | None:
        return self.header.build

    def genotype_frame(self, gts: list, pss: list) -> pd.DataFrame:
        """One sample's plain genotype table (the columns the PGx caller reads)."""
        return genotype_frame(self.records, gts, pss)


def genotype_frame(records: pd.DataFrame, gts, pss) -> pd.DataFrame:
    gts = list(gts)
    return pd.DataFrame({"chrom": records["chrom"].to_numpy(), "pos": records["pos"].to_numpy(),
                         "ref": records["ref"].to_numpy(), "alt": records["alt"].to_numpy(),
                         "gt": gts, "phased": [None if g is None else ("|" in g) for g in gts],
                         "ps": list(pss)})


def read_joint(path: str | Path, positions: Iterable[tuple[str, int]]) -> JointGenotypes:
    """Read every sample's genotypes at ``positions`` in one pass. Raises MalformedFile naming file and line."""
    path = Path(path)
    h = read_header(path)
    if not h.samples:
        raise MalformedFile(str(path), "the file has no sample columns (a sites-only VCF), so it holds no "
                            "genotypes", line=h.n_header_lines, field="#CHROM")
    if h.compressed:
        check_gzip_complete(path, bgzf=h.bgzf)
    n = len(h.samples)
    want = pd.DataFrame(sorted({(normalise_chrom(str(c)), int(p)) for c, p in positions}), columns=["chrom", "pos"])
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False,
                                             "autoload_known_extensions": False})
    try:
        con.execute("SET disabled_optimizers = 'build_side_probe_side'")
        con.register("_want_df", want)
        con.execute("CREATE TEMP TABLE _wpos AS SELECT DISTINCT pos::BIGINT AS pos FROM _want_df")
        src = (f"read_csv({lit(str(path))}, skip={h.n_header_lines}, header=false, sep={lit(_SEP)}, quote='', "
               f"escape='', auto_detect=false, columns={{'line': 'VARCHAR'}}, "
               f"compression='{'gzip' if h.compressed else 'none'}', max_line_size={_MAX_LINE}, "
               f"buffer_size={2 * _MAX_LINE}, strict_mode=false) WITH ORDINALITY")
        try:
            con.execute(f"""CREATE TEMP TABLE _lines AS
                SELECT ordinality AS rn, string_split(line, chr(9)) AS f FROM {src}
                WHERE try_cast(split_part(line, chr(9), 2) AS BIGINT) IN (SELECT pos FROM _wpos)""")
        except duckdb.Error as exc:
            raise MalformedFile(str(path), f"the records could not be read ({str(exc).splitlines()[0]})") from None
        heads = con.execute("SELECT rn, f[1] AS c, try_cast(f[2] AS BIGINT) AS pos, len(f) AS nf FROM _lines"
                            ).df()
        bad = heads[heads["nf"] != 9 + n]
        if len(bad):
            r = bad.sort_values("rn").iloc[0]
            raise MalformedFile(str(path), f"the line has {int(r['nf'])} tab-separated columns but the #CHROM "
                                f"header line has {9 + n}", line=h.n_header_lines + int(r["rn"]))
        heads["chrom"] = heads["c"].astype(str).map(normalise_chrom)
        wanted = set(zip(want["chrom"], want["pos"]))
        mask = [(c, int(p)) in wanted for c, p in zip(heads["chrom"], heads["pos"])]
        keep = heads.loc[pd.Series(mask, index=heads.index, dtype=bool)]    # (a plain [] would drop every column)
        keep = keep.sort_values(["chrom", "pos", "rn"], kind="stable").reset_index(drop=True)
        keep["k"] = range(len(keep))
        con.register("_keep_df", keep[["rn", "chrom", "k"]])
        con.execute("""CREATE TEMP TABLE _rec AS
            SELECT k.k, k.chrom, try_cast(l.f[2] AS BIGINT) AS pos, l.f[4] AS ref, coalesce(l.f[5], '.') AS alt,
                   l.rn, list_position(string_split(l.f[9], ':'), 'GT') AS gi,
                   list_position(string_split(l.f[9], ':'), 'PS') AS pi,
                   CASE WHEN l.f[5] IS NULL OR l.f[5] = '.' THEN 0
                        ELSE length(l.f[5]) - length(replace(l.f[5], ',', '')) + 1 END AS n_alt,
                   list_slice(l.f, 10, len(l.f)) AS s
            FROM _lines l JOIN _keep_df k ON k.rn = l.rn""")
        records = con.execute("SELECT k, chrom, pos, ref, alt, rn FROM _rec ORDER BY k").df()
        per = con.execute(f"""
            WITH cells AS (
                SELECT k, rn, n_alt, unnest(s) AS v, unnest(range(len(s))) AS si, gi, pi FROM _rec
            ), g AS (
                SELECT k, rn, si, n_alt,
                       CASE WHEN gi IS NULL THEN NULL ELSE nullif(split_part(v, ':', gi), '') END AS gt,
                       CASE WHEN pi IS NULL THEN NULL ELSE nullif(nullif(split_part(v, ':', pi), ''), '.') END
                           AS ps
                FROM cells
            ), chk AS (
                SELECT *, gt IS NOT NULL AND (NOT regexp_full_match(gt, '{_GT_OK}') OR
                          list_max(list_transform(regexp_extract_all(gt, '[0-9]+'),
                                                  x -> try_cast(x AS BIGINT))) > n_alt) AS bad
                FROM g
            )
            SELECT si, list(gt ORDER BY k) AS gts, list(ps ORDER BY k) AS pss,
                   min(rn) FILTER (WHERE bad) AS bad_rn, arg_min(gt, rn) FILTER (WHERE bad) AS bad_gt
            FROM chk GROUP BY si ORDER BY si""").df()
    finally:
        con.close()
    if len(records) == 0:
        per = pd.DataFrame({"si": range(n), "gts": [[] for _ in range(n)], "pss": [[] for _ in range(n)],
                            "bad_rn": [None] * n, "bad_gt": [None] * n})
    per["sample"] = [h.samples[int(i)] for i in per["si"]]
    per["problem"] = [None if pd.isna(rn) else
                      str(MalformedFile(str(path), f"the genotype {g!r} of sample {s} is not a valid VCF genotype "
                                        "(like 0/1, 1|0, ./.) or names an ALT the record does not list",
                                        line=h.n_header_lines + int(rn), field="GT")).removesuffix(
                                            " Nothing from this file was stored.")
                      for rn, g, s in zip(per["bad_rn"], per["bad_gt"], per["sample"])]
    per["gts"] = [list(x) for x in per["gts"]]
    per["pss"] = [list(x) for x in per["pss"]]
    return JointGenotypes(path, h, records, per[["si", "sample", "gts", "pss", "problem"]])

"""The SQL that parses VCF records inside DuckDB (``read_csv``), and the check that names the first bad line.

One SELECT turns the tab-separated records of one sample into the ``variants`` columns. FORMAT is parsed per
record (its keys may change from line to line): the sample field is split on ``:`` and each value is taken at the
position of its key in that record's FORMAT. A ``problem`` column names the first field that is not valid VCF;
:func:`first_problem` finds the earliest such line (line = header lines + row number).
Design decision (../shared/DESIGN.md): ``skip=N, header=true, quote='', all columns VARCHAR``, never ``comment='#'``.
"""
from __future__ import annotations

import re

from workstation.ingest.vcf_header import VcfHeader

VARIANT_COLUMNS = ("sample", "chrom", "pos", "vid", "ref", "alt", "qual", "filter", "info", "gt", "phased",
                   "ad", "dp", "gq", "ps", "end_pos")
REF_BLOCK_COLUMNS = ("chrom", "start_pos", "end_pos", "min_dp", "gq")
PROBLEM_MARK = "VCF-RECORD-PROBLEM"
_MAX_LINE = 8 * 1024 * 1024      # longest record accepted (DuckDB's read buffer is sized from it: keep it modest)
_BUFFER = 16 * 1024 * 1024

_PRIMARY = re.compile(r"(?i)^([0-9]+|x|y|m|mt)$")


def lit(s: str) -> str:
    """A SQL string literal (DuckDB standard strings have no backslash escapes)."""
    return "'" + str(s).replace("'", "''") + "'"


def normalise_chrom(chrom: str) -> str:
    """'1' / 'chr1' → 'chr1', 'MT' / 'M' / 'chrMT' → 'chrM', 'x' → 'chrX'; other contigs unchanged."""
    c0 = chrom[3:] if chrom[:3].lower() == "chr" else chrom
    if not _PRIMARY.match(c0):
        return chrom
    c0 = c0.upper()
    return "chrM" if c0 in ("M", "MT") else "chr" + c0


def read_csv_sql(h: VcfHeader, *, with_rn: bool = False) -> str:
    """``read_csv(...)`` over the records: columns c, p, vid, ref, alt, q, filter, info, fmt, s0...

    ``with_rn`` adds ``WITH ORDINALITY`` (the record number, for line numbers in error messages). It costs about
    as much again as the read itself, so only the error path asks for it.
    """
    names = ["c", "p", "vid", "ref", "alt", "q", "filter", "info"]
    if h.has_format:
        names += ["fmt"] + [f"s{i}" for i in range(len(h.columns) - 9)]
    cols = "{" + ", ".join(f"'{n}': 'VARCHAR'" for n in names) + "}"
    return (f"read_csv({lit(str(h.path))}, skip={len(h.meta)}, header=true, sep='\\t', quote='', escape='', "
            f"auto_detect=false, compression='{'gzip' if h.compressed else 'none'}', columns={cols}, "
            f"max_line_size={_MAX_LINE}, buffer_size={_BUFFER}, strict_mode=true, null_padding=false)"
            + (" WITH ORDINALITY" if with_rn else ""))


_CANONICAL = ", ".join(lit(f"chr{c}") for c in [*range(1, 23), "X", "Y", "M"])
_GT_ANY = "(\\.|[0-9]+)([/|](\\.|[0-9]+))*"
_KEYS = ("GT", "AD", "DP", "GQ", "PS", "MIN_DP")


def _key_index(h: VcfHeader, key: str) -> str:
    """1-based position of FORMAT ``key`` in this record's FORMAT (NULL if absent).

    For the FORMAT strings seen at the top of the file the positions are constants (a cheap CASE on ``fid``);
    any other FORMAT is searched per record, so a FORMAT that changes from line to line is still parsed right.
    """
    whens = []
    for i, f in enumerate(h.common_formats, start=1):
        keys = f.split(":")
        whens.append(f"WHEN {i} THEN {keys.index(key) + 1 if key in keys else 'NULL'}")
    if not whens:
        return f"list_position(fk, '{key}')"
    return f"CASE fid {' '.join(whens)} ELSE list_position(fk, '{key}') END"


def _int(expr: str) -> str:
    return f"coalesce(try_cast({expr} AS INTEGER), try_cast(try_cast({expr} AS DOUBLE) AS INTEGER))"


def parsed_sql(h: VcfHeader, sample_idx: int, *, positions_table: str | None = None,
               with_rn: bool = False, keep_blocks: bool = False, source: str | None = None) -> str:
    """SELECT of the ``variants`` columns (minus patient_id/source_id) plus ``rn`` (record number, NULL unless
    ``with_rn``), ``problem`` (the first invalid field, or NULL) and a few raw values for error messages.

    With ``positions_table`` (columns chrom, pos) only records at those positions are kept, plus any record whose
    POS is not a number (so that it is reported, not skipped); the filter runs on the raw columns before any FORMAT
    parsing, so a few positions come quickly out of a whole genome.
    ``source`` reads the raw columns from a table already holding them (a joint VCF parsed once for several
    samples, ``vcf_samples.py``) instead of ``read_csv`` (not with ``with_rn``).
    ``keep_blocks`` also keeps every record with INFO ``END=`` (a gVCF reference block may cover a position without
    starting at it).
    Columns a caller does not select are pruned by DuckDB's optimiser, so the raw_* helpers cost nothing then.
    """
    sample_name = h.samples[sample_idx]
    scol = f"s{sample_idx}"
    c0 = "CASE WHEN lower(left(c, 3)) = 'chr' THEN substr(c, 4) ELSE c END"
    chrom = (f"CASE WHEN c IN ({_CANONICAL}) THEN c "
             f"WHEN regexp_full_match({c0}, '(?i)[0-9]+|x|y|m|mt') THEN 'chr' || "
             f"CASE WHEN upper({c0}) IN ('M', 'MT') THEN 'M' ELSE upper({c0}) END ELSE c END")
    pre = keep = ""
    if positions_table:
        # A record whose POS is not a number cannot be placed, so it is kept (and named as the file's error)
        # rather than silently left out of a positions read.
        blocks = " OR contains(info, 'END=')" if keep_blocks else ""
        pre = (f"WHERE try_cast(p AS BIGINT) IN (SELECT pos FROM {positions_table}) "
               f"OR try_cast(p AS BIGINT) IS NULL{blocks}")
        keep = (f"WHERE r1.pos_n IS NULL OR EXISTS (SELECT 1 FROM {positions_table} w "
                f"WHERE w.chrom = r1.chrom AND w.pos = r1.pos_n){blocks.replace('info', 'r1.info')}")
    fid = "0"
    if h.common_formats:
        fid = "CASE fmt " + " ".join(f"WHEN {lit(f)} THEN {i}" for i, f in enumerate(h.common_formats, 1)) + \
              " ELSE 0 END"
    raw = ",\n           ".join(f"fv[{_key_index(h, k)}] AS raw_{k.lower()}" for k in _KEYS)
    return f"""
WITH r0 AS (
    SELECT {'ordinality' if with_rn else 'NULL::BIGINT'} AS rn, c, p, vid, ref, alt, q, filter, info, fmt,
           {scol} AS s, try_cast(p AS BIGINT) AS pos_n
    FROM {source if source and not with_rn else read_csv_sql(h, with_rn=with_rn)} {pre}
), r1 AS (
    SELECT *, {chrom} AS chrom FROM r0
), r2 AS (
    SELECT *, string_split(fmt, ':') AS fk, string_split(s, ':') AS fv, {fid} AS fid,
           CASE WHEN contains(info, 'END=') THEN
                try_cast(nullif(regexp_extract(info, '(?:^|;)END=([0-9]+)', 1), '') AS BIGINT) END AS end_n,
           CASE WHEN alt IS NULL OR alt = '.' THEN 0
                ELSE length(alt) - length(replace(alt, ',', '')) + 1 END AS n_alt
    FROM r1 {keep}
), r3 AS (
    SELECT *, {raw} FROM r2
), r4 AS (
    SELECT *, nullif(raw_gt, '') AS gt, {_int('raw_dp')} AS dp, {_int('raw_gq')} AS gq,
           try_cast(nullif(q, '.') AS DOUBLE) AS qual
    FROM r3
), r5 AS (
    SELECT *,
        CASE WHEN gt IS NULL THEN NULL
             WHEN n_alt = 1 AND regexp_full_match(gt, '[.01]([/|][.01])*') THEN NULL
             WHEN n_alt = 0 AND regexp_full_match(gt, '[.0]([/|][.0])*') THEN NULL
             WHEN NOT regexp_full_match(gt, '{_GT_ANY}') THEN 'GT'
             WHEN list_max(list_transform(regexp_extract_all(gt, '[0-9]+'), x -> try_cast(x AS BIGINT))) > n_alt
                  THEN 'GT allele'
        END AS gt_problem
    FROM r4
)
SELECT rn,
    {lit(sample_name)} AS sample,
    chrom,
    pos_n AS pos,
    coalesce(vid, '.') AS vid,
    ref,
    coalesce(alt, '.') AS alt,
    qual,
    coalesce(filter, '.') AS filter,
    coalesce(info, '.') AS info,
    gt,
    CASE WHEN gt IS NULL THEN NULL ELSE contains(gt, '|') END AS phased,
    nullif(nullif(raw_ad, ''), '.') AS ad,
    dp,
    gq,
    nullif(nullif(raw_ps, ''), '.') AS ps,
    end_n AS end_pos,
    CASE
        WHEN c IS NULL THEN 'CHROM'
        WHEN pos_n IS NULL OR pos_n < 0 THEN 'POS'
        WHEN ref IS NULL THEN 'REF'
        WHEN q IS NOT NULL AND q <> '.' AND qual IS NULL THEN 'QUAL'
        WHEN end_n IS NOT NULL AND end_n < pos_n THEN 'INFO END'
        WHEN s IS NOT NULL AND fmt IS NULL THEN 'FORMAT'
        WHEN len(fv) > len(fk) THEN 'FORMAT'
        WHEN gt_problem IS NOT NULL THEN gt_problem
        WHEN raw_dp NOT IN ('', '.') AND dp IS NULL THEN 'DP'
        WHEN raw_gq NOT IN ('', '.') AND gq IS NULL THEN 'GQ'
    END AS problem,
    q AS raw_qual, p AS raw_pos, raw_dp, raw_gq, fmt AS raw_format, s AS raw_sample, n_alt,
    nullif(raw_min_dp, '.') AS raw_min_dp
FROM r5"""


def checked_variants_sql(parsed: str) -> str:
    """The variants columns only, raising ``PROBLEM_MARK`` (via DuckDB's error()) at the first invalid record."""
    cols = ", ".join(VARIANT_COLUMNS)
    return (f"SELECT {cols} FROM ({parsed}) v "
            f"WHERE CASE WHEN v.problem IS NULL THEN true ELSE error('{PROBLEM_MARK}') END")


def ref_blocks_sql(parsed: str) -> str:
    """gVCF reference blocks: records with INFO END= (or only a symbolic ALT) whose genotype is all-reference.

    A block with a no-call genotype (./.) is *not* reference coverage: it stays "not covered".
    """
    return f"""
SELECT chrom, pos AS start_pos, coalesce(end_pos, pos + length(ref) - 1) AS end_pos,
       {_int('coalesce(raw_min_dp, raw_dp)')} AS min_dp, gq
FROM ({parsed}) v
WHERE (end_pos IS NOT NULL OR alt IN ('<NON_REF>', '<*>'))
  AND gt IS NOT NULL AND regexp_full_match(gt, '0([/|]0)*')"""


def describe_problem(row: dict) -> tuple[str, str]:
    """(field, plain-words reason) for a row of :func:`parsed_sql` whose ``problem`` is set."""
    p = row["problem"]
    if p == "CHROM":
        return "CHROM", "the chromosome is empty"
    if p == "POS":
        return "POS", f"the position {row['raw_pos']!r} is not a whole number"
    if p == "REF":
        return "REF", "the reference allele is empty"
    if p == "QUAL":
        return "QUAL", f"the quality {row['raw_qual']!r} is not a number"
    if p == "INFO END":
        return "INFO", f"END={row['end_pos']} lies before the record's position {row['pos']}"
    if p == "FORMAT":
        if row.get("raw_format") is None:
            return "FORMAT", "the record has a sample value but no FORMAT"
        return "FORMAT", (f"the sample value {row['raw_sample']!r} has more parts than the FORMAT "
                          f"{row['raw_format']!r} names")
    if p == "GT":
        return "GT", f"the genotype {row['gt']!r} is not a valid VCF genotype (like 0/1, 1|0, ./.)"
    if p == "GT allele":
        return "GT", (f"the genotype {row['gt']!r} refers to an allele the ALT column does not list "
                      f"(ALT has {row['n_alt']} allele{'s' if row['n_alt'] != 1 else ''})")
    if p == "DP":
        return "DP", f"the read depth {row['raw_dp']!r} is not a number"
    if p == "GQ":
        return "GQ", f"the genotype quality {row['raw_gq']!r} is not a number"
    return p, "the record is not valid VCF"

"""Read queries the views need, run in DuckDB so the window never holds SQL or more rows than it shows.

All functions take an open :class:`~workstation.store.Store` as first argument and return pandas frames or small
dataclasses. Threading: call them on the thread that owns the store (the UI's single background worker).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

# --- patients --------------------------------------------------------------------------------------------------


def patient_list(store) -> pd.DataFrame:
    """id, name, birth_date, sex, n_sources, search (lower-case name + identifier values, for the filter box)."""
    return store.con.execute("""
        SELECT p.id, coalesce(p.name, p.id) AS name, p.birth_date, p.sex,
               count(DISTINCT s.id) AS n_sources,
               lower(concat_ws(' ', p.id, p.name, p.identifiers)) AS search
        FROM patients p LEFT JOIN sources s ON s.patient_id = p.id
        GROUP BY ALL ORDER BY name, p.id""").df()


# --- labs & timeline -------------------------------------------------------------------------------------------


def numeric_observations(store, patient_id: str) -> pd.DataFrame:
    """Numeric labs and vitals: code, display, category, unit, effective, value, ref_low, ref_high, ref_text,
    interpretation (the record's code, e.g. H or L), value_text (a comparator such as '<0.1'); by code, time."""
    return store.con.execute("""
        SELECT coalesce(code, display) AS code, any_value(display) OVER (PARTITION BY coalesce(code, display))
               AS display, category, unit, effective, value_num AS value, ref_low, ref_high, ref_text,
               interpretation, value_text
        FROM observations
        WHERE patient_id = ? AND value_num IS NOT NULL AND effective IS NOT NULL
        ORDER BY category, display, code, effective""", [patient_id]).df()


def day_zero_options(store, patient_id: str) -> list[tuple[str, str, datetime]]:
    """Candidate day-zero anchors: (key, label, when) for birth, the first visit, each diagnosis onset and each
    medicine's first start, in that order (diagnoses and medicines by date). Keys: birth | first_visit | diagnosis
    | medication. One query."""
    rows = store.con.execute("""
        SELECT 0 AS k, 'birth' AS key, 'Birth' AS label, CAST(birth_date AS TIMESTAMP) AS t
        FROM patients WHERE id = ? AND birth_date IS NOT NULL
        UNION ALL
        SELECT 1, 'first_visit', 'First visit', min(t) FROM (
            SELECT min(start_time) AS t FROM encounters WHERE patient_id = ?
            UNION ALL SELECT min(effective) FROM observations WHERE patient_id = ?) HAVING min(t) IS NOT NULL
        UNION ALL
        SELECT 2, 'diagnosis', 'Diagnosis: ' || coalesce(display, code), min(onset) FROM conditions
        WHERE patient_id = ? AND onset IS NOT NULL GROUP BY coalesce(display, code)
        UNION ALL
        SELECT 3, 'medication', 'Start of ' || coalesce(display, code), min(start_time) FROM medications
        WHERE patient_id = ? AND start_time IS NOT NULL GROUP BY coalesce(display, code)
        ORDER BY k, t, label""", [patient_id] * 5).fetchall()
    return [(key, label, pd.Timestamp(t).to_pydatetime()) for _k, key, label, t in rows]


def timeline_events(store, patient_id: str) -> pd.DataFrame:
    """Everything that happened to the patient, one row per event, for the combined timeline's lanes:
    lane (medications | conditions | procedures | encounters | data), label, start, end (NULL: a point, or ongoing
    when ``status`` says so), status, detail, source_id, kind (the encounter class, or the data file's kind:
    vcf | omics | wearable), file_name, dated_by. An omics file is dated by when its values were measured where it
    says (``measured_at``), any other data file by when it was imported (``dated_by`` says which; finding a
    wearable file's first sample would scan its samples on every patient switch)."""
    return store.con.execute("""
        SELECT 'medications' AS lane, coalesce(display, code) AS label, start_time AS start, end_time AS "end",
               status, dosage AS detail, source_id, kind, NULL AS file_name, NULL AS dated_by
        FROM medications WHERE patient_id = ? AND start_time IS NOT NULL
        UNION ALL
        SELECT 'conditions', coalesce(display, code), onset, abatement, clinical_status, NULL, source_id, NULL,
               NULL, NULL
        FROM conditions WHERE patient_id = ? AND onset IS NOT NULL
        UNION ALL
        SELECT 'procedures', coalesce(display, code), performed_start, performed_end, status, NULL, source_id, NULL,
               NULL, NULL
        FROM procedures WHERE patient_id = ? AND performed_start IS NOT NULL
        UNION ALL
        SELECT 'encounters', coalesce(display, class, 'Encounter'), start_time, end_time, status, NULL, source_id,
               class, NULL, NULL
        FROM encounters WHERE patient_id = ? AND start_time IS NOT NULL
        UNION ALL
        SELECT 'data', s.file_name, coalesce(o.measured, s.imported_at), NULL, NULL, s.counts, s.id, s.kind,
               s.file_name, CASE WHEN o.measured IS NULL THEN 'imported' ELSE 'measured' END
        FROM sources s
        LEFT JOIN (SELECT source_id, min(measured_at) AS measured FROM analytes WHERE patient_id = ?
                   GROUP BY source_id) o ON o.source_id = s.id
        WHERE s.patient_id = ? AND s.kind IN ('vcf', 'omics', 'wearable')
        ORDER BY lane, start""", [patient_id] * 6).df()


# --- omics -----------------------------------------------------------------------------------------------------

MIN_COHORT = 20  # fewer values than this for an analyte across the store: no cohort z-score


def analytes_with_z(store, patient_id: str, omics: str | None = None) -> pd.DataFrame:
    """This patient's analytes with a deviation score and its basis.

    ``z`` is computed from the reference interval when the row has one, taking the interval as the central 95 % of
    a normal distribution (z = (value - midpoint) / ((high - low) / 3.92)); ``z_basis`` = ``'reference interval'``.
    Without an interval, and when at least ``MIN_COHORT`` patients in this store have the analyte, ``z`` is the
    standard score against them (``z_basis`` = ``'store cohort (n=…)'``). Otherwise ``z`` is NULL and ``status`` is
    ``'no reference'``: missing is not normal. ``status`` is low | high | within | no reference.
    """
    params: list = [patient_id]
    filt = ""
    if omics:
        filt = " AND a.omics = ?"
        params.append(omics)
    return store.con.execute(f"""
        WITH cohort AS (
            SELECT omics, analyte_id, avg(value) AS mu, stddev_samp(value) AS sd, count(DISTINCT patient_id) AS n
            FROM analytes WHERE value IS NOT NULL GROUP BY omics, analyte_id)
        SELECT a.omics, a.analyte_id, coalesce(a.name, a.analyte_id) AS name, a.value, a.unit,
               a.ref_low, a.ref_high, a.sample, a.measured_at,
               CASE WHEN a.ref_low IS NOT NULL AND a.ref_high IS NOT NULL AND a.ref_high > a.ref_low
                    THEN (a.value - (a.ref_low + a.ref_high) / 2) / ((a.ref_high - a.ref_low) / 3.92)
                    WHEN c.n >= {MIN_COHORT} AND c.sd > 0 THEN (a.value - c.mu) / c.sd END AS z,
               CASE WHEN a.ref_low IS NOT NULL AND a.ref_high IS NOT NULL AND a.ref_high > a.ref_low
                    THEN 'reference interval'
                    WHEN c.n >= {MIN_COHORT} AND c.sd > 0 THEN 'store cohort (n=' || c.n || ')' END AS z_basis,
               CASE WHEN a.ref_low IS NOT NULL AND a.value < a.ref_low THEN 'low'
                    WHEN a.ref_high IS NOT NULL AND a.value > a.ref_high THEN 'high'
                    WHEN a.ref_low IS NOT NULL OR a.ref_high IS NOT NULL THEN 'within'
                    ELSE 'no reference' END AS status
        FROM analytes a LEFT JOIN cohort c USING (omics, analyte_id)
        WHERE a.patient_id = ?{filt}
        ORDER BY abs(z) DESC NULLS LAST, a.omics, name""", params).df()


# --- wearables -------------------------------------------------------------------------------------------------


def wearable_metrics(store, patient_id: str) -> pd.DataFrame:
    """metric, unit, n, first, last for each wearable metric of the patient."""
    return store.con.execute("""
        SELECT metric, any_value(unit) AS unit, count(*) AS n, min(start_utc) AS first, max(start_utc) AS last
        FROM wearable_samples WHERE patient_id = ? GROUP BY metric ORDER BY metric""", [patient_id]).df()


def wearable_series(store, patient_id: str, metric: str, *, start: datetime | None = None,
                    end: datetime | None = None, max_points: int = 600_000) -> pd.DataFrame:
    """t (seconds since the Unix epoch, UTC) and value for one metric, in time order.

    When the range holds more than ``max_points`` samples, DuckDB reduces it to ``max_points // 2`` equal time
    buckets and returns each bucket's minimum and maximum (peak-preserving, like the plot's own downsampling), so a
    multi-year record never has to cross into the window whole.
    """
    where = "patient_id = ? AND metric = ? AND value IS NOT NULL"
    params: list = [patient_id, metric]
    if start is not None:
        where += " AND start_utc >= ?"
        params.append(start)
    if end is not None:
        where += " AND start_utc < ?"
        params.append(end)
    con = store.con
    n, t0, t1 = con.execute(f"SELECT count(*), min(epoch(start_utc)), max(epoch(start_utc)) "
                            f"FROM wearable_samples WHERE {where}", params).fetchone()
    if n <= max_points:
        return con.execute(f"SELECT epoch(start_utc) AS t, value FROM wearable_samples WHERE {where} "
                           f"ORDER BY start_utc", params).df()
    buckets = max(1, max_points // 2)
    width = max((t1 - t0) / buckets, 1e-9)
    return con.execute(f"""
        WITH b AS (SELECT least(floor((epoch(start_utc) - {t0}) / {width}), {buckets - 1}) AS k, epoch(start_utc) AS t, value
                   FROM wearable_samples WHERE {where}),
             agg AS (SELECT k, arg_min(t, value) AS t_min, min(value) AS v_min,
                            arg_max(t, value) AS t_max, max(value) AS v_max FROM b GROUP BY k)
        SELECT t, value FROM (SELECT t_min AS t, v_min AS value FROM agg UNION SELECT t_max, v_max FROM agg)
        ORDER BY t""", params).df()


def wearable_daily(store, patient_id: str, metric: str) -> pd.DataFrame:
    """day, n, mean, min, max, total for one metric (days in UTC)."""
    return store.con.execute("""
        SELECT CAST(date_trunc('day', start_utc) AS DATE) AS day, count(*) AS n, avg(value) AS mean,
               min(value) AS min, max(value) AS max, sum(value) AS total
        FROM wearable_samples WHERE patient_id = ? AND metric = ? GROUP BY day ORDER BY day""",
                             [patient_id, metric]).df()


# --- variants --------------------------------------------------------------------------------------------------

GENOTYPE_CLASSES = ("het", "hom_alt", "hom_ref", "no_call")

# Gene from INFO when the VCF annotates one (GENEINFO=, GENE=, Gene=, or the 4th field of an ANN/CSQ entry).
_GENE_SQL = r"""nullif(coalesce(
    nullif(regexp_extract(info, '(?:^|;)(?:GENEINFO|GENE|Gene|gene)=([^:;|,]+)', 1), ''),
    nullif(regexp_extract(info, '(?:^|;)ANN=[^|]*\|[^|]*\|[^|]*\|([^|;,]*)', 1), '')), '')"""

_GT_CLASS_SQL = """CASE
    WHEN gt IS NULL OR gt IN ('.', './.', '.|.') OR gt LIKE '%.%' THEN 'no_call'
    WHEN regexp_full_match(gt, '0([/|]0)*') THEN 'hom_ref'
    WHEN len(list_distinct(regexp_split_to_array(gt, '[/|]'))) = 1 THEN 'hom_alt'
    ELSE 'het' END"""


@dataclass(frozen=True)
class VariantFilter:
    """What the Variants view asks for. Empty fields do not filter."""

    gene: str = ""
    chrom: str = ""
    text: str = ""                   # matches rsID, gene, ref or alt (case-insensitive substring)
    genotype: str = ""               # one of GENOTYPE_CLASSES
    min_qual: float | None = None
    pass_only: bool = False


@dataclass(frozen=True)
class VariantPage:
    rows: pd.DataFrame               # chrom, pos, vid, gene, ref, alt, gt, genotype, qual, filter, dp, gq
    total: int                       # rows matching the filter
    offset: int
    counts: dict = field(default_factory=dict)   # genotype class -> n, for the matching rows


_SORTABLE = {"chrom": "chrom_key, pos", "pos": "chrom_key, pos", "vid": "vid", "gene": "gene", "ref": "ref",
             "alt": "alt", "gt": "gt", "genotype": "genotype", "qual": "qual", "filter": "filter", "dp": "dp",
             "gq": "gq"}


def variants_page(store, patient_id: str, flt: VariantFilter = VariantFilter(), *, offset: int = 0,
                  limit: int = 500, order_by: str = "pos", descending: bool = False) -> VariantPage:
    """One page of the patient's variants matching ``flt``, with the total and genotype-class counts."""
    where = ["patient_id = ?"]
    params: list = [patient_id]
    if flt.gene:
        where.append("upper(gene) = upper(?)")
        params.append(flt.gene.strip())
    if flt.chrom:
        c = flt.chrom.strip()
        where.append("chrom = ?")
        params.append(c if c.lower().startswith("chr") else "chr" + c)
    if flt.text:
        where.append("(lower(coalesce(vid, '')) LIKE ? OR lower(coalesce(gene, '')) LIKE ? "
                     "OR lower(ref) LIKE ? OR lower(coalesce(alt, '')) LIKE ?)")
        params += ["%" + flt.text.strip().lower() + "%"] * 4
    if flt.genotype:
        where.append("genotype = ?")
        params.append(flt.genotype)
    if flt.min_qual is not None:
        where.append("qual >= ?")
        params.append(float(flt.min_qual))
    if flt.pass_only:
        where.append("filter IN ('PASS', '.')")
    base = f"""SELECT chrom, pos, vid, {_GENE_SQL} AS gene, ref, alt, gt, {_GT_CLASS_SQL} AS genotype, qual,
                      filter, dp, gq, patient_id,
                      coalesce(try_cast(replace(chrom, 'chr', '') AS INTEGER),
                               CASE replace(chrom, 'chr', '') WHEN 'X' THEN 23 WHEN 'Y' THEN 24 ELSE 25 END)
                      AS chrom_key
               FROM variants WHERE patient_id = ?"""
    sub = f"SELECT * FROM ({base}) v WHERE {' AND '.join(where)}"
    all_params = [patient_id] + params
    con = store.con
    counts = dict(con.execute(f"SELECT genotype, count(*) FROM ({sub}) GROUP BY genotype", all_params).fetchall())
    total = int(sum(counts.values()))
    key = _SORTABLE.get(order_by, "chrom_key, pos")
    direction = "DESC" if descending else "ASC"
    order = ", ".join(f"{k.strip()} {direction} NULLS LAST" for k in key.split(","))
    rows = con.execute(f"SELECT chrom, pos, vid, gene, ref, alt, gt, genotype, qual, filter, dp, gq FROM ({sub}) "
                       f"ORDER BY {order} LIMIT ? OFFSET ?", all_params + [int(limit), int(offset)]).df()
    return VariantPage(rows=rows, total=total, offset=int(offset), counts=counts)


# --- audit -----------------------------------------------------------------------------------------------------


def patient_audit(store, patient_id: str, limit: int = 5000) -> pd.DataFrame:
    """This patient's access log, newest first: seq, ts, os_user, action, detail."""
    return store.con.execute("""SELECT seq, ts, os_user, action, detail FROM audit_log WHERE patient_id = ?
                                ORDER BY seq DESC LIMIT ?""", [patient_id, int(limit)]).df()

"""The results folder: part files while the run goes, then the result tables (Parquet, written by DuckDB).

Layout of ``RESULTS/``::

    parts/            rows as they come: (sample_id, tbl, row_json, attempt), one Parquet file per chunk
                      (local pool) or one Spark output folder (with _SUCCESS) per Spark run
    genes.parquet     one row per sample x gene           (columns: workstation.batch.records.GENE_COLUMNS)
    recommendations.parquet  one row per sample x CPIC recommendation
    scores.parquet    one row per sample x polygenic score
    samples.parquet   one row per sample: ok / failed with the reason, input path and SHA-256
    run.json          the run manifest (inputs' SHA-256, versions, counts, failures)

A part file is written to a temporary name and renamed, so an interrupted run leaves only whole parts; a rerun
reads the parts to skip samples already finished. The tables keep, per sample, the rows of its latest attempt and
are sorted on a total order (``records.SORT_KEYS``) and written single-threaded, so the same results give the same
bytes whichever engine produced the parts.
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import duckdb
import pandas as pd

from workstation.batch.records import SORT_KEYS, TABLES

PART_COLUMNS = ("sample_id", "tbl", "row_json", "attempt")


def _con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect(":memory:", config={"autoinstall_known_extensions": False,
                                              "autoload_known_extensions": False})


def parts_dir(results: Path) -> Path:
    return Path(results) / "parts"


def write_part(results: Path, rows: list[tuple[str, str, str]], attempt: int) -> Path | None:
    """One chunk's rows as a Parquet part (atomic: temp name, then rename)."""
    if not rows:
        return None
    d = parts_dir(results)
    d.mkdir(parents=True, exist_ok=True)
    df = pd.DataFrame(rows, columns=list(PART_COLUMNS[:3]))
    df["attempt"] = attempt
    name = f"part-{attempt:04d}-{uuid.uuid4().hex}.parquet"
    tmp = d / ("." + name + ".tmp")
    con = _con()
    try:
        con.register("_df", df)
        con.execute(f"COPY (SELECT sample_id::VARCHAR AS sample_id, tbl::VARCHAR AS tbl, row_json::VARCHAR AS "
                    f"row_json, attempt::INTEGER AS attempt FROM _df) TO '{_q(tmp)}' (FORMAT parquet)")
    finally:
        con.close()
    os.replace(tmp, d / name)
    return d / name


def _q(p: Path | str) -> str:
    return str(p).replace("'", "''")


def part_files(results: Path) -> list[str]:
    """Whole part files: the pool's part-*.parquet and the Parquet files of Spark runs that finished (_SUCCESS)."""
    d = parts_dir(results)
    if not d.is_dir():
        return []
    out = [str(p) for p in sorted(d.glob("part-*.parquet"))]
    for sub in sorted(x for x in d.iterdir() if x.is_dir()):
        if (sub / "_SUCCESS").exists():
            out += [str(p) for p in sorted(sub.glob("part-*.parquet"))]
    return out


def _parts_sql(files: list[str]) -> str:
    return "read_parquet([" + ", ".join(f"'{_q(f)}'" for f in files) + "])"


def finished(results: Path) -> tuple[set[str], int]:
    """(sample ids whose latest attempt succeeded, the highest attempt number so far)."""
    files = part_files(results)
    if not files:
        return set(), 0
    con = _con()
    try:
        df = con.execute(f"""
            SELECT sample_id, arg_max(json_extract_string(row_json, '$.status'), attempt) AS status,
                   max(attempt) AS a
            FROM {_parts_sql(files)} WHERE tbl = 'samples' GROUP BY sample_id""").df()
        top = con.execute(f"SELECT coalesce(max(attempt), 0) FROM {_parts_sql(files)}").fetchone()[0]
    finally:
        con.close()
    return set(df.loc[df["status"] == "ok", "sample_id"]), int(top)


def _struct(cols) -> str:
    return "{" + ", ".join(f'"{c}": "{t}"' for c, t in cols) + "}"


def finalize(results: Path, *, sample_ids: list[str] | None = None) -> dict[str, int]:
    """Write the four result tables from the parts; return the row count of each.

    ``sample_ids`` limits the tables to the samples of this manifest / joint VCF (a results folder reused with a
    shorter manifest keeps no stale sample). Deterministic: single-threaded, totally ordered."""
    results = Path(results)
    files = part_files(results)
    counts: dict[str, int] = {}
    con = _con()
    try:
        con.execute("SET threads = 1")
        if files:
            con.execute(f"CREATE TEMP TABLE _p AS SELECT * FROM {_parts_sql(files)}")
        else:
            con.execute("CREATE TEMP TABLE _p (sample_id VARCHAR, tbl VARCHAR, row_json VARCHAR, attempt INTEGER)")
        if sample_ids is not None:
            con.register("_ids_df", pd.DataFrame({"sample_id": list(sample_ids)}, dtype=object))
            con.execute("DELETE FROM _p WHERE sample_id NOT IN (SELECT sample_id::VARCHAR FROM _ids_df)")
        # each sample's latest attempt (a failure retried and then finished keeps only the finished rows)
        con.execute("""CREATE TEMP TABLE _latest AS
            SELECT sample_id, max(attempt) AS attempt FROM _p WHERE tbl = 'samples' GROUP BY sample_id""")
        for table, cols in TABLES.items():
            names = ", ".join(f'r."{c}"' for c, _ in cols)
            order = ", ".join([f'r."{c}"' for c in SORT_KEYS[table]] + ["row_json"])
            sql = f"""SELECT {names} FROM (
                    SELECT from_json(p.row_json, '{_struct(cols)}') AS r, p.row_json
                    FROM _p p JOIN _latest l ON l.sample_id = p.sample_id AND l.attempt = p.attempt
                    WHERE p.tbl = '{table}')
                ORDER BY {order}"""
            out = results / f"{table}.parquet"
            tmp = results / f".{table}.parquet.tmp"
            con.execute(f"COPY ({sql}) TO '{_q(tmp)}' (FORMAT parquet, COMPRESSION zstd)")
            os.replace(tmp, out)
            counts[table] = int(con.execute(f"SELECT count(*) FROM read_parquet('{_q(out)}')").fetchone()[0])
    finally:
        con.close()
    return counts


def failures(results: Path) -> list[dict]:
    con = _con()
    try:
        df = con.execute(f"SELECT sample_id, reason, input FROM read_parquet('{_q(Path(results) / 'samples.parquet')}')"
                         " WHERE status = 'failed' ORDER BY sample_id").df()
    finally:
        con.close()
    return df.to_dict("records")


def count_ok(results: Path) -> int:
    con = _con()
    try:
        return int(con.execute(f"SELECT count(*) FROM read_parquet('{_q(Path(results) / 'samples.parquet')}') "
                               "WHERE status = 'ok'").fetchone()[0])
    finally:
        con.close()

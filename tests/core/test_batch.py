"""Batch: the per-sample function, the manifest, the joint VCF reader and the local engine (real files, real DuckDB,
real Parquet). Spark is tested in test_batch_spark.py.

PharmCAT's example VCFs in ../shared/data/pharmcat are used where present (skip with a reason when absent); the
synthetic cohort (workstation.batch.synthetic) needs nothing outside the repository.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from workstation import pgx
from workstation.batch import synthetic
from workstation.batch.joint import read_joint
from workstation.batch.manifest import ManifestError, check_files, read_manifest
from workstation.batch.run import BatchInput, run_batch
from workstation.batch.sample import analyse_sample, apply_sex, batch_positions, clear_caches
from workstation.pgx.tables import gene_definitions
from workstation.pgx.vcf_source import read_pgx_genotypes

ROOT = Path(__file__).resolve().parents[2]
PHARMCAT = ROOT.parent / "shared" / "data" / "pharmcat"
NA12878 = ROOT.parent / "shared" / "data" / "vcf_na12878"


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not available (../shared data absent)")
    return path


def _cli(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "import sys; from workstation.cli import main; main(sys.argv[1:])",
                           *args], capture_output=True, text=True, cwd=cwd, timeout=600)


def _table(path: Path) -> list[tuple]:
    return duckdb.sql(f"SELECT * FROM read_parquet('{path}')").fetchall()


def _shared_vcfs() -> list[Path]:
    files = sorted(need(PHARMCAT / "tests").glob("*.vcf")) + [PHARMCAT / "pharmcat.example.vcf",
                                                             PHARMCAT / "pharmcat.example2.vcf"]
    return files + sorted(NA12878.glob("*.vcf"))


# ------------------------------------------------------------------------------------------ per-sample function
def test_cached_and_uncached_calls_equal_call_genotypes_on_every_test_vcf(tmp_path):
    clear_caches()
    synthetic.write_singles(tmp_path, 12, seed=3)
    files = _shared_vcfs() + sorted(tmp_path.glob("*.vcf"))
    for f in files:
        g = read_pgx_genotypes(f)
        ref = pgx.call_genotypes(g.variants, g.ref_blocks, [])
        ref_recs = pgx.guidance(ref, None)[1]
        for cache in (False, True, True):       # the second cached pass reads everything from the cache
            a = analyse_sample("x", g.variants, ref_blocks=g.ref_blocks, cache=cache, scores=False)
            assert a.result == ref, f
            assert [r.to_json() for r in a.recommendations] == [r.to_json() for r in ref_recs], f


def test_cache_key_sees_every_column():
    # two samples that differ only in one genotype must not share a cached call
    clear_caches()
    gd = gene_definitions()["CYP2C19"]
    rows = [{"chrom": gd.chrom, "pos": lc.pos, "ref": lc.ref, "alt": sorted(lc.alts - {lc.ref})[0] if
             lc.alts - {lc.ref} else ".", "gt": "0/0", "phased": False, "ps": None} for lc in gd.loci]
    ref = pd.DataFrame(rows)
    star2 = next(a for a in gd.alleles if a.name == "*2")
    pos, base = next(iter(star2.defs.items()))
    alt = ref.copy()
    i = alt.index[alt["pos"] == pos][0]
    alt.loc[i, "alt"] = sorted(base)[0]
    alt.loc[i, "gt"] = "0/1"
    a = analyse_sample("a", ref, scores=False).result.genes["CYP2C19"]
    b = analyse_sample("b", alt, scores=False).result.genes["CYP2C19"]
    assert a.diplotypes != b.diplotypes
    assert b.diplotypes == pgx.call_genotypes(alt).genes["CYP2C19"].diplotypes


def test_male_chrx_read_as_one_allele_and_het_is_a_no_call():
    g6pd = gene_definitions()["G6PD"]
    lc = g6pd.loci[0]
    v = pd.DataFrame([{"chrom": "chrX", "pos": lc.pos, "ref": lc.ref, "alt": "A", "gt": "1/1", "phased": False,
                       "ps": None},
                      {"chrom": "chrX", "pos": g6pd.loci[1].pos, "ref": g6pd.loci[1].ref, "alt": "T", "gt": "0/1",
                       "phased": False, "ps": None},
                      {"chrom": "chr10", "pos": 1, "ref": "A", "alt": "T", "gt": "0/1", "phased": False, "ps": None}])
    m, notes = apply_sex(v, "male")
    assert m["gt"].tolist() == ["1", ".", "0/1"]
    assert "heterozygous chrX" in notes[0]
    f, notes_f = apply_sex(v, "female")
    assert f["gt"].tolist() == ["1/1", "0/1", "0/1"] and notes_f == []
    with pytest.raises(ValueError, match="not one of"):
        analyse_sample("x", v, sex="yes")


def test_polygenic_score_rows_refuse_without_enough_variants_and_score_with_them(tmp_path):
    synthetic.write_singles(tmp_path, 1, seed=5)
    from workstation.ingest.vcf import read_vcf

    d = read_vcf(tmp_path / "S000000.vcf", positions=batch_positions())
    full = analyse_sample("s", d.variants).scores
    assert full and full[0]["value"] is not None and full[0]["refused"] is None
    pgx_only = analyse_sample("s", d.variants[d.variants["chrom"] != "chr11"].head(50)).scores
    assert pgx_only[0]["value"] is None and "coverage" in pgx_only[0]["refused"]


# ------------------------------------------------------------------------------------------------- manifest
@pytest.mark.parametrize("text, where", [
    ("sample,path_to\nA,a.vcf\n", "line 1, field vcf"),
    ("sample_id,vcf\nA,a.vcf\nA,b.vcf\n", "line 3, field sample_id"),
    ("sample_id,vcf,sex\nA,a.vcf,yes\n", "line 2, field sex"),
    ("sample_id\tvcf\n\tb.vcf\n", "line 2, field sample_id"),
    ("sample_id,vcf\n", "line 2"),
])
def test_manifest_structure_errors_name_line_and_field(tmp_path, text, where):
    m = tmp_path / "m.csv"
    m.write_text(text, encoding="utf-8")
    with pytest.raises(ManifestError) as e:
        read_manifest(m)
    assert where in str(e.value) and str(e.value).count(".") >= 1 and "\n" not in str(e.value)


def test_dry_run_lists_file_problems_without_traceback(tmp_path):
    synthetic.write_singles(tmp_path, 2)
    m = tmp_path / "manifest.csv"
    m.write_text(m.read_text() + "GONE,missing.vcf,\n", encoding="utf-8")
    entries = read_manifest(m)
    assert [e.sample_id for e in entries] == ["S000000", "S000001", "GONE"]
    problems = check_files(m, entries)
    assert len(problems) == 1 and "line 4, field vcf" in problems[0]
    r = _cli("batch", "--manifest", str(m), "--dry-run")
    assert r.returncode == 1 and "Traceback" not in r.stderr and "missing.vcf" in r.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("who,where\n", encoding="utf-8")
    r = _cli("batch", "--manifest", str(bad), "--dry-run")
    assert r.returncode == 2 and "Traceback" not in r.stderr and "line 1, field sample_id" in r.stderr


# -------------------------------------------------------------------------------------------------- joint VCF
def test_joint_reader_equals_reading_each_sample():
    mvcf = need(PHARMCAT / "multisample.vcf")
    j = read_joint(mvcf, batch_positions())
    assert list(j.samples["sample"]) == ["Sample_1", "Sample_2"]
    for _, r in j.samples.iterrows():
        a = analyse_sample(r["sample"], j.genotype_frame(r["gts"], r["pss"]), scores=False, cache=False)
        g = read_pgx_genotypes(mvcf, sample=r["sample"])
        assert a.result == pgx.call_genotypes(g.variants, g.ref_blocks, [])


def _joint_with_bad_sample(tmp_path: Path) -> Path:
    src = synthetic.write_joint(tmp_path / "j.vcf", 6, seed=9)
    lines = (tmp_path / "j.vcf").read_text().splitlines()
    k = next(i for i, ln in enumerate(lines) if not ln.startswith("#")) + 3
    cells = lines[k].split("\t")
    cells[9 + 4] = "0/x"                  # sample 5's genotype at the 4th record is not VCF
    lines[k] = "\t".join(cells)
    (tmp_path / "j.vcf").write_text("\n".join(lines) + "\n")
    assert len(src) == 6
    return tmp_path / "j.vcf"


def test_joint_run_fails_only_the_sample_with_a_bad_genotype(tmp_path):
    j = _joint_with_bad_sample(tmp_path)
    m = run_batch(BatchInput(joint_vcf=j), tmp_path / "out", workers=1)
    assert m["counts"]["ok"] == 5 and m["counts"]["failed"] == 1
    f = m["failures"][0]
    assert f["sample_id"] == "S000004" and "line" in f["reason"] and "field GT" in f["reason"]
    genes = duckdb.sql(f"SELECT DISTINCT sample_id FROM '{tmp_path / 'out' / 'genes.parquet'}' ORDER BY 1").fetchall()
    assert [g[0] for g in genes] == ["S000000", "S000001", "S000002", "S000003", "S000005"]


def test_joint_and_single_files_give_identical_tables(tmp_path):
    synthetic.write_joint(tmp_path / "j.vcf", 8, seed=4)
    man = synthetic.write_singles(tmp_path / "singles", 8, seed=4)
    run_batch(BatchInput(joint_vcf=tmp_path / "j.vcf"), tmp_path / "a", workers=1)
    run_batch(BatchInput(manifest=man), tmp_path / "b", workers=1)
    for t in ("genes", "recommendations", "scores"):
        assert _table(tmp_path / "a" / f"{t}.parquet") == _table(tmp_path / "b" / f"{t}.parquet"), t


# --------------------------------------------------------------------------------------------- runs and reruns
def test_run_records_failures_goes_on_and_rerun_skips_finished(tmp_path):
    man = synthetic.write_singles(tmp_path, 4, seed=2)
    broken = tmp_path / "S000002.vcf"
    good = broken.read_text()
    lines = good.splitlines()
    lines[-3] = lines[-3].replace("\tGT\t", "\tGT\t", 1).rsplit("\t", 1)[0]      # a record with a column missing
    broken.write_text("\n".join(lines) + "\n")
    (tmp_path / "S000003.vcf").unlink()
    m1 = run_batch(BatchInput(manifest=man), tmp_path / "out", workers=2, chunk=1)
    assert m1["counts"]["ok"] == 2 and m1["counts"]["failed"] == 2
    reasons = {f["sample_id"]: f["reason"] for f in m1["failures"]}
    assert "line" in reasons["S000002"] and "columns" in reasons["S000002"]
    assert "does not exist" in reasons["S000003"]
    assert {i["sample_id"] for i in m1["inputs"] if i["role"] == "vcf"} == {"S000000", "S000001", "S000002"}
    assert m1["resources"] and m1["software"]["duckdb"]
    broken.write_text(good)                               # fixed: the rerun tries the failures again
    m2 = run_batch(BatchInput(manifest=man), tmp_path / "out", workers=1)
    assert m2["counts"]["skipped_already_finished"] == 2 and m2["counts"]["run_now"] == 2
    assert m2["counts"]["ok"] == 3 and [f["sample_id"] for f in m2["failures"]] == ["S000003"]
    status = dict(duckdb.sql(f"SELECT sample_id, status FROM '{tmp_path / 'out' / 'samples.parquet'}'").fetchall())
    assert status == {"S000000": "ok", "S000001": "ok", "S000002": "ok", "S000003": "failed"}
    saved = json.loads((tmp_path / "out" / "run.json").read_text())
    assert saved["counts"] == m2["counts"]


def test_pool_and_in_process_write_the_same_bytes(tmp_path):
    synthetic.write_joint(tmp_path / "j.vcf", 10, seed=8)
    run_batch(BatchInput(joint_vcf=tmp_path / "j.vcf"), tmp_path / "a", workers=1)
    run_batch(BatchInput(joint_vcf=tmp_path / "j.vcf"), tmp_path / "b", workers=2, chunk=3)
    for t in ("genes", "recommendations", "scores", "samples"):
        assert (tmp_path / "a" / f"{t}.parquet").read_bytes() == (tmp_path / "b" / f"{t}.parquet").read_bytes(), t


def test_outside_calls_in_the_manifest_reach_the_results(tmp_path):
    vcf = need(PHARMCAT / "pharmcat.example.vcf")
    shutil.copy(vcf, tmp_path / "a.vcf")
    shutil.copy(need(PHARMCAT / "pharmcat.example.outsideCall.tsv"), tmp_path / "a.tsv")
    (tmp_path / "m.tsv").write_text("sample_id\tvcf\toutside_calls\tsex\nA\ta.vcf\ta.tsv\tF\nB\ta.vcf\t\t\n")
    run_batch(BatchInput(manifest=tmp_path / "m.tsv"), tmp_path / "out", workers=1)
    src = dict(duckdb.sql(f"SELECT sample_id, source FROM '{tmp_path / 'out' / 'genes.parquet'}' "
                          "WHERE gene = 'CYP2D6'").fetchall())
    assert src == {"A": "outside call", "B": "outside call"}
    called = dict(duckdb.sql(f"SELECT sample_id, called FROM '{tmp_path / 'out' / 'genes.parquet'}' "
                             "WHERE gene = 'CYP2D6'").fetchall())
    assert called == {"A": True, "B": False}


def test_cli_pgx_vcf_and_batch_agree(tmp_path):
    vcf = need(PHARMCAT / "pharmcat.example2.vcf")
    r = _cli("pgx", "--vcf", str(vcf), "--json")
    assert r.returncode == 0, r.stderr
    genes = json.loads(r.stdout)["genes"]
    (tmp_path / "m.csv").write_text(f"sample_id,vcf\nX,{vcf}\n")
    r = _cli("batch", "--manifest", str(tmp_path / "m.csv"), "--out", str(tmp_path / "out"), "--workers", "1")
    assert r.returncode == 0, r.stderr
    assert "1 samples: 1 ok" in r.stdout and "ETA" in r.stderr
    rows = duckdb.sql(f"SELECT gene, detail_json FROM '{tmp_path / 'out' / 'genes.parquet'}'").fetchall()
    assert {g: json.loads(d) for g, d in rows} == genes


def test_local_batch_loads_neither_pyspark_nor_qt(tmp_path):
    synthetic.write_joint(tmp_path / "j.vcf", 2)
    code = ("import sys\nfrom workstation.cli import run\n"
            f"assert run(['batch', '--joint-vcf', {str(tmp_path / 'j.vcf')!r}, '--out', {str(tmp_path / 'o')!r}, "
            "'--workers', '1']) == 0\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('pyspark', 'py4j', 'PySide6', 'pyqtgraph')]\n"
            "print(bad); sys.exit(1 if bad else 0)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr


# ------------------------------------------------------------------------------------------- import for review
def test_import_batch_stores_results_without_genomes_audited_once(tmp_path):
    from tests.core.helpers import new_store
    from workstation.batch.review import batch_results, import_results

    j = _joint_with_bad_sample(tmp_path)
    run_batch(BatchInput(joint_vcf=j), tmp_path / "out", workers=1)
    store = new_store(tmp_path)
    try:
        res = import_results(store, tmp_path / "out")
        assert res["status"] == "imported" and res["samples"] == 5 and res["failed_not_stored"] == 1
        ids = [r[0] for r in store.con.execute("SELECT id FROM patients ORDER BY id").fetchall()]
        assert ids == ["S000000", "S000001", "S000002", "S000003", "S000005"]
        assert store.con.execute("SELECT count(*) FROM variants").fetchone()[0] == 0     # no genomes
        got = batch_results(store, "S000002")
        assert len(got) == 1 and len(got[0]["genes"]) == 23 and got[0]["recommendations"]
        assert got[0]["run"]["engine"]["engine"] == "local"
        audit = store.con.execute("SELECT action, detail FROM audit_log WHERE action = 'import'").fetchall()
        assert len(audit) == 1 and "batch-results" in audit[0][1]
        again = import_results(store, tmp_path / "out")
        assert again["status"] == "already imported"
        assert store.con.execute("SELECT count(*) FROM audit_log WHERE action = 'import'").fetchone()[0] == 1
    finally:
        store.close()


def test_import_batch_refuses_an_edited_table(tmp_path):
    from tests.core.helpers import new_store
    from workstation.batch.review import import_results
    from workstation.errors import ImportError_

    synthetic.write_joint(tmp_path / "j.vcf", 2)
    run_batch(BatchInput(joint_vcf=tmp_path / "j.vcf"), tmp_path / "out", workers=1)
    duckdb.sql(f"COPY (SELECT * REPLACE ('Poor Metabolizer' AS phenotype) FROM '{tmp_path / 'out' / 'genes.parquet'}')"
               f" TO '{tmp_path / 'g.parquet'}' (FORMAT parquet)")
    shutil.move(tmp_path / "g.parquet", tmp_path / "out" / "genes.parquet")
    store = new_store(tmp_path)
    try:
        with pytest.raises(ImportError_, match="SHA-256"):
            import_results(store, tmp_path / "out")
        assert store.con.execute("SELECT count(*) FROM patients").fetchone()[0] == 0
    finally:
        store.close()


def test_cli_missing_or_non_vcf_joint_file_is_one_sentence(tmp_path):
    r = _cli("batch", "--joint-vcf", str(tmp_path / "none.vcf"), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "Traceback" not in r.stderr and "does not exist" in r.stderr
    (tmp_path / "x.vcf").write_text("hello\n")
    r = _cli("batch", "--joint-vcf", str(tmp_path / "x.vcf"), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "Traceback" not in r.stderr and "not a VCF" in r.stderr
    assert not (tmp_path / "o" / "genes.parquet").exists()


def test_joint_vcf_build_is_checked_like_pgx_vcf(tmp_path):
    """Issue 11's build check on the joint path: a header that names no build is settled by the REF alleles at known
    GRCh38 sites (same tables as with the header); a joint VCF at GRCh37 positions is refused with the sentence."""
    from workstation.errors import UnsupportedBuild
    from workstation.genome.positions import site_pairs

    synthetic.write_joint(tmp_path / "j.vcf", 4, seed=6)
    lines = (tmp_path / "j.vcf").read_text().splitlines()
    silent = [ln for ln in lines if not ln.startswith(("##reference", "##contig"))]
    (tmp_path / "silent.vcf").write_text("\n".join(silent) + "\n")
    run_batch(BatchInput(joint_vcf=tmp_path / "j.vcf"), tmp_path / "a", workers=1)
    run_batch(BatchInput(joint_vcf=tmp_path / "silent.vcf"), tmp_path / "b", workers=1)
    for t in ("genes", "recommendations"):
        assert _table(tmp_path / "a" / f"{t}.parquet") == _table(tmp_path / "b" / f"{t}.parquet"), t
    # the same records at their GRCh37 positions with GRCh37 REF bases, header silent: not GRCh38 -> refused
    to37 = {(s.chrom, s.pos38): s for s in site_pairs()}
    moved = [ln for ln in silent if ln.startswith("#")]
    for ln in silent:
        if ln.startswith("#"):
            continue
        c = ln.split("\t")
        s = to37.get((c[0], int(c[1])))
        if s is not None and s.ref37 == c[3]:
            c[1] = str(s.pos37)
            moved.append("\t".join(c))
    (tmp_path / "b37.vcf").write_text("\n".join(moved) + "\n")
    with pytest.raises(UnsupportedBuild, match="no pharmacogenomic calls"):
        run_batch(BatchInput(joint_vcf=tmp_path / "b37.vcf"), tmp_path / "c", workers=1)

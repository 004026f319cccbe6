"""The build is checked on every path: GRCh37 (header, contig lengths, b37 names, REF alleles) is refused with one
sentence, or — opted in — translated through the shipped position table, reference-flip sites included."""
from __future__ import annotations

import subprocess
import sys

import pytest

from tests.core import genome_files as gf
from tests.core.helpers import new_store
from workstation import pgx
from workstation.errors import UnsupportedBuild
from workstation.genome.positions import site_pairs
from workstation.genome.reader import from_file, from_store
from workstation.ingest.vcf import import_vcf
from workstation.levels import Level
from workstation.pgx.tables import gene_definitions


def need_example():
    if not gf.EXAMPLE2.exists():
        pytest.skip(f"{gf.EXAMPLE2} is not available (../shared data absent)")


def fully_translated_genes() -> list[str]:
    table = {(s.chrom, s.pos38) for s in site_pairs()}
    return [g for g, d in gene_definitions().items() if all((d.chrom, lc.pos) in table for lc in d.loci)]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "import sys; from workstation.cli import main; main(sys.argv[1:])",
                           *args], capture_output=True, text=True, cwd=gf.ROOT)


def test_all_reference_grch37_refused_by_default_and_cyp3a5_star3_when_translated(tmp_path):
    f = gf.all_reference_grch37(tmp_path / "allref37.vcf")
    t = from_file(f)
    assert t.build.build == "GRCh37" and t.refusal and "GRCh37" in t.refusal and "--build GRCh37" in t.refusal
    r = pgx.call_table(t)
    assert r.refusal == t.refusal and not any(c.called for c in r.genes.values() if c.source == "vcf")
    tr = pgx.call_table(from_file(f, build="GRCh37"))
    assert tr.translated_from == "GRCh37" and tr.refusal is None
    # rs776746: GRCh37 reference C is the *3 allele, GRCh38 reference T is *1 (pypgx variant-table.csv)
    assert tr.genes["CYP3A5"].diplotypes == ("*3/*3",) and tr.genes["CYP3A5"].phenotype == "Poor Metabolizer"
    # rs3758581: the GRCh37 reference G defines *1 (GRCh38 reference A is *38)
    assert tr.genes["CYP2C19"].diplotypes == ("*1/*1",)
    for g, c in tr.genes.items():
        if c.source == "vcf" and c.called:
            assert c.translated and "from GRCh37 via position table" in c.completeness_text, g
    _, recs = pgx.guidance(tr)
    assert recs and not any(x.level is Level.STANDARD for x in recs)       # translated: at most CAUTION
    assert tr.genes["CYP2D6"].source == "outside call" and not tr.genes["CYP2D6"].called
    # the same genome as a GRCh37 gVCF (blocks covering each position): the flip sites come from blocks too
    g = gf.gvcf_from(f, tmp_path / "allref37.g.vcf")
    tg = from_file(g, build="GRCh37")
    assert tg.coverage == "gvcf" and pgx.call_table(tg).genes["CYP3A5"].diplotypes == ("*3/*3",)


@pytest.mark.parametrize("b37_names, header", [(False, True), (True, True), (True, False)])
def test_grch37_example_refused_then_translated_equals_grch38(tmp_path, b37_names, header):
    need_example()
    f = gf.grch37_from(gf.EXAMPLE2, tmp_path / "ex37.vcf", b37_names=b37_names, header=header)
    t = from_file(f)
    assert t.build.build == "GRCh37" and t.refusal, t.build
    if not header:
        assert "REF alleles" in t.build.evidence
    p = cli("pgx", "--vcf", str(f))
    assert p.returncode != 0 and "GRCh37" in p.stderr and "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1
    tr = pgx.call_table(from_file(f, build="GRCh37"))
    ref = pgx.call_table(from_file(gf.EXAMPLE2))
    genes = fully_translated_genes()
    assert {"DPYD", "CYP3A5", "TPMT"} <= set(genes)
    for g in genes:
        assert tr.genes[g].diplotypes == ref.genes[g].diplotypes, g
        assert tr.genes[g].phenotype == ref.genes[g].phenotype, g
    assert tr.genes["CYP2C19"].diplotypes == ("*2/*2",)


def test_stored_grch37_refused_and_translated_on_import(tmp_path):
    need_example()
    f = gf.grch37_from(gf.EXAMPLE2, tmp_path / "ex37.vcf")
    f2 = gf.grch37_from(gf.EXAMPLE2, tmp_path / "ex37b.vcf", b37_names=True)
    store = new_store(tmp_path)
    try:
        r = import_vcf(store, f, patient_id="P1")
        assert any("no pharmacogenomic calls" in w for w in r.warnings)
        stored = pgx.call_profile(store.profile("P1", audit_open=False))
        assert stored.refusal and "GRCh37" in stored.refusal and not stored.genes["CYP2C19"].called
        import_vcf(store, f2, patient_id="P2", build="GRCh37")
        tr = pgx.call_profile(store.profile("P2", audit_open=False))
        assert tr.translated_from == "GRCh37"
        file_tr = pgx.call_table(from_file(f2, build="GRCh37"))
        assert {g: c.diplotypes for g, c in tr.genes.items()} == {g: c.diplotypes for g, c in file_tr.genes.items()}
        assert from_store(store, "P2").translated_from == "GRCh37"
        with pytest.raises(UnsupportedBuild, match="not GRCh38"):
            import_vcf(store, f, patient_id="P3", build="GRCh38")          # the stated build contradicts the file
    finally:
        store.close()


def test_unknown_build_no_calls_one_sentence(tmp_path):
    f = tmp_path / "silent.vcf"
    f.write_text("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n"
                 "10\t123456\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\n")
    t = from_file(f)
    assert t.build.build is None and t.refusal and "unknown" in t.refusal
    r = pgx.call_table(t)
    assert not r.genes["CYP2C19"].called and r.genes["CYP2C19"].completeness_text.endswith(t.refusal)


def test_stated_build_is_checked_against_ref_alleles(tmp_path):
    need_example()
    f = gf.grch37_from(gf.EXAMPLE2, tmp_path / "silent37.vcf", b37_names=True, header=False)
    t = from_file(f, build="GRCh38")                   # the user says GRCh38; the REF alleles say GRCh37
    assert t.build.build is None and t.refusal and "stated as GRCh38" in t.refusal
    ok = from_file(gf.EXAMPLE2, build="GRCh38")
    assert ok.refusal is None


def test_build_choice_after_a_refused_import(tmp_path):
    """The refusal says 'import it with --build GRCh37': doing so for the same file records the choice."""
    need_example()
    f = gf.grch37_from(gf.EXAMPLE2, tmp_path / "ex37.vcf")
    store = new_store(tmp_path)
    try:
        import_vcf(store, f, patient_id="P1")
        v0 = store.data_version("P1")
        n0 = store.con.execute("SELECT count(*) FROM variants").fetchone()[0]
        assert pgx.call_profile(store.profile("P1", audit_open=False)).refusal
        r = import_vcf(store, f, patient_id="P1", build="GRCh37")
        assert r.status == "imported" and "now recorded as GRCh37" in r.message
        assert store.con.execute("SELECT count(*) FROM variants").fetchone()[0] == n0     # not stored twice
        assert store.data_version("P1") != v0
        tr = pgx.call_profile(store.profile("P1", audit_open=False))
        assert tr.refusal is None and tr.translated_from == "GRCh37"
        assert tr.genes["CYP2C19"].diplotypes == ("*2/*2",)
        assert import_vcf(store, f, patient_id="P1", build="GRCh37").status == "already imported"
        with pytest.raises(UnsupportedBuild):
            import_vcf(store, f, patient_id="P1", build="GRCh38")
    finally:
        store.close()


def test_na12878_at_grch37_with_b37_names(tmp_path):
    """NA12878's real calls written at their GRCh37 positions with b37 names: refused by default; translated,
    the same diplotypes as the GRCh38 file for every gene the position table covers fully."""
    src = gf.SHARED / "data" / "vcf_na12878" / "NA12878.genome_filtered.vcf"
    if not src.exists():
        pytest.skip(f"{src} is not available (../shared data absent)")
    f = gf.grch37_from(src, tmp_path / "na12878.b37.vcf", b37_names=True)
    t = from_file(f)
    assert t.build.build == "GRCh37" and t.refusal
    tr = pgx.call_table(from_file(f, build="GRCh37"))
    ref = pgx.call_table(from_file(src))
    for g in fully_translated_genes():
        assert tr.genes[g].diplotypes == ref.genes[g].diplotypes, g
        if ref.genes[g].called:
            assert tr.genes[g].completeness.missing == ref.genes[g].completeness.missing, g
    assert tr.genes["DPYD"].called and "from GRCh37 via position table" in tr.genes["DPYD"].completeness_text

"""One genotype reader for file and store: a genome-sized VCF loses no gene; gVCF blocks count in ``--vcf`` too."""
from __future__ import annotations

import pytest

from tests.core import genome_files as gf
from tests.core.helpers import new_store
from workstation import pgx
from workstation.genome.reader import from_file, from_store
from workstation.ingest.vcf import import_vcf
from workstation.levels import Level

IN_SCOPE = ["CYP2C19", "CYP2C9", "VKORC1", "TPMT", "NUDT15", "SLCO1B1", "DPYD", "CYP3A5", "UGT1A1"]


def need_example():
    if not gf.EXAMPLE2.exists():
        pytest.skip(f"{gf.EXAMPLE2} is not available (../shared data absent)")


def calls(result) -> dict:
    return {g: (c.diplotypes, c.phenotype, c.activity_score, c.missing_positions, c.completeness_text)
            for g, c in result.genes.items()}


@pytest.fixture(scope="module")
def genome(tmp_path_factory):
    need_example()
    d = tmp_path_factory.mktemp("genome")
    return gf.genome_vcf(d / "genome.vcf.gz")


def test_genome_sized_vcf_stored_calls_equal_file_calls(genome, tmp_path):
    file_result = pgx.call_table(from_file(genome))
    store = new_store(tmp_path)
    try:
        r = import_vcf(store, genome, patient_id="P1")
        assert r.counts["variants"] > 300_000
        prof = store.profile("P1", audit_open=False)
        stored = pgx.call_profile(prof)
        assert calls(stored) == calls(file_result)
        for g in IN_SCOPE:                          # every gene called, none lost to a row cap
            assert stored.genes[g].called or stored.genes[g].phenotype, g
        assert stored.genes["CYP2C19"].diplotypes == ("*2/*2",)          # PharmCAT example2 report.tsv
        # the profile holds the genotypes at the positions, not the genome; the summary counts the genome
        assert len(prof.variants) <= 1300 and prof.variant_summary["variants"] == r.counts["variants"]
        assert prof.variant_summary["build"] == "GRCh38" and prof.variant_summary["coverage"] == "all-sites"
    finally:
        store.close()


def test_gvcf_blocks_covering_a_position_count_in_file_and_store(tmp_path):
    need_example()
    g = gf.gvcf_from(gf.EXAMPLE2, tmp_path / "example2.g.vcf")
    t = from_file(g)
    assert len(t.ref_blocks) > 800 and t.coverage == "gvcf"
    via_file = pgx.call_table(t)
    plain = pgx.call_table(from_file(gf.EXAMPLE2))
    assert calls(via_file) == calls(plain)          # the blocks start one base before each position
    assert not via_file.genes["CYP2C19"].missing_positions
    store = new_store(tmp_path)
    try:
        import_vcf(store, g, patient_id="P1")
        assert calls(pgx.call_table(from_store(store, "P1"))) == calls(via_file)
    finally:
        store.close()


def test_variant_only_cut_is_incomplete_and_never_plain_standard(tmp_path):
    need_example()
    v = gf.variant_only_from(gf.EXAMPLE2, tmp_path / "variants-only.vcf")
    store = new_store(tmp_path)
    try:
        r = import_vcf(store, v, patient_id="P1")
        assert any("looks variant-only" in w and "callable-regions BED" in w for w in r.warnings)
        result = pgx.call_profile(store.profile("P1", audit_open=False))
    finally:
        store.close()
    c = result.genes["CYP2C19"]
    assert c.incomplete and c.completeness.missing and "missing (not assumed reference)" in c.completeness_text
    _, recs = pgx.guidance(result)
    for rec in recs:
        if rec.level is Level.STANDARD:
            assert all(result.genes[g].completeness is None or result.genes[g].completeness.complete
                       for g in rec.genes if g in result.genes), rec.drug
    assert not any(r.level is Level.STANDARD for r in recs)
    assert {"CYP2C9", "DPYD"} <= {g for g, x in result.genes.items() if not x.called}    # nothing to call from


def test_patient_without_genome_is_not_refused_for_a_build(tmp_path):
    store = new_store(tmp_path)
    try:
        with store.transaction() as con:
            con.execute("INSERT INTO patients (id, name) VALUES ('P0', 'No Genome')")
        prof = store.profile("P0", audit_open=False)
        r = pgx.call_profile(prof)
    finally:
        store.close()
    assert r.refusal is None and prof.variant_summary["variants"] == 0
    c = r.genes["CYP2C19"]
    assert not c.called and "build" not in " ".join(c.messages)

"""Missing stays missing, visibly: one completeness wording on the call, in JSON, report, FHIR export and PGx tab
data; NA12878's variant-only files are detected at import; nothing incomplete is plain "standard"."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.core import genome_files as gf
from tests.core.helpers import new_store
from workstation import pgx
from workstation.exchange.fhir_export import build_fhir_bundle
from workstation.genome.reader import from_file
from workstation.ingest.vcf import import_vcf
from workstation.levels import Level
from workstation.report.pgx_part import gene_caveat

NA = gf.SHARED / "data" / "vcf_na12878"


def need(p):
    if not p.exists():
        pytest.skip(f"{p} is not available (../shared data absent)")
    return p


def no_standard_on_incomplete(result, recs):
    for r in recs:
        if r.level is Level.STANDARD:
            for g in r.genes:
                c = result.genes.get(g)
                assert c is None or c.completeness is None or c.completeness.complete, (r.drug, g)


def test_na12878_variant_only_detected_and_incomplete_everywhere(tmp_path):
    f = need(NA / "NA12878.genome_filtered.vcf")
    store = new_store(tmp_path)
    try:
        r = import_vcf(store, f, patient_id="P1")
        assert any("looks variant-only" in w for w in r.warnings)
        prof = store.profile("P1", audit_open=False)
        assert prof.variant_summary["sources"][0]["coverage"] == "variant-only"
        result = pgx.call_profile(prof)
    finally:
        store.close()
    dpyd = result.genes["DPYD"]
    assert dpyd.completeness.n_present == 2 and dpyd.completeness.n_total == 83
    assert dpyd.completeness.could_change is True
    text = dpyd.completeness_text
    assert text.startswith("DPYD: 2 of 83 defining positions present; 81 missing") and "could change" in text
    alerts, recs = pgx.guidance(result)
    no_standard_on_incomplete(result, recs)
    fu = [x for x in recs if x.drug in ("fluorouracil", "capecitabine")]
    assert fu and all(x.level is not Level.STANDARD for x in fu)
    # every presenter shows the same sentence
    assert text in gene_caveat(dpyd)
    assert dpyd.to_json()["completeness"]["text"] == text
    bundle, _ = build_fhir_bundle({"id": "P1", "name": "NA12878"}, pgx=result, recommendations=recs)
    assert text.rstrip(".") in json.dumps(bundle, ensure_ascii=False)
    from ui.views.pgx_view import genes_frame            # the PGx tab's table data (no Qt widget needed)

    row = genes_frame(result).set_index("gene").loc["DPYD"]
    assert row["_note"].startswith(text) and "incomplete" in row["status"]
    from datetime import datetime

    import pandas as pd

    from workstation.report.deid import When
    from workstation.report.pgx_part import pgx_section

    _, section = pgx_section(pd.DataFrame(), alerts, recs, result, When(datetime(2026, 1, 1), deidentify=False))
    assert any("looks variant-only" in n for n in section.notes)           # the report's genome line
    from workstation.pgx.indicators import indicator_words, indicators   # the banner's genomic indicators

    ind = [i for i in indicators(result, recs) if i.gene == "CYP2C19"]
    assert ind and result.genes["CYP2C19"].completeness_text in indicator_words(ind[0])[1]


def test_na12878_2c19_missing_rs3758581_is_named(tmp_path):
    f = need(NA / "NA12878.2c19_filtered.vcf")
    r = pgx.call_table(from_file(f))
    c = r.genes["CYP2C19"]
    assert "rs3758581" in c.completeness.missing and c.completeness.could_change is True
    assert "*1" in c.completeness.alleles_at_missing        # *1 needs rs3758581 = G; *38 is its absence
    _, recs = pgx.guidance(r)
    no_standard_on_incomplete(r, recs)


def test_cli_json_carries_completeness():
    f = need(NA / "NA12878.genome_filtered.vcf")
    p = subprocess.run([sys.executable, "-c", "import sys; from workstation.cli import main; main(sys.argv[1:])",
                        "pgx", "--vcf", str(f), "--json"], capture_output=True, text=True, cwd=gf.ROOT)
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    comp = d["genes"]["DPYD"]["completeness"]
    assert comp["positions_present"] == 2 and comp["positions_total"] == 83 and comp["complete"] is False
    assert any("variant-only" in n for n in d["notes"])


def test_complete_call_says_complete():
    need(gf.EXAMPLE2)
    r = pgx.call_table(from_file(gf.EXAMPLE2))
    c = r.genes["CYP2C19"]
    assert c.completeness.complete and c.completeness_text == "CYP2C19: 35 of 35 defining positions present; complete."


def test_bed_and_assertion_are_the_only_ways_missing_becomes_reference(tmp_path):
    need(gf.EXAMPLE2)
    v = gf.variant_only_from(gf.EXAMPLE2, tmp_path / "variants-only.vcf")
    full = pgx.call_table(from_file(gf.EXAMPLE2))
    store = new_store(tmp_path)
    try:
        import_vcf(store, v, patient_id="P1")
        before = pgx.call_profile(store.profile("P1", audit_open=False))
        assert before.genes["TPMT"].completeness.missing
        # the lab's callable regions cover chr6 (TPMT) and chr13 (NUDT15) only
        bed = tmp_path / "callable.bed"
        bed.write_text("track name=callable\nchr6\t18128000\t18156000\n13\t48035000\t48075000\n")
        from workstation.genome.coverage import assert_coverage, import_callable_bed

        r = import_callable_bed(store, bed, patient_id="P1")
        assert r.counts == {"ref_blocks": 2}
        after = pgx.call_profile(store.profile("P1", audit_open=False))
        for g in ("TPMT", "NUDT15"):
            c = after.genes[g]
            assert c.completeness.complete and c.completeness.from_bed > 0, g
            assert "callable-regions BED" in c.completeness_text
            assert c.diplotypes == full.genes[g].diplotypes
        assert after.genes["DPYD"].completeness.missing                    # not covered: still missing
        assert_coverage(store, "P1", ["DPYD"], assay="PGx panel v2 (Example Lab)")
        dp = pgx.call_profile(store.profile("P1", audit_open=False)).genes["DPYD"]
        assert dp.completeness.complete and "audited coverage assertion" in dp.completeness_text
        assert dp.diplotypes == full.genes["DPYD"].diplotypes
        rows = store.con.execute("SELECT detail FROM audit_log WHERE action = 'coverage_assertion'").fetchall()
        assert len(rows) == 1 and "PGx panel v2" in rows[0][0]
        bad = tmp_path / "bad.bed"
        bad.write_text("chr6\t200\t100\n")
        from workstation.errors import MalformedFile

        with pytest.raises(MalformedFile, match=r"line 1.*empty or negative"):
            import_callable_bed(store, bad, patient_id="P1")
    finally:
        store.close()

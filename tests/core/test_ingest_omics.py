"""Omics tables: long and wide layouts, each omics kind, bad input, and the demo writer's files."""
from __future__ import annotations

import gzip

import pytest

from workstation.demo.omics_writer import write_demo_omics
from workstation.errors import ImportError_, MalformedFile, NotFound, UnknownSample
from workstation.ingest import detect, import_file
from workstation.ingest.omics import import_omics
from tests.core.helpers import store_with_patient


@pytest.fixture
def store(tmp_path):
    s = store_with_patient(tmp_path)
    yield s
    s.close()


def q(store, sql):
    return store.con.execute(sql).fetchall()


def n_analytes(store):
    return q(store, "SELECT count(*) FROM analytes")[0][0] + q(store, "SELECT count(*) FROM sources")[0][0]


def test_transcriptomics_long_tsv(store, tmp_path):
    p = tmp_path / "rna.tsv"
    p.write_text("gene_symbol\ttpm\nCYP2D6\t12.5\nENSG00000100197\t3\nVKORC1\tNA\n")
    r = import_file(store, p, patient_id="P1")
    assert r.counts == {"transcriptomics": 2} and r.kind == "omics"
    assert q(store, "SELECT analyte_id, id_system, value, unit FROM analytes ORDER BY analyte_id") == \
        [("CYP2D6", "symbol", 12.5, "TPM"), ("ENSG00000100197", "symbol", 3.0, "TPM")]
    assert "1 empty or NA value(s)" in r.warnings[0]


def test_ids_detected_by_pattern_under_generic_header(store, tmp_path):
    p = tmp_path / "mixed.csv"
    p.write_text("analyte,value,unit\nENSG00000100197,7,TPM\nP02741,5000,abundance\nHMDB0000122,5.4,mmol/l\n"
                 "CHEBI:17234,5.1,mmol/L\n")
    import_omics(store, p, patient_id="P1")
    assert q(store, "SELECT analyte_id, omics, id_system, unit FROM analytes ORDER BY analyte_id") == [
        ("CHEBI:17234", "metabolomics", "chebi", "mmol/L"), ("ENSG00000100197", "transcriptomics", "ensembl", "TPM"),
        ("HMDB0000122", "metabolomics", "hmdb", "mmol/L"), ("P02741", "proteomics", "uniprot", "abundance")]


def test_metabolomics_units_and_reference_ranges(store, tmp_path):
    p = tmp_path / "met.csv"
    p.write_text("# measured_at=2024-03-05T08:30:00+01:00\nhmdb_id,name,concentration,unit,reference_range\n"
                 "HMDB0000122,Glucose,9.1,mmol/L,3.9-5.6\nHMDB0000289,Uric acid,455,µmol/L,<420\n")
    r = import_omics(store, p, patient_id="P1")
    assert r.counts == {"metabolomics": 2}
    rows = q(store, "SELECT analyte_id, name, value, unit, ref_low, ref_high, measured_at FROM analytes ORDER BY 1")
    assert [x[:6] for x in rows] == [("HMDB0000122", "Glucose", 9.1, "mmol/L", 3.9, 5.6),
                                     ("HMDB0000289", "Uric acid", 455.0, "umol/L", None, 420.0)]
    assert str(rows[0][6]) == "2024-03-05 07:30:00"


def test_wide_proteomics_with_samples_and_sample_choice(store, tmp_path):
    p = tmp_path / "prot.csv"
    p.write_text("uniprot,baseline,week4\nP02741,500,15000\nP0DJI8,800,\n")
    r = import_omics(store, p, patient_id="P1")
    assert r.counts == {"proteomics": 3}
    assert q(store, "SELECT sample, value FROM analytes WHERE analyte_id = 'P02741' ORDER BY sample") == \
        [("baseline", 500.0), ("week4", 15000.0)]
    assert q(store, "SELECT DISTINCT unit, id_system FROM analytes") == [("abundance", "uniprot")]
    p2 = tmp_path / "prot2.csv"
    p2.write_text(p.read_text() + "P00738,1,2\n")
    import_omics(store, p2, patient_id="P1", sample="week4")
    assert q(store, "SELECT count(*) FROM analytes WHERE source_id = 2")[0][0] == 2
    p3 = tmp_path / "prot3.csv"
    p3.write_text(p.read_text() + "P00450,1,2\n")
    with pytest.raises(UnknownSample) as ei:
        import_omics(store, p3, patient_id="P1", sample="week9")
    assert "week9" in str(ei.value) and "baseline" in str(ei.value)


def test_gzip_table(store, tmp_path):
    p = tmp_path / "counts.txt"                     # name says nothing; content is gzip TSV
    with gzip.open(p, "wt") as fh:
        fh.write("ensembl_gene_id\tcounts\nENSG00000100197\t812\n")
    assert detect(p) == "omics"
    assert import_file(store, p, patient_id="P1").counts == {"transcriptomics": 1}
    assert q(store, "SELECT unit FROM analytes") == [("counts",)]


@pytest.mark.parametrize("body, line, field, words", [
    ("gene,tpm\nA1BG,1\nCYP2D6,1,2\n", 3, None, "3 columns but the header has 2"),
    ("gene,tpm\nA1BG,high\n", 2, "tpm", "'high' is not a number"),
    ("hmdb_id,concentration\nHMDB0000122,5.1\n", 2, "unit", "need a unit"),
    ("gene,tpm\n,4\n", 2, "gene", "identifier is empty"),
    ("hmdb,concentration,unit,reference_range\nHMDB0000122,5,mmol/L,normal\n", 2, "reference_range", "not a reference"),
])
def test_bad_tables_name_line_and_field(store, tmp_path, body, line, field, words):
    p = tmp_path / "bad.csv"
    p.write_text(body)
    with pytest.raises(MalformedFile) as ei:
        import_omics(store, p, patient_id="P1")
    assert ei.value.line == line and ei.value.field == field and words in str(ei.value)
    assert n_analytes(store) == 0


def test_patient_required_and_must_exist(store, tmp_path):
    p = tmp_path / "rna.tsv"
    p.write_text("gene\ttpm\nCYP2D6\t1\n")
    with pytest.raises(ImportError_, match="--patient"):
        import_file(store, p)
    with pytest.raises(NotFound, match="no patient with id 'nobody'"):
        import_file(store, p, patient_id="nobody")
    assert n_analytes(store) == 0


def test_demo_omics_files_import_and_are_deterministic(store, tmp_path):
    a = write_demo_omics(tmp_path / "a", patient_seed=11, patient_id="P1")
    b = write_demo_omics(tmp_path / "b", patient_seed=11, patient_id="P1")
    c = write_demo_omics(tmp_path / "c", patient_seed=12, patient_id="P1")
    assert [x.read_bytes() for x in a] == [x.read_bytes() for x in b]
    assert a[2].read_bytes() != c[2].read_bytes()
    assert [detect(x) for x in a] == ["omics"] * 3
    counts = {}
    for f in a:
        counts.update(import_file(store, f, patient_id="P1").counts)
    assert counts == {"transcriptomics": 40, "proteomics": 23, "metabolomics": 19}
    # the deliberately deviant metabolites lie outside the (synthetic) range
    out = q(store, "SELECT analyte_id FROM analytes WHERE value > ref_high ORDER BY 1")
    assert ("HMDB0000122",) in out and ("HMDB0000357",) in out
    assert q(store, "SELECT count(*) FROM analytes WHERE omics='metabolomics' AND unit IS NULL")[0][0] == 0


def test_second_identifier_column_names_the_analyte(tmp_path):
    from tests.core.helpers import new_store

    s = new_store(tmp_path)
    with s.transaction() as con:
        con.execute("INSERT INTO patients (id, name) VALUES ('p1', 'P One')")
    f = tmp_path / "prot.csv"
    f.write_text("uniprot,gene,abundance\nP02768,ALB,902216.7\nP04114,APOB,22637.6\n")
    from workstation.ingest import import_file

    import_file(s, f, patient_id="p1")
    rows = s.con.execute("SELECT analyte_id, name, id_system FROM analytes ORDER BY analyte_id").fetchall()
    s.close()
    assert rows == [("P02768", "ALB", "uniprot"), ("P04114", "APOB", "uniprot")]

"""Importing VCFs into a real encrypted store: counts, provenance, re-import, and bad files that store nothing.

Every bad-input test asserts the error names the line and field in plain words, and that afterwards the store
holds no variant, no reference block, no patient and no provenance row from that file.
"""
from __future__ import annotations

import gzip
import json

import pytest

from tests.core.test_ingest_vcf import RECORDS, SHARED_DATA, bgzf_block, vcf_text, write_vcf
from workstation import vault
from workstation.errors import FormatNotRecognised, MalformedFile, UnknownSample
from workstation.ingest.vcf import import_vcf
from workstation.progress import Cancelled, Progress
from workstation.store import Store


@pytest.fixture
def store(tmp_path):
    s = Store.create(tmp_path / "p.duckdb", "a long passphrase", kdf=vault.FAST_KDF)
    yield s
    s.close()


def _empty(store) -> None:
    for table in ("variants", "ref_blocks", "patients", "sources"):
        assert store.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table
    assert store.con.execute("SELECT count(*) FROM audit_log WHERE action = 'import'").fetchone()[0] == 0


def test_import_counts_provenance_and_reimport(store, tmp_path):
    p = write_vcf(tmp_path / "g.vcf.gz", RECORDS, compress="bgzf")
    r = import_vcf(store, p, patient_id="pat-1")
    assert (r.status, r.kind, r.counts, r.patient_ids) == ("imported", "vcf", {"variants": 7, "ref_blocks": 1},
                                                           ["pat-1"])
    rows = store.con.execute("SELECT chrom, pos, gt, phased, dp, ps, end_pos, sample, patient_id, source_id "
                             "FROM variants ORDER BY chrom, pos").fetchall()
    assert rows[0] == ("chr1", 100, "0/1", False, 5, None, None, "S1", "pat-1", r.source_id)
    assert rows[1][:6] == ("chr1", 200, "1|2", True, 7, "200")
    assert store.con.execute("SELECT chrom, start_pos, end_pos, min_dp, gq, patient_id FROM ref_blocks").fetchall() \
        == [("chrM", 300, 400, 12, 60, "pat-1")]
    src = store.con.execute("SELECT kind, importer, counts, details, patient_id FROM sources").fetchone()
    details = json.loads(src[3])
    assert src[0] == "vcf" and src[4] == "pat-1" and json.loads(src[2]) == {"ref_blocks": 1, "variants": 7}
    assert details["build"] == "GRCh38" and details["sample"] == "S1" and details["samples_in_file"] == ["S1"]
    assert details["compression"] == "bgzf" and details["grch37"] is False
    assert store.patient("pat-1")["id"] == "pat-1"
    again = import_vcf(store, p, patient_id="pat-1")
    assert again.status == "already imported" and again.source_id == r.source_id
    assert store.con.execute("SELECT count(*) FROM variants").fetchone()[0] == 7
    assert store.con.execute("SELECT count(*) FROM sources").fetchone()[0] == 1


def test_grch37_accepted_but_flagged(store, tmp_path):
    header = ["##fileformat=VCFv4.1", "##contig=<ID=1,length=249250621>"]
    r = import_vcf(store, write_vcf(tmp_path / "b37.vcf", RECORDS[:1], header=header), patient_id="p")
    assert r.status == "imported" and any("GRCh37" in w and "no pharmacogenomic calls" in w for w in r.warnings)
    details = json.loads(store.con.execute("SELECT details FROM sources").fetchone()[0])
    assert details["grch37"] is True and details["build"] == "GRCh37" and details["warnings"] == r.warnings
    assert details["pgx_refusal"] in r.warnings and details["coverage"] == "variant-only"


def test_multi_sample_import_chooses_sample(store, tmp_path):
    recs = ["1\t10\t.\tA\tG\t.\tPASS\t.\tGT\t0/0\t1/1"]
    p = write_vcf(tmp_path / "m.vcf", recs, samples=("Sample_1", "Sample_2"))
    with pytest.raises(UnknownSample, match=r"2 samples \(Sample_1, Sample_2\)"):
        import_vcf(store, p, patient_id="p")
    _empty(store)
    import_vcf(store, p, patient_id="p", sample="Sample_2")
    assert store.con.execute("SELECT sample, gt FROM variants").fetchall() == [("Sample_2", "1/1")]


def test_real_pharmcat_multisample(store):
    p = SHARED_DATA / "pharmcat" / "multisample.vcf"
    if not p.exists():
        pytest.skip("../shared/data is not present")
    r = import_vcf(store, p, patient_id="p2", sample="Sample_2")
    assert r.counts == {"variants": 1202, "ref_blocks": 0}
    assert store.con.execute("SELECT gt FROM variants WHERE chrom = 'chr10' AND pos = 94781859").fetchone() == \
        ("1/1",)


# -- bad input: typed error naming line and field; nothing stored ------------------------------------------------
def _bad(records_index: int, line: str) -> list[str]:
    recs = list(RECORDS) * 3
    recs[records_index] = line
    return recs


# header is 3 lines + the #CHROM line, so record i (0-based) is on line 5 + i
@pytest.mark.parametrize("recs, line, field, words", [
    (_bad(9, "1\tx200\t.\tC\tT\t.\t.\t.\tGT\t0/1"), 14, "POS", "'x200' is not a whole number"),
    (_bad(4, "1\t200\t.\tC\tT\t.\t.\t.\tGT\t0/x"), 9, "GT", "'0/x' is not a valid VCF genotype"),
    (_bad(12, "1\t200\t.\tC\tT\t.\t.\t.\tGT:DP\t1/:5"), 17, "GT", "'1/' is not a valid VCF genotype"),
    (_bad(0, "1\t200\t.\tC\tT\t.\t.\t.\tGT\t0/2"), 5, "GT", "refers to an allele the ALT column does not list"),
    (_bad(5, "1\t200\t.\tC\tT\thigh\t.\t.\tGT\t0/1"), 10, "QUAL", "'high' is not a number"),
    (_bad(6, "1\t200\t.\tC\tT\t.\t.\t.\tGT:DP\t0/1:deep"), 11, "DP", "'deep' is not a number"),
])
def test_invalid_value_names_line_and_field(store, tmp_path, recs, line, field, words):
    p = write_vcf(tmp_path / "bad.vcf.gz", recs, compress="bgzf")
    with pytest.raises(MalformedFile) as ei:
        import_vcf(store, p, patient_id="p")
    e = ei.value
    assert (e.line, e.field) == (line, field) and words in str(e)
    assert f"line {line}, field {field}" in str(e) and "Nothing from this file was stored" in str(e)
    _empty(store)
    if field == "POS":                         # read_vcf reports the same, also when reading a few positions
        from workstation.ingest.vcf import read_vcf
        with pytest.raises(MalformedFile, match=f"line {line}, field POS"):
            read_vcf(p)
        with pytest.raises(MalformedFile, match=f"line {line}, field POS"):
            read_vcf(p, positions=[("1", 200), ("chr7", 117559590)])


def test_first_of_several_bad_lines_is_named(store, tmp_path):
    recs = list(RECORDS) * 2000
    recs[9000] = "1\t5\t.\tC\tT\t.\t.\t.\tGT\t0/x"
    recs[12000] = "1\tfive\t.\tC\tT\t.\t.\t.\tGT\t0/1"
    with pytest.raises(MalformedFile, match=r"line 9005, field GT"):
        import_vcf(store, write_vcf(tmp_path / "b.vcf", recs), patient_id="p")
    _empty(store)


def test_wrong_column_count(store, tmp_path):
    p = write_vcf(tmp_path / "cols.vcf", _bad(7, "1\t200\t.\tC\tT\t.\t.\t.\tGT"))
    with pytest.raises(MalformedFile, match=r"line 12\).*9 tab-separated columns but the #CHROM header line has 10"):
        import_vcf(store, p, patient_id="p")
    _empty(store)


def test_missing_chrom_header_line(store, tmp_path):
    p = tmp_path / "nohead.vcf"
    p.write_text("##fileformat=VCFv4.2\n##reference=GRCh38\n" + "\n".join(RECORDS) + "\n")
    with pytest.raises(MalformedFile, match=r"line 3, field #CHROM\).*'#CHROM' is missing"):
        import_vcf(store, p, patient_id="p")
    _empty(store)


def test_not_a_vcf(store, tmp_path):
    p = tmp_path / "x.vcf"
    p.write_text("gene\tvalue\nA\t1\n")
    with pytest.raises(FormatNotRecognised, match=r"line 1\).*not a VCF"):
        import_vcf(store, p, patient_id="p")
    _empty(store)


def test_unknown_sample(store, tmp_path):
    p = write_vcf(tmp_path / "s.vcf", RECORDS, samples=("NA12878",))
    with pytest.raises(UnknownSample, match=r"no sample named 'NA12891'.*its samples are: NA12878"):
        import_vcf(store, p, patient_id="p", sample="NA12891")
    _empty(store)


@pytest.mark.parametrize("kind", ["gzip", "bgzf", "bgzf-no-eof", "gzip-at-line-end"])
def test_truncated_compressed_file(store, tmp_path, kind):
    text = vcf_text(RECORDS * 400).encode()
    if kind == "gzip":
        data = gzip.compress(text)[:-300]
    elif kind == "gzip-at-line-end":                 # cut exactly after a whole line: DuckDB alone would not notice
        cut = text.rfind(b"\n", 0, len(text) // 2) + 1
        full = gzip.compress(text)
        import zlib
        c = zlib.compressobj(6, zlib.DEFLATED, 31)
        data = c.compress(text[:cut]) + c.flush(zlib.Z_SYNC_FLUSH)      # a gzip stream that never ends
        assert len(data) < len(full)
    else:
        blocks = [bgzf_block(text[i:i + 2000]) for i in range(0, len(text), 2000)]
        data = b"".join(blocks[:len(blocks) // 2])
        if kind == "bgzf":
            data += blocks[len(blocks) // 2][:40]                           # half a block
    p = tmp_path / "cut.vcf.gz"
    p.write_bytes(data)
    with pytest.raises(MalformedFile, match=r"compressed file is (cut short|damaged)"):
        import_vcf(store, p, patient_id="p")
    _empty(store)


class CancelAt(Progress):
    """A real Progress whose user presses Cancel when the job reports ``message``."""

    def __init__(self, message: str) -> None:
        super().__init__()
        self.at = message
        self.seen: list[str] = []

    def set(self, fraction=None, message=None) -> None:
        super().set(fraction, message)
        if message is not None:
            self.seen.append(message)
            if message == self.at:
                self.cancel()


@pytest.mark.parametrize("at", ["Importing variants", "Recording reference blocks", "Saving"])
def test_cancel_leaves_nothing(store, tmp_path, at):
    p = write_vcf(tmp_path / "c.vcf.gz", RECORDS * 20000, compress="bgzf", block=60000)
    prog = CancelAt(at)
    with pytest.raises(Cancelled):
        import_vcf(store, p, patient_id="p", progress=prog)
    assert at in prog.seen
    _empty(store)
    r = import_vcf(store, p, patient_id="p", progress=Progress())      # the store is still usable afterwards
    assert r.counts["variants"] == 140000


def test_header_only_file_imports_nothing_with_a_warning(store, tmp_path):
    r = import_vcf(store, write_vcf(tmp_path / "e.vcf", []), patient_id="p")
    assert r.status == "imported" and r.counts == {"variants": 0, "ref_blocks": 0}
    assert "the file holds no variant records" in r.warnings


def test_patient_must_be_named(store, tmp_path):
    from workstation.errors import ImportError_
    with pytest.raises(ImportError_, match="choose the patient"):
        import_vcf(store, write_vcf(tmp_path / "x.vcf", RECORDS), patient_id="")
    _empty(store)

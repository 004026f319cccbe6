"""Reading VCFs: formats (plain, gzip, BGZF), samples, chromosome names, genotypes, gVCF blocks, genome build,
and real third-party files from ../shared/data (skipped when that folder is absent).

The small writers at the top (plain/gzip/BGZF) are shared with the other test_ingest_vcf_* modules.
"""
from __future__ import annotations

import gzip
import struct
import zlib
from pathlib import Path

import pandas as pd
import pytest

from workstation.errors import UnknownSample
from workstation.ingest.vcf import read_vcf, sniff_vcf

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"

HEADER_38 = ["##fileformat=VCFv4.2", "##reference=GRCh38", "##contig=<ID=chr1,length=248956422>"]
COLS = ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT"]
BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")


def bgzf_block(data: bytes) -> bytes:
    """One BGZF block (SAM/BAM specification section 4.1): a gzip member with the BC extra field."""
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    comp = c.compress(data) + c.flush()
    return (b"\x1f\x8b\x08\x04\x00\x00\x00\x00\x00\xff" + struct.pack("<H", 6) + b"BC"
            + struct.pack("<HH", 2, len(comp) + 25) + comp
            + struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data) & 0xFFFFFFFF))


def vcf_text(records: list[str], *, samples=("S1",), header: list[str] | None = None) -> str:
    lines = list(HEADER_38 if header is None else header)
    lines.append("\t".join(COLS + list(samples)))
    return "\n".join(lines + records) + "\n"


def write_vcf(path: Path, records: list[str], *, samples=("S1",), header: list[str] | None = None,
              compress: str | None = None, block: int = 300) -> Path:
    """Write a VCF; ``compress`` None | 'gzip' | 'bgzf' (BGZF in blocks of ``block`` bytes, so several)."""
    data = vcf_text(records, samples=samples, header=header).encode()
    if compress is None:
        path.write_bytes(data)
    elif compress == "gzip":
        path.write_bytes(gzip.compress(data))
    elif compress == "bgzf":
        path.write_bytes(b"".join(bgzf_block(data[i:i + block]) for i in range(0, len(data), block)) + BGZF_EOF)
    else:
        raise ValueError(compress)
    return path


# -- tests: formats ----------------------------------------------------------------------------------------------
RECORDS = [
    "1\t100\trs1\tA\tG\t50\tPASS\tDP=5\tGT:AD:DP:GQ\t0/1:3,2:5:40",
    "1\t200\t.\tC\tT,G\t.\tq10\t.\tDP:GT:PS\t7:1|2:200",                   # FORMAT in another order, phased
    "MT\t300\t.\tA\t<NON_REF>\t.\t.\tEND=400\tGT:DP:GQ:MIN_DP\t0/0:20:60:12",  # gVCF reference block
    "chrX\t500\t.\tG\t.\t.\t.\t.\tGT\t./.",                                  # no-call
    "2\t600\t\tG\tA\t.\t.\tNOTE=a#b;X=1\tGT\t.",                             # empty ID, '#' inside INFO
    "2\t800\t.\tG\t<NON_REF>\t.\t.\tEND=850\tGT\t./.",                       # no-call block: not reference
    "chr2\t900\t.\tG\tA\t12.5\tPASS\t.\tGT:AD\t1",                           # haploid call, short sample
]


@pytest.mark.parametrize("compress", [None, "gzip", "bgzf"])
def test_read_every_field(tmp_path, compress):
    p = write_vcf(tmp_path / ("x.vcf" + (".gz" if compress else "")), RECORDS, compress=compress)
    d = read_vcf(p)
    v = d.variants
    assert list(v.columns) == ["sample", "chrom", "pos", "vid", "ref", "alt", "qual", "filter", "info", "gt",
                               "phased", "ad", "dp", "gq", "ps", "end_pos"]
    assert len(v) == 7 and d.sample == "S1" and d.samples == ["S1"] and d.build == "GRCh38"
    assert v["chrom"].tolist() == ["chr1", "chr1", "chrM", "chrX", "chr2", "chr2", "chr2"]
    r0 = v.iloc[0]
    assert (r0["vid"], r0["ref"], r0["alt"], r0["qual"], r0["filter"], r0["info"], r0["gt"], r0["ad"],
            r0["dp"], r0["gq"], bool(r0["phased"])) == ("rs1", "A", "G", 50.0, "PASS", "DP=5", "0/1", "3,2", 5,
                                                       40, False)
    r1 = v.iloc[1]
    assert (r1["alt"], r1["gt"], bool(r1["phased"]), r1["dp"], r1["ps"], r1["filter"]) == \
        ("T,G", "1|2", True, 7, "200", "q10")
    assert pd.isna(r1["qual"]) and pd.isna(r1["gq"])
    assert v.iloc[2]["end_pos"] == 400 and v.iloc[3]["gt"] == "./." and v.iloc[3]["alt"] == "."
    assert v.iloc[4]["vid"] == "." and v.iloc[4]["info"] == "NOTE=a#b;X=1" and v.iloc[4]["gt"] == "."
    assert v.iloc[6]["gt"] == "1" and pd.isna(v.iloc[6]["ad"]) and v.iloc[6]["qual"] == 12.5
    blocks = d.ref_blocks
    assert blocks.to_dict("records") == [{"chrom": "chrM", "start_pos": 300, "end_pos": 400, "min_dp": 12,
                                          "gq": 60}]


def test_gzip_bgzf_plain_read_the_same(tmp_path):
    frames = [read_vcf(write_vcf(tmp_path / f"{c}.vcf", RECORDS * 50, compress=c)).variants
              for c in (None, "gzip", "bgzf")]
    pd.testing.assert_frame_equal(frames[0], frames[1])
    pd.testing.assert_frame_equal(frames[0], frames[2])


def test_crlf_line_ends(tmp_path):
    p = tmp_path / "crlf.vcf"
    p.write_bytes(vcf_text(RECORDS).replace("\n", "\r\n").encode())
    v = read_vcf(p).variants
    assert len(v) == 7 and v["chrom"].tolist()[0] == "chr1"
    assert v.iloc[0]["gq"] == 40 and not v["info"].str.endswith("\r").any()


def test_positions_filter_any_chrom_spelling(tmp_path):
    p = write_vcf(tmp_path / "x.vcf.gz", RECORDS, compress="bgzf")
    d = read_vcf(p, positions=[("chr1", 200), ("M", 300), ("chrMT", 300), ("2", 600), ("3", 100), ("1", 999)])
    assert list(zip(d.variants["chrom"], d.variants["pos"])) == [("chr1", 200), ("chr2", 600), ("chrM", 300)]
    assert d.ref_blocks["start_pos"].tolist() == [300]
    assert read_vcf(p, positions=[]).variants.empty


def test_multi_sample_choose(tmp_path):
    recs = ["1\t10\t.\tA\tG\t.\tPASS\t.\tGT:DP\t0/0:5\t1|1:9\t./.:."]
    p = write_vcf(tmp_path / "m.vcf", recs, samples=("mother", "child", "father"))
    d = read_vcf(p, sample="child")
    assert d.samples == ["mother", "child", "father"] and d.sample == "child"
    assert d.variants.iloc[0][["sample", "gt", "dp"]].tolist() == ["child", "1|1", 9]
    assert pd.isna(read_vcf(p, sample="father").variants.iloc[0]["dp"])
    with pytest.raises(UnknownSample, match=r"3 samples \(mother, child, father\)"):
        read_vcf(p)
    with pytest.raises(UnknownSample, match=r"no sample named 'aunt'.*mother, child, father") as ei:
        read_vcf(p, sample="aunt")
    assert ei.value.line == 4 and ei.value.field == "#CHROM"


@pytest.mark.parametrize("header, build", [
    (["##fileformat=VCFv4.2", "##contig=<ID=1,length=249250621>"], "GRCh37"),
    (["##fileformat=VCFv4.1", "##reference=file:///ref/hs37d5.fa"], "GRCh37"),
    (["##fileformat=VCFv4.3", "##reference=hg38"], "GRCh38"),
    (["##fileformat=VCFv4.2", "##contig=<ID=chr7,assembly=GRCh38.p14>"], "GRCh38"),
    (["##fileformat=VCFv4.2"], None),
    (["##fileformat=VCFv4.2", "##reference=hg19", "##contig=<ID=chr1,length=248956422>"], None),  # conflict
])
def test_genome_build_from_header(tmp_path, header, build):
    d = read_vcf(write_vcf(tmp_path / "b.vcf", ["1\t10\t.\tA\tG\t.\t.\t.\tGT\t0/1"], header=header))
    assert d.build == build
    if build == "GRCh37":
        assert any("GRCh37" in w and "flagged" in w for w in d.warnings)
    if build is None:
        assert d.warnings


def test_sniff(tmp_path):
    text = vcf_text(RECORDS).encode()
    assert sniff_vcf(text[:64])
    assert sniff_vcf(gzip.compress(text)[:200])
    assert sniff_vcf(bgzf_block(text[:400])[:200])
    assert not sniff_vcf(b'{"resourceType": "Bundle"}')
    assert not sniff_vcf(gzip.compress(b"gene,value\nA,1\n"))
    assert not sniff_vcf(b"\x1f\x8b garbage")


# -- tests: real third-party files ------------------------------------------------------------------------------
def _shared(rel: str) -> Path:
    p = SHARED_DATA / rel
    if not p.exists():
        pytest.skip(f"../shared/data/{rel} is not present (real third-party test data lives beside the checkout)")
    return p


def test_pharmcat_example_all_reference():
    d = read_vcf(_shared("pharmcat/pharmcat.example.vcf"))
    v = d.variants
    assert len(v) == 1202 and d.sample == "Sample_1" and d.build == "GRCh38"
    assert set(v["gt"]) == {"0/0"} and not v["phased"].any()
    first = v.iloc[0]
    assert (first["chrom"], first["pos"], first["vid"], first["ref"], first["alt"], first["info"]) == \
        ("chr1", 97078987, "rs114096998", "G", "T", "PX=DPYD")
    assert d.ref_blocks.empty


def test_pharmcat_multisample_sample_2():
    p = _shared("pharmcat/multisample.vcf")
    with pytest.raises(UnknownSample, match="Sample_1, Sample_2"):
        read_vcf(p)
    v = read_vcf(p, sample="Sample_2").variants
    assert len(v) == 1202
    alt = v[v["gt"] != "0/0"].set_index("vid")["gt"].to_dict()
    assert alt == {"rs12769205": "1/1", "rs4244285": "1/1", "rs3758581": "1/1", "rs3745274": "0/1",
                   "rs2279343": "0/1"}
    assert set(read_vcf(p, sample="Sample_1").variants["gt"]) == {"0/0"}


def test_pharmcat_static_messy_files():
    tpmt = read_vcf(_shared("pharmcat/tests/static_tpmt_s3As3B.vcf")).variants
    assert len(tpmt) == 32 and tpmt["pos"].tolist()[:3] == [18149127, 18149126, 18149045]   # file order kept
    assert tpmt.set_index("pos").loc[18138997, "gt"] == "1/1" and (tpmt["alt"] == ".").sum() == 30
    c19 = read_vcf(_shared("pharmcat/tests/static_cyp2c19_s4bs17_rs28399504missing.vcf")).variants
    assert len(c19) == 38 and c19.set_index("pos").loc[94781944, "vid"] == "."     # empty ID column
    assert 94762706 not in set(c19["pos"])                                         # the missing position stays absent
    ugt = read_vcf(_shared("pharmcat/tests/static_ugt1a1_s28s37_multiallelic.vcf")).variants.set_index("pos")
    assert (ugt.loc[233760233, "ref"], ugt.loc[233760233, "alt"], ugt.loc[233760233, "gt"]) == \
        ("CAT", "CATAT,C,CATATAT", "1/3")
    ph = read_vcf(_shared("pharmcat/tests/static_cyp3a5_s3s9_phased.vcf")).variants.set_index("pos")
    assert ph.loc[99660516, "gt"] == "0|1" and bool(ph.loc[99660516, "phased"])
    assert ph.loc[99672916, "gt"] == "1|0" and not bool(ph.loc[99652613, "phased"])
    vk = read_vcf(_shared("pharmcat/tests/static_vkorc1_GA.vcf"))
    assert vk.variants[["chrom", "pos", "vid", "gt"]].values.tolist() == [["chr16", 31096368, "rs9923231", "0/1"]]


def test_na12878_platinum_genomes():
    d = read_vcf(_shared("vcf_na12878/NA12878.genome_filtered.vcf"))
    v = d.variants
    assert len(v) == 15 and d.sample == "NA12878" and d.build == "GRCh38" and v["phased"].all()
    r = v.iloc[0]
    assert (r["chrom"], r["pos"], r["ref"], r["alt"], r["gt"]) == ("chr1", 97515839, "T", "C", "0|1")
    assert r["info"].startswith("metal=platinum;isaac2=HD:0,LOOHD:0") and r["info"].endswith("dist2closest=26")
    assert v.set_index("pos").loc[99672916, "gt"] == "1|1"
    d2 = read_vcf(_shared("vcf_na12878/NA12878.2c19_filtered.vcf"))
    assert len(d2.variants) == 50 and not d2.variants["phased"].any()
    assert (d2.variants["gt"] == "0/0").sum() == 37

"""The part of a VCF that Python reads itself: compression, the header, the genome build, gzip integrity.

The records are read by DuckDB (``workstation/ingest/vcf.py``); this module counts the header lines so DuckDB can
skip them (``skip=N, header=true``), collects the ``##`` meta lines and the sample names, works out the genome
build, and checks that a gzip/BGZF file is complete (DuckDB's gzip reader stops quietly at a truncated end, so a cut
file would otherwise import as a shorter one).
"""
from __future__ import annotations

import gzip
import io
import os
import re
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from workstation.errors import FormatNotRecognised, MalformedFile, UnknownSample

GZIP_MAGIC = b"\x1f\x8b"
FIXED_COLUMNS = ("#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO")
SUPPORTED_VERSIONS = ("4.1", "4.2", "4.3")

# chr1 length decides the build: GRCh38 248,956,422 bp; GRCh37 249,250,621 bp (NCBI assembly reports
# GCF_000001405.26 and GCF_000001405.13, chromosome 1 "Sequence-Length").
CHR1_LENGTH = {248956422: "GRCh38", 249250621: "GRCh37"}
_BUILD_WORDS = (
    ("GRCh38", re.compile(r"grch38|hg38|hs38|b38|gca_000001405\.15", re.I)),
    ("GRCh37", re.compile(r"grch37|hg19|hs37|b37|human_g1k_v37|gca_000001405\.1\b", re.I)),
)
_MAX_HEADER_LINES = 1_000_000
# Contig names that exist in one build only: GRCh37's unplaced scaffolds GL000xxx.1 (b37) / chrUn_gl000xxx (hg19)
# and the 1000 Genomes decoy hs37d5; GRCh38's KI270xxx / GL000xxx "v1" scaffolds and the decoy hs38d1 (NCBI
# assembly reports GCF_000001405.13 and .26, sequence names).
_CONTIG_NAMES = (
    ("GRCh38", re.compile(r"^(chrUn_|chr[0-9XY]+_)?(KI27\d{4}|GL00\d{4})v1(_random|_alt)?$|^hs38d1$", re.I)),
    ("GRCh37", re.compile(r"^(GL00\d{4}\.1|chrUn_gl00\d{4}|chr[0-9]+_gl00\d{4}_random|hs37d5|NC_007605)$", re.I)),
)


@dataclass
class VcfHeader:
    path: Path
    compressed: bool                  # gzip or BGZF
    bgzf: bool
    meta: list[str]                   # the '##' lines, without line ends
    columns: list[str]                # the '#CHROM' line split on tabs
    samples: list[str]
    version: str | None               # '4.2' from ##fileformat=VCFv4.2
    build: str | None
    build_evidence: str
    warnings: list[str] = field(default_factory=list)
    common_formats: list[str] = field(default_factory=list)   # FORMAT strings seen first (SQL speed hint)

    @property
    def n_header_lines(self) -> int:
        """Lines before the first record (the ## lines plus the #CHROM line)."""
        return len(self.meta) + 1

    @property
    def has_format(self) -> bool:
        return len(self.columns) > 8

    def sample_index(self, sample: str | None) -> int:
        """0-based index among the samples of the chosen sample; raises UnknownSample as the brief requires."""
        listed = ", ".join(self.samples) if self.samples else "none"
        if not self.samples:
            raise UnknownSample(str(self.path), "the file has no sample columns (a sites-only VCF), so it holds "
                                "no one's genotypes", line=self.n_header_lines, field="#CHROM")
        if sample is None:
            if len(self.samples) == 1:
                return 0
            raise UnknownSample(str(self.path), f"the file holds {len(self.samples)} samples ({listed}); choose "
                                "which one belongs to this patient", line=self.n_header_lines, field="#CHROM")
        if sample not in self.samples:
            raise UnknownSample(str(self.path), f"there is no sample named {sample!r} in the file; its samples "
                                f"are: {listed}", line=self.n_header_lines, field="#CHROM")
        return self.samples.index(sample)


def sniff_vcf(first_bytes: bytes) -> bool:
    """True if these first bytes of a file (plain, gzip or BGZF) start a VCF (``##fileformat=VCF``)."""
    data = first_bytes
    if data[:2] == GZIP_MAGIC:
        try:
            data = zlib.decompressobj(wbits=31).decompress(data, 256)
        except zlib.error:
            return False
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.startswith(b"##fileformat=VCF")


def is_gzip(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == GZIP_MAGIC


def open_text(path: Path, compressed: bool) -> io.TextIOBase:
    raw = gzip.open(path, "rb") if compressed else open(path, "rb")
    return io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline=None)


def read_header(path: Path | str) -> VcfHeader:
    """Read and check the header; raise FormatNotRecognised / MalformedFile naming the line."""
    path = Path(path)
    name = str(path)
    compressed = is_gzip(path)
    bgzf = compressed and _is_bgzf(path)
    meta: list[str] = []
    columns: list[str] | None = None
    formats: list[str] = []
    try:
        with open_text(path, compressed) as fh:
            for n, line in enumerate(fh, start=1):
                line = line.rstrip("\r\n")
                if n == 1:
                    line = line.lstrip("\ufeff")
                    if not line.startswith("##fileformat=VCF"):
                        raise FormatNotRecognised(name, "this is not a VCF file: it does not start with "
                                                  "'##fileformat=VCF'", line=1)
                if line.startswith("##"):
                    meta.append(line)
                elif line.startswith("#"):
                    columns = line.split("\t")
                    formats = _peek_formats(fh)
                    break
                else:
                    raise MalformedFile(name, "the column header line starting with '#CHROM' is missing before "
                                        "the first record", line=n, field="#CHROM")
                if n > _MAX_HEADER_LINES:
                    break
    except (EOFError, OSError, zlib.error) as exc:
        raise MalformedFile(name, f"the compressed file is damaged or cut short ({_plain(exc)})") from None
    if columns is None:
        raise MalformedFile(name, "the file ends before the column header line starting with '#CHROM'",
                            line=len(meta) + 1, field="#CHROM")
    _check_columns(name, columns, len(meta) + 1)
    version = _version(meta[0]) if meta else None
    build, evidence, warnings = detect_build(meta)
    if version not in SUPPORTED_VERSIONS:
        warnings.append(f"VCF version {version or 'unknown'} is outside the tested versions 4.1 to 4.3")
    return VcfHeader(path, compressed, bgzf, meta, columns, columns[9:], version, build, evidence, warnings,
                     formats)


def _peek_formats(fh, n: int = 2000, keep: int = 8) -> list[str]:
    """The most common FORMAT strings among the first ``n`` records (a speed hint for the SQL, never trusted)."""
    counts: dict[str, int] = {}
    try:
        for i, line in enumerate(fh):
            if i >= n:
                break
            parts = line.rstrip("\r\n").split("\t", 9)
            if len(parts) > 8:
                counts[parts[8]] = counts.get(parts[8], 0) + 1
    except (EOFError, OSError, zlib.error):
        pass        # a damaged file is reported by the integrity check and the reader
    return sorted(counts, key=lambda f: -counts[f])[:keep]


def _check_columns(name: str, columns: list[str], line: int) -> None:
    got = [c.strip() for c in columns[:8]]
    if len(columns) < 8 or [c.upper() for c in got] != list(FIXED_COLUMNS):
        raise MalformedFile(name, "the column header line must start with the eight columns "
                            + " ".join(FIXED_COLUMNS) + f" but has {' '.join(got) or 'nothing'}",
                            line=line, field="#CHROM")
    if len(columns) > 8 and columns[8].strip().upper() != "FORMAT":
        raise MalformedFile(name, f"the ninth column must be FORMAT but is {columns[8]!r}", line=line,
                            field="FORMAT")
    samples = columns[9:]
    if any(not s.strip() for s in samples):
        raise MalformedFile(name, "a sample column has an empty name", line=line, field="#CHROM")
    if len(set(samples)) != len(samples):
        dup = sorted({s for s in samples if samples.count(s) > 1})
        raise MalformedFile(name, f"the sample name {dup[0]!r} appears twice", line=line, field="#CHROM")


def _version(first: str) -> str | None:
    m = re.match(r"##fileformat=VCFv(\d+\.\d+)", first)
    return m.group(1) if m else None


def detect_build(meta: list[str]) -> tuple[str | None, str, list[str]]:
    """(build, evidence, warnings) from ##contig lengths, ##contig assembly=, ##assembly and ##reference."""
    votes: list[tuple[str, str]] = []
    for line in meta:
        if line.startswith("##contig=<"):
            m_id = re.search(r"[<,]ID=([^,>]+)", line)
            m_len = re.search(r"[<,]length=(\d+)", line)
            if m_id and m_len and m_id.group(1).lower().removeprefix("chr") == "1":
                b = CHR1_LENGTH.get(int(m_len.group(1)))
                if b:
                    votes.append((b, f"chr1 length {int(m_len.group(1)):,} in ##contig"))
            if m_id:
                for b, rx in _CONTIG_NAMES:
                    if rx.match(m_id.group(1)):
                        votes.append((b, f"contig {m_id.group(1)} exists only in {b}"))
                        break
            m_asm = re.search(r"[<,]assembly=([^,>]+)", line)
            if m_asm:
                b = _build_word(m_asm.group(1))
                if b:
                    votes.append((b, f"##contig assembly={m_asm.group(1).strip(chr(34))}"))
        elif line.startswith(("##reference=", "##assembly=")):
            b = _build_word(line.split("=", 1)[1])
            if b:
                votes.append((b, line[2:].split("=", 1)[0] + "=" + line.split("=", 1)[1][:60]))
    if not votes:
        return None, "the header names no genome build", []
    builds = {b for b, _ in votes}
    first = votes[0]
    if len(builds) > 1:
        return None, "; ".join(sorted({e for _, e in votes})), [
            "the header names conflicting genome builds (" + ", ".join(sorted(builds)) + ")"]
    return first[0], first[1], []


def _build_word(text: str) -> str | None:
    for build, rx in _BUILD_WORDS:
        if rx.search(text):
            return build
    return None


# -- gzip / BGZF integrity -------------------------------------------------------------------------------------
_BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")


def _is_bgzf(path: Path) -> bool:
    with open(path, "rb") as fh:
        head = fh.read(18)
    return len(head) == 18 and head[3] & 4 and head[12:14] == b"BC"


def check_gzip_complete(path: Path, *, bgzf: bool) -> None:
    """Raise MalformedFile if the gzip/BGZF file is cut short or damaged.

    BGZF: walk the block headers (each states its size) without decompressing, and require the end-of-file
    marker block. Other gzip: decompress the whole stream (all members) and require a proper end.
    """
    name = str(path)
    if bgzf:
        size = os.path.getsize(path)
        with open(path, "rb") as fh:
            off = 0
            last = b""
            while off < size:
                fh.seek(off)
                head = fh.read(12)
                if len(head) < 12 or head[:2] != GZIP_MAGIC or not head[3] & 4:
                    raise MalformedFile(name, f"the compressed file is damaged at byte {off:,} (a BGZF block "
                                        "does not start where expected)")
                xlen = struct.unpack("<H", head[10:12])[0]
                extra = fh.read(xlen)
                bsize = _bsize(extra)
                if bsize is None:
                    raise MalformedFile(name, f"the compressed file is damaged at byte {off:,} (BGZF block "
                                        "without its size field)")
                if off + bsize + 1 > size:
                    raise MalformedFile(name, "the compressed file is cut short: its last block is incomplete, "
                                        "so the end of the file is missing")
                if off + bsize + 1 == size:
                    fh.seek(off)
                    last = fh.read(bsize + 1)
                off += bsize + 1
        if last != _BGZF_EOF:
            raise MalformedFile(name, "the compressed file is cut short: it ends without the BGZF end-of-file "
                                "marker, so records may be missing (re-create it with bgzip)")
        return
    with open(path, "rb") as fh:
        d = zlib.decompressobj(wbits=31)
        in_member = False
        try:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                while chunk:                       # a gzip file may hold several members back to back
                    d.decompress(chunk)
                    in_member = True
                    if d.eof:
                        chunk = d.unused_data
                        d = zlib.decompressobj(wbits=31)
                        in_member = False
                    else:
                        chunk = b""
        except zlib.error as exc:
            raise MalformedFile(name, f"the compressed file is damaged ({_plain(exc)})") from None
    if in_member:
        raise MalformedFile(name, "the compressed file is cut short, so the end of the file is missing")


def _bsize(extra: bytes) -> int | None:
    i = 0
    while i + 4 <= len(extra):
        si1, si2, slen = extra[i], extra[i + 1], struct.unpack("<H", extra[i + 2:i + 4])[0]
        if si1 == 66 and si2 == 67 and slen == 2:
            return struct.unpack("<H", extra[i + 4:i + 6])[0]
        i += 4 + slen
    return None


def _plain(exc: BaseException) -> str:
    return str(exc).split("\n")[0] or type(exc).__name__

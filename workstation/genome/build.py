"""Which genome build a VCF is on, and the one sentence said when PGx calls cannot be made from it.

Evidence, strongest first: the header (``##reference``, ``##assembly``, ``##contig`` assembly=, chr1 length
249,250,621 GRCh37 vs 248,956,422 GRCh38, build-specific contig names such as ``GL000192.1``/``hs37d5`` or
``chrUn_KI270302v1``; read by ``workstation.ingest.vcf_header.detect_build``), then — when the header is silent —
the REF alleles of the records at known sites: the GRCh38 definition positions (resources/pgx/alleles.tsv) and their
GRCh37 positions (resources/genome/grch37_pgx_positions.tsv). Contig names alone (``1`` vs ``chr1``) are not
decisive: Ensembl GRCh38 files also write ``1``.
"""
from __future__ import annotations

from dataclasses import dataclass

GRCH38 = "GRCh38"
GRCH37 = "GRCh37"
BUILD_CHOICES = (GRCH38, GRCH37)


@dataclass(frozen=True)
class BuildCall:
    build: str | None               # 'GRCh38' | 'GRCh37' | None (unknown)
    evidence: str
    declared: bool = False          # the user stated the build (--build) rather than the file


def _compatible(a: str, b: str) -> bool:
    a, b = str(a).upper(), str(b).upper()
    return bool(a) and bool(b) and (a.startswith(b) or b.startswith(a))


def vote_known_sites(rows) -> BuildCall:
    """Build from REF alleles at known sites. ``rows``: iterable of (tag, ref, expected_ref) with tag '38' or '37'.

    A build is named only when at least 3 records agree with it and at least 90 % of the records at its sites do,
    and the other build's sites agree at most a third as often (random REF bases agree about a quarter of the time).
    """
    hit = {"38": 0, "37": 0}
    seen = {"38": 0, "37": 0}
    for tag, ref, expected in rows:
        seen[tag] += 1
        hit[tag] += _compatible(ref, expected)
    for tag, build, other in (("38", GRCH38, "37"), ("37", GRCH37, "38")):
        if hit[tag] >= 3 and hit[tag] >= 0.9 * seen[tag] and hit[other] * 3 <= hit[tag]:
            return BuildCall(build, f"REF alleles of {hit[tag]} of {seen[tag]} records at known {build} "
                                    "pharmacogene sites match that build")
    if seen["38"] + seen["37"] == 0:
        return BuildCall(None, "the header names no build and no record lies at a known pharmacogene site")
    return BuildCall(None, f"the header names no build and the REF alleles at known sites do not settle it "
                           f"({hit['38']} of {seen['38']} match GRCh38, {hit['37']} of {seen['37']} match GRCh37)")


def refusal(build: str | None, evidence: str, *, translated: bool = False) -> str | None:
    """The one sentence said instead of PGx calls, or None when calls may be made (GRCh38, or GRCh37 translated)."""
    if build == GRCH38 or (build == GRCH37 and translated):
        return None
    if build == GRCH37:
        return (f"This genome is on GRCh37/hg19 ({evidence}), so no pharmacogenomic calls are made from it: supply a "
                "GRCh38 file, or import it with the build choice GRCh37 (--build GRCh37) to translate the "
                "pharmacogene positions through the shipped position table (CYP2D6 excepted).")
    if build is None:
        return (f"The genome build of this file is unknown ({evidence}), so no pharmacogenomic calls are made from "
                "it: supply a file whose header names GRCh38 (##reference or ##contig lengths), or state the build "
                "the lab reports when importing (--build GRCh38 or --build GRCh37).")
    return (f"This genome is on {build}, which the pharmacogene definitions (GRCh38) do not cover, so no "
            "pharmacogenomic calls are made from it.")

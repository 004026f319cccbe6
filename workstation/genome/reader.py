"""The ONE genotype reader: genotypes at the definition positions, from a VCF file or from the store.

:func:`genotypes_at` runs the same SQL join for both (``pgx --vcf`` reads the file into an in-memory DuckDB first;
the store path joins the encrypted store's ``variants`` and ``ref_blocks`` tables), so the two cannot disagree:

* records whose (chrom, pos) is a wanted position (the PGx definition positions, their GRCh37 positions and any
  extra positions such as a polygenic score's) — an equi-join;
* reference blocks *covering* a wanted position (``start_pos <= pos <= end_pos``, not only starting at it) — a
  range join; a gVCF block, a callable-regions BED interval or an audited coverage assertion, each with its basis;
* then the build is settled (header, else REF alleles at known sites, see :mod:`workstation.genome.build`), and a
  GRCh37 genome is either refused (default) or translated through the position table (opt-in).

The result, a :class:`GenotypeTable`, is a plain genotype table (the ``variants`` / ``ref_blocks`` columns the PGx
caller takes) plus the build, the refusal sentence and the coverage kind.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import pandas as pd

from workstation.genome import build as gb
from workstation.genome.positions import TRANSLATION_LABEL, by_pos37, site_pairs

VARIANT_COLS = ["chrom", "pos", "ref", "alt", "gt", "phased", "ps", "source_id"]
BLOCK_COLS = ["chrom", "start_pos", "end_pos", "basis", "source_id"]
BASIS_OF_KIND = {"vcf": "gvcf", "callable-bed": "bed", "coverage-assertion": "assertion"}
VARIANT_ONLY_SENTENCE = (
    "{name} looks variant-only (no 0/0 records and no reference blocks), so positions it does not list are missing, "
    "not reference, and gene calls from it are incomplete: supply a gVCF, the lab's callable-regions BED "
    "(import --callable-bed FILE), or record that the assay covered the positions (workstation assert-coverage).")


@dataclass(frozen=True)
class GenotypeTable:
    variants: pd.DataFrame                 # VARIANT_COLS, GRCh38 coordinates, only at wanted positions
    ref_blocks: pd.DataFrame               # BLOCK_COLS: one row per wanted position a block covers (start = end)
    build: gb.BuildCall
    translated_from: str | None = None     # 'GRCh37' when translated through the position table
    refusal: str | None = None             # one sentence: no PGx calls (build unknown / GRCh37 without opt-in)
    coverage: str = "unknown"              # gvcf | all-sites | variant-only | none
    notes: tuple[str, ...] = ()
    assumed: tuple[str, ...] = field(default=())   # provenance of BED / assertion coverage used

    @property
    def label(self) -> str | None:
        return TRANSLATION_LABEL if self.translated_from else None


@lru_cache(maxsize=8)
def _wanted(extra: tuple[tuple[str, int], ...] = ()) -> pd.DataFrame:
    from workstation.pgx.tables import gene_definitions

    rows = {}
    for g in gene_definitions().values():
        for lc in g.loci:
            rows[(g.chrom, lc.pos, "38")] = lc.ref
    for s in site_pairs():
        rows.setdefault((s.chrom, s.pos37, "37"), s.ref37)
    for c, p in extra:
        rows.setdefault((str(c), int(p), "38"), "")
    return pd.DataFrame([(c, p, t, r) for (c, p, t), r in rows.items()],
                        columns=["chrom", "pos", "tag", "expected_ref"])


def _want_sql() -> str:
    return ("(SELECT unnest(?::VARCHAR[]) AS chrom, unnest(?::BIGINT[]) AS pos, unnest(?::VARCHAR[]) AS tag, "
            "unnest(?::VARCHAR[]) AS expected_ref)")


def _want_params(w: pd.DataFrame) -> list:
    return [w["chrom"].tolist(), w["pos"].astype(int).tolist(), w["tag"].tolist(), w["expected_ref"].tolist()]


def genotypes_at(con, variants_sql: str, blocks_sql: str, params: list, *, header_build: gb.BuildCall,
                 translate: bool = False, extra_positions: Iterable[tuple[str, int]] = (),
                 name: str = "the genome") -> GenotypeTable:
    """The shared join. ``variants_sql`` yields VARIANT_COLS (chrom normalised to 'chrN'); ``blocks_sql`` yields
    chrom, start_pos, end_pos, basis, source_id; both take ``params`` (once each, in that order)."""
    w = _wanted(tuple(sorted(set((str(c), int(p)) for c, p in extra_positions))))
    wp = _want_params(w)
    # An integer semi-join on pos first (cheap over millions of rows: no string hashing), then the exact
    # (chrom, pos) join on the few thousand rows left.
    rec = con.execute(f"""
        WITH v AS (SELECT * FROM ({variants_sql}) v0 WHERE v0.pos IN (SELECT unnest(?::BIGINT[])))
        SELECT v.chrom, v.pos, v.ref, v.alt, v.gt, v.phased, v.ps, v.source_id, w.tag, w.expected_ref
        FROM v JOIN {_want_sql()} w ON v.chrom = w.chrom AND v.pos = w.pos""",
                      list(params) + [sorted(set(wp[1]))] + wp).df()
    blk = con.execute(f"""
        SELECT w.chrom, w.pos AS start_pos, w.pos AS end_pos, b.basis, b.source_id, w.tag
        FROM ({blocks_sql}) b JOIN {_want_sql()} w
          ON b.chrom = w.chrom AND w.pos >= b.start_pos AND w.pos <= b.end_pos""", list(params) + wp).df()
    build = header_build
    known = rec[rec["expected_ref"] != ""]              # a score's extra positions are no known sites
    if build.build is None and not build.declared:
        build = gb.vote_known_sites(zip(known["tag"], known["ref"], known["expected_ref"]))
    elif build.declared and build.build is not None:    # a stated build is checked against the REF alleles too
        vote = gb.vote_known_sites(zip(known["tag"], known["ref"], known["expected_ref"]))
        if vote.build is not None and vote.build != build.build:
            build = gb.BuildCall(None, f"stated as {build.build}, but {vote.evidence}", declared=True)
    coverage = _coverage(rec, blk)
    notes = []
    if coverage == "variant-only":
        notes.append(VARIANT_ONLY_SENTENCE.format(name=name))
    assumed = tuple(sorted(set(blk.loc[blk["basis"].isin(["bed", "assertion"]), "basis"])))
    translated = build.build == gb.GRCH37 and translate
    refusal = gb.refusal(build.build, build.evidence, translated=translated)
    if refusal:
        return GenotypeTable(_empty(VARIANT_COLS), _empty(BLOCK_COLS), build, None, refusal, coverage,
                             tuple(notes), assumed)
    if translated:
        v, b, more = translate_37(rec[rec["tag"] == "37"], blk[blk["tag"] == "37"])
        notes += more
        return GenotypeTable(v, b, build, gb.GRCH37, None, coverage, tuple(notes), assumed)
    v = rec[rec["tag"] == "38"][VARIANT_COLS].drop_duplicates().sort_values(["chrom", "pos"], kind="stable")
    b = blk[blk["tag"] == "38"][BLOCK_COLS].drop_duplicates()
    return GenotypeTable(v.reset_index(drop=True), b.reset_index(drop=True), build, None, None, coverage,
                         tuple(notes), assumed)


def _coverage(rec: pd.DataFrame, blk: pd.DataFrame) -> str:
    if len(blk[blk["basis"] == "gvcf"]):
        return "gvcf"
    if len(rec) == 0:
        return "none"
    homref = rec["gt"].fillna("").str.fullmatch(r"0([/|]0)*")
    return "all-sites" if homref.any() else "variant-only"


def _empty(cols) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})


def translate_37(rec: pd.DataFrame, blk: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """GRCh37 records / block coverage at table positions -> GRCh38 positions and alleles.

    Where the reference base is the same in both builds only the position moves. Where it differs (three sites)
    the alleles are re-expressed against the GRCh38 reference: a GRCh37 ``0/0`` (or a block) there is a homozygous
    GRCh38 ALT, written as a record ``REF=GRCh38 base, ALT=GRCh37 base, GT=1/1``.
    """
    sites = by_pos37()
    out, blocks = [], []
    for r in rec.itertuples(index=False):
        s = sites.get((r.chrom, int(r.pos)))
        if s is None:
            continue
        ref, alts = str(r.ref), [a for a in str(r.alt or ".").split(",") if a != "."]
        if not s.ref_differs or not gb._compatible(ref, s.ref37) or len(ref) != 1:
            out.append((s.chrom, s.pos38, ref, r.alt, r.gt, r.phased, r.ps, r.source_id))
            continue
        seq = [ref] + alts
        new = [s.ref38] + [a for a in dict.fromkeys(seq) if a != s.ref38]
        gt = str(r.gt or ".")
        sep = "|" if "|" in gt else "/"
        parts = gt.replace("|", "/").split("/")
        try:
            idx = [new.index(seq[int(p)]) if p not in (".", "") else "." for p in parts]
        except (ValueError, IndexError):
            out.append((s.chrom, s.pos38, ref, r.alt, r.gt, r.phased, r.ps, r.source_id))
            continue
        out.append((s.chrom, s.pos38, s.ref38, ",".join(new[1:]) or ".", sep.join(str(i) for i in idx), r.phased,
                    r.ps, r.source_id))
    for b in blk.itertuples(index=False):
        s = sites.get((b.chrom, int(b.start_pos)))
        if s is None:
            continue
        if s.ref_differs:
            out.append((s.chrom, s.pos38, s.ref38, s.ref37, "1/1", False, None, b.source_id))
        else:
            blocks.append((s.chrom, s.pos38, s.pos38, b.basis, b.source_id))
    v = pd.DataFrame(out, columns=VARIANT_COLS).sort_values(["chrom", "pos"], kind="stable").reset_index(drop=True)
    notes = [f"genotypes {TRANSLATION_LABEL}: {len(v) + len(blocks)} GRCh37 calls moved to GRCh38 positions; "
             "positions the table does not list stay missing"]
    return v, pd.DataFrame(blocks, columns=BLOCK_COLS), notes


# -- the two sources --------------------------------------------------------------------------------------------
def from_file(path: str | Path, *, sample: str | None = None, build: str | None = None,
              extra_positions: Iterable[tuple[str, int]] = ()) -> GenotypeTable:
    """Genotypes at the wanted positions of one sample of a VCF, nothing stored (``pgx --vcf``).

    ``build``: the build the user states (``'GRCh37'`` opts in to translation; ``'GRCh38'`` asserts GRCh38 for a
    file whose header is silent). Raises the VCF reader's user errors for a bad file."""
    import duckdb

    from workstation.ingest.vcf import _gzip_check, _run, _first_problem
    from workstation.ingest.vcf_header import read_header
    from workstation.ingest.vcf_sql import parsed_sql, ref_blocks_sql

    h = read_header(path)
    idx = h.sample_index(sample)
    extra = list(extra_positions)
    w = _wanted(tuple(sorted(set((str(c), int(p)) for c, p in extra))))
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False,
                                             "autoload_known_extensions": False})
    try:
        con.execute("SET disabled_optimizers = 'build_side_probe_side'")
        con.register("_want_df", w[["chrom", "pos"]].drop_duplicates())
        con.execute("CREATE TEMP TABLE _want AS SELECT chrom::VARCHAR AS chrom, pos::BIGINT AS pos FROM _want_df")
        con.unregister("_want_df")
        with _gzip_check(h):
            parsed = parsed_sql(h, idx, positions_table="_want", keep_blocks=True)
            _run(con, h, f"CREATE TEMP TABLE _rows AS {parsed}")
            if con.execute("SELECT 1 FROM _rows WHERE problem IS NOT NULL LIMIT 1").fetchone():
                raise _first_problem(con, h, parsed_sql(h, idx, positions_table="_want", keep_blocks=True,
                                                        with_rn=True))
        hb = header_build_call(h.build, h.build_evidence, build)
        return genotypes_at(con, "SELECT chrom, pos, ref, alt, gt, phased, ps, NULL::BIGINT AS source_id "
                                 "FROM _rows WHERE pos IS NOT NULL",
                            "SELECT chrom, start_pos, end_pos, 'gvcf' AS basis, NULL::BIGINT AS source_id FROM ("
                            + ref_blocks_sql("SELECT * FROM _rows") + ")", [],
                            header_build=hb, translate=(build == gb.GRCH37 and hb.build == gb.GRCH37),
                            extra_positions=extra, name=Path(path).name)
    finally:
        con.close()


def header_build_call(header_build: str | None, evidence: str, declared: str | None) -> gb.BuildCall:
    """The header's build, or the user's stated build (which may only confirm, never contradict, the header)."""
    from workstation.errors import UnsupportedBuild

    if declared is None:
        return gb.BuildCall(header_build, evidence if header_build else "")
    if declared not in gb.BUILD_CHOICES:
        raise UnsupportedBuild("--build", f"the build {declared!r} is not one of {', '.join(gb.BUILD_CHOICES)}")
    if header_build is not None and header_build != declared:
        raise UnsupportedBuild("--build", f"the file says {header_build} ({evidence}), not {declared}; the stated "
                               "build must agree with the file")
    if header_build is not None:
        return gb.BuildCall(header_build, evidence)
    return gb.BuildCall(declared, f"stated as {declared} by the user", declared=True)


def vcf_sources(store, patient_id: str) -> list[dict]:
    rows = store.con.execute("SELECT id, file_name, kind, details FROM sources WHERE patient_id = ? AND kind IN "
                             "('vcf', 'callable-bed', 'coverage-assertion', 'build-choice') ORDER BY imported_at, id",
                             [patient_id]).fetchall()
    out = []
    for sid, fname, kind, details in rows:
        try:
            d = json.loads(details) if isinstance(details, str) else {}
        except ValueError:
            d = {}
        out.append({"id": int(sid), "file": fname, "kind": kind, "details": d})
    return out


def from_store(store, patient_id: str, *, extra_positions: Iterable[tuple[str, int]] = ()) -> GenotypeTable:
    """The same join against the store: a stored patient's genotypes at the wanted positions."""
    srcs = vcf_sources(store, patient_id)
    vcfs = [s for s in srcs if s["kind"] == "vcf"]
    for c in (s for s in srcs if s["kind"] == "build-choice"):     # a build stated after the import
        for v in vcfs:
            if v["id"] == c["details"].get("vcf_source_id"):
                b = c["details"].get("build_choice")
                v["details"] = {**v["details"], "build_choice": b}
                if v["details"].get("build") is None:
                    v["details"].update(build=b, build_declared=True,
                                        build_evidence=f"stated as {b} by the user")
    builds = {s["details"].get("build") for s in vcfs}
    choice = {s["details"].get("build_choice") for s in vcfs} - {None}
    if len(builds) > 1:
        hb = gb.BuildCall(None, "the patient's VCF files are on different builds ("
                          + ", ".join(sorted(str(b) for b in builds)) + ")", declared=True)
    elif vcfs:
        d = vcfs[0]["details"]
        hb = gb.BuildCall(d.get("build"), d.get("build_evidence") or "", declared=bool(d.get("build_declared")))
    else:                                  # no genome on record: nothing to call from, nothing to refuse
        return GenotypeTable(_empty(VARIANT_COLS), _empty(BLOCK_COLS), gb.BuildCall(None, "no genome on record"),
                             None, None, "none")
    name = vcfs[0]["file"] if len(vcfs) == 1 else "the patient's genome"
    return genotypes_at(
        store.con,
        "SELECT chrom, pos, ref, alt, gt, phased, ps, source_id FROM variants WHERE patient_id = ?",
        "SELECT b.chrom, b.start_pos, b.end_pos, CASE s.kind WHEN 'callable-bed' THEN 'bed' "
        "WHEN 'coverage-assertion' THEN 'assertion' ELSE 'gvcf' END AS basis, b.source_id "
        "FROM ref_blocks b LEFT JOIN sources s ON s.id = b.source_id WHERE b.patient_id = ?",
        [patient_id], header_build=hb, translate=(gb.GRCH37 in choice), extra_positions=extra_positions,
        name=name)

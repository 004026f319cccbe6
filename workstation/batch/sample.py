"""The pure per-sample function: one sample's genotype table in, gene calls + CPIC recommendations + scores out.

``analyse_sample(sample_id, variants, ...)`` takes a plain frame with the ``variants`` columns the PGx caller
reads (chrom, pos, ref, alt, gt, phased, ps; more columns are carried along) at the pharmacogene (and polygenic
score) positions, optional gVCF reference blocks, optional outside calls (``GeneCall`` list, as
``pgx.read_outside_calls`` returns) and the sample's sex. It does not care how the table was read (one VCF, a joint
VCF, the store), opens no file and keeps no state except the caches below.

Calls come from :func:`workstation.pgx.caller.call_genotypes` and recommendations from
:func:`workstation.pgx.guidance.guidance`, so a batch result equals ``workstation pgx --vcf`` for the same genotypes.

**Per-gene cache** (same results, less work): a gene's call depends only on the sample's rows at that gene's
defining positions (``genotype.py`` builds each gene from its own loci), so a cohort where many samples share a
gene's genotypes computes each distinct pattern once, by calling ``call_genotypes`` on just the rows of the genes
not yet seen. The key is every column of those rows. Samples with reference blocks or outside calls bypass the
cache. ``tests/core/test_batch_sample.py`` checks cached == uncached == ``call_genotypes`` on every test VCF.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from workstation.batch.records import gene_row, recommendation_row, score_row
from workstation.pgx.caller import call_genotypes
from workstation.pgx.guidance import guidance
from workstation.pgx.model import PgxResult, Recommendation
from workstation.pgx.tables import gene_definitions

SEX_VALUES = {"male": "male", "m": "male", "female": "female", "f": "female", "unknown": None, "": None}
X_CHROMS = ("chrX", "X")
_CACHE_MAX = 50_000            # gene-call patterns kept per process (a few KB each)
_VARIANT_COLS = ["chrom", "pos", "ref", "alt", "gt", "phased", "ps"]


@dataclass
class SampleRecords:
    """What one sample gives: the result objects (for presenters) and the plain rows (for tables)."""

    sample_id: str
    result: PgxResult
    recommendations: list[Recommendation]
    genes: list[dict]
    recommendation_rows: list[dict]
    scores: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def normalise_sex(value) -> str | None:
    """'male' | 'female' | None (unknown); raises ValueError naming the accepted words."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    key = str(value).strip().lower()
    if key not in SEX_VALUES:
        raise ValueError(f"sex {value!r} is not one of male, female, M, F, unknown or empty")
    return SEX_VALUES[key]


@lru_cache(maxsize=1)
def _position_genes() -> dict[tuple[str, int], tuple[str, ...]]:
    out: dict[tuple[str, int], list[str]] = {}
    for g, gdef in gene_definitions().items():
        for lc in gdef.loci:
            out.setdefault((gdef.chrom, lc.pos), []).append(g)
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=4)
def _template(build: str | None) -> PgxResult:
    """Calls for a sample with no genotypes: the gene order and the outside-only placeholders."""
    return call_genotypes(pd.DataFrame(columns=_VARIANT_COLS), None, [], build=build)


_gene_cache: dict[tuple, object] = {}
_rec_cache: dict[tuple, tuple[list[Recommendation], list[dict]]] = {}


def clear_caches() -> None:
    _gene_cache.clear()
    _rec_cache.clear()
    _score_cache.clear()
    _row_cache.clear()


def _chrom_norm(c: str) -> str:
    return c if c.startswith("chr") else "chr" + c


def apply_sex(variants: pd.DataFrame, sex: str | None) -> tuple[pd.DataFrame, list[str]]:
    """A male has one X: a homozygous diploid call on chrX (as many callers write it) is read as one allele; a
    heterozygous call there cannot be one allele and becomes a no-call (missing, never reference), with a note.
    Female or unknown sex leaves the table as it is (a haploid chrX call in a female sample is noted)."""
    if variants is None or len(variants) == 0 or "gt" not in variants:
        return variants, []
    onx = variants["chrom"].astype(str).isin(X_CHROMS)
    if not onx.any():
        return variants, []
    notes: list[str] = []
    gts = variants.loc[onx, "gt"].astype(str)
    parts = gts.str.split(r"[/|]", regex=True)
    if sex == "male":
        diploid = parts.str.len() == 2
        hom = diploid & (parts.str[0] == parts.str[1]) & (parts.str[0] != ".")
        het = diploid & ~hom
        v = variants.copy()
        idx_hom, idx_het = gts.index[hom], gts.index[het]
        v.loc[idx_hom, "gt"] = parts[hom].str[0]
        if len(idx_het):
            v.loc[idx_het, "gt"] = "."
            notes.append(f"{len(idx_het)} heterozygous chrX call(s) in a male sample were read as no-calls "
                         "(one X: a heterozygous call there is not a genotype)")
        return v, notes
    if sex == "female" and (parts.str.len() == 1).any():
        notes.append("haploid chrX call(s) in a sample recorded as female were used as written")
    return variants, notes


def _gene_keys(v: pd.DataFrame) -> tuple[dict[str, tuple], dict[str, list[int]]]:
    pg = _position_genes()
    columns = []
    for c in v.columns:
        col = v[c]
        vals = col.tolist()
        if col.isna().any():                     # NaN / NA / None all read as None (only where there are any)
            vals = [_plain(x) for x in vals]
        columns.append(vals)
    tuples = list(zip(*columns)) if columns else []
    rows_of: dict[str, list[int]] = {}
    for i, (c, p) in enumerate(zip(v["chrom"].tolist(), v["pos"].tolist())):
        for g in pg.get((_chrom_norm(str(c)), int(p)), ()):
            rows_of.setdefault(g, []).append(i)
    keys = {g: tuple(tuples[i] for i in rows_of.get(g, ())) for g in gene_definitions()}
    return keys, rows_of


def _plain(x):
    """A hashable, comparable cell value (NaN / NA / None all read as None)."""
    if x is None or x is pd.NA or (isinstance(x, float) and x != x):
        return None
    return x


def _hashable(t: tuple) -> tuple:
    return tuple(_plain(x) for x in t)


def _as_objects(v: pd.DataFrame) -> pd.DataFrame:
    """Text columns as plain Python objects: the caller walks rows one by one, and pandas' string arrays box
    every element on access (several times slower)."""
    conv = {c: object for c in v.columns if v[c].dtype != object and not pd.api.types.is_numeric_dtype(v[c])
            and not pd.api.types.is_bool_dtype(v[c])}
    return v.astype(conv) if conv else v


def _cached_calls(v: pd.DataFrame, build: str | None) -> tuple[PgxResult, tuple]:
    keys, rows_of = _gene_keys(v)
    miss = [g for g in keys if (g, build, keys[g]) not in _gene_cache]
    if miss:
        idx = sorted({i for g in miss for i in rows_of.get(g, ())})
        part = call_genotypes(v.iloc[idx], None, [], build=build)
        if len(_gene_cache) > _CACHE_MAX:
            _gene_cache.clear()
        for g in miss:
            _gene_cache[(g, build, keys[g])] = part.genes[g]
    tpl = _template(build)
    genes = {g: (_gene_cache[(g, build, keys[g])] if g in keys else c) for g, c in tpl.genes.items()}
    return dataclasses.replace(tpl, genes=genes), keys


@lru_cache(maxsize=1)
def _drug_groups() -> tuple[tuple[tuple[str, ...], frozenset[str]], ...]:
    """Genes joined by a CPIC drug (one drug's recommendation reads only its genes' calls), with their drugs.

    Recommendations are cached per group: a sample whose CYP2C19 pattern was seen before reuses the
    clopidogrel, voriconazole, ... recommendations whatever its other genes are."""
    from workstation.pgx.tables import algorithm_dosing, drugs, recommendations

    genes_of: dict[str, set[str]] = {d: {g for g in row["genes"].split(";") if g} for d, row in drugs().items()}
    for r in recommendations():
        genes_of.setdefault(r["drug"], set()).update(g for g in (r["gene1"], r["gene2"]) if g)
    for d, row in algorithm_dosing().items():
        genes_of.setdefault(d, set()).update(g for g in row["genes"].split(";") if g)
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            x = parent[x]
        return x

    for d, gs in genes_of.items():
        gs_l = sorted(gs) or [f"drug:{d}"]
        for g in gs_l[1:]:
            parent[root(g)] = root(gs_l[0])
        root(gs_l[0])
    groups: dict[str, tuple[set[str], set[str]]] = {}
    for d, gs in genes_of.items():
        r = root(sorted(gs)[0] if gs else f"drug:{d}")
        groups.setdefault(r, (set(), set()))
        groups[r][1].add(d)
    for g in parent:
        if not g.startswith("drug:"):
            groups.setdefault(root(g), (set(), set()))[0].add(g)
    return tuple((tuple(sorted(gs)), frozenset(ds)) for gs, ds in groups.values())


def _group_recommendations(part: PgxResult, group_drugs: frozenset[str]) -> list[Recommendation]:
    """What ``guidance(part)`` recommends for these drugs: drug by drug, as ``all_recommendations`` does it (its
    per-drug step), or, should that step not be there, the whole list filtered (slower, same result)."""
    import importlib

    g = importlib.import_module("workstation.pgx.guidance")   # the module (the package exports a function so named)

    per_drug, algorithm = getattr(g, "_drug_recs", None), getattr(g, "_algorithm_recs", None)
    if per_drug is None or algorithm is None:
        return [r for r in guidance(part, None)[1] if r.drug in group_drugs]
    out: list[Recommendation] = []
    for d in sorted(group_drugs):
        out.extend(per_drug(d, part, None) or algorithm(d, part))
    return out


def _cached_recommendations(result: PgxResult, keys: dict[str, tuple],
                            build: str | None) -> tuple[list[Recommendation], list[dict]]:
    """``guidance(result)``'s recommendations, assembled from per-drug-group caches (same list, same order)."""
    from workstation.pgx.tables import drugs

    by_drug: dict[str, list[tuple[Recommendation, dict]]] = {}
    for genes, group_drugs in _drug_groups():
        key = (build, genes, tuple(keys.get(g, "-") for g in genes))
        hit = _rec_cache.get(key)
        if hit is None:
            part = dataclasses.replace(result, genes={g: c for g, c in result.genes.items() if g in genes})
            hit = {}
            for r in _group_recommendations(part, group_drugs):
                hit.setdefault(r.drug, []).append((r, recommendation_row("", r)))
            if len(_rec_cache) > _CACHE_MAX:
                _rec_cache.clear()
            _rec_cache[key] = hit
        by_drug.update(hit)
    pairs = [p for d in sorted(drugs()) for p in by_drug.get(d, ())]
    return [p[0] for p in pairs], [p[1] for p in pairs]


_row_cache: dict[int, tuple[object, dict]] = {}


def _gene_row_of(call) -> dict:
    """gene_row of a call, kept per call object (the cached calls are shared by many samples)."""
    hit = _row_cache.get(id(call))
    if hit is not None and hit[0] is call:
        return hit[1]
    row = gene_row("", call)
    if len(_row_cache) > _CACHE_MAX:
        _row_cache.clear()
    _row_cache[id(call)] = (call, row)       # holds the call, so its id is not reused while cached
    return row


def analyse_sample(sample_id: str, variants: pd.DataFrame, *, ref_blocks: pd.DataFrame | None = None,
                   outside_calls: list | None = None, sex: str | None = None, build: str | None = "GRCh38",
                   scores: bool = True, cache: bool = True, translated_from: str | None = None,
                   refusal: str | None = None, notes: tuple[str, ...] = ()) -> SampleRecords:
    """Gene calls, CPIC recommendations (every level A/B drug with a result) and, with ``scores``, every polygenic
    score whose positions the table can hold (a score with too few of its variants called is a refusal with the
    reason, never a guess). Pure: same inputs, same records."""
    sex = normalise_sex(sex)
    v = variants if variants is not None else pd.DataFrame(columns=_VARIANT_COLS)
    v, sex_notes = apply_sex(_as_objects(v.reset_index(drop=True)), sex)
    direct = (not cache or bool(outside_calls) or (ref_blocks is not None and len(ref_blocks) > 0)
              or bool(translated_from or refusal or notes))
    if direct:
        result = call_genotypes(v, ref_blocks, list(outside_calls or []), build=build,
                                translated_from=translated_from, refusal=refusal, notes=tuple(notes))
        recs = guidance(result, None)[1]
        rrows = [recommendation_row(sample_id, r) for r in recs]
    else:
        result, keys = _cached_calls(v, build)
        recs, rrows = _cached_recommendations(result, keys, build)
        rrows = [{**r, "sample_id": sample_id} for r in rrows]
    grows = [{**_gene_row_of(c), "sample_id": sample_id} for c in result.genes.values()]
    srows = polygenic_scores(sample_id, v) if scores else []
    return SampleRecords(sample_id, result, recs, grows, rrows, srows, sex_notes)


def analyse_table(sample_id: str, table, **kw) -> SampleRecords:
    """:func:`analyse_sample` on a :class:`workstation.genome.reader.GenotypeTable` (its build, translation,
    refusal and notes), as ``pgx.call_table`` reads one."""
    return analyse_sample(sample_id, table.variants, ref_blocks=table.ref_blocks,
                          build="GRCh38" if table.refusal is None else table.build.build,
                          translated_from=table.translated_from, refusal=table.refusal, notes=table.notes, **kw)


def polygenic_scores(sample_id: str, variants: pd.DataFrame) -> list[dict]:
    """One row per polygenic-score model of the registry (``kind == 'prs'``), scored from the table's genotypes
    (workstation.models.prs_match: pgsc_calc matching rules, missing is not reference)."""
    from workstation.models import prs_match
    from workstation.models.registry import get_registry

    reg = get_registry()
    out = []
    v = variants
    if len(v):
        v = v.assign(chrom=v["chrom"].astype(str).map(_chrom_norm))
        v = v[[(c, int(p)) in _score_position_set() for c, p in zip(v["chrom"], v["pos"])]]
    key = tuple(_hashable(t) for t in v.itertuples(index=False, name=None))   # same rows, same scores
    rows = _score_cache.get(key)
    if rows is None:
        rows = []
        for mid in prs_model_ids():
            card = reg.card(mid)
            d, _src, notes = prs_match.dosages(v, card["variants"])
            rows.append(score_row("", reg.score(mid, d, explain=False), notes))
        if len(_score_cache) > _CACHE_MAX // 10:
            _score_cache.clear()
        _score_cache[key] = rows
    return [{**r, "sample_id": sample_id} for r in rows]


_score_cache: dict[tuple, list[dict]] = {}


@lru_cache(maxsize=1)
def _score_position_set() -> frozenset[tuple[str, int]]:
    return frozenset(score_positions())


@lru_cache(maxsize=1)
def prs_model_ids() -> tuple[str, ...]:
    from workstation.models.registry import get_registry

    reg = get_registry()
    return tuple(sorted(m for m in reg.ids() if reg.card(m).get("kind") == "prs"))


def score_positions() -> tuple[tuple[str, int], ...]:
    """(chrom, pos) of every polygenic-score variant, to read beside the PGx positions."""
    from workstation.models.registry import get_registry

    reg = get_registry()
    out = {(r["chrom"], int(r["pos"])) for m in prs_model_ids() for r in reg.card(m)["variants"]}
    return tuple(sorted(out))


def batch_positions() -> tuple[tuple[str, int], ...]:
    """Every position the per-sample function reads: PGx defining positions and polygenic-score variants."""
    from workstation.pgx.genotype import definition_positions

    return tuple(sorted(set(definition_positions()) | set(score_positions())))

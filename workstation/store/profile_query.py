"""Assemble a :class:`~workstation.profile.PatientProfile` from the store (read-only queries).

The genome never comes into the profile whole: the genotypes the core needs are read at their positions by the
shared genotype reader (:func:`workstation.genome.reader.from_store`, a SQL join of ``variants`` and ``ref_blocks``
against the definition positions), and the rest is summarised (:func:`variant_summary`). The Variants view pages
through the store with ``workstation.store.queries.variants_page``.
"""
from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache

from workstation.profile import FRAME_TABLES, PatientProfile


def load_profile(store, patient_id: str) -> PatientProfile:
    from workstation.genome.reader import from_store

    patient = store.patient(patient_id)
    con = store.con
    frames = {}
    for t in FRAME_TABLES:
        frames[t] = con.execute(f"SELECT * FROM {t} WHERE patient_id = ?", [patient_id]).df()
    frames["sources"] = con.execute("SELECT * FROM sources WHERE patient_id = ? ORDER BY imported_at",
                                    [patient_id]).df()
    wear = con.execute("""
        SELECT metric, CAST(date_trunc('day', start_utc) AS DATE) AS day, count(*) AS n,
               avg(value) AS mean, min(value) AS min, max(value) AS max, sum(value) AS total, any_value(unit) AS unit
        FROM wearable_samples WHERE patient_id = ? GROUP BY ALL ORDER BY metric, day""", [patient_id]).df()
    from workstation.family.store import current as current_family

    table = from_store(store, patient_id, extra_positions=score_positions())
    family, family_version = current_family(store, patient_id)
    return PatientProfile(patient=patient, wearable_summary=wear, as_of=datetime.now(),
                          version=store.data_version(patient_id), family=family, family_version=family_version,
                          variants=table.variants, ref_blocks=table.ref_blocks, genotypes=table,
                          variant_summary=variant_summary(store, patient_id, table), **frames)


@lru_cache(maxsize=1)
def score_positions() -> tuple[tuple[str, int], ...]:
    """GRCh38 positions of every polygenic score's variants (model cards), read with the PGx positions."""
    try:
        from workstation.models.registry import get_registry

        reg = get_registry()
        out = set()
        for mid in reg.ids() if hasattr(reg, "ids") else []:
            card = reg.card(mid)
            if card.get("kind") == "prs":
                out.update((str(v["chrom"]), int(v["pos"])) for v in card.get("variants", []))
        return tuple(sorted(out))
    except Exception:      # no model folder (a bare test store): the PGx positions alone
        return ()


def variant_summary(store, patient_id: str, table=None) -> dict:
    """Counts, build and coverage of the patient's genome, from the import provenance (no scan of the genome).

    ``{"variants": n, "ref_blocks": n, "build": str|None, "translated_from": str|None, "coverage": kind,
    "sources": [{"id", "file", "kind", "counts", "build", "coverage"}], "refusal": sentence|None,
    "notes": [...]}``; coverage kind: gvcf | all-sites | variant-only | none (what the reader found at the
    definition positions) and, per source, what the importer found in the whole file.
    """
    rows = store.con.execute("SELECT id, file_name, kind, counts, details FROM sources WHERE patient_id = ? AND kind "
                             "IN ('vcf', 'callable-bed', 'coverage-assertion') ORDER BY imported_at, id",
                             [patient_id]).fetchall()
    srcs, n_var, n_blk = [], 0, 0
    for sid, fname, kind, counts, details in rows:
        c = _json(counts)
        d = _json(details)
        n_var += int(c.get("variants", 0) or 0)
        n_blk += int(c.get("ref_blocks", 0) or 0)
        srcs.append({"id": int(sid), "file": fname, "kind": kind, "counts": c, "build": d.get("build"),
                     "coverage": d.get("coverage"), "build_choice": d.get("build_choice")})
    out = {"variants": n_var, "ref_blocks": n_blk, "sources": srcs,
           "build": None, "translated_from": None, "coverage": "none", "refusal": None, "notes": []}
    if table is not None:
        out.update(build=table.build.build, build_evidence=table.build.evidence,
                   translated_from=table.translated_from, coverage=table.coverage, refusal=table.refusal,
                   notes=list(table.notes))
    return out


def _json(text) -> dict:
    try:
        v = json.loads(text) if isinstance(text, str) else {}
        return v if isinstance(v, dict) else {}
    except ValueError:
        return {}

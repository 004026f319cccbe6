"""Gene results -> CPIC recommendations for level A/B drugs, and alerts for the patient's medicines.

Recommendations come only from resources/pgx/recommendations.tsv (CPIC, each row cited). A CPIC row is looked up by
phenotype, activity score (CYP2C9 for phenytoin) or allele status (HLA-A/HLA-B ``*57:01 positive``); ``None`` is
CPIC's row for "no result for this gene". Rows CPIC splits by population or indication stay separate
recommendations. Every Recommendation and Alert carries a :class:`~workstation.levels.Level`:

* from the row's action: avoid -> AVOID; adjust dose / see text -> ADJUST; standard -> STANDARD; CPIC's "no
  recommendation" -> NO_RESULT when the gene result is Indeterminate or missing, else NO_GUIDANCE;
* a STANDARD that rests on an incomplete, tied or translated gene call, or on a gene without a result, is CAUTION.
"""
from __future__ import annotations

from functools import lru_cache

import pandas as pd

from workstation.levels import Level
from workstation.pgx.medications import match_medications
from workstation.pgx.model import Alert, GeneCall, PgxResult, Recommendation
from workstation.pgx.phenoconversion import phenoconvert
from workstation.pgx.tables import algorithm_dosing, drugs, recommendations

ACTION_LEVEL = {"avoid / use alternative": Level.AVOID, "adjust dose": Level.ADJUST, "see text": Level.ADJUST,
                "standard": Level.STANDARD}
SEVERITY = {Level.AVOID: "high", Level.ADJUST: "moderate", Level.CAUTION: "moderate"}
NO_RESULT_KEYS = ("None", "Indeterminate")


def _gene_basis(call: GeneCall | None) -> dict:
    if call is None:
        return {"result": "no result"}
    return {"diplotypes": list(call.diplotypes), "phenotype": call.phenotype, "activity_score": call.activity_score,
            "source": call.source, "positions_used": list(call.positions_used),
            "missing_positions": list(call.missing_positions), "tie": call.tie, "incomplete": call.incomplete,
            "translated": call.translated, "lookup_diplotype": call.lookup_diplotype,
            "allele_status": dict(call.allele_status), "provenance": dict(call.provenance)}


def _has_result(call: GeneCall | None) -> bool:
    return call is not None and bool(call.phenotype or call.activity_score is not None or call.allele_status
                                     or call.lookup_keys)


def key_matches(call: GeneCall | None, key: str) -> bool:
    """Does CPIC's lookup ``key`` for one gene apply to this call? (Several may, when tied diplotypes disagree.)"""
    if key == "None":
        return not _has_result(call)
    if call is None:
        return False
    if call.allele_status:
        allele, _, status = key.partition(" ")
        if status in ("positive", "negative"):
            return dict(call.allele_status).get(allele) == status
        return False
    if key.replace(".", "", 1).isdigit():
        return call.activity_score is not None and abs(call.activity_score - float(key)) < 1e-9
    return key in (call.phenotype or "").split(" OR ") or key in call.lookup_keys


def _level(action: str, keys: dict[str, str], calls: dict[str, GeneCall | None]) -> Level:
    level = ACTION_LEVEL.get(action)
    if level is None:
        return Level.NO_RESULT if any(k in NO_RESULT_KEYS for k in keys.values()) else Level.NO_GUIDANCE
    if level is Level.STANDARD and (any(c is not None and c.uncertain for c in calls.values())
                                    or any(k == "None" for k in keys.values())):
        return Level.CAUTION
    return level


@lru_cache(maxsize=1)
def _rows_by_drug() -> dict[str, tuple[dict[str, str], ...]]:
    out: dict[str, list] = {}
    for r in recommendations():
        out.setdefault(r["drug"], []).append(r)
    return {d: tuple(v) for d, v in out.items()}


def _functional(drug: str, r: dict, keys: dict[str, str], calls: dict, medications) -> dict | None:
    """CPIC's row for the CYP2D6 phenotype the patient has while on an inhibitor, shown beside the genotype's."""
    if "CYP2D6" not in keys or medications is None:
        return None
    pc = phenoconvert(calls["CYP2D6"], medications, exclude_drug=drug)
    if pc is None or pc.functional_phenotype is None:
        return None
    out = pc.to_json()
    if pc.functional_phenotype != keys["CYP2D6"]:
        want = {**keys, "CYP2D6": pc.functional_phenotype}
        for x in _rows_by_drug().get(drug, ()):
            got = {x["gene1"]: x["key1"], **({x["gene2"]: x["key2"]} if x["gene2"] else {})}
            if got == want and x["population"] == r["population"]:
                lv = _level(x["action"], want, calls)
                out["functional_recommendation"] = {"action": x["action"], "summary": x["summary"],
                                                    "level": lv.value, "lookup": want}
                break
    return out


def _drug_recs(drug: str, result: PgxResult, medications=None) -> list[Recommendation]:
    d = drugs()[drug]
    out: list[Recommendation] = []
    seen = set()
    for r in _rows_by_drug().get(drug, ()):
        g1, g2 = r["gene1"], r["gene2"]
        keys = {g1: r["key1"], **({g2: r["key2"]} if g2 else {})}
        calls = {g: result.get(g) for g in keys}
        if not all(key_matches(calls[g], k) for g, k in keys.items()):
            continue
        if all(k == "None" for k in keys.values()):
            continue
        uniq = (r["key1"], r["key2"], r["population"])
        if uniq in seen:
            continue
        seen.add(uniq)
        genes = tuple(keys)
        basis = {
            "guideline": d["guideline_title"], "guideline_url": r["guideline_url"],
            "guideline_year": r["guideline_year"], "cpic_level": d["cpic_level"], "strength": r["strength"],
            "classification": r["classification"], "population": r["population"], "lookup": keys,
            "genes": {g: _gene_basis(c) for g, c in calls.items()},
            "source_text": r["source_text"], "source": r["source"],
        }
        summary = r["summary"]
        untested = [g for g, k in keys.items() if k == "None"]
        if untested:   # CPIC's row for a missing result: say so beside the action, never let it read as complete
            summary += f" Based only on {', '.join(g for g in genes if g not in untested)}: no " \
                       f"{' or '.join(untested)} result was available (CPIC's recommendation for that case)."
            basis["genes_without_result"] = untested
        uncertain = [g for g, c in calls.items() if c is not None and c.uncertain]
        if uncertain:
            basis["uncertain_genes"] = uncertain
        functional = _functional(drug, r, keys, calls, medications)
        if functional is not None:
            basis["phenoconversion"] = functional
        out.append(Recommendation(drug=drug, rxnorm=r["rxnorm"], genes=genes, action=r["action"],
                                  summary=summary, dose_adjustment=r["dose_adjustment"], strength=r["strength"],
                                  basis=basis, level=_level(r["action"], keys, calls),
                                  population=r["population"] or "general"))
    return out or _called_genes_only(drug, result)


UNTESTED_AS = {"RYR1": "Uncertain Susceptibility", "CACNA1S": "Uncertain Susceptibility"}


def _called_genes_only(drug: str, result: PgxResult) -> list[Recommendation]:
    """No CPIC row fits because a gene of a two-gene guideline has no result and CPIC has no row for that case
    (RYR1/CACNA1S): PharmCAT then matches on the genes that were called. Used only when every CPIC row that fits the
    called genes says the same, whatever the missing gene would show; otherwise nothing is claimed."""
    d = drugs()[drug]
    cands: dict[str, list[dict]] = {}
    for r in _rows_by_drug().get(drug, ()):
        keys = {r["gene1"]: r["key1"], **({r["gene2"]: r["key2"]} if r["gene2"] else {})}
        if len(keys) < 2 or "None" in keys.values():
            continue
        calls = {g: result.get(g) for g in keys}
        untested = [g for g, c in calls.items() if not _has_result(c)]
        if not untested or len(untested) == len(keys):
            continue
        if all(key_matches(calls[g], k) for g, k in keys.items() if g not in untested):
            cands.setdefault(r["population"], []).append(r)
    out = []
    for population, rows in cands.items():
        read_as_uncertain = False
        if len({(r["action"], r["summary"]) for r in rows}) != 1:
            read_as_uncertain = True
            # RYR1/CACNA1S: an untested gene reads as "Uncertain Susceptibility" (no MHS variant identified), as
            # PharmCAT matches it (Ryr1Test/Cacna1sTest: one CPIC annotation with the other gene "No Result")
            rows = [r for r in rows if all(k == UNTESTED_AS.get(g) for g, k in
                                           ((r["gene1"], r["key1"]), (r["gene2"], r["key2"]))
                                           if not _has_result(result.get(g)))]
            if len({(r["action"], r["summary"]) for r in rows}) != 1:
                continue      # CPIC's advice depends on the gene that has no result: say nothing rather than guess
        r = rows[0]
        keys = {r["gene1"]: r["key1"], r["gene2"]: r["key2"]}
        calls = {g: result.get(g) for g in keys}
        untested = [g for g in keys if not _has_result(calls[g])]
        tested = [g for g in keys if g not in untested]
        lookup = {g: (k if g in tested else "None") for g, k in keys.items()}
        basis = {
            "guideline": d["guideline_title"], "guideline_url": r["guideline_url"],
            "guideline_year": r["guideline_year"], "cpic_level": d["cpic_level"], "strength": r["strength"],
            "classification": r["classification"], "population": population, "lookup": lookup,
            "cpic_row": keys, "genes": {g: _gene_basis(c) for g, c in calls.items()},
            "genes_without_result": untested, "source_text": r["source_text"], "source": r["source"],
        }
        if read_as_uncertain:
            why = (f"CPIC's row for {' and '.join(f'{g} {keys[g]}' for g in untested)} is used, as PharmCAT does "
                   f"for an untested gene")
        else:
            why = f"this is CPIC's only recommendation for {', '.join(f'{g} {keys[g]}' for g in tested)}"
        summary = (r["summary"] + f" Based only on {', '.join(tested)}: no {' or '.join(untested)} result was "
                   f"available; {why}.")
        out.append(Recommendation(drug=drug, rxnorm=r["rxnorm"], genes=tuple(keys), action=r["action"],
                                  summary=summary, dose_adjustment=r["dose_adjustment"], strength=r["strength"],
                                  basis=basis, level=_level(r["action"], lookup, calls), population=population))
    return out


def _algorithm_recs(drug: str, result: PgxResult) -> list[Recommendation]:
    """Warfarin: CPIC's guideline doses by a pharmacogenetic algorithm, so there is no phenotype row; one
    recommendation points to the algorithm once any of its genes has a result."""
    row = algorithm_dosing().get(drug)
    if row is None:
        return []
    genes = tuple(row["genes"].split(";"))
    calls = {g: result.get(g) for g in genes}
    if not any(c is not None and c.called for c in calls.values()):
        return []
    d = drugs()[drug]
    basis = {"guideline": d["guideline_title"], "guideline_url": d["guideline_url"],
             "guideline_year": row["guideline_year"], "cpic_level": d["cpic_level"], "strength": row["strength"],
             "lookup": {g: "dosing algorithm" for g in genes}, "genes": {g: _gene_basis(c) for g, c in calls.items()},
             "source_text": row["source_text"], "source": row["source"]}
    return [Recommendation(drug=drug, rxnorm=row["rxnorm"], genes=genes, action=row["action"], summary=row["summary"],
                           dose_adjustment=row["dose_adjustment"], strength=row["strength"], basis=basis,
                           level=ACTION_LEVEL.get(row["action"], Level.ADJUST))]


def all_recommendations(result: PgxResult, medications: pd.DataFrame | None = None) -> list[Recommendation]:
    out = []
    for drug in sorted(drugs()):
        out.extend(_drug_recs(drug, result, medications) or _algorithm_recs(drug, result))
    return out


def _caveats(calls: dict[str, GeneCall | None]) -> list[str]:
    out = []
    for g, c in calls.items():
        if not _has_result(c):
            out.append(f"{g}: no result")
            continue
        if c.tie:
            out.append(f"{g}: ambiguous ({' or '.join(c.diplotypes)})")
        if c.incomplete:
            from workstation.pgx.completeness import short_label

            out.append(short_label(c))
        if c.translated:
            out.append(f"{g}: positions translated from GRCh37")
    return out


def _alert(drug: str, med: str, status: str, recs: list[Recommendation], result: PgxResult) -> Alert:
    d = drugs()[drug]
    genes = d["genes"].split(";")
    calls = {g: result.get(g) for g in genes}
    basis = {"genes": {g: _gene_basis(c) for g, c in calls.items()}, "guideline": d["guideline_title"],
             "guideline_url": d["guideline_url"], "guideline_year": d["guideline_year"],
             "cpic_level": d["cpic_level"], "medication_status": status}
    caveats = _caveats(calls)
    note = " Medication status recorded as unknown: shown in case it is taken." if status == "unknown" else ""
    if not recs:
        head = f"{drug}: CPIC guidance exists for {', '.join(genes)}, but no recommendation applies to the " \
               f"results available"
        head += (f" ({'; '.join(caveats)})" if caveats else "") + note
        return Alert(drug, med, "info", head, None, basis, level=Level.NO_RESULT, status=status)
    worst = min(recs, key=lambda r: r.level.rank)
    res = "; ".join(f"{g} {c.phenotype}" for g, c in calls.items() if c is not None and c.phenotype)
    pops = sorted({r.population for r in recs})
    actions = sorted({r.action for r in recs})
    if len(pops) > 1:
        parts = [f"{p}: {', '.join(sorted({r.action for r in recs if r.population == p}))}" for p in pops]
        head = f"{drug}: {res} — CPIC's recommendation depends on the indication or population ({'; '.join(parts)})." \
               f" Most cautious ({worst.population}): {worst.summary}"
    elif len(actions) > 1:
        head = f"{drug}: result ambiguous ({res}) — the possible recommendations differ: {', '.join(actions)}"
    else:
        head = f"{drug}: {worst.action} — {res}. {worst.summary}"
    if caveats:
        head += f" Caution: {'; '.join(caveats)}."
    level = worst.level
    pc = (worst.basis or {}).get("phenoconversion")
    if pc:
        head += f" Phenoconversion (beside the genotype result): {pc['sentence']}."
        fr = pc.get("functional_recommendation")
        if fr:
            head += f" CPIC for {fr['lookup'].get('CYP2D6')}: {fr['action']} — {fr['summary']}"
            if level is Level.STANDARD and Level(fr["level"]).rank < level.rank:
                level = Level.CAUTION     # the genotype says standard, the medicines taken say otherwise
        basis["phenoconversion"] = pc
    basis["recommendations"] = [r.to_json() for r in recs]
    return Alert(drug, med, SEVERITY.get(level, "info"), head + note, worst, basis, level=level, status=status)


def guidance(result: PgxResult, medications: pd.DataFrame | None = None) -> tuple[list[Alert], list[Recommendation]]:
    """(alerts for the patient's medicines, recommendations for every level A/B drug with a result)."""
    recs = all_recommendations(result, medications)
    by_drug: dict[str, list[Recommendation]] = {}
    for r in recs:
        by_drug.setdefault(r.drug, []).append(r)
    alerts = [_alert(m.drug, m.label, m.status, by_drug.get(m.drug, []), result)
              for m in match_medications(medications)]
    alerts.sort(key=lambda a: (a.level.rank, a.drug))
    return alerts, recs

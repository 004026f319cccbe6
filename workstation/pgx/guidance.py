"""Gene results -> CPIC recommendations for level A/B drugs, and alerts for the patient's active medicines.

Recommendations come only from resources/pgx/recommendations.tsv (CPIC via pypgx, each row cited). When a gene is
ambiguous (tied diplotypes with different phenotypes) or incomplete (missing positions), the alert says so and
lists every applicable recommendation instead of picking one.
"""
from __future__ import annotations

import re

import pandas as pd

from workstation.pgx.model import Alert, GeneCall, PgxResult, Recommendation
from workstation.pgx.tables import algorithm_dosing, drugs, recommendations

SEVERITY = {"avoid / use alternative": "high", "adjust dose": "moderate", "see text": "moderate",
            "standard": "info", "no recommendation": "info"}
ACTIVE = {"active", "intended", "on-hold", "draft", ""}
SEVERITY_LIGHT = {"high": "avoid", "moderate": "adjust"}


def traffic_light(action: str | None, severity: str | None = None) -> str:
    """The banner's traffic light for a recommendation action: avoid | adjust | standard | none.

    "see text" is shown amber (read the CPIC text before prescribing); with no action, an alert's severity
    decides; a result with no applicable recommendation is "none" (never shown as standard)."""
    a = (action or "").lower()
    if "avoid" in a or "alternative" in a:
        return "avoid"
    if "adjust" in a or "see text" in a:
        return "adjust"
    if a.startswith("standard"):
        return "standard"
    if not a and severity:
        return SEVERITY_LIGHT.get(severity, "none")
    return "none"


def _gene_basis(call: GeneCall | None) -> dict:
    if call is None:
        return {"result": "no result"}
    return {"diplotypes": list(call.diplotypes), "phenotype": call.phenotype, "activity_score": call.activity_score,
            "source": call.source, "positions_used": list(call.positions_used),
            "missing_positions": list(call.missing_positions), "tie": call.tie, "incomplete": call.incomplete,
            "lookup_diplotype": call.lookup_diplotype}


def _keys(call: GeneCall | None) -> list[str]:
    """The phenotype keys a gene result offers (several when tied diplotypes disagree)."""
    if call is None or not call.phenotype:
        return ["None"]
    return call.phenotype.split(" OR ")


def _drug_recs(drug: str, result: PgxResult) -> list[Recommendation]:
    d = drugs()[drug]
    rows = [r for r in recommendations() if r["drug"] == drug]
    out: list[Recommendation] = []
    seen = set()
    for r in rows:
        g1, g2 = r["gene1"], r["gene2"]
        c1, c2 = result.get(g1), result.get(g2) if g2 else None
        if r["key1"] not in _keys(c1):
            continue
        if g2 and r["key2"] not in _keys(c2):
            continue
        if r["key1"] == "None" and (not g2 or r["key2"] == "None"):
            continue
        key = (r["key1"], r["key2"])
        if key in seen:
            continue
        seen.add(key)
        genes = (g1,) + ((g2,) if g2 else ())
        basis = {
            "guideline": d["guideline_title"], "guideline_url": r["guideline_url"],
            "guideline_year": r["guideline_year"], "cpic_level": d["cpic_level"], "strength": r["strength"],
            "lookup": {g1: r["key1"], **({g2: r["key2"]} if g2 else {})},
            "genes": {g: _gene_basis(result.get(g)) for g in genes},
            "source_text": r["source_text"], "source": r["source"],
        }
        summary = r["summary"]
        untested = [g for g, k in ((g1, r["key1"]), (g2, r["key2"])) if g and k == "None"]
        if untested:   # CPIC's row for a missing result: say so beside the action, never let it read as complete
            summary += f" Based only on {', '.join(g for g in genes if g not in untested)}: no " \
                       f"{' or '.join(untested)} result was available (CPIC's recommendation for that case)."
            basis["genes_without_result"] = untested
        out.append(Recommendation(drug=drug, rxnorm=r["rxnorm"], genes=genes, action=r["action"],
                                  summary=summary, dose_adjustment=r["dose_adjustment"], strength=r["strength"],
                                  basis=basis))
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
                           dose_adjustment=row["dose_adjustment"], strength=row["strength"], basis=basis)]


def all_recommendations(result: PgxResult) -> list[Recommendation]:
    out = []
    for drug in sorted(drugs()):
        out.extend(_drug_recs(drug, result) or _algorithm_recs(drug, result))
    return out


def _is_active(status) -> bool:
    if status is None or (isinstance(status, float) and pd.isna(status)):
        return True
    return str(status).strip().lower() in ACTIVE


def match_medications(medications: pd.DataFrame | None) -> list[tuple[str, str]]:
    """(CPIC drug, medication as named in the record) for each active medication that maps to a CPIC drug."""
    if medications is None or len(medications) == 0:
        return []
    table = drugs()
    by_rx = {r["rxnorm"]: name for name, r in table.items()}
    pats = [(name, re.compile(r"\b" + re.escape(name) + r"\b", re.I)) for name in table]
    out: list[tuple[str, str]] = []
    for r in medications.itertuples(index=False):
        if not _is_active(getattr(r, "status", None)):
            continue
        rx = getattr(r, "rxnorm", None)
        label = str(getattr(r, "display", None) or rx or "")
        hit = by_rx.get(str(rx).strip()) if rx is not None and not pd.isna(rx) else None
        if hit is None:
            text = " ".join(str(x) for x in (getattr(r, "display", None), getattr(r, "code", None)) if x)
            hit = next((name for name, p in pats if p.search(text)), None)
        if hit and (hit, label) not in out:
            out.append((hit, label))
    return out


def _alert(drug: str, med: str, recs: list[Recommendation], result: PgxResult) -> Alert:
    d = drugs()[drug]
    genes = d["genes"].split(";")
    calls = {g: result.get(g) for g in genes}
    basis = {"genes": {g: _gene_basis(c) for g, c in calls.items()}, "guideline": d["guideline_title"],
             "guideline_url": d["guideline_url"], "guideline_year": d["guideline_year"],
             "cpic_level": d["cpic_level"]}
    caveats = []
    for g, c in calls.items():
        if c is None or not c.called and not c.phenotype:
            caveats.append(f"{g}: no result")
        elif c.tie:
            caveats.append(f"{g}: ambiguous ({' or '.join(c.diplotypes)})")
        if c is not None and c.incomplete:
            caveats.append(f"{g}: {len(c.missing_positions)} defining positions missing")
    if not recs:
        head = f"{drug}: CPIC guidance exists for {', '.join(genes)}, but no recommendation applies to the " \
               f"results available"
        return Alert(drug, med, "info", head + (f" ({'; '.join(caveats)})" if caveats else ""), None, basis)
    worst = max(recs, key=lambda r: ["info", "moderate", "high"].index(SEVERITY.get(r.action, "moderate")))
    actions = sorted({r.action for r in recs})
    res = "; ".join(f"{g} {c.phenotype}" for g, c in calls.items() if c is not None and c.phenotype)
    if len(actions) > 1:
        head = f"{drug}: result ambiguous ({res}) — the possible recommendations differ: {', '.join(actions)}"
    else:
        head = f"{drug}: {worst.action} — {res}. {worst.summary}"
    if caveats:
        head += f" Caution: {'; '.join(caveats)}."
    basis["recommendations"] = [r.to_json() for r in recs]
    return Alert(drug, med, SEVERITY.get(worst.action, "moderate"), head, worst, basis)


def guidance(result: PgxResult, medications: pd.DataFrame | None = None) -> tuple[list[Alert], list[Recommendation]]:
    """(alerts for the patient's active medicines, recommendations for every level A/B drug with a result)."""
    recs = all_recommendations(result)
    by_drug: dict[str, list[Recommendation]] = {}
    for r in recs:
        by_drug.setdefault(r.drug, []).append(r)
    alerts = [_alert(drug, med, by_drug.get(drug, []), result) for drug, med in match_medications(medications)]
    order = {"high": 0, "moderate": 1, "info": 2}
    alerts.sort(key=lambda a: (order[a.severity], a.drug))
    return alerts, recs

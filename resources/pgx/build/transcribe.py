"""Regenerate the PGx resource tables in resources/pgx/ from the cited reference files.

    python resources/pgx/build/transcribe.py [--shared ../shared] [--only recommendations,drugs,alleles,...]

Inputs (never copied into the tree; facts transcribed, each output row citing its source):

* ``../shared/reference/pgx/cpic-table.csv``, ``recommendation-table.csv`` (pypgx 0.27.0, MIT; CPIC CC0);
* ``../shared/data/pharmcat/pharmcat.example2.report.json`` (PharmCAT v3.1 @ 5431bf11: guideline years, titles and the
  CPIC classification of the annotations it shows);
* ``cpic_pharmcat_rows.py`` (CPIC rows transcribed from PharmCAT's CPIC guideline exports, cited there);
* ``../shared/reference/pgx/pharmcat_data/`` (PharmCAT @ 5431bf11 allele definitions and phenotype maps) for the
  allele and phenotype tables (``alleles.py``).
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import cpic_pharmcat_rows  # noqa: E402
import cpic_text  # noqa: E402

OUT = HERE.parent
PYPGX = "pypgx 0.27.0"
REC_SOURCE = f"CPIC recommendation via {PYPGX} recommendation-table.csv (MIT; CPIC CC0)"
REPORT_SOURCE = "PharmCAT v3.1 pharmcat.example2.report.json CPIC annotation"
CPIC_LEVELS = ("A", "A/B", "B")
REC_COLUMNS = ["drug", "rxnorm", "gene1", "key1", "gene2", "key2", "population", "action", "dose_adjustment",
               "classification", "strength", "guideline_url", "guideline_year", "summary", "source_text", "source"]
DRUG_COLUMNS = ["drug", "rxnorm", "atc", "genes", "cpic_level", "level_status", "guideline_url", "pmids",
                "guideline_year", "guideline_title", "source"]
# Drugs whose CPIC rows come from cpic_pharmcat_rows (replacing pypgx's rows, which lack the population split).
REPLACED = {"clopidogrel"}
# pypgx's older CFTR vocabulary -> the phenotype PharmCAT (CPIC's current term) assigns. Checked on the text: CPIC's
# row for "ivacaftor non-responsive in CF patients" in PharmCAT's example-2 report is "Ivacaftor is not recommended",
# pypgx's text for "Unfavorable Response".
# pypgx writes the text "None" for CACNA1S/RYR1 combinations CPIC has no row for; CPIC's own export
# (PharmGKB/PharmCAT@209032d0 guidelines/cpic/desflurane.json, cpicVersion v1.23.0) has only its three phenotype rows,
# whose texts are pypgx's other rows word for word. Those filler rows are left out, so a patient with RYR1 malignant
# hyperthermia susceptibility and no CACNA1S result gets CPIC's row for RYR1 (workstation/pgx/guidance.py), as in
# PharmCAT, instead of "No recommendation".
NO_FILLER_GENES = {"CACNA1S", "RYR1"}
KEY_RENAME = {("CFTR", "Favorable Response"): "ivacaftor responsive in CF patients",
              ("CFTR", "Unfavorable Response"): "ivacaftor non-responsive in CF patients"}


def _write(path: Path, columns: list[str], rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, delimiter="\t", lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in columns})


def _report(shared: Path) -> dict:
    return json.loads((shared / "data/pharmcat/pharmcat.example2.report.json").read_text(encoding="utf-8"))


def drugs_table(shared: Path) -> list[dict]:
    pairs = list(csv.DictReader(open(shared / "reference/pgx/cpic-table.csv", encoding="utf-8")))
    cpic_ann = _report(shared)["drugs"]["CPIC Guideline Annotation"]
    by_drug: dict[str, list[dict]] = {}
    for p in pairs:
        if p["CPICLevel"] in CPIC_LEVELS:
            by_drug.setdefault(p["Drug"], []).append(p)
    out = []
    for drug, ps in sorted(by_drug.items()):
        ps.sort(key=lambda p: p["Gene"])
        cites = (cpic_ann.get(drug) or {}).get("citations") or []
        latest = max(cites, key=lambda c: c.get("year") or 0) if cites else None
        src = f"CPIC gene-drug pair table via {PYPGX} cpic-table.csv (MIT; CPIC CC0)"
        if latest:
            src += f"; guideline year/title: {REPORT_SOURCE}"
        rx = ps[0]["RxNorm"]
        out.append({"drug": drug, "rxnorm": "" if rx in ("", "NA") else rx, "atc": ps[0]["ATC"].replace(" ", ""),
                    "genes": ";".join(p["Gene"] for p in ps),
                    "cpic_level": ";".join(f"{p['Gene']}:{p['CPICLevel']}" for p in ps),
                    "level_status": ps[0]["CPICLevelStatus"], "guideline_url": ps[0]["Guideline"],
                    "pmids": ps[0]["PMID"], "guideline_year": str(latest["year"]) if latest else "not stated in source",
                    "guideline_title": latest["title"] if latest else "not stated in source", "source": src})
    return out


def _strengths(shared: Path) -> dict[tuple, str]:
    """(drug, frozenset of lookup items) -> "Strong (general); ..." from the CPIC annotations PharmCAT's report shows."""
    out: dict[tuple, list[str]] = {}
    for drug, d in _report(shared)["drugs"]["CPIC Guideline Annotation"].items():
        for g in d.get("guidelines") or []:
            for a in g.get("annotations") or []:
                for lk in a.get("lookupKey") or []:
                    key = (drug, frozenset((k, str(v)) for k, v in lk.items()))
                    out.setdefault(key, []).append(f"{a['classification']} ({a.get('population') or 'general'})")
    return {k: "; ".join(dict.fromkeys(v)) for k, v in out.items()}


def _derived(row: dict, text: str) -> None:
    row["action"] = cpic_text.action(text, row["drug"])
    row["dose_adjustment"] = cpic_text.dose_sentences(text) if row["action"] in ("adjust dose", "see text") else ""
    row["summary"] = "No recommendation" if row["action"] == "no recommendation" and text in ("None", "") else text


def recommendations_table(shared: Path, drugs: list[dict]) -> list[dict]:
    dinfo = {d["drug"]: d for d in drugs}
    strengths = _strengths(shared)
    out = []
    for r in csv.DictReader(open(shared / "reference/pgx/recommendation-table.csv", encoding="utf-8")):
        drug = r["Drug"]
        if drug not in dinfo or drug in REPLACED:
            continue
        d = dinfo[drug]
        if {r["Gene1"], r["Gene2"]} == NO_FILLER_GENES and r["Recommendation"] == "None":
            continue
        g2 = "" if r["Gene2"] == "None" else r["Gene2"]
        r = {**r, "Phenotype1": KEY_RENAME.get((r["Gene1"], r["Phenotype1"]), r["Phenotype1"]),
             "Phenotype2": KEY_RENAME.get((r["Gene2"], r["Phenotype2"]), r["Phenotype2"])}
        lookup = {r["Gene1"]: r["Phenotype1"], **({g2: r["Phenotype2"]} if g2 else {})}
        strength = strengths.get((drug, frozenset((k, v) for k, v in lookup.items() if v != "None")))
        row = {"drug": drug, "rxnorm": d["rxnorm"], "gene1": r["Gene1"], "key1": r["Phenotype1"], "gene2": g2,
               "key2": r["Phenotype2"] if g2 else "", "population": "general", "classification": "",
               "strength": strength or "not stated in source", "guideline_url": d["guideline_url"],
               "guideline_year": d["guideline_year"], "source_text": r["Recommendation"],
               "source": REC_SOURCE + (f"; strength: {REPORT_SOURCE}" if strength else "")}
        _derived(row, r["Recommendation"])
        out.append(row)
    for drug, (rows, src) in cpic_pharmcat_rows.rows().items():
        d = dinfo[drug]
        for lookup, population, classification, text in rows:
            genes = list(lookup)
            row = {"drug": drug, "rxnorm": d["rxnorm"], "gene1": genes[0], "key1": lookup[genes[0]],
                   "gene2": genes[1] if len(genes) > 1 else "", "key2": lookup[genes[1]] if len(genes) > 1 else "",
                   "population": population, "classification": classification,
                   "strength": classification if classification not in ("n/a", "") else "not stated in source",
                   "guideline_url": d["guideline_url"], "guideline_year": d["guideline_year"], "source_text": text,
                   "source": src}
            _derived(row, text)
            out.append(row)
    return out


OUTSIDE_COLUMNS = ["gene", "allele", "activity_value", "function", "source"]
PHARMCAT_DATA = "PharmCAT @ 5431bf11 (definitions 2025-11-05)"


def outside_alleles_table(shared: Path) -> list[dict]:
    """CYP2D6 allele activity values (pypgx allele-table.csv) and the MT-RNR1 variant -> risk map (PharmCAT)."""
    out = []
    for r in csv.DictReader(open(shared / "reference/pgx/allele-table.csv", encoding="utf-8")):
        if r["Gene"] != "CYP2D6":
            continue
        act = "" if r["ActivityScore"] in ("N/A", "") else r["ActivityScore"]
        func = "" if r["Function"] in ("N/A", "") else r["Function"].replace(" Function", " function")
        out.append({"gene": "CYP2D6", "allele": r["StarAllele"], "activity_value": act, "function": func,
                    "source": f"CPIC CYP2D6 allele function table via {PYPGX} allele-table.csv (MIT; CPIC CC0)"})
    mt = json.loads((shared / "reference/pgx/pharmcat_data/phenotype/MT_RNR1.json").read_text(encoding="utf-8"))
    for name, risk in mt["haplotypes"].items():
        out.append({"gene": "MT-RNR1", "allele": name, "activity_value": "", "function": risk,
                    "source": f"{PHARMCAT_DATA} phenotype/MT_RNR1.json haplotypes (CPIC 2021, PMID 34032273)"})
    return out


CODE_COLUMNS = ["code", "system", "display", "drug", "kind", "source"]
SYNTHEA = "smart-on-fhir/generated-sample-data@25ac8089 and google/fhir-data-pipes@903480f9 (../shared/data/fhir_r4_synthea)"


def drug_codes_table(shared: Path, drugs: list[dict]) -> list[dict]:
    """RxNorm clinical/branded drug codes (SCD/SBD) seen with their display in real FHIR data, -> CPIC ingredient.

    Only codes whose display names the ingredient (or a brand in drug_names.tsv) are kept, so each row can be checked
    by reading it; codes not seen in these files are resolved at run time from the coding's display text."""
    import re as _re

    names = {d["drug"]: d["drug"] for d in drugs}
    with open(OUT / "drug_names.tsv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            names[r["name"]] = r["drug"]
    out: dict[str, dict] = {}
    for f in sorted((shared / "data/fhir_r4_synthea").glob("*.json")):
        bundle = json.loads(f.read_text(encoding="utf-8"))
        for e in bundle.get("entry", []):
            res = e.get("resource", {})
            concept = res.get("medicationCodeableConcept") or (res.get("code") if res.get("resourceType") ==
                                                                "Medication" else None) or {}
            for c in concept.get("coding", []):
                if "rxnorm" not in (c.get("system") or "").lower() or not c.get("display"):
                    continue
                for name, drug in names.items():
                    if _re.search(r"(?<![\w-])" + _re.escape(name) + r"(?![\w-])", c["display"], _re.I):
                        out[c["code"]] = {"code": c["code"], "system": c["system"], "display": c["display"],
                                          "drug": drug, "kind": "RxNorm SCD/SBD (display names the ingredient)",
                                          "source": f"{SYNTHEA}: {f.name}"}
    return sorted(out.values(), key=lambda r: (r["drug"], r["code"]))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(OUT.parents[1].parent / "shared"))
    ap.add_argument("--only", default="drugs,recommendations,codes,outside,alleles")
    args = ap.parse_args(argv)
    shared = Path(args.shared)
    only = set(args.only.split(","))
    drugs = drugs_table(shared)
    if "drugs" in only:
        _write(OUT / "drugs.tsv", DRUG_COLUMNS, drugs)
    if "recommendations" in only:
        _write(OUT / "recommendations.tsv", REC_COLUMNS, recommendations_table(shared, drugs))
    if "codes" in only:
        _write(OUT / "drug_codes.tsv", CODE_COLUMNS, drug_codes_table(shared, drugs))
    if "outside" in only:
        _write(OUT / "outside_alleles.tsv", OUTSIDE_COLUMNS, outside_alleles_table(shared))
    if "alleles" in only:
        import alleles  # noqa: PLC0415

        alleles.write_all(shared, OUT)


if __name__ == "__main__":
    main()

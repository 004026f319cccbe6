"""Allele definitions and phenotype maps for every gene PharmCAT calls from a VCF, from PharmCAT's own data.

Source: ``../shared/reference/pgx/pharmcat_data/`` = PharmGKB/PharmCAT @ 5431bf1187e50383df7e7db18ef67b36fc8b562e
(definitions version 2025-11-05, GRCh38.p14): ``alleles/<GENE>_translation.json`` (every named allele's *full*
vector: a base or null at every defining position, the reference allele at all of them), ``alleles/exemptions.json``
(ignored positions and alleles, required positions, NAT2's unphased priorities) and ``phenotype/<GENE>.json``
(allele function / activity value, and the diplotype -> phenotype lookup PharmCAT uses). G6PD, RYR1 and CYP2D6 have no
phenotype file in that copy. RYR1's allele functions come from PharmCAT v3.1's own report of example 2
(``../shared/data/pharmcat/pharmcat.example2.report.html``, "Calls at Positions": every allele defined at each
position with its function, PharmCAT v3.1.0 on the same 2025-11-05 definitions), falling back to pypgx 0.27.0
``allele-table.csv`` (CPIC); G6PD's from pypgx. The phenotype rules are in workstation/pgx/phenotype.py (CPIC G6PD
2022, RYR1/CACNA1S 2018), cited there.

Writes ``alleles.tsv`` (one row per named allele x non-null position), ``diplotype_phenotypes.tsv`` and
``gene_exemptions.tsv``.
"""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path

VCF_GENES = ("ABCG2", "CACNA1S", "CFTR", "CYP2B6", "CYP2C19", "CYP2C9", "CYP3A4", "CYP3A5", "CYP4F2", "DPYD", "G6PD",
             "IFNL3", "NAT2", "NUDT15", "RYR1", "SLCO1B1", "TPMT", "UGT1A1", "VKORC1")
COMMIT = "5431bf11"
SRC = f"PharmCAT@{COMMIT} (definitions 2025-11-05) alleles/{{gene}}_translation.json"
PHEN_SRC = f"PharmCAT@{COMMIT} phenotype/{{gene}}.json"
PYPGX_SRC = "pypgx 0.27.0 allele-table.csv (CPIC allele function; MIT, CPIC CC0)"
HTML_SRC = "PharmCAT v3.1.0 pharmcat.example2.report.html, Calls at Positions (allele function)"
ALLELE_COLUMNS = ["gene", "allele", "report_as", "is_reference", "clinpgx_id", "chrom", "pos", "rsid", "ref", "alt",
                  "function", "activity_value", "amp_tier1", "source"]
DIPLO_COLUMNS = ["gene", "allele1", "allele2", "phenotype", "lookup_key", "activity_score", "source"]
EXEMPT_COLUMNS = ["gene", "kind", "value", "detail", "source"]


def _write(path: Path, columns: list[str], rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, delimiter="\t", lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in columns})


def _pypgx_functions(shared: Path) -> dict[tuple[str, str], str]:
    out = {}
    with open(shared / "reference/pgx/allele-table.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            out[(r["Gene"], r["StarAllele"])] = r["Function"]
    return out


def _report_functions(shared: Path) -> dict[tuple[str, str], str]:
    """(chromosome, allele name) -> function, as PharmCAT's example-2 HTML report lists them for every position."""
    html = (shared / "data/pharmcat/pharmcat.example2.report.html").read_text(encoding="utf-8")
    out: dict[tuple[str, str], str] = {}
    for chrom, _pos, body in re.findall(r'<tr id="(chr[0-9XYM]+)_(\d+)"(.*?)</tr>', html, re.S):
        for li in re.findall(r"<li>(.*?)</li>", body, re.S):
            name, sep, func = " ".join(li.split()).rpartition(" - ")
            if sep:
                out[(chrom, name)] = func
    return out


def write_all(shared: Path, out: Path) -> None:
    data = shared / "reference/pgx/pharmcat_data"
    exemptions = json.loads((data / "alleles/exemptions.json").read_text(encoding="utf-8"))
    pypgx = _pypgx_functions(shared)
    reported = _report_functions(shared)
    allele_rows, diplo_rows, exempt_rows = [], [], []
    for gene in VCF_GENES:
        t = json.loads((data / f"alleles/{gene}_translation.json").read_text(encoding="utf-8"))
        ex = exemptions.get(gene, {})
        ignored_pos = {p["position"] for p in ex.get("ignoredPositions") or []}
        ignored_alleles = {a.lower() for a in ex.get("ignoredAllelesLc") or ex.get("ignoredAlleles") or []}
        amp1 = set(ex.get("amp1Alleles") or [])
        sub = t.get("suballelesMap") or {}
        phen_path = data / f"phenotype/{gene}.json"
        phen = json.loads(phen_path.read_text(encoding="utf-8")) if phen_path.exists() else None
        funcs = {a["name"]: (a["functionValue"] or "", a["activityValue"]) for a in (phen or {}).get("namedAlleles", [])}
        for p in sorted(ignored_pos):
            exempt_rows.append({"gene": gene, "kind": "ignored_position", "value": str(p),
                                "detail": "listed, not applied: PharmCAT's example match scores count it",
                                "source": f"PharmCAT@{COMMIT} alleles/exemptions.json"})
        for a in sorted(ignored_alleles):
            exempt_rows.append({"gene": gene, "kind": "ignored_allele", "value": a,
                                "source": f"PharmCAT@{COMMIT} alleles/exemptions.json"})
        for p in ex.get("requiredPositions") or []:
            exempt_rows.append({"gene": gene, "kind": "required_position", "value": str(p),
                                "source": f"PharmCAT@{COMMIT} alleles/exemptions.json"})
        for pr in ex.get("unphasedDiplotypePriorities") or []:
            exempt_rows.append({"gene": gene, "kind": "unphased_priority", "value": pr["pick"],
                                "detail": "|".join(pr["list"]), "source": f"PharmCAT@{COMMIT} alleles/exemptions.json"})
        for na in t["namedAlleles"]:
            if na["name"].lower() in ignored_alleles:
                continue
            report = sub.get(na["name"], na["name"])
            if gene == "RYR1" and (t["chromosome"], na["name"]) in reported:
                func, act = reported[(t["chromosome"], na["name"])], None
                fsrc = HTML_SRC
            elif gene in ("G6PD", "RYR1", "CACNA1S") and phen is None:
                func, act = pypgx.get((gene, na["name"]), ""), None
                fsrc = PYPGX_SRC if func else "function not stated in the sources"
            else:
                func, act = funcs.get(report, funcs.get(na["name"], ("", None)))
                fsrc = PHEN_SRC.format(gene=gene)
            for v, base in zip(t["variants"], na["alleles"]):
                if base is None:      # ignored positions stay: PharmCAT's match scores count them (RYR1 626, G6PD 342
                    continue          # on its example report)
                allele_rows.append({
                    "gene": gene, "allele": na["name"], "report_as": report,
                    "is_reference": "yes" if na.get("reference") else "no", "clinpgx_id": na.get("id") or "",
                    "chrom": t["chromosome"], "pos": v["position"], "rsid": v.get("rsid") or "", "ref": v["ref"],
                    "alt": base, "function": func, "activity_value": "" if act in (None, "") else act,
                    "amp_tier1": "yes" if report in amp1 else "no",
                    "source": SRC.format(gene=gene) + f"; function: {fsrc}"})
        for d in (phen or {}).get("diplotypes", []):
            names = [n for n, k in d["diplotypekey"].items() for _ in range(k)]
            if len(names) == 1:
                names = names * 2 if gene != "MT-RNR1" else names
            a1, a2 = sorted(names[:2])
            diplo_rows.append({"gene": gene, "allele1": a1, "allele2": a2, "phenotype": d["generesult"] or "",
                               "lookup_key": d["lookupkey"] or "", "activity_score": d["activityScore"] or "",
                               "source": PHEN_SRC.format(gene=gene)})
    _write(out / "alleles.tsv", ALLELE_COLUMNS, allele_rows)
    _write(out / "diplotype_phenotypes.tsv", DIPLO_COLUMNS, diplo_rows)
    _write(out / "gene_exemptions.tsv", EXEMPT_COLUMNS, exempt_rows)


if __name__ == "__main__":
    import sys

    here = Path(__file__).resolve().parent
    write_all(Path(sys.argv[1]) if len(sys.argv) > 1 else here.parents[2].parent / "shared", here.parent)

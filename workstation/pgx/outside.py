"""Outside calls: genes called elsewhere (CYP2D6, HLA-A, HLA-B, MT-RNR1 ...), in PharmCAT's outside-call TSV format
(docs/using/Outside-Call-Format.md: gene, diplotype, phenotype, activity score; tab-separated, one gene a line,
``#`` comments) or entered by hand through :func:`outside_call`. They are marked ``source='outside call'``.

Interpretation (each rule cites its source in resources/pgx/outside_alleles.tsv or here):

* **HLA-A / HLA-B**: CPIC looks recommendations up by *allele status* (``*57:01 positive``; NOTES.md s1.1 lookup
  method 4). A typed diplotype (``*15:02/*57:01``) gives every allele of interest a status (present = positive,
  absent = negative); an allele reported alone (``*57:01 positive``) gives only that allele's status, the others stay
  "no result". Alleles are compared on their first two fields (``*57:01:01`` counts as ``*57:01``).
* **CYP2D6**: activity score = sum over both haplotypes of allele activity value x copies (``*1x2`` = 2 copies,
  ``xN`` = an unknown number, at least 2); Caudle KE et al., Clin Transl Sci 2020;13:116-124 (PMID 31647186) and
  CPIC's CYP2D6 tables (``*1/*1xN`` ultrarapid, ``*4/*4xN`` poor; NBK425164 Table 1). With ``xN`` only the lower
  bound is known: the phenotype is given when every possible copy number leads to the same phenotype, else
  Indeterminate.
* **MT-RNR1**: the variant (``1555A>G`` or ``m.1555A>G``) is looked up in PharmCAT's MT-RNR1 phenotype map.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from workstation.errors import MalformedFile
from workstation.pgx.model import SOURCE_OUTSIDE, GeneCall
from workstation.pgx.phenotype import from_score
from workstation.pgx.tables import hla_alleles_of_interest, outside_allele_activity

HLA_GENES = ("HLA-A", "HLA-B")
_COPIES = re.compile(r"^(?P<allele>\*?[^x×]+?)\s*[x×]\s*(?P<n>\d+|N|n|≥\d+)$")
_HLA_ALLELE = re.compile(r"\*?(\d{2,3}):(\d{2,3})")
_STATUS = re.compile(r"\b(positive|negative|present|absent|carrier|non-?carrier)\b", re.I)


class OutsideCallError(ValueError):
    """An outside call that cannot be interpreted; the message names the field in plain words."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


# ------------------------------------------------------------------------------------------------ CYP2D6
def _haplotype_parts(hap: str) -> list[tuple[str, int | None]]:
    """'*1x2' -> [('*1', 2)], '*1xN' -> [('*1', None)], '*36+*10' -> [('*36', 1), ('*10', 1)]."""
    out = []
    for part in hap.split("+"):
        part = part.strip()
        m = _COPIES.match(part)
        if m:
            n = m.group("n")
            allele = m.group("allele").strip()
            out.append((allele if allele.startswith("*") else "*" + allele,
                        int(n) if n.isdigit() else None))
        else:
            out.append((part if part.startswith("*") else "*" + part, 1))
    return out


def cyp2d6_activity(diplotype: str) -> tuple[float | None, float | None, list[str]]:
    """(lower-bound activity score, exact score or None when a copy number is unknown, messages)."""
    haps = [h for h in re.split(r"/", diplotype.strip()) if h.strip()]
    if len(haps) != 2:
        raise OutsideCallError("diplotype", f"CYP2D6 diplotype '{diplotype}' must be two haplotypes separated by '/'"
                                            " (for example *1/*4 or *1/*1x2)")
    table = outside_allele_activity()
    low = 0.0
    exact = True
    msgs = []
    for hap in haps:
        for allele, copies in _haplotype_parts(hap):
            v = table.get(("CYP2D6", allele))
            if v is None:
                raise OutsideCallError("diplotype", f"CYP2D6 allele {allele} is not in CPIC's CYP2D6 allele table; "
                                                    "check the spelling (for example *4, *10, *41)")
            if v[1] is None:
                msgs.append(f"CYP2D6 {allele} has no CPIC activity value ({v[0] or 'function unknown'})")
                return None, None, msgs
            if copies is None:
                if v[1] > 0:
                    exact = False
                copies = 2
                msgs.append(f"{allele}xN: copy number not stated; at least 2 copies counted")
            low += v[1] * copies
    low = round(low, 2)
    return low, (low if exact else None), msgs


def _cyp2d6(diplo: str, msgs: list[str]) -> tuple[float | None, str | None]:
    low, exact, more = cyp2d6_activity(diplo)
    msgs.extend(more)
    if low is None:
        return None, "Indeterminate"
    if exact is not None:
        msgs.append(f"CYP2D6 activity score {exact:g} = sum of CPIC allele activity values x copies "
                    "(CPIC/DPWG 2020 consensus, PMID 31647186)")
        return exact, from_score("CYP2D6", exact)
    ph_low = from_score("CYP2D6", low)
    if ph_low == "Ultrarapid Metabolizer":    # more copies only raise the score: the phenotype cannot change
        msgs.append(f"CYP2D6 activity score at least {low:g}: Ultrarapid Metabolizer whatever the copy number")
        return None, ph_low
    msgs.append(f"CYP2D6 activity score at least {low:g}; without the copy number the phenotype is Indeterminate")
    return None, "Indeterminate"


# ------------------------------------------------------------------------------------------------ HLA
def _two_field(text: str) -> str | None:
    m = _HLA_ALLELE.search(text)
    return f"*{int(m.group(1)):02d}:{m.group(2)}" if m else None


def _hla(gene: str, diplo: str, phenotype: str | None, msgs: list[str]) -> tuple[tuple[tuple[str, str], ...], str]:
    interest = hla_alleles_of_interest().get(gene, ())
    text = " ".join(x for x in (diplo, phenotype or "") if x)
    status_word = _STATUS.search(text)
    parts = [p for p in re.split(r"[/,;]", diplo) if p.strip()] if diplo else []
    if status_word:
        allele = _two_field(diplo or phenotype or "")
        if allele is None:
            raise OutsideCallError("diplotype", f"{gene}: name the allele (for example *57:01) and whether it is "
                                                "positive or negative")
        word = status_word.group(1).lower()
        status = "negative" if word in ("negative", "absent", "noncarrier", "non-carrier") else "positive"
        statuses = ((allele, status),)
        others = [a for a in interest if a != allele]
        if others:
            msgs.append(f"only {gene}{allele} was reported; {', '.join(gene + a for a in others)}: no result")
    elif len(parts) == 1:
        # one allele typed (PharmCAT: "HLA-B  *15:02"): that allele is present, the others of interest absent
        allele = _two_field(parts[0])
        if allele is None:
            raise OutsideCallError("diplotype", f"{gene}: '{diplo}' is not an HLA allele (for example *57:01)")
        statuses = tuple((a, "positive" if a == allele else "negative") for a in interest)
        if allele not in interest:
            statuses = statuses + ((allele, "positive"),)
    else:
        alleles = [_two_field(p) for p in parts]
        if len(alleles) != 2 or any(a is None for a in alleles):
            raise OutsideCallError("diplotype", f"{gene} diplotype '{diplo}' should be two alleles such as "
                                                "*15:02/*57:01 (or one allele with positive/negative)")
        statuses = tuple((a, "positive" if a in alleles else "negative") for a in interest)
    shown = "; ".join(f"{a} {s}" for a, s in statuses) or diplo
    return statuses, shown


# ------------------------------------------------------------------------------------------------ MT-RNR1
def _mt_rnr1(diplo: str, msgs: list[str]) -> str:
    name = diplo.strip()
    if name.lower() in ("reference", "wild type", "wt"):
        name = "Reference"
    elif not name.startswith("m."):
        name = "m." + name
    hit = outside_allele_activity().get(("MT-RNR1", name))
    if hit is None:
        raise OutsideCallError("diplotype", f"MT-RNR1 variant '{diplo}' is not in CPIC's MT-RNR1 table "
                                            "(for example 1555A>G or m.1494C>T)")
    msgs.append(f"MT-RNR1 {name}: {hit[0]} (PharmCAT MT-RNR1 phenotype map, CPIC 2021)")
    return hit[0][0].lower() + hit[0][1:]


# ------------------------------------------------------------------------------------------------ one call
_PHENOTYPE_ABBREVIATIONS = {"PM": "Poor Metabolizer", "IM": "Intermediate Metabolizer", "NM": "Normal Metabolizer",
                            "RM": "Rapid Metabolizer", "UM": "Ultrarapid Metabolizer", "EM": "Normal Metabolizer"}


def _normalise_diplotype(gene: str, diplo: str) -> str:
    """Star-allele diplotypes in PharmCAT's order ("*2/*1" -> "*1/*2"); anything else as given."""
    from workstation.pgx.tables import name_key

    parts = diplo.split("/")
    if gene in HLA_GENES or len(parts) != 2 or not all(p.strip().startswith("*") for p in parts):
        return diplo
    return "/".join(sorted((p.strip() for p in parts), key=name_key))


def outside_call(gene: str, diplotype: str | None = None, phenotype: str | None = None,
                 activity_score: float | str | None = None, *, entered_by: str | None = None,
                 lab: str | None = None, date: str | None = None) -> GeneCall:
    """One outside call, interpreted (CYP2D6 activity score, HLA allele status, MT-RNR1 risk).

    Raises :class:`OutsideCallError` (with the field) when the call cannot be read."""
    gene = (gene or "").strip().upper()
    if not gene:
        raise OutsideCallError("gene", "the gene is empty")
    diplo = _normalise_diplotype(gene, (diplotype or "").strip())
    phenotype = (phenotype or "").strip() or None
    if phenotype and phenotype.upper() in _PHENOTYPE_ABBREVIATIONS:       # PharmCAT accepts "PM", "IM" ...
        phenotype = _PHENOTYPE_ABBREVIATIONS[phenotype.upper()]
    if not diplo and not phenotype and activity_score in (None, ""):
        raise OutsideCallError("diplotype", f"{gene}: an outside call needs a diplotype, phenotype or activity score")
    who = ", ".join(x for x in (f"entered by {entered_by}" if entered_by else "", f"lab {lab}" if lab else "",
                                f"dated {date}" if date else "") if x)
    msgs = [f"{gene} was called outside this program" + (f" ({who})" if who else "")]
    score = None
    if activity_score not in (None, ""):
        text = str(activity_score).strip()
        if text[:1] in "≥>" or text.startswith(">="):
            msgs.append(f"activity score given as {text}: its lower bound is used")
            text = text.lstrip("≥>=").strip()
        try:
            score = float(text)
        except ValueError:
            raise OutsideCallError("activity score", f"{gene}: activity score '{activity_score}' is not a number")
    statuses: tuple[tuple[str, str], ...] = ()
    if gene in HLA_GENES and (diplo or phenotype):
        statuses, shown = _hla(gene, diplo, phenotype, msgs)
        phenotype = shown
    elif gene == "CYP2D6" and diplo and score is None:
        score, derived = _cyp2d6(diplo, msgs)
        phenotype = phenotype or derived
    elif gene == "CYP2D6" and score is not None and not phenotype:
        phenotype = from_score("CYP2D6", score)
    elif gene == "MT-RNR1" and diplo and not phenotype:
        phenotype = _mt_rnr1(diplo, msgs)
    prov = tuple((k, v) for k, v in (("entered_by", entered_by), ("lab", lab), ("date", date)) if v)
    return GeneCall(gene=gene, diplotypes=(diplo,) if diplo else (), phenotype=phenotype, activity_score=score,
                    source=SOURCE_OUTSIDE, source_diplotype=diplo or None, messages=tuple(msgs),
                    allele_status=statuses, provenance=prov)


def read_outside_calls(path: str | Path) -> list[GeneCall]:
    """PharmCAT's outside-call TSV; a line that cannot be read raises MalformedFile naming the line and field."""
    calls = []
    seen = set()
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip() or line.startswith("#"):
                continue
            f = [x.strip() for x in line.rstrip("\n\r").split("\t")]
            if not f[0]:
                raise MalformedFile(str(path), "the gene column is empty", line=n, field="gene")
            if len(f) < 2 or not (f[1] or (len(f) > 2 and f[2]) or (len(f) > 3 and f[3])):
                raise MalformedFile(str(path), "an outside call needs a diplotype, phenotype or activity score",
                                    line=n, field="diplotype")
            if f[0].upper() in seen:
                raise MalformedFile(str(path), f"gene {f[0]} appears twice", line=n, field="gene")
            seen.add(f[0].upper())
            try:
                calls.append(outside_call(f[0], f[1] if len(f) > 1 else None, f[2] if len(f) > 2 else None,
                                          f[3] if len(f) > 3 else None))
            except OutsideCallError as e:
                raise MalformedFile(str(path), str(e), line=n, field=e.field) from None
    return calls


def from_frame(frame: pd.DataFrame | None, provenance: dict[int, dict] | None = None) -> list[GeneCall]:
    """The store's ``outside_calls`` table (schema.py columns) -> GeneCalls, oldest first (a later entry for the
    same gene replaces an earlier one). ``provenance`` maps source_id -> {lab, test_date} (the entry's sources row)."""
    if frame is None or len(frame) == 0:
        return []
    if "entered_at" in frame:
        frame = frame.sort_values("entered_at", kind="stable")
    out = []
    for r in frame.itertuples(index=False):
        get = lambda k: (None if pd.isna(getattr(r, k, None)) else getattr(r, k, None))  # noqa: E731
        sid = get("source_id")
        prov = (provenance or {}).get(int(sid), {}) if sid is not None else {}
        try:
            out.append(outside_call(r.gene, get("diplotype"), get("phenotype"), get("activity_score"),
                                    entered_by=get("entered_by"), lab=prov.get("lab"), date=prov.get("test_date")))
        except OutsideCallError as e:     # stored before these rules existed: keep it, shown as given
            out.append(GeneCall(gene=str(r.gene).upper(), diplotypes=(get("diplotype"),) if get("diplotype") else (),
                                phenotype=get("phenotype"), source=SOURCE_OUTSIDE,
                                messages=(f"outside call could not be interpreted: {e}",)))
    return out

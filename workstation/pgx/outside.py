"""Outside calls: genes called elsewhere (CYP2D6, HLA-A, HLA-B ...), in PharmCAT's outside-call TSV format
(docs/using/Outside-Call-Format.md: gene, diplotype, phenotype, activity score; tab-separated, one gene a line,
``#`` comments) or entered by hand through :func:`outside_call`. They are marked ``source='outside call'``.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from workstation.errors import MalformedFile
from workstation.pgx.model import SOURCE_OUTSIDE, GeneCall
from workstation.pgx.phenotype import from_score
from workstation.pgx.tables import outside_allele_activity


def _cyp2d6_score(diplotype: str) -> float | None:
    parts = diplotype.split("/")
    if len(parts) != 2:
        return None
    table = outside_allele_activity()
    vals = [table.get(("CYP2D6", p.strip())) for p in parts]
    if any(v is None or v[1] is None for v in vals):
        return None
    return round(sum(v[1] for v in vals), 2)  # type: ignore[index]


def outside_call(gene: str, diplotype: str | None = None, phenotype: str | None = None,
                 activity_score: float | str | None = None, *, entered_by: str | None = None) -> GeneCall:
    """One outside call. CYP2D6 phenotype/activity are derived from the diplotype when not given."""
    gene = gene.strip().upper()
    msgs = [f"{gene} was called outside this program" + (f" (entered by {entered_by})" if entered_by else "") +
            "; it is shown as given"]
    score = None
    if activity_score not in (None, ""):
        try:
            score = float(activity_score)  # type: ignore[arg-type]
        except ValueError:
            msgs.append(f"activity score '{activity_score}' is not a number and was ignored")
    diplo = (diplotype or "").strip()
    if gene == "CYP2D6" and diplo and score is None:
        score = _cyp2d6_score(diplo)
        if score is not None:
            msgs.append("CYP2D6 activity score computed from CPIC allele activity values (pypgx allele table)")
    if not phenotype and gene == "CYP2D6" and score is not None:
        phenotype = from_score("CYP2D6", score)
    return GeneCall(gene=gene, diplotypes=(diplo,) if diplo else (), phenotype=(phenotype or None),
                    activity_score=score, source=SOURCE_OUTSIDE, source_diplotype=diplo or None,
                    messages=tuple(msgs))


def read_outside_calls(path: str | Path) -> list[GeneCall]:
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
            calls.append(outside_call(f[0], f[1] if len(f) > 1 else None, f[2] if len(f) > 2 else None,
                                      f[3] if len(f) > 3 else None))
    return calls


def from_frame(frame: pd.DataFrame | None) -> list[GeneCall]:
    """The store's ``outside_calls`` table (schema.py columns) -> GeneCalls."""
    if frame is None or len(frame) == 0:
        return []
    out = []
    for r in frame.itertuples(index=False):
        get = lambda k: (None if pd.isna(getattr(r, k, None)) else getattr(r, k, None))  # noqa: E731
        out.append(outside_call(r.gene, get("diplotype"), get("phenotype"), get("activity_score"),
                                entered_by=get("entered_by")))
    return out

"""The evidence behind one drug–gene row, as HTML for a text panel: guideline and date, level, strength, the gene
results it was looked up with (diplotypes, phenotype, positions used and missing) and the CPIC text.

Only formats what the core put in the ``basis`` dicts of :class:`workstation.pgx.Recommendation` and
:class:`workstation.pgx.Alert`; nothing is looked up or decided here.
"""
from __future__ import annotations

from html import escape
from typing import Any

from ui import theme

MAX_POSITIONS = 12
# the panel's longer words for the core's levels (workstation.levels.Level values; one vocabulary everywhere)
LEVEL_WORDS = {"avoid": "Avoid / use an alternative", "adjust": "Adjust", "standard": "Standard use",
               "caution": "Caution: a gene result is missing, incomplete or uncertain",
               "no_result": "No recommendation applies (no usable result)",
               "no_guidance": "No pharmacogenomic guidance"}


def level_of(level) -> str:
    """The core :class:`~workstation.levels.Level` value of ``level`` (a Level or its value; unknown: no result)."""
    value = getattr(level, "value", level) or "no_result"
    return value if value in LEVEL_WORDS else "no_result"


def _e(v: Any) -> str:
    return escape("" if v is None else str(v))


def _color(level: str) -> str:
    t = theme.current()
    return {"avoid": t.avoid, "adjust": t.adjust, "caution": t.adjust, "standard": t.standard}.get(level, t.text_muted)


def _row(key: str, value: Any) -> str:
    return f"<tr><td style='padding:2px 12px 2px 0; color:{theme.current().text_muted}'>{_e(key)}</td>" \
           f"<td style='padding:2px 0'>{value}</td></tr>"


def _positions(items: list[str]) -> str:
    if not items:
        return "none"
    shown = ", ".join(_e(p) for p in items[:MAX_POSITIONS])
    more = f" … and {len(items) - MAX_POSITIONS} more" if len(items) > MAX_POSITIONS else ""
    return f"{len(items)}: {shown}{more}"


def gene_html(gene: str, g: dict) -> str:
    """One gene result from a basis ``genes`` entry."""
    t = theme.current()
    if g.get("result") == "no result" or (not g.get("diplotypes") and not g.get("phenotype")):
        return (f"<p><b>{_e(gene)}</b>: <span style='color:{t.adjust}'>no result</span> — not called from the "
                f"genotype data and no outside call entered; this is not the same as a normal result.</p>")
    diplos = g.get("diplotypes") or []
    flags = []
    if g.get("tie"):
        flags.append(f"<span style='color:{t.adjust}'><b>ambiguous</b>: {_e(' or '.join(diplos))}</span>")
    if g.get("incomplete"):
        flags.append(f"<span style='color:{t.adjust}'><b>incomplete</b>: defining positions missing "
                     f"(not assumed reference)</span>")
    rows = [_row("Diplotype", _e(" or ".join(diplos)) or "—"), _row("Phenotype", _e(g.get("phenotype")) or "—")]
    if g.get("activity_score") is not None:
        rows.append(_row("Activity score", _e(f"{g['activity_score']:g}")))
    if g.get("lookup_diplotype"):
        rows.append(_row("Looked up as", _e(g["lookup_diplotype"])))
    rows.append(_row("Source", "outside call (entered, not from the VCF)" if g.get("source") == "outside call"
                     else "called from the patient's VCF"))
    prov = g.get("provenance") or {}
    if prov:
        rows.append(_row("Entered", _e(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in prov.items()))))
    rows.append(_row("Positions used", _positions(list(g.get("positions_used") or []))))
    rows.append(_row("Positions missing", _positions(list(g.get("missing_positions") or []))))
    head = f"<p style='margin:8px 0 2px 0'><b>{_e(gene)}</b> {' · '.join(flags)}</p>"
    return head + "<table cellspacing=0>" + "".join(rows) + "</table>"


def recommendation_html(rec: dict, *, heading: bool = True) -> str:
    """One recommendation (``Recommendation.to_json()``) with its basis."""
    b = rec.get("basis") or {}
    level = level_of(rec.get("level"))
    parts = []
    if heading:
        parts.append(f"<p style='margin:6px 0'><span style='color:{_color(level)}; font-weight:600'>"
                     f"{_e(rec.get('action', '')).capitalize()}</span> — {_e(rec.get('summary'))}</p>")
    lookup = ", ".join(f"{_e(g)} = {_e(k)}" for g, k in (b.get("lookup") or {}).items())
    rows = [_row("Guideline", _e(b.get("guideline"))), _row("Guideline year", _e(b.get("guideline_year"))),
            _row("CPIC level", _e(b.get("cpic_level"))), _row("Strength", _e(rec.get("strength"))),
            _row("Dose", _e(rec.get("dose_adjustment")) or "—"), _row("Looked up with", lookup or "—")]
    if rec.get("population") and rec.get("population") != "general":
        rows.append(_row("Population / indication", _e(rec["population"])))
    if b.get("guideline_url"):
        rows.append(_row("Guideline page", _e(b["guideline_url"])))
    pc = b.get("phenoconversion")
    if pc:
        fr = pc.get("functional_recommendation") or {}
        extra = f"<br>CPIC for that phenotype: {_e(fr.get('action'))} — {_e(fr.get('summary'))}" if fr else ""
        rows.append(_row("Phenoconversion", _e(pc.get("sentence")) + extra))
    parts.append("<table cellspacing=0>" + "".join(rows) + "</table>")
    if b.get("source_text"):
        parts.append(f"<p style='margin:8px 0 2px 0'><b>CPIC text</b></p><blockquote style='margin:0 0 0 8px'>"
                     f"{_e(b['source_text'])}</blockquote>")
    if b.get("source"):
        parts.append(f"<p style='color:{theme.current().text_muted}; margin-top:4px'>Source: {_e(b['source'])}</p>")
    return "".join(parts)


def basis_html(item: dict) -> str:
    """The full panel for one drug row. ``item`` has ``drug``, ``medication`` (or None), ``headline``,
    ``recommendations`` (list of ``to_json()`` dicts) and ``basis`` (the alert's or the recommendation's)."""
    t = theme.current()
    b = item.get("basis") or {}
    level = item.get("level", "no_result")
    med = item.get("medication")
    out = [f"<h2 style='margin:0'>{_e(item['drug']).capitalize()}</h2>"]
    if med and str(med).lower() != str(item["drug"]).lower():
        out.append(f"<p style='color:{t.text_muted}; margin:2px 0'>Recorded as: {_e(med)}</p>")
    out.append(f"<p style='margin:6px 0'><span style='background:{_color(level)}; color:white; padding:2px 8px'>"
               f"&nbsp;{_e(LEVEL_WORDS.get(level, level))}&nbsp;</span></p>")
    if item.get("headline"):
        out.append(f"<p>{_e(item['headline'])}</p>")
    recs = item.get("recommendations") or []
    if len(recs) > 1:
        out.append(f"<p style='color:{t.adjust}'><b>{len(recs)} recommendations apply</b> because a gene result is "
                   "ambiguous; each is listed. Resolve the result before choosing.</p>")
    for r in recs:
        out.append(recommendation_html(r, heading=len(recs) > 1 or not item.get("headline")))
    if not recs:
        rows = [_row("Guideline", _e(b.get("guideline"))), _row("Guideline year", _e(b.get("guideline_year"))),
                _row("CPIC level", _e(b.get("cpic_level")))]
        out.append("<p>CPIC guidance exists for this drug, but no recommendation applies to the results available.</p>"
                   "<table cellspacing=0>" + "".join(rows) + "</table>")
    genes = b.get("genes") or {}
    if not genes and recs:
        genes = (recs[0].get("basis") or {}).get("genes") or {}
    if genes:
        out.append("<h3 style='margin:12px 0 0 0'>Gene results used</h3>")
        out += [gene_html(g, v) for g, v in genes.items()]
    return "".join(out)

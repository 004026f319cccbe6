"""The family history for the consult summary: the pedigree drawing (painted by the PDF renderer with the same
painter as the window) and the hereditary risk lines, de-identified when asked.

De-identified (HIPAA Safe Harbor, as the rest of the report): no names under the symbols (the relationship is
written instead), no years of birth, ages over 89 shown as "90+".
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from workstation.family import kinship
from workstation.family.drawing import Drawing, drawing, short_relation
from workstation.family.risk import family_risk

FAMILY_MODELS = {"gail_bcrat"}     # shown in the family section (with their inputs), not in the risk table
_AGE = re.compile(r"\b(d\. |)(\d{2,3})( y|)\b")


@dataclass(frozen=True)
class FamilySection:
    drawing: Drawing = field(default_factory=Drawing)
    people: int = 0
    risk: tuple[str, ...] = ()              # "Gail 5-year: 3.3 %" / "PREMM5: not computed - reason"
    criteria: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def _deid_line(text: str) -> str | None:
    if text.startswith("b. "):
        return None
    return _AGE.sub(lambda m: f"{m.group(1)}90+{m.group(3)}" if int(m.group(2)) > 89 else m.group(0), text)


from workstation.models.bcrat import LABELS as _GAIL_LABELS  # noqa: E402


def _gail_inputs(s, deidentify: bool) -> str:
    parts = []
    for k, v in s.inputs_used.items():
        if isinstance(v, bool):
            v = "yes" if v else "no"
        elif isinstance(v, float) and v == int(v):
            v = int(v)
        if deidentify and k in ("T1", "T2") and isinstance(v, int) and v > 89:
            v = "90+"
        src = s.sources.get(k, {}).get("display") or s.sources.get(k, {}).get("table", "")
        parts.append(f"{_GAIL_LABELS.get(k, k)} {v}" + (f" ({src})" if src and src != "patients" else ""))
    return "; ".join(parts)


def family_section(profile, *, deidentify: bool = False, registry=None) -> FamilySection | None:
    from workstation.family.record import with_record

    fam = with_record(getattr(profile, "family", None), profile)
    if fam is None or not fam.people:
        return None
    d = drawing(fam)
    if deidentify:
        d = copy.deepcopy(d)
        rel = kinship.relatives(fam)
        for s in d.symbols:
            if not s.lines:
                continue
            first = "patient" if s.id == fam.index_id else short_relation(rel[s.id].display) if s.id in rel else ""
            rest = [x for x in (_deid_line(t) for t in s.lines[1:]) if x]
            s.lines = [first] + rest
            s.tooltip = ""
    risk = family_risk(profile, registry)
    lines = []
    for s in risk.scores:
        if s.value is not None:
            extra = f" ({s.band})" if s.band else ""
            unknown = (f"; unknown: {', '.join(_GAIL_LABELS.get(k, k) for k in sorted(s.defaults_used))}"
                       if s.defaults_used else "")
            lines.append(f"{s.name}: {s.value * 100:.1f} %{extra}{unknown}")
        elif s.applicable:
            lines.append(f"{s.name}: not computed - {s.refused}")
        if s.model == "gail_bcrat" and s.inputs_used and "to age 90" not in s.name:
            lines.append("Gail inputs: " + _gail_inputs(s, deidentify))
        lines += [f"  note: {n}" for n in s.notes if "to age 90" not in s.name]
    numbers = {s.id: s.number for s in d.symbols}
    crit = []
    for c in risk.criteria:
        who = ", ".join(numbers.get(p, p) for p in c.people)
        crit.append(f"{c.name} ({c.source}): {'met by ' + who if c.met else 'not met'}"
                    + (f"; not assessable from a pedigree: {'; '.join(c.not_assessable)}" if c.not_assessable else ""))
    inferred = sum(1 for p in fam.people.values() if p.inferred)
    notes = (f"{inferred} dashed symbol(s): people added only to connect recorded relatives.",) if inferred else ()
    return FamilySection(d, len(fam), tuple(lines), tuple(crit), notes)

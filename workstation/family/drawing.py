"""What a pedigree drawing shows, computed once in the core from the family and its layout; the window and the PDF
paint it (``ui/widgets/pedigree_scene.py``) without deciding anything themselves.

Conventions of the NSGC standardised pedigree nomenclature (Bennett et al. J Genet Couns 1995; 2008;17:424;
2022;31:1238; as summarised in ``shared/reference/risk/HEREDITARY.md`` 1a):

* shape = gender when recorded (2022), else sex assigned at birth: square man/male, circle woman/female, diamond
  unknown / non-binary / not specified; AFAB / AMAB / UAAB written below when sex assigned at birth differs;
* affected = filled; several conditions = the symbol divided into quarters, every fill named in the legend;
* deceased = diagonal slash lower-left to upper-right, "d. 52" below; proband = arrow to the lower-left with P;
  consultand = arrow without P; carrier not expected to manifest = dot in the centre;
* partners joined by a horizontal line, double when consanguineous, a slash across when separated; siblings hang
  from a sibship line in birth order, left to right; twins from one point (a bar between them for monozygotic,
  "?" for unknown zygosity); adoption = brackets around the symbol, dashed line of descent for adoptive parents;
* generations numbered I, II, III at the left; individuals 1, 2, 3 left to right within a generation ("II-3").

People added only to connect recorded relatives (``Person.inferred``) are drawn with a dashed outline and no text.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from workstation.family import kinship
from workstation.family.layout import Layout, layout as make_layout
from workstation.family.model import CANCERS, CONDITION_LABELS, Family, Person

ROW_GAP = 2.3            # generation spacing in symbol units (room for three lines of text below each symbol)
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
SHORT = {"breast_cancer": "Breast ca", "contralateral_breast_cancer": "2nd breast ca", "ovarian_cancer": "Ovarian ca",
         "prostate_cancer": "Prostate ca", "pancreatic_cancer": "Pancreatic ca", "colorectal_cancer": "Colorectal ca",
         "endometrial_cancer": "Endometrial ca", "gastric_cancer": "Stomach ca", "small_bowel_cancer": "Small-bowel ca",
         "urothelial_cancer": "Urothelial ca", "biliary_cancer": "Biliary ca", "brain_cancer": "Brain tumour",
         "sebaceous_tumour": "Sebaceous tumour", "diabetes": "Diabetes"}
MAX_QUARTERS = 4
HALF = 0.22              # half the symbol size, in units of the horizontal pitch


@dataclass
class Symbol:
    id: str
    x: float
    y: float
    shape: str                         # square | circle | diamond
    fills: list[int] = field(default_factory=list)   # legend indices, one per quarter (at most 4)
    deceased: bool = False
    proband: bool = False
    consultand: bool = False
    carrier: bool = False
    adopted: str | None = None
    inferred: bool = False
    number: str = ""                   # "II-3"
    lines: list[str] = field(default_factory=list)   # text below the symbol
    tooltip: str = ""


@dataclass
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    style: str = "solid"               # solid | dashed | double
    kind: str = "descent"              # partner | descent | sibship | twin | mz_bar | separation


@dataclass
class Drawing:
    symbols: list[Symbol] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)     # (condition key, label)
    generations: list[tuple[str, float]] = field(default_factory=list)
    width: float = 0.0
    height: float = 0.0
    notes: list[str] = field(default_factory=list)

    def symbol(self, pid: str) -> Symbol | None:
        return next((s for s in self.symbols if s.id == pid), None)


def short_relation(display: str) -> str:
    """'natural mother' -> 'mother', 'maternal grandfather' -> 'mat. grandfather' (fits under a symbol)."""
    out = display.replace("natural ", "").replace("maternal ", "mat. ").replace("paternal ", "pat. ")
    out = out.replace("first cousin", "cousin").replace("family member", "")
    return "partner" if out in ("husband", "wife", "spouse") else out


def _shape(p: Person) -> str:
    g = (p.gender or "").lower()
    if g in ("woman", "female", "girl"):
        return "circle"
    if g in ("man", "male", "boy"):
        return "square"
    if g:
        return "diamond"
    return {"female": "circle", "male": "square"}.get(p.sex, "diamond")


def _assigned_note(p: Person) -> str | None:
    if not p.gender:
        return None
    shape_sex = {"circle": "female", "square": "male"}.get(_shape(p))
    if shape_sex == p.sex:
        return None
    return {"female": "AFAB", "male": "AMAB"}.get(p.sex, "UAAB")


def _age_text(p: Person) -> str | None:
    if p.deceased:
        return f"d. {p.age}" if p.age is not None else "d."
    if p.age is not None:
        return f"{p.age} y"
    if p.year_of_birth:
        return f"b. {p.year_of_birth}"
    return None


def _dx_text(p: Person) -> list[str]:
    out = []
    for d in p.diagnoses:
        label = SHORT.get(d.condition, d.label)
        out.append(f"{label} {d.age}" if d.age is not None else f"{label} (age ?)")
    pos = [t.gene + ("+" if t.positive else "") for t in p.tests if t.positive]
    neg = [t.gene for t in p.tests if t.result == "N"]
    if pos:
        out.append(" ".join(pos))
    if neg and len(neg) <= 2:
        out.append(" ".join(g + "-" for g in neg))
    elif neg:
        out.append(f"{len(neg)} genes tested negative")
    return out


def drawing(f: Family, lay: Layout | None = None) -> Drawing:
    lay = lay or make_layout(f)
    d = Drawing()
    if not f.people:
        return d
    keys: list[str] = []
    order = list(CANCERS) + [k for k in CONDITION_LABELS if k not in CANCERS]
    present = {x.condition for p in f.people.values() for x in p.diagnoses}
    for k in order:
        if k in present:
            keys.append(k)
    others = sorted({x.label for p in f.people.values() for x in p.diagnoses if x.condition == "other"})
    legend_key = {k: i for i, k in enumerate(keys)}
    d.legend = [(k, CONDITION_LABELS[k]) for k in keys]
    for o in others:
        legend_key[f"other:{o}"] = len(d.legend)
        d.legend.append((f"other:{o}", o))
    idx = f.index_id
    rel = kinship.relatives(f, idx) if idx else {}
    y_of = {pid: lay.depth[pid] * ROW_GAP for pid in f.people}
    for r, row in enumerate(lay.rows):
        d.generations.append((ROMAN[r] if r < len(ROMAN) else str(r + 1), r * ROW_GAP))
        for n, pid in enumerate(sorted(row, key=lambda q: lay.x[q]), 1):
            p = f.people[pid]
            fills = []
            for dx in p.diagnoses:
                k = dx.condition if dx.condition != "other" else f"other:{dx.label}"
                if legend_key.get(k) is not None and legend_key[k] not in fills:
                    fills.append(legend_key[k])
            s = Symbol(pid, lay.x[pid], y_of[pid], _shape(p), fills[:MAX_QUARTERS], p.deceased,
                       proband=pid == f.proband, consultand=pid == f.consultand and pid != f.proband,
                       carrier=p.carrier, adopted=p.adopted, inferred=p.inferred,
                       number=f"{d.generations[-1][0]}-{n}")
            if not p.inferred:
                who = p.name or (short_relation(rel[pid].display) if pid in rel else "")
                if pid == idx:
                    who = p.name or "patient"
                s.lines = [x for x in [who[:22], _age_text(p), _assigned_note(p)] if x] + _dx_text(p)
                s.tooltip = "\n".join([s.number] + s.lines)
            d.symbols.append(s)
    half = HALF
    for a, b, consang, separated in lay.couples:
        if a not in lay.x or b not in lay.x:
            continue
        xa, xb = sorted((lay.x[a], lay.x[b]))
        ya = y_of[a]
        if y_of[b] != ya:                       # partners in different generations: an elbow line
            d.lines.append(Line(lay.x[a], ya, lay.x[b], y_of[b], "double" if consang else "solid", "partner"))
            continue
        d.lines.append(Line(xa + half, ya, xb - half, ya, "double" if consang else "solid", "partner"))
        if separated:
            mid = (xa + xb) / 2
            d.lines.append(Line(mid - 0.08, ya + 0.18, mid + 0.08, ya - 0.18, "solid", "separation"))
    taken: dict[tuple[float, int], list[tuple[float, float]]] = {}
    for sib in lay.sibships:
        kids = [c for c in sib.children if c in lay.x]
        if not kids:
            continue
        pars = [p for p in sib.parents if p in lay.x]
        if len(pars) == 2 and y_of[pars[0]] == y_of[pars[1]]:
            top_x, top_y = sum(lay.x[p] for p in pars) / 2, y_of[pars[0]]
        else:
            top_x, top_y = lay.x[pars[0]], y_of[pars[0]] + half
        kid_y = min(y_of[c] for c in kids)
        span = (min([lay.x[c] for c in kids] + [top_x]) - 0.3, max([lay.x[c] for c in kids] + [top_x]) + 0.3)
        level = 0
        while any(a < span[1] and span[0] < b for a, b in taken.setdefault((kid_y, level), [])):
            level += 1                 # sibship lines whose spans overlap are drawn at different heights
        taken[(kid_y, level)].append(span)
        bar_y = kid_y - 0.95 + 0.2 * level
        d.lines.append(Line(top_x, top_y, top_x, bar_y, "solid", "descent"))
        groups: dict[str, list[str]] = {}
        singles = []
        for c in kids:
            t = f.people[c].twin_group
            (groups.setdefault(t, []) if t else singles).append(c)
        anchors = [lay.x[c] for c in singles]
        for t, members in groups.items():
            apex = sum(lay.x[c] for c in members) / len(members)
            anchors.append(apex)
            for c in members:
                d.lines.append(Line(apex, bar_y, lay.x[c], y_of[c] - half, "solid", "twin"))
            ztype = f.people[members[0]].twin_type
            if ztype == "MZ" and len(members) >= 2:
                xs = sorted(lay.x[c] for c in members)
                fy = 0.45
                d.lines.append(Line(apex + (xs[0] - apex) * fy, bar_y + (y_of[members[0]] - half - bar_y) * fy,
                                    apex + (xs[-1] - apex) * fy, bar_y + (y_of[members[0]] - half - bar_y) * fy,
                                    "solid", "mz_bar"))
            elif ztype == "unknown":
                d.notes.append(f"twins {', '.join(members)}: zygosity unknown (?)")
        lo, hi = min(anchors + [top_x]), max(anchors + [top_x])
        if hi > lo:
            d.lines.append(Line(lo, bar_y, hi, bar_y, "solid", "sibship"))
        for c in singles:
            style = "dashed" if f.people[c].adopted == "in" else "solid"
            d.lines.append(Line(lay.x[c], bar_y, lay.x[c], y_of[c] - half, style, "descent"))
    d.width = max(lay.x.values()) + 1.0 if lay.x else 0.0
    d.height = (len(lay.rows) - 1) * ROW_GAP + 1.0 + 1.6
    return d

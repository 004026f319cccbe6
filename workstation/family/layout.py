"""Automatic pedigree layout in the three steps of kinship2's ``align.pedigree`` (Therneau & Sinnwell, the
"Pedigree alignment" vignette of ``mayoverse/kinship2``): depth, then order, then spacing. Own code (kinship2 is
GPL); the published algorithm is followed, not its source.

1. **Depth** (kinship2 ``kindepth`` with ``align_parents``): founders 0, a child one below its deeper parent; a
   founder who married into the family is moved to the depth of the partner, and children are pushed down again,
   until nothing changes.
2. **Order** (``alignped1``-``alignped3``): a depth-first walk from the founders places each person with their
   partners side by side (man on the left where both sexes are known) and each couple's children in birth order in
   the row below, so every sibship and every subtree is contiguous. A child who marries into another branch of
   the pedigree is moved to the end of the sibship next to that branch, and the spouse's own family is placed
   next (partners adjacent where possible).
3. **Spacing** (``alignped4``, a quadratic program in kinship2): positions minimise the squared distances between
   each person and where the family wants them (children centred under their parents, parents centred over their
   children) subject to the row order and a minimum gap. Solved row by row exactly - the order-constrained
   least-squares problem is an isotonic regression (pool-adjacent-violators) - and alternated top-down and
   bottom-up for a few sweeps instead of one global QP.

Coordinates are in symbol units: x one symbol pitch apart at least, y = generation (0 at the top).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from workstation.family.model import Family

GAP_FAMILY = 1.0        # partners and siblings: one symbol pitch
GAP_OTHER = 1.35        # between unrelated neighbours in a row: a little more, so families read apart
SWEEPS = 6


@dataclass
class Sibship:
    parents: tuple[str, ...]          # one or two ids
    children: list[str]


@dataclass
class Layout:
    x: dict[str, float] = field(default_factory=dict)
    depth: dict[str, int] = field(default_factory=dict)
    rows: list[list[str]] = field(default_factory=list)
    couples: list[tuple[str, str, bool, bool]] = field(default_factory=list)   # a, b, consanguineous, separated
    sibships: list[Sibship] = field(default_factory=list)

    @property
    def width(self) -> float:
        return (max(self.x.values()) - min(self.x.values())) if self.x else 0.0


def depths(f: Family) -> dict[str, int]:
    d: dict[str, int] = {}
    for _ in range(len(f.people) + 2):
        changed = False
        for pid, p in f.people.items():
            pars = [x for x in (p.father, p.mother) if x and x in f.people]
            want = (1 + max(d.get(x, 0) for x in pars)) if pars else d.get(pid, 0)
            if d.get(pid) != want and (pars or pid not in d):
                d[pid] = want
                changed = True
        for pt in f.couples():
            a, b = pt.a, pt.b
            if a not in f.people or b not in f.people or d.get(a) == d.get(b):
                continue
            lo, hi = (a, b) if d[a] < d[b] else (b, a)
            if not f.people[lo].father and not f.people[lo].mother:      # a married-in founder moves down
                d[lo] = d[hi]
                changed = True
        if not changed:
            break
    return d


def _partners_sorted(f: Family, pid: str) -> list[str]:
    return [q for q in f.partners(pid) if q in f.people]


def order(f: Family, depth: dict[str, int]) -> list[list[str]]:
    rows: dict[int, list[str]] = {}
    placed: set[str] = set()
    pending: list[str] = []        # spouses whose own family is to be placed next

    def put(pid: str) -> None:
        rows.setdefault(depth[pid], []).append(pid)
        placed.add(pid)

    def connects_elsewhere(pid: str) -> bool:
        return any(f.people[q].father or f.people[q].mother for q in _partners_sorted(f, pid))

    def walk(pid: str) -> None:
        if pid in placed:
            return
        me = f.people[pid]
        partners = [q for q in _partners_sorted(f, pid) if q not in placed]
        founder = not me.father and not me.mother
        if founder and me.sex == "female" and len(partners) == 1 and f.people[partners[0]].sex == "male":
            put(partners[0])
            put(pid)
        else:
            put(pid)
            for q in partners:
                put(q)
        for q in partners:
            if f.people[q].father or f.people[q].mother:
                pending.append(q)
        for q in _partners_sorted(f, pid):
            kids = [c.id for c in f.children_of(pid, q) if c.id not in placed]
            kids.sort(key=lambda c: connects_elsewhere(c))            # stable: birth order kept otherwise
            for c in kids:
                walk(c)
        for c in [c.id for c in f.children(pid) if c.id not in placed]:   # children with an unknown partner
            walk(c)

    def walk_root(pid: str) -> None:
        walk(pid)
        while pending:            # a spouse's own family goes next, once the current one is complete
            q = pending.pop(0)
            top = _top_ancestor(f, q, placed)
            if top is not None:
                walk(top)

    for p in f.people.values():
        if not p.father and not p.mother and p.id not in placed:
            if any(f.people[q].father or f.people[q].mother for q in _partners_sorted(f, p.id)):
                continue          # a married-in founder is placed with the partner
            walk_root(p.id)
    for pid in f.people:           # anyone left (e.g. only married-in founders in a cycle)
        if pid not in placed:
            walk_root(pid)
    return [rows.get(i, []) for i in range(max(rows) + 1)] if rows else []


def _top_ancestor(f: Family, pid: str, placed: set[str]) -> str | None:
    """The first unplaced founder above ``pid`` (following the father, then the mother)."""
    stack, seen = [pid], set()
    while stack:
        cur = stack.pop(0)
        if cur in seen:
            continue
        seen.add(cur)
        p = f.people[cur]
        pars = [x for x in (p.father, p.mother) if x and x in f.people]
        if not pars:
            if cur not in placed:
                return cur
            continue
        stack.extend(pars)
    return None


def _pava(desired: list[float], gaps: list[float]) -> list[float]:
    """argmin sum (x_i - d_i)^2 subject to x_{i+1} - x_i >= gaps[i] (isotonic regression on shifted values)."""
    offs = [0.0]
    for g in gaps:
        offs.append(offs[-1] + g)
    y = [d - o for d, o in zip(desired, offs)]
    blocks: list[list[float]] = []      # [sum, count]
    for v in y:
        blocks.append([v, 1.0])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            s, n = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += n
    out: list[float] = []
    for s, n in blocks:
        out += [s / n] * int(n)
    return [v + o for v, o in zip(out, offs)]


def layout(f: Family) -> Layout:
    lay = Layout()
    if not f.people:
        return lay
    lay.depth = depths(f)
    lay.rows = order(f, lay.depth)
    couples = f.couples()
    pairs = {frozenset((c.a, c.b)) for c in couples}
    lay.couples = [(c.a, c.b, c.consanguineous, c.separated) for c in couples]
    groups: dict[tuple, list[str]] = {}
    for p in f.people.values():
        pars = tuple(x for x in (p.father, p.mother) if x and x in f.people)
        if pars:
            groups.setdefault(pars, []).append(p.id)
    lay.sibships = [Sibship(k, v) for k, v in groups.items()]
    sib_of = {c: k for k, v in groups.items() for c in v}

    def gaps(row: list[str]) -> list[float]:
        out = []
        for a, b in zip(row, row[1:]):
            related = frozenset((a, b)) in pairs or (sib_of.get(a) is not None and sib_of.get(a) == sib_of.get(b))
            out.append(GAP_FAMILY if related else GAP_OTHER)
        return out

    x: dict[str, float] = {}
    for row in lay.rows:
        g = gaps(row)
        pos = 0.0
        for i, pid in enumerate(row):
            x[pid] = pos
            pos += g[i] if i < len(g) else 0.0
    children_of_couple = {k: v for k, v in groups.items()}
    for _ in range(SWEEPS):
        for r in range(1, len(lay.rows)):                  # children under their parents
            row = lay.rows[r]
            want = {}
            for pars, kids in children_of_couple.items():
                kids_here = [k for k in row if k in kids]
                if not kids_here:
                    continue
                mid = sum(x[p] for p in pars) / len(pars)
                n = len(kids_here)
                for i, k in enumerate(kids_here):
                    want[k] = mid + (i - (n - 1) / 2) * GAP_FAMILY
            for pid in row:                               # married-in partners beside their partner's target
                if pid not in want:
                    mates = [q for q in f.partners(pid) if q in want]
                    if mates:
                        side = 1 if row.index(pid) > row.index(mates[0]) else -1
                        want[pid] = want[mates[0]] + side * GAP_FAMILY
            new = _pava([want.get(p, x[p]) for p in row], gaps(row))
            x.update(zip(row, new))
        for r in range(len(lay.rows) - 2, -1, -1):          # parents over their children
            row = lay.rows[r]
            want = {}
            for pars, kids in children_of_couple.items():
                if not all(p in row for p in pars):
                    continue
                centre = sum(x[k] for k in kids) / len(kids)
                if len(pars) == 2:
                    a, b = sorted(pars, key=row.index)
                    half = (x[b] - x[a]) / 2 if abs(row.index(a) - row.index(b)) == 1 else GAP_FAMILY / 2
                    want.setdefault(a, centre - half)
                    want.setdefault(b, centre + half)
                else:
                    want.setdefault(pars[0], centre)
            new = _pava([want.get(p, x[p]) for p in row], gaps(row))
            x.update(zip(row, new))
        for row in lay.rows:                                  # partners drawn together (kinship2's spouse term)
            want = {}
            for a, b in zip(row, row[1:]):
                if frozenset((a, b)) in pairs and x[b] - x[a] > GAP_FAMILY:
                    mid = (x[a] + x[b]) / 2
                    want[a] = (x[a] + mid - GAP_FAMILY / 2) / 2
                    want[b] = (x[b] + mid + GAP_FAMILY / 2) / 2
            if want:
                x.update(zip(row, _pava([want.get(p, x[p]) for p in row], gaps(row))))
    lo = min(x.values())
    lay.x = {k: v - lo for k, v in x.items()}
    return lay


def overlaps(lay: Layout, min_gap: float = GAP_FAMILY - 1e-6) -> list[tuple[str, str]]:
    """Pairs in the same row closer than ``min_gap`` (an empty list for a valid layout)."""
    out = []
    for row in lay.rows:
        xs = sorted(row, key=lambda p: lay.x[p])
        for a, b in zip(xs, xs[1:]):
            if lay.x[b] - lay.x[a] < min_gap:
                out.append((a, b))
    return out

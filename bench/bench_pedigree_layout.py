"""Pedigree layout and drawing time (issue 14): ``python bench/bench_pedigree_layout.py [--people 50] [--runs 30]``.

Builds families of the given size through the core's edit functions (relatives of every degree added around one
person, seeded), then times ``workstation.family.layout.layout`` (depth, order, spacing) and ``drawing.drawing``
(layout + NSGC symbols and lines) with ``time.perf_counter``; prints the median and the range over the runs for
each family, and the CEPH 1463 pedigree when ``shared/data`` is beside the checkout. Target: 50 people <= 100 ms.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workstation.family import drawing, edit, layout, ped  # noqa: E402
from workstation.family.model import Family, Person  # noqa: E402

CODES = ["MTH", "FTH", "SIS", "BRO", "MAUNT", "PAUNT", "MUNCLE", "PUNCLE", "MCOUSN", "PCOUSN", "DAU", "SON",
         "NIECE", "NEPHEW", "MGRMTH", "PGRFTH", "HSIS", "GRNDDAU"]


def family(n: int, seed: int) -> Family:
    rng = random.Random(seed)
    f = Family(people={"me": Person("me", sex="female", age=40)}, consultand="me")
    while len(f) < n:
        try:
            f, _ = edit.add_by_role(f, "me", rng.choice(CODES))
        except edit.FamilyEditError:
            pass
    return f


def timed(fn, arg, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn(arg)
        out.append((time.perf_counter() - t) * 1000)
    return out


def report(label: str, ms: list[float]) -> None:
    print(f"{label:44s} median {statistics.median(ms):7.2f} ms  (min {min(ms):.2f}, max {max(ms):.2f}, n={len(ms)})")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=50)
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    for seed in range(3):
        f = family(args.people, seed)
        report(f"layout, {len(f)} people (seed {seed})", timed(layout.layout, f, args.runs))
        report(f"layout + drawing, {len(f)} people (seed {seed})", timed(drawing.drawing, f, args.runs))
    ceph = Path(__file__).resolve().parents[2] / "shared" / "data" / "pedigree" / "ceph1463.ped"
    if ceph.exists():
        f = ped.read(ceph)[0]
        report("layout, CEPH 1463 (17 people)", timed(layout.layout, f, args.runs))
    big = family(200, 7)
    report(f"layout, {len(big)} people (seed 7)", timed(layout.layout, big, max(5, args.runs // 5)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark one patient's analysis (``workstation.analysis.analyse``) against the work the window did per open
before it (PGx calls; guidance twice, for the banner and the PGx view; every model scored; the Risk view mapping
every model's inputs again). Prints numbers; asserts nothing.

    python bench/bench_analysis.py [--patients 8] [--repeat 5]

Builds a synthetic demo store (fast key derivation) in a temp folder, loads each profile once, then times each path
``--repeat`` times per patient and prints the median per patient and the ratio.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path


def _before(profile, reg) -> None:
    from workstation import pgx
    from workstation.models import map_inputs, score_all
    from workstation.models.profile_inputs import gather_facts

    result = pgx.call_profile(profile)
    pgx.guidance(result, profile.active_medications())          # the banner alerts
    pgx.guidance(result, profile.active_medications())          # the PGx view
    scores = score_all(profile, result, registry=reg)
    facts = gather_facts(profile, result)                       # the Risk view's re-mapping
    for s in scores:
        if reg.card(s.model).get("kind") != "prs":
            map_inputs(profile, s.model, result, registry=reg, facts=facts)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--patients", type=int, default=8)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    from workstation import vault
    from workstation.analysis import analyse
    from workstation.demo import build_demo_store
    from workstation.models import get_registry

    reg = get_registry()
    with tempfile.TemporaryDirectory() as d:
        store = build_demo_store(Path(d) / "b.duckdb", "bench-passphrase", n_patients=args.patients,
                                 kdf=vault.FAST_KDF)
        ids = [f"demo-{i + 1:04d}" for i in range(args.patients)]
        profiles = [store.profile(pid, audit_open=False) for pid in ids]
        store.close()
    analyse(profiles[0], registry=reg)                          # warm the tables and sessions
    _before(profiles[0], reg)
    t_new, t_old = [], []
    for _ in range(args.repeat):
        for p in profiles:
            t = time.perf_counter()
            analyse(p, registry=reg)
            t_new.append(time.perf_counter() - t)
            t = time.perf_counter()
            _before(p, reg)
            t_old.append(time.perf_counter() - t)
    new, old = statistics.median(t_new) * 1e3, statistics.median(t_old) * 1e3
    print(f"analyse(profile), one patient: median {new:.1f} ms over {len(t_new)} runs")
    print(f"per-open work before (calls, guidance x2, score_all, re-mapping): median {old:.1f} ms")
    print(f"ratio before / now: {old / new:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Self-check of the shipped models for ``workstation selftest``: every model passes its hash check and scores
a synthetic mid-range input (no patient data)."""
from __future__ import annotations

import time


def _probe_inputs(card: dict) -> dict:
    """Mid-range value for each numeric input, first category, False for booleans (PRS: every variant dosage 1)."""
    out: dict = {}
    for spec in card.get("inputs", []):
        name, kind = spec["name"], spec.get("type")
        if name == "<rsID>":
            for variant in card.get("variants", []):
                out[variant["rsid"]] = 1
            continue
        if kind == "number":
            lo, hi = spec.get("range", [0, 1])
            out[name] = (lo + hi) / 2
        elif kind == "category":
            out[name] = spec["categories"][0]
        elif kind == "boolean":
            out[name] = False
        elif kind == "code":         # a coded answer (the Gail model's BCRA codes): the card's probe or default
            out[name] = spec.get("probe", spec.get("default"))
    guard = card.get("guard")
    if guard:      # an expression model: its own training median profile passes its assay check by construction
        out.update(zip(guard["probes"], guard["median_profile"]))
    return out


def selfcheck_models() -> list[dict]:
    from workstation.models.registry import load_registry

    t0 = time.perf_counter()
    try:
        reg = load_registry()
    except Exception as exc:
        return [{"name": "models", "ok": False, "detail": str(exc).splitlines()[0],
                 "seconds": time.perf_counter() - t0}]
    checks = [{"name": f"model {mid}", "ok": False, "detail": f"refused: {why}", "seconds": 0.0}
              for mid, why in sorted(reg.problems.items())]
    for card in reg.cards():
        mid = card["id"]
        if mid in reg.problems:
            continue
        t1 = time.perf_counter()
        try:
            s = reg.score(mid, _probe_inputs(card), explain=False)
            ok = s.refused is None and s.value is not None
            detail = (f"sha256 ok, probe score {s.value:.4g} {s.unit or ''}".rstrip() if ok
                      else f"sha256 ok, probe refused: {s.refused}")
        except Exception as exc:
            ok, detail = False, str(exc).splitlines()[0]
        checks.append({"name": f"model {mid}", "ok": ok, "detail": detail, "seconds": time.perf_counter() - t1})
    if not checks:
        checks.append({"name": "models", "ok": False, "detail": "no models found", "seconds": 0.0})
    return checks

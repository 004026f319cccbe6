"""Drug alerts for the patient banner: traffic lights (avoid / adjust / standard) for this patient's medicines.

The data come from the core pharmacogenomics API (``workstation.pgx.call_profile(profile)`` then
``workstation.pgx.guidance(result, medications)``). Until that API exists, :func:`available` is False and the banner
shows no alerts area. :func:`compute` runs on the runner's worker (it reads no store, but the caller may be slow).
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass

LEVELS = ("avoid", "adjust", "standard", "info")
# "info": guidance exists but no recommendation applies to the results available (a missing result is not standard).
LEVEL_TEXT = {"avoid": "avoid", "adjust": "adjust", "standard": "standard", "info": "no usable result"}


@dataclass(frozen=True)
class Alert:
    level: str        # avoid | adjust | standard | info
    drug: str
    text: str         # one plain sentence, with its source (e.g. "CPIC 2022: …")
    source: str = ""


def _pgx():
    try:
        mod = importlib.import_module("workstation.pgx")
    except ImportError:
        return None
    return mod if hasattr(mod, "call_profile") and hasattr(mod, "guidance") else None


def available() -> bool:
    return _pgx() is not None


_SEVERITY_LEVEL = {"high": "avoid", "moderate": "adjust", "info": "standard"}


def _level(alert) -> str:
    """avoid / adjust / standard from the core alert's recommendation action, else from its severity."""
    rec = getattr(alert, "recommendation", None)
    action = str(getattr(rec, "action", "") or "").lower()
    for word, lv in (("avoid", "avoid"), ("alternative", "avoid"), ("adjust", "adjust"), ("reduce", "adjust"),
                     ("standard", "standard")):
        if word in action:
            return lv
    if rec is None:
        return "info"
    return _SEVERITY_LEVEL.get(str(getattr(alert, "severity", "")), "adjust")


def compute(store, profile) -> list[Alert]:
    """Alerts for the profile's active medications (empty when there are none or the PGx API is missing)."""
    pgx = _pgx()
    meds = profile.active_medications()
    if pgx is None or meds.empty:
        return []
    alerts, _recs = pgx.guidance(pgx.call_profile(profile), meds)
    out = []
    for a in alerts:
        b = getattr(a, "basis", {}) or {}
        src = " ".join(str(x) for x in (b.get("guideline"), b.get("guideline_year")) if x)
        out.append(Alert(_level(a), str(a.medication or a.drug), str(a.headline), src))
    return sorted(out, key=lambda a: LEVELS.index(a.level))

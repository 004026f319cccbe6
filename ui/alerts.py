"""Drug alerts for the patient banner: traffic lights (avoid / adjust / standard) for this patient's medicines.

The data come from the core pharmacogenomics API (the patient's calls, cached once per patient in
``ui.views._derived``, then ``workstation.pgx.guidance(result, medications)``); the colour is the core's
``Level`` on each alert. :func:`compute` runs on the runner's worker.
"""
from __future__ import annotations

from dataclasses import dataclass

LEVELS = ("avoid", "adjust", "caution", "standard", "info")
# "info": guidance exists but no recommendation applies to the results available (a missing result is not standard).
# "caution": standard guidance resting on an incomplete, ambiguous or translated gene result.
LEVEL_TEXT = {"avoid": "avoid", "adjust": "adjust", "caution": "caution", "standard": "standard",
              "info": "no usable result"}


@dataclass(frozen=True)
class Alert:
    level: str        # avoid | adjust | standard | info
    drug: str         # the CPIC drug name ("warfarin"): the chip's text and the key of the evidence view
    text: str         # one plain sentence, with its source (e.g. "CPIC 2022: …")
    source: str = ""
    medication: str = ""   # the medicine as the record names it ("Warfarin Sodium 5 MG Oral Tablet")


def available() -> bool:
    """Kept for callers that check before asking; the pharmacogenomics core is always part of the build."""
    return True


def _level(alert) -> str:
    """The chip's word for the core's level on the alert; "info" where no recommendation applies."""
    value = getattr(getattr(alert, "level", None), "value", "no_result")
    return value if value in LEVELS else "info"


def compute(store, profile) -> list[Alert]:
    """Alerts for the profile's active medications (empty when there are none or the PGx API is missing)."""
    from ui.views import _derived
    from workstation import pgx

    meds = profile.active_medications()
    if meds.empty:
        return []
    alerts, _recs = pgx.guidance(_derived.pgx_result(profile), meds)
    out = []
    for a in alerts:
        b = getattr(a, "basis", {}) or {}
        src = " ".join(str(x) for x in (b.get("guideline"), b.get("guideline_year")) if x)
        out.append(Alert(_level(a), str(a.drug or a.medication), str(a.headline), src,
                         medication=str(a.medication or "")))
    return sorted(out, key=lambda a: LEVELS.index(a.level))

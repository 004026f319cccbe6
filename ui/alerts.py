"""Drug alerts and genomic indicators for the patient banner, taken from the patient's one analysis.

Nothing here computes: :func:`from_analysis` reads ``workstation.analysis.PatientAnalysis.alerts`` (CPIC guidance
for this patient's medicines) and the banner reads ``analysis.indicators`` directly. Levels are the core's
:class:`~workstation.levels.Level`; :func:`chip_name` is the theme's style name for one.
"""
from __future__ import annotations

from dataclasses import dataclass

from workstation.levels import Level, symbol, word

CHIP_NAMES = {Level.AVOID: "alert_avoid", Level.ADJUST: "alert_adjust", Level.CAUTION: "alert_caution",
              Level.STANDARD: "alert_standard", Level.NO_RESULT: "alert_info", Level.NO_GUIDANCE: "alert_info"}


def chip_name(level: Level) -> str:
    return CHIP_NAMES[Level(level)]


def chip_text(name: str, level: Level) -> str:
    """"✖ warfarin: avoid" — the shape carries the level without colour."""
    return f"{symbol(level)} {name}: {word(level)}"


@dataclass(frozen=True)
class Alert:
    level: Level      # the core's level
    drug: str         # the CPIC drug name ("warfarin"): the chip's text and the key of the evidence view
    text: str         # one plain sentence, with its source (e.g. "CPIC 2022: …")
    source: str = ""
    medication: str = ""   # the medicine as the record names it ("Warfarin Sodium 5 MG Oral Tablet")


def available() -> bool:
    """Kept for callers that check before asking; the pharmacogenomics core is always part of the build."""
    return True


def from_analysis(analysis) -> list[Alert]:
    """Alerts for the analysis' counted medicines, most serious first."""
    out = []
    for a in analysis.alerts:
        b = getattr(a, "basis", {}) or {}
        src = " ".join(str(x) for x in (b.get("guideline"), b.get("guideline_year")) if x)
        out.append(Alert(Level(a.level), str(a.drug or a.medication), str(a.headline), src,
                         medication=str(a.medication or "")))
    return sorted(out, key=lambda a: a.level.rank)

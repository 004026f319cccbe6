"""Unit normalisation for the importers: the single unit policy lives in :mod:`workstation.units`.

Kept so existing imports (``from workstation.ingest.units import to_ucum``) keep working; add aliases and
conversions in ``workstation/units.py`` and ``resources/units/conversions.tsv``, not here.
"""
from __future__ import annotations

from workstation.units import ALIASES, is_alias, to_ucum

__all__ = ["ALIASES", "is_alias", "to_ucum"]

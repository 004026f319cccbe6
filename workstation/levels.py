"""The one vocabulary of clinical levels, shared by the core, the window, the PDF and the exports.

A :class:`Level` is data the core attaches to a result; presenters turn it into words, colours and icons (the core
never formats colour). Order matters: :attr:`Level.rank` sorts the most serious first.

* ``AVOID``      CPIC: avoid / use an alternative / not recommended.
* ``ADJUST``     CPIC: change the dose, or read CPIC's text before prescribing (optional or conditional actions).
* ``CAUTION``    guidance applies but the result it rests on is incomplete, ambiguous or from a translated build:
                 the text applies only with that caveat, never as plain "standard".
* ``STANDARD``   CPIC: standard dosing / use per label, from a complete, unambiguous result.
* ``NO_RESULT``  CPIC guidance exists for the drug, but this patient has no usable result for its gene(s).
* ``NO_GUIDANCE`` no pharmacogenomic guidance exists for the drug (or it is outside the shipped tables).
"""
from __future__ import annotations

from enum import Enum


class Level(str, Enum):
    AVOID = "avoid"
    ADJUST = "adjust"
    CAUTION = "caution"
    STANDARD = "standard"
    NO_RESULT = "no_result"
    NO_GUIDANCE = "no_guidance"

    @property
    def rank(self) -> int:
        """0 is the most serious; use as a sort key."""
        return _ORDER.index(self)

    @classmethod
    def worst(cls, levels) -> "Level | None":
        """The most serious of ``levels`` (None for an empty iterable)."""
        levels = list(levels)
        return min(levels, key=lambda lv: lv.rank) if levels else None


_ORDER = (Level.AVOID, Level.ADJUST, Level.CAUTION, Level.STANDARD, Level.NO_RESULT, Level.NO_GUIDANCE)

# The one wording of each level, for every presenter (window, PDF, exports), and a shape that carries the level
# without colour (a pill is never colour alone).
WORDS = {Level.AVOID: "avoid", Level.ADJUST: "adjust", Level.CAUTION: "caution", Level.STANDARD: "standard",
         Level.NO_RESULT: "no usable result", Level.NO_GUIDANCE: "no guidance"}
SYMBOLS = {Level.AVOID: "\u2716", Level.ADJUST: "\u25b2", Level.CAUTION: "!", Level.STANDARD: "\u2713",
           Level.NO_RESULT: "?", Level.NO_GUIDANCE: "\u2013"}


def word(level: Level) -> str:
    return WORDS[Level(level)]


def symbol(level: Level) -> str:
    return SYMBOLS[Level(level)]

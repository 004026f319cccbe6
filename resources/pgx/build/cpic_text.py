"""Reading CPIC's recommendation text: the action it leads with, and the sentences that carry a dose.

Used by ``transcribe.py`` to fill the derived columns of ``recommendations.tsv``; the text itself is never changed.

* ``action``: the first sentence that names an action decides (the action named first in that sentence wins):
  avoid / use alternative, adjust dose, standard; a sentence that only advises about *other* drugs ("Avoid moderate and
  strong CYP2D6 inhibitors") is skipped; "no need to avoid" is standard. A standard start followed by a conditional
  change ("For chronic therapy ... consider 50% reduction") is ``see text``: the level is *adjust*, never a plain
  standard that hides CPIC's qualifier. A later sentence that opens with an indication of its own ("For non-malignant
  conditions, consider alternative ...") is a branch of the same recommendation: the most serious action among the
  first action and those branches decides, so that equivalent CPIC texts written in a different order (azathioprine
  vs mercaptopurine vs thioguanine in a TPMT or NUDT15 poor metabolizer) get the same action. CPIC's "No
  recommendation" (or no text) is ``no recommendation``.
* ``dose``: every complete sentence of the CPIC text that states a number (dose, percentage, range, ceiling) —
  whole sentences, so no bound, range, "≤" or parenthesis is lost.
"""
from __future__ import annotations

import re

_SENT = re.compile(r"(?<=[.;])\s+(?=[A-Z(])")
_NO_REC = re.compile(r"^(no recommendation|insufficient evidence)", re.I)
_AVOID = re.compile(r"\b(avoid|do not use|not recommended|contraindicated|"
                    r"(choose|select|use|consider|prescribe|recommend)( an?)? alternative)", re.I)
_STANDARD = re.compile(r"(no need to avoid|no reason to avoid|standard (starting |recommended )?dos|standard starting|per standard|label[- ]recommended|"
                       r"according to the product label|normal starting dose|desired starting dose|"
                       r"recommended (standard )?starting dose|recommended standard of care|no indication to change|"
                       r"no adjustments? needed|typical dosing|initiate therapy with (the )?recommended|\busual\b)", re.I)
_ADJUST = re.compile(r"(\b(reduc|decreas|increas|lower)\w*\b[^.]*\b(dose|dosing|doses)\b|\b(dose|doses)\b[^.]*"
                     r"\b(reduc|decreas|increas)\w*|\d+\s*%|\d+(\.\d+)?\s*(mg|times)\b|\bmaintenance dose)", re.I)
_CONDITIONAL = re.compile(r"\bconsider\b[^.]*\b(reduc|decreas|increas|alternative)", re.I)
_NUMBER = re.compile(r"\d")
_OTHER_DRUGS = re.compile(r"\binhibitors?\b|\bother\b", re.I)
_BRANCH = re.compile(r"^(based on [\w ]+?, )?for [^,.]{3,60},", re.I)   # "For malignancy, ...", "For non-malignant ..."
_SERIOUS = {"avoid / use alternative": 3, "adjust dose": 2, "see text": 2, "standard": 1}


def sentences(text: str) -> list[str]:
    return [s for s in _SENT.split(text.strip()) if s]


def _sentence_action(s: str, drug: str) -> str | None:
    low = s.lower()
    if _NO_REC.match(low):
        return "no recommendation"
    if "could not be assigned" in low:
        return "see text"
    hits = []
    for name, rx in (("avoid / use alternative", _AVOID), ("standard", _STANDARD), ("adjust dose", _ADJUST)):
        m = rx.search(s)
        if m:
            hits.append((m.start(), name))
    if not hits:
        return None
    hits.sort()
    first = hits[0][1]
    if first == "standard" and "caution" in low:
        return "see text"          # "Use at standard doses with caution and with close monitoring"
    if first == "avoid / use alternative":
        m = _AVOID.search(s)
        if "no need to avoid" in low or "no reason to avoid" in low:
            return "standard"
        tail = s[m.start():].lower()
        if _OTHER_DRUGS.search(tail.split(".")[0]) and drug.lower() not in tail and "alternative" not in tail[:40]:
            return None          # advice about other drugs (CYP2D6 inhibitors), not about this drug
    return first


def action(text: str | None, drug: str) -> str:
    if text is None or not text.strip() or text.strip() in ("None", "n/a") or _NO_REC.match(text.strip()):
        return "no recommendation"
    sents = sentences(text)
    for i, s in enumerate(sents):
        a = _sentence_action(s, drug)
        if a is None:
            continue
        if a == "standard" and any(_CONDITIONAL.search(x) for x in sents[i + 1:]):
            a = "see text"
        branches = [b for x in sents[i + 1:] if _BRANCH.match(x) and (b := _sentence_action(x, drug)) in _SERIOUS]
        return max([a, *branches], key=lambda v: _SERIOUS.get(v, 0))
    return "see text"


def dose_sentences(text: str | None) -> str:
    """The complete sentences of ``text`` that state a number, joined as written (empty when there are none)."""
    if not text:
        return ""
    return " ".join(s for s in sentences(text) if _NUMBER.search(re.sub(r"\(PMID[^)]*\)|\*\d+(:\d+)?", "", s)))

"""The assay guard of an expression model: refuse a profile that is not on the training platform and scale.

A model trained on one microarray platform's log2 intensities gives confident nonsense on RNA-seq counts or TPM,
linear or log10 intensities, per-gene z-scores or values attached to the wrong probe IDs, and the range check of
each input does not catch all of them. The card's ``guard`` (computed by the build from the training profiles)
holds the probe sets, the training median profile and the range of the training samples' medians; a profile is
accepted only when

* every guard probe set has a value,
* the median of those values is within the training range of sample medians +/- ``margin``, and
* its Pearson correlation with the training median profile is at least ``r_min``.

The feasibility study (``shared/reference/ml/README.md`` section 3a) measured this rule on GSE7390: it accepted
every held-out sample and none of the 2^x, log10, z-scored or shuffled ones. Pure functions; no I/O.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class GuardResult:
    ok: bool
    reason: str | None = None
    median: float | None = None
    r: float | None = None
    n_probes: int = 0


def _value(v: Any) -> float | None:
    if v is None or isinstance(v, bool):
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def check_profile(guard: dict, values: dict[str, Any], *, key=lambda probe: probe) -> GuardResult:
    """Check ``values`` (probe -> value; ``key`` maps a guard probe ID to the dict's key) against ``guard``."""
    probes = guard["probes"]
    got = [_value(values.get(key(p))) for p in probes]
    missing = [p for p, v in zip(probes, got) if v is None]
    platform = f"{guard['platform']} {guard['scale']}"
    if missing:
        return GuardResult(False, (f"the expression profile lacks {len(missing)} of the {len(probes)} {platform} "
                                   f"probe sets the assay check needs (e.g. {', '.join(missing[:3])})"),
                           n_probes=len(probes) - len(missing))
    x = np.array(got, dtype=np.float64)
    ref = np.asarray(guard["median_profile"], dtype=np.float64)
    med = float(np.median(x))
    lo, hi = guard["sample_median_range"]
    margin, r_min = float(guard["margin"]), float(guard["r_min"])
    r = float(np.corrcoef(x, ref)[0, 1]) if np.std(x) > 0 else float("nan")
    if not lo - margin <= med <= hi + margin:
        return GuardResult(False, (f"the profile's median value is {med:.3g}, outside {lo - margin:.2f}-"
                                   f"{hi + margin:.2f}, the range of {platform} samples the model was trained on: "
                                   "the values look like another scale or platform (RNA-seq counts or TPM, linear "
                                   "or log10 intensities, z-scores); they are not converted"), med, r, len(probes))
    if not r >= r_min:
        return GuardResult(False, (f"the profile correlates r = {r:.2f} with the training median profile (needs "
                                   f"at least {r_min:.2f}): the values do not match their probe sets the way "
                                   f"{platform} data do (per-gene z-scores, another platform or mislabelled "
                                   "probes)"), med, r, len(probes))
    return GuardResult(True, None, med, r, len(probes))

"""ONNX risk and dosing models: verified registry, domain checks, explanations and profile mapping.

Public API::

    from workstation.models import load_registry, get_registry, score_all, map_inputs
    reg = load_registry()                       # verifies MANIFEST.json; bad models refused individually
    reg.cards()                                 # model cards (+ sha256, status)
    s = reg.score("pce2013_ascvd_10y", {...})   # Score: value | refused, contributions, inputs used/missing
    reg.what_if("pce2013_ascvd_10y", inputs, {"sbp_mmhg": 120})
    score_all(profile, pgx=None)                # every model for one PatientProfile, with input sources
"""
from __future__ import annotations

from workstation.models.registry import Registry, get_registry, load_registry
from workstation.models.score import Score

__all__ = ["Registry", "Score", "get_registry", "load_registry", "map_inputs", "score_all"]


def __getattr__(name: str):
    # The profile mapper pulls in pandas; import it only when used.
    if name in ("map_inputs", "score_all"):
        from workstation.models import profile_inputs

        return getattr(profile_inputs, name)
    raise AttributeError(name)


def selfcheck_models() -> list[dict]:
    """Hash-check and probe-score every shipped model (used by ``workstation selftest``)."""
    from workstation.models.selfcheck import selfcheck_models as _run

    return _run()

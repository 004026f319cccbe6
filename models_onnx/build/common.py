"""Model-card building blocks shared by the build scripts.

Card schema (read by ``workstation/models``):

* ``id``, ``name``, ``version``, ``kind`` (``tabular`` | ``prs``), ``intended_use``, ``population``, ``outcome``,
  ``horizon``, ``citation``, ``performance``, ``subgroup_differences``, ``limitations``.
* ``inputs``: list of ``{name, type: number|boolean|category, unit, range: [lo, hi], range_source,
  categories, encode: {category: {feature: value}}, default, default_note, description}``. A number or boolean
  input fills the feature of the same name; a category input sets the features given by ``encode``.
* ``features``: the column order of the graph input ``x``; ``terms``: names of the ``terms`` output columns.
* ``constraints``: cross-input checks, e.g. ``{type: less_than, a, b, reason}``.
* ``output`` (``value``) and ``extra_outputs``; ``lp_check`` (refuse when the linear predictor is outside a
  bound); ``explain``: ``{method: shapley_lp | shapley_value | terms, ...}``.
"""
from __future__ import annotations

BUILD_NOTE = "Built by models_onnx/build (python -m models_onnx.build); float64 unless stated."


def base_card(model_id: str, name: str, version: str, *, intended_use: str, population: str, outcome: str,
              horizon: str, citation: str, kind: str = "tabular") -> dict:
    return {
        "id": model_id, "name": name, "version": version, "kind": kind,
        "intended_use": intended_use, "population": population, "outcome": outcome, "horizon": horizon,
        "citation": citation, "build": BUILD_NOTE,
        "limitations": [
            "Decision support only: a clinician interprets the number with the patient's full history.",
            "Refuses inputs outside the validated ranges listed here instead of extrapolating.",
        ],
    }


def num(name: str, unit: str, lo: float, hi: float, description: str, range_source: str) -> dict:
    """A numeric input with its validated range (inclusive) and where the range comes from."""
    return {"name": name, "type": "number", "unit": unit, "range": [lo, hi], "description": description,
            "range_source": range_source}


def BOOL(name: str, description: str) -> dict:  # noqa: N802 - reads like a type in the card lists
    """A yes/no input (true/false; encoded 1/0)."""
    return {"name": name, "type": "boolean", "description": description}


def ascvd_exclusion() -> dict:
    """The card's rule that refuses patients with clinical ASCVD on record (codes and their source in
    ``workstation/models/clinical_codes.py``): primary-prevention equations do not apply to them."""
    from workstation.models import clinical_codes as cc

    return {"label": "clinical ASCVD",
            "covers": "coronary heart disease, myocardial infarction, angina, stroke, TIA, peripheral arterial "
                      "disease",
            "why": "the equations estimate a first event in people without it",
            "source": cc.ASCVD_SOURCE,
            "codes": {cc.SNOMED_SYSTEM: list(cc.ASCVD_SNOMED)},
            "prefixes": {s: list(cc.ASCVD_ICD10_PREFIXES) for s in cc.ICD10_SYSTEMS}}

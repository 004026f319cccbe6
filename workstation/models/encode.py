"""Turn an inputs dict into the graph's feature row, checking every value against the model card's domain.

The checks live here, outside the graph: a value outside the validated range, a missing required input or a
contradiction (HDL above total cholesterol) gives a refusal reason instead of a number. Nothing is clipped or
extrapolated.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


@dataclass
class Encoded:
    """A validated, encoded input row (``row`` is None when ``refusal`` is set)."""

    row: np.ndarray | None
    used: dict[str, Any] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    defaults: dict[str, str] = field(default_factory=dict)
    refusal: str | None = None


def _fmt(v: float) -> str:
    return f"{v:g}"


def _canon_pair(text: str) -> str:
    """'*2/*1' -> '*1/*2', 'G/A' -> 'A/G' (allele order does not matter)."""
    parts = [p.strip() for p in text.split("/")]
    return "/".join(sorted(parts)) if len(parts) == 2 else text.strip()


def _number(spec: dict, raw: Any) -> tuple[float | None, str | None]:
    if isinstance(raw, bool):
        return None, f"{spec['name']} must be a number, not true/false"
    try:
        v = float(raw)
    except (TypeError, ValueError):
        return None, f"{spec['name']} must be a number (got {raw!r})"
    if math.isnan(v) or math.isinf(v):
        return None, f"{spec['name']} is not a finite number"
    lo, hi = spec.get("range", (None, None))
    if lo is not None and not (lo <= v <= hi):
        unit = spec.get("unit", "")
        return None, (f"{spec['name']} {_fmt(v)} {unit} is outside the validated range {_fmt(lo)}-{_fmt(hi)} "
                      f"{unit} ({spec.get('range_source', 'model card')})").replace("  ", " ")
    return v, None


def _boolean(spec: dict, raw: Any) -> tuple[bool | None, str | None]:
    if isinstance(raw, bool):
        return raw, None
    if isinstance(raw, (int, float)) and raw in (0, 1):
        return bool(raw), None
    if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
        return raw.strip().lower() in _TRUE, None
    return None, f"{spec['name']} must be true or false (got {raw!r})"


def _category(spec: dict, raw: Any) -> tuple[str | None, str | None]:
    cats = spec["categories"]
    if isinstance(raw, str):
        text = raw.strip()
        for c in cats:
            if text == c or text.lower() == c.lower() or _canon_pair(text) == _canon_pair(c):
                return c, None
    return None, f"{spec['name']} must be one of {', '.join(cats)} (got {raw!r})"


def encode(card: dict, inputs: dict[str, Any]) -> Encoded:
    """Validate ``inputs`` against ``card['inputs']`` and build the feature row (``card['features']`` order)."""
    features = card["features"]
    index = {f: i for i, f in enumerate(features)}
    row = np.zeros(len(features), dtype=np.float64)
    out = Encoded(row=row)
    problems: list[str] = []
    for spec in card["inputs"]:
        name = spec["name"]
        raw = inputs.get(name)
        if raw is None or (isinstance(raw, float) and math.isnan(raw)):
            if "default" in spec:
                raw = spec["default"]
                out.defaults[name] = spec.get("default_note", f"not given; {raw!r} used")
                out.missing.append(name)
            else:
                out.missing.append(name)
                continue
        kind = spec["type"]
        if kind == "number":
            v, err = _number(spec, raw)
            if err is None:
                row[index[spec.get("feature", name)]] = v
        elif kind == "boolean":
            v, err = _boolean(spec, raw)
            if err is None:
                row[index[spec.get("feature", name)]] = 1.0 if v else 0.0
        else:
            v, err = _category(spec, raw)
            if err is None:
                for feat, fv in spec["encode"][v].items():
                    row[index[feat]] = fv
        if err:
            problems.append(err)
        else:
            out.used[name] = v
    required_missing = [m for m in out.missing if m not in out.defaults]
    if required_missing:
        problems.insert(0, "missing " + ", ".join(required_missing))
    for con in card.get("constraints", []):
        a, b = out.used.get(con["a"]), out.used.get(con["b"])
        if con["type"] == "less_than" and a is not None and b is not None and not a < b:
            problems.append(con["reason"])
    if problems:
        out.row = None
        out.refusal = "; ".join(problems)
    return out


def player_columns(card: dict, players: list[str]) -> np.ndarray:
    """Boolean matrix [players x features]: which feature columns each input (player) controls."""
    index = {f: i for i, f in enumerate(card["features"])}
    specs = {s["name"]: s for s in card["inputs"]}
    mask = np.zeros((len(players), len(index)), dtype=bool)
    for p, name in enumerate(players):
        spec = specs[name]
        if spec["type"] == "category":
            for mapping in spec["encode"].values():
                for feat in mapping:
                    mask[p, index[feat]] = True
        else:
            mask[p, index[spec.get("feature", name)]] = True
    return mask


def encode_unchecked(card: dict, inputs: dict[str, Any]) -> np.ndarray:
    """Encode a trusted reference profile (no range checks; used as the explanation baseline)."""
    index = {f: i for i, f in enumerate(card["features"])}
    row = np.zeros(len(index), dtype=np.float64)
    for spec in card["inputs"]:
        raw = inputs.get(spec["name"])
        if raw is None:
            continue
        if spec["type"] == "category":
            for feat, fv in spec["encode"][raw].items():
                row[index[feat]] = fv
        else:
            row[index[spec.get("feature", spec["name"])]] = float(raw)
    return row

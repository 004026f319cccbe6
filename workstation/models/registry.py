"""The model registry: verifies MANIFEST.json, loads each ONNX model once, scores, explains and re-scores.

``load_registry()`` reads ``MANIFEST.json`` from the models folder (``WORKSTATION_MODELS_DIR`` or
``models_onnx/`` beside the package / inside the PyInstaller bundle), checks each file's SHA-256, and opens an
onnxruntime session from the very bytes it hashed. A model whose bytes or card do not match, or that
onnxruntime cannot load, is refused on its own (``Registry.problems`` keeps the reason) without stopping the
others. Thread safety: scoring is read-only and onnxruntime sessions may be shared between threads.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from workstation.errors import ModelError, NotFound
from workstation.models import applicability, assay_guard
from workstation.models import encode as enc
from workstation.models import explain as shap
from workstation.models.score import Score, card_summary

MANIFEST = "MANIFEST.json"


def default_models_dir() -> Path:
    from workstation.paths import models_dir

    return models_dir()


@dataclass
class _Model:
    """One verified model: its card, session and precomputed explanation plumbing."""

    card: dict
    sha256: str
    session: Any
    outputs: list[str]
    players: list[str] = field(default_factory=list)
    player_cols: np.ndarray | None = None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _session(data: bytes):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1     # tiny graphs: a thread pool costs more than it saves
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    return ort.InferenceSession(data, sess_options=opts, providers=["CPUExecutionProvider"])


class Registry:
    """Verified models by id. Build with :func:`load_registry`."""

    def __init__(self, models_dir: Path, models: dict[str, _Model], problems: dict[str, str]) -> None:
        self.models_dir = models_dir
        self._models = models
        self.problems = problems  # model id (or file name) -> why it was refused

    # listing -------------------------------------------------------------------------------------------
    def ids(self) -> list[str]:
        return list(self._models)

    def card(self, model_id: str) -> dict:
        return dict(self._get(model_id).card, sha256=self._models[model_id].sha256)

    def cards(self) -> list[dict]:
        """Every loaded card (with ``sha256`` and ``status: ok``) plus one stub per refused model."""
        out = [dict(m.card, sha256=m.sha256, status="ok") for m in self._models.values()]
        out += [{"id": k, "status": "refused", "refused": v} for k, v in self.problems.items()]
        return out

    def _get(self, model_id: str) -> _Model:
        m = self._models.get(model_id)
        if m is not None:
            return m
        if model_id in self.problems:
            raise ModelError(f"Model {model_id} cannot be used: {self.problems[model_id]}.")
        raise NotFound(f"There is no model called {model_id!r}; 'workstation models' lists them.")

    # scoring -------------------------------------------------------------------------------------------
    def score(self, model_id: str, inputs: dict[str, Any], *, explain: bool = True) -> Score:
        """Score ``inputs`` (names and units of the card). Out-of-domain or missing inputs give a refusal."""
        m = self._get(model_id)
        card = m.card
        base = Score(model=model_id, version=card["version"], value=None, unit=card["output"]["unit"],
                     name=card["name"], card=card_summary(card, m.sha256),
                     contribution_scale=card.get("explain", {}).get("scale", ""),
                     category=applicability.category(card))
        if card["kind"] == "prs":
            return self._score_prs(m, inputs, base, explain)
        if card["kind"] == "bcrat":
            from workstation.models import bcrat

            e = bcrat.encode(card, inputs)
        else:
            e = enc.encode(card, inputs)
        base.inputs_used, base.inputs_missing, base.defaults_used = e.used, e.missing, e.defaults
        applicability.annotate(base, card)
        if "guard" in card:      # expression models: the whole profile must look like the platform (checked first:
            g = assay_guard.check_profile(card["guard"], inputs)     # one reason, not one per probe set's range)
            base.extra["assay_guard"] = {"median": g.median, "r": g.r, "probes": g.n_probes}
            if not g.ok:
                base.refused = f"assay check: {g.reason}"
                return base
        if e.refusal:
            base.refused = e.refusal
            return base
        method = card.get("explain", {}).get("method") if explain else None
        if method in ("shapley_lp", "shapley_value"):
            ref = dict(e.used, **card["explain"]["reference"])
            x = shap.coalition_rows(e.row, enc.encode_unchecked(card, ref), m.player_cols)
        else:
            x = e.row[None, :]
        res = dict(zip(m.outputs, m.session.run(m.outputs, {"x": x})))
        last = x.shape[0] - 1                                   # the patient's row
        self._fill(base, card, res, last)
        if base.refused or not explain:
            return base
        if method in ("shapley_lp", "shapley_value"):
            v = res["lp" if method == "shapley_lp" else "value"][:, 0]
            phi = shap.shapley(v, len(m.players))
            base.contributions = {p: float(c) for p, c in zip(m.players, phi)}
            base.baseline = float(v[0])
        elif method == "terms":
            contrib: dict[str, float] = {}
            for t, val in base.terms.items():
                key = card["explain"]["term_inputs"][t]
                contrib[key] = contrib.get(key, 0.0) + val
            base.contributions = contrib
            base.baseline = float(card.get("intercept", 0.0))
        return base

    def _fill(self, s: Score, card: dict, res: dict, i: int) -> None:
        lp = float(res["lp"][i, 0]) if "lp" in res else None
        chk = card.get("lp_check")
        if chk and lp is not None and not lp > chk["min_exclusive"]:
            s.refused = chk["reason"]
            return
        s.value = float(res["value"][i, 0])
        if lp is not None:
            s.extra["lp"] = lp
        if "terms" in res:
            s.terms = {t: float(v) for t, v in zip(card["terms"], res["terms"][i])}
        for name in card.get("extra_outputs", {}):
            if name in res and name != "lp":
                s.extra[name] = float(res[name][i, 0])
        if "bands" in card and "band" in s.extra:
            band = card["bands"][int(round(s.extra["band"]))]
            s.band = band["label"]
            s.extra["band_risk"] = band["ten_year_risk"]
        if card["output"]["unit"] == "mg/week":
            s.extra["daily_mg"] = s.value / 7.0
        band = card.get("interval")
        if band and band["low"] in res and band["high"] in res:
            s.interval = [float(res[band["low"]][i, 0]), float(res[band["high"]][i, 0])]
            s.interval_level = float(band.get("level", 0.95))

    def _score_prs(self, m: _Model, inputs: dict[str, Any], s: Score, explain: bool) -> Score:
        card = m.card
        rows = card["variants"]
        n = len(rows)
        x = np.zeros((1, 2 * n))
        bad = []
        for j, r in enumerate(rows):
            d = inputs.get(r["rsid"])
            if d is None or (isinstance(d, float) and np.isnan(d)):
                s.inputs_missing.append(r["rsid"])
                continue
            if isinstance(d, bool) or not isinstance(d, (int, float)) or not 0 <= d <= 2:
                bad.append(f"{r['rsid']} dosage must be 0, 1 or 2 (got {d!r})")
                continue
            x[0, j], x[0, n + j] = float(d), 1.0
            s.inputs_used[r["rsid"]] = float(d)
        if bad:
            s.refused = "; ".join(bad)
            return s
        res = dict(zip(m.outputs, m.session.run(m.outputs, {"x": x})))
        cov = float(res["coverage"][0, 0])
        if cov < card["min_overlap"]:
            s.refused = (f"only {len(s.inputs_used)} of {n} variants were called (coverage {cov:.0%}); the score "
                         f"needs at least {card['min_overlap']:.0%} (pgsc_calc min_overlap)")
            s.extra["coverage"] = cov
            return s
        self._fill(s, card, res, 0)
        if explain:
            s.contributions = {k: v for k, v in s.terms.items() if k in s.inputs_used}
            s.baseline = 0.0
        return s

    def what_if(self, model_id: str, inputs: dict[str, Any], changes: dict[str, Any], *,
                explain: bool = False) -> Score:
        """Re-score with some inputs changed (the UI's sliders). Cheap: one row, no explanation by default."""
        return self.score(model_id, {**inputs, **changes}, explain=explain)


def _verify(models_dir: Path, entry: dict, files: dict) -> tuple[_Model | None, str | None]:
    mid = entry["id"]
    onnx_path, card_path = models_dir / entry["onnx"], models_dir / entry["card"]
    if not onnx_path.is_file():
        return None, f"its file {entry['onnx']} is missing from {models_dir}"
    data = onnx_path.read_bytes()
    digest = _sha256(data)
    expected = files.get(entry["onnx"], {}).get("sha256")
    if digest != expected:
        return None, (f"its file {entry['onnx']} does not match MANIFEST.json (SHA-256 {digest[:12]}... instead of "
                      f"{str(expected)[:12]}...): it was changed after the build and will not be run")
    if not card_path.is_file() or _sha256(card_path.read_bytes()) != files.get(entry["card"], {}).get("sha256"):
        return None, f"its model card {entry['card']} is missing or does not match MANIFEST.json"
    try:
        sess = _session(data)
        card = json.loads(sess.get_modelmeta().custom_metadata_map["model_card"])
    except Exception as exc:  # noqa: BLE001 - any load failure refuses this one model
        return None, f"onnxruntime could not load {entry['onnx']} ({type(exc).__name__}: {exc})"
    if card != json.loads(card_path.read_text(encoding="utf-8")) or card.get("id") != mid:
        return None, f"the card inside {entry['onnx']} differs from {entry['card']}"
    model = _Model(card=card, sha256=digest, session=sess, outputs=[o.name for o in sess.get_outputs()])
    ex = card.get("explain", {})
    if ex.get("method") in ("shapley_lp", "shapley_value"):
        model.players = list(ex["players"])
        model.player_cols = enc.player_columns(card, model.players)
    return model, None


def load_registry(models_dir: str | Path | None = None) -> Registry:
    """Verify and load every model listed in MANIFEST.json. Raises ModelError only if the manifest is unusable."""
    d = Path(models_dir) if models_dir else default_models_dir()
    mpath = d / MANIFEST
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
        entries, files = manifest["models"], manifest["files"]
    except FileNotFoundError:
        raise ModelError(f"No model manifest at {mpath}: the models folder is missing or incomplete.") from None
    except (ValueError, KeyError, TypeError):
        raise ModelError(f"The model manifest {mpath} is damaged; no model can be trusted.") from None
    models: dict[str, _Model] = {}
    problems: dict[str, str] = {}
    for entry in entries:
        model, why = _verify(d, entry, files)
        if model is None:
            problems[entry["id"]] = why
        else:
            models[entry["id"]] = model
    listed = {e["onnx"] for e in entries}
    for extra in sorted(p.name for p in d.glob("*.onnx") if p.name not in listed):
        problems[extra] = "not listed in MANIFEST.json, so it is ignored"
    return Registry(d, models, problems)


_DEFAULT: Registry | None = None


def get_registry() -> Registry:
    """The process-wide registry for the default models folder (loaded on first use)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = load_registry()
    return _DEFAULT

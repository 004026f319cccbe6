"""Regenerate every model in ``models_onnx/``: ``.onnx``, its card ``.json`` and ``MANIFEST.json``.

Run ``python -m models_onnx.build`` or ``python models_onnx/build/build_all.py`` from the project root. The
output is byte-identical from run to run with the same onnx / scikit-learn / skl2onnx / scikit-survival / numpy
versions (recorded in the manifest). Files of models no longer built are removed.
"""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from models_onnx.build import (findrisc, gail, iwpc, pce, prevent, prs, trained_flchain,  # noqa: E402
                               trained_gse7390, trained_wdbc)
from models_onnx.build.graph import Built, card_json  # noqa: E402

OUT_DIR = Path(__file__).resolve().parents[1]
BUILDERS = (pce, prevent, iwpc, prs, findrisc, gail, trained_wdbc, trained_flchain, trained_gse7390)
MANIFEST = "MANIFEST.json"


def build_models() -> list[Built]:
    out: list[Built] = []
    for mod in BUILDERS:
        out.extend(mod.build())
    ids = [b.model_id for b in out]
    assert len(ids) == len(set(ids)), f"duplicate model ids: {ids}"
    return out


def _versions() -> dict:
    from importlib.metadata import version

    import onnx
    import skl2onnx
    import sklearn

    return {"onnx": onnx.__version__, "scikit-learn": sklearn.__version__, "skl2onnx": skl2onnx.__version__,
            "scikit-survival": version("scikit-survival"), "numpy": version("numpy")}


def write(models: list[Built], out_dir: Path = OUT_DIR) -> dict:
    """Write every model and card, then MANIFEST.json; return the manifest."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, dict] = {}
    entries = []
    for b in models:
        onnx_bytes = b.model.SerializeToString()
        card_bytes = card_json(b.card).encode("utf-8")
        for name, data in ((f"{b.model_id}.onnx", onnx_bytes), (f"{b.model_id}.json", card_bytes)):
            (out_dir / name).write_bytes(data)
            files[name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        entries.append({"id": b.model_id, "version": b.card["version"], "onnx": f"{b.model_id}.onnx",
                        "card": f"{b.model_id}.json"})
    keep = set(files) | {MANIFEST}
    for old in list(out_dir.glob("*.onnx")) + list(out_dir.glob("*.json")):
        if old.name not in keep:
            old.unlink()
    manifest = {"manifest_version": 1, "generated_by": "python -m models_onnx.build", "build_tools": _versions(),
                "models": entries, "files": dict(sorted(files.items()))}
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    manifest = write(build_models())
    for m in manifest["models"]:
        print(f"{m['id']:40s} {m['version']:28s} {manifest['files'][m['onnx']]['sha256'][:16]}")
    print(f"{len(manifest['models'])} models written to {OUT_DIR}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

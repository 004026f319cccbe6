"""``python -m models_onnx.build``: regenerate every model, card and MANIFEST.json."""
from __future__ import annotations

from models_onnx.build.build_all import main

if __name__ == "__main__":
    raise SystemExit(main())

"""Build scripts for every model in ``models_onnx/``: ``python -m models_onnx.build`` regenerates all of them.

Each builder module exposes ``build() -> list[Built]``; :mod:`models_onnx.build.build_all` writes the ``.onnx``
files, the model-card JSON beside each, and ``MANIFEST.json`` (SHA-256 of every file). Output is byte-identical
from run to run (fixed opset/IR version, fixed producer string, sorted JSON, deterministic training).
"""

import os as _os

# Single-threaded BLAS while building: threaded reductions may change the last bits of a trained model.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    _os.environ.setdefault(_var, "1")

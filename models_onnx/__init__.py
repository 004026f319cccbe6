"""The project's ONNX models, their model cards and MANIFEST.json; ``models_onnx.build`` regenerates them."""

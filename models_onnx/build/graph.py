"""A small, deterministic builder for float64 ONNX graphs, and the shared container for built models.

Convention shared with the runtime (``workstation/models``): every model takes one input ``x`` of shape
``[N, F]`` (float64, feature order = card ``features``) and returns ``value`` ``[N, 1]``; most also return
``lp`` (the linear predictor / additive scale the explanation is given on) and ``terms`` ``[N, K]`` (each
additive term, names = card ``terms``). Extra outputs (e.g. ``coverage``, ``band``) are listed in the card.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17          # ai.onnx opset used by every hand-built graph
IR_VERSION = 8      # pinned so files do not change when the onnx package is upgraded
PRODUCER = "workstation models_onnx.build"
PRODUCER_VERSION = "1"


@dataclass
class Built:
    """One built model: its id, the ONNX bytes and its model card (a JSON-able dict)."""

    model_id: str
    model: onnx.ModelProto
    card: dict = field(default_factory=dict)


def card_json(card: dict) -> str:
    """The canonical text of a card (sorted keys, 2-space indent, ASCII-safe), used for both copies."""
    return json.dumps(card, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class GraphBuilder:
    """Accumulates nodes and float64 constants; names are generated from a counter (deterministic)."""

    def __init__(self, name: str, n_features: int) -> None:
        self.name = name
        self.n_features = n_features
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self._n = 0
        self.x = "x"

    def _name(self, stem: str) -> str:
        self._n += 1
        return f"{stem}_{self._n}"

    def const(self, value, stem: str = "c") -> str:
        arr = np.asarray(value, dtype=np.float64)
        name = self._name(stem)
        self.inits.append(numpy_helper.from_array(arr, name))
        return name

    def const_i64(self, value, stem: str = "i") -> str:
        name = self._name(stem)
        self.inits.append(numpy_helper.from_array(np.asarray(value, dtype=np.int64), name))
        return name

    def op(self, op_type: str, *inputs: str, out: str | None = None, **attrs) -> str:
        output = out or self._name(op_type.lower())
        self.nodes.append(helper.make_node(op_type, list(inputs), [output], name=self._name("n"), **attrs))
        return output

    # convenience ---------------------------------------------------------------------------------------
    def col(self, i: int) -> str:
        """Column ``i`` of ``x`` as ``[N, 1]``."""
        return self.op("Gather", self.x, self.const_i64([i]), axis=1)

    def add(self, a: str, b: str) -> str:
        return self.op("Add", a, b)

    def sub(self, a: str, b: str) -> str:
        return self.op("Sub", a, b)

    def mul(self, a: str, b: str) -> str:
        return self.op("Mul", a, b)

    def div(self, a: str, b: str) -> str:
        return self.op("Div", a, b)

    def scalar(self, v: float) -> str:
        return self.const(np.array(v, dtype=np.float64), "k")

    def affine(self, a: str, minus: float, per: float) -> str:
        """``(a - minus) / per``."""
        return self.div(self.sub(a, self.scalar(minus)), self.scalar(per))

    def concat(self, parts: list[str], out: str | None = None) -> str:
        return self.op("Concat", *parts, out=out, axis=1)

    def rowsum(self, a: str, out: str | None = None) -> str:
        return self.op("ReduceSum", a, self.const_i64([1]), out=out, keepdims=1)

    def one_minus(self, a: str) -> str:
        return self.sub(self.scalar(1.0), a)

    def ge(self, a: str, threshold: float) -> str:
        """1.0 where ``a >= threshold`` else 0.0."""
        b = self.op("GreaterOrEqual", a, self.scalar(threshold))
        return self.op("Cast", b, to=TensorProto.DOUBLE)

    def gt(self, a: str, threshold: float) -> str:
        b = self.op("Greater", a, self.scalar(threshold))
        return self.op("Cast", b, to=TensorProto.DOUBLE)

    def identity(self, a: str, out: str) -> str:
        return self.op("Identity", a, out=out)

    # model ---------------------------------------------------------------------------------------------
    def model(self, outputs: dict[str, int], card: dict) -> onnx.ModelProto:
        """Finish the graph. ``outputs`` maps output name -> number of columns (-1 = unknown)."""
        inp = helper.make_tensor_value_info("x", TensorProto.DOUBLE, ["N", self.n_features])
        outs = [helper.make_tensor_value_info(k, TensorProto.DOUBLE, ["N", v if v > 0 else "K"])
                for k, v in outputs.items()]
        graph = helper.make_graph(self.nodes, self.name, [inp], outs, initializer=self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                                  producer_name=PRODUCER, producer_version=PRODUCER_VERSION)
        finish(model, card)
        onnx.checker.check_model(model, full_check=True)
        return model


def finish(model: onnx.ModelProto, card: dict) -> None:
    """Pin IR version, set the doc string and store the card in ``metadata_props`` (key ``model_card``)."""
    model.ir_version = IR_VERSION
    model.producer_name = PRODUCER
    model.producer_version = PRODUCER_VERSION
    model.model_version = int(card.get("model_version_int", 1))
    model.doc_string = f"{card['name']} ({card['id']} v{card['version']}). Model card in metadata_props."
    del model.metadata_props[:]
    for key, value in (("model_card", card_json(card)), ("model_id", card["id"]),
                       ("version", card["version"])):
        entry = model.metadata_props.add()
        entry.key = key
        entry.value = value

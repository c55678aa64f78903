"""ONNX graphs built with onnx.helper run in onnxruntime and give the numbers worked out by hand.

These are the two shapes our exported models take: a linear score squashed by a sigmoid (logistic
regression) and a tree ensemble (gradient-boosted trees, the forecasting and stock-out models).
"""

from __future__ import annotations

import math

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper

OPSET = [helper.make_opsetid("", 17), helper.make_opsetid("ai.onnx.ml", 3)]


def _session(graph: onnx.GraphProto) -> ort.InferenceSession:
    model = helper.make_model(graph, opset_imports=OPSET, producer_name="tillgate-platform-test")
    onnx.checker.check_model(model, full_check=True)
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])


def test_logistic_score_matches_hand_computation():
    weights = helper.make_tensor("w", TensorProto.FLOAT, [2, 1], [0.5, -1.0])
    bias = helper.make_tensor("b", TensorProto.FLOAT, [1], [0.25])
    graph = helper.make_graph(
        [
            helper.make_node("MatMul", ["x", "w"], ["xw"]),
            helper.make_node("Add", ["xw", "b"], ["logit"]),
            helper.make_node("Sigmoid", ["logit"], ["p"]),
        ],
        "logistic",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 2])],
        [helper.make_tensor_value_info("p", TensorProto.FLOAT, [None, 1])],
        initializer=[weights, bias],
    )

    x = np.array([[2.0, 1.0], [0.0, 0.25], [-4.0, 0.0]], dtype=np.float32)
    (p,) = _session(graph).run(["p"], {"x": x})

    # logits: 0.5*2 - 1*1 + 0.25 = 0.25; 0 - 0.25 + 0.25 = 0; -2 + 0.25 = -1.75
    expected = [1 / (1 + math.exp(-z)) for z in (0.25, 0.0, -1.75)]
    assert p[:, 0].tolist() == pytest.approx(expected, abs=1e-6)
    assert p[1, 0] == pytest.approx(0.5, abs=1e-7)


def test_tree_ensemble_regressor_sums_leaves_of_every_tree():
    # Tree 0 splits on feature 0 at 2.5 (leaves 10 / 20); tree 1 splits on feature 1 at 0.0
    # (leaves -1 / +1). A prediction is base 100 + leaf of tree 0 + leaf of tree 1.
    node = helper.make_node(
        "TreeEnsembleRegressor",
        ["x"],
        ["y"],
        domain="ai.onnx.ml",
        n_targets=1,
        base_values=[100.0],
        aggregate_function="SUM",
        nodes_treeids=[0, 0, 0, 1, 1, 1],
        nodes_nodeids=[0, 1, 2, 0, 1, 2],
        nodes_featureids=[0, 0, 0, 1, 0, 0],
        nodes_values=[2.5, 0.0, 0.0, 0.0, 0.0, 0.0],
        nodes_modes=["BRANCH_LEQ", "LEAF", "LEAF", "BRANCH_LEQ", "LEAF", "LEAF"],
        nodes_truenodeids=[1, 0, 0, 1, 0, 0],
        nodes_falsenodeids=[2, 0, 0, 2, 0, 0],
        target_treeids=[0, 0, 1, 1],
        target_nodeids=[1, 2, 1, 2],
        target_ids=[0, 0, 0, 0],
        target_weights=[10.0, 20.0, -1.0, 1.0],
    )
    graph = helper.make_graph(
        [node],
        "trees",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 1])],
    )

    x = np.array([[1.0, -3.0], [2.5, 0.5], [7.0, 0.0], [9.0, 4.0]], dtype=np.float32)
    (y,) = _session(graph).run(["y"], {"x": x})

    # x0 <= 2.5 is inclusive, as in Spark's split semantics: 2.5 goes left.
    assert y[:, 0].tolist() == [109.0, 111.0, 119.0, 121.0]

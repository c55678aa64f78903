"""Tree ensembles as ONNX graphs with the scorer's I/O contract (edge/src/scoring/stockout-scorer.ts).

Input `features` float32 [N, F]. The graph casts it to double and evaluates an ai.onnx.ml
TreeEnsembleRegressor whose thresholds and leaf weights are double tensors (its output is float32 by
the operator's definition; that rounding is ~6e-8 relative, far inside the parity tolerance). Why double: MLlib learns
split thresholds as double midpoints between feature values (e.g. 0.1 between 0.05 and 0.15). Rounded
to float32 such a threshold can land on a value a row really has (float32(0.1) = 0.10000000149), and
that row flips branch: MLlib says 0.10000000149 > 0.1, a float32 ONNX threshold says <=. Training sees
exactly the float32-rounded feature values (spec "vector"), and a float32 value compared as double
against a double threshold is exactly MLlib's comparison, so no row can flip.

Outputs: `probability` [N, 1] for stock-out classifiers (sigmoid of the summed margin),
`prediction` [N, 1] for regressors (the summed value).
"""

from dataclasses import dataclass

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

INPUT_NAME = "features"
PROBABILITY_OUTPUT = "probability"
PREDICTION_OUTPUT = "prediction"
ONNX_OPSET = 17
ONNX_ML_OPSET = 3


@dataclass(frozen=True)
class TreeNode:
    """One node of a binary tree. Internal: x[feature] <= threshold goes left. Leaf: `value`."""

    node_id: int
    feature: int = -1
    threshold: float = 0.0
    left: int = -1
    right: int = -1
    value: float = 0.0

    @property
    def is_leaf(self) -> bool:
        return self.left < 0


@dataclass(frozen=True)
class TreeEnsemble:
    """Sum of weight_i * tree_i(x) + base. `sigmoid_scale` > 0 makes it a classifier:
    P = sigmoid(sigmoid_scale * sum) (MLlib GBT log-loss: P = 1 / (1 + exp(-2 * margin)))."""

    trees: list[list[TreeNode]]
    weights: list[float]
    n_features: int
    base: float = 0.0
    sigmoid_scale: float = 0.0
    level: "FeatureLevel | None" = None


@dataclass(frozen=True)
class FeatureLevel:
    """A regressor trained on target / level: the graph multiplies its sum back by
    level = x[feature] * multiplier + offset (see training.DEMAND_LEVEL)."""

    feature: int
    multiplier: float
    offset: float


def ensemble_to_onnx(ensemble: TreeEnsemble, name: str, doc: str) -> onnx.ModelProto:
    attrs: dict[str, list] = {
        key: []
        for key in (
            "nodes_treeids",
            "nodes_nodeids",
            "nodes_featureids",
            "nodes_modes",
            "nodes_truenodeids",
            "nodes_falsenodeids",
            "target_treeids",
            "target_nodeids",
        )
    }
    thresholds: list[float] = []
    leaf_weights: list[float] = []
    scale = ensemble.sigmoid_scale if ensemble.sigmoid_scale > 0 else 1.0
    for tree_id, (tree, weight) in enumerate(zip(ensemble.trees, ensemble.weights, strict=True)):
        for node in tree:
            attrs["nodes_treeids"].append(tree_id)
            attrs["nodes_nodeids"].append(node.node_id)
            if node.is_leaf:
                attrs["nodes_featureids"].append(0)
                attrs["nodes_modes"].append("LEAF")
                attrs["nodes_truenodeids"].append(0)
                attrs["nodes_falsenodeids"].append(0)
                thresholds.append(0.0)
                attrs["target_treeids"].append(tree_id)
                attrs["target_nodeids"].append(node.node_id)
                # Scale folded into the leaves so the graph is one ensemble + one sigmoid.
                leaf_weights.append(scale * weight * node.value)
            else:
                attrs["nodes_featureids"].append(node.feature)
                attrs["nodes_modes"].append("BRANCH_LEQ")
                attrs["nodes_truenodeids"].append(node.left)
                attrs["nodes_falsenodeids"].append(node.right)
                thresholds.append(node.threshold)
    n_nodes = len(attrs["nodes_nodeids"])
    ensemble_node = helper.make_node(
        "TreeEnsembleRegressor",
        ["features_f64"],
        ["score"],
        domain="ai.onnx.ml",
        n_targets=1,
        aggregate_function="SUM",
        nodes_hitrates=[1.0] * n_nodes,
        nodes_missing_value_tracks_true=[0] * n_nodes,
        nodes_values_as_tensor=numpy_helper.from_array(np.asarray(thresholds, dtype=np.float64)),
        target_ids=[0] * len(leaf_weights),
        target_weights_as_tensor=numpy_helper.from_array(np.asarray(leaf_weights, dtype=np.float64)),
        base_values_as_tensor=numpy_helper.from_array(np.asarray([scale * ensemble.base], dtype=np.float64)),
        **attrs,
    )
    nodes = [helper.make_node("Cast", [INPUT_NAME], ["features_f64"], to=TensorProto.DOUBLE), ensemble_node]
    if ensemble.sigmoid_scale > 0:
        output = PROBABILITY_OUTPUT
        nodes.append(helper.make_node("Sigmoid", ["score"], [output]))
    else:
        output = PREDICTION_OUTPUT
        if ensemble.level is None:
            nodes.append(helper.make_node("Identity", ["score"], [output]))
        else:
            nodes += _level_nodes(ensemble.level)
            nodes.append(helper.make_node("Cast", ["score"], ["score_f64"], to=TensorProto.DOUBLE))
            nodes.append(helper.make_node("Mul", ["score_f64", "level_f64"], ["scaled_f64"]))
            nodes.append(helper.make_node("Cast", ["scaled_f64"], [output], to=TensorProto.FLOAT))
    graph = helper.make_graph(
        nodes,
        name,
        [helper.make_tensor_value_info(INPUT_NAME, TensorProto.FLOAT, [None, ensemble.n_features])],
        [helper.make_tensor_value_info(output, TensorProto.FLOAT, [None, 1])],
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", ONNX_OPSET), helper.make_opsetid("ai.onnx.ml", ONNX_ML_OPSET)],
        producer_name="tillgate-models",
        doc_string=doc,
    )
    # ir_version 8 keeps the file loadable by older onnxruntime builds on the edge.
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


def _level_nodes(level: FeatureLevel) -> list[onnx.NodeProto]:
    def const(name: str, values: np.ndarray) -> onnx.NodeProto:
        return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(values, name))

    return [
        const("level_column_start", np.asarray([level.feature], dtype=np.int64)),
        const("level_column_end", np.asarray([level.feature + 1], dtype=np.int64)),
        const("level_axis", np.asarray([1], dtype=np.int64)),
        const("level_multiplier", np.asarray([level.multiplier], dtype=np.float64)),
        const("level_offset", np.asarray([level.offset], dtype=np.float64)),
        helper.make_node(
            "Slice", ["features_f64", "level_column_start", "level_column_end", "level_axis"], ["level_x"]
        ),
        helper.make_node("Mul", ["level_x", "level_multiplier"], ["level_scaled"]),
        helper.make_node("Add", ["level_scaled", "level_offset"], ["level_f64"]),
    ]

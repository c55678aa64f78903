"""Our exporter: a saved MLlib GBT model (its own Parquet persistence format, stable across Spark
releases) -> TreeEnsemble -> ONNX (onnx_graph.py).

Reading the saved files instead of walking JVM objects through py4j keeps the export a pure file
transformation: it runs without a Spark session and on models trained on a cluster.

MLlib semantics carried over (checked by the parity gate, not assumed):
- a continuous split sends x <= threshold to the left child;
- GBT output is the sum of tree predictions times treeWeights (1.0 for the first tree, stepSize after);
- GBTClassificationModel's probability of class 1 is 1 / (1 + exp(-2 * margin)) (log loss on +-1 labels).
"""

import json
from pathlib import Path

import pyarrow.parquet as pq

from .onnx_graph import TreeEnsemble, TreeNode

GBT_CLASSIFIER = "org.apache.spark.ml.classification.GBTClassificationModel"
GBT_REGRESSOR = "org.apache.spark.ml.regression.GBTRegressionModel"


def read_saved_gbt(model_dir: Path) -> TreeEnsemble:
    metadata = json.loads((next((model_dir / "metadata").glob("part-*"))).read_text().splitlines()[0])
    model_class = metadata["class"]
    if model_class not in (GBT_CLASSIFIER, GBT_REGRESSOR):
        raise ValueError(f"{model_dir}: {model_class} is not a GBT model this exporter knows")
    n_features = int(metadata["numFeatures"])
    weights_table = pq.read_table(model_dir / "treesMetadata").to_pydict()
    weights = dict(zip(weights_table["_1"], weights_table["_3"], strict=True))
    nodes_by_tree: dict[int, list[TreeNode]] = {}
    table = pq.read_table(model_dir / "data").to_pydict()
    for tree_id, node in zip(table["treeID"], table["nodeData"], strict=True):
        nodes_by_tree.setdefault(tree_id, []).append(_tree_node(model_dir, node))
    tree_ids = sorted(nodes_by_tree)
    if tree_ids != sorted(weights):
        raise ValueError(f"{model_dir}: trees {tree_ids} do not match tree weights {sorted(weights)}")
    return TreeEnsemble(
        trees=[sorted(nodes_by_tree[tree_id], key=lambda node: node.node_id) for tree_id in tree_ids],
        weights=[float(weights[tree_id]) for tree_id in tree_ids],
        n_features=n_features,
        sigmoid_scale=2.0 if model_class == GBT_CLASSIFIER else 0.0,
    )


def _tree_node(model_dir: Path, node: dict) -> TreeNode:
    if node["leftChild"] < 0:
        return TreeNode(node_id=node["id"], value=float(node["prediction"]))
    split = node["split"]
    if split["numCategories"] != -1:
        raise ValueError(
            f"{model_dir}: node {node['id']} has a categorical split; the stock-out features are all continuous"
        )
    (threshold,) = split["leftCategoriesOrThreshold"]
    return TreeNode(
        node_id=node["id"],
        feature=int(split["featureIndex"]),
        threshold=float(threshold),
        left=int(node["leftChild"]),
        right=int(node["rightChild"]),
    )

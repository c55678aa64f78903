"""The ONNX tree-ensemble graph against hand-built trees, where the right answer is known."""

import numpy as np
import onnxruntime as ort

from tillgate_models.onnx_graph import FeatureLevel, TreeEnsemble, TreeNode, ensemble_to_onnx


def run(ensemble: TreeEnsemble, rows: list[list[float]]) -> np.ndarray:
    model = ensemble_to_onnx(ensemble, "test", "test")
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    (output,) = session.run(None, {"features": np.asarray(rows, dtype=np.float32)})
    return output.reshape(-1)


def stump(threshold: float) -> list[TreeNode]:
    return [
        TreeNode(0, feature=0, threshold=threshold, left=1, right=2),
        TreeNode(1, value=-1.0),
        TreeNode(2, value=1.0),
    ]


def test_float32_rows_at_a_double_threshold_go_where_mllib_sends_them():
    # MLlib learnt threshold 0.1 (double). float32(0.1) = 0.10000000149 > 0.1, so MLlib sends it right.
    # A float32 threshold would be float32(0.1) itself and send it left: the flip the double graph avoids.
    row_at = float(np.float32(0.1))
    row_below = float(np.nextafter(np.float32(0.1), np.float32(0)))
    scores = run(TreeEnsemble([stump(0.1)], [1.0], 1), [[row_at], [row_below]])
    assert scores.tolist() == [1.0, -1.0]


def test_classifier_is_sigmoid_of_twice_the_weighted_margin():
    ensemble = TreeEnsemble([stump(0.5), stump(0.5)], [1.0, 0.1], 1, sigmoid_scale=2.0)
    probability = run(ensemble, [[1.0], [0.0]])
    margin = np.array([1.1, -1.1])
    np.testing.assert_allclose(probability, 1 / (1 + np.exp(-2 * margin)), rtol=1e-6)


def test_regressor_is_rescaled_by_its_feature_level():
    ensemble = TreeEnsemble([stump(0.5)], [1.0], 2, level=FeatureLevel(feature=1, multiplier=7.0, offset=1.0))
    assert run(ensemble, [[1.0, 2.0], [0.0, 3.0]]).tolist() == [15.0, -22.0]

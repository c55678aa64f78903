"""Champion / challenger decisions on a hand-made holdout, scored by real onnxruntime on hand-built trees.

Holdout: 6 rows; the observed label is 1 exactly where on_hand is 0. The `informed` model scores
on_hand <= 0.5 high, the `blind` one splits on a feature that says nothing, so every PR-AUC below is
computable by hand: informed 1.0; blind ranks all rows alike, average precision = base rate 2/6.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tillgate_models.champion import Champion, decide, ground_truth_labels
from tillgate_models.feature_spec import FEATURE_SPEC_HASH, STOCKOUT_FEATURE_NAMES
from tillgate_models.onnx_graph import TreeEnsemble, TreeNode, ensemble_to_onnx
from tillgate_models.snapshots import STOCKOUT_HORIZON_MS

ON_HAND = STOCKOUT_FEATURE_NAMES.index("on_hand")
HOUR_MS = 3_600_000


def holdout() -> pd.DataFrame:
    on_hand = [0, 5, 0, 7, 3, 9]
    rows = {name: np.zeros(6) for name in STOCKOUT_FEATURE_NAMES}
    rows["on_hand"] = np.array(on_hand, dtype=np.float64)
    return pd.DataFrame(
        {
            "store_id": ["s1"] * 6,
            "sku": ["a", "b", "c", "d", "e", "f"],
            "t_ms": [10 * HOUR_MS] * 6,
            "label": [1.0 if units == 0 else 0.0 for units in on_hand],
            **rows,
        }
    )


def model(feature: int) -> bytes:
    tree = [
        TreeNode(0, feature=feature, threshold=0.5, left=1, right=2),
        TreeNode(1, value=1.0),
        TreeNode(2, value=-1.0),
    ]
    ensemble = TreeEnsemble([tree], [1.0], len(STOCKOUT_FEATURE_NAMES), sigmoid_scale=2.0)
    return ensemble_to_onnx(ensemble, "stockout-risk", "test").SerializeToString()


INFORMED, BLIND = model(ON_HAND), model((ON_HAND + 1) % len(STOCKOUT_FEATURE_NAMES))


def release(tmp: Path, version: str, onnx: bytes) -> Path:
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "model.onnx").write_bytes(onnx)
    (tmp / "manifest.json").write_text(json.dumps({"version": version, "feature_spec_hash": FEATURE_SPEC_HASH}))
    return tmp


def champion(version: str, onnx: bytes, spec: str = FEATURE_SPEC_HASH) -> Champion:
    return Champion(version, {"version": version, "feature_spec_hash": spec}, onnx)


def test_a_better_challenger_is_released_and_the_reason_gives_both_scores(tmp_path: Path):
    decision = decide(holdout(), release(tmp_path, "2.2", INFORMED), champion("2.1", BLIND))

    assert decision.release is True
    assert decision.challenger.pr_auc_observed == pytest.approx(1.0)
    assert decision.champion.pr_auc_observed == pytest.approx(2 / 6)
    assert decision.reason == (
        "challenger 2.2 beats champion 2.1 on pr_auc_observed: 1.0000 vs 0.3333 (gain +0.6667, needed > 0.0)"
    )


def test_a_worse_or_equal_challenger_releases_nothing(tmp_path: Path):
    worse = decide(holdout(), release(tmp_path / "w", "2.2", BLIND), champion("2.1", INFORMED))
    equal = decide(holdout(), release(tmp_path / "e", "2.2", INFORMED), champion("2.1", INFORMED))

    assert (worse.release, equal.release) == (False, False)
    assert "does not beat champion 2.1" in equal.reason


def test_the_gain_must_exceed_min_gain(tmp_path: Path):
    decision = decide(holdout(), release(tmp_path, "2.2", INFORMED), champion("2.1", BLIND), min_gain=0.7)

    assert decision.release is False


def test_no_champion_or_one_for_another_feature_spec_cannot_block_the_challenger(tmp_path: Path):
    challenger = release(tmp_path, "2.2", BLIND)

    first = decide(holdout(), challenger, None)
    other_spec = decide(holdout(), challenger, champion("1.9", INFORMED, spec="0" * 64))

    assert (first.release, first.champion) == (True, None)
    assert other_spec.release is True
    assert "was built for feature spec 000000000000" in other_spec.reason


def test_a_holdout_without_an_observed_empty_shelf_decides_nothing(tmp_path: Path):
    rows = holdout().assign(label=0.0)

    decision = decide(rows, release(tmp_path, "2.2", INFORMED), champion("2.1", BLIND))

    assert decision.release is False
    assert decision.reason.startswith("the holdout has no observed empty shelf")


def test_ground_truth_evaluates_both_models_on_the_same_rows(tmp_path: Path):
    # Ground truth: SKU a empty from 20 h to 30 h (inside [10 h, 58 h]), b still empty since 100 h (outside),
    # c empty until 9 h (ended before t): only row a is a ground-truth positive.
    truth = pd.DataFrame(
        {
            "store_id": ["s1", "s1", "s1"],
            "sku": ["a", "b", "c"],
            "start_ms": [20 * HOUR_MS, 100 * HOUR_MS, 1 * HOUR_MS],
            "end_ms": [30 * HOUR_MS, np.nan, 9 * HOUR_MS],
        }
    )
    assert 100 * HOUR_MS > 10 * HOUR_MS + STOCKOUT_HORIZON_MS

    assert ground_truth_labels(holdout(), truth).tolist() == [1.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    decision = decide(holdout(), release(tmp_path, "2.2", INFORMED), champion("2.1", BLIND), truth=truth)
    # informed ranks a and c (tied) first: average precision 1/2; blind ties all six: 1/6.
    assert decision.challenger.pr_auc_ground_truth == pytest.approx(0.5)
    assert decision.champion.pr_auc_ground_truth == pytest.approx(1 / 6)

"""A re-chosen threshold replaces every figure that belonged to the old one (rethreshold.py)."""

from tillgate_models.alert_threshold import HarnessChoice
from tillgate_models.rethreshold import rethresholded_metrics


def test_the_new_threshold_and_its_alert_figures_replace_the_old_and_row_figures_at_the_old_one_go():
    old = {
        "alert_threshold": 0.95,
        "alert_precision": 0.986,  # snapshot rows at 0.95: would describe another level
        "alert_recall": 0.297,
        "validation_alerts_precision": 0.957,
        "validation_alerts_detection_recall": 0.577,
        "pr_auc": 0.667,
        "parity_max_abs_diff": 1.0e-7,
    }
    choice = HarnessChoice(
        threshold=0.8,
        rule="r",
        precision=0.9,
        recall=0.75,
        detection_recall=0.65,
        alerts_per_store_day=5.0,
        table=[],
        hidden_empty_threshold=0.7,
    )
    holdout = {"precision": 0.92, "recall": 0.74, "detection_recall": 0.66, "alerts": 100}
    new = rethresholded_metrics(old, choice, holdout)
    assert new == {
        "alert_threshold": 0.8,
        "alert_threshold_hidden_empty": 0.7,
        "validation_alerts_precision": 0.9,
        "validation_alerts_recall": 0.75,
        "validation_alerts_detection_recall": 0.65,
        "validation_alerts_per_store_day": 5.0,
        "holdout_alerts_precision": 0.92,
        "holdout_alerts_recall": 0.74,
        "holdout_alerts_detection_recall": 0.66,
        "pr_auc": 0.667,
        "parity_max_abs_diff": 1.0e-7,
    }

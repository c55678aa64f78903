"""Holdout metrics on examples small enough to check by hand."""

import math

import numpy as np
import pandas as pd
import pytest

from tillgate_models.evaluation import (
    alert_lead_times,
    average_precision,
    closure_mask,
    demand_metrics,
    operating_point,
    precision_recall_at,
    recall_at_precision,
)

HOUR = 3_600_000


def test_average_precision_of_a_perfect_and_a_mixed_ranking():
    assert average_precision(np.array([1, 1, 0, 0]), np.array([0.9, 0.8, 0.2, 0.1])) == 1.0
    # Ranked 1, 0, 1: precision 1 at recall 0.5, 2/3 at recall 1 -> 0.5 * 1 + 0.5 * 2/3.
    assert average_precision(np.array([1, 0, 1]), np.array([0.9, 0.5, 0.1])) == pytest.approx(5 / 6)


def test_tied_scores_share_one_threshold():
    # All tied: one operating point, precision 0.5 at recall 1.
    assert average_precision(np.array([1, 0]), np.array([0.5, 0.5])) == 0.5


def test_recall_at_90_percent_precision_picks_the_lowest_threshold_that_holds_it():
    labels = np.array([1] * 9 + [0] + [1, 0, 0])
    scores = np.array([0.99 - i * 0.01 for i in range(13)])
    recall, threshold = recall_at_precision(labels, scores)
    # Top 10 rows: 9 hits (precision 0.9); the 11th is a hit too: 10/11 = 0.909 -> recall 10/10.
    assert recall == 1.0
    assert threshold == pytest.approx(0.89)
    assert recall_at_precision(np.array([0, 1]), np.array([0.9, 0.1])) == (0.0, math.inf)


def test_the_operating_point_is_the_lowest_threshold_that_keeps_half_the_alerts_right():
    labels = np.array([1, 0, 1, 0, 0, 1, 0, 0, 0, 0])
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05])
    point = operating_point(labels, scores)
    # Down to 0.6: 2 of 4 right (0.5); down to 0.4: 3 of 6 (0.5) and all positives; 0.3: 3 of 7.
    assert (point.threshold, point.rule, point.precision, point.recall) == (0.4, "precision>=0.5", 0.5, 1.0)
    assert precision_recall_at(labels, scores, 0.65) == (2 / 3, 2 / 3)
    assert precision_recall_at(labels, scores, 0.95) == (0.0, 0.0)


def test_without_a_threshold_at_half_precision_the_operating_point_maximises_f1():
    labels = np.array([0, 0, 1, 0, 0, 0, 1, 0])
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2])
    point = operating_point(labels, scores)
    # Precision never reaches 0.5; F1 at 0.7 is 2*(1/3)(1/2)/(5/6) = 0.4, at 0.3 2*(2/7)(1)/(9/7) = 0.44.
    assert (point.threshold, point.rule) == (0.3, "max F1")
    assert point.recall == 1.0


def test_lead_time_is_start_minus_first_alert_within_the_horizon():
    rows = pd.DataFrame(
        {
            "store_id": ["s"] * 4 + ["s"] * 2,
            "sku": ["A"] * 4 + ["B"] * 2,
            "t_ms": [100 * HOUR, 106 * HOUR, 112 * HOUR, 118 * HOUR, 100 * HOUR, 106 * HOUR],
            "score": [0.1, 0.8, 0.9, 0.9, 0.1, 0.1],
        }
    )
    stockouts = pd.DataFrame(
        {"store_id": ["s", "s"], "sku": ["A", "B"], "start_ms": [110 * HOUR, 104 * HOUR], "end_ms": [120 * HOUR, None]}
    )
    leads = alert_lead_times(rows, stockouts, threshold=0.5, horizon_ms=48 * HOUR, holdout_start_ms=0)
    assert (leads.stockouts, leads.alerted, leads.alerted_before_empty) == (2, 1, 1)
    assert leads.median_hours == 4.0


def test_demand_metrics_scale_both_errors_by_the_naive_in_sample_error():
    metrics = demand_metrics(
        actual=np.array([10.0, 20.0, 0.0]),
        predicted=np.array([12.0, 18.0, 1.0]),
        naive=np.array([5.0, 30.0, 0.0]),
        train_actual=np.array([4.0, 8.0]),
        train_naive=np.array([2.0, 10.0]),
    )
    assert metrics.scale == 2.0
    assert metrics.mae == pytest.approx(5 / 3)
    assert metrics.naive_mae == 5.0
    assert metrics.mase == pytest.approx(5 / 6)
    assert metrics.naive_mase == 2.5
    assert metrics.mape == pytest.approx((0.2 + 0.1) / 2)


def test_closure_mask_covers_two_days_from_a_closed_day_of_that_store_only():
    day = 24 * HOUR
    rows = pd.DataFrame(
        {"store_id": ["s1", "s1", "s1", "s2"], "t_ms": [10 * day - 1, 10 * day, 12 * day - 1, 11 * day]}
    )
    closed = pd.DataFrame({"store_id": ["s1"], "day_ms": [10 * day]})
    assert closure_mask(rows, closed, 2 * day).tolist() == [False, True, True, False]

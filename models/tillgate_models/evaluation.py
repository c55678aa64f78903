"""Holdout metrics of both models, in numpy so every number is computed one visible way.

Stock-out: PR-AUC as average precision (step-wise, the precision-recall curve's area without the
optimistic linear interpolation), recall at 90% precision, and alert lead time per ground-truth
stock-out. Demand: MAPE (rows with sales > 0), RMSE, and MASE against the seasonal-naive forecast
(next 7 days = last 7 days), scaled by the naive's in-sample MAE on the training rows.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

TARGET_PRECISION = 0.9
# The operating point: an alert sends someone to the shelf, so at least every second one must be real.
# Among thresholds that hold it, the lowest finds the most stock-outs.
OPERATING_PRECISION = 0.5


def average_precision(labels: np.ndarray, scores: np.ndarray) -> float:
    order = np.argsort(-scores, kind="stable")
    y = labels[order]
    positives = y.sum()
    if positives == 0:
        return float("nan")
    # Ties share a threshold: evaluate only at the last row of each run of equal scores.
    distinct = np.r_[np.diff(scores[order]) != 0, True]
    true_pos = np.cumsum(y)[distinct]
    predicted = np.arange(1, len(y) + 1)[distinct]
    precision = true_pos / predicted
    recall = true_pos / positives
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def _curve(labels: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(thresholds, precision, recall) at every distinct score, highest threshold first."""
    order = np.argsort(-scores, kind="stable")
    y, s = labels[order], scores[order]
    distinct = np.r_[np.diff(s) != 0, True]
    true_pos = np.cumsum(y)[distinct]
    predicted = np.arange(1, len(y) + 1)[distinct]
    return s[distinct], true_pos / predicted, true_pos / max(1, y.sum())


def recall_at_precision(
    labels: np.ndarray, scores: np.ndarray, target: float = TARGET_PRECISION
) -> tuple[float, float]:
    """(best recall with precision >= target, the lowest score threshold that reaches it); (0, inf) if none."""
    thresholds, precision, recall = _curve(labels, scores)
    ok = np.flatnonzero(precision >= target)
    if len(ok) == 0:
        return 0.0, float("inf")
    best = ok[np.argmax(recall[ok])]
    return float(recall[best]), float(thresholds[best])


@dataclass(frozen=True)
class OperatingPoint:
    threshold: float
    rule: str  # "precision>=0.5" or "max F1" (when no threshold reaches the precision)
    precision: float
    recall: float


def operating_point(
    labels: np.ndarray, scores: np.ndarray, min_precision: float = OPERATING_PRECISION
) -> OperatingPoint:
    """The lowest threshold with precision >= min_precision; the F1 maximum if none reaches it."""
    thresholds, precision, recall = _curve(labels, scores)
    ok = np.flatnonzero(precision >= min_precision)
    if len(ok):
        best, rule = ok[np.argmax(recall[ok])], f"precision>={min_precision}"
    else:
        f1 = np.where(precision + recall > 0, 2 * precision * recall / np.maximum(precision + recall, 1e-12), 0.0)
        best, rule = int(np.argmax(f1)), "max F1"
    return OperatingPoint(float(thresholds[best]), rule, float(precision[best]), float(recall[best]))


def precision_recall_at(labels: np.ndarray, scores: np.ndarray, threshold: float) -> tuple[float, float]:
    """(precision, recall) of alerting at score >= threshold; precision is 0 when nothing alerts."""
    alerted = scores >= threshold
    hits = float(labels[alerted].sum())
    return (hits / alerted.sum() if alerted.any() else 0.0), hits / max(1.0, float(labels.sum()))


@dataclass(frozen=True)
class LeadTimes:
    stockouts: int
    alerted: int
    median_hours: float
    alerted_before_empty: int


def alert_lead_times(
    rows: pd.DataFrame, stockouts: pd.DataFrame, threshold: float, horizon_ms: int, holdout_start_ms: int
) -> LeadTimes:
    """rows: store_id, sku, t_ms, score (holdout stock-out snapshots). stockouts: store_id, sku,
    start_ms, end_ms. For each stock-out starting inside the holdout, lead time = start - the first
    snapshot in [start - horizon, end] scoring >= threshold (negative: the alert came after the shelf
    emptied, e.g. phantom inventory found by missing sales)."""
    snapshot_end = int(rows["t_ms"].max()) if len(rows) else holdout_start_ms
    alerts = rows[rows["score"] >= threshold].sort_values("t_ms")
    by_key = {key: group["t_ms"].to_numpy() for key, group in alerts.groupby(["store_id", "sku"])}
    leads: list[float] = []
    counted = 0
    for so in stockouts.itertuples(index=False):
        if not (holdout_start_ms + horizon_ms <= so.start_ms <= snapshot_end):
            continue
        counted += 1
        times = by_key.get((so.store_id, so.sku))
        if times is None:
            continue
        end = snapshot_end if pd.isna(so.end_ms) else so.end_ms
        inside = times[(times >= so.start_ms - horizon_ms) & (times <= end)]
        if len(inside):
            leads.append((so.start_ms - inside[0]) / 3_600_000)
    return LeadTimes(
        stockouts=counted,
        alerted=len(leads),
        median_hours=float(np.median(leads)) if leads else float("nan"),
        alerted_before_empty=int(sum(1 for lead in leads if lead > 0)),
    )


@dataclass(frozen=True)
class DemandMetrics:
    mape: float
    rmse: float
    mae: float
    naive_mae: float
    naive_rmse: float
    scale: float
    mase: float
    naive_mase: float


def demand_metrics(
    actual: np.ndarray, predicted: np.ndarray, naive: np.ndarray, train_actual: np.ndarray, train_naive: np.ndarray
) -> DemandMetrics:
    sold = actual > 0
    scale = float(np.mean(np.abs(train_actual - train_naive)))
    mae = float(np.mean(np.abs(actual - predicted)))
    naive_mae = float(np.mean(np.abs(actual - naive)))
    return DemandMetrics(
        mape=float(np.mean(np.abs(actual[sold] - predicted[sold]) / actual[sold])),
        rmse=float(np.sqrt(np.mean((actual - predicted) ** 2))),
        mae=mae,
        naive_mae=naive_mae,
        naive_rmse=float(np.sqrt(np.mean((actual - naive) ** 2))),
        scale=scale,
        mase=mae / scale,
        naive_mase=naive_mae / scale,
    )


def closure_mask(rows: pd.DataFrame, closed_days: pd.DataFrame, window_ms: int) -> np.ndarray:
    """True for snapshot rows (store_id, t_ms) within `window_ms` from the start of one of their store's
    closed days (closed_days: store_id, day_ms). A closed day silences every SKU for ~34 h, which
    per-SKU features cannot tell from phantom inventory; this mask measures how much of the error
    that is (a diagnostic, never the headline metric)."""
    mask = np.zeros(len(rows), dtype=bool)
    stores = rows["store_id"].to_numpy()
    times = rows["t_ms"].to_numpy()
    for closed in closed_days.itertuples(index=False):
        mask |= (stores == closed.store_id) & (times >= closed.day_ms) & (times < closed.day_ms + window_ms)
    return mask

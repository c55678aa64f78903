"""Training rows for one store x SKU: fold its events through the shared feature definition and take
feature snapshots, each with its labels. Pure Python over pandas frames, so Spark runs it per group
(cogroup + applyInPandas in training_data.py) and tests call it directly.

Labels (the choices are explained in models/README.md):
- stock-out: 1 if the shelf is empty at any instant of [t, t + HORIZON] according to the simulator's
  ground truth. This includes shelves already empty at t whose events still show stock (phantom
  inventory, unrecorded shrink), the case the edge's alert exists for.
- demand: units sold (net of restocked returns, as dailyUnits counts them) over the 7 UTC days after
  the snapshot's day; the snapshot is taken at the day's last millisecond.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd

from .feature_state import SkuFeatureState, StoreFeatureState, apply_event, apply_store_event
from .stockout_features import stockout_features
from .utc_time import MS_PER_DAY, MS_PER_HOUR, utc_day

STOCKOUT_HORIZON_MS = 48 * MS_PER_HOUR
DEMAND_DAYS = 7
# units_28d divides by 28 whatever history there is: before 28 days it understates the level, and
# snapshots from then taught the demand model a 2x warm-up artefact (measured: MASE ratio 1.79 with a
# 14-day warm-up). The edge in steady state always has 28 days.
WARMUP_DAYS = 28
# Four stock-out snapshots a day, shifted by an hour each day so every hour of day is seen.
SNAPSHOTS_PER_DAY = 4


@dataclass(frozen=True)
class SnapshotRow:
    kind: str  # "stockout" | "demand"
    t_ms: int
    features: list[float]
    label: float
    naive: float  # demand: seasonal-naive forecast (units of the last 7 days); stockout: 0
    empty_now: bool


EVENT_ORDER = ["occurred_ms", "terminal_id", "terminal_seq", "event_id"]


def store_timeline(
    events: pd.DataFrame, start_ms: int, end_ms: int
) -> tuple[dict[str, float], dict[int, StoreFeatureState]]:
    """One store's sale and return events (columns of EVENT_ORDER + payload) through the spec's store
    state machine: the store's soldUnits right after each sale event (by event_id), and the store
    state at every snapshot instant. The SKU folds read both, so every SKU sees one store."""
    ordered = events.sort_values(EVENT_ORDER, kind="stable")
    occurred = ordered["occurred_ms"].tolist()
    store = StoreFeatureState()
    sold_after: dict[str, float] = {}
    at_snapshot: dict[int, StoreFeatureState] = {}
    applied = 0
    payloads = [json.loads(text) for text in ordered["payload"]]
    for t_ms, _kind in _snapshot_times(start_ms, end_ms):
        while applied < len(payloads) and occurred[applied] <= t_ms:
            store = apply_store_event(store, payloads[applied])
            if payloads[applied]["type"] == "sale":
                sold_after[payloads[applied]["event_id"]] = store.sold_units
            applied += 1
        at_snapshot[t_ms] = store
    for event in payloads[applied:]:
        store = apply_store_event(store, event)
        if event["type"] == "sale":
            sold_after[event["event_id"]] = store.sold_units
    return sold_after, at_snapshot


def snapshot_rows(
    events: pd.DataFrame,
    stockouts: pd.DataFrame,
    sku: str,
    start_ms: int,
    end_ms: int,
    store_at: dict[int, StoreFeatureState],
) -> Iterator[SnapshotRow]:
    """events: columns occurred_ms, terminal_id, terminal_seq, event_id, payload (StoreEvent JSON),
    store_sold (the store's soldUnits right after a sale event, from store_timeline; NaN otherwise).
    stockouts: columns start_ms, end_ms (end_ms NaN while still out). Times in epoch ms; history covers
    [start_ms, end_ms). store_at: the SKU's store state at each snapshot instant (store_timeline)."""
    ordered = events.sort_values(EVENT_ORDER, kind="stable")
    payloads = [json.loads(text) for text in ordered["payload"]]
    occurred = ordered["occurred_ms"].tolist()
    store_sold = ordered["store_sold"].fillna(0.0).tolist()
    intervals = [
        (int(row.start_ms), end_ms if pd.isna(row.end_ms) else int(row.end_ms))
        for row in stockouts.itertuples(index=False)
    ]
    daily_sold = _daily_units_sold(payloads, occurred, sku)
    state = SkuFeatureState()
    applied = 0
    for t_ms, kind in _snapshot_times(start_ms, end_ms):
        while applied < len(payloads) and occurred[applied] <= t_ms:
            state = apply_event(state, payloads[applied], sku, store_sold[applied])
            applied += 1
        store = store_at.get(t_ms, StoreFeatureState())
        features = [float(value) for value in stockout_features(state, store, t_ms)]
        empty_now = any(start <= t_ms <= end for start, end in intervals)
        if kind == "stockout":
            horizon_end = t_ms + STOCKOUT_HORIZON_MS
            label = 1.0 if any(start <= horizon_end and end >= t_ms for start, end in intervals) else 0.0
            yield SnapshotRow(kind, t_ms, features, label, 0.0, empty_now)
        else:
            day = t_ms // MS_PER_DAY
            future = sum(daily_sold.get(utc_day((day + offset) * MS_PER_DAY), 0) for offset in range(1, 8))
            past = sum(daily_sold.get(utc_day((day - offset) * MS_PER_DAY), 0) for offset in range(7))
            yield SnapshotRow(kind, t_ms, features, float(max(0, future)), float(max(0, past)), empty_now)


def _snapshot_times(start_ms: int, end_ms: int) -> Iterator[tuple[int, str]]:
    """(t, kind) in time order. Stock-out snapshots stop HORIZON before the end of history, demand
    snapshots 7 days before it, so every label is fully observed."""
    first_day = start_ms // MS_PER_DAY + WARMUP_DAYS
    last_day = end_ms // MS_PER_DAY
    for day in range(first_day, last_day):
        for t_ms, kind in day_snapshot_instants(day):
            if (kind == "stockout" and t_ms + STOCKOUT_HORIZON_MS < end_ms) or (
                kind == "demand" and day + 1 + DEMAND_DAYS <= last_day
            ):
                yield t_ms, kind


def day_snapshot_instants(day: int) -> list[tuple[int, str]]:
    """(t, kind) of UTC day number `day` (days since the epoch), in time order: SNAPSHOTS_PER_DAY
    stock-out instants shifted an hour a day, then the demand snapshot at the day's last millisecond.
    Training and the feature_engineering DAG take their snapshots at exactly these instants."""
    day_ms = day * MS_PER_DAY
    step = 24 // SNAPSHOTS_PER_DAY
    stockout = [(day_ms + (slot * step + day % step) * MS_PER_HOUR, "stockout") for slot in range(SNAPSHOTS_PER_DAY)]
    return [*stockout, (day_ms + MS_PER_DAY - 1, "demand")]


def _daily_units_sold(payloads: list[dict], occurred: list[int], sku: str) -> dict[str, float]:
    """Full-history units per UTC day with dailyUnits' definition (sales minus restocked returns)."""
    sold: dict[str, float] = {}
    for event, at_ms in zip(payloads, occurred, strict=True):
        if event["type"] == "sale":
            units = sum(line["quantity"] for line in event["lines"] if line["sku"] == sku)
        elif event["type"] == "return":
            units = -sum(line["quantity"] for line in event["lines"] if line["sku"] == sku and line["restock"])
        else:
            continue
        if units:
            day = utc_day(at_ms)
            sold[day] = sold.get(day, 0) + units
    return sold

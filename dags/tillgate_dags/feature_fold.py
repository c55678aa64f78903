"""One store's day through the ONE feature definition: the previous day's states, the day's curated
events folded by tillgate_models.feature_state (the code training and the golden vectors check), and
tillgate_models.stockout_features at the training's snapshot instants (snapshots.day_snapshot_instants).
Only the loop lives here; what an event does to a state, and what a feature is, is not redefined.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tillgate_models.feature_state import (
    SkuFeatureState,
    StoreFeatureState,
    apply_event,
    apply_store_event,
    sku_state_from_json,
    store_state_from_json,
)
from tillgate_models.snapshots import day_snapshot_instants
from tillgate_models.stockout_features import stockout_features
from tillgate_models.utc_time import MS_PER_DAY, instant_ms

STORE_STATE_KEY = ""  # the sku column of the store-level state's row


@dataclass
class StoreStates:
    store: StoreFeatureState = field(default_factory=StoreFeatureState)
    skus: dict[str, SkuFeatureState] = field(default_factory=dict)

    def as_rows(self, store_id: str) -> Iterator[tuple[str, str, str]]:
        """(store_id, sku, state JSON) rows; the store's own state has sku ''."""
        yield store_id, STORE_STATE_KEY, json.dumps(self.store.as_json(), sort_keys=True)
        for sku in sorted(self.skus):
            yield store_id, sku, json.dumps(self.skus[sku].as_json(), sort_keys=True)

    @classmethod
    def from_rows(cls, rows: list[tuple[str, str]]) -> StoreStates:
        """(sku, state JSON) rows of one store, as as_rows wrote them."""
        states = cls()
        for sku, state in rows:
            if sku == STORE_STATE_KEY:
                states.store = store_state_from_json(json.loads(state))
            else:
                states.skus[sku] = sku_state_from_json(json.loads(state))
        return states


@dataclass(frozen=True)
class Snapshot:
    sku: str
    kind: str  # "stockout" | "demand"
    t_ms: int
    features: list[float]  # float32-rounded, in STOCKOUT_FEATURE_NAMES order


def _skus_of(event: dict[str, Any]) -> list[str]:
    if "lines" in event:
        return list(dict.fromkeys(line["sku"] for line in event["lines"]))
    return [event["sku"]] if "sku" in event else []


def _apply(states: StoreStates, event: dict[str, Any]) -> None:
    # The store state first, so a sale's own units are in soldUnits when its SKUs note it (spec).
    states.store = apply_store_event(states.store, event)
    for sku in _skus_of(event):
        states.skus[sku] = apply_event(states.skus.get(sku, SkuFeatureState()), event, sku, states.store.sold_units)


def fold_store_day(states: StoreStates, events: list[dict[str, Any]], day_number: int) -> list[Snapshot]:
    """Moves `states` through the day's events (StoreEvent JSON in the spec's order, all inside UTC day
    `day_number`) and returns every SKU's features at each of the day's snapshot instants."""
    day_end = (day_number + 1) * MS_PER_DAY
    occurred = [instant_ms(event["occurred_at"]) for event in events]
    strays = [
        event["event_id"]
        for event, at in zip(events, occurred, strict=True)
        if not day_end - MS_PER_DAY <= at < day_end
    ]
    if strays:
        raise ValueError(f"events outside UTC day {day_number}: {strays[:5]}")
    snapshots = []
    applied = 0
    for t_ms, kind in day_snapshot_instants(day_number):
        while applied < len(events) and occurred[applied] <= t_ms:
            _apply(states, events[applied])
            applied += 1
        for sku in sorted(states.skus):
            values = stockout_features(states.skus[sku], states.store, t_ms)
            snapshots.append(Snapshot(sku, kind, t_ms, [float(value) for value in values]))
    return snapshots

"""feature_engineering's work: the features of one UTC day, written to the lake partition training and
batch prediction read (derived/features/date=D/features.parquet), and the states the next day starts
from (derived/feature-state/date=D/state.parquet).

A day folds the day's curated events (daily_etl) from the previous day's states, like the edge moves
its state with each event: the values are the ones the edge computes. So day D needs day D-1's states;
only the first curated day of the lake starts from empty states, as an edge does when installed.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from tillgate_dags import derived_lake
from tillgate_dags.daily_inputs import InputMissing
from tillgate_dags.feature_fold import StoreStates, fold_store_day
from tillgate_dags.lake import lake_filesystem, lake_root
from tillgate_dags.settings import Settings
from tillgate_models.feature_spec import FEATURE_SPEC_HASH, STOCKOUT_FEATURE_NAMES

FEATURE_SCHEMA = pa.schema(
    [
        ("store_id", pa.string()),
        ("sku", pa.string()),
        ("kind", pa.string()),
        ("t_ms", pa.int64()),
        *[(name, pa.float64()) for name in STOCKOUT_FEATURE_NAMES],
        ("feature_spec_hash", pa.string()),
    ]
)
STATE_SCHEMA = pa.schema([("store_id", pa.string()), ("sku", pa.string()), ("state", pa.string())])


def _day_number(day: date) -> int:
    return (day - date(1970, 1, 1)).days


def _previous_states(fs: Any, root: str, day: date) -> dict[str, StoreStates]:
    previous = day - timedelta(days=1)
    if not derived_lake.has_day(fs, root, derived_lake.FEATURE_STATE, previous):
        earlier = derived_lake.days_before(fs, root, derived_lake.DAILY_FACTS, day)
        if earlier:
            raise InputMissing(
                f"feature_engineering: no feature state for {previous} (derived/feature-state/date={previous}),"
                f" while curated days exist from {earlier[0]}: run feature_engineering for {previous} first"
                " (dags/README.md, backfill). Nothing written."
            )
        return {}  # the first curated day: empty states, as a newly installed edge starts
    rows: dict[str, list[tuple[str, str]]] = {}
    for row in derived_lake.read_day(fs, root, derived_lake.FEATURE_STATE, previous).to_pylist():
        rows.setdefault(row["store_id"], []).append((row["sku"], row["state"]))
    return {store: StoreStates.from_rows(store_rows) for store, store_rows in rows.items()}


def _day_events(fs: Any, root: str, day: date) -> dict[str, list[dict[str, Any]]]:
    if not derived_lake.has_day(fs, root, derived_lake.STORE_EVENTS, day):
        return {}
    table = derived_lake.read_day(fs, root, derived_lake.STORE_EVENTS, day)
    table = table.sort_by(
        [
            ("store_id", "ascending"),
            ("occurred_ms", "ascending"),
            ("terminal_id", "ascending"),
            ("terminal_seq", "ascending"),
            ("event_id", "ascending"),
        ]
    )
    events: dict[str, list[dict[str, Any]]] = {}
    for store, payload in zip(table["store_id"].to_pylist(), table["payload"].to_pylist(), strict=True):
        events.setdefault(store, []).append(json.loads(payload))
    return events


def compute_day(fs: Any, root: str, day: date) -> tuple[pa.Table, pa.Table]:
    """(features, states) of the day; raises InputMissing naming what is absent. Writes nothing."""
    if not derived_lake.has_day(fs, root, derived_lake.DAILY_FACTS, day):
        raise InputMissing(
            f"feature_engineering: no curated facts for {day} (derived/daily-store-sku/date={day}): run daily_etl"
            f" for {day} (its run of {day + timedelta(days=1)} 08:00) first. Nothing written."
        )
    facts = derived_lake.read_day(fs, root, derived_lake.DAILY_FACTS, day)
    active = facts.filter(
        pc.or_(
            pc.greater(facts["sale_lines"], 0),
            pc.or_(pc.greater(facts["deliveries"], 0), pc.greater(facts["shelf_counts"], 0)),
        )
    )
    events = _day_events(fs, root, day)
    without_events = sorted(set(active["store_id"].to_pylist()) - set(events))
    if without_events:
        raise InputMissing(
            f"feature_engineering: {', '.join(without_events)} had activity on {day} in the curated facts but"
            f" no curated events (derived/store-events/date={day}/store=...): re-run daily_etl for {day}. Nothing written."
        )
    states = _previous_states(fs, root, day)
    feature_rows: list[dict[str, Any]] = []
    state_rows: list[tuple[str, str, str]] = []
    for store in sorted(set(states) | set(events)):
        store_states = states.get(store, StoreStates())
        for snap in fold_store_day(store_states, events.get(store, []), _day_number(day)):
            values = dict(zip(STOCKOUT_FEATURE_NAMES, snap.features, strict=True))
            feature_rows.append(
                {
                    "store_id": store,
                    "sku": snap.sku,
                    "kind": snap.kind,
                    "t_ms": snap.t_ms,
                    **values,
                    "feature_spec_hash": FEATURE_SPEC_HASH,
                }
            )
        state_rows.extend(store_states.as_rows(store))
    columns = list(zip(*state_rows, strict=True))
    state_table = pa.Table.from_arrays([pa.array(list(c), pa.string()) for c in columns], schema=STATE_SCHEMA)
    return pa.Table.from_pylist(feature_rows, schema=FEATURE_SCHEMA), state_table


def run_feature_engineering(day: date, settings: Settings) -> dict[str, Any]:
    fs, root = lake_filesystem(settings), lake_root(settings)
    features, states = compute_day(fs, root, day)
    # The features first: the state is what the next day reads, written once its day is complete.
    derived_lake.replace_day(fs, root, derived_lake.FEATURES, day, {"features.parquet": features})
    derived_lake.replace_day(fs, root, derived_lake.FEATURE_STATE, day, {"state.parquet": states})
    stores = sorted(set(features["store_id"].to_pylist()))
    return {"day": day.isoformat(), "rows": features.num_rows, "stores": stores, "feature_spec_hash": FEATURE_SPEC_HASH}


def read_features(fs: Any, root: str, day: date, kind: str) -> pa.Table:
    """One kind of a day's feature rows (batch_predictions reads 'demand'); callers check has_day."""
    table = derived_lake.read_day(fs, root, derived_lake.FEATURES, day)
    return table.filter(pc.equal(table["kind"], kind)).sort_by([("store_id", "ascending"), ("sku", "ascending")])

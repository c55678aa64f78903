"""A day's store events from the raw lake: every topic's `date=<day>` partition, deduplicated by event
id (a day not yet compacted holds an edge's re-sends twice, hub/README.md "Lake"), in the feature
spec's event order. The feature DAG folds exactly these through the shared feature state machine.
"""

from __future__ import annotations

import json
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.fs as pafs

from tillgate_dags.derived_lake import read_parquet
from tillgate_dags.lake import day_partitions
from tillgate_models.feature_spec import SPEC_PATH

# The StoreEvent types, from the one feature spec ("events" names each type's effect); the lake also
# archives alerts and alert feedback, which are not store events.
STORE_EVENT_TYPES = frozenset(key for key in json.loads(SPEC_PATH.read_text())["events"] if key != "order")

CURATED_SCHEMA = pa.schema(
    [
        ("store_id", pa.string()),
        ("event_id", pa.string()),
        ("type", pa.string()),
        ("occurred_ms", pa.int64()),
        ("terminal_id", pa.string()),
        ("terminal_seq", pa.int64()),
        ("payload", pa.string()),
    ]
)
# snapshots.EVENT_ORDER: the order training folds events in.
SORT_KEYS = [
    ("occurred_ms", "ascending"),
    ("terminal_id", "ascending"),
    ("terminal_seq", "ascending"),
    ("event_id", "ascending"),
]


def raw_day_events(fs: pafs.FileSystem, root: str, day: date) -> pa.Table:
    """All store events of the UTC day in the raw lake, one row per event id, sorted per spec order."""
    tables = []
    for partition in day_partitions(fs, root, day.isoformat()):
        table = read_parquet(
            fs,
            partition,
            [
                "id",
                "type",
                "store_id",
                "occurred_at",
                "kafka_topic",
                "kafka_partition",
                "kafka_offset",
                "payload",
            ],
        )
        tables.append(table.filter(pc.is_in(table["type"], pa.array(sorted(STORE_EVENT_TYPES)))))
    if not tables:
        return CURATED_SCHEMA.empty_table()
    raw = pa.concat_tables(tables).sort_by(
        [("kafka_topic", "ascending"), ("kafka_partition", "ascending"), ("kafka_offset", "ascending")]
    )
    seen: set[str] = set()
    rows = []
    for event_id, kind, store_id, occurred, payload in zip(
        raw["id"].to_pylist(),
        raw["type"].to_pylist(),
        raw["store_id"].to_pylist(),
        raw["occurred_at"].cast(pa.int64()).to_pylist(),
        raw["payload"].to_pylist(),
        strict=True,
    ):
        if event_id in seen:
            continue
        seen.add(event_id)
        event = json.loads(payload)
        rows.append((store_id, event_id, kind, occurred, event["terminal_id"], int(event["terminal_seq"]), payload))
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in CURATED_SCHEMA]
    table = pa.Table.from_arrays(
        [pa.array(col, field.type) for col, field in zip(columns, CURATED_SCHEMA, strict=True)], schema=CURATED_SCHEMA
    )
    return table.sort_by([("store_id", "ascending"), *SORT_KEYS])


def per_store(events: pa.Table) -> dict[str, pa.Table]:
    return {
        store: events.filter(pc.equal(events["store_id"], store))
        for store in sorted(set(events["store_id"].to_pylist()))
    }

"""Columns every Parquet file of the lake must carry, whatever its event type.

They are the POS event envelope (shared/src/contracts/envelope.ts) plus the edge's `received_at`
stamp and the event `type`. Kept free of heavy imports: the DAG file reads it at parse time.
Types are Arrow type names as pyarrow prints them; the hub's archive writer must produce exactly these.
"""

LAKE_ENVELOPE_SCHEMA: dict[str, str] = {
    "schema": "int32",
    "event_id": "string",
    "store_id": "string",
    "terminal_id": "string",
    "terminal_seq": "int64",
    "type": "string",
    "occurred_at": "timestamp[ms, tz=UTC]",
    "received_at": "timestamp[ms, tz=UTC]",
}

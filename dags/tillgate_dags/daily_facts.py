"""daily_etl's work: one UTC day of raw events -> curated daily store x SKU facts and the day's curated
event log. Facts are computed by ClickHouse from the raw tables (deduplicated with FINAL) and written
to ClickHouse `daily_store_sku_facts` (Power BI, batch_predictions) and to the lake (Spark, features);
the event log comes from the raw lake and must agree with ClickHouse event for event (dags/README.md
"Daily pipeline"). Every input is checked before anything is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pyarrow as pa

from tillgate_dags import derived_lake
from tillgate_dags.curated_events import per_store, raw_day_events
from tillgate_dags.daily_inputs import InputMissing, require_tables
from tillgate_dags.lake import lake_filesystem, lake_root
from tillgate_dags.settings import Settings
from tillgate_dags.warehouse import Warehouse, warehouse_from

FACTS_TABLE = "daily_store_sku_facts"
RAW_EVENT_TABLES = (
    "sales_lines",
    "return_lines",
    "shelf_counts",
    "inventory_adjustments",
    "delivery_lines",
    "price_changes",
    "product_scans",
    "foot_traffic",
)
SOURCE_TABLES = (*RAW_EVENT_TABLES, "stock_movements", FACTS_TABLE)
# A store that sold in this many days before the day and not on it is missing data, not quiet.
EXPECTED_STORE_LOOKBACK_DAYS = 7

_DAY = "toDateTime64({day:String}, 3, 'UTC')"
_IN_DAY = f"occurred_at >= {_DAY} AND occurred_at < {_DAY} + INTERVAL 1 DAY"

# Per source: the facts it contributes, per store x SKU. FINAL: the raw tables are ReplacingMergeTree
# and a line that reached the table twice must count once.
FACT_QUERIES = {
    "sales": f"""SELECT store_id, sku, toInt64(sum(quantity)) AS units_sold, toUInt32(count()) AS sale_lines,
        toInt64(sumIf(quantity, promo)) AS promo_units, toFloat64(sum(quantity * unit_price)) AS revenue
        FROM sales_lines FINAL WHERE {_IN_DAY} GROUP BY store_id, sku""",
    "returns": f"""SELECT store_id, sku, toInt64(sum(quantity)) AS units_returned,
        toInt64(sumIf(quantity, restock)) AS units_returned_restocked
        FROM return_lines FINAL WHERE {_IN_DAY} GROUP BY store_id, sku""",
    "deliveries": f"""SELECT store_id, sku, toInt64(sum(quantity)) AS units_received,
        toUInt32(uniqExact(event_id)) AS deliveries
        FROM delivery_lines FINAL WHERE {_IN_DAY} GROUP BY store_id, sku""",
    "counts": f"""SELECT store_id, sku, toUInt32(count()) AS shelf_counts,
        toInt64(argMax(counted_quantity, occurred_at)) AS last_counted_quantity
        FROM shelf_counts FINAL WHERE {_IN_DAY} GROUP BY store_id, sku""",
    "adjustments": f"""SELECT store_id, sku, toInt64(sum(quantity_delta)) AS units_adjusted,
        toInt64(-sumIf(quantity_delta, quantity_delta < 0)) AS units_shrink
        FROM inventory_adjustments FINAL WHERE {_IN_DAY} GROUP BY store_id, sku""",
    # On hand at the day's end, as inventory_on_hand defines it (the latest count + every movement after
    # it; all movements when never counted), but as of the end of the day instead of now. Every
    # store x SKU that ever moved gets a row, so a SKU that did not sell still has its stock.
    "on_hand": f"""SELECT m.store_id AS store_id, m.sku AS sku,
        toInt64(ifNull(any(c.last_count), 0) + sumIf(m.quantity_delta, m.occurred_at > c.last_count_at)) AS on_hand_end
        FROM stock_movements AS m
        LEFT JOIN (
            SELECT store_id, sku, max(occurred_at) AS last_count_at, argMax(counted_quantity, occurred_at) AS last_count
            FROM stock_movements WHERE kind = 'count' AND occurred_at < {_DAY} + INTERVAL 1 DAY GROUP BY store_id, sku
        ) AS c ON m.store_id = c.store_id AND m.sku = c.sku
        WHERE m.occurred_at < {_DAY} + INTERVAL 1 DAY
        GROUP BY m.store_id, m.sku""",
}

FACT_SCHEMA = pa.schema(
    [
        ("fact_date", pa.date32()),
        ("store_id", pa.string()),
        ("sku", pa.string()),
        ("units_sold", pa.int64()),
        ("sale_lines", pa.int64()),
        ("promo_units", pa.int64()),
        ("revenue", pa.float64()),
        ("units_returned", pa.int64()),
        ("units_returned_restocked", pa.int64()),
        ("net_units", pa.int64()),
        ("units_received", pa.int64()),
        ("deliveries", pa.int64()),
        ("shelf_counts", pa.int64()),
        ("last_counted_quantity", pa.int64()),
        ("units_adjusted", pa.int64()),
        ("units_shrink", pa.int64()),
        ("on_hand_end", pa.int64()),
    ]
)
_ZERO_FACTS = {field.name: 0 for field in FACT_SCHEMA if field.name not in ("fact_date", "store_id", "sku")}
_ZERO_FACTS.update(revenue=0.0, last_counted_quantity=None)


@dataclass(frozen=True)
class CuratedDay:
    day: date
    facts: list[dict[str, Any]]  # FACT_SCHEMA rows, sorted by store, sku
    events: dict[str, pa.Table]  # store -> curated_events.CURATED_SCHEMA rows


def _int(value: Any) -> int:
    return int(value)  # JSON output quotes 64-bit integers


def compute_facts(warehouse: Warehouse, day: date) -> list[dict[str, Any]]:
    """One row per store x SKU with stock or activity by the end of the day (FACT_SCHEMA)."""
    params = {"day": day.isoformat()}
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for sql in FACT_QUERIES.values():
        for row in warehouse.query(sql, params):
            key = (row.pop("store_id"), row.pop("sku"))
            facts = merged.setdefault(key, {"fact_date": day, "store_id": key[0], "sku": key[1], **_ZERO_FACTS})
            for name, value in row.items():
                facts[name] = float(value) if name == "revenue" else None if value is None else _int(value)
    for facts in merged.values():
        # dailyUnits' definition (feature spec): units sold net of restocked returns; the demand label.
        facts["net_units"] = facts["units_sold"] - facts["units_returned_restocked"]
    return [merged[key] for key in sorted(merged)]


def _ch_event_counts(warehouse: Warehouse, day: date) -> dict[str, int]:
    union = " UNION ALL ".join(f"SELECT store_id, event_id FROM {table} WHERE {_IN_DAY}" for table in RAW_EVENT_TABLES)
    rows = warehouse.query(
        f"SELECT store_id, uniqExact(event_id) AS events FROM ({union}) GROUP BY store_id", {"day": day.isoformat()}
    )
    return {row["store_id"]: _int(row["events"]) for row in rows}


def _recent_stores(warehouse: Warehouse, day: date) -> set[str]:
    rows = warehouse.query(
        f"SELECT DISTINCT store_id FROM sales_lines WHERE occurred_at >= {_DAY} - INTERVAL {EXPECTED_STORE_LOOKBACK_DAYS} DAY"
        f" AND occurred_at < {_DAY}",
        {"day": day.isoformat()},
    )
    return {row["store_id"] for row in rows}


def curate_day(warehouse: Warehouse, fs: Any, root: str, day: date, closed_stores: Sequence[str] = ()) -> CuratedDay:
    """Reads and checks one day; raises InputMissing naming what is absent. Writes nothing."""
    require_tables(warehouse, SOURCE_TABLES, "daily_etl")
    facts = compute_facts(warehouse, day)
    selling = {row["store_id"] for row in facts if row["sale_lines"] > 0}
    recent = _recent_stores(warehouse, day)
    # A day every store was closed (a public holiday) is curated too, with its on-hand rows: the feature
    # states must move through it, or every later day would miss its predecessor.
    all_closed = bool(recent) and recent <= set(closed_stores)
    if not selling and not all_closed:
        raise InputMissing(
            f"daily_etl: no sales at all on {day} in sales_lines: an empty day (is ingest running? did the stores"
            ' forward?). If every store was closed, pass conf {"closed_stores": [...]} naming them. Nothing written.'
        )
    silent = sorted(recent - selling - set(closed_stores))
    if silent:
        raise InputMissing(
            f"daily_etl: no sales on {day} from {', '.join(silent)} (they sold in the {EXPECTED_STORE_LOOKBACK_DAYS}"
            " days before). Wait for their backlog to drain and re-run, or pass conf"
            ' {"closed_stores": [...]} if they were closed. Nothing written.'
        )
    events = per_store(raw_day_events(fs, root, day))
    in_clickhouse = _ch_event_counts(warehouse, day)
    behind = [
        f"{store}: {len(events[store]) if store in events else 0} of {count} events"
        for store, count in sorted(in_clickhouse.items())
        if (len(events[store]) if store in events else 0) != count
    ]
    behind += [
        f"{store}: {len(table)} events not in ClickHouse"
        for store, table in events.items()
        if store not in in_clickhouse
    ]
    if behind:
        raise InputMissing(
            f"daily_etl: the lake's date={day} partition does not match ClickHouse ({'; '.join(behind)}): the lake"
            " archiver or the ClickHouse consumer is behind. Re-run when both caught up. Nothing written."
        )
    return CuratedDay(day, facts, events)


def facts_table(facts: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(facts, schema=FACT_SCHEMA)


def write_day(curated: CuratedDay, warehouse: Warehouse, fs: Any, root: str, run_id: str, now: datetime) -> int:
    """The lake first (fixed names, the day replaced whole), then ClickHouse's day in one replace."""
    derived_lake.replace_day(
        fs, root, derived_lake.DAILY_FACTS, curated.day, {"facts.parquet": facts_table(curated.facts)}
    )
    derived_lake.replace_day(
        fs,
        root,
        derived_lake.STORE_EVENTS,
        curated.day,
        {f"store={store}/events.parquet": table for store, table in curated.events.items()},
    )
    created = now.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    rows = [
        {**row, "fact_date": curated.day.isoformat(), "run_id": run_id, "created_at": created} for row in curated.facts
    ]
    return warehouse.replace(FACTS_TABLE, run_id=run_id, key={"fact_date": curated.day.isoformat()}, rows=rows)


def run_daily_etl(day: date, run_id: str, settings: Settings, closed_stores: Sequence[str] = ()) -> dict[str, Any]:
    warehouse = warehouse_from(settings)
    fs, root = lake_filesystem(settings), lake_root(settings)
    curated = curate_day(warehouse, fs, root, day, closed_stores)
    written = write_day(curated, warehouse, fs, root, run_id, datetime.now(UTC))
    events = sum(len(table) for table in curated.events.values())
    return {"day": day.isoformat(), "facts": written, "stores": sorted(curated.events), "events": events}


def read_facts(warehouse: Warehouse, day: date) -> list[dict[str, Any]]:
    """A curated day's facts from ClickHouse (the newest run's rows: replace keeps one run per day)."""
    return warehouse.query(
        f"SELECT * EXCEPT (run_id, created_at) FROM {FACTS_TABLE} WHERE fact_date = {{day:Date}} ORDER BY store_id, sku",
        {"day": day.isoformat()},
    )

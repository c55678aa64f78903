"""Spark side of the training rows: simulator history (simulators/README.md) -> one row per snapshot.

Each store x SKU is folded independently (cogroup of its events and its ground-truth stock-out
intervals, then snapshots.snapshot_rows in a pandas worker), so the job scales out by store x SKU on a
cluster exactly as it runs in local mode.
"""

import json

import pandas as pd
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from .feature_spec import STOCKOUT_FEATURE_NAMES
from .feature_state import StoreFeatureState, store_state_from_json
from .snapshots import snapshot_rows, store_timeline
from .spark_session import ship_package

GROUND_TRUTH_LABELS = "stockouts.parquet"
SNAPSHOT_SCHEMA = (
    "store_id string, sku string, kind string, t_ms long, "
    + ", ".join(f"{name} double" for name in STOCKOUT_FEATURE_NAMES)
    + ", label double, naive double, empty_now boolean"
)


def history_range_ms(spark: SparkSession, history_dir: str) -> tuple[int, int]:
    """[start, end) of the simulated history, from its manifest.json."""
    manifest = spark.read.option("multiLine", True).json(f"{history_dir}/manifest.json").first()
    start = pd.Timestamp(manifest["start"])
    start_ms = int(start.value // 1_000_000)
    return start_ms, start_ms + int(manifest["days"]) * 86_400_000


def snapshot_frame(spark: SparkSession, history_dir: str, labels_file: str = GROUND_TRUTH_LABELS) -> DataFrame:
    """labels_file: the history's label intervals (store_id, sku, start, end); the simulator's ground
    truth by default, the labels observed at the hub for hub-sourced input (dags/tillgate_dags/training_input.py)."""
    ship_package(spark)
    start_ms, end_ms = history_range_ms(spark, history_dir)
    events = spark.read.parquet(f"{history_dir}/events.parquet")
    lines = spark.read.parquet(f"{history_dir}/event_lines.parquet").select("event_id", "sku").distinct()
    single_sku = events.where(F.col("sku").isNotNull())
    multi_sku = events.where(F.col("sku").isNull()).drop("sku").join(lines, "event_id")
    per_sku = single_sku.unionByName(multi_sku).select(
        "store_id",
        "sku",
        F.col("occurred_at").cast("timestamp").alias("occurred_at"),
        (F.unix_millis(F.col("occurred_at"))).alias("occurred_ms"),
        "terminal_id",
        "terminal_seq",
        "event_id",
        "payload",
    )

    # The store-level state (spec "store_state") needs every sale of the store in order: one pandas
    # pass per store; its soldUnits after each sale joins the SKU rows, and its state at each snapshot
    # instant (a few KB per store and instant) is broadcast to the SKU folds.
    def store_fold(pdf: pd.DataFrame) -> pd.DataFrame:
        store_id = pdf["store_id"].iloc[0]
        sold_after, at_snapshot = store_timeline(pdf, start_ms, end_ms)
        rows = [(store_id, event_id, None, sold, None) for event_id, sold in sold_after.items()]
        rows += [(store_id, None, t_ms, None, json.dumps(state.as_json())) for t_ms, state in at_snapshot.items()]
        frame = pd.DataFrame(rows, columns=["store_id", "event_id", "t_ms", "store_sold", "state"])
        return frame.astype({"t_ms": "Int64", "store_sold": "float64"})

    store_rows = (
        events.where(F.col("type").isin("sale", "return"))
        .select(
            "store_id",
            F.unix_millis(F.col("occurred_at")).alias("occurred_ms"),
            "terminal_id",
            "terminal_seq",
            "event_id",
            "payload",
        )
        .groupBy("store_id")
        .applyInPandas(
            store_fold, schema="store_id string, event_id string, t_ms long, store_sold double, state string"
        )
        .cache()
    )
    states = store_rows.where(F.col("t_ms").isNotNull()).select("store_id", "t_ms", "state").toPandas()
    store_at: dict[str, dict[int, StoreFeatureState]] = {}
    for row in states.itertuples(index=False):
        store_at.setdefault(row.store_id, {})[int(row.t_ms)] = store_state_from_json(json.loads(row.state))
    shared_store_at = spark.sparkContext.broadcast(store_at)
    per_sku = per_sku.join(
        store_rows.where(F.col("event_id").isNotNull()).select("event_id", "store_sold"), "event_id", "left"
    )
    stockouts = spark.read.parquet(f"{history_dir}/{labels_file}").select(
        "store_id",
        "sku",
        F.unix_millis("start").alias("start_ms"),
        F.unix_millis("end").alias("end_ms"),
    )

    def fold(events_pdf: pd.DataFrame, stockouts_pdf: pd.DataFrame) -> pd.DataFrame:
        keyed = events_pdf if len(events_pdf) else stockouts_pdf
        store_id, sku = keyed["store_id"].iloc[0], keyed["sku"].iloc[0]
        store_at = shared_store_at.value.get(store_id, {})
        rows = [
            (store_id, sku, row.kind, row.t_ms, *row.features, row.label, row.naive, row.empty_now)
            for row in snapshot_rows(events_pdf, stockouts_pdf, sku, start_ms, end_ms, store_at)
        ]
        columns = ["store_id", "sku", "kind", "t_ms", *STOCKOUT_FEATURE_NAMES, "label", "naive", "empty_now"]
        return pd.DataFrame(rows, columns=columns)

    return (
        per_sku.groupBy("store_id", "sku")
        .cogroup(stockouts.groupBy("store_id", "sku"))
        .applyInPandas(fold, schema=SNAPSHOT_SCHEMA)
    )

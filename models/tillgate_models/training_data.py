"""Spark side of the training rows: simulator history (simulators/README.md) -> one row per snapshot.

Each store x SKU is folded independently (cogroup of its events and its ground-truth stock-out
intervals, then snapshots.snapshot_rows in a pandas worker), so the job scales out by store x SKU on a
cluster exactly as it runs in local mode.
"""

import pandas as pd
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from .feature_spec import STOCKOUT_FEATURE_NAMES
from .snapshots import snapshot_rows
from .spark_session import ship_package

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


def snapshot_frame(spark: SparkSession, history_dir: str) -> DataFrame:
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
    stockouts = spark.read.parquet(f"{history_dir}/stockouts.parquet").select(
        "store_id",
        "sku",
        F.unix_millis("start").alias("start_ms"),
        F.unix_millis("end").alias("end_ms"),
    )

    def fold(events_pdf: pd.DataFrame, stockouts_pdf: pd.DataFrame) -> pd.DataFrame:
        keyed = events_pdf if len(events_pdf) else stockouts_pdf
        store_id, sku = keyed["store_id"].iloc[0], keyed["sku"].iloc[0]
        rows = [
            (store_id, sku, row.kind, row.t_ms, *row.features, row.label, row.naive, row.empty_now)
            for row in snapshot_rows(events_pdf, stockouts_pdf, sku, start_ms, end_ms)
        ]
        columns = ["store_id", "sku", "kind", "t_ms", *STOCKOUT_FEATURE_NAMES, "label", "naive", "empty_now"]
        return pd.DataFrame(rows, columns=columns)

    return (
        per_sku.groupBy("store_id", "sku")
        .cogroup(stockouts.groupBy("store_id", "sku"))
        .applyInPandas(fold, schema=SNAPSHOT_SCHEMA)
    )

"""What the hub saw, as the training pipeline's input: a history-layout folder built from the lake and
ClickHouse, with labels a real chain can observe.

The pipeline (models/tillgate_models/pipeline.py) reads a folder of events.parquet, event_lines.parquet,
a label file and manifest.json (simulators/README.md's history layout). This module writes that folder
from the hub's own record, never from simulator files:

- events: every StoreEvent topic of the lake (Parquet in S3, `payload` = the validated message) for the
  UTC days [start, start + days), deduplicated by event id (a day not yet compacted may hold an edge's
  re-send twice, hub/README.md "Lake");
- labels.parquet: OBSERVED empty shelves, each a point interval (start = end = the instant it was seen):
  a `shelf_count` that counted 0 units, and a staff answer `empty` or `fixed` to an alert
  (alert_feedback joined on alert_id to alerts, through the warehouse). The pipeline labels a snapshot
  at t positive when an observation falls in [t, t + 48 h]: "someone will find this shelf empty within
  the horizon". A count below book stock that is not 0, and `not_empty` answers, are not stock-outs.

The folder is written under a temporary name and renamed when complete, so a failed build leaves
nothing a training run could pick up; bad input (no events, no sales, a missing table) raises
TrainingInputError naming what is missing, before anything is written.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from tillgate_dags.lake import lake_root
from tillgate_dags.settings import Settings
from tillgate_dags.warehouse import Warehouse, WarehouseError

# The lake topics that carry StoreEvents (hub/src/ingest/hub-topics.ts `eventTopics`).
EVENT_TOPICS = (
    "sales-transactions",
    "customer-events",
    "price-changes",
    "inventory-updates",
    "supplier-shipments",
)
SALES_TOPIC = "sales-transactions"
# Tables the labels come from (sql/0009_alerts.sql, sql/0054_alert_feedback.sql).
FEEDBACK_TABLES = ("alerts", "alert_feedback")
POSITIVE_ANSWERS = ("empty", "fixed")
LABELS_FILE = "labels.parquet"
LINE_EVENT_TYPES = ("sale", "return", "supplier_delivery")

_TS = pa.timestamp("ms", tz="UTC")
EVENTS_SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("type", pa.string()),
        ("store_id", pa.string()),
        ("terminal_id", pa.string()),
        ("terminal_seq", pa.int64()),
        ("occurred_at", _TS),
        ("sku", pa.string()),
        ("payload", pa.string()),
    ]
)
LINES_SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("type", pa.string()),
        ("store_id", pa.string()),
        ("occurred_at", _TS),
        ("line_no", pa.int32()),
        ("sku", pa.string()),
        ("quantity", pa.int32()),
    ]
)
LABELS_SCHEMA = pa.schema(
    [("store_id", pa.string()), ("sku", pa.string()), ("start", _TS), ("end", _TS), ("source", pa.string())]
)


class TrainingInputError(Exception):
    """The hub's data cannot make a training input; the message names what is missing."""

    code = "TG_DAG_TRAINING_INPUT"


@dataclass(frozen=True)
class TrainingWindow:
    start: datetime  # a UTC midnight
    days: int

    @property
    def end(self) -> datetime:
        return self.start + timedelta(days=self.days)

    @classmethod
    def ending(cls, moment: datetime, days: int) -> TrainingWindow:
        """The `days` whole UTC days before `moment`'s day (a run at Sunday 02:00 trains up to Saturday)."""
        if days < 1:
            raise TrainingInputError(f"history_days must be at least 1, got {days}")
        midnight = moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        return cls(midnight - timedelta(days=days), days)

    def dates(self) -> list[str]:
        return [(self.start + timedelta(days=i)).date().isoformat() for i in range(self.days)]


@dataclass(frozen=True)
class TrainingInputSummary:
    folder: str
    start: str
    days: int
    stores: list[str]
    events: int
    duplicates_dropped: int
    lines: int
    labels: dict[str, int]  # observations by source


def require_tables(warehouse: Warehouse, tables: tuple[str, ...] = FEEDBACK_TABLES) -> None:
    try:
        rows = warehouse.query(
            "SELECT name FROM system.tables WHERE database = currentDatabase() AND has({names:Array(String)}, name)",
            {"names": "[" + ",".join(f"'{table}'" for table in tables) + "]"},
        )
    except WarehouseError as err:
        raise TrainingInputError(f"cannot list the warehouse's tables: {err}") from err
    missing = sorted(set(tables) - {row["name"] for row in rows})
    if missing:
        raise TrainingInputError(
            f"the warehouse has no table {', '.join(missing)} (sql/0009_alerts.sql, sql/0054_alert_feedback.sql): "
            "migrate the hub's ClickHouse before training"
        )


def _topic_folders(fs: pafs.FileSystem, root: str) -> dict[str, str]:
    """Contract topic -> its lake folder. The folder is named after the Kafka topic, which carries the
    hub's kafka topicPrefix when one is set (`<prefix>sales-transactions`)."""
    folders = [i.path for i in fs.get_file_info(pafs.FileSelector(root, allow_not_found=True))]
    return {
        topic: folder
        for topic in EVENT_TOPICS
        for folder in folders
        if folder.rsplit("/", 1)[-1].endswith(topic) and fs.get_file_info(folder).type == pafs.FileType.Directory
    }


def _lake_files(fs: pafs.FileSystem, folder: str, window: TrainingWindow) -> list[str]:
    files: list[str] = []
    for day in window.dates():
        partition = f"{folder}/date={day}"
        if fs.get_file_info(partition).type != pafs.FileType.Directory:
            continue
        selector = pafs.FileSelector(partition, recursive=True)
        files += sorted(i.path for i in fs.get_file_info(selector) if i.path.endswith(".parquet"))
    return files


def read_lake_events(fs: pafs.FileSystem, root: str, window: TrainingWindow) -> tuple[pd.DataFrame, int]:
    """The window's StoreEvents from the lake, one row per event id, with the columns the pipeline folds."""
    frames = []
    folders = _topic_folders(fs, root)
    for topic in EVENT_TOPICS:
        files = _lake_files(fs, folders[topic], window) if topic in folders else []
        if topic == SALES_TOPIC and not files:
            raise TrainingInputError(
                f"the lake has no sales for {window.dates()[0]}..{window.dates()[-1]} "
                f"(no s3://{root}/<prefix>{SALES_TOPIC}/date=<day>/ folder): nothing to train on"
            )
        if files:
            table = pq.read_table(files, filesystem=fs, columns=["id", "occurred_at", "payload"])
            frames.append(table.to_pandas())
    raw = pd.concat(frames, ignore_index=True)
    # A day's partition is the event's occurred_at day, so this only trims what a wider read brought.
    raw = raw[(raw["occurred_at"] >= pd.Timestamp(window.start)) & (raw["occurred_at"] < pd.Timestamp(window.end))]
    unique = raw.drop_duplicates("id", keep="first")
    return unique, len(raw) - len(unique)


def _events_table(rows: pd.DataFrame) -> tuple[pa.Table, pa.Table, pd.DataFrame]:
    events, lines = [], []
    for payload_text in rows["payload"]:
        event = json.loads(payload_text)
        occurred = pd.Timestamp(event["occurred_at"])
        events.append(
            (
                event["event_id"],
                event["type"],
                event["store_id"],
                event["terminal_id"],
                int(event["terminal_seq"]),
                occurred,
                event.get("sku"),
                payload_text,
            )
        )
        if event["type"] in LINE_EVENT_TYPES:
            for line_no, line in enumerate(event["lines"]):
                lines.append(
                    (
                        event["event_id"],
                        event["type"],
                        event["store_id"],
                        occurred,
                        line_no,
                        line["sku"],
                        line["quantity"],
                    )
                )
    event_frame = pd.DataFrame(events, columns=EVENTS_SCHEMA.names).sort_values(
        ["store_id", "occurred_at", "terminal_id", "terminal_seq"], kind="stable"
    )
    line_frame = pd.DataFrame(lines, columns=LINES_SCHEMA.names)
    return (
        pa.Table.from_pandas(event_frame, schema=EVENTS_SCHEMA, preserve_index=False),
        pa.Table.from_pandas(line_frame, schema=LINES_SCHEMA, preserve_index=False),
        event_frame,
    )


def _count_labels(events: pd.DataFrame) -> pd.DataFrame:
    counts = events[events["type"] == "shelf_count"]
    empty = [json.loads(p)["counted_quantity"] == 0 for p in counts["payload"]]
    found = counts[empty]
    return pd.DataFrame(
        {
            "store_id": found["store_id"],
            "sku": found["sku"],
            "start": found["occurred_at"],
            "end": found["occurred_at"],
            "source": "shelf_count_empty",
        }
    )


def read_feedback_labels(warehouse: Warehouse, window: TrainingWindow) -> pd.DataFrame:
    """Staff answers `empty` / `fixed` to alerts raised in the window, at the instant they answered."""
    require_tables(warehouse)
    rows = warehouse.query(
        # The last answer per alert counts (a person may correct a mis-tap).
        "SELECT a.store_id AS store_id, a.sku AS sku, f.last_answer AS answer, "
        "toUnixTimestamp64Milli(f.last_answered_at) AS answered_ms "
        "FROM (SELECT alert_id, argMax(answer, answered_at) AS last_answer, max(answered_at) AS last_answered_at "
        "      FROM alert_feedback FINAL GROUP BY alert_id) AS f "
        "INNER JOIN (SELECT DISTINCT alert_id, store_id, sku FROM alerts FINAL WHERE state = 'raised') AS a "
        "ON a.alert_id = f.alert_id "
        "WHERE f.last_answered_at >= toDateTime64({start:String}, 3, 'UTC') "
        "AND f.last_answered_at < toDateTime64({end:String}, 3, 'UTC') "
        "ORDER BY store_id, sku, answered_ms",
        {"start": window.start.strftime("%Y-%m-%d %H:%M:%S"), "end": window.end.strftime("%Y-%m-%d %H:%M:%S")},
    )
    frame = pd.DataFrame(rows, columns=["store_id", "sku", "answer", "answered_ms"])
    positive = frame[frame["answer"].isin(POSITIVE_ANSWERS)]
    at = pd.to_datetime(positive["answered_ms"].astype("int64"), unit="ms", utc=True)
    return pd.DataFrame(
        {
            "store_id": positive["store_id"],
            "sku": positive["sku"],
            "start": at,
            "end": at,
            "source": "feedback_" + positive["answer"],
        }
    )


def build_training_input(
    settings: Settings, warehouse: Warehouse, fs: pafs.FileSystem, window: TrainingWindow, out: Path
) -> TrainingInputSummary:
    """Writes `out` (replacing it) as a history-layout folder of what the hub saw in `window`."""
    feedback = read_feedback_labels(warehouse, window)
    root = lake_root(settings)
    rows, duplicates = read_lake_events(fs, root, window)
    events, lines, event_frame = _events_table(rows)
    if not (event_frame["type"] == "sale").any():
        raise TrainingInputError(f"the lake's events for {window.dates()[0]}..{window.dates()[-1]} hold no sale")
    labels = pd.concat([_count_labels(event_frame), feedback], ignore_index=True)
    label_table = pa.Table.from_pandas(
        labels.sort_values(["store_id", "sku", "start"], kind="stable"), schema=LABELS_SCHEMA, preserve_index=False
    )
    stores = sorted(event_frame["store_id"].unique())
    summary = TrainingInputSummary(
        folder=str(out),
        start=window.start.isoformat().replace("+00:00", "Z"),
        days=window.days,
        stores=stores,
        events=events.num_rows,
        duplicates_dropped=duplicates,
        lines=lines.num_rows,
        labels={str(k): int(v) for k, v in labels["source"].value_counts().sort_index().items()},
    )
    staging = out.with_name(f".{out.name}.partial-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    pq.write_table(events, staging / "events.parquet")
    pq.write_table(lines, staging / "event_lines.parquet")
    pq.write_table(label_table, staging / LABELS_FILE)
    manifest = {
        "source": "hub",
        "start": summary.start,
        "days": window.days,
        "lake": f"s3://{root}",
        "labels": f"{LABELS_FILE}: observed empty shelves (shelf_count of 0, staff feedback empty/fixed)",
        "summary": asdict(summary),
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    return summary

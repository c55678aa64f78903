"""The model_training DAG's input, built from what a real hub ingested (Kafka -> chDB + the S3 lake) from a
simulated store: every event once, labels only from what the hub can observe, and bad input refused
before anything is written."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hub_harness import HubProcess
from training_feed import DAYS, START, FedHistory

from tillgate_dags.lake import lake_filesystem
from tillgate_dags.training_input import (
    TrainingInputError,
    TrainingWindow,
    build_training_input,
    require_tables,
)
from tillgate_dags.warehouse import warehouse_from

WINDOW = TrainingWindow(START, DAYS)


def test_the_input_holds_every_event_once_and_only_observed_labels(
    training_hub: tuple[HubProcess, FedHistory], tmp_path: Path
):
    hub, fed = training_hub
    settings = hub.settings
    out = tmp_path / "input"

    summary = build_training_input(settings, warehouse_from(settings), lake_filesystem(settings), WINDOW, out)

    assert summary.events == fed.events
    assert summary.duplicates_dropped == fed.duplicates
    assert summary.lines == fed.lines
    assert summary.stores == ["store-001"]
    # Counted from the simulator's own events by hand: shelf counts of 0 units, and the staff answers
    # sent (empty x2, fixed x1 are positives; the not_empty answer is no label).
    assert summary.labels == {"feedback_empty": 2, "feedback_fixed": 1, "shelf_count_empty": fed.zero_counts}
    events = pq.read_table(out / "events.parquet")
    simulated = pq.read_table(fed.history / "events.parquet")
    assert sorted(events.column("event_id").to_pylist()) == sorted(simulated.column("event_id").to_pylist())
    assert events.schema.field("occurred_at").type == simulated.schema.field("occurred_at").type
    labels = pq.read_table(out / "labels.parquet").to_pylist()
    assert all(label["start"] == label["end"] for label in labels)
    answered = {(label["sku"], label["start"]) for label in labels if label["source"].startswith("feedback_")}
    truth = pq.read_table(fed.history / "stockouts.parquet").to_pylist()
    # Each positive answer was given while the shelf was empty by the ground truth (answers 2 h in).
    assert all(any(s["sku"] == sku and s["start"] <= at <= (s["end"] or at) for s in truth) for sku, at in answered)
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["start"], manifest["days"], manifest["source"]) == ("2026-03-02T00:00:00Z", DAYS, "hub")
    assert not (out / "stockouts.parquet").exists(), "the simulator's ground truth must not reach training"
    assert [p.name for p in tmp_path.iterdir()] == ["input"], "no staging folder left behind"


def test_a_window_without_sales_fails_naming_it_and_writes_nothing(
    training_hub: tuple[HubProcess, FedHistory], tmp_path: Path
):
    hub, _ = training_hub
    settings = hub.settings
    empty = TrainingWindow(START - timedelta(days=30), 10)

    with pytest.raises(TrainingInputError, match=r"no sales for 2026-01-31\.\.2026-02-09.*sales-transactions"):
        build_training_input(settings, warehouse_from(settings), lake_filesystem(settings), empty, tmp_path / "input")

    assert list(tmp_path.iterdir()) == []


def test_a_missing_label_table_fails_naming_it(training_hub: tuple[HubProcess, FedHistory]):
    hub, _ = training_hub

    # A real query against the hub's chDB; the hub has both tables, so ask for one it lacks.
    with pytest.raises(TrainingInputError, match=r"no table staff_answers \(sql/"):
        require_tables(warehouse_from(hub.settings), ("alerts", "staff_answers"))
    require_tables(warehouse_from(hub.settings))


def test_the_window_is_the_whole_utc_days_before_the_run():
    from datetime import UTC, datetime

    window = TrainingWindow.ending(datetime(2026, 4, 19, 2, 0, tzinfo=UTC), 120)

    assert (window.start.isoformat(), window.end.isoformat()) == (
        "2025-12-20T00:00:00+00:00",
        "2026-04-19T00:00:00+00:00",
    )
    with pytest.raises(TrainingInputError, match="history_days must be at least 1"):
        TrainingWindow.ending(window.end, 0)

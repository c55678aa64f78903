"""dag.test() of data_quality_hourly against a real hub (Kafka, chDB, S3 lake) fed a small fixed dataset.

Hand-computed expectations, window = the hour before END (NOW + 5 min; the feed must be in by then):
  store-a  4 sale lines, received now            -> silent ok (60 s), late 0/4 ok, lake files ok
  store-b  2 sale lines received 2 h before ingest -> late 2/2 failed; 12 dead letters failed
  store-c  last heartbeat 30 min before end, no sale -> silent failed (1800 s > 600 s, and no sales)
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from hub_harness import HubProcess

from tillgate_dags.data_quality import CheckFailed
from tillgate_dags.lake import lake_filesystem, lake_root
from tillgate_dags.warehouse import warehouse_from

DAGS_FOLDER = Path(__file__).resolve().parents[1]
# Set when the hub is up (fed_hub), not at import: the hub's start can take a minute on a loaded
# machine, and everything it ingests must fall inside the checked hour.
NOW = END = datetime.now(UTC)
FEED_BUDGET = timedelta(minutes=5)
ALL_DAY = {"trading_hours_utc": [0, 24]}  # the test must not depend on the hour it runs at


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def sale(store: str, n: int, lines: int, received: datetime) -> dict[str, Any]:
    return {
        "schema": 1,
        "event_id": f"{store}-dq-{n}",
        "store_id": store,
        "terminal_id": "pos-01",
        "terminal_seq": n,
        "occurred_at": iso(received - timedelta(seconds=5)),
        "received_at": iso(received),
        "type": "sale",
        "currency": "EUR",
        "lines": [{"sku": f"SKU-{i}", "quantity": 1, "unit_price": 2.5, "promo": False} for i in range(lines)],
    }


def beat(store: str, sent: datetime) -> dict[str, Any]:
    return {
        "schema": 1,
        "store_id": store,
        "agent_version": "1.0.0",
        "sent_at": iso(sent),
        "started_at": iso(sent - timedelta(hours=1)),
        "backlog_events": 0,
        "oldest_unsent_at": None,
        "last_forward_at": iso(sent),
        "model_name": None,
        "model_version": None,
        "disk_used_bytes": 0,
        "rejects_total": 0,
        "alerts_open": 0,
    }


def z_report(store: str, opened: datetime, closed: datetime, sales: int, gross: float) -> dict[str, Any]:
    """A Z-report of terminal pos-01 as the edge forwards it (z-reports topic), with the edge's own result."""
    counts = {
        "sale": sales,
        "return": 0,
        "product_scan": 0,
        "price_change": 0,
        "shelf_count": 0,
        "inventory_adjustment": 0,
        "supplier_delivery": 0,
        "foot_traffic": 0,
    }
    report = {
        "schema": 1,
        "type": "z_report",
        "report_id": f"z-{store}",
        "store_id": store,
        "terminal_id": "pos-01",
        "business_day": closed.strftime("%Y-%m-%d"),
        "opened_at": iso(opened),
        "closed_at": iso(closed),
        "first_seq": 1,
        "last_seq": sales,
        "currency": "EUR",
        "counts": counts,
        "baskets": sales,
        "gross_sales": gross,
        "net_sales": gross,
        "received_at": iso(closed),
    }
    result = {
        "schema": 1,
        "kind": "z_report_result",
        "report_id": report["report_id"],
        "store_id": store,
        "terminal_id": "pos-01",
        "business_day": report["business_day"],
        "side": "edge",
        "outcome": "match",
        "reconciled_at": iso(closed),
        "missing_seqs": [],
        "missing_events": 0,
        "differences": [],
        "found": {"counts": counts, "baskets": sales, "gross_sales": gross, "net_sales": gross},
    }
    return {
        "topic": "z-reports",
        "key": store,
        "value": json.dumps({"schema": 1, "report": report, "edge_result": result}),
    }


@pytest.fixture(scope="module")
def fed_hub(hub: HubProcess) -> HubProcess:
    global NOW, END
    NOW = datetime.now(UTC).replace(microsecond=0)
    END = NOW + FEED_BUDGET
    hub.feed(
        events=[
            sale("store-a", 1, 2, NOW - timedelta(minutes=5)),
            sale("store-a", 2, 1, NOW - timedelta(minutes=4)),
            sale("store-a", 3, 1, NOW - timedelta(minutes=3)),
            sale("store-b", 1, 1, NOW - timedelta(hours=2)),
            sale("store-b", 2, 1, NOW - timedelta(hours=2)),
        ],
        heartbeats=[
            beat("store-a", END - timedelta(minutes=1)),
            beat("store-b", END - timedelta(minutes=1)),
            beat("store-c", END - timedelta(minutes=30)),
        ],
        raw=[{"topic": "sales-transactions", "key": "store-b", "value": f'{{"broken": {i}}}'} for i in range(12)]
        + [
            # store-a closed a minute ago: not due yet, whatever the hub has reconciled by the run.
            z_report("store-a", NOW - timedelta(minutes=10), NOW - timedelta(minutes=1), 3, 10.0),
            # store-b closed 5 h ago and its two sales of that day never reached the hub: flagged.
            z_report("store-b", NOW - timedelta(hours=7), NOW - timedelta(hours=5), 2, 5.0),
        ],
    )
    assert datetime.now(UTC) < END, f"the feed took longer than {FEED_BUDGET}; the checked hour would miss it"
    return hub


@pytest.fixture
def dag(airflow_db: None) -> Any:
    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=DAGS_FOLDER / "data_quality_hourly.py").dags["data_quality_hourly"]
    # dag.test() waits out retry_delay (5 min); these tests want the final state of one try.
    for task in dag.tasks:
        task.retries = 0
    return dag


@pytest.fixture
def task_errors(monkeypatch: pytest.MonkeyPatch) -> dict[str, BaseException | None]:
    """The exception each task ended with, by task id, from the in-process runner dag.test() calls."""
    from airflow.sdk.execution_time import supervisor

    errors: dict[str, BaseException | None] = {}
    run_task_in_process = supervisor.run_task_in_process

    def recording(ti: Any, *args: Any, **kwargs: Any) -> Any:
        result = run_task_in_process(ti, *args, **kwargs)
        errors[ti.task_id] = result.error
        return result

    monkeypatch.setattr(supervisor, "run_task_in_process", recording)
    return errors


# The hub process is shared by the whole session (conftest.py), and other DAG tests feed stores of
# their own into it (test_bi_prep_run.py: store-bi-*); this module judges only the stores it fed.
OWN_STORES = ("store-a", "store-b", "store-c")


def stores_in_checked_lake_days() -> set[str]:
    """The stores whose lake files lie in the days the checked hour touches. store-b's sales are 2 h
    old, so from 01:00 to 02:00 UTC they sit in yesterday's partition, which the hour [END - 1 h, END)
    no longer touches (the test failed then, and passed the rest of the day)."""
    days = {(END - timedelta(hours=1)).date(), (END - timedelta(milliseconds=1)).date()}
    sold_at = {"store-a": NOW - timedelta(minutes=5), "store-b": NOW - timedelta(hours=2)}
    return {store for store, at in sold_at.items() if (at - timedelta(seconds=5)).date() in days}


def dq_rows(hub: HubProcess, check: str) -> dict[str, dict[str, Any]]:
    rows = warehouse_from(hub.settings).query(
        "SELECT store_id, status, value, detail, run_id FROM dq_results WHERE check_name = {c:String}"
        " AND check_hour = toStartOfHour(toDateTime({start:String}, 'UTC'))",
        {"c": check, "start": (END - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")},
    )
    return {row["store_id"]: row for row in rows if row["store_id"] in OWN_STORES}


def test_checks_flag_the_stores_with_problems_and_record_every_store(
    dag: Any, fed_hub: HubProcess, task_errors: dict[str, BaseException | None]
):
    run = dag.test(logical_date=END, run_conf=ALL_DAY)

    assert run.state == "failed"
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert states == {
        "silent_store": "failed",
        "late_data": "failed",
        "duplicates": "success",
        "volume_anomaly": "success",
        "dead_letters": "failed",
        "lake_schema": "success",
        "z_reports": "failed",
    }
    silent = task_errors["silent_store"]
    assert isinstance(silent, CheckFailed)
    assert str(silent).startswith("silent_store failed for store-c:")
    assert "failed for store-b" in str(task_errors["late_data"])
    assert "failed for store-b" in str(task_errors["dead_letters"])

    assert {store: (row["status"], row["value"]) for store, row in dq_rows(fed_hub, "silent_store").items()} == {
        "store-a": ("ok", 60),
        "store-b": ("ok", 60),
        "store-c": ("failed", 1800),
    }
    late = dq_rows(fed_hub, "late_data")
    assert {store: (row["status"], row["value"]) for store, row in late.items()} == {
        "store-a": ("ok", 0),
        "store-b": ("failed", 1),
    }
    assert "2 of 2 sale lines" in late["store-b"]["detail"]
    assert {store: row["value"] for store, row in dq_rows(fed_hub, "duplicates").items()} == {
        "store-a": 0,
        "store-b": 0,
    }
    assert dq_rows(fed_hub, "dead_letters")["store-b"]["value"] == 12
    z_reports = dq_rows(fed_hub, "z_reports")
    assert {store: (row["status"], row["value"]) for store, row in z_reports.items()} == {
        "store-a": ("ok", 0),
        "store-b": ("failed", 1),
    }
    assert "z-store-b" in z_reports["store-b"]["detail"]
    assert "failed for store-b" in str(task_errors["z_reports"])
    assert {store: row["status"] for store, row in dq_rows(fed_hub, "lake_schema").items()} == {
        store: "ok" for store in stores_in_checked_lake_days()
    }


def test_a_rerun_of_the_hour_replaces_its_results(dag: Any, fed_hub: HubProcess):
    first = dag.test(logical_date=END, run_conf=ALL_DAY)
    second = dag.test(logical_date=END + timedelta(seconds=1), run_conf=ALL_DAY)

    rows = dq_rows(fed_hub, "silent_store")
    assert len(rows) == 3
    assert {row["run_id"] for row in rows.values()} == {second.run_id} != {first.run_id}


def test_a_planted_lake_file_with_a_wrong_column_is_flagged(
    dag: Any, fed_hub: HubProcess, lake_table: Any, task_errors: dict[str, BaseException | None]
):
    settings = fed_hub.settings
    fs = lake_filesystem(settings)
    planted = f"{lake_root(settings)}/sales-transactions/date={NOW:%Y-%m-%d}/store=store-a/planted.parquet"
    table = lake_table().rename_columns(["event_id" if name == "id" else name for name in lake_table().column_names])
    with fs.open_output_stream(planted) as out:
        pq.write_table(table, out)
    try:
        run = dag.test(logical_date=END, run_conf=ALL_DAY)
    finally:
        fs.delete_file(planted)

    assert run.get_task_instance("lake_schema").state == "failed"
    error = str(task_errors["lake_schema"])
    assert error.startswith("lake_schema failed for store-a:")
    assert "planted.parquet: column 'id' (string) is missing" in error
    assert "column 'event_id' is not expected" in error
    others = {store: row["status"] for store, row in dq_rows(fed_hub, "lake_schema").items() if store != "store-a"}
    assert others == {store: "ok" for store in stores_in_checked_lake_days() if store != "store-a"}


def test_a_scheduled_run_needs_no_conf(dag: Any, fed_hub: HubProcess, task_errors: dict[str, BaseException | None]):
    # Regression: the DAG's parquet_path param defaulted to "", so every scheduled run (no conf) failed.
    run = dag.test(logical_date=END)

    assert run.get_task_instance("lake_schema").state == "success"
    assert task_errors["lake_schema"] is None


def test_an_hour_with_no_lake_partition_fails_naming_the_missing_day(
    dag: Any, fed_hub: HubProcess, task_errors: dict[str, BaseException | None]
):
    long_ago = datetime(2026, 2, 1, 12, tzinfo=UTC)

    run = dag.test(logical_date=long_ago, run_conf=ALL_DAY)

    assert run.get_task_instance("lake_schema").state == "failed"
    assert "no lake partition date=2026-02-01" in str(task_errors["lake_schema"])

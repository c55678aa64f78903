"""dag.test() of daily_etl against a real hub (Kafka, chDB, S3 lake) fed the fixed dataset of
daily_dataset.py; expected facts hand-computed from that dataset's docstring.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from dag_runs import load_dag
from daily_dataset import D0, D1, D2
from hub_harness import HubProcess

from tillgate_dags import derived_lake
from tillgate_dags.daily_facts import read_facts
from tillgate_dags.daily_inputs import InputMissing, require_tables
from tillgate_dags.lake import lake_filesystem, lake_root
from tillgate_dags.warehouse import warehouse_from


def logical_for(day: Any) -> datetime:
    """The 08:00 run that covers `day` (the day before its logical date)."""
    return datetime(day.year, day.month, day.day, 8, tzinfo=UTC) + timedelta(days=1)


def by_key(rows: list[dict[str, Any]], *columns: str) -> dict[tuple[str, str], dict[str, Any]]:
    return {(row["store_id"], row["sku"]): {c: row[c] for c in columns} for row in rows}


COLUMNS = (
    "units_sold",
    "sale_lines",
    "promo_units",
    "revenue",
    "units_returned",
    "units_returned_restocked",
    "net_units",
    "units_received",
    "deliveries",
    "shelf_counts",
    "last_counted_quantity",
    "units_adjusted",
    "units_shrink",
    "on_hand_end",
)


def facts(*values: Any) -> dict[str, Any]:
    return dict(zip(COLUMNS, values, strict=True))


# Hand-computed from daily_dataset.py. store-e1 SKU-E1 on D0: sold 2 + 3 (sent twice, counted once) + 1
# promo; revenue 5 + 7.5 + 2; one restocked return; counted 17 at 20:00, then the 21:00 sale: 16.
# SKU-E2: 10 received - 1 sold - 2 damaged = 7 (the return was not restocked).
EXPECTED_D0 = {
    ("store-e1", "SKU-E1"): facts(6, 3, 1, 14.5, 1, 1, 5, 24, 1, 1, 17, 0, 0, 16),
    ("store-e1", "SKU-E2"): facts(1, 1, 0, 4.0, 1, 0, 1, 10, 1, 0, None, -2, 2, 7),
    ("store-e2", "SKU-E1"): facts(4, 1, 0, 10.0, 0, 0, 4, 0, 0, 0, None, 0, 0, -4),
    ("store-e2", "SKU-E3"): facts(0, 0, 0, 0.0, 0, 0, 0, 5, 1, 0, None, 0, 0, 5),
}
EXPECTED_D1 = {
    ("store-e1", "SKU-E1"): facts(2, 1, 0, 5.0, 0, 0, 2, 0, 0, 0, None, 0, 0, 14),
    ("store-e1", "SKU-E2"): facts(3, 1, 0, 12.0, 0, 0, 3, 0, 0, 0, None, 0, 0, 4),
    ("store-e2", "SKU-E1"): facts(1, 1, 0, 2.5, 0, 0, 1, 0, 0, 0, None, 0, 0, -5),
    ("store-e2", "SKU-E3"): facts(0, 0, 0, 0.0, 0, 0, 0, 0, 0, 1, 3, 0, 0, 3),
}


def normalised(rows: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    out = by_key(rows, *COLUMNS)
    for values in out.values():
        for name, value in values.items():
            if value is not None:
                values[name] = float(value) if name == "revenue" else int(value)
    return out


@pytest.fixture(scope="module")
def dag(airflow_db: None) -> Any:
    return load_dag("daily_etl")


def test_a_day_becomes_curated_facts_in_clickhouse_and_the_lake(dag: Any, daily_env: HubProcess):
    run = dag.test(logical_date=logical_for(D0))

    assert run.state == "success"
    assert normalised(read_facts(warehouse_from(daily_env.settings), D0)) == EXPECTED_D0
    fs, root = lake_filesystem(daily_env.settings), lake_root(daily_env.settings)
    assert normalised(derived_lake.read_day(fs, root, derived_lake.DAILY_FACTS, D0).to_pylist()) == EXPECTED_D0
    events = derived_lake.read_day(fs, root, derived_lake.STORE_EVENTS, D0)
    # 8 events of store-e1 (the re-sent sale once), 2 of store-e2, in the spec's event order.
    assert events.num_rows == 10
    e1 = [row for row in events.to_pylist() if row["store_id"] == "store-e1"]
    assert [row["event_id"] for row in e1][:3] == ["store-e1-1116-d1", "store-e1-1116-s1", "store-e1-1116-s2"]
    assert [row["occurred_ms"] for row in e1] == sorted(row["occurred_ms"] for row in e1)


def test_a_rerun_of_the_day_replaces_its_rows(dag: Any, daily_env: HubProcess):
    first = dag.test(logical_date=logical_for(D1))
    second = dag.test(logical_date=logical_for(D1) + timedelta(minutes=1))

    assert first.state == second.state == "success"
    rows = warehouse_from(daily_env.settings).query(
        "SELECT store_id, sku, run_id FROM daily_store_sku_facts WHERE fact_date = {d:Date}", {"d": D1.isoformat()}
    )
    assert len(rows) == 4
    assert {row["run_id"] for row in rows} == {second.run_id}
    assert normalised(read_facts(warehouse_from(daily_env.settings), D1)) == EXPECTED_D1
    fs, root = lake_filesystem(daily_env.settings), lake_root(daily_env.settings)
    assert derived_lake.read_day(fs, root, derived_lake.DAILY_FACTS, D1).num_rows == 4


def test_a_store_without_data_fails_naming_it_and_writes_nothing(
    dag: Any, daily_env: HubProcess, task_errors: dict[str, BaseException | None]
):
    run = dag.test(logical_date=logical_for(D2))

    assert run.state == "failed"
    error = task_errors["curate_yesterday"]
    assert isinstance(error, InputMissing)
    assert f"no sales on {D2} from store-e2" in str(error)
    assert read_facts(warehouse_from(daily_env.settings), D2) == []
    fs, root = lake_filesystem(daily_env.settings), lake_root(daily_env.settings)
    assert not derived_lake.has_day(fs, root, derived_lake.DAILY_FACTS, D2)


def test_a_closed_store_named_in_the_conf_lets_the_day_through(dag: Any, daily_env: HubProcess):
    run = dag.test(logical_date=logical_for(D2), run_conf={"closed_stores": ["store-e2"]})

    assert run.state == "success"
    assert {(r["store_id"], r["sku"]) for r in read_facts(warehouse_from(daily_env.settings), D2)} >= {
        ("store-e1", "SKU-E1")
    }


def test_an_empty_day_fails_naming_the_day(dag: Any, daily_env: HubProcess, task_errors: dict[str, Any]):
    empty = D0 - timedelta(days=5)

    run = dag.test(logical_date=logical_for(empty))

    assert run.state == "failed"
    assert f"no sales at all on {empty} in sales_lines" in str(task_errors["curate_yesterday"])
    assert read_facts(warehouse_from(daily_env.settings), empty) == []


def test_a_missing_table_is_named(daily_env: HubProcess):
    # The hub creates every table at start, so a missing one is asked for by name here: the same check
    # curate_day runs first, answered by the real ClickHouse.
    with pytest.raises(InputMissing, match="ClickHouse has no table no_such_raw_table"):
        require_tables(warehouse_from(daily_env.settings), ["sales_lines", "no_such_raw_table"], "daily_etl")

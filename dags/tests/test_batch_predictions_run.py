"""dag.test() of batch_predictions on the curated, featurised days of daily_dataset.py (daily_etl and
feature_engineering run first by their module functions): forecasts from the released demand model,
actuals filled as the target days get curated, reorders by the formula, by hand.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from dag_runs import load_dag
from daily_dataset import D0, D1, D2
from hub_harness import HubProcess

from tillgate_dags.daily_facts import run_daily_etl
from tillgate_dags.daily_inputs import InputMissing
from tillgate_dags.demand_model import load_demand_model
from tillgate_dags.feature_days import read_features, run_feature_engineering
from tillgate_dags.lake import lake_filesystem, lake_root
from tillgate_dags.warehouse import warehouse_from
from tillgate_models.feature_spec import STOCKOUT_FEATURE_NAMES

KEYS = [("store-e1", "SKU-E1"), ("store-e1", "SKU-E2"), ("store-e2", "SKU-E1"), ("store-e2", "SKU-E3")]
# Net units of D1 per store x SKU (daily_dataset.py): the actuals of every forecast targeting D1.
ACTUAL_D1 = {("store-e1", "SKU-E1"): 2, ("store-e1", "SKU-E2"): 3, ("store-e2", "SKU-E1"): 1, ("store-e2", "SKU-E3"): 0}


def logical_for(day: Any) -> datetime:
    """The 10:00 run that covers `day`."""
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC) + timedelta(days=1)


@pytest.fixture(scope="module")
def curated_d0(daily_hub: HubProcess) -> HubProcess:
    """Only D0 curated and featurised: D1's facts arrive in the third test, after D0's forecast."""
    run_daily_etl(D0, "batch-test-etl-d0", daily_hub.settings)
    run_feature_engineering(D0, daily_hub.settings)
    return daily_hub


@pytest.fixture(scope="module")
def dag(airflow_db: None) -> Any:
    return load_dag("batch_predictions")


def forecasts(hub: HubProcess, day: Any) -> list[dict[str, Any]]:
    return warehouse_from(hub.settings).query(
        "SELECT store_id, sku, toString(target_date) AS target, predicted_units, actual_units, model_version, run_id"
        " FROM ml_forecast_results WHERE forecast_date = {d:Date} ORDER BY store_id, sku, target_date",
        {"d": day.isoformat()},
    )


def reorders(hub: HubProcess, day: Any) -> dict[tuple[str, str], dict[str, Any]]:
    rows = warehouse_from(hub.settings).query(
        "SELECT * FROM reorder_predictions WHERE prediction_date = {d:Date}", {"d": day.isoformat()}
    )
    return {(row["store_id"], row["sku"]): row for row in rows}


def model_totals(hub: HubProcess, day: Any) -> dict[tuple[str, str], float]:
    """The released model on the day's demand features, run here with onnxruntime directly."""
    features = read_features(lake_filesystem(hub.settings), lake_root(hub.settings), day, "demand")
    matrix = np.column_stack([features[name].to_numpy() for name in STOCKOUT_FEATURE_NAMES]).astype(np.float32)
    keys = zip(features["store_id"].to_pylist(), features["sku"].to_pylist(), strict=True)
    return dict(zip(keys, load_demand_model().forecast_7d(matrix), strict=True))


def test_a_day_without_features_fails_naming_the_partition(
    dag: Any, curated_d0: HubProcess, daily_env: HubProcess, task_errors: dict[str, Any]
):
    run = dag.test(logical_date=logical_for(D1))

    assert run.state == "failed"
    error = task_errors["predict_from_yesterday"]
    assert isinstance(error, InputMissing)
    assert f"no features for {D1} (derived/features/date={D1}): run feature_engineering" in str(error)
    assert forecasts(curated_d0, D1) == []
    assert reorders(curated_d0, D1) == {}


def test_forecasts_and_reorders_of_a_day(dag: Any, curated_d0: HubProcess, daily_env: HubProcess):
    run = dag.test(logical_date=logical_for(D0))

    assert run.state == "success"
    rows = forecasts(curated_d0, D0)
    model = load_demand_model()
    assert len(rows) == 4 * 7
    assert {row["model_version"] for row in rows} == {model.version}
    totals = model_totals(curated_d0, D0)
    for key in KEYS:
        mine = [row for row in rows if (row["store_id"], row["sku"]) == key]
        assert [row["target"] for row in mine] == [(D0 + timedelta(days=h)).isoformat() for h in range(1, 8)]
        assert [row["predicted_units"] for row in mine] == pytest.approx([totals[key] / 7] * 7, rel=1e-6)
        # D1 is not curated yet: no actual for any target.
        assert [row["actual_units"] for row in mine] == [None] * 7

    # Reorders by hand: on hand at the end of D0 (16, 7, -4, 5), lead 2 / pack 6 (SKU-E1), lead 1 /
    # pack 4 (SKU-E2), SKU-E3 outside the catalog: lead 2, pack 1; no error history: sigma = sqrt(d).
    plan = reorders(curated_d0, D0)
    for key, on_hand, lead, pack in [
        (("store-e1", "SKU-E1"), 16, 2, 6),
        (("store-e1", "SKU-E2"), 7, 1, 4),
        (("store-e2", "SKU-E1"), -4, 2, 6),
        (("store-e2", "SKU-E3"), 5, 2, 1),
    ]:
        d = totals[key] / 7
        safety = 1.645 * math.sqrt(d) * math.sqrt(lead)
        need = d * lead + safety - on_hand
        row = plan[key]
        assert (int(row["on_hand"]), int(row["lead_time_days"])) == (on_hand, lead)
        assert row["forecast_units_7d"] == pytest.approx(totals[key], rel=1e-6)
        assert row["safety_stock"] == pytest.approx(safety, rel=1e-6)
        assert int(row["reorder_quantity"]) == (0 if need <= 0 else math.ceil(need / pack) * pack)
    # Stock of -4 is short by at least 4 whatever the forecast: at least one case.
    assert int(plan[("store-e2", "SKU-E1")]["reorder_quantity"]) >= 6


def test_the_next_day_fills_the_actuals_of_earlier_forecasts(dag: Any, curated_d0: HubProcess, daily_env: HubProcess):
    run_daily_etl(D1, "batch-test-etl-d1", curated_d0.settings)
    run_feature_engineering(D1, curated_d0.settings)

    run = dag.test(logical_date=logical_for(D1))

    assert run.state == "success"
    assert len(forecasts(curated_d0, D1)) == 4 * 7
    earlier = forecasts(curated_d0, D0)
    for key in KEYS:
        mine = {row["target"]: row["actual_units"] for row in earlier if (row["store_id"], row["sku"]) == key}
        assert mine[D1.isoformat()] == ACTUAL_D1[key]
        assert mine[D2.isoformat()] is None  # D2 not curated
    assert {row["run_id"] for row in earlier} == {run.run_id}


def test_a_rerun_replaces_the_days_rows(dag: Any, curated_d0: HubProcess, daily_env: HubProcess):
    first = forecasts(curated_d0, D1)

    run = dag.test(logical_date=logical_for(D1) + timedelta(minutes=1))

    assert run.state == "success"
    again = forecasts(curated_d0, D1)
    assert len(again) == len(first) == 28
    assert {row["run_id"] for row in again} == {run.run_id}
    assert [row["predicted_units"] for row in again] == [row["predicted_units"] for row in first]
    plan = reorders(curated_d0, D1)
    assert len(plan) == 4
    assert {row["run_id"] for row in plan.values()} == {run.run_id}

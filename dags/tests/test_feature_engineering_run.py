"""dag.test() of feature_engineering on the curated days of daily_dataset.py (daily_etl run first, by
its module function), with features hand-computed from the dataset by the spec's definitions.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from dag_runs import load_dag
from daily_dataset import D0, D1
from hub_harness import HubProcess

from tillgate_dags import derived_lake
from tillgate_dags.daily_facts import run_daily_etl
from tillgate_dags.daily_inputs import InputMissing
from tillgate_dags.lake import lake_filesystem, lake_root
from tillgate_models.feature_spec import FEATURE_SPEC_HASH, STOCKOUT_FEATURE_NAMES

H = 3_600_000
D1_MS = int(datetime(2026, 11, 17, tzinfo=UTC).timestamp() * 1000)


def logical_for(day: Any) -> datetime:
    """The 09:00 run that covers `day`."""
    return datetime(day.year, day.month, day.day, 9, tzinfo=UTC) + timedelta(days=1)


def row(features: dict[str, float]) -> list[float]:
    return [features[name] for name in STOCKOUT_FEATURE_NAMES]


def spec(**values: float) -> dict[str, float]:
    return values


# Hand-computed (daily_dataset.py). Day D1 = 2026-11-17 is day 20774 since the epoch, 20774 % 6 = 2:
# stock-out snapshots at 02:00, 08:00, 14:00, 20:00 UTC, the demand one at 23:59:59.999.
# store-e1 SKU-E1 at D1 08:00: on hand 16 (count 17, then the promo sale), daily units D0 = 2+3+1-1 = 5,
# last sale D0 21:00 (promo, 2.00 vs the first non-promo 2.50), delivery D0 08:00, the store sold
# 7 units (net 6) on D0 and nothing since SKU-E1's last sale.
E1_SKU1_D1_0800 = spec(
    on_hand=16, units_today=0, units_7d=5 / 7, units_14d=5 / 14, units_28d=5 / 28, days_of_cover=16 / (5 / 7),
    hours_since_last_sale=11, hours_since_delivery=24, day_of_week=2, hour_of_day=8, promo_active=1,
    price_ratio=0.8, store_share_28d=5 / 6, expected_units_since_sale=0, hours_since_store_sale=11,
)  # fmt: skip
# End of D1: +2 sold at 10:00 (not promo, 2.50); the store's 28-day units 6 + 5 = 11.
E1_SKU1_D1_END = spec(
    on_hand=14, units_today=2, units_7d=1, units_14d=0.5, units_28d=0.25, days_of_cover=14,
    hours_since_last_sale=14, hours_since_delivery=40, day_of_week=2, hour_of_day=23, promo_active=0,
    price_ratio=1, store_share_28d=7 / 11, expected_units_since_sale=0, hours_since_store_sale=14,
)  # fmt: skip
# SKU-E2: 10 received, 1 sold, 1 returned not restocked, 2 damaged, 3 sold on D1; price change to 5.00
# at 14:00 against the first price 4.00.
E1_SKU2_D1_END = spec(
    on_hand=4, units_today=3, units_7d=4 / 7, units_14d=4 / 14, units_28d=4 / 28, days_of_cover=7,
    hours_since_last_sale=14, hours_since_delivery=40, day_of_week=2, hour_of_day=23, promo_active=0,
    price_ratio=1.25, store_share_28d=4 / 11, expected_units_since_sale=0, hours_since_store_sale=14,
)  # fmt: skip
# store-e2 SKU-E3: delivered 5 on D0 11:00, counted 3 on D1, never sold: caps for cover, sale age and
# expected units; the store's last sale D1 09:00.
E2_SKU3_D1_END = spec(
    on_hand=3, units_today=0, units_7d=0, units_14d=0, units_28d=0, days_of_cover=60,
    hours_since_last_sale=720, hours_since_delivery=37, day_of_week=2, hour_of_day=23, promo_active=0,
    price_ratio=1, store_share_28d=0, expected_units_since_sale=1000, hours_since_store_sale=15,
)  # fmt: skip


@pytest.fixture(scope="module")
def curated(daily_hub: HubProcess) -> HubProcess:
    for day in (D0, D1):
        run_daily_etl(day, f"feature-test-etl-{day}", daily_hub.settings)
    return daily_hub


@pytest.fixture(scope="module")
def dag(airflow_db: None) -> Any:
    return load_dag("feature_engineering")


def features_of(hub: HubProcess, day: Any) -> dict[tuple[str, str, str, int], list[float]]:
    fs, root = lake_filesystem(hub.settings), lake_root(hub.settings)
    table = derived_lake.read_day(fs, root, derived_lake.FEATURES, day).to_pylist()
    assert {r["feature_spec_hash"] for r in table} == {FEATURE_SPEC_HASH}
    return {(r["store_id"], r["sku"], r["kind"], r["t_ms"]): row(r) for r in table}


def test_a_day_whose_previous_state_is_missing_fails_naming_it(
    dag: Any, curated: HubProcess, daily_env: HubProcess, task_errors: dict[str, Any]
):
    fs, root = lake_filesystem(curated.settings), lake_root(curated.settings)
    if derived_lake.has_day(fs, root, derived_lake.FEATURE_STATE, D0):
        pytest.skip("D0's state exists already (module re-run against a kept hub)")

    run = dag.test(logical_date=logical_for(D1))

    assert run.state == "failed"
    assert f"no feature state for {D0} (derived/feature-state/date={D0})" in str(task_errors["features_of_yesterday"])
    assert not derived_lake.has_day(fs, root, derived_lake.FEATURES, D1)


def test_two_days_fold_into_the_features_the_spec_defines(dag: Any, curated: HubProcess, daily_env: HubProcess):
    first = dag.test(logical_date=logical_for(D0))
    second = dag.test(logical_date=logical_for(D1))

    assert first.state == second.state == "success"
    features = features_of(curated, D1)
    # 2 SKUs in each store x (4 stock-out + 1 demand snapshots).
    assert len(features) == 20
    assert features[("store-e1", "SKU-E1", "stockout", D1_MS + 8 * H)] == pytest.approx(row(E1_SKU1_D1_0800), rel=1e-6)
    end = D1_MS + 24 * H - 1
    assert features[("store-e1", "SKU-E1", "demand", end)] == pytest.approx(row(E1_SKU1_D1_END), rel=1e-6)
    assert features[("store-e1", "SKU-E2", "demand", end)] == pytest.approx(row(E1_SKU2_D1_END), rel=1e-6)
    assert features[("store-e2", "SKU-E3", "demand", end)] == pytest.approx(row(E2_SKU3_D1_END), rel=1e-6)
    assert sorted({t for (_, _, kind, t) in features if kind == "stockout"}) == [D1_MS + h * H for h in (2, 8, 14, 20)]


def test_a_rerun_of_a_day_replaces_its_partition_with_the_same_rows(
    dag: Any, curated: HubProcess, daily_env: HubProcess
):
    before = features_of(curated, D1)

    run = dag.test(logical_date=logical_for(D1) + timedelta(minutes=1))

    assert run.state == "success"
    assert features_of(curated, D1) == before
    fs, root = lake_filesystem(curated.settings), lake_root(curated.settings)
    assert len(derived_lake.parquet_files(fs, derived_lake.day_folder(root, derived_lake.FEATURES, D1))) == 1


def test_a_day_without_curated_facts_fails_naming_the_partition(
    dag: Any, curated: HubProcess, daily_env: HubProcess, task_errors: dict[str, Any]
):
    missing = D0 - timedelta(days=5)

    run = dag.test(logical_date=logical_for(missing))

    assert run.state == "failed"
    error = task_errors["features_of_yesterday"]
    assert isinstance(error, InputMissing)
    assert f"no curated facts for {missing} (derived/daily-store-sku/date={missing}): run daily_etl" in str(error)
    fs, root = lake_filesystem(curated.settings), lake_root(curated.settings)
    assert not derived_lake.has_day(fs, root, derived_lake.FEATURES, missing)

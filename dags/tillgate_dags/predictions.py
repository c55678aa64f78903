"""batch_predictions' work for one UTC day D (the day feature_engineering finished at 09:00):

- the demand model on D's end-of-day features -> ml_forecast_results, forecast_date D, one row per
  store x SKU x target day D+1 .. D+7. The model forecasts the 7-day total (its label); each target day
  gets a seventh. actual_units is filled wherever the target day's curated facts exist (net units, the
  label's definition), and this run also fills the actuals of the forecasts of D-7 .. D-1 up to D.
- reorder recommendations -> reorder_predictions, prediction_date D (reorder_policy.py has the formula),
  on hand at the end of D from the curated facts, lead time and case pack from the imported catalog.

Inputs are all read and checked first; each table's day is then replaced in one request.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np

from tillgate_dags import derived_lake
from tillgate_dags.daily_facts import FACTS_TABLE
from tillgate_dags.daily_inputs import InputMissing, require_tables
from tillgate_dags.demand_model import DemandModel, load_demand_model
from tillgate_dags.feature_days import read_features
from tillgate_dags.lake import lake_filesystem, lake_root
from tillgate_dags.reorder_policy import ERROR_WINDOW_DAYS, daily_error, reorder
from tillgate_dags.settings import Settings
from tillgate_dags.warehouse import Warehouse, warehouse_from
from tillgate_models.feature_spec import STOCKOUT_FEATURE_NAMES

FORECAST_DAYS = 7
TABLES = (FACTS_TABLE, "ml_forecast_results", "reorder_predictions", "product_catalog")


def _ch_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def _actuals(warehouse: Warehouse, days: Iterable[date]) -> dict[date, dict[tuple[str, str], float]]:
    """Net units per store x SKU of every curated day among `days` (a day without facts is absent)."""
    days = sorted(set(days))
    rows = warehouse.query(
        f"SELECT toString(fact_date) AS day, store_id, sku, net_units FROM {FACTS_TABLE}"
        " WHERE fact_date >= {first:Date} AND fact_date <= {last:Date}",
        {"first": days[0].isoformat(), "last": days[-1].isoformat()},
    )
    found: dict[date, dict[tuple[str, str], float]] = {}
    for row in rows:
        found.setdefault(date.fromisoformat(row["day"]), {})[(row["store_id"], row["sku"])] = float(row["net_units"])
    return found


def _actual(actuals: dict[date, dict[tuple[str, str], float]], target: date, key: tuple[str, str]) -> float | None:
    day = actuals.get(target)
    return None if day is None else day.get(key, 0.0)  # a curated day lists every SKU that moved


def forecast_rows(
    day: date, features: Any, model: DemandModel, actuals: dict, run_id: str, created: str
) -> tuple[list[dict[str, Any]], dict[tuple[str, str], float]]:
    matrix = np.column_stack([features[name].to_numpy() for name in STOCKOUT_FEATURE_NAMES]).astype(np.float32)
    totals = model.forecast_7d(matrix)
    keys = list(zip(features["store_id"].to_pylist(), features["sku"].to_pylist(), strict=True))
    rows = []
    for key, total in zip(keys, totals, strict=True):
        for horizon in range(1, FORECAST_DAYS + 1):
            target = day + timedelta(days=horizon)
            rows.append(
                {
                    "store_id": key[0],
                    "sku": key[1],
                    "forecast_date": day.isoformat(),
                    "target_date": target.isoformat(),
                    "model_name": model.name,
                    "model_version": model.version,
                    "run_id": run_id,
                    "predicted_units": float(total) / FORECAST_DAYS,
                    "actual_units": _actual(actuals, target, key),
                    "created_at": created,
                }
            )
    return rows, dict(zip(keys, (float(t) for t in totals), strict=True))


def _forecast_errors(warehouse: Warehouse, day: date, model: str) -> dict[tuple[str, str], tuple[float, int]]:
    rows = warehouse.query(
        "SELECT store_id, sku, sum(pow(predicted_units - assumeNotNull(actual_units), 2)) AS squared, count() AS pairs"
        " FROM ml_forecast_results WHERE model_name = {model:String} AND actual_units IS NOT NULL"
        " AND target_date > {day:Date} - {window:UInt16} AND target_date <= {day:Date} GROUP BY store_id, sku",
        {"model": model, "day": day.isoformat(), "window": ERROR_WINDOW_DAYS},
    )
    return {(r["store_id"], r["sku"]): (float(r["squared"]), int(r["pairs"])) for r in rows}


def reorder_rows(
    day: date, totals: dict[tuple[str, str], float], facts: dict[tuple[str, str], int], catalog: dict[str, dict],
    errors: dict[tuple[str, str], tuple[float, int]], model: DemandModel, run_id: str, created: str,
) -> list[dict[str, Any]]:  # fmt: skip
    rows = []
    for key, total in sorted(totals.items()):
        squared, pairs = errors.get(key, (None, 0))
        product = catalog.get(key[1], {})
        on_hand = facts.get(key, 0)
        decision = reorder(
            total, on_hand, daily_error(total / FORECAST_DAYS, squared, pairs),
            product.get("lead_time_days"), product.get("pack_size"),
        )  # fmt: skip
        rows.append(
            {
                "store_id": key[0],
                "sku": key[1],
                "prediction_date": day.isoformat(),
                "model_name": model.name,
                "model_version": model.version,
                "run_id": run_id,
                "forecast_units_7d": total,
                "on_hand": on_hand,
                "lead_time_days": decision.lead_time_days,
                "safety_stock": decision.safety_stock,
                "reorder_point": decision.reorder_point,
                "reorder_quantity": decision.reorder_quantity,
                "created_at": created,
            }
        )
    return rows


def _earlier_forecasts(warehouse: Warehouse, day: date, model: str) -> dict[date, list[dict[str, Any]]]:
    # Aliases other than the column names: ClickHouse would resolve the WHERE's forecast_date to the
    # String alias and refuse the Date comparison.
    rows = warehouse.query(
        "SELECT store_id, sku, toString(forecast_date) AS forecast_day, toString(target_date) AS target_day,"
        " model_name, model_version, predicted_units, actual_units FROM ml_forecast_results"
        " WHERE model_name = {model:String} AND forecast_date >= {first:Date} AND forecast_date < {day:Date}",
        {"model": model, "first": (day - timedelta(days=FORECAST_DAYS)).isoformat(), "day": day.isoformat()},
    )
    by_day: dict[date, list[dict[str, Any]]] = {}
    for row in rows:
        forecast_day, target_day = row.pop("forecast_day"), row.pop("target_day")
        row.update(forecast_date=forecast_day, target_date=target_day)
        by_day.setdefault(date.fromisoformat(forecast_day), []).append(row)
    return by_day


def run_batch_predictions(day: date, run_id: str, settings: Settings, model: DemandModel | None = None) -> dict:
    warehouse = warehouse_from(settings)
    fs, root = lake_filesystem(settings), lake_root(settings)
    require_tables(warehouse, TABLES, "batch_predictions")
    if not derived_lake.has_day(fs, root, derived_lake.FEATURES, day):
        raise InputMissing(
            f"batch_predictions: no features for {day} (derived/features/date={day}): run feature_engineering for"
            f" {day} first. Nothing written."
        )
    facts_rows = warehouse.query(
        f"SELECT store_id, sku, on_hand_end FROM {FACTS_TABLE} WHERE fact_date = {{day:Date}}", {"day": day.isoformat()}
    )
    if not facts_rows:
        raise InputMissing(
            f"batch_predictions: no curated facts for {day} in {FACTS_TABLE}: run daily_etl for {day} first. Nothing written."
        )
    features = read_features(fs, root, day, "demand")
    no_features = sorted({r["store_id"] for r in facts_rows} - set(features["store_id"].to_pylist()))
    if no_features:
        raise InputMissing(
            f"batch_predictions: {', '.join(no_features)} have curated facts for {day} but no features: re-run"
            f" feature_engineering for {day}. Nothing written."
        )
    model = model or load_demand_model()
    created = _ch_time(datetime.now(UTC))
    targets = [day + timedelta(days=h) for h in range(-FORECAST_DAYS, FORECAST_DAYS + 1)]
    actuals = _actuals(warehouse, targets)
    forecasts, totals = forecast_rows(day, features, model, actuals, run_id, created)
    facts = {(r["store_id"], r["sku"]): int(r["on_hand_end"]) for r in facts_rows}
    catalog = {
        r["sku"]: {"lead_time_days": int(r["lead_time_days"]), "pack_size": int(r["pack_size"])}
        for r in warehouse.query("SELECT sku, lead_time_days, pack_size FROM product_catalog")
    }
    errors = _forecast_errors(warehouse, day, model.name)
    reorders = reorder_rows(day, totals, facts, catalog, errors, model, run_id, created)
    earlier = _earlier_forecasts(warehouse, day, model.name)

    key = {"model_name": model.name}
    warehouse.replace(
        "ml_forecast_results", run_id=run_id, key={**key, "forecast_date": day.isoformat()}, rows=forecasts
    )
    warehouse.replace(
        "reorder_predictions", run_id=run_id, key={**key, "prediction_date": day.isoformat()}, rows=reorders
    )
    refreshed = 0
    for forecast_day, rows in sorted(earlier.items()):
        filled = [
            {**row, "run_id": run_id, "created_at": created,
             "actual_units": _actual(actuals, date.fromisoformat(row["target_date"]), (row["store_id"], row["sku"]))}
            for row in rows
        ]  # fmt: skip
        if any(old["actual_units"] != new["actual_units"] for old, new in zip(rows, filled, strict=True)):
            warehouse.replace(
                "ml_forecast_results",
                run_id=run_id,
                key={**key, "forecast_date": forecast_day.isoformat()},
                rows=filled,
            )
            refreshed += 1
    return {
        "day": day.isoformat(),
        "model": f"{model.name} {model.version}",
        "forecast_rows": len(forecasts),
        "reorder_rows": len(reorders),
        "reorders": sum(1 for r in reorders if r["reorder_quantity"] > 0),
        "earlier_forecasts_refreshed": refreshed,
    }

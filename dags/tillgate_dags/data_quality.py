"""One data-quality check for one hour: compute per-store results, record them in dq_results (replacing a
previous run of the same hour and check), and fail naming the stores when any store failed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from tillgate_dags import dq_checks
from tillgate_dags.dq_checks import CheckResult, Thresholds, Window
from tillgate_dags.lake import lake_filesystem, lake_root
from tillgate_dags.settings import Settings
from tillgate_dags.warehouse import Warehouse, warehouse_from


class CheckFailed(Exception):
    """A check found a problem; the message names every failing store so Airflow's log says who."""

    code = "TG_DQ_CHECK_FAILED"

    def __init__(self, check: str, failed: list[CheckResult]) -> None:
        self.check = check
        self.failed = failed
        stores = ", ".join(result.store_id or "(fleet)" for result in failed)
        lines = "\n".join(f"  {result.detail}" for result in failed)
        super().__init__(f"{check} failed for {stores}:\n{lines}")


def window_ending(end: datetime) -> Window:
    """The hour before `end`: a scheduled run's data interval, or the last hour for a manual run."""
    # A plain UTC datetime: Airflow hands pendulum objects, whose replace() loses the zone here.
    end = datetime.fromtimestamp(end.timestamp(), UTC)
    return Window(end - timedelta(hours=1), end)


def _compute(
    check: str, window: Window, settings: Settings, warehouse: Warehouse, limits: Thresholds
) -> list[CheckResult]:
    by_warehouse: dict[str, Callable[[Warehouse, Window, Thresholds], list[CheckResult]]] = {
        "silent_store": dq_checks.silent_stores,
        "late_data": dq_checks.late_data,
        "duplicates": dq_checks.duplicates,
        "volume_anomaly": dq_checks.volume_anomalies,
        "dead_letters": dq_checks.dead_letter_growth,
        "z_reports": dq_checks.unmatched_z_reports,
    }
    if check == "lake_schema":
        return dq_checks.lake_schema(lake_filesystem(settings), lake_root(settings), window)
    return by_warehouse[check](warehouse, window, limits)


CHECKS = ("silent_store", "late_data", "duplicates", "volume_anomaly", "dead_letters", "lake_schema", "z_reports")


def run_check(
    check: str,
    window: Window,
    run_id: str,
    settings: Settings,
    limits: Thresholds | None = None,
    warehouse: Warehouse | None = None,
    now: datetime | None = None,
) -> list[CheckResult]:
    warehouse = warehouse or warehouse_from(settings)
    results = _compute(check, window, settings, warehouse, limits or Thresholds()) or [
        CheckResult(check, dq_checks.FLEET, False, 0, 0, "no store had data for this check in the hour")
    ]
    hour = window.start.replace(minute=0, second=0, microsecond=0).strftime("%Y-%m-%d %H:%M:%S")
    checked_at = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    rows = [
        {
            "check_hour": hour,
            "check_name": check,
            "store_id": result.store_id,
            "status": "failed" if result.failed else "ok",
            # JSON has no infinity; a jump from a flat history is "very large", not unrepresentable.
            "value": min(result.value, 1e308),
            "threshold": result.threshold,
            "detail": result.detail,
            "run_id": run_id,
            "checked_at": checked_at,
        }
        for result in results
    ]
    warehouse.replace("dq_results", run_id=run_id, key={"check_hour": hour, "check_name": check}, rows=rows)
    failed = [result for result in results if result.failed]
    if failed:
        raise CheckFailed(check, failed)
    return results

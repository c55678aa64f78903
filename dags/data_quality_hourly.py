"""Hourly data quality of what reached the hub (MISSION.md: data-quality checks run hourly).

One task per check, so Airflow shows which check failed; each records every store's result in
dq_results (the hub's /fleet shows the failing ones) and fails naming the stores. The work lives in
tillgate_dags.data_quality and tillgate_dags.dq_checks; this file only wires it.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import Param, dag, get_current_context, task

from tillgate_dags.data_quality import CHECKS
from tillgate_dags.schedules import SCHEDULES, START_DATE


@dag(
    schedule=SCHEDULES["data_quality_hourly"],
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    tags=["tillgate", "data-quality", "lake"],
    default_args={"owner": "data-platform", "retries": 1, "retry_delay": timedelta(minutes=5)},
    params={
        # Hours (UTC, [from, to)) in which every store must sell: an hour without a sale is a silent store.
        "trading_hours_utc": Param([8, 21], type="array", items={"type": "integer", "minimum": 0, "maximum": 24}),
    },
    doc_md=__doc__,
)
def data_quality_hourly() -> None:
    for check in CHECKS:

        @task(task_id=check)
        def run(check: str = check) -> int:
            # Imported in the task, not at parse time: the DAG processor parses this file every minute.
            from tillgate_dags.data_quality import run_check, window_ending
            from tillgate_dags.dq_checks import Thresholds
            from tillgate_dags.settings import Settings

            context = get_current_context()
            end = context.get("data_interval_end") or context["dag_run"].run_after
            hours = context["params"]["trading_hours_utc"]
            limits = Thresholds(trading_hours_utc=(hours[0], hours[1]))
            return len(run_check(check, window_ending(end), context["run_id"], Settings.from_env(), limits))

        run()


data_quality_hourly()

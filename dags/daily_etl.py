"""Daily ETL at 08:00 UTC (MISSION.md: daily ETL 08:00): yesterday's raw events -> curated daily
store x SKU facts (sales, returns, receipts, counts, adjustments, on hand) in ClickHouse
`daily_store_sku_facts` and the lake (derived/daily-store-sku/), plus the day's deduplicated event log
(derived/store-events/) the feature DAG folds. The work lives in tillgate_dags.daily_facts.

The run covers the day before its logical date; a re-run replaces that day's output. Stores closed on
the day: trigger with conf {"closed_stores": ["store-007"]}.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import Param, dag, get_current_context, task

from tillgate_dags.schedules import SCHEDULES, START_DATE


@dag(
    schedule=SCHEDULES["daily_etl"],
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    tags=["tillgate", "daily", "etl", "lake"],
    default_args={"owner": "data-platform", "retries": 2, "retry_delay": timedelta(minutes=10)},
    params={
        # Stores known to be closed on the day: no sales from them is then not missing data.
        "closed_stores": Param([], type="array", items={"type": "string"}),
    },
    doc_md=__doc__,
)
def daily_etl() -> None:
    @task
    def curate_yesterday() -> dict:
        # Imported in the task, not at parse time: the DAG processor parses this file every minute.
        from tillgate_dags.daily_facts import run_daily_etl
        from tillgate_dags.daily_inputs import business_day
        from tillgate_dags.settings import Settings

        context = get_current_context()
        day = business_day(context.get("logical_date") or context["dag_run"].run_after)
        return run_daily_etl(day, context["run_id"], Settings.from_env(), context["params"]["closed_stores"])

    curate_yesterday()


daily_etl()

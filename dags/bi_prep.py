"""Power BI preparation every 15 minutes (MISSION.md: Power BI preparation every 15 min).

Refreshes what the Power BI star schema reads and materialized views do not keep: fact_inventory days,
fact_ml_predictions forecast days and the store / product dimensions (hub/src/bi/bi-refresh.ts, owned
by the Power BI work). The hub runs it on its own ClickHouse, as of this run's logical time, so a
re-run of a slot rebuilds the same days. One run at a time: the refresh shares staging tables.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import dag, get_current_context, task

from tillgate_dags.schedules import SCHEDULES, START_DATE


@dag(
    schedule=SCHEDULES["bi_prep"],
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    tags=["tillgate", "power-bi"],
    default_args={"owner": "data-platform", "retries": 2, "retry_delay": timedelta(minutes=2)},
    doc_md=__doc__,
)
def bi_prep() -> None:
    @task
    def refresh_star_schema() -> dict:
        from tillgate_dags.settings import Settings
        from tillgate_dags.warehouse import bi_refresher

        context = get_current_context()
        as_of = context.get("logical_date") or context["dag_run"].run_after
        return bi_refresher(Settings.from_env()).refresh_bi(as_of)

    refresh_star_schema()


bi_prep()

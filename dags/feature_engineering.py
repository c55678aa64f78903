"""Feature engineering at 09:00 UTC (MISSION.md: feature engineering 09:00): the stock-out / demand
features of yesterday (the day daily_etl curated at 08:00) from its curated events, by the one feature
definition (shared/features/stockout-features.v2.json, tillgate_models), into the lake partition
derived/features/date=D/ that training and batch_predictions read. The work lives in
tillgate_dags.feature_days.

Each day starts from the previous day's feature states, so runs go in date order;
a re-run of a date replaces its partition, and the later dates are re-run by a backfill.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import dag, get_current_context, task

from tillgate_dags.schedules import SCHEDULES, START_DATE


@dag(
    schedule=SCHEDULES["feature_engineering"],
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    tags=["tillgate", "daily", "features", "lake"],
    # Day D folds from day D-1's states; the task itself refuses a day whose predecessor's states are
    # missing (naming it), rather than depends_on_past, which would also block a deliberate re-run.
    default_args={"owner": "data-science", "retries": 2, "retry_delay": timedelta(minutes=10)},
    doc_md=__doc__,
)
def feature_engineering() -> None:
    @task
    def features_of_yesterday() -> dict:
        # Imported in the task, not at parse time: the DAG processor parses this file every minute.
        from tillgate_dags.daily_inputs import business_day
        from tillgate_dags.feature_days import run_feature_engineering
        from tillgate_dags.settings import Settings

        context = get_current_context()
        day = business_day(context.get("logical_date") or context["dag_run"].run_after)
        return run_feature_engineering(day, Settings.from_env())

    features_of_yesterday()


feature_engineering()

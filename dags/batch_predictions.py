"""Batch predictions at 10:00 UTC (MISSION.md: batch predictions 10:00): the released demand model
(ONNX, onnxruntime) on yesterday's features -> 7-day forecasts per store x SKU in ml_forecast_results
(actuals filled in for past targets), and reorder recommendations in reorder_predictions (formula in
tillgate_dags.reorder_policy). The work lives in tillgate_dags.predictions.

The run covers the day before its logical date; a re-run replaces that day's forecasts and reorders.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import dag, get_current_context, task

from tillgate_dags.schedules import SCHEDULES, START_DATE


@dag(
    schedule=SCHEDULES["batch_predictions"],
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    tags=["tillgate", "daily", "ml", "forecast", "reorder"],
    default_args={"owner": "data-science", "retries": 2, "retry_delay": timedelta(minutes=10)},
    doc_md=__doc__,
)
def batch_predictions() -> None:
    @task
    def predict_from_yesterday() -> dict:
        # Imported in the task, not at parse time: onnxruntime and the model load take seconds.
        from tillgate_dags.daily_inputs import business_day
        from tillgate_dags.predictions import run_batch_predictions
        from tillgate_dags.settings import Settings

        context = get_current_context()
        day = business_day(context.get("logical_date") or context["dag_run"].run_after)
        return run_batch_predictions(day, context["run_id"], Settings.from_env())

    predict_from_yesterday()


batch_predictions()

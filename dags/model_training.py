"""Weekly retraining of the edge's stock-out model from what the hub saw (MISSION.md: Sunday 02:00).

input (lake + ClickHouse -> training folder, observed labels) -> train (spark-submit: MLlib, ONNX,
parity gate, signed release in the run folder) -> decide (champion on the registry's stable channel vs
this challenger, same holdout, PR-AUC on observed labels) -> publish (only a winner: registry +
one modelRelease) ; cleanup (teardown, ALL_DONE). The work lives in tillgate_dags.model_training,
tillgate_dags.training_input and tillgate_models.champion; this file only wires it.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from airflow.sdk import Param, dag, get_current_context, task

from tillgate_dags.schedules import SCHEDULES, START_DATE

if TYPE_CHECKING:
    from tillgate_dags.model_training import TrainingSettings


def _run_folder() -> tuple[TrainingSettings, Path]:
    # Imported in the task, not at parse time: the DAG processor parses this file every minute.
    from tillgate_dags.model_training import TrainingSettings, run_folder

    settings = TrainingSettings.from_env()
    return settings, run_folder(settings, get_current_context()["run_id"])


@dag(
    schedule=SCHEDULES["model_training"],
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    tags=["tillgate", "ml", "spark", "registry"],
    default_args={"owner": "data-science", "retries": 0},
    params={
        # Whole UTC days before the run's day that the model learns from (the seed design: 120 days).
        "history_days": Param(120, type="integer", minimum=56, maximum=730),
        # The challenger ships only if its PR-AUC beats the champion's by more than this.
        "min_gain": Param(0.0, type="number", minimum=0, maximum=1),
        # Boosting rounds (MLlib GBT maxIter); null = the pipeline's default.
        "max_iter": Param(None, type=["null", "integer"], minimum=1, maximum=500),
    },
    doc_md=__doc__,
)
def model_training() -> None:
    @task(execution_timeout=timedelta(hours=1))
    def training_input() -> dict:
        from dataclasses import asdict

        from tillgate_dags.lake import lake_filesystem
        from tillgate_dags.settings import Settings
        from tillgate_dags.training_input import TrainingWindow, build_training_input
        from tillgate_dags.warehouse import warehouse_from

        context = get_current_context()
        hub = Settings.from_env()
        _, folder = _run_folder()
        end = context.get("data_interval_end") or context["dag_run"].run_after
        window = TrainingWindow.ending(end, context["params"]["history_days"])
        summary = build_training_input(hub, warehouse_from(hub), lake_filesystem(hub), window, folder / "input")
        print("training input:", summary)
        return asdict(summary)

    @task(execution_timeout=timedelta(hours=6))
    def train(_input: dict) -> dict:
        from tillgate_dags.model_training import train, training_metrics

        settings, folder = _run_folder()
        metrics = training_metrics(
            folder, train(settings, folder, max_iter=get_current_context()["params"]["max_iter"])
        )
        print("challenger:", metrics)
        return metrics

    @task
    def decide(_metrics: dict) -> dict:
        from tillgate_dags.model_training import decide

        settings, folder = _run_folder()
        decision = decide(settings, folder, min_gain=get_current_context()["params"]["min_gain"])
        print("DECISION:", "release" if decision["release"] else "no release", "-", decision["reason"])
        print("decision:", decision)
        return decision

    # A failed announcement (Kafka unreachable) is retried before the teardown removes the release:
    # publish_release keeps the objects already written and only sends the message again.
    @task(retries=2, retry_delay=timedelta(minutes=1))
    def publish(decision: dict) -> dict | None:
        from tillgate_dags.model_training import publish

        settings, folder = _run_folder()
        released = publish(settings, folder, decision)
        print("released:", released if released else "nothing (the challenger did not win)")
        return released

    @task
    def cleanup() -> None:
        from tillgate_dags.model_training import cleanup

        _, folder = _run_folder()
        cleanup(folder)

    # No setups= on the teardown: with one, a failed training_input would skip the cleanup (Airflow's
    # ALL_DONE_SETUP_SUCCESS); without, it runs once every task is done, whatever their states.
    publish(decide(train(training_input()))) >> cleanup().as_teardown()


model_training()

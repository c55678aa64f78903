"""dag.test() runs data_quality_hourly for real against the sqlite metadata DB: good lake passes, bad fails."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tillgate_dags.parquet_schema_check import DataQualityError, ProblemCode

DAGS_FOLDER = Path(__file__).resolve().parents[1]


@pytest.fixture
def dag(airflow_db: None) -> Any:
    """A freshly parsed DAG per test: an in-process dag.test() run leaves its run conf in the task's params."""
    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=DAGS_FOLDER / "data_quality_hourly.py").dags["data_quality_hourly"]
    # dag.test() honours retry_delay by waiting it out (measured: 5 min for the failing run); these
    # tests want the final state of one try, so retries are off here, not in the DAG.
    for task in dag.tasks:
        task.retries = 0
    return dag


@pytest.fixture
def task_errors(monkeypatch: pytest.MonkeyPatch) -> list[BaseException | None]:
    """The exception each task try ended with, read from the real in-process runner dag.test() calls.

    Task logs go to the stream Airflow's logging bound at its first use, which pytest's per-test capture
    does not follow; the runner's result is the reliable place to see why a task failed.
    """
    from airflow.sdk.execution_time import supervisor

    errors: list[BaseException | None] = []
    run_task_in_process = supervisor.run_task_in_process

    def recording(*args: Any, **kwargs: Any) -> Any:
        result = run_task_in_process(*args, **kwargs)
        errors.append(result.error)
        return result

    monkeypatch.setattr(supervisor, "run_task_in_process", recording)
    return errors


def test_run_succeeds_when_the_lake_matches(dag: Any, lake_file: Path, task_errors: list):
    run = dag.test(run_conf={"parquet_path": str(lake_file.parent)})

    assert run.state == "success"
    assert run.get_task_instance("check_lake_schema").state == "success"
    assert task_errors == [None]


def test_run_fails_when_a_lake_file_lacks_an_envelope_column(
    dag: Any, tmp_path: Path, envelope_table: Callable[[], pa.Table], task_errors: list
):
    pq.write_table(envelope_table().drop_columns(["event_id"]), tmp_path / "part-0.parquet")

    run = dag.test(run_conf={"parquet_path": str(tmp_path)})

    assert run.state == "failed"
    assert run.get_task_instance("check_lake_schema").state == "failed"
    # Failed for the reason we planted, not for some other breakage.
    (error,) = task_errors
    assert isinstance(error, DataQualityError)
    assert [(p.code, p.column) for p in error.problems] == [(ProblemCode.MISSING_COLUMN, "event_id")]


def test_run_fails_with_a_clear_error_when_no_path_is_given(dag: Any, task_errors: list):
    run = dag.test()

    assert run.state == "failed"
    (error,) = task_errors
    assert isinstance(error, ValueError)
    assert "param parquet_path is empty" in str(error)

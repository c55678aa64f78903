"""Loading one DAG file for dag.test() in the tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

DAGS_FOLDER = Path(__file__).resolve().parents[1]


def load_dag(dag_id: str) -> Any:
    """The DAG of dags/<dag_id>.py with retries off: dag.test() would wait out retry_delay."""
    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=DAGS_FOLDER / f"{dag_id}.py").dags[dag_id]
    for task in dag.tasks:
        task.retries = 0
    return dag

"""Every file in dags/ imports cleanly, declares tags and an owner, and touches no DB or network while parsed.

The DAG processor re-parses these files every few seconds; a query or a connection lookup at parse time
would hit the metadata DB that often, and fail outright where no DB is reachable.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

DAGS_FOLDER = Path(__file__).resolve().parents[1]


def parse_guarded(folder: Path) -> tuple[Any, list[str]]:
    """Parse `folder` into a DagBag, recording every SQL statement run and refusing every socket connect."""
    from airflow.dag_processing.dagbag import DagBag
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    access: list[str] = []

    def record_sql(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        access.append(f"sql: {statement}")

    def refuse_connect(_sock: socket.socket, address: object) -> None:
        access.append(f"socket: {address}")
        raise OSError(f"DAG parsing must not open connections (tried {address})")

    event.listen(Engine, "before_cursor_execute", record_sql)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(socket.socket, "connect", refuse_connect)
            bag = DagBag(dag_folder=folder, safe_mode=False)
    finally:
        event.remove(Engine, "before_cursor_execute", record_sql)
    return bag, access


@pytest.fixture(scope="module")
def parsed() -> tuple[Any, list[str]]:
    return parse_guarded(DAGS_FOLDER)


def test_dag_folder_imports_without_errors(parsed: tuple[Any, list[str]]):
    bag, _ = parsed

    assert bag.import_errors == {}
    assert "data_quality_hourly" in bag.dag_ids


def test_parsing_touches_no_database_and_opens_no_connection(parsed: tuple[Any, list[str]]):
    _, access = parsed

    assert access == []


def test_the_guard_catches_a_dag_that_queries_at_parse_time(tmp_path: Path, airflow_db: None):
    # Proves the test above can fail: this DAG file runs a query at module level.
    (tmp_path / "querying_dag.py").write_text(
        "from sqlalchemy import text\n"
        "from airflow import settings\n"
        "from airflow.sdk import dag\n"
        "settings.Session().execute(text('SELECT 1'))\n"
        "@dag(schedule=None, tags=['t'])\n"
        "def querying_dag():\n"
        "    pass\n"
        "querying_dag()\n"
    )

    _, access = parse_guarded(tmp_path)

    assert "sql: SELECT 1" in access


def test_every_dag_has_tags_and_a_named_owner(parsed: tuple[Any, list[str]]):
    bag, _ = parsed

    assert bag.dags, "no DAG found in dags/"
    for dag_id, dag in bag.dags.items():
        assert dag.tags, f"{dag_id} has no tags"
        owners = {task.owner for task in dag.tasks}
        assert owners, f"{dag_id} has no tasks"
        # "airflow" is the default owner: a DAG left with it has nobody to page.
        assert "airflow" not in owners, f"{dag_id} tasks have owners {owners}"


def test_every_dag_runs_on_its_one_schedule_without_catchup(parsed: tuple[Any, list[str]]):
    from tillgate_dags.schedules import SCHEDULES

    bag, _ = parsed

    for dag_id, dag in bag.dags.items():
        # MISSION.md, Airflow schedule; defined once in tillgate_dags/schedules.py.
        assert dag.schedule == SCHEDULES[dag_id], dag_id
        assert dag.catchup is False, dag_id


def test_data_quality_runs_hourly():
    from tillgate_dags.schedules import SCHEDULES

    assert SCHEDULES["data_quality_hourly"] == "0 * * * *"

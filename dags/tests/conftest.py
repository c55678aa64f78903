"""Fixtures for the DAG tests: the real Airflow metadata DB (sqlite under .run/airflow) and lake files."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

DAGS_FOLDER = Path(__file__).resolve().parents[1]
# hub_harness sits next to the tests; importlib mode does not put this folder on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parent))

if TYPE_CHECKING:
    from hub_harness import HubProcess
    from training_feed import FedHistory


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """Create or migrate the sqlite metadata DB once per run; dag.test() records its runs there."""
    import os

    from airflow.utils import db

    Path(os.environ["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    db.initdb()


def _lake_table(rows: int = 3) -> pa.Table:
    """A lake file's table as the hub writes it (shared/src/contracts/lake-file.ts), column for column."""
    return pa.table(
        {
            "id": pa.array([f"s001-pos01-{i:09d}" for i in range(rows)]),
            "type": pa.array(["sale"] * rows),
            "store_id": pa.array(["store-001"] * rows),
            "occurred_at": pa.array([1_764_000_000_000 + i for i in range(rows)], pa.timestamp("ms", tz="UTC")),
            "kafka_topic": pa.array(["sales-transactions"] * rows),
            "kafka_partition": pa.array([0] * rows, pa.int32()),
            "kafka_offset": pa.array(range(rows), pa.int64()),
            "payload": pa.array(["{}"] * rows),
        }
    )


@pytest.fixture
def lake_table() -> Callable[[], pa.Table]:
    """Makes a lake table holding exactly the lake file columns, in the types the lake expects."""
    return _lake_table


@pytest.fixture
def lake_file(tmp_path: Path) -> Path:
    path = tmp_path / "lake" / "sales-transactions" / "part-0.parquet"
    path.parent.mkdir(parents=True)
    pq.write_table(_lake_table(), path)
    return path


@pytest.fixture(scope="session")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    """One real hub (Kafka, chDB, S3 lake) for the DAG tests; the DAGs reach it through the env it sets."""
    import os

    from hub_harness import start_hub, stop_hub

    process = start_hub(tmp_path_factory.mktemp("hub"))
    saved = {key: os.environ.get(key) for key in process.env}
    os.environ.update(process.env)
    try:
        yield process
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        stop_hub(process)


@pytest.fixture(scope="module")
def daily_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    """A hub per test module of the daily DAGs (daily_etl, feature_engineering, batch_predictions), fed
    the fixed dataset of daily_dataset.py, with the catalog imported before it starts. Its own chDB,
    topics and lake prefix: each module decides which days are curated when, and no other module's
    stores or days reach its assertions."""
    from daily_dataset import CATALOG, events
    from hub_harness import start_hub, stop_hub

    process = start_hub(tmp_path_factory.mktemp("daily-hub"), catalog=CATALOG)
    try:
        process.feed(events=events())
        yield process
    finally:
        stop_hub(process)


@pytest.fixture
def daily_env(daily_hub: HubProcess, monkeypatch: pytest.MonkeyPatch) -> HubProcess:
    """Points the DAG tasks (Settings.from_env, read in the task) at daily_hub for one test only: the
    session-wide `hub` fixture sets the same variables for the other DAG tests."""
    for key, value in daily_hub.env.items():
        monkeypatch.setenv(key, value)
    return daily_hub


@pytest.fixture
def task_errors(monkeypatch: pytest.MonkeyPatch) -> dict[str, BaseException | None]:
    """The exception each task ended with, by task id, from the in-process runner dag.test() calls."""
    from airflow.sdk.execution_time import supervisor

    errors: dict[str, BaseException | None] = {}
    run_task_in_process = supervisor.run_task_in_process

    def recording(ti: object, *args: object, **kwargs: object) -> object:
        result = run_task_in_process(ti, *args, **kwargs)
        errors[ti.task_id] = result.error  # type: ignore[attr-defined]
        return result

    monkeypatch.setattr(supervisor, "run_task_in_process", recording)
    return errors


@pytest.fixture(scope="session")
def training_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[HubProcess, FedHistory]]:
    """A hub of its own (no other test's stores in its lake) fed a small simulated store (training_feed.py)."""
    from hub_harness import start_hub, stop_hub
    from training_feed import feed_history, simulate

    history = simulate(tmp_path_factory.mktemp("history") / "h")
    process = start_hub(tmp_path_factory.mktemp("training-hub"))
    try:
        yield process, feed_history(process, history)
    finally:
        stop_hub(process)

"""Fixtures for the DAG tests: the real Airflow metadata DB (sqlite under .run/airflow) and lake files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

DAGS_FOLDER = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """Create or migrate the sqlite metadata DB once per run; dag.test() records its runs there."""
    import os

    from airflow.utils import db

    Path(os.environ["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    db.initdb()


def _envelope_table(rows: int = 3) -> pa.Table:
    occurred = pa.array([1_764_000_000_000 + i for i in range(rows)], pa.timestamp("ms", tz="UTC"))
    return pa.table(
        {
            "schema": pa.array([1] * rows, pa.int32()),
            "event_id": pa.array([f"s001-pos01-{i:09d}" for i in range(rows)]),
            "store_id": pa.array(["store-001"] * rows),
            "terminal_id": pa.array(["pos-01"] * rows),
            "terminal_seq": pa.array(range(rows), pa.int64()),
            "type": pa.array(["sale"] * rows),
            "occurred_at": occurred,
            "received_at": occurred,
        }
    )


@pytest.fixture
def envelope_table() -> Callable[[], pa.Table]:
    """Makes a lake table holding exactly the envelope columns, in the types the lake expects."""
    return _envelope_table


@pytest.fixture
def lake_file(tmp_path: Path) -> Path:
    path = tmp_path / "lake" / "sales-transactions" / "part-0.parquet"
    path.parent.mkdir(parents=True)
    pq.write_table(_envelope_table(), path)
    return path

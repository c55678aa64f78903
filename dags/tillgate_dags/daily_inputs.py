"""What the three daily DAGs (daily_etl, feature_engineering, batch_predictions) share: which day a run
covers, and the one error they raise when an input is missing, before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from tillgate_dags.warehouse import Warehouse


class InputMissing(Exception):
    """A run's input is absent (an empty day, a store without data, a missing table or lake partition).
    Raised before the run writes anything; the message names what is missing and what to run first."""

    code = "TG_DAG_INPUT_MISSING"


def business_day(logical: datetime) -> date:
    """The UTC day a daily run covers: the day before its logical date. The 08:00 run of 2026-12-02
    curates 2026-12-01, whose last events reached the hub overnight; a backfilled run of a date covers
    the same day as the scheduled one did."""
    moment = datetime.fromtimestamp(logical.timestamp(), UTC)  # pendulum -> plain UTC datetime
    return moment.date() - timedelta(days=1)


def require_tables(warehouse: Warehouse, tables: Iterable[str], who: str) -> None:
    """Fails naming every table ClickHouse does not have (a hub whose migrations did not run)."""
    wanted = sorted(set(tables))
    rows = warehouse.query(
        "SELECT name FROM system.tables WHERE database = currentDatabase() AND has({names:Array(String)}, name)",
        {"names": "[" + ",".join(f"'{name}'" for name in wanted) + "]"},
    )
    missing = sorted(set(wanted) - {row["name"] for row in rows})
    if missing:
        raise InputMissing(
            f"{who}: ClickHouse has no table {', '.join(missing)} (run the hub's migrations: it creates them at start)"
        )

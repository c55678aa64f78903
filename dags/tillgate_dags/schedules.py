"""When each DAG runs: the seed design's schedule (MISSION.md "Airflow schedule"), defined once.

Cron in UTC, the hub's clock. Every DAG imports its schedule from here, and test_dagbag checks each DAG
carries it.
"""

from __future__ import annotations

from datetime import UTC, datetime

SCHEDULES: dict[str, str] = {
    "daily_etl": "0 8 * * *",
    "feature_engineering": "0 9 * * *",
    "batch_predictions": "0 10 * * *",
    "model_training": "0 2 * * 0",  # Sunday 02:00
    "data_quality_hourly": "0 * * * *",
    "bi_prep": "*/15 * * * *",
}

# No run before this; with catchup off a new deployment starts at its next slot, and history is
# filled on purpose with `airflow backfill create` (dags/README.md).
START_DATE = datetime(2026, 1, 1, tzinfo=UTC)

"""Hourly data-quality check of the Parquet lake (MISSION.md: data-quality checks run hourly).

Every Parquet file under `parquet_path` must carry the lake envelope columns with their exact Arrow
types; any problem fails the run, which is what alerts central ops. The work lives in
tillgate_dags.parquet_schema_check; this file only wires it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airflow.sdk import Param, dag, task

from tillgate_dags.lake_envelope import LAKE_ENVELOPE_SCHEMA


@dag(
    schedule="@hourly",
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    tags=["tillgate", "data-quality", "lake"],
    default_args={"owner": "data-platform", "retries": 1, "retry_delay": timedelta(minutes=5)},
    params={
        "parquet_path": Param(
            "",
            type="string",
            description="Parquet file or lake folder to check (e.g. the last hour's partition).",
        ),
        "expected_schema": Param(LAKE_ENVELOPE_SCHEMA, type="object", description="Column name -> Arrow type name."),
        # Each event type adds its own columns to the envelope, so extras are allowed by default.
        "allow_extra_columns": Param(True, type="boolean"),
    },
    doc_md=__doc__,
)
def data_quality_hourly() -> None:
    @task
    def check_lake_schema(params: dict | None = None) -> dict[str, object]:
        # pyarrow is imported here, not at parse time: the DAG processor parses this file every few seconds.
        from tillgate_dags.parquet_schema_check import DataQualityError, check_parquet_schema

        assert params is not None  # Airflow injects the run's params by name.
        path = params["parquet_path"]
        if not path:
            raise ValueError("param parquet_path is empty: set it to the lake folder to check")
        problems = check_parquet_schema(
            path, params["expected_schema"], allow_extra_columns=params["allow_extra_columns"]
        )
        if problems:
            raise DataQualityError(problems)
        return {"path": path, "columns_checked": len(params["expected_schema"])}

    check_lake_schema()


data_quality_hourly()

"""check_parquet_schema against real Parquet files written by pyarrow."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tillgate_dags.lake_schema import LAKE_FILE_SCHEMA
from tillgate_dags.parquet_schema_check import DataQualityError, ProblemCode, check_parquet_schema


def codes(problems: list) -> list[tuple[ProblemCode, str | None]]:
    return [(p.code, p.column) for p in problems]


def test_a_file_with_the_lake_schema_has_no_problems(lake_file: Path):
    assert check_parquet_schema(lake_file, LAKE_FILE_SCHEMA) == []


def test_expected_types_may_be_given_as_arrow_types(lake_file: Path):
    expected = {"store_id": pa.string(), "occurred_at": pa.timestamp("ms", tz="UTC")}

    assert check_parquet_schema(lake_file, expected, allow_extra_columns=True) == []


def test_missing_column_and_wrong_type_are_both_reported(tmp_path: Path, lake_table: Callable[[], pa.Table]):
    table = lake_table().drop_columns(["store_id"])
    table = table.set_column(
        table.schema.get_field_index("kafka_offset"), "kafka_offset", pa.array([1, 2, 3], pa.int32())
    )
    path = tmp_path / "bad.parquet"
    pq.write_table(table, path)

    problems = check_parquet_schema(path, LAKE_FILE_SCHEMA)

    assert codes(problems) == [
        (ProblemCode.MISSING_COLUMN, "store_id"),
        (ProblemCode.WRONG_TYPE, "kafka_offset"),
    ]
    assert problems[1].message == "column 'kafka_offset' is int32, expected int64"


def test_timestamp_unit_and_zone_are_part_of_the_type(tmp_path: Path, lake_table: Callable[[], pa.Table]):
    table = lake_table()
    index = table.schema.get_field_index("occurred_at")
    table = table.set_column(index, "occurred_at", table["occurred_at"].cast(pa.timestamp("us")))
    path = tmp_path / "naive.parquet"
    pq.write_table(table, path)

    problems = check_parquet_schema(path, LAKE_FILE_SCHEMA)

    assert codes(problems) == [(ProblemCode.WRONG_TYPE, "occurred_at")]
    assert "timestamp[us]" in problems[0].message


def test_extra_columns_are_problems_unless_allowed(tmp_path: Path, lake_table: Callable[[], pa.Table]):
    path = tmp_path / "sale.parquet"
    pq.write_table(lake_table().append_column("currency", pa.array(["EUR"] * 3)), path)

    assert codes(check_parquet_schema(path, LAKE_FILE_SCHEMA)) == [(ProblemCode.UNEXPECTED_COLUMN, "currency")]
    assert check_parquet_schema(path, LAKE_FILE_SCHEMA, allow_extra_columns=True) == []


def test_a_folder_is_checked_file_by_file(tmp_path: Path, lake_table: Callable[[], pa.Table]):
    (tmp_path / "hour=10").mkdir()
    pq.write_table(lake_table(), tmp_path / "hour=10" / "part-0.parquet")
    pq.write_table(lake_table().drop_columns(["type"]), tmp_path / "hour=10" / "part-1.parquet")

    problems = check_parquet_schema(tmp_path, LAKE_FILE_SCHEMA)

    assert codes(problems) == [(ProblemCode.MISSING_COLUMN, "type")]
    assert problems[0].path.endswith("part-1.parquet")


def test_an_empty_folder_means_the_archive_stopped(tmp_path: Path):
    assert codes(check_parquet_schema(tmp_path, LAKE_FILE_SCHEMA)) == [(ProblemCode.NO_PARQUET_FILES, None)]


def test_a_missing_path_is_reported_not_raised(tmp_path: Path):
    assert codes(check_parquet_schema(tmp_path / "nope", LAKE_FILE_SCHEMA)) == [(ProblemCode.NOT_FOUND, None)]


def test_a_file_that_is_not_parquet_is_unreadable(tmp_path: Path):
    path = tmp_path / "truncated.parquet"
    path.write_bytes(b"PAR1 this is not a footer")

    problems = check_parquet_schema(path, LAKE_FILE_SCHEMA)

    assert codes(problems) == [(ProblemCode.UNREADABLE, None)]


def test_data_quality_error_lists_every_problem(tmp_path: Path, lake_table: Callable[[], pa.Table]):
    path = tmp_path / "bad.parquet"
    pq.write_table(lake_table().drop_columns(["id", "store_id"]), path)

    with pytest.raises(DataQualityError) as raised:
        raise DataQualityError(check_parquet_schema(path, LAKE_FILE_SCHEMA))

    assert raised.value.code == "TG_DQ_CHECK_FAILED"
    assert "2 data-quality problem(s)" in str(raised.value)
    assert "'id'" in str(raised.value)
    assert "'store_id'" in str(raised.value)

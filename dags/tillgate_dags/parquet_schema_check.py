"""Does a Parquet file (or every Parquet file under a folder) have the columns and types we expect?

Only the file footers are read, so checking an hour of the lake costs one small read per file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


class ProblemCode(StrEnum):
    NOT_FOUND = "TG_DQ_NOT_FOUND"
    NO_PARQUET_FILES = "TG_DQ_NO_PARQUET_FILES"
    UNREADABLE = "TG_DQ_UNREADABLE"
    MISSING_COLUMN = "TG_DQ_MISSING_COLUMN"
    WRONG_TYPE = "TG_DQ_WRONG_TYPE"
    UNEXPECTED_COLUMN = "TG_DQ_UNEXPECTED_COLUMN"


@dataclass(frozen=True)
class SchemaProblem:
    code: ProblemCode
    path: str
    message: str
    column: str | None = None


class DataQualityError(Exception):
    """Raised by a DQ task so the run fails and alerts; carries every problem, not only the first."""

    code = "TG_DQ_CHECK_FAILED"

    def __init__(self, problems: list[SchemaProblem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  [{p.code}] {p.path}: {p.message}" for p in problems)
        super().__init__(f"{len(problems)} data-quality problem(s):\n{lines}")


def check_parquet_schema(
    path: str | Path,
    expected: Mapping[str, str | pa.DataType],
    *,
    allow_extra_columns: bool = False,
) -> list[SchemaProblem]:
    """Return the problems found, empty when every file matches `expected` (column -> Arrow type).

    `path` is one Parquet file or a folder searched recursively for `*.parquet`. An empty folder is a
    problem: an hour with no lake files means the archive consumer stopped.
    """
    root = Path(path)
    if not root.exists():
        return [SchemaProblem(ProblemCode.NOT_FOUND, str(root), "no such file or folder")]
    files = sorted(root.rglob("*.parquet")) if root.is_dir() else [root]
    if not files:
        return [SchemaProblem(ProblemCode.NO_PARQUET_FILES, str(root), "folder holds no *.parquet file")]
    wanted = {name: str(type_) for name, type_ in expected.items()}
    problems: list[SchemaProblem] = []
    for file in files:
        problems.extend(_check_file(file, wanted, allow_extra_columns))
    return problems


def _check_file(file: Path, wanted: dict[str, str], allow_extra_columns: bool) -> list[SchemaProblem]:
    try:
        schema = pq.read_schema(file)
    except (OSError, pa.ArrowInvalid) as err:
        return [SchemaProblem(ProblemCode.UNREADABLE, str(file), f"not a readable Parquet file: {err}")]
    actual = {field.name: str(field.type) for field in schema}
    problems = [
        SchemaProblem(ProblemCode.MISSING_COLUMN, str(file), f"column {name!r} ({type_}) is missing", name)
        for name, type_ in wanted.items()
        if name not in actual
    ]
    problems += [
        SchemaProblem(
            ProblemCode.WRONG_TYPE,
            str(file),
            f"column {name!r} is {actual[name]}, expected {type_}",
            name,
        )
        for name, type_ in wanted.items()
        if name in actual and actual[name] != type_
    ]
    if not allow_extra_columns:
        problems += [
            SchemaProblem(ProblemCode.UNEXPECTED_COLUMN, str(file), f"column {name!r} is not expected", name)
            for name in actual
            if name not in wanted
        ]
    return problems

"""Does a Parquet file (or every Parquet file under a folder) have the columns and types we expect?

Only the file footers are read, so checking a day of the lake costs one small read per file. Works on
any pyarrow filesystem: the lake in S3 (tillgate_dags.lake) or a local folder.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import pyarrow as pa
import pyarrow.fs as pafs
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
    filesystem: pafs.FileSystem | None = None,
) -> list[SchemaProblem]:
    """Return the problems found, empty when every file matches `expected` (column -> Arrow type).

    `path` is one Parquet file or a folder searched recursively for `*.parquet` (in S3: "bucket/prefix").
    An empty folder is a problem: a day with no lake files means the archive consumer stopped.
    """
    fs = filesystem or pafs.LocalFileSystem()
    root = str(path)
    info = fs.get_file_info(root)
    if info.type == pafs.FileType.NotFound:
        return [SchemaProblem(ProblemCode.NOT_FOUND, root, "no such file or folder")]
    if info.type == pafs.FileType.Directory:
        listed = fs.get_file_info(pafs.FileSelector(root, recursive=True))
        files = sorted(entry.path for entry in listed if entry.is_file and entry.path.endswith(".parquet"))
    else:
        files = [root]
    if not files:
        return [SchemaProblem(ProblemCode.NO_PARQUET_FILES, root, "folder holds no *.parquet file")]
    wanted = {name: str(type_) for name, type_ in expected.items()}
    problems: list[SchemaProblem] = []
    for file in files:
        problems.extend(_check_file(fs, file, wanted, allow_extra_columns))
    return problems


def _check_file(
    fs: pafs.FileSystem, file: str, wanted: dict[str, str], allow_extra_columns: bool
) -> list[SchemaProblem]:
    try:
        with fs.open_input_file(file) as handle:
            schema = pq.read_schema(handle)
    except (OSError, pa.ArrowInvalid) as err:
        return [SchemaProblem(ProblemCode.UNREADABLE, file, f"not a readable Parquet file: {err}")]
    actual = {field.name: str(field.type) for field in schema}
    problems = [
        SchemaProblem(ProblemCode.MISSING_COLUMN, file, f"column {name!r} ({type_}) is missing", name)
        for name, type_ in wanted.items()
        if name not in actual
    ]
    problems += [
        SchemaProblem(
            ProblemCode.WRONG_TYPE,
            file,
            f"column {name!r} is {actual[name]}, expected {type_}",
            name,
        )
        for name, type_ in wanted.items()
        if name in actual and actual[name] != type_
    ]
    if not allow_extra_columns:
        problems += [
            SchemaProblem(ProblemCode.UNEXPECTED_COLUMN, file, f"column {name!r} is not expected", name)
            for name in actual
            if name not in wanted
        ]
    return problems

"""The lake's file schema, read from the one definition the hub's lake writer is built from.

shared/src/contracts/lake-file.ts lists the columns; `npm run generate -w shared` writes them to
shared/json-schema/lake-file.v1.schema.json (a test fails when that file is stale), and this module
reads the `x-arrow-type` of each property, in file order. A plain JSON read: the DAG file uses it at
parse time.
"""

from __future__ import annotations

import json
from pathlib import Path

LAKE_FILE_SCHEMA_PATH = Path(__file__).resolve().parents[2] / "shared" / "json-schema" / "lake-file.v1.schema.json"


def load_lake_file_schema(path: Path = LAKE_FILE_SCHEMA_PATH) -> dict[str, str]:
    """Column name -> Arrow type name (as pyarrow prints it), in the order the hub writes them."""
    document = json.loads(path.read_text())
    return {name: spec["x-arrow-type"] for name, spec in document["properties"].items()}


LAKE_FILE_SCHEMA: dict[str, str] = load_lake_file_schema()

"""The data-quality DAG's lake schema is the one the hub's lake writer writes.

Regression: the DAG checked an envelope (schema, event_id, terminal_seq, ...) the writer never wrote, so
every real lake file would have failed the check. The file here comes from the hub's own encoder.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pyarrow.parquet as pq

from tillgate_dags.lake_schema import LAKE_FILE_SCHEMA
from tillgate_dags.parquet_schema_check import check_parquet_schema

REPO = Path(__file__).resolve().parents[2]

ENCODE = """
const { encodeParquet } = await import('./hub/src/lake/parquet-encoder.ts');
const { writeFileSync } = await import('node:fs');
writeFileSync(process.argv[1], encodeParquet([{ id: 'e1', type: 'sale', storeId: 'store-001',
  occurredAtMs: 1764000000000, topic: 'sales-transactions', partition: 0, offset: '7', payload: '{}' }]));
"""


def hub_written_file(path: Path) -> Path:
    subprocess.run(["node", "--import", "tsx", "-e", ENCODE, str(path)], cwd=REPO, check=True, timeout=60)
    return path


def test_a_file_the_hub_writes_has_exactly_the_shared_lake_schema(tmp_path: Path):
    file = hub_written_file(tmp_path / "part.parquet")

    assert check_parquet_schema(file, LAKE_FILE_SCHEMA, allow_extra_columns=False) == []
    assert [field.name for field in pq.read_schema(file)] == list(LAKE_FILE_SCHEMA)


def test_the_schema_is_read_from_the_generated_contract_file():
    document = json.loads((REPO / "shared" / "json-schema" / "lake-file.v1.schema.json").read_text())

    assert "GENERATED" in document["$comment"]
    assert list(LAKE_FILE_SCHEMA) == list(document["properties"])

"""The lake's derived datasets, written by the daily DAGs next to the hub's raw topic folders:

    <lake root>/derived/<dataset>/date=YYYY-MM-DD/[store=<id>/]<name>.parquet

`derived/` holds no `date=` folder of its own, so the raw-topic readers (data quality's lake_schema,
compaction) never take it for a topic. A day is replaced whole: the run writes every object of the day
under a fixed name (a re-run overwrites, never adds), then deletes the day's objects it did not write,
so a re-run of a date leaves exactly its own output.
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.fs as pafs
import pyarrow.parquet as pq

DAILY_FACTS = "daily-store-sku"
STORE_EVENTS = "store-events"
FEATURES = "features"
FEATURE_STATE = "feature-state"


def day_folder(root: str, dataset: str, day: date) -> str:
    return f"{root}/derived/{dataset}/date={day.isoformat()}"


def has_day(fs: pafs.FileSystem, root: str, dataset: str, day: date) -> bool:
    return fs.get_file_info(day_folder(root, dataset, day)).type == pafs.FileType.Directory


def replace_day(fs: pafs.FileSystem, root: str, dataset: str, day: date, objects: dict[str, pa.Table]) -> list[str]:
    """Writes `objects` (relative name -> table) as the whole of the dataset's day; returns their paths."""
    folder = day_folder(root, dataset, day)
    written = []
    for name, table in objects.items():
        path = f"{folder}/{name}"
        with fs.open_output_stream(path) as out:
            pq.write_table(table, out)
        written.append(path)
    for path in parquet_files(fs, folder):
        if path not in written:
            fs.delete_file(path)
    return written


def parquet_files(fs: pafs.FileSystem, folder: str) -> list[str]:
    """The Parquet objects under `folder`, listed one folder level at a time. Not recursive listings:
    s3proxy reports each `store=<id>` prefix as a file there too (pyarrow's dataset discovery then tries
    to open it, measured), and a recursive listing past 1,000 objects never ends on s3proxy (i13-scale,
    hub/src/lake/lake-listing.ts)."""
    found, pending = [], [folder]
    while pending:
        for entry in fs.get_file_info(pafs.FileSelector(pending.pop(), allow_not_found=True)):
            if entry.type == pafs.FileType.Directory:
                pending.append(entry.path)
            elif entry.type == pafs.FileType.File and entry.path.endswith(".parquet"):
                found.append(entry.path)
    return sorted(found)


def read_parquet(fs: pafs.FileSystem, folder: str, columns: list[str] | None = None) -> pa.Table:
    return pads.dataset(parquet_files(fs, folder), filesystem=fs, format="parquet").to_table(columns=columns)


def read_day(fs: pafs.FileSystem, root: str, dataset: str, day: date) -> pa.Table:
    """Every object of the dataset's day as one table (callers check has_day first)."""
    return read_parquet(fs, day_folder(root, dataset, day))


def days_before(fs: pafs.FileSystem, root: str, dataset: str, day: date) -> list[date]:
    """The dataset's days earlier than `day`, oldest first."""
    folder = f"{root}/derived/{dataset}"
    if fs.get_file_info(folder).type != pafs.FileType.Directory:
        return []
    days = []
    for entry in fs.get_file_info(pafs.FileSelector(folder)):
        name = entry.path.rsplit("/", 1)[-1]
        if entry.type == pafs.FileType.Directory and name.startswith("date="):
            found = date.fromisoformat(name.removeprefix("date="))
            if found < day:
                days.append(found)
    return sorted(days)

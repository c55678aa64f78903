"""The hourly data-quality checks: each reads ClickHouse (through the warehouse) or the lake and returns
one result per store, ok or failed, with the measured value, its threshold and a sentence for ops.

Times are the hub's view: `ingested_at` (hub clock) says what reached the hub in the checked hour; the
edge's `received_at` and the terminal's `occurred_at` say when the sale happened.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyarrow.fs as pafs

from tillgate_dags.lake import day_partitions
from tillgate_dags.lake_schema import LAKE_FILE_SCHEMA
from tillgate_dags.parquet_schema_check import ProblemCode, check_parquet_schema
from tillgate_dags.warehouse import Warehouse

FLEET = ""  # store_id of a result about the whole fleet (e.g. the lake's day has no file at all)


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime

    def params(self) -> dict[str, str]:
        return {"start": _ch(self.start), "end": _ch(self.end)}


@dataclass(frozen=True)
class CheckResult:
    check: str
    store_id: str
    failed: bool
    value: float
    threshold: float
    detail: str


@dataclass(frozen=True)
class Thresholds:
    silent_after_s: int = 600  # heartbeats come every few seconds; 10 min of none is an outage
    trading_hours_utc: tuple[int, int] = (8, 21)  # [from, to) hours in which a store must sell
    late_after_s: int = 3600  # edge intake -> hub ingest slower than this is late
    late_share_max: float = 0.05
    volume_z_max: float = 4.0
    volume_min_history: int = 7  # same hour of day on at least this many earlier days
    dead_letters_min: int = 10
    dead_letters_growth_max: float = 3.0  # this hour vs the hourly average of the 24 h before
    # A closed day's Z-report must match at the hub within this: the edge forwards it right after close,
    # so hours without a match mean lost sales or a WAN outage that lasts (issue 14).
    z_report_match_within_s: int = 4 * 3600
    z_report_lookback_days: int = 3


def _ch(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


END = "toDateTime64({end:String}, 3, 'UTC')"
START = "toDateTime64({start:String}, 3, 'UTC')"


def silent_stores(warehouse: Warehouse, window: Window, limits: Thresholds) -> list[CheckResult]:
    """A store seen in the last 7 days that sent no heartbeat for `silent_after_s` before the window's end,
    or no sale reached the hub in the window while it overlaps trading hours."""
    rows = warehouse.query(
        f"""
        SELECT h.store_id AS store_id,
               dateDiff('second', h.last_beat, {END}) AS silent_s,
               ifNull(s.lines, 0) AS lines
        FROM (SELECT store_id, max(sent_at) AS last_beat FROM heartbeats
              WHERE sent_at < {END} AND sent_at >= {END} - INTERVAL 7 DAY GROUP BY store_id) AS h
        LEFT JOIN (SELECT store_id, count() AS lines FROM sales_lines
                   WHERE ingested_at >= {START} AND ingested_at < {END} GROUP BY store_id) AS s
          ON s.store_id = h.store_id
        ORDER BY store_id""",
        window.params(),
    )
    trading = _overlaps_trading_hours(window, limits.trading_hours_utc)
    results = []
    for row in rows:
        silent_s, lines = int(row["silent_s"]), int(row["lines"])
        no_beat = silent_s > limits.silent_after_s
        no_sales = trading and lines == 0
        detail = (
            f"{row['store_id']}: last heartbeat {silent_s} s before {_ch(window.end)} (limit {limits.silent_after_s} s)"
            f"; {lines} sale lines reached the hub in the hour{' (trading hours)' if trading else ''}"
        )
        results.append(
            CheckResult("silent_store", row["store_id"], no_beat or no_sales, silent_s, limits.silent_after_s, detail)
        )
    return results


def _overlaps_trading_hours(window: Window, hours: tuple[int, int]) -> bool:
    moment = window.start
    while moment < window.end:
        if hours[0] <= moment.hour < hours[1]:
            return True
        moment = moment.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return False


def late_data(warehouse: Warehouse, window: Window, limits: Thresholds) -> list[CheckResult]:
    """Share of the sale lines ingested in the window that took longer than `late_after_s` from edge to hub."""
    rows = warehouse.query(
        f"""
        SELECT store_id, count() AS lines,
               countIf(dateDiff('second', received_at, ingested_at) > {{late_after:UInt32}}) AS late
        FROM sales_lines WHERE ingested_at >= {START} AND ingested_at < {END}
        GROUP BY store_id ORDER BY store_id""",
        {**window.params(), "late_after": limits.late_after_s},
    )
    results = []
    for row in rows:
        lines, late = int(row["lines"]), int(row["late"])
        share = late / lines
        detail = f"{row['store_id']}: {late} of {lines} sale lines reached the hub more than {limits.late_after_s} s after the edge took them"
        results.append(
            CheckResult(
                "late_data", row["store_id"], share > limits.late_share_max, share, limits.late_share_max, detail
            )
        )
    return results


def duplicates(warehouse: Warehouse, window: Window, limits: Thresholds) -> list[CheckResult]:
    """count() != uniqExact(event_id, line_no) over each store's sale lines of the 24 h up to the window's
    end: a re-sent sale keeps its occurred_at, so a copy lands next to its first one."""
    del limits  # no tolerance: one duplicate line is a broken exactly-once guarantee
    rows = warehouse.query(
        f"""
        SELECT store_id, count() AS lines, uniqExact(event_id, line_no) AS distinct_lines
        FROM sales_lines WHERE occurred_at >= {END} - INTERVAL 1 DAY AND occurred_at < {END}
        GROUP BY store_id ORDER BY store_id""",
        window.params(),
    )
    results = []
    for row in rows:
        extra = int(row["lines"]) - int(row["distinct_lines"])
        detail = f"{row['store_id']}: {row['lines']} sale lines, {row['distinct_lines']} distinct (event_id, line_no)"
        results.append(CheckResult("duplicates", row["store_id"], extra != 0, extra, 0, detail))
    return results


def volume_anomalies(warehouse: Warehouse, window: Window, limits: Thresholds) -> list[CheckResult]:
    """Sale lines that occurred in the window against the same store's same hour of the 14 days before
    (z-score); stores with too little history are reported ok with the reason."""
    rows = warehouse.query(
        f"""
        WITH hourly AS (
            SELECT store_id, toStartOfHour(occurred_at) AS hour, count() AS lines FROM sales_lines
            WHERE occurred_at >= {START} - INTERVAL 14 DAY AND occurred_at < {END}
            GROUP BY store_id, hour)
        SELECT store_id,
               sumIf(lines, hour >= {START}) AS current,
               groupArrayIf(lines, hour < {START} AND toHour(hour) = toHour({START})) AS history
        FROM hourly GROUP BY store_id ORDER BY store_id""",
        window.params(),
    )
    results = []
    for row in rows:
        current, history = int(row["current"]), [int(value) for value in row["history"]]
        if len(history) < limits.volume_min_history:
            detail = f"{row['store_id']}: {current} sale lines; only {len(history)} earlier days of this hour, need {limits.volume_min_history}"
            results.append(CheckResult("volume_anomaly", row["store_id"], False, 0.0, limits.volume_z_max, detail))
            continue
        mean = sum(history) / len(history)
        std = (sum((value - mean) ** 2 for value in history) / len(history)) ** 0.5
        z = 0.0 if std == 0 and current == mean else (current - mean) / std if std > 0 else float("inf")
        detail = f"{row['store_id']}: {current} sale lines vs {mean:.1f} ± {std:.1f} on {len(history)} earlier days (z {z:.2f})"
        results.append(
            CheckResult("volume_anomaly", row["store_id"], abs(z) > limits.volume_z_max, z, limits.volume_z_max, detail)
        )
    return results


def dead_letter_growth(warehouse: Warehouse, window: Window, limits: Thresholds) -> list[CheckResult]:
    """Messages the hub dead-lettered in the window per store (Kafka key) against its 24 h hourly average."""
    rows = warehouse.query(
        f"""
        SELECT kafka_key AS store_id,
               countIf(dead_lettered_at >= {START}) AS current,
               countIf(dead_lettered_at < {START}) / 24 AS hourly_avg
        FROM dead_letters WHERE dead_lettered_at >= {START} - INTERVAL 1 DAY AND dead_lettered_at < {END}
        GROUP BY store_id ORDER BY store_id""",
        window.params(),
    )
    results = []
    for row in rows:
        current, average = int(row["current"]), float(row["hourly_avg"])
        limit = max(limits.dead_letters_min, limits.dead_letters_growth_max * average)
        detail = f"{row['store_id']}: {current} dead letters this hour vs {average:.1f}/h over the day before"
        results.append(CheckResult("dead_letters", row["store_id"], current > limit, current, limit, detail))
    return results


def unmatched_z_reports(warehouse: Warehouse, window: Window, limits: Thresholds) -> list[CheckResult]:
    """Z-reports closed more than `z_report_match_within_s` before the window's end (within the lookback)
    without a hub match in `reconciliation`: the terminal's own day totals say the hub lacks sales.
    Reports closed more recently are counted as waiting, not judged."""
    due = f"r.last_closed < {END} - toIntervalSecond({{within:UInt32}})"
    rows = warehouse.query(
        f"""
        SELECT r.store_id AS store_id,
               countIf({due}) AS due,
               countIf({due} AND h.matched = 0) AS unmatched,
               arraySort(groupArrayIf(r.report_id, {due} AND h.matched = 0)) AS unmatched_ids
        FROM (SELECT toString(store_id) AS store_id, report_id, max(closed_at) AS last_closed FROM z_reports
              WHERE closed_at >= {END} - toIntervalDay({{lookback:UInt32}}) AND closed_at < {END}
              GROUP BY store_id, report_id) AS r
        LEFT JOIN (SELECT store_id, report_id, max(is_match) AS matched FROM reconciliation FINAL
                   WHERE side = 'hub' GROUP BY store_id, report_id) AS h
          ON h.store_id = r.store_id AND h.report_id = r.report_id
        GROUP BY store_id ORDER BY store_id""",
        {**window.params(), "within": limits.z_report_match_within_s, "lookback": limits.z_report_lookback_days},
    )
    results = []
    for row in rows:
        due_count, unmatched = int(row["due"]), int(row["unmatched"])
        hours = limits.z_report_match_within_s / 3600
        detail = (
            f"{row['store_id']}: {unmatched} of {due_count} Z-reports closed over {hours:g} h ago do not match at the hub"
            + (f" ({', '.join(row['unmatched_ids'][:5])})" if unmatched else "")
        )
        results.append(CheckResult("z_reports", row["store_id"], unmatched > 0, unmatched, 0, detail))
    return results


STORE_IN_PATH = re.compile(r"/store=([^/]+)/")


def lake_schema(fs: pafs.FileSystem, root: str, window: Window) -> list[CheckResult]:
    """Every lake file of the days the window touches, in S3, against the one shared lake schema."""
    days = sorted({window.start.strftime("%Y-%m-%d"), (window.end - timedelta(milliseconds=1)).strftime("%Y-%m-%d")})
    day = " / ".join(days)
    partitions = [partition for each in days for partition in day_partitions(fs, root, each)]
    if not partitions:
        return [
            CheckResult(
                "lake_schema",
                FLEET,
                True,
                1,
                0,
                f"no lake partition date={day} under {root}: is the archive consumer running?",
            )
        ]
    failed_by_store: dict[str, list[str]] = {}
    stores: set[str] = set()
    for partition in partitions:
        for problem in check_parquet_schema(partition, LAKE_FILE_SCHEMA, allow_extra_columns=False, filesystem=fs):
            match = STORE_IN_PATH.search(problem.path)
            store = match.group(1) if match else FLEET
            if problem.code != ProblemCode.NO_PARQUET_FILES:
                failed_by_store.setdefault(store, []).append(f"{problem.path}: {problem.message}")
        listed = fs.get_file_info(pafs.FileSelector(partition, recursive=True))
        stores.update(m.group(1) for entry in listed if (m := STORE_IN_PATH.search(entry.path + "/")))
    results = []
    for store in sorted(stores | set(failed_by_store)):
        problems = failed_by_store.get(store, [])
        detail = f"{store}: " + ("; ".join(problems) if problems else f"every lake file of {day} has the shared schema")
        results.append(CheckResult("lake_schema", store, bool(problems), len(problems), 0, detail))
    return results

"""A small simulated chain fed into a real hub, for the training tests: what the hub ingests is what the
model_training DAG trains on, and the simulator's ground truth (stockouts.parquet) stays in the history
folder, for evaluation only.

Staff answers come from the ground truth on purpose (a person at the shelf sees the truth): an alert an
hour after a few stock-outs start, answered `empty` / `fixed` an hour later, plus one `not_empty` answer
for a shelf that was not empty.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[2]
START = datetime(2026, 3, 2, tzinfo=UTC)
DAYS = 60
SIMULATION = ["--seed", "7", "--stores", "1", "--skus", "30", "--baskets", "250", "--terminals", "2"]
SIMULATION += ["--phantom-per-day", "3", "--days", str(DAYS), "--start", "2026-03-02T00:00:00Z"]


@dataclass(frozen=True)
class FedHistory:
    history: Path  # the simulator's folder (ground truth for evaluation)
    events: int
    lines: int
    zero_counts: int
    duplicates: int
    feedback: dict[str, int]  # answers sent, by answer


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def simulate(out: Path) -> Path:
    if not (out / "manifest.json").exists():
        command = ["npx", "tsx", "simulators/src/cli.ts", "history", *SIMULATION, "--out", str(out)]
        subprocess.run(command, cwd=REPO, check=True, timeout=300, capture_output=True)
    return out


def store_events(history: Path) -> list[dict[str, Any]]:
    """The history's events as the edge forwards them: the terminal's event plus the edge's received_at."""
    events = []
    for payload in pq.read_table(history / "events.parquet", columns=["payload"]).column("payload").to_pylist():
        event = json.loads(payload)
        occurred = datetime.fromisoformat(event["occurred_at"].replace("Z", "+00:00"))
        events.append({**event, "received_at": _iso(occurred + timedelta(seconds=1))})
    return events


def alerts_and_answers(history: Path) -> tuple[list[dict[str, Any]], dict[str, int]]:
    stockouts = pq.read_table(history / "stockouts.parquet").to_pylist()
    chosen = [s for s in stockouts if s["end"] is not None][:3]
    records: list[dict[str, Any]] = []
    answers = ["empty", "empty", "fixed"]
    # A shelf that was not empty: a day before the first chosen stock-out started, same SKU.
    wasted = dict(chosen[0], start=chosen[0]["start"] - timedelta(days=1))
    for index, (stockout, answer) in enumerate([*zip(chosen, answers, strict=True), (wasted, "not_empty")]):
        at = stockout["start"] + timedelta(hours=1)
        alert_id = f"mt-alert-{index}"
        alert = {
            "schema": 1,
            "alert_id": alert_id,
            "store_id": stockout["store_id"],
            "sku": stockout["sku"],
            "state": "raised",
            "kind": "hidden_empty",
            "why": "no sale for 9 h; it sells about 14 a day",
            "risk": 0.9,
            "threshold": 0.8,
            "on_hand": 4,
            "model_name": "stockout-risk",
            "model_version": "2.0",
            "trigger_event_id": f"mt-trigger-{index}",
            "at": _iso(at),
        }
        answered = at + timedelta(hours=1)
        feedback = {
            "schema": 1,
            "feedback_id": f"mt-feedback-{index}",
            "alert_id": alert_id,
            "answer": answer,
            "answered_at": _iso(answered),
            "store_id": stockout["store_id"],
            "sku": stockout["sku"],
            "display_id": "display-01",
            "received_at": _iso(answered + timedelta(seconds=1)),
        }
        key = stockout["store_id"]
        records.append({"topic": "restock-alerts", "key": key, "value": json.dumps(alert)})
        records.append({"topic": "alert-feedback", "key": key, "value": json.dumps(feedback)})
    sent: dict[str, int] = {}
    for answer in [*answers, "not_empty"]:
        sent[answer] = sent.get(answer, 0) + 1
    return records, sent


def feed_history(hub: Any, history: Path) -> FedHistory:
    """Feeds the history's events (and 20 of them a second time, as an edge re-send after a reconnect)."""
    events = store_events(history)
    records, sent = alerts_and_answers(history)
    hub.feed(events=events, raw=records)
    resent = events[100:120]
    hub.feed(events=resent)
    zero_counts = sum(1 for e in events if e["type"] == "shelf_count" and e["counted_quantity"] == 0)
    lines = pq.read_metadata(history / "event_lines.parquet").num_rows
    return FedHistory(history, len(events), lines, zero_counts, len(resent), sent)

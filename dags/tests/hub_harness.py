"""A real hub process for the DAG tests: its own chDB directory, topic prefix, lake prefix and API port,
fed through Kafka the way edge agents feed it (test/hub/hub-feed.ts), reached by the DAGs over HTTP.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tillgate_dags.settings import Settings

REPO = Path(__file__).resolve().parents[2]
READY_TIMEOUT_S = 180


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class HubProcess:
    dir: Path
    config_file: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    fed: int = field(default=0)

    @property
    def settings(self) -> Settings:
        return Settings.from_env({**os.environ, **self.env})

    def feed(
        self,
        events: list[dict[str, Any]] = (),  # type: ignore[assignment]
        heartbeats: list[dict[str, Any]] = (),  # type: ignore[assignment]
        raw: list[dict[str, Any]] = (),  # type: ignore[assignment]
    ) -> None:
        """Produce and wait until the hub's ClickHouse and lake groups have committed all of it."""
        self.fed += 1
        args = ["node", "--import", "tsx", "test/hub/hub-feed.ts", "feed", "--config", str(self.config_file)]
        for name, items in (("events", events), ("heartbeats", heartbeats), ("raw", raw)):
            if items:
                path = self.dir / f"{name}-{self.fed}.jsonl"
                path.write_text("".join(json.dumps(item) + "\n" for item in items))
                args += [f"--{name}", str(path)]
        # hub-feed waits (on commits, up to 600 s) for the hub to take it all in; a loaded box needs minutes.
        subprocess.run(args, cwd=REPO, check=True, timeout=660)


def start_hub(tmp: Path, catalog: list[dict[str, Any]] | None = None) -> HubProcess:
    """catalog: product records (shared productRecord) imported before the hub starts: chDB lets one
    process open the data directory, so `import-dimensions` cannot run next to a running hub."""
    run_id = uuid.uuid4().hex[:8]
    port = _free_port()
    token = f"dag-test-token-{uuid.uuid4().hex}"
    settings = Settings.from_env()
    config = {
        "kafka": {
            "brokers": [f"127.0.0.1:{_stack_port('TG_KAFKA_PORT')}"],
            "clientId": "tillgate-dag-test",
            "logLevel": "error",
        },
        "topicPrefix": f"dagtest-{run_id}.",
        "topics": {"partitions": 2, "replicationFactor": 1},
        "clickhouse": {"dataPath": str(tmp / "chdb")},
        "ingest": {
            "groupId": f"dagtest-{run_id}-clickhouse",
            "minBatchBytes": 1,
            "maxWaitMs": 50,
            "sessionTimeoutMs": 6000,
        },
        "lake": {
            "groupId": f"dagtest-{run_id}-lake",
            "prefix": f"dagtest-{run_id}/",
            "rotateMs": 500,
            "sessionTimeoutMs": 6000,
        },
        # The dashboard login's files in this run's folder, not the checkout's .run/hub.
        "api": {
            "port": port,
            "warehouseToken": token,
            "auth": {"usersFile": str(tmp / "users.json"), "sessionKeyFile": str(tmp / "session.key")},
        },
        "logLevel": "warn",
    }
    config_file = tmp / "hub.json"
    config_file.write_text(json.dumps(config))
    env = {
        "TILLGATE_HUB_URL": f"http://127.0.0.1:{port}",
        "TILLGATE_WAREHOUSE_TOKEN": token,
        "TILLGATE_LAKE_PREFIX": config["lake"]["prefix"],
        "TILLGATE_LAKE_BUCKET": settings.lake_bucket,
    }
    hub = HubProcess(tmp, config_file, env)
    if catalog:
        catalog_file = tmp / "catalog.jsonl"
        catalog_file.write_text("".join(json.dumps(record) + "\n" for record in catalog))
        for command in (["migrate"], ["import-dimensions", "--catalog", str(catalog_file)]):
            cli = ["node", "--import", "tsx", "hub/src/cli.ts", *command, "--config", str(config_file)]
            subprocess.run(cli, cwd=REPO, check=True, timeout=240, capture_output=True)
    log = (tmp / "hub.log").open("wb")
    hub.process = subprocess.Popen(
        ["node", "--import", "tsx", "hub/src/cli.ts", "run", "--config", str(config_file)],
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + READY_TIMEOUT_S
    while True:
        if hub.process.poll() is not None:
            raise RuntimeError(f"hub exited during start-up: {(tmp / 'hub.log').read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return hub
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"hub not healthy within {READY_TIMEOUT_S} s; log {tmp / 'hub.log'}")
        time.sleep(0.5)


def stop_hub(hub: HubProcess) -> None:
    if hub.process is not None:
        hub.process.terminate()
        try:
            hub.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            hub.process.kill()
    args = ["node", "--import", "tsx", "test/hub/hub-feed.ts", "cleanup", "--config", str(hub.config_file)]
    subprocess.run(args, cwd=REPO, check=False, timeout=120)


def _stack_port(key: str) -> str:
    from tillgate_dags.settings import _local_stack_defaults

    return os.environ.get(key) or _local_stack_defaults()[key]

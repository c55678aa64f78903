"""Where the DAG tasks find the hub, ClickHouse and the lake: one settings object, read from the environment.

deploy/local/airflow.sh exports the local stack's values to the scheduler (task processes inherit them);
a production hub sets the same variables. Unset variables fall back to the local stack's ports file
(deploy/local/ports.env, then the checkout's untracked ports.local.env), as the shell scripts do.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _local_stack_defaults() -> dict[str, str]:
    values: dict[str, str] = {}
    for name in ("ports.env", "ports.local.env"):  # the local file wins, read second
        path = REPO / "deploy" / "local" / name
        if path.exists():
            for line in path.read_text().splitlines():
                key, sep, value = line.partition("=")
                if sep and key.startswith("TG_"):
                    values[key.strip()] = value.strip()
    return values


@dataclass(frozen=True)
class Settings:
    # The hub's HTTP API: /warehouse/* reaches its ClickHouse (embedded chDB or a server).
    hub_url: str
    warehouse_token: str
    # Set: the DAGs talk to this ClickHouse server's HTTP interface directly, the hub is not involved.
    clickhouse_url: str | None
    clickhouse_user: str
    clickhouse_password: str
    s3_endpoint: str  # host:port
    s3_access_key: str
    s3_secret_key: str
    s3_secure: bool
    lake_bucket: str
    lake_prefix: str

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        stack = {**_local_stack_defaults(), **{k: v for k, v in env.items() if k.startswith("TG_")}}
        return cls(
            hub_url=env.get("TILLGATE_HUB_URL", f"http://127.0.0.1:{stack['TG_HUB_API_PORT']}").rstrip("/"),
            warehouse_token=env.get("TILLGATE_WAREHOUSE_TOKEN", ""),
            clickhouse_url=env.get("TILLGATE_CLICKHOUSE_URL") or None,
            clickhouse_user=env.get("TILLGATE_CLICKHOUSE_USER", "default"),
            clickhouse_password=env.get("TILLGATE_CLICKHOUSE_PASSWORD", ""),
            s3_endpoint=env.get("TILLGATE_S3_ENDPOINT", f"127.0.0.1:{stack['TG_S3_PORT']}"),
            s3_access_key=env.get("TILLGATE_S3_ACCESS_KEY", stack["TG_S3_ACCESS_KEY"]),
            s3_secret_key=env.get("TILLGATE_S3_SECRET_KEY", stack["TG_S3_SECRET_KEY"]),
            s3_secure=env.get("TILLGATE_S3_SECURE", "false").lower() == "true",
            lake_bucket=env.get("TILLGATE_LAKE_BUCKET", "tillgate-lake"),
            lake_prefix=env.get("TILLGATE_LAKE_PREFIX", ""),
        )

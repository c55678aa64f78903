"""The DAGs' one way to ClickHouse: the same SQL and the same two operations against the hub or a server.

With the embedded default (chDB) only the hub's process can open the data directory, so reads and writes
go through the hub's /warehouse/query and /warehouse/replace. With TILLGATE_CLICKHOUSE_URL set they go to
the server's HTTP interface with the same statements. `replace` inserts one run's rows for a key in one
INSERT (atomic), then deletes that key's rows of every other run: a re-run of a date replaces its output,
and a failed run leaves the previous one in place. Callers validate everything before calling it, so a
bad input writes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx

from tillgate_dags.settings import Settings

Param = str | int | float | bool
TIMEOUT_S = 120.0


class WarehouseError(Exception):
    """ClickHouse (or the hub in front of it) refused a statement; the message carries its reason."""

    code = "TG_DAG_WAREHOUSE"


class Warehouse(Protocol):
    def query(self, sql: str, params: Mapping[str, Param] | None = None) -> list[dict[str, Any]]: ...

    def replace(
        self, table: str, *, run_id: str, key: Mapping[str, Param], rows: Sequence[Mapping[str, Any]]
    ) -> int: ...


class HubWarehouse:
    def __init__(self, hub_url: str, token: str) -> None:
        self._url = hub_url
        self._headers = {"authorization": f"Bearer {token}"}

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = httpx.post(f"{self._url}{path}", json=body, headers=self._headers, timeout=TIMEOUT_S)
        except httpx.HTTPError as err:
            raise WarehouseError(f"hub {self._url} unreachable: {err}") from err
        if response.status_code != 200:
            raise WarehouseError(f"hub {path} answered {response.status_code}: {response.text}")
        return response.json()

    def query(self, sql: str, params: Mapping[str, Param] | None = None) -> list[dict[str, Any]]:
        return self._post("/warehouse/query", {"sql": sql, "params": dict(params or {})})["rows"]

    def replace(self, table: str, *, run_id: str, key: Mapping[str, Param], rows: Sequence[Mapping[str, Any]]) -> int:
        body = {"table": table, "run_id": run_id, "key": dict(key), "rows": list(rows)}
        return self._post("/warehouse/replace", body)["inserted"]

    def refresh_bi(self, now: datetime) -> dict[str, Any]:
        """The Power BI refresh (hub/src/bi/bi-refresh.ts), run by the hub on its own ClickHouse."""
        return self._post("/warehouse/bi-refresh", {"now": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")})


class ServerWarehouse:
    """A ClickHouse server's HTTP interface; its grants decide which tables the DAG user may write."""

    def __init__(self, url: str, user: str, password: str) -> None:
        self._url = url.rstrip("/")
        self._auth = (user, password)

    def _post(self, sql: str, params: Mapping[str, Param], body: str | None = None) -> str:
        query = {"query": sql, "output_format_json_quote_64bit_integers": "1"}
        query.update({f"param_{name}": str(value) for name, value in params.items()})
        try:
            response = httpx.post(self._url, params=query, content=body, auth=self._auth, timeout=TIMEOUT_S)
        except httpx.HTTPError as err:
            raise WarehouseError(f"ClickHouse {self._url} unreachable: {err}") from err
        if response.status_code != 200:
            raise WarehouseError(f"ClickHouse refused the statement: {response.text.strip()}")
        return response.text

    def query(self, sql: str, params: Mapping[str, Param] | None = None) -> list[dict[str, Any]]:
        text = self._post(f"{sql}\nFORMAT JSONEachRow", params or {})
        return [json.loads(line) for line in text.splitlines() if line]

    def replace(self, table: str, *, run_id: str, key: Mapping[str, Param], rows: Sequence[Mapping[str, Any]]) -> int:
        if not rows:
            raise WarehouseError(f"refusing to replace {table} {dict(key)} with no rows")
        self._post(f"INSERT INTO {table} FORMAT JSONEachRow", {}, "\n".join(json.dumps(row) for row in rows))
        where = " AND ".join(f"{column} = {{k_{column}:String}}" for column in key)
        params = {f"k_{column}": str(value) for column, value in key.items()}
        self._post(f"DELETE FROM {table} WHERE {where} AND run_id != {{run_id:String}}", {**params, "run_id": run_id})
        return len(rows)


def bi_refresher(settings: Settings) -> HubWarehouse:
    """The Power BI refresh always runs in the hub (it owns chDB; with a server it applies it there)."""
    return HubWarehouse(settings.hub_url, settings.warehouse_token)


def warehouse_from(settings: Settings) -> Warehouse:
    if settings.clickhouse_url is not None:
        return ServerWarehouse(settings.clickhouse_url, settings.clickhouse_user, settings.clickhouse_password)
    return HubWarehouse(settings.hub_url, settings.warehouse_token)

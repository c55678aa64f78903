"""dag.test() of bi_prep against a real hub: the Power BI refresh runs in the hub as of the run's time.

Fixed dataset: store-bi-1 sells SKU-BI-A twice and SKU-BI-B once, store-bi-2 sells SKU-BI-A once; no
store registry or catalog is imported, so the refresh must add each as an unknown dimension member.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hub_harness import HubProcess

from tillgate_dags.warehouse import warehouse_from

DAGS_FOLDER = Path(__file__).resolve().parents[1]


def sale(store: str, n: int, skus: list[str], at: datetime) -> dict[str, Any]:
    stamp = at.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return {
        "schema": 1,
        "event_id": f"{store}-bi-{n}",
        "store_id": store,
        "terminal_id": "pos-01",
        "terminal_seq": n,
        "occurred_at": stamp,
        "received_at": stamp,
        "type": "sale",
        "currency": "EUR",
        "lines": [{"sku": sku, "quantity": 1, "unit_price": 4.0, "promo": False} for sku in skus],
    }


@pytest.fixture(scope="module")
def fed_hub(hub: HubProcess) -> HubProcess:
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
    hub.feed(
        events=[
            sale("store-bi-1", 1, ["SKU-BI-A", "SKU-BI-B"], at),
            sale("store-bi-1", 2, ["SKU-BI-A"], at),
            sale("store-bi-2", 1, ["SKU-BI-A"], at),
        ]
    )
    return hub


def test_the_refresh_adds_unknown_members_for_stores_and_products_seen_in_sales(fed_hub: HubProcess, airflow_db: None):
    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=DAGS_FOLDER / "bi_prep.py").dags["bi_prep"]
    for task in dag.tasks:
        task.retries = 0
    logical = datetime.now(UTC).replace(second=0, microsecond=0)

    run = dag.test(logical_date=logical)

    assert run.state == "success"
    warehouse = warehouse_from(fed_hub.settings)
    stores = warehouse.query(
        "SELECT store_id, is_known FROM dim_store WHERE store_id LIKE 'store-bi-%' ORDER BY store_id"
    )
    products = warehouse.query("SELECT sku, is_known FROM dim_product WHERE sku LIKE 'SKU-BI-%' ORDER BY sku")
    assert stores == [{"store_id": "store-bi-1", "is_known": 0}, {"store_id": "store-bi-2", "is_known": 0}]
    assert products == [{"sku": "SKU-BI-A", "is_known": 0}, {"sku": "SKU-BI-B", "is_known": 0}]


def test_a_refused_refresh_fails_with_the_hubs_answer(fed_hub: HubProcess):
    from tillgate_dags.warehouse import HubWarehouse, WarehouseError

    hub = HubWarehouse(fed_hub.settings.hub_url, "wrong-token-0123456789")

    with pytest.raises(WarehouseError, match="401"):
        hub.refresh_bi(datetime.now(UTC))

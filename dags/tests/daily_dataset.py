"""The small fixed dataset of the daily DAG tests (daily_etl, feature_engineering, batch_predictions),
fed through Kafka into a hub of their own (conftest `daily_hub`) with a catalog imported first.

Two stores, three SKUs, days D0 = 2026-11-16 (Mon), D1 = 2026-11-17 (Tue), D2 = 2026-11-18:
  D0 store-e1  08:00 delivery SKU-E1 x24, SKU-E2 x10    09:00 sale SKU-E1 x2 @2.50, SKU-E2 x1 @4.00
               12:00 sale SKU-E1 x3 @2.50 (sent twice)   15:00 return SKU-E1 x1 restocked
               16:00 return SKU-E2 x1 not restocked      18:00 adjustment SKU-E2 -2 (damage)
               20:00 shelf count SKU-E1 = 17              21:00 sale SKU-E1 x1 @2.00 promo
     store-e2  10:00 sale SKU-E1 x4 @2.50                11:00 delivery SKU-E3 x5
  D1 store-e1  10:00 sale SKU-E1 x2 @2.50, SKU-E2 x3 @4.00   14:00 price change SKU-E2 -> 5.00
     store-e2  09:00 sale SKU-E1 x1 @2.50   13:00 shelf count SKU-E3 = 3   16:00 foot traffic
  D2 store-e1  10:00 sale SKU-E1 x1 @2.50 (store-e2 sends nothing: a store with no data)
  D3 nothing (both stores closed)
Catalog: SKU-E1 pack 6, lead 2 days; SKU-E2 pack 4, lead 1 day; SKU-E3 is not in it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

D0, D1, D2, D3 = date(2026, 11, 16), date(2026, 11, 17), date(2026, 11, 18), date(2026, 11, 19)
STORES = ("store-e1", "store-e2")

CATALOG = [
    {
        "sku": "SKU-E1",
        "product_name": "Oat milk 1 l",
        "category": "dairy alternatives",
        "department": "fresh",
        "price": 2.5,
        "supplier_id": "sup-e",
        "lead_time_days": 2,
        "pack_size": 6,
    },
    {
        "sku": "SKU-E2",
        "product_name": "Coffee beans 500 g",
        "category": "coffee",
        "department": "grocery",
        "price": 4.0,
        "supplier_id": "sup-e",
        "lead_time_days": 1,
        "pack_size": 4,
    },
]

_seq: dict[str, int] = {}


def _base(store: str, day: date, hhmm: str, kind: str, name: str) -> dict[str, Any]:
    terminal = "pos-01"
    _seq[store] = _seq.get(store, 0) + 1
    at = f"{day.isoformat()}T{hhmm}:00.000Z"
    return {
        "schema": 1,
        "event_id": f"{store}-{day:%m%d}-{name}",
        "store_id": store,
        "terminal_id": terminal,
        "terminal_seq": _seq[store],
        "occurred_at": at,
        "received_at": at,
        "type": kind,
    }


def sale(store: str, day: date, hhmm: str, name: str, lines: list[tuple[str, int, float, bool]]) -> dict[str, Any]:
    return {
        **_base(store, day, hhmm, "sale", name),
        "currency": "EUR",
        "lines": [{"sku": sku, "quantity": q, "unit_price": p, "promo": promo} for sku, q, p, promo in lines],
    }


def ret(store: str, day: date, hhmm: str, name: str, sku: str, quantity: int, restock: bool) -> dict[str, Any]:
    return {
        **_base(store, day, hhmm, "return", name),
        "currency": "EUR",
        "original_event_id": f"{store}-{day:%m%d}-s1",
        "lines": [{"sku": sku, "quantity": quantity, "unit_price": 2.5, "reason": "unwanted", "restock": restock}],
    }


def delivery(store: str, day: date, hhmm: str, name: str, lines: list[tuple[str, int]]) -> dict[str, Any]:
    return {
        **_base(store, day, hhmm, "supplier_delivery", name),
        "delivery_id": f"del-{store}-{name}",
        "supplier_id": "sup-e",
        "lines": [{"sku": sku, "quantity": q} for sku, q in lines],
    }


def count(store: str, day: date, hhmm: str, name: str, sku: str, counted: int) -> dict[str, Any]:
    return {**_base(store, day, hhmm, "shelf_count", name), "sku": sku, "counted_quantity": counted}


def adjustment(store: str, day: date, hhmm: str, name: str, sku: str, delta: int) -> dict[str, Any]:
    return {
        **_base(store, day, hhmm, "inventory_adjustment", name),
        "sku": sku,
        "quantity_delta": delta,
        "reason": "damage",
    }


def price_change(store: str, day: date, hhmm: str, name: str, sku: str, price: float) -> dict[str, Any]:
    return {
        **_base(store, day, hhmm, "price_change", name),
        "sku": sku,
        "new_price": price,
        "currency": "EUR",
        "promo": False,
        "effective_from": f"{day.isoformat()}T{hhmm}:00.000Z",
    }


def foot_traffic(store: str, day: date, hhmm: str, name: str) -> dict[str, Any]:
    return {**_base(store, day, hhmm, "foot_traffic", name), "visitors": 12, "period_seconds": 3600}


def events() -> list[dict[str, Any]]:
    _seq.clear()
    twice = sale("store-e1", D0, "12:00", "s2", [("SKU-E1", 3, 2.5, False)])
    return [
        delivery("store-e1", D0, "08:00", "d1", [("SKU-E1", 24), ("SKU-E2", 10)]),
        sale("store-e1", D0, "09:00", "s1", [("SKU-E1", 2, 2.5, False), ("SKU-E2", 1, 4.0, False)]),
        twice,
        twice,  # an edge re-send: the same event id twice, counted once
        ret("store-e1", D0, "15:00", "r1", "SKU-E1", 1, True),
        ret("store-e1", D0, "16:00", "r2", "SKU-E2", 1, False),
        adjustment("store-e1", D0, "18:00", "a1", "SKU-E2", -2),
        count("store-e1", D0, "20:00", "c1", "SKU-E1", 17),
        sale("store-e1", D0, "21:00", "s3", [("SKU-E1", 1, 2.0, True)]),
        sale("store-e2", D0, "10:00", "s1", [("SKU-E1", 4, 2.5, False)]),
        delivery("store-e2", D0, "11:00", "d1", [("SKU-E3", 5)]),
        sale("store-e1", D1, "10:00", "s1", [("SKU-E1", 2, 2.5, False), ("SKU-E2", 3, 4.0, False)]),
        price_change("store-e1", D1, "14:00", "p1", "SKU-E2", 5.0),
        sale("store-e2", D1, "09:00", "s1", [("SKU-E1", 1, 2.5, False)]),
        count("store-e2", D1, "13:00", "c1", "SKU-E3", 3),
        foot_traffic("store-e2", D1, "16:00", "f1"),
        sale("store-e1", D2, "10:00", "s1", [("SKU-E1", 1, 2.5, False)]),
    ]

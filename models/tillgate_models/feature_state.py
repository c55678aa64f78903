"""How events move one SKU's feature state: the Python mirror of shared/src/features/feature-state.ts,
both written from the spec's "events" section and both checked by shared/features/golden/*.json."""

from dataclasses import dataclass, field, replace
from typing import Any

from .feature_spec import RETENTION_DAYS
from .utc_time import canonical_instant, instant_ms, shift_day, utc_day


@dataclass
class SkuFeatureState:
    on_hand: float = 0
    daily_units: dict[str, float] = field(default_factory=dict)
    last_sale_at: str | None = None
    last_delivery_at: str | None = None
    price: float | None = None
    reference_price: float | None = None
    promo_active: bool = False
    store_sold_at_last_sale: float | None = None

    def as_json(self) -> dict[str, Any]:
        """The TypeScript field names, to compare with the golden files."""
        return {
            "onHand": self.on_hand,
            "dailyUnits": dict(self.daily_units),
            "lastSaleAt": self.last_sale_at,
            "lastDeliveryAt": self.last_delivery_at,
            "price": self.price,
            "referencePrice": self.reference_price,
            "promoActive": self.promo_active,
            "storeSoldAtLastSale": self.store_sold_at_last_sale,
        }


@dataclass
class StoreFeatureState:
    """The spec's "store_state": one per store, moved by every event before the SKU states are."""

    sold_units: float = 0
    daily_units: dict[str, float] = field(default_factory=dict)
    last_sale_at: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"soldUnits": self.sold_units, "dailyUnits": dict(self.daily_units), "lastSaleAt": self.last_sale_at}


def sku_state_from_json(data: dict[str, Any]) -> SkuFeatureState:
    """The inverse of SkuFeatureState.as_json (the TypeScript field names)."""
    return SkuFeatureState(
        on_hand=data["onHand"],
        daily_units=dict(data["dailyUnits"]),
        last_sale_at=data["lastSaleAt"],
        last_delivery_at=data["lastDeliveryAt"],
        price=data["price"],
        reference_price=data["referencePrice"],
        promo_active=data["promoActive"],
        store_sold_at_last_sale=data["storeSoldAtLastSale"],
    )


def store_state_from_json(data: dict[str, Any]) -> StoreFeatureState:
    """The inverse of StoreFeatureState.as_json (the TypeScript field names)."""
    return StoreFeatureState(float(data["soldUnits"]), dict(data["dailyUnits"]), data["lastSaleAt"])


def apply_store_event(store: StoreFeatureState, event: dict[str, Any]) -> StoreFeatureState:
    """The store's state after `event` (the spec's "Store:" clauses); the input is not modified."""
    kind = event["type"]
    if kind not in ("sale", "return"):
        return store
    nxt = replace(store, daily_units=dict(store.daily_units))
    at_ms = instant_ms(event["occurred_at"])
    if kind == "sale":
        for line in event["lines"]:
            nxt.sold_units += line["quantity"]
            _add_daily_units(nxt.daily_units, utc_day(at_ms), line["quantity"])
        nxt.last_sale_at = _later_instant(nxt.last_sale_at, at_ms)
    else:
        for line in event["lines"]:
            if line["restock"]:
                _add_daily_units(nxt.daily_units, utc_day(at_ms), -line["quantity"])
    return nxt


def apply_event(state: SkuFeatureState, event: dict[str, Any], sku: str, store_sold_after: float) -> SkuFeatureState:
    """Returns the state after `event` (a StoreEvent as JSON); the input state is not modified.
    store_sold_after: the store's soldUnits with this event applied (StoreFeatureState.sold_units)."""
    nxt = replace(state, daily_units=dict(state.daily_units))
    at_ms = instant_ms(event["occurred_at"])
    kind = event["type"]
    if kind == "sale":
        if any(line["sku"] == sku for line in event["lines"]) and (
            state.last_sale_at is None or at_ms >= instant_ms(state.last_sale_at)
        ):
            nxt.store_sold_at_last_sale = store_sold_after
        for line in event["lines"]:
            if line["sku"] != sku:
                continue
            nxt.on_hand -= line["quantity"]
            _add_daily_units(nxt.daily_units, utc_day(at_ms), line["quantity"])
            nxt.last_sale_at = _later_instant(nxt.last_sale_at, at_ms)
            _set_price(nxt, line["unit_price"], bool(line.get("promo", False)))
    elif kind == "return":
        for line in event["lines"]:
            if line["sku"] != sku or not line["restock"]:
                continue
            nxt.on_hand += line["quantity"]
            _add_daily_units(nxt.daily_units, utc_day(at_ms), -line["quantity"])
    elif kind == "shelf_count":
        if event["sku"] == sku:
            nxt.on_hand = event["counted_quantity"]
    elif kind == "inventory_adjustment":
        if event["sku"] == sku:
            nxt.on_hand += event["quantity_delta"]
    elif kind == "supplier_delivery":
        for line in event["lines"]:
            if line["sku"] != sku:
                continue
            nxt.on_hand += line["quantity"]
            nxt.last_delivery_at = _later_instant(nxt.last_delivery_at, at_ms)
    elif kind == "price_change":
        if event["sku"] == sku:
            _set_price(nxt, event["new_price"], bool(event["promo"]))
    elif kind not in ("product_scan", "foot_traffic"):
        raise ValueError(f"event type {kind!r} is not a v1 StoreEvent type")
    return nxt


def _set_price(state: SkuFeatureState, price: float, promo: bool) -> None:
    state.price = price
    state.promo_active = promo
    if state.reference_price is None and not promo:
        state.reference_price = price


def _later_instant(current: str | None, ms: int) -> str:
    if current is not None and instant_ms(current) >= ms:
        return current
    return canonical_instant(ms)


def _add_daily_units(daily_units: dict[str, float], day: str, units: float) -> None:
    newest = max([day, *daily_units])
    oldest_kept = shift_day(newest, -(RETENTION_DAYS - 1))
    if day < oldest_kept:
        return
    daily_units[day] = daily_units.get(day, 0) + units
    for kept in [kept for kept in daily_units if kept < oldest_kept]:
        del daily_units[kept]

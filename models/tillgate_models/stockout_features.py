"""The model input row (mirror of shared/src/features/stockout-features.ts, spec "features")."""

from datetime import UTC, datetime

import numpy as np

from .feature_spec import STOCKOUT_FEATURE_NAMES, feature_cap
from .feature_state import SkuFeatureState, StoreFeatureState
from .utc_time import MS_PER_HOUR, instant_ms, shift_day, utc_day

_COVER_CAP = feature_cap("days_of_cover")
_SALE_AGE_CAP = feature_cap("hours_since_last_sale")
_DELIVERY_AGE_CAP = feature_cap("hours_since_delivery")
_PRICE_RATIO_CAP = feature_cap("price_ratio")
_EXPECTED_UNITS_CAP = feature_cap("expected_units_since_sale")
_STORE_SALE_AGE_CAP = feature_cap("hours_since_store_sale")


def stockout_features(state: SkuFeatureState, store: StoreFeatureState, at_ms: int) -> np.ndarray:
    """Features at epoch millisecond `at_ms`, float64 arithmetic, rounded to float32 at the end."""
    today = utc_day(at_ms)
    units_today = max(0, state.daily_units.get(today, 0))
    units_7d = max(0, _units_over(state.daily_units, today, 7)) / 7
    units_14d = max(0, _units_over(state.daily_units, today, 14)) / 14
    units_28d = max(0, _units_over(state.daily_units, today, 28)) / 28
    share = _store_share(_units_over(state.daily_units, today, 28), _units_over(store.daily_units, today, 28))
    moment = datetime.fromtimestamp(at_ms // 1000, UTC)
    values = [
        state.on_hand,
        units_today,
        units_7d,
        units_14d,
        units_28d,
        _days_of_cover(state.on_hand, units_7d),
        _hours_since(state.last_sale_at, at_ms, _SALE_AGE_CAP),
        _hours_since(state.last_delivery_at, at_ms, _DELIVERY_AGE_CAP),
        (moment.weekday() + 1) % 7,  # spec: 0 = Sunday, Python: 0 = Monday
        moment.hour,
        1 if state.promo_active else 0,
        _price_ratio(state.price, state.reference_price),
        share,
        _expected_units_since_sale(share, store.sold_units, state.store_sold_at_last_sale),
        _hours_since(store.last_sale_at, at_ms, _STORE_SALE_AGE_CAP),
    ]
    if len(values) != len(STOCKOUT_FEATURE_NAMES):
        raise AssertionError(f"computes {len(values)} features, the spec names {len(STOCKOUT_FEATURE_NAMES)}")
    return np.asarray(values, dtype=np.float64).astype(np.float32)


def _units_over(daily_units: dict[str, float], today: str, days: int) -> float:
    return sum(daily_units.get(shift_day(today, -offset), 0) for offset in range(days - 1, -1, -1))


def _store_share(sku_units: float, store_units: float) -> float:
    if store_units <= 0:
        return 0
    return min(1, max(0, sku_units) / store_units)


def _expected_units_since_sale(share: float, store_sold: float, sold_at_last_sale: float | None) -> float:
    if sold_at_last_sale is None:
        return _EXPECTED_UNITS_CAP
    return min(_EXPECTED_UNITS_CAP, share * max(0, store_sold - sold_at_last_sale))


def _days_of_cover(on_hand: float, units_7d: float) -> float:
    if on_hand <= 0:
        return 0
    if units_7d == 0:
        return _COVER_CAP
    return min(_COVER_CAP, on_hand / units_7d)


def _hours_since(instant: str | None, at_ms: int, cap: float) -> float:
    if instant is None:
        return cap
    return min(cap, max(0, (at_ms - instant_ms(instant)) / MS_PER_HOUR))


def _price_ratio(price: float | None, reference_price: float | None) -> float:
    if price is None or reference_price is None or reference_price <= 0:
        return 1
    return min(_PRICE_RATIO_CAP, max(0, price / reference_price))

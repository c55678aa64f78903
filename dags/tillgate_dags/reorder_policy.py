"""The reorder recommendation for one store x SKU (MISSION.md: forecast + lead time + safety stock +
business rules). With d = the daily forecast (the 7-day forecast / 7) and L = the lead time in days:

    lead-time demand  = d x L
    safety stock      = z x sigma x sqrt(L)       z = 1.645: a 95 % cycle service level (MISSION.md's
                                                  95 % stock availability)
    reorder point     = lead-time demand + safety stock
    need              = reorder point - on hand - on order
    reorder quantity  = 0 if need <= 0, else need rounded UP to a whole case pack
                        (catalog pack_size; the minimum order is one case: the catalog has no MOQ field)

sigma is the daily forecast error: the RMSE of this store x SKU's past daily forecasts against their
actuals (ml_forecast_results, last 28 target days) once there are at least 7 such pairs; before that,
sqrt(d), the spread of Poisson demand at the forecast rate. On order is 0: contract v1 has no
purchase-order event, so the hub cannot know open orders (the term stays, for when a PO feed exists).
A SKU missing from the catalog gets DEFAULT_LEAD_TIME_DAYS and a case of 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SERVICE_LEVEL_Z = 1.645
DEFAULT_LEAD_TIME_DAYS = 2
ERROR_WINDOW_DAYS = 28
MIN_ERROR_PAIRS = 7


@dataclass(frozen=True)
class Reorder:
    lead_time_days: int
    safety_stock: float
    reorder_point: float
    reorder_quantity: int


def daily_error(daily_forecast: float, squared_errors: float | None, pairs: int) -> float:
    """sigma: the past forecasts' RMSE with enough history, else sqrt(daily forecast)."""
    if squared_errors is not None and pairs >= MIN_ERROR_PAIRS:
        return math.sqrt(squared_errors / pairs)
    return math.sqrt(max(0.0, daily_forecast))


def reorder(
    forecast_7d: float,
    on_hand: float,
    sigma: float,
    lead_time_days: int | None,
    pack_size: int | None,
    on_order: float = 0.0,
) -> Reorder:
    lead = DEFAULT_LEAD_TIME_DAYS if lead_time_days is None else lead_time_days
    pack = pack_size if pack_size and pack_size > 0 else 1
    daily = forecast_7d / 7
    safety = SERVICE_LEVEL_Z * sigma * math.sqrt(lead)
    point = daily * lead + safety
    need = point - on_hand - on_order
    quantity = 0 if need <= 0 else math.ceil(need / pack) * pack
    return Reorder(lead, safety, point, quantity)

"""The reorder formula (tillgate_dags.reorder_policy) on hand-computed cases."""

from __future__ import annotations

import math

import pytest

from tillgate_dags.reorder_policy import daily_error, reorder


def test_need_is_rounded_up_to_a_whole_case_pack():
    # d = 14 / 7 = 2, L = 2: lead-time demand 4; sigma = sqrt(2): safety 1.645 x sqrt(2) x sqrt(2) = 3.29;
    # point 7.29; need 7.29 - 3 = 4.29 -> one case of 6.
    decision = reorder(14, on_hand=3, sigma=math.sqrt(2), lead_time_days=2, pack_size=6)

    assert decision.safety_stock == pytest.approx(3.29)
    assert decision.reorder_point == pytest.approx(7.29)
    assert decision.reorder_quantity == 6


def test_enough_stock_orders_nothing_and_negative_stock_is_ordered_back():
    assert reorder(14, on_hand=8, sigma=math.sqrt(2), lead_time_days=2, pack_size=6).reorder_quantity == 0
    # on hand -5 (sales of stock never booked in): need 7.29 + 5 = 12.29 -> three cases of 6 = 18.
    assert reorder(14, on_hand=-5, sigma=math.sqrt(2), lead_time_days=2, pack_size=6).reorder_quantity == 18


def test_a_sku_outside_the_catalog_gets_the_default_lead_time_and_single_units():
    decision = reorder(14, on_hand=3, sigma=math.sqrt(2), lead_time_days=None, pack_size=None)

    assert decision.lead_time_days == 2
    assert decision.reorder_quantity == 5  # ceil(4.29)


def test_on_order_counts_against_the_need():
    assert reorder(14, on_hand=3, sigma=math.sqrt(2), lead_time_days=2, pack_size=6, on_order=6).reorder_quantity == 0


def test_the_error_is_the_past_rmse_once_seven_pairs_exist_else_poisson():
    assert daily_error(2, squared_errors=28, pairs=7) == pytest.approx(2)
    assert daily_error(2, squared_errors=28, pairs=6) == pytest.approx(math.sqrt(2))
    assert daily_error(2, squared_errors=None, pairs=0) == pytest.approx(math.sqrt(2))

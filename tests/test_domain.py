"""The order state machine table and the money type."""

from __future__ import annotations

import msgspec
import pytest

from o2o_tui.domain.money import Money, format_money
from o2o_tui.domain.order import OrderStatus, OrderType
from o2o_tui.domain.transitions import (
    ORDER_TRANSITIONS,
    OrderAction,
    TransitionCheck,
    check_order_transition,
)
from o2o_tui.safe_text import safe_text


def test_happy_path_delivery() -> None:
    status = OrderStatus.CREATED
    for action in (OrderAction.CONFIRM, OrderAction.PREPARING, OrderAction.READY, OrderAction.DISPATCH,
                   OrderAction.DELIVERED, OrderAction.CONCLUDE):
        assert check_order_transition(status, OrderType.DELIVERY, action) is TransitionCheck.APPLY
        status = ORDER_TRANSITIONS[action].target
    assert status is OrderStatus.CONCLUDED


def test_handoff_only_for_pickup_orders() -> None:
    ready = OrderStatus.READY_FOR_PICKUP
    assert check_order_transition(ready, OrderType.TAKEOUT, OrderAction.HANDOFF) is TransitionCheck.APPLY
    assert check_order_transition(ready, OrderType.DELIVERY, OrderAction.HANDOFF) is TransitionCheck.ILLEGAL


@pytest.mark.parametrize("status", list(OrderStatus))
def test_cancel_allowed_only_before_delivered(status: OrderStatus) -> None:
    result = check_order_transition(status, OrderType.DELIVERY, OrderAction.CANCEL)
    if status is OrderStatus.CANCELLED:
        assert result is TransitionCheck.ALREADY
    elif status in (OrderStatus.DELIVERED, OrderStatus.CONCLUDED):
        assert result is TransitionCheck.ILLEGAL
    else:
        assert result is TransitionCheck.APPLY


def test_same_action_twice_is_already() -> None:
    assert check_order_transition(OrderStatus.CONFIRMED, OrderType.DELIVERY, OrderAction.CONFIRM) is TransitionCheck.ALREADY


def test_money() -> None:
    assert format_money(Money(2350, "CNY")) == "¥23.50"
    assert format_money(Money(-5, "USD")) == "-$0.05"
    assert format_money(Money(1200, "JPY")) == "¥1200"
    with pytest.raises(ValueError):
        Money(1, "CNY") + Money(1, "USD")
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(b'{"amount": 1.5, "currency": "CNY"}', type=Money)


def test_safe_text_strips_terminal_escapes() -> None:
    hostile = "Bob\x1b]0;pwned\x07\x9b31m\u202eevil\nline2\tx"
    cleaned = safe_text(hostile)
    assert "\x1b" not in cleaned and "\x07" not in cleaned and "\x9b" not in cleaned and "\u202e" not in cleaned
    assert "\n" in cleaned and "\t" in cleaned
    assert "\n" not in safe_text(hostile, one_line=True)

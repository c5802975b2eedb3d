"""The kitchen needs more time: it moves an accepted order's promised ready time later (Uber Eats' "Delay order",
美团's 延长出餐时间). The one rule the platform, the optimistic overlay, the console and `o2o orders delay` read.

Only while the order cooks (accepted, not ready yet): before accepting, the preparation time is chosen with the
accept; once ready, nothing waits on the kitchen. The time moves from the promise, or from now when the promise
has already passed (a late kitchen asks for minutes from now, not from a time gone by). All of an order's delays
together stay within `DELAY_TOTAL_MAX`, so an order cannot be put off without end.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from o2o_tui.domain.limits import DELAY_MINUTES_MAX, DELAY_MINUTES_MIN, DELAY_TOTAL_MAX, as_utc
from o2o_tui.domain.order import Order, OrderStatus

DELAYABLE = frozenset({OrderStatus.CONFIRMED, OrderStatus.PREPARING})


class DelayCheck(enum.Enum):
    OK = "ok"
    BAD_MINUTES = "bad_minutes"  # outside DELAY_MINUTES_MIN..DELAY_MINUTES_MAX
    NOT_NOW = "not_now"  # not accepted yet, or already ready / ended
    OVER_LIMIT = "over_limit"  # the order's delays would pass DELAY_TOTAL_MAX


def check_delay(order: Order, minutes: int) -> DelayCheck:
    if not DELAY_MINUTES_MIN <= minutes <= DELAY_MINUTES_MAX:
        return DelayCheck.BAD_MINUTES
    if order.status not in DELAYABLE:
        return DelayCheck.NOT_NOW
    if order.delayed_minutes + minutes > DELAY_TOTAL_MAX:
        return DelayCheck.OVER_LIMIT
    return DelayCheck.OK


def delay_left(order: Order) -> int:
    """Minutes the order may still be delayed by, in one go (0: none)."""
    return max(0, min(DELAY_MINUTES_MAX, DELAY_TOTAL_MAX - order.delayed_minutes))


def limit_message(order: Order) -> str:
    """Why a delay past the total is refused: how many minutes are still allowed, or that none are (never "at
    most 0 more minutes")."""
    from o2o_tui.i18n import t

    left = delay_left(order)
    if left == 0:
        return t("delay.error.limit_reached", number=order.display_number, total=DELAY_TOTAL_MAX)
    return t("delay.error.limit", number=order.display_number, left=left)


def delayed_promise(order: Order, minutes: int, now: datetime) -> datetime:
    """The promised ready time after a delay of `minutes` tapped at `now`."""
    promised = as_utc(order.promised_ready_at) if order.promised_ready_at is not None else None
    now = as_utc(now)
    start = now if promised is None or promised < now else promised
    return start + timedelta(minutes=minutes)

"""A store's day in figures (`GET /v1/stores/{id}/reports/day?date=YYYY-MM-DD`), computed by the platform from
the orders themselves (o2o_tui/platform/reports.py) and shown by `f` in the console and `o2o report day`.

Every field is typed and money is minor units in the store's currency. Like every answer type it decodes
leniently (a newer server's extra fields are ignored, fields added later have defaults), so a console in the
field keeps reading the figures of a newer platform; the cached copy on the device decodes the same way.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from o2o_tui.domain.limits import require_times_in_range
from o2o_tui.domain.money import Money

HOURS_IN_DAY = 24
TOP_ITEMS = 10  # the top items listed by quantity and, separately, by revenue (`items` lists them all)


class HourFigures(msgspec.Struct, frozen=True):
    """One hour of the store's local day: orders placed in it, and orders delivered or handed off in it."""

    hour: int  # 0..23, the store's wall clock
    placed: int = 0
    completed: int = 0


class Durations(msgspec.Struct, frozen=True):
    """A spread of durations in seconds: `count` measured, their median and 90th percentile (nearest rank)."""

    count: int = 0
    median_seconds: float | None = None
    p90_seconds: float | None = None


class CancelFigures(msgspec.Struct, frozen=True):
    """Cancellations of one reason by one party (CUSTOMER, MERCHANT, PLATFORM, COURIER)."""

    reason_code: str
    by: str
    count: int


class RefusalFigures(msgspec.Struct, frozen=True):
    """New orders the merchant refused (rejected) for one reason."""

    reason_code: str
    count: int


class ItemFigures(msgspec.Struct, frozen=True):
    item_id: str
    name: str
    quantity: int
    revenue: Money  # the item's line totals (options included) on orders that were not cancelled


class DayReport(msgspec.Struct, frozen=True):
    store_id: str
    date: str  # YYYY-MM-DD in the store's time zone
    timezone: str
    currency: str
    generated_at: datetime
    placed: int = 0  # orders placed that day
    completed: int = 0  # orders delivered or handed off that day (placed that day or before)
    # of the day's orders: delivered or handed off by now (that day or after it), so that placed = done +
    # cancelled + refused + open; added later (None: a platform that does not say it)
    done: int | None = None
    cancelled: int = 0  # of the day's orders: cancelled after the merchant accepted, or by anyone else
    refused: int = 0  # of the day's orders: rejected by the merchant before accepting
    open: int = 0  # of the day's orders: not done, cancelled or refused yet
    # 24 entries, from the trading day's first hour: hour 0 first on a calendar day, 03 first after a day that ran
    # to 03:00 (and on it: its hours 00-02 are the next morning's)
    hours: list[HourFigures] = []
    accept_time: Durations = Durations()  # created -> accepted
    prep_time: Durations = Durations()  # accepted -> ready
    cancellations: list[CancelFigures] = []  # most first
    refusals: list[RefusalFigures] = []  # most first
    gross: Money | None = None  # item totals of the day's orders that were not cancelled or refused
    refunds: Money | None = None  # items refunded on those orders (what revenue leaves out)
    revenue: Money | None = None  # gross less refunds
    # all money refunded that day (by each refund's time) on any order: cancelled later, placed the day before,
    # delivery fees too; added later (None: a platform that does not say it)
    refunded_today: Money | None = None
    top_items: list[ItemFigures] = []  # by quantity, then revenue
    top_revenue: list[ItemFigures] = []  # by revenue, then quantity
    # every item sold that day, by quantity then revenue (their revenues add up to the day's revenue); added later
    items: list[ItemFigures] = []
    # the trading day's bounds (UTC instants): midnight to midnight, or to the day's last close past midnight
    # (o2o_tui/domain/hours.py `trading_day_end`); `today` the store's trading day when generated; added later
    # (None: a platform that does not say them: calendar days)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    today: str | None = None
    vouchers_redeemed: int | None = None  # vouchers redeemed at the counter that day, and their value (added later)
    vouchers_value: Money | None = None

    def __post_init__(self) -> None:
        require_times_in_range(self)

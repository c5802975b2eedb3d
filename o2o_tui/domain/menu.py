"""Menu -> Category -> Item -> OptionGroup -> Option.

Three kinds of "unavailable" stay apart: `status=UNAVAILABLE` (no known restore time), `snooze_until`
(sold out until a time, the usual "86") and `hidden`.
"""

from __future__ import annotations

import enum
from datetime import datetime

import msgspec

from o2o_tui.domain.limits import as_utc
from o2o_tui.domain.money import Money


class Availability(enum.StrEnum):
    AVAILABLE = "AVAILABLE"
    UNAVAILABLE = "UNAVAILABLE"


class Option(msgspec.Struct, frozen=True):
    id: str
    name: str
    price: Money
    max_qty: int = 1
    status: Availability = Availability.AVAILABLE


class OptionGroup(msgspec.Struct, frozen=True):
    id: str
    name: str
    min: int
    max: int
    options: list[Option]


class Item(msgspec.Struct, frozen=True):
    id: str
    name: str
    price: Money
    description: str = ""
    status: Availability = Availability.AVAILABLE
    snooze_until: datetime | None = None
    hidden: bool = False
    option_group_ids: list[str] = []


class Category(msgspec.Struct, frozen=True):
    id: str
    name: str
    items: list[Item]


class Menu(msgspec.Struct, frozen=True):
    store_id: str
    version: int
    currency: str
    categories: list[Category]
    option_groups: list[OptionGroup] = []
    updated_at: datetime | None = None


def is_orderable(item: Item, now: datetime) -> bool:
    if item.hidden or item.status is Availability.UNAVAILABLE:
        return False
    # a snooze stored without a zone (older servers took one) is read as UTC: comparing it raw would raise
    return item.snooze_until is None or as_utc(item.snooze_until) <= now

"""Request bodies of the platform API: strict and bounded.

Strict: an unknown field anywhere in a body, nested parts included, is a 422 naming its path, not silently dropped.
Bounded: every free-text field, list, quantity, position, time and client-chosen id carries its limit as a
`msgspec.Meta` constraint (the numbers live in `o2o_tui.domain.limits`), so the server, the client and the OpenAPI
state it once. Answers (the other domain types) are the opposite: lenient, so a newer server's fields do not break
an older console. A body never reuses an answer type for a nested part: it takes the strict `...In` twin
(`PositionIn`, `AddressIn`, `TimingIn`, `MenuIn`, ...), which the server turns into the answer type it stores.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from o2o_tui.domain.fleet import CourierStatus, ProblemReason
from o2o_tui.domain.geo import AddressIn, PositionIn
from o2o_tui.domain.limits import (
    DELAY_MINUTES_MAX,
    DELAY_MINUTES_MIN,
    EXTRA_MINUTES_MAX,
    HOURS_EXCEPTIONS_MAX,
    HOURS_RANGES_MAX,
    ITEM_OPTION_GROUPS_MAX,
    LINES_MAX,
    MENU_CATEGORIES_MAX,
    MENU_ITEMS_MAX,
    MENU_OPTION_GROUPS_MAX,
    MENU_OPTIONS_MAX,
    OPTION_IDS_MAX,
    PREP_MINUTES_MAX,
    PREP_MINUTES_MIN,
    PRICE_MAX,
    QUANTITY_MAX,
    AwareTime,
    ClockTime,
    Code,
    Currency,
    CustomerName,
    CustomerPhone,
    Description,
    Id,
    IsoDate,
    LineNote,
    Name,
    Note,
    Quantity,
    ReasonCode,
    StatusReason,
    times_in_utc,
)
from o2o_tui.domain.menu import Availability, Menu
from o2o_tui.domain.order import OrderType, TimingIn
from o2o_tui.domain.store import StoreState


class _Body(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """msgspec hands both options down to subclasses; each subclass still says `frozen=True`, because type
    checkers (dataclass_transform) read frozenness per class and refuse a mutable child of a frozen parent.
    Every time in a body (`AwareTime`) is turned to UTC as it is decoded, so what is stored and answered ends in Z."""

    def __post_init__(self) -> None:
        times_in_utc(self, naive_too=False)


class ConfirmBody(_Body, frozen=True, omit_defaults=True):  # a person's accept sends no `auto`
    preparation_minutes: Annotated[int, Meta(ge=PREP_MINUTES_MIN, le=PREP_MINUTES_MAX)]
    auto: bool = False  # sent by the printing station's auto-accept: counted against the store's daily cap


class DelayBody(_Body, frozen=True):
    """The kitchen needs more time: the promised ready time moves `minutes` later."""

    minutes: Annotated[int, Meta(ge=DELAY_MINUTES_MIN, le=DELAY_MINUTES_MAX)]


class ReasonBody(_Body, frozen=True):
    """reject, cancel, cancellation request / deny."""

    reason_code: ReasonCode
    reason: Note = ""


class EmptyBody(_Body, frozen=True):
    """preparing, ready, dispatch, delivered, cancellation accept."""


class CodeBody(_Body, frozen=True):
    """handoff {pickup_code}, validate-code {code}, courier picked-up / delivered."""

    code: Code


class NewOrderLine(_Body, frozen=True):
    item_id: Id
    quantity: Quantity
    option_ids: Annotated[list[Id], Meta(max_length=OPTION_IDS_MAX)] = []
    note: LineNote = ""


class CreateOrderBody(_Body, frozen=True):
    """Customer places an order. `id` is client-generated so a replay after the key expired is still safe."""

    id: Id
    store_id: Id
    type: OrderType
    lines: Annotated[list[NewOrderLine], Meta(min_length=1, max_length=LINES_MAX)]
    customer_name: CustomerName
    customer_phone: CustomerPhone
    address: AddressIn | None = None
    timing: TimingIn = TimingIn()
    note: Note = ""


class StoreStatusBody(_Body, frozen=True):
    state: StoreState
    until: AwareTime | None = None
    reason: StatusReason = ""
    extra_minutes: Annotated[int, Meta(ge=0, le=EXTRA_MINUTES_MAX)] = 0


STORE_PREP_MINUTES_MIN = 1
STORE_PREP_MINUTES_MAX = 180  # a store's default preparation time (an item may take longer: PREP_MINUTES_MAX)


class PrepTimeBody(_Body, frozen=True):
    """`PUT /v1/stores/{id}/prep-time`: the store's default preparation time (`Store.default_prep_minutes`), what
    an accept promises for an order whose items set none (auto-accept, Enter in the accept prompt)."""

    minutes: Annotated[int, Meta(ge=STORE_PREP_MINUTES_MIN, le=STORE_PREP_MINUTES_MAX)]


class ItemPatchBody(_Body, frozen=True):
    """PATCH one item (`.../menu/items/{item_id}`) or one option (`.../menu/options/{option_id}`): availability
    at once (status, snooze), and `hidden`; fields left out stay as they are."""

    status: Availability | None = None
    snooze_until: AwareTime | None = None
    clear_snooze: bool = False
    hidden: bool | None = None


OptionPatchBody = ItemPatchBody


class TimeRangeIn(_Body, frozen=True):
    opens: ClockTime
    closes: ClockTime  # <= opens: runs past midnight (18:00-02:00)


class OpeningHoursIn(_Body, frozen=True):
    weekday: Annotated[int, Meta(ge=0, le=6)]  # 0 = Monday
    opens: ClockTime
    closes: ClockTime


class HoursExceptionIn(_Body, frozen=True):
    date: IsoDate
    hours: Annotated[list[TimeRangeIn], Meta(max_length=HOURS_RANGES_MAX)] = []  # none: closed all day
    note: StatusReason = ""


class HoursBody(_Body, frozen=True):
    """PUT /v1/stores/{store_id}/hours: the weekly hours and the dated exceptions, both replaced whole."""

    opening_hours: Annotated[list[OpeningHoursIn], Meta(max_length=7 * HOURS_RANGES_MAX)] = []
    exceptions: Annotated[list[HoursExceptionIn], Meta(max_length=HOURS_EXCEPTIONS_MAX)] = []


class AssignBody(_Body, frozen=True):
    """`expect_courier_id`: a precondition, the courier the sender believes holds the order now (null: nobody);
    when another courier holds it (or nobody does) the platform refuses with 409 `courier_changed` instead of
    taking the order from them. Absent: no check (reassign whatever holds it, as consoles before it did)."""

    courier_id: Id
    expect_courier_id: Id | None | msgspec.UnsetType = msgspec.UNSET


class UnassignBody(_Body, frozen=True):
    """POST /v1/orders/{order_id}/unassign. `expect_courier_id`: a precondition, the courier the sender believes
    holds the order now; when another courier holds it the platform refuses with 409 `courier_changed` instead of
    taking the order from them (nobody holding it: nothing to take, answered as without it). Absent (or an empty
    body, as consoles before it sent): no check, whoever holds it loses it."""

    expect_courier_id: Id | None | msgspec.UnsetType = msgspec.UNSET


class ProblemBody(_Body, frozen=True):
    reason: ProblemReason
    note: Note = ""


class CourierStateBody(_Body, frozen=True):
    status: CourierStatus | None = None
    position: PositionIn | None = None


# --- the menu a merchant publishes (PUT /v1/stores/{store_id}/menu) ---------------------------------------------
# Field for field today's `Menu` (a console publishes the menu it read back, edited), strict and bounded.


class NamesIn(_Body, frozen=True):
    zh: Name = ""
    en: Name = ""


class DescriptionsIn(_Body, frozen=True):
    zh: Description = ""
    en: Description = ""


class MoneyIn(_Body, frozen=True):
    amount: Annotated[int, Meta(ge=0, le=PRICE_MAX)]
    currency: Currency


class OptionIn(_Body, frozen=True):
    id: Id
    name: Name
    price: MoneyIn
    max_qty: Quantity = 1
    status: Availability = Availability.AVAILABLE
    names: NamesIn = NamesIn()
    snooze_until: AwareTime | None = None
    hidden: bool = False


class OptionGroupIn(_Body, frozen=True):
    id: Id
    name: Name
    min: Annotated[int, Meta(ge=0, le=QUANTITY_MAX)]
    max: Annotated[int, Meta(ge=1, le=QUANTITY_MAX)]
    options: Annotated[list[OptionIn], Meta(max_length=MENU_OPTIONS_MAX)]
    names: NamesIn = NamesIn()


class ItemIn(_Body, frozen=True):
    id: Id
    name: Name
    price: MoneyIn
    description: Description = ""
    status: Availability = Availability.AVAILABLE
    snooze_until: AwareTime | None = None
    hidden: bool = False
    option_group_ids: Annotated[list[Id], Meta(max_length=ITEM_OPTION_GROUPS_MAX)] = []
    names: NamesIn = NamesIn()
    descriptions: DescriptionsIn = DescriptionsIn()
    prep_minutes: Annotated[int, Meta(ge=PREP_MINUTES_MIN, le=PREP_MINUTES_MAX)] | None = None


class CategoryIn(_Body, frozen=True):
    id: Id
    name: Name
    items: Annotated[list[ItemIn], Meta(max_length=MENU_ITEMS_MAX)]
    names: NamesIn = NamesIn()


class MenuIn(_Body, frozen=True):
    """The body of a menu publish. `version` and `updated_at` are what the console read (the server takes the
    version it was edited from in If-Match, and sets both itself)."""

    store_id: Id
    version: int
    currency: Currency
    categories: Annotated[list[CategoryIn], Meta(max_length=MENU_CATEGORIES_MAX)]
    option_groups: Annotated[list[OptionGroupIn], Meta(max_length=MENU_OPTION_GROUPS_MAX)] = []
    updated_at: AwareTime | None = None
    content_version: int = 0  # what the console read; the server sets it


def menu_of(body: MenuIn) -> Menu:
    """The answer-side `Menu` of a decoded publish body."""
    return msgspec.convert(msgspec.to_builtins(body), Menu)


class CodeValidation(msgspec.Struct, frozen=True):
    """The answer to validate-code (lenient, as every answer)."""

    valid: bool
    order_id: str | None = None
    kind: str | None = None  # "pickup"

"""Orders: the document every party sees (fields are masked per role by the server).

A cached entity: a field added here bumps `o2o_tui.sync.fetch.MODEL_VERSION` (see `o2o_tui.domain`)."""

from __future__ import annotations

import enum
from datetime import datetime

import msgspec

from o2o_tui.domain.chases import Chase
from o2o_tui.domain.geo import Address
from o2o_tui.domain.limits import AwareTime, require_times_in_range, times_in_utc
from o2o_tui.domain.money import Money
from o2o_tui.domain.refunds import Refund


class OrderStatus(enum.StrEnum):
    """Open Delivery names: READY_FOR_PICKUP is the design's READY, DISPATCHED its IN_DELIVERY."""

    CREATED = "CREATED"
    CONFIRMED = "CONFIRMED"
    PREPARING = "PREPARING"
    READY_FOR_PICKUP = "READY_FOR_PICKUP"
    DISPATCHED = "DISPATCHED"
    DELIVERED = "DELIVERED"
    CONCLUDED = "CONCLUDED"
    CANCELLED = "CANCELLED"


ENDED_STATUSES = frozenset({OrderStatus.DELIVERED, OrderStatus.CONCLUDED, OrderStatus.CANCELLED})


class OrderType(enum.StrEnum):
    DELIVERY = "DELIVERY"
    TAKEOUT = "TAKEOUT"
    INDOOR = "INDOOR"


class TimingType(enum.StrEnum):
    INSTANT = "INSTANT"
    SCHEDULED = "SCHEDULED"


class PaymentStatus(enum.StrEnum):
    """PAID (paid online when placed) -> REFUNDED once all of the total went back: by the store's refunds, or with
    a cancel (reject, cancel, accept timeout: a paid order's money goes back with it, `payment_on_cancel`).
    PENDING (not paid yet) stays PENDING when cancelled: nothing was taken, nothing goes back."""

    PAID = "PAID"
    PENDING = "PENDING"
    REFUNDED = "REFUNDED"


class Party(enum.StrEnum):
    CUSTOMER = "CUSTOMER"
    MERCHANT = "MERCHANT"
    PLATFORM = "PLATFORM"
    COURIER = "COURIER"


class TimingIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The timing a new order asks for (strict; both ends of the window aware). See `Timing`."""

    type: TimingType = TimingType.INSTANT
    window_start: AwareTime | None = None
    window_end: AwareTime | None = None

    def __post_init__(self) -> None:
        times_in_utc(self, naive_too=False)  # stored and answered in UTC (Z), whatever offset the customer sent


class Timing(TimingIn, frozen=True, forbid_unknown_fields=False):
    """An order's timing as answers carry it (lenient, as every answer type; what older servers stored reads)."""

    type: TimingType = TimingType.INSTANT
    window_start: datetime | None = None
    window_end: datetime | None = None

    def __post_init__(self) -> None:
        require_times_in_range(self)


def timing_of(given: TimingIn) -> Timing:
    """The answer-side `Timing` of a decoded request timing."""
    if isinstance(given, Timing):
        return given
    return Timing(type=given.type, window_start=given.window_start, window_end=given.window_end)


class LineOption(msgspec.Struct, frozen=True):
    option_id: str
    group_id: str
    name: str
    quantity: int
    unit_price: Money


class OrderLine(msgspec.Struct, frozen=True):
    item_id: str
    name: str
    quantity: int
    unit_price: Money
    options: list[LineOption] = []
    note: str = ""
    total: Money | None = None


class Totals(msgspec.Struct, frozen=True):
    subtotal: Money
    delivery_fee: Money
    discount: Money
    total: Money
    refunded: Money | None = None  # given back so far (o2o_tui/domain/refunds.py); None: nothing


class Payment(msgspec.Struct, frozen=True):
    status: PaymentStatus = PaymentStatus.PAID
    method: str = "ONLINE"


def payment_on_cancel(payment: Payment) -> Payment:
    """The payment of an order as its cancel leaves it: a paid order's money goes back in full with the cancel
    (what its refunds left of the total), so it reads REFUNDED; one not paid yet (PENDING) or refunded already
    stays as it is. `totals.refunded` keeps counting the store's refunds only."""
    if payment.status is PaymentStatus.PAID:
        return msgspec.structs.replace(payment, status=PaymentStatus.REFUNDED)
    return payment


class CustomerContact(msgspec.Struct, frozen=True):
    """`phone` is masked (`138****5678`) for every role but the customer itself and admin."""

    name: str
    phone: str
    address: Address | None = None


class Cancellation(msgspec.Struct, frozen=True):
    """A pending cancellation request: a flag on the order, not a state."""

    requested_by: Party
    reason_code: str
    reason: str = ""
    requested_at: datetime | None = None

    def __post_init__(self) -> None:
        require_times_in_range(self)


class CodeLock(msgspec.Struct, frozen=True):
    """A code of the order refused after too many wrong tries, until `until` or until staff lift it."""

    kind: str  # "pickup" or "delivery"
    until: datetime

    def __post_init__(self) -> None:
        require_times_in_range(self)


class OpenProblem(msgspec.Struct, frozen=True):
    """The latest problem the courier reported on the order's current delivery (a delivery problem reason such as
    VEHICLE_PROBLEM, as a string: a reason added later still reads), while it is open."""

    reason: str
    note: str = ""
    occurred_at: datetime | None = None

    def __post_init__(self) -> None:
        require_times_in_range(self)


class FoodWithCourier(msgspec.Struct, frozen=True):
    """A courier has this order's food in the bag although the order is no longer theirs: their pickup (with the
    right pickup code, queued offline) reached the platform after the order was cancelled or taken off them. The
    food is on its way back to the store's counter until that courier says it is back (`food-back`)."""

    courier_id: str
    courier_name: str
    delivery_id: str
    at: datetime

    def __post_init__(self) -> None:
        require_times_in_range(self)


class CourierRefusal(msgspec.Struct, frozen=True):
    """A courier rejected this order's offer (its delivery REJECTED) at `at`: live dispatch does not suggest the
    order to that courier again while the order lives, unless no other courier could take it."""

    courier_id: str
    at: datetime

    def __post_init__(self) -> None:
        require_times_in_range(self)


class ClosedAtPromise(msgspec.Struct, frozen=True):
    """An order for later whose promised time the store's hours came to have closed after it was placed (a holiday
    set, the hours changed): it cannot be made on time, so the platform rang it at once for staff to call the
    customer or cancel (`o2o_tui/platform/scheduled.py`)."""

    date: str  # the promised day, the store's clock, YYYY-MM-DD (the closed date itself when `holiday`)
    holiday: bool = False  # a dated exception closes it (else the weekly hours): closed all day or special hours
    # with `holiday`, that date's own hours ("11:00-14:00"; [] closed all day); None from an older server
    hours: list[str] | None = None


class Order(msgspec.Struct, frozen=True):
    id: str
    store_id: str
    number: int  # short day sequence for the counter, shown as #0042
    type: OrderType
    status: OrderStatus
    timing: Timing
    lines: list[OrderLine]
    totals: Totals
    payment: Payment
    customer: CustomerContact
    created_at: datetime
    updated_at: datetime
    version: int
    note: str = ""
    accept_deadline: datetime | None = None
    confirmed_at: datetime | None = None
    preparation_minutes: int | None = None
    promised_ready_at: datetime | None = None
    delayed_minutes: int = 0  # added to the promised ready time after accepting ("need more time"), in total
    ready_at: datetime | None = None
    ended_at: datetime | None = None
    pickup_code: str | None = None  # hidden from couriers (they scan it off the bag)
    delivery_code: str | None = None  # only the customer and admin see it
    cancellation: Cancellation | None = None
    cancel_reason_code: str | None = None
    cancelled_by: Party | None = None  # who ended it: the customer, the merchant, or the platform (timeout)
    courier_id: str | None = None
    delivery_id: str | None = None
    # the courier's progress on this order's delivery (a DeliveryStatus value), so the counter sees each step
    delivery_status: str | None = None
    # when its latest delivery was created (the courier offered it): the offer's age while `delivery_status` is
    # PENDING (an offer not answered yet); None from servers before this field
    offered_at: datetime | None = None
    # why the last courier brought the order back (a delivery problem reason, e.g. NOBODY_TO_RECEIVE), set when
    # its delivery is RETURNED and the order is ready at the counter again; cleared by the next assignment
    return_reason: str | None = None
    # the courier's open problem on the current delivery: set when it reports one, cleared when that delivery takes
    # a step on (its return keeps it: it is why) or ends, or another courier is assigned
    delivery_problem: OpenProblem | None = None
    code_locks: list[CodeLock] = []  # codes locked after too many wrong tries (expired ones may linger)
    auto_accepted: bool = False  # confirmed by the store's printing station on its own (auto-accept)
    # the Idempotency-Key of the accept that stood (the first confirm): a device whose accept the platform answered
    # as done prints the kitchen ticket only when this is its own key (another accept of the same minutes came first)
    accept_key: str | None = None
    chases: list[Chase] = []  # the customer's chases and the store's answers, oldest first
    refunds: list[Refund] = []  # money given back before handoff (lines or whole), oldest first
    # a scheduled order is held out of the live queue until its prep start (o2o_tui/domain/schedule.py): set while
    # held, cleared when the platform releases it (event `order.released`, `released_at`) or staff accept it early
    held_until: datetime | None = None
    released_at: datetime | None = None
    # an order for later: the prep minutes its prep start was counted with when placed (a ring time worked out
    # again keeps them, whatever the menu says since); None for an instant order or one placed before this field
    scheduled_prep_minutes: int | None = None
    # set when the store's hours have it closed at the promised time (see ClosedAtPromise); never cleared
    closed_at_promise: ClosedAtPromise | None = None
    # a courier holds this order's food after their pickup was refused (the order cancelled, or given to another
    # courier, meanwhile): set (event `order.updated`) by the refused pickup, cleared by that courier's `food-back`
    # (`order.updated`). Staff and admin read it; customers and couriers never
    food_with_courier: FoodWithCourier | None = None
    # the couriers who rejected an offer of this order, oldest first: set (event `order.updated`) by each delivery
    # REJECTED, never cleared. Staff and admin read it; customers and couriers never
    refused_by: list[CourierRefusal] = []

    def __post_init__(self) -> None:
        require_times_in_range(self)

    def locked_codes(self, now: datetime) -> list[CodeLock]:
        """The locks still in force at `now`."""
        return [lock for lock in self.code_locks if lock.until > now]

    @property
    def display_number(self) -> str:
        return f"#{self.number:04d}"

    def usable_pickup_code(self) -> str | None:
        """The pickup code while it can still be handed over; None once the order ended (cancelled, refused or
        done): the platform gives a freed code to a new order, so an old one read at the counter would mislead."""
        return None if self.status in ENDED_STATUSES else self.pickup_code


class OrderPage(msgspec.Struct, frozen=True):
    orders: list[Order]
    next_cursor: str | None = None

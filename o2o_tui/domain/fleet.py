"""Couriers and deliveries (the courier side of an order).

Cached entities: a field added here bumps `o2o_tui.sync.fetch.MODEL_VERSION` (see `o2o_tui.domain`)."""

from __future__ import annotations

import enum
from datetime import datetime

import msgspec

from o2o_tui.domain.clock import wall_clock
from o2o_tui.domain.geo import Address, Position
from o2o_tui.domain.limits import require_times_in_range
from o2o_tui.domain.transitions import DeliveryStatus


class CourierStatus(enum.StrEnum):
    OFFLINE = "OFFLINE"
    IDLE = "IDLE"
    TO_MERCHANT = "TO_MERCHANT"
    AT_MERCHANT = "AT_MERCHANT"
    TO_CUSTOMER = "TO_CUSTOMER"


class Courier(msgspec.Struct, frozen=True):
    id: str
    name: str
    status: CourierStatus
    capacity: int
    version: int
    position: Position | None = None
    delivery_ids: list[str] = []
    store_id: str | None = None  # a store's own fleet; None for platform couriers
    updated_at: datetime | None = None
    # when `position` was last set: a GPS report, or (a handheld has no GPS) the courier's last arrival or pickup
    position_at: datetime | None = None
    # to a store's staff reading a platform courier: it is on a leg for another store (its position and
    # `position_at` are then withheld, null); optional, absent from older servers
    busy_elsewhere: bool = False

    def __post_init__(self) -> None:
        require_times_in_range(self)


class ProblemReason(enum.StrEnum):
    NOBODY_TO_RECEIVE = "NOBODY_TO_RECEIVE"
    ADDRESS_UNKNOWN = "ADDRESS_UNKNOWN"
    MISSING_ITEMS = "MISSING_ITEMS"
    ORDER_NOT_READY = "ORDER_NOT_READY"
    VEHICLE_PROBLEM = "VEHICLE_PROBLEM"
    OTHER = "OTHER"


# problems that keep the courier from going on with anything (not only this delivery): dispatch stops planning it
# as usual and suggests giving its orders not yet picked up to another courier
STOPPING_PROBLEMS = frozenset({ProblemReason.VEHICLE_PROBLEM})


def problem_stops_courier(reason: str) -> bool:
    """Whether a reported problem (its reason as the API carries it) means the courier cannot go on."""
    return reason in STOPPING_PROBLEMS


class DeliveryProblem(msgspec.Struct, frozen=True):
    reason: ProblemReason
    note: str = ""
    occurred_at: datetime | None = None

    def __post_init__(self) -> None:
        require_times_in_range(self)


class DeliveryEndReason(enum.StrEnum):
    """Why a delivery ended CANCELLED, as the platform records it (`Delivery.end_reason`)."""

    UNASSIGNED = "UNASSIGNED"  # the store's dispatcher took the order off the courier: nobody has it now
    REASSIGNED = "REASSIGNED"  # the order was given to another courier
    ORDER_CANCELLED = "ORDER_CANCELLED"  # the order itself was cancelled (`cancel_reason_code` says why)
    ORDER_ENDED = "ORDER_ENDED"  # the order ended otherwise (the store handed it over itself)
    OFF_DUTY = "OFF_DUTY"  # an offer given back when the courier went off duty


class Delivery(msgspec.Struct, frozen=True):
    id: str
    order_id: str
    order_number: int
    store_id: str
    courier_id: str
    status: DeliveryStatus
    pickup: Address
    dropoff: Address
    customer_name: str
    customer_phone: str  # always masked for couriers
    version: int
    created_at: datetime
    updated_at: datetime
    ready_at: datetime | None = None  # the order's promised or actual ready time
    note: str = ""
    problems: list[DeliveryProblem] = []
    store_name: str = ""  # the pickup store's name as the courier reads it (empty in rows from older servers)
    store_timezone: str = ""  # the pickup store's IANA time zone: its clock times are read on it (empty: older)
    # the order was cancelled while the courier had the food (bringing it back): it still goes back to the store
    order_cancelled: bool = False
    # why it ended CANCELLED (a DeliveryEndReason value, as a string: a reason added later still decodes); None
    # while active, for other ends, and in rows from older servers. With ORDER_CANCELLED, the order's cancel
    # reason code (e.g. CUSTOMER_CHANGED_MIND), when it has one
    end_reason: str | None = None
    cancel_reason_code: str | None = None

    def __post_init__(self) -> None:
        require_times_in_range(self)


class CourierList(msgspec.Struct, frozen=True):
    couriers: list[Courier]


class DeliveryList(msgspec.Struct, frozen=True):
    deliveries: list[Delivery]


def store_clock(delivery: Delivery, moment: datetime | None) -> str:
    """`moment` as HH:MM on the pickup store's wall clock (`o2o_tui.domain.clock`); "" for None."""
    return wall_clock(moment, delivery.store_timezone)

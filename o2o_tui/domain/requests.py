"""Request bodies of the platform API. Strict: unknown fields are a 422, not silently dropped."""

from __future__ import annotations

from datetime import datetime

import msgspec

from o2o_tui.domain.fleet import CourierStatus, ProblemReason
from o2o_tui.domain.geo import Address, Position
from o2o_tui.domain.menu import Availability, Menu
from o2o_tui.domain.order import OrderType, Timing
from o2o_tui.domain.store import StoreState


class _Body(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """msgspec hands both options down to subclasses; each subclass still says `frozen=True`, because type
    checkers (dataclass_transform) read frozenness per class and refuse a mutable child of a frozen parent."""


class ConfirmBody(_Body, frozen=True):
    preparation_minutes: int


class ReasonBody(_Body, frozen=True):
    """reject, cancel, cancellation request / deny."""

    reason_code: str
    reason: str = ""


class EmptyBody(_Body, frozen=True):
    """preparing, ready, dispatch, delivered, cancellation accept."""


class CodeBody(_Body, frozen=True):
    """handoff {pickup_code}, validate-code {code}, courier picked-up / delivered."""

    code: str


class NewOrderLine(_Body, frozen=True):
    item_id: str
    quantity: int
    option_ids: list[str] = []
    note: str = ""


class CreateOrderBody(_Body, frozen=True):
    """Customer places an order. `id` is client-generated so a replay after the key expired is still safe."""

    id: str
    store_id: str
    type: OrderType
    lines: list[NewOrderLine]
    customer_name: str
    customer_phone: str
    address: Address | None = None
    timing: Timing = Timing()
    note: str = ""


class StoreStatusBody(_Body, frozen=True):
    state: StoreState
    until: datetime | None = None
    reason: str = ""
    extra_minutes: int = 0


class ItemPatchBody(_Body, frozen=True):
    status: Availability | None = None
    snooze_until: datetime | None = None
    clear_snooze: bool = False
    hidden: bool | None = None


class PublishMenuBody(_Body, frozen=True):
    menu: Menu


class AssignBody(_Body, frozen=True):
    courier_id: str


class ProblemBody(_Body, frozen=True):
    reason: ProblemReason
    note: str = ""


class CourierStateBody(_Body, frozen=True):
    status: CourierStatus | None = None
    position: Position | None = None


class CodeValidation(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    valid: bool
    order_id: str | None = None
    kind: str | None = None  # "pickup"

"""How an order's courier stands, in words: its step, and whether it went off duty holding the order or is stuck
(the console's queue and detail, `o2o orders show`). No Textual, no I/O: the courier is what the cache knows."""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from o2o_tui.domain.fleet import Courier, CourierStatus, problem_stops_courier
from o2o_tui.domain.order import ENDED_STATUSES, Order
from o2o_tui.domain.transitions import DeliveryStatus
from o2o_tui.i18n import t
from o2o_tui.safe_text import safe_text


class CourierNote(msgspec.Struct, frozen=True):
    """What this device knows of an order's courier (its cache holds the store's own fleet; a platform courier
    the store cannot read is not known): the name, and whether it went off duty."""

    name: str
    off_duty: bool = False


def courier_notes(couriers: Iterable[Courier]) -> dict[str, CourierNote]:
    """The cached couriers (`ReadModel.couriers()`) by id, as an order shows them: name and whether off duty."""
    return {c.id: CourierNote(c.name, c.status is CourierStatus.OFFLINE) for c in couriers}


# the courier's steps while it holds the order (offered or accepted, not yet handed over or brought back)
_HELD_STAGES = frozenset(
    {
        DeliveryStatus.PENDING.value,
        DeliveryStatus.ACCEPTED.value,
        DeliveryStatus.ARRIVED_AT_MERCHANT.value,
        DeliveryStatus.PICKED_UP.value,
        DeliveryStatus.ARRIVED_AT_CUSTOMER.value,
        DeliveryStatus.RETURNING.value,
    }
)


def courier_hold(order: Order, courier: CourierNote | None = None) -> str | None:
    """What keeps the order's courier from going on with it, as the dispatch board tags it: "off_duty" (the
    courier went off duty holding it: nobody is coming), "stuck" (it reported a problem it cannot go on with),
    None otherwise. Off duty is known only for a courier the console knows (`courier`: the store's own fleet)."""
    if not order.courier_id or order.delivery_status not in _HELD_STAGES or order.status in ENDED_STATUSES:
        return None
    if courier is not None and courier.off_duty:
        return "off_duty"
    problem = order.delivery_problem
    if problem is not None and problem_stops_courier(problem.reason):
        return "stuck"
    return None


def courier_stage(order: Order, *, long: bool = False, courier: CourierNote | None = None) -> str:
    """The courier's step on a delivery order ("At store" / "骑手到店"), empty when no courier has it; "Off duty"
    or "Stuck" when its courier went off duty with it or cannot go on (`courier_hold`)."""
    if order.delivery_status is None:
        return ""
    key = f"ui.courier_stage{'_long' if long else ''}.{order.delivery_status}"
    label = t(key)
    if label == key:
        return ""
    hold = courier_hold(order, courier)
    if hold is not None:
        if not long:
            return t(f"ui.courier_stage.{hold}")
        problem = order.delivery_problem
        if hold == "stuck" and problem is not None:
            return t("ui.courier_stage_long.stuck", stage=label, reason=problem_reason(problem.reason))
        return t("ui.courier_stage_long.off_duty", stage=label)
    if long and order.return_reason:  # why the courier brought it back, in the courier's own words
        return t("ui.courier_returned_because", stage=label, reason=problem_reason(order.return_reason))
    return label


def courier_line(order: Order, courier: CourierNote | None = None) -> str:
    """The detail's courier line: the courier's name where known (plain text), then its step ("" for none)."""
    stage = courier_stage(order, long=True, courier=courier)
    if not stage or courier is None:
        return stage
    return t("ui.detail.courier_named", name=safe_text(courier.name, one_line=True), stage=stage)


def problem_reason(reason: str) -> str:
    """A delivery problem reason in the words the courier picked it with; an unknown one as it is (plain text)."""
    key = f"handheld.problem.{reason}"
    words = t(key)
    return safe_text(reason, one_line=True) if words == key else words

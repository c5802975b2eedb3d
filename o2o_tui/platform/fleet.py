"""Couriers and deliveries: assignment, the courier's actions on its delivery, courier status and position."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec
from sqlalchemy import Connection, select, update

from o2o_tui.domain.errors import ErrorDetail
from o2o_tui.domain.events import EntityKind
from o2o_tui.domain.fleet import Courier, CourierStatus, Delivery, DeliveryEndReason, DeliveryProblem
from o2o_tui.domain.geo import Position, position_of
from o2o_tui.domain.identity import Role
from o2o_tui.domain.limits import PROBLEMS_MAX
from o2o_tui.domain.order import (
    ENDED_STATUSES,
    CourierRefusal,
    FoodWithCourier,
    OpenProblem,
    Order,
    OrderStatus,
    OrderType,
)
from o2o_tui.domain.personal_data import courier_at_door, courier_done_with
from o2o_tui.domain.requests import CourierStateBody, ProblemBody
from o2o_tui.domain.transitions import (
    DELIVERY_ENDED,
    DELIVERY_TRANSITIONS,
    DeliveryAction,
    DeliveryStatus,
    OrderAction,
    TransitionCheck,
    check_delivery_transition,
    check_order_transition,
)
from o2o_tui.platform import db, idempotency, orders, stores
from o2o_tui.platform.auth import Caller, courier_locked_out, require_role
from o2o_tui.platform.code_attempts import CodeSubject
from o2o_tui.platform.context import Ctx
from o2o_tui.platform.errors import ApiError, conflict, forbidden, illegal_transition, not_found
from o2o_tui.platform.personal import without_personal_delivery

_decode_courier = msgspec.json.Decoder(Courier).decode
_decode_stored_delivery = msgspec.json.Decoder(Delivery).decode
_encode = msgspec.json.Encoder().encode
_ENDED = tuple(status.value for status in DELIVERY_ENDED)
_STAFF = (Role.MERCHANT, Role.DISPATCHER)
# actions a courier (or admin) may take through the API; `cancel` follows from the order or a reassignment
COURIER_ACTIONS = frozenset(DeliveryAction) - {DeliveryAction.CANCEL}
_CODE_ACTIONS = frozenset({DeliveryAction.PICKED_UP, DeliveryAction.DELIVERED})
_AT_PICKUP = frozenset(
    {DeliveryAction.ARRIVED_AT_MERCHANT, DeliveryAction.PICKED_UP, DeliveryAction.RETURNED}
)
_AT_DROPOFF = frozenset({DeliveryAction.ARRIVED_AT_CUSTOMER, DeliveryAction.DELIVERED})
_BEFORE_PICKUP = frozenset(
    {DeliveryStatus.PENDING, DeliveryStatus.ACCEPTED, DeliveryStatus.ARRIVED_AT_MERCHANT}
)
# what going off duty gives back: everything not picked up yet (an offer, or an accepted delivery whose food is
# still at the counter); the food in hand stays with the courier
GIVEN_BACK_OFF_DUTY = _BEFORE_PICKUP


def _decode_delivery(conn: Connection, doc: bytes, zones: dict[str, str] | None = None) -> Delivery:
    """A stored delivery, with its store's time zone when the row has none: deliveries made by a server older than
    the zone field (and any an older process still writes) would otherwise be read in UTC by their courier for as
    long as they last. The store is read only for such rows (`zones` keeps it over one listing); the next change
    of the delivery saves the zone with it."""
    delivery = _decode_stored_delivery(doc)
    if delivery.store_timezone:
        return delivery
    zone = zones.get(delivery.store_id) if zones is not None else None
    if zone is None:
        store = stores.load(conn, delivery.store_id)
        zone = store.timezone if store is not None else ""
        if zones is not None:
            zones[delivery.store_id] = zone
    return msgspec.structs.replace(delivery, store_timezone=zone) if zone else delivery


# --- couriers ----------------------------------------------------------------------------------------------------


def load_courier(conn: Connection, courier_id: str) -> Courier | None:
    doc = conn.execute(select(db.couriers.c.doc).where(db.couriers.c.id == courier_id)).scalar_one_or_none()
    return None if doc is None else _decode_courier(doc)


def insert_courier(conn: Connection, courier: Courier) -> None:
    """Store a new courier. A store's courier without a position starts at its store (where an own fleet reports
    for duty), so dispatch can plan it at once. Such a starting place has no `position_at`: the courier never
    reported it, and any report it sends later (even one replayed late) is newer."""
    if courier.position is None:
        courier = msgspec.structs.replace(courier, position=_shift_start(conn, courier))
    conn.execute(
        db.couriers.insert().values(
            id=courier.id, store_id=courier.store_id, version=courier.version, doc=_encode(courier)
        )
    )


def _save_courier(ctx: Ctx, before: Courier, after: Courier) -> Courier:
    after = msgspec.structs.replace(after, version=before.version + 1, updated_at=ctx.now)
    result = ctx.conn.execute(
        update(db.couriers)
        .where(db.couriers.c.id == before.id, db.couriers.c.version == before.version)
        .values(version=after.version, doc=_encode(after))
    )
    if result.rowcount != 1:
        raise conflict("the courier changed at the same time; retry")
    ctx.emit(
        "courier.updated",
        EntityKind.COURIER,
        after.id,
        after.version,
        store_id=after.store_id,
        courier_id=after.id,
    )
    return after


def _staff_may_assign(caller: Caller, courier: Courier) -> bool:
    """Staff assign couriers of their own fleet and the platform's unattached ones."""
    return courier.store_id is None or courier.store_id == caller.store_id


def _staff_view(conn: Connection, caller: Caller, courier: Courier) -> Courier | None:
    """What staff may read of a courier: their own fleet's whole record; an unattached courier only while it
    carries one of their store's orders, and then only what those orders need: its name, whether it is on duty,
    those deliveries and the step it is at on them (`status` from those alone: its work for other stores is not
    this store's business, nor when that moved it, `updated_at` null), and where it is only while it serves them;
    nothing of another store's fleet."""
    if courier.store_id == caller.store_id:
        return courier
    if courier.store_id is not None:
        return None
    table = db.deliveries
    active = conn.execute(
        select(table.c.id, table.c.store_id, table.c.status).where(
            table.c.courier_id == courier.id, table.c.status.not_in(_ENDED)
        )
    ).all()
    ours = {row.id for row in active if row.store_id == caller.store_id}
    if not ours:
        return None
    steps = {DeliveryStatus(row.status) for row in active if row.id in ours}
    shown = msgspec.structs.replace(
        courier,
        delivery_ids=[d for d in courier.delivery_ids if d in ours],
        status=_status_of(courier.status, steps),
        updated_at=None,
    )
    legs = [(row.store_id, row.status) for row in active]
    if _on_leg_elsewhere(legs, caller.store_id):
        return msgspec.structs.replace(shown, position=None, position_at=None, busy_elsewhere=True)
    if _at_their_door(conn, courier, caller.store_id):
        return msgspec.structs.replace(shown, position=None, position_at=None)
    return shown


def _at_their_door(conn: Connection, courier: Courier, store_id: str | None) -> bool:
    """Whether a platform courier still stands where its work for another store left it: that store's customer's
    door, or that store's counter (an arrival there, a pickup, food brought back, whatever became of that
    delivery since), until its next arrival, pickup or reported position moves it. Only the other stores'
    deliveries that changed since the courier was put there can have put it there."""
    if courier.position is None:
        return False
    table = db.deliveries
    query = select(table.c.doc).where(table.c.courier_id == courier.id, table.c.store_id != store_id)
    if courier.position_at is not None:
        query = query.where(table.c.updated_at >= db.iso(courier.position_at))
    here = (courier.position.lat, courier.position.lon)
    for doc in conn.execute(query.order_by(table.c.updated_at.desc()).limit(50)).scalars():
        delivery = _decode_delivery(conn, doc)
        for place in (delivery.dropoff.position, delivery.pickup.position):
            if place is not None and (place.lat, place.lon) == here:
                return True
    return False


# a courier's leg under way for a delivery: at its store, carrying it to its customer, at the door, bringing it back
_ON_LEG = frozenset(
    {
        DeliveryStatus.ARRIVED_AT_MERCHANT.value,
        DeliveryStatus.PICKED_UP.value,
        DeliveryStatus.ARRIVED_AT_CUSTOMER.value,
        DeliveryStatus.RETURNING.value,
    }
)


def _on_leg_elsewhere(legs: list[tuple[str | None, str]], store_id: str | None) -> bool:
    """Whether a platform courier's position may be another store's business (its customer's door, the way
    there): a leg under way for another store's delivery, or one accepted for another store while none of this
    store's is under way (the courier may be heading there, from wherever its last delivery left it). Offered
    deliveries take no leg. `legs`: the store and status of each of its active deliveries."""
    theirs = {status for store, status in legs if store != store_id}
    if theirs & _ON_LEG:
        return True
    ours = {status for store, status in legs if store == store_id}
    return DeliveryStatus.ACCEPTED.value in theirs and not ours & _ON_LEG


def _require_fleet_staff(conn: Connection, caller: Caller) -> None:
    """Dispatchers, and merchants of a store that runs its own fleet."""
    require_role(caller, (*_STAFF, Role.ADMIN))
    if caller.role is Role.MERCHANT:
        store = stores.load(conn, caller.store_id or "")
        if store is None or not store.own_fleet:
            raise forbidden("this store has no own fleet")


def list_couriers(ctx: Ctx, store_id: str | None) -> list[Courier]:
    caller = ctx.caller
    _require_fleet_staff(ctx.conn, caller)
    query = select(db.couriers.c.doc).order_by(db.couriers.c.id)
    if caller.role in _STAFF:
        if store_id is not None and store_id != caller.store_id:
            raise not_found("store")
        query = query.where(db.couriers.c.store_id == caller.store_id)
    elif store_id is not None:
        query = query.where(db.couriers.c.store_id == store_id)
    return [_decode_courier(doc) for doc in ctx.conn.execute(query).scalars()]


def get_courier(ctx: Ctx, courier_id: str) -> Courier:
    caller = ctx.caller
    require_role(caller, (*_STAFF, Role.COURIER, Role.ADMIN))
    courier = load_courier(ctx.conn, courier_id)
    if courier is None:
        raise not_found("courier")
    if caller.role is Role.COURIER and caller.courier_id != courier_id:
        raise not_found("courier")
    if caller.role in _STAFF:
        shown = _staff_view(ctx.conn, caller, courier)
        if shown is None:
            raise not_found("courier")
        return shown
    return courier


def _active_deliveries(conn: Connection, courier_id: str) -> list[Delivery]:
    docs = conn.execute(
        select(db.deliveries.c.doc)
        .where(db.deliveries.c.courier_id == courier_id, db.deliveries.c.status.not_in(_ENDED))
        .order_by(db.deliveries.c.updated_at, db.deliveries.c.id)
    ).scalars()
    zones: dict[str, str] = {}
    return [_decode_delivery(conn, doc, zones) for doc in docs]


def _derived_status(current: CourierStatus, active: list[Delivery]) -> CourierStatus:
    """What the courier is doing, from its active deliveries. Off duty stays off duty: the steps on deliveries
    kept in hand move those deliveries, not the duty (it would come back idle after the last one, and get offers)."""
    return _status_of(current, {delivery.status for delivery in active})


def _status_of(current: CourierStatus, statuses: set[DeliveryStatus]) -> CourierStatus:
    """`_derived_status` from the statuses of the active deliveries."""
    if current is CourierStatus.OFFLINE:
        return CourierStatus.OFFLINE
    if DeliveryStatus.ARRIVED_AT_MERCHANT in statuses:
        return CourierStatus.AT_MERCHANT
    if DeliveryStatus.ACCEPTED in statuses:
        return CourierStatus.TO_MERCHANT
    # a courier bringing food back has no status of its own: a new CourierStatus value would break every device
    # that decodes couriers today; the order says it (`delivery_status` RETURNING) and dispatch reads it from there
    if statuses & {DeliveryStatus.PICKED_UP, DeliveryStatus.ARRIVED_AT_CUSTOMER, DeliveryStatus.RETURNING}:
        return CourierStatus.TO_CUSTOMER
    return CourierStatus.IDLE


def _tap_time(ctx: Ctx) -> datetime:
    """When the courier did it: the device's tap time, never later than now."""
    return min(ctx.occurred_at, ctx.now) if ctx.occurred_at is not None else ctx.now


def _moved(courier: Courier, position: Position | None, at: datetime) -> Courier:
    """`courier` at `position` since `at`; unchanged when there is no position or a newer one is known
    (an action replayed late from an outbox does not move a courier back)."""
    if position is None or (courier.position_at is not None and courier.position_at > at):
        return courier
    return msgspec.structs.replace(courier, position=position, position_at=at)


def refresh_courier(ctx: Ctx, courier_id: str, *, position: Position | None = None) -> None:
    """Make the courier's status and delivery list follow its active deliveries (and, when an action says
    where the courier is, its position)."""
    courier = load_courier(ctx.conn, courier_id)
    if courier is None:
        return
    active = _active_deliveries(ctx.conn, courier_id)
    after = msgspec.structs.replace(
        _moved(courier, position, _tap_time(ctx)),
        status=_derived_status(courier.status, active),
        delivery_ids=[d.id for d in active],
    )
    if after != courier:
        _save_courier(ctx, courier, after)


def _shift_start(conn: Connection, courier: Courier) -> Position | None:
    """Where a store's courier going on duty without saying where is taken to be: at its store, where an own
    fleet reports for duty. A handheld has no GPS; without this a new courier (or one whose last position is from
    an earlier shift) would have no usable position until its first arrival, and dispatch could never plan it."""
    store = stores.load(conn, courier.store_id) if courier.store_id else None
    return None if store is None else store.address.position


def set_courier_state(ctx: Ctx, courier_id: str, body: CourierStateBody, *, stood_down: bool = False) -> Courier:
    """`stood_down`: an admin takes the courier off duty because it can no longer act (a disable or a revoked
    token: offboarding.py), not the courier's choice: the offers it gives back do not count as its refusals."""
    caller = ctx.caller
    require_role(caller, (Role.COURIER, Role.ADMIN))
    if caller.role is Role.COURIER and caller.courier_id != courier_id:
        raise not_found("courier")
    courier = load_courier(ctx.conn, courier_id)
    if courier is None:
        raise not_found("courier")
    status = courier.status
    position = position_of(body.position)
    moved = _moved(courier, position, _tap_time(ctx))
    if body.status is CourierStatus.OFFLINE:
        status = CourierStatus.OFFLINE
        _release_offers(ctx, courier_id, refused=not stood_down)
    elif body.status is not None:  # going on shift: the deliveries decide what the courier is doing
        if courier_locked_out(ctx.conn, courier_id):  # disabled or revoked (offboarding.py): kept off duty
            raise conflict("the courier's user is disabled or its token revoked", code="courier_disabled")
        holding = _active_deliveries(ctx.conn, courier_id)
        status = _derived_status(CourierStatus.IDLE, holding)
        # a guessed start, never stamped (position_at null until a report or an arrival); a courier still holding
        # deliveries keeps its last real position (it may be at a customer's door with the food)
        starts_over = courier.status is CourierStatus.OFFLINE and not holding
        if position is None and (courier.position is None or starts_over):
            start = _shift_start(ctx.conn, courier)
            if start is not None:
                moved = msgspec.structs.replace(courier, position=start, position_at=None)
    active = [d.id for d in _active_deliveries(ctx.conn, courier_id)]  # less the offers given back
    after = msgspec.structs.replace(moved, status=status, delivery_ids=active)
    if after == courier:
        return courier
    if body.status is not None:
        ctx.record("courier", courier_id, f"status:{status.value}")
    return _save_courier(ctx, courier, after)


def _release_offers(ctx: Ctx, courier_id: str, *, refused: bool) -> None:
    """A courier going off duty gives back what it has not picked up: the offers it has not accepted and the
    deliveries it accepted whose food is still at the counter (`GIVEN_BACK_OFF_DUTY`). Each such delivery is
    cancelled and its order has no courier again, so dispatch plans it anew (nobody would come for the food). Food
    already picked up stays with it (no courier can take the bag from another: the dispatch board flags those
    orders, their courier being off duty). `refused`: the courier went off duty itself, so each counts as its "no"
    (`refused_by`); an admin standing it down (offboarding.py) leaves `refused_by` as it was and takes what was
    accepted off it as an unassign does (end reason UNASSIGNED)."""
    for delivery in _active_deliveries(ctx.conn, courier_id):
        if delivery.status not in GIVEN_BACK_OFF_DUTY:
            continue
        taken = not refused and delivery.status is not DeliveryStatus.PENDING  # an admin's unassign
        reason = DeliveryEndReason.UNASSIGNED if taken else DeliveryEndReason.OFF_DUTY
        given_back = msgspec.structs.replace(delivery, status=DeliveryStatus.CANCELLED, end_reason=reason.value)
        _save_delivery(ctx, delivery, given_back)
        stored = orders.load(ctx.conn, delivery.order_id)
        if stored is not None and stored.order.delivery_id == delivery.id:
            ctx.record("order", delivery.order_id, "unassign" if taken else "released")
            # an offer left unanswered counts as a "no" to that order (as DoorDash and Meituan count an ignored
            # offer as declined): the platform has no offer timer, and going off duty over an open offer is how a
            # courier lets one lapse; so does an accepted one given back before pickup. Else `dispatch auto` would
            # offer the same order again the moment the courier is back on duty, and a courier could dodge an
            # order by going off and on. Staff taking an offer back (unassign, reassign) is the staff's choice,
            # not the courier's: no refusal there; nor an admin's disable or token revoke.
            refused_by = _with_refusal(stored.order, courier_id, _tap_time(ctx)) if refused else stored.order.refused_by
            cleared = msgspec.structs.replace(
                stored.order,
                courier_id=None,
                delivery_id=None,
                delivery_status=None,
                offered_at=None,  # no offer open: the next assignment's is counted from then
                delivery_problem=None,
                refused_by=refused_by,
            )
            orders.save(ctx, stored, cleared)


def _with_refusal(order: Order, courier_id: str, at: datetime) -> list[CourierRefusal]:
    """The order's `refused_by` with `courier_id`'s refusal at `at` added (oldest first; a courier who refused it
    before keeps its first refusal: the list names each courier once, so it stays small)."""
    if any(refusal.courier_id == courier_id for refusal in order.refused_by):
        return order.refused_by
    return [*order.refused_by, CourierRefusal(courier_id=courier_id, at=at)]


# --- deliveries --------------------------------------------------------------------------------------------------


def load_delivery(conn: Connection, delivery_id: str) -> Delivery | None:
    doc = conn.execute(
        select(db.deliveries.c.doc).where(db.deliveries.c.id == delivery_id)
    ).scalar_one_or_none()
    return None if doc is None else _decode_delivery(conn, doc)


def _emit_delivery(ctx: Ctx, delivery: Delivery, event_type: str) -> None:
    ctx.emit(
        event_type,
        EntityKind.DELIVERY,
        delivery.id,
        delivery.version,
        store_id=delivery.store_id,
        courier_id=delivery.courier_id,
    )


def _insert_delivery(ctx: Ctx, delivery: Delivery) -> None:
    ctx.conn.execute(
        db.deliveries.insert().values(
            id=delivery.id,
            order_id=delivery.order_id,
            courier_id=delivery.courier_id,
            store_id=delivery.store_id,
            status=delivery.status.value,
            version=delivery.version,
            updated_at=db.iso(ctx.now),
            doc=_encode(delivery),
        )
    )
    _emit_delivery(ctx, delivery, "delivery.created")


def _save_delivery(ctx: Ctx, before: Delivery, after: Delivery) -> Delivery:
    after = msgspec.structs.replace(after, version=before.version + 1, updated_at=ctx.now)
    if courier_done_with({"status": after.status.value}):
        # ended without this courier delivering it: it no longer needs the customer (nor do its stored answers)
        after = without_personal_delivery(after)
        idempotency.blank_personal(ctx.conn, idempotency.DELIVERY, [after.id])
    result = ctx.conn.execute(
        update(db.deliveries)
        .where(db.deliveries.c.id == before.id, db.deliveries.c.version == before.version)
        .values(
            status=after.status.value, version=after.version, updated_at=db.iso(ctx.now), doc=_encode(after)
        )
    )
    if result.rowcount != 1:
        raise conflict("the delivery changed at the same time; retry")
    _emit_delivery(ctx, after, "delivery.updated")
    return after


def _visible_delivery(ctx: Ctx, delivery_id: str, allowed: tuple[Role, ...]) -> Delivery:
    caller = ctx.caller
    require_role(caller, (*allowed, Role.ADMIN))
    delivery = load_delivery(ctx.conn, delivery_id)
    if delivery is None:
        raise not_found("delivery")
    if caller.role is Role.COURIER and delivery.courier_id != caller.courier_id:
        raise not_found("delivery")
    if caller.role in _STAFF and delivery.store_id != caller.store_id:
        raise not_found("delivery")
    return delivery


def get_delivery(ctx: Ctx, delivery_id: str) -> Delivery:
    return _visible_delivery(ctx, delivery_id, (Role.COURIER, Role.DISPATCHER))


def list_deliveries(ctx: Ctx, courier_id: str | None, active: bool) -> list[Delivery]:
    caller = ctx.caller
    require_role(caller, (Role.COURIER, Role.DISPATCHER, Role.ADMIN))
    table = db.deliveries
    query = select(table.c.doc).order_by(table.c.updated_at, table.c.id)
    if caller.role is Role.COURIER:
        if courier_id is not None and courier_id != caller.courier_id:
            raise not_found("courier")
        query = query.where(table.c.courier_id == caller.courier_id)
    else:
        if caller.role is Role.DISPATCHER:
            query = query.where(table.c.store_id == caller.store_id)
        if courier_id is not None:
            query = query.where(table.c.courier_id == courier_id)
    if active:
        query = query.where(table.c.status.not_in(_ENDED))
    zones: dict[str, str] = {}
    return [_decode_delivery(ctx.conn, doc, zones) for doc in ctx.conn.execute(query.limit(1000)).scalars()]


def _active_for_order(conn: Connection, order_id: str) -> Delivery | None:
    doc = conn.execute(
        select(db.deliveries.c.doc)
        .where(db.deliveries.c.order_id == order_id, db.deliveries.c.status.not_in(_ENDED))
        .limit(1)
    ).scalar_one_or_none()
    return None if doc is None else _decode_delivery(conn, doc)


def _end_delivery(
    ctx: Ctx,
    delivery: Delivery,
    action: DeliveryAction,
    reason: DeliveryEndReason | None = None,
    cancel_reason_code: str | None = None,
) -> None:
    """End `delivery` by `action`; a cancellation records why (`reason`), so the courier is told which: taken off
    them (to another courier or back to the dispatcher) or the order cancelled (with the order's reason code)."""
    if check_delivery_transition(delivery.status, action) is TransitionCheck.APPLY:
        after = msgspec.structs.replace(delivery, status=DELIVERY_TRANSITIONS[action][1])
        if action is DeliveryAction.CANCEL and reason is not None:
            after = msgspec.structs.replace(
                after, end_reason=reason.value, cancel_reason_code=cancel_reason_code or None
            )
        _save_delivery(ctx, delivery, after)
        refresh_courier(ctx, delivery.courier_id)


def mirror_on_order(ctx: Ctx, order_id: str) -> None:
    """Copy the status of the order's current delivery onto the order, so the store's devices (which do not read
    deliveries) see each courier step: offered, coming, at the store, on the way, at the door, returning."""
    stored = orders.load(ctx.conn, order_id)
    if stored is None:
        return
    order = stored.order
    current = load_delivery(ctx.conn, order.delivery_id) if order.delivery_id else None
    status = current.status.value if current is not None else None
    problem = order.delivery_problem
    if current is None or current.status in DELIVERY_ENDED:
        problem = None
    elif order.delivery_status != status and current.status is not DeliveryStatus.RETURNING:
        problem = None  # the courier went on: what it reported is behind it (a return keeps it: it is why)
    if order.delivery_status != status or order.delivery_problem != problem:
        orders.save(ctx, stored, msgspec.structs.replace(order, delivery_status=status, delivery_problem=problem))


def assign(
    ctx: Ctx, order_id: str, courier_id: str, expect_courier_id: str | None | msgspec.UnsetType = msgspec.UNSET
) -> Delivery:
    """Give the order to `courier_id`, taking it from the courier who holds it (not after pickup).
    `expect_courier_id`: who the caller believes holds it now (None: nobody); anyone else holding it (or nobody) is
    refused with 409 `courier_changed`, so a board's old view never takes an order from a courier who just took it.
    UNSET: no check."""
    conn = ctx.conn
    _require_fleet_staff(conn, ctx.caller)
    stored = orders.visible(conn, ctx.caller, order_id, _STAFF)
    order = stored.order
    if order.type is not OrderType.DELIVERY:
        raise conflict("only delivery orders get a courier", code="not_delivery")
    if order.status in ENDED_STATUSES:
        raise conflict(f"the order is already {order.status.value}", code="order_ended")
    if order.status is OrderStatus.CREATED:
        raise conflict("the merchant has not accepted the order yet", code="not_accepted")
    courier = load_courier(conn, courier_id)
    if courier is None or (ctx.caller.role in _STAFF and not _staff_may_assign(ctx.caller, courier)):
        raise not_found("courier")
    if courier.store_id is not None and courier.store_id != order.store_id:
        # an admin's: another store's own fleet never carries this store's orders (its staff could not read who
        # does); staff were answered 404 above, as for any other store's courier (ids do not leak)
        raise conflict("the courier belongs to another store's own fleet", code="courier_other_store")
    previous = _active_for_order(conn, order_id)
    if previous is not None and previous.courier_id == courier_id:
        return previous  # already theirs: nobody loses it, whatever the caller believed
    if expect_courier_id is not msgspec.UNSET:
        holder = previous.courier_id if previous is not None else None
        if holder != expect_courier_id:
            raise _courier_changed(conn, previous)
    if (
        previous is not None
        and check_delivery_transition(previous.status, DeliveryAction.CANCEL) is not TransitionCheck.APPLY
    ):
        raise _picked_up(previous)
    if courier.status is CourierStatus.OFFLINE:  # nobody would see the offer: it would wait unseen
        raise conflict("the courier is off duty", code="courier_offline")
    if len(_active_deliveries(conn, courier_id)) >= courier.capacity:
        raise conflict("the courier carries all it can", code="courier_full")
    if previous is not None:
        _end_delivery(ctx, previous, DeliveryAction.CANCEL, DeliveryEndReason.REASSIGNED)
    store = stores.load(conn, order.store_id)
    assert store is not None
    customer = order.customer
    delivery = Delivery(
        id="dl_" + uuid.uuid4().hex[:20],
        order_id=order.id,
        order_number=order.number,
        store_id=order.store_id,
        courier_id=courier_id,
        status=DeliveryStatus.PENDING,
        pickup=store.address,
        dropoff=customer.address or store.address,
        customer_name=customer.name,
        customer_phone=customer.phone,
        version=1,
        created_at=ctx.now,
        updated_at=ctx.now,
        ready_at=order.ready_at or order.promised_ready_at,
        note=order.note,
        store_name=store.name,
        store_timezone=store.timezone,
    )
    _insert_delivery(ctx, delivery)
    ctx.record("order", order_id, f"assign:{courier_id}")
    assigned = msgspec.structs.replace(
        order,
        courier_id=courier_id,
        delivery_id=delivery.id,
        delivery_status=delivery.status.value,
        offered_at=delivery.created_at,
        return_reason=None,
        delivery_problem=None,
    )
    orders.save(ctx, stored, assigned)
    refresh_courier(ctx, courier_id)
    return delivery


def _courier_changed(conn: Connection, current: Delivery | None) -> ApiError:
    """The refusal of an assignment whose sender saw another holder than the one that holds the order now: who
    holds it (by id and name, none when nobody does) and its delivery's step (PENDING: not answered yet)."""
    if current is None:
        detail = ErrorDetail(
            code="courier_changed", message="the order has no courier now: look again before assigning it"
        )
        return ApiError(409, detail)
    courier = load_courier(conn, current.courier_id)
    name = courier.name if courier is not None else current.courier_id
    answered = "has not answered yet" if current.status is DeliveryStatus.PENDING else "has accepted it"
    message = f"the order is now with courier {name} ({current.courier_id}), who {answered}: look again"
    detail = ErrorDetail(
        code="courier_changed",
        message=message,
        courier_id=current.courier_id,
        courier_name=name,
        delivery_status=current.status.value,
    )
    return ApiError(409, detail)


def _picked_up(delivery: Delivery) -> ApiError:
    """The refusal to take an order from a courier who has the food, saying why and what to do instead. No
    hand-over between couriers: another courier would have to find this one and take the bag from them, which
    neither the handhelds nor the codes support; the food goes back to the store first, or the order is cancelled."""
    if delivery.status is DeliveryStatus.RETURNING:
        message = "the courier is bringing the order back to the store: assign it again once it is back"
    else:
        message = (
            "the courier already picked the order up, and another courier cannot take the food from them: ask the"
            " courier to bring it back to the store (return), then assign it again, or cancel the order"
        )
    return conflict(message, code="already_picked_up")


def unassign(ctx: Ctx, order_id: str, expect_courier_id: str | None | msgspec.UnsetType = msgspec.UNSET) -> Order:
    """Take the order from the courier who holds it (not after pickup). `expect_courier_id`: who the caller
    believes holds it (as `assign`'s): another courier holding it now is refused with 409 `courier_changed`, so a
    board's old view never takes an order from a courier who got it since. Nobody holding it: nothing to take,
    whatever the caller believed. UNSET: no check."""
    conn = ctx.conn
    _require_fleet_staff(conn, ctx.caller)
    stored = orders.visible(conn, ctx.caller, order_id, _STAFF)
    current = _active_for_order(conn, order_id)
    if current is not None and expect_courier_id is not msgspec.UNSET and current.courier_id != expect_courier_id:
        raise _courier_changed(conn, current)
    if current is not None:
        if check_delivery_transition(current.status, DeliveryAction.CANCEL) is not TransitionCheck.APPLY:
            raise _picked_up(current)
        _end_delivery(ctx, current, DeliveryAction.CANCEL, DeliveryEndReason.UNASSIGNED)
    if stored.order.courier_id is None and stored.order.delivery_id is None:
        return stored.order
    ctx.record("order", order_id, "unassign")
    after = msgspec.structs.replace(
        stored.order,
        courier_id=None,
        delivery_id=None,
        delivery_status=None,
        offered_at=None,  # no offer open: a later assignment counts from its own offer
        delivery_problem=None,
    )
    return orders.save(ctx, stored, after).order


def settle_for_order(ctx: Ctx, order: Order) -> None:
    """The order ended: its active delivery ends with it (delivered, cancelled, or on its way back)."""
    delivery = _active_for_order(ctx.conn, order.id)
    if delivery is None:
        return
    delivered = check_delivery_transition(delivery.status, DeliveryAction.DELIVERED) is TransitionCheck.APPLY
    if order.status is OrderStatus.DELIVERED and delivered:
        _end_delivery(ctx, delivery, DeliveryAction.DELIVERED)
    elif check_delivery_transition(delivery.status, DeliveryAction.CANCEL) is TransitionCheck.APPLY:
        if order.status is OrderStatus.CANCELLED:
            _end_delivery(
                ctx, delivery, DeliveryAction.CANCEL, DeliveryEndReason.ORDER_CANCELLED, order.cancel_reason_code
            )
        else:
            _end_delivery(ctx, delivery, DeliveryAction.CANCEL, DeliveryEndReason.ORDER_ENDED)
    else:
        _end_delivery(ctx, delivery, DeliveryAction.RETURN)
        _say_order_cancelled(ctx, delivery.id, order)
    mirror_on_order(ctx, order.id)


def _say_order_cancelled(ctx: Ctx, delivery_id: str, order: Order) -> None:
    """The order was cancelled while its courier has the food: the delivery (all a courier reads) says so, also
    when it was already on its way back (the courier's own return after a problem), where its status does not
    move and the courier would otherwise never hear of it. The food still goes back: RETURNING stays."""
    current = load_delivery(ctx.conn, delivery_id)
    if order.status is not OrderStatus.CANCELLED or current is None:
        return
    if current.status is DeliveryStatus.RETURNING and not current.order_cancelled:
        code = order.cancel_reason_code or None  # why, in words on the courier's side
        _save_delivery(ctx, current, msgspec.structs.replace(current, order_cancelled=True, cancel_reason_code=code))


def _move_order_for_pickup(ctx: Ctx, order_id: str) -> None:
    stored = orders.load(ctx.conn, order_id)
    assert stored is not None
    status = stored.order.status
    if status in (OrderStatus.CONFIRMED, OrderStatus.PREPARING):  # the bag left the counter: it was ready
        stored = orders.transition(ctx, stored, OrderAction.READY, ready_at=ctx.now)
        status = stored.order.status
    if status not in (OrderStatus.READY_FOR_PICKUP, OrderStatus.DISPATCHED):
        raise illegal_transition(status.value, OrderStatus.DISPATCHED.value)
    orders.transition(ctx, stored, OrderAction.DISPATCH)


def delivery_action(ctx: Ctx, delivery_id: str, action: DeliveryAction, code: str | None) -> Delivery:
    delivery = _visible_delivery(ctx, delivery_id, (Role.COURIER,))
    stored = orders.load(ctx.conn, delivery.order_id)
    assert stored is not None
    if action in _CODE_ACTIONS:  # before "already done": a delivery that moved on is no oracle for codes
        subject = CodeSubject.PICKUP if action is DeliveryAction.PICKED_UP else CodeSubject.DELIVERY
        orders.check_code(ctx, stored, subject, code)
    check = check_delivery_transition(delivery.status, action)
    target = DELIVERY_TRANSITIONS[action][1]
    if check is TransitionCheck.ALREADY:
        return delivery
    if check is TransitionCheck.ILLEGAL:
        refusal = illegal_transition(delivery.status.value, target.value)
        if action is DeliveryAction.PICKED_UP and _food_left_with(ctx, stored, delivery):
            refusal.keep_changes = True  # refused, and the store still learns who has the food
        raise refusal
    order = stored.order
    after = _save_delivery(ctx, delivery, msgspec.structs.replace(delivery, status=target))
    ctx.record("delivery", delivery_id, action.value)
    if action is DeliveryAction.PICKED_UP:
        _move_order_for_pickup(ctx, order.id)
    elif action is DeliveryAction.DELIVERED:
        orders.transition(ctx, stored, OrderAction.DELIVERED)
    elif action is DeliveryAction.REJECT and order.delivery_id == delivery_id:
        # the courier said no to this order: live dispatch does not suggest it to them again (`Order.refused_by`)
        cleared = msgspec.structs.replace(
            order,
            courier_id=None,
            delivery_id=None,
            delivery_status=None,
            offered_at=None,
            delivery_problem=None,
            refused_by=_with_refusal(order, delivery.courier_id, _tap_time(ctx)),
        )
        orders.save(ctx, stored, cleared)
    if action is not DeliveryAction.RETURNED or not _back_at_store(ctx, stored, after):
        mirror_on_order(ctx, order.id)
    refresh_courier(ctx, delivery.courier_id, position=_position_after(delivery, action))
    return after


# a delivery ended under a courier who (their pickup refused, the code right) has the food: the store must hear
_FOOD_IN_HAND = frozenset(
    {DeliveryEndReason.ORDER_CANCELLED.value, DeliveryEndReason.REASSIGNED.value, DeliveryEndReason.UNASSIGNED.value}
)


def _food_left_with(ctx: Ctx, stored: orders.StoredOrder, delivery: Delivery) -> bool:
    """A pickup with the right code (checked before) reached the platform after the delivery was cancelled (the
    order cancelled, or taken off the courier): the courier typed it at the counter, so the bag is with them. The
    order records it (`food_with_courier`, event `order.updated`) for the store's devices. True when
    it wrote (the caller commits it with the refusal); a replay of the same pickup writes nothing."""
    if delivery.status is not DeliveryStatus.CANCELLED or delivery.end_reason not in _FOOD_IN_HAND:
        return False
    held = stored.order.food_with_courier
    if held is not None and held.delivery_id == delivery.id:
        return False
    courier = load_courier(ctx.conn, delivery.courier_id)
    food = FoodWithCourier(
        courier_id=delivery.courier_id,
        courier_name=courier.name if courier is not None else delivery.courier_id,
        delivery_id=delivery.id,
        at=ctx.occurred_at or ctx.now,
    )
    ctx.record("order", stored.order.id, f"food-with-courier:{delivery.courier_id}")
    orders.save(ctx, stored, msgspec.structs.replace(stored.order, food_with_courier=food))
    return True


def food_back(ctx: Ctx, delivery_id: str) -> Delivery:
    """The courier who has an order's food after a refused pickup (`Order.food_with_courier`) brought it back to
    the store's counter: the order forgets it (event `order.updated`). Only that courier; idempotent (nothing
    recorded, or already cleared, is a success that changes nothing). Answers the delivery, unchanged."""
    require_role(ctx.caller, (Role.COURIER,))
    delivery = _visible_delivery(ctx, delivery_id, (Role.COURIER,))
    stored = orders.load(ctx.conn, delivery.order_id)
    held = stored.order.food_with_courier if stored is not None else None
    if stored is not None and held is not None and held.delivery_id == delivery_id:
        ctx.record("order", stored.order.id, f"food-back:{delivery.courier_id}")
        orders.save(ctx, stored, msgspec.structs.replace(stored.order, food_with_courier=None))
    return delivery


def food_received(ctx: Ctx, order_id: str) -> orders.StoredOrder:
    """The store's staff have the food of a refused pickup back at the counter (`Order.food_with_courier`): the
    courier brought it and never said so on the handheld (or their device died). The order forgets it (event
    `order.updated`), recorded as the staff member's `food-received:<courier id>`. Only the merchant of the
    order's store; nothing to clear (never recorded, or cleared already by the courier's `food-back` or another
    counter) is a 409 `no_food_with_courier`. A replay of the same Idempotency-Key answers as the first time."""
    require_role(ctx.caller, (Role.MERCHANT,))
    stored = orders.visible(ctx.conn, ctx.caller, order_id, (Role.MERCHANT,))
    held = stored.order.food_with_courier
    if held is None:
        raise conflict("no courier has this order's food", code="no_food_with_courier")
    ctx.record("order", order_id, f"food-received:{held.courier_id}")
    return orders.save(ctx, stored, msgspec.structs.replace(stored.order, food_with_courier=None))


def _back_at_store(ctx: Ctx, stored: orders.StoredOrder, delivery: Delivery) -> bool:
    """The courier brought the bag back to the counter: the order is READY again with no courier, and says why
    (the courier's last reported problem), so the merchant can assign another courier or cancel it. False when
    the order had already moved on (cancelled meanwhile, say): it only mirrors the delivery then."""
    order = stored.order
    if order.delivery_id != delivery.id:
        return False
    if check_order_transition(order.status, order.type, OrderAction.RETURNED) is not TransitionCheck.APPLY:
        return False
    orders.transition(
        ctx,
        stored,
        OrderAction.RETURNED,
        courier_id=None,
        delivery_id=None,
        delivery_status=DeliveryStatus.RETURNED.value,
        offered_at=None,
        delivery_problem=None,
        return_reason=delivery.problems[-1].reason.value if delivery.problems else None,
    )
    return True


def _position_after(delivery: Delivery, action: DeliveryAction) -> Position | None:
    """Where an action puts the courier (a handheld has no GPS: its arrivals and hand-overs say where it is)."""
    if action in _AT_PICKUP:
        return delivery.pickup.position
    if action in _AT_DROPOFF:
        return delivery.dropoff.position
    return None


def forget_door(ctx: Ctx, delivery: Delivery) -> bool:
    """The personal-data purge of an ended `delivery` (or one left open past `purge_open_hours`): its courier,
    still where the hand-over or its arrival put it (the customer's door, `_position_after`), no longer says where
    that is. The position is blanked (None; `position_at` stays, so an action replayed late from before cannot put
    an older place back) and a new version goes out, so boards and caches fetch it. Dispatch leaves a courier
    without a position out until its next arrival, shift start or report. The courier's stored answers that carry
    the door lose it too, wherever the courier is now. Call it before the delivery itself is blanked (its drop-off
    is the door). True when the courier changed."""
    door = delivery.dropoff.position
    if door is None or door == delivery.pickup.position:  # dropped at the store: no one's door
        return False
    idempotency.blank_courier_position(ctx.conn, delivery.courier_id, door, delivery.created_at)
    courier = load_courier(ctx.conn, delivery.courier_id)
    if courier is None or not courier_at_door(
        msgspec.to_builtins(courier),
        msgspec.to_builtins(door),
        delivery.updated_at,  # an ended delivery never changes again: when it ended (left open: its last change)
    ):
        return False
    _save_courier(ctx, courier, msgspec.structs.replace(courier, position=None))
    return True


def follow_ready_time(ctx: Ctx, order: Order) -> None:
    """The order's ready time changed (accepted with a preparation time, marked ready): the courier's delivery
    shows the new one until the courier has the bag."""
    delivery = _active_for_order(ctx.conn, order.id)
    ready_at = order.ready_at or order.promised_ready_at
    if delivery is None or delivery.status not in _BEFORE_PICKUP or delivery.ready_at == ready_at:
        return
    _save_delivery(ctx, delivery, msgspec.structs.replace(delivery, ready_at=ready_at))


def report_problem(ctx: Ctx, delivery_id: str, body: ProblemBody) -> Delivery:
    """Record the courier's problem. The same reason and note within `SAME_REPORT_S` of one recorded on the
    delivery (the courier's other device, a command run twice, an older client: each under a key of its own) is
    that report: the delivery as it is (200), no new problem, no event (`courier_tasks.earlier_report`)."""
    from o2o_tui.courier_tasks import earlier_report

    delivery = _visible_delivery(ctx, delivery_id, (Role.COURIER,))
    if earlier_report(delivery.problems, body.reason, body.note, ctx.occurred_at or ctx.now) is not None:
        return delivery
    if delivery.status in DELIVERY_ENDED:
        raise conflict(f"the delivery is already {delivery.status.value}", code="delivery_ended")
    if len(delivery.problems) >= PROBLEMS_MAX:  # each note is bounded, and so is their number
        message = f"at most {PROBLEMS_MAX} problems per delivery; call the store"
        raise conflict(message, code="too_many_problems")
    problem = DeliveryProblem(reason=body.reason, note=body.note, occurred_at=ctx.occurred_at or ctx.now)
    ctx.record("delivery", delivery_id, f"problem:{body.reason.value}")
    after = _save_delivery(
        ctx, delivery, msgspec.structs.replace(delivery, problems=[*delivery.problems, problem])
    )
    _tell_the_store(ctx, after, problem)
    return after


def _tell_the_store(ctx: Ctx, delivery: Delivery, problem: DeliveryProblem) -> None:
    """The order (which the store's devices read) carries the courier's open problem on its current delivery."""
    stored = orders.load(ctx.conn, delivery.order_id)
    if stored is None or stored.order.delivery_id != delivery.id:
        return
    shown = OpenProblem(reason=problem.reason.value, note=problem.note, occurred_at=problem.occurred_at)
    orders.save(ctx, stored, msgspec.structs.replace(stored.order, delivery_problem=shown))

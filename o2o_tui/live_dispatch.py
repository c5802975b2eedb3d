"""Live courier assignment: the platform's view of one store turned into the dispatch engine's input and back.

    snapshot = read_fleet(client, store_id)            # or: await read_fleet_async(async_client, store_id)
    plan = plan_live(snapshot, now)
    for suggestion in plan.suggestions:                # routes in pickup order; `commit`: leave now
        ...

The engine (`o2o_tui.dispatch.engine.plan`) works in local metres and minutes: positions are projected around
the store, times are minutes from `now` (0). A courier that still carries orders is planned from where and when
it will be free (its last drop-off); an idle one from where it stands. A position off the globe, non-finite or
farther than `positions.MAX_LOCAL_DISTANCE_M` from the store (from any source: an old server, a cache) counts as
unknown: such an order waits with why="bad_location", such a courier is not planned (`bad_position`), and
neither is placed on the map. No Textual, and no I/O except through the client a caller hands to `read_fleet`.

What the platform would refuse is never suggested: a courier gets at most the orders it has room for (its capacity
less what it carries or is offered; a full one is not planned), and offline couriers are not planned (an order
still with one waits with why="courier_offline": the dispatcher reassigns it). A courier whose position is older
than `STALE_POSITION_MINUTES` (a handheld that has reported nothing for a while) is planned as if it needed
`STALE_DELAY_MINUTES` more to set off than its position tells (added to when it will be free, idle or busy), never
"leave now", and its suggestions carry the position's age (`stale_minutes`); its `CourierState.free_at` stays what
the position tells, which the dispatch board shows with a "?". An open problem a courier reported on an order
(`Order.delivery_problem`) is carried on that order's and that courier's state (`problem`); one that stops the
courier (`problem_stops_courier`: its vehicle) takes it out of planning, and its orders not picked up yet are planned
anew for the other couriers (a suggestion there is a reassignment; none: why="courier_problem"). Such a
reassignment is a person's decision: its suggestion is `held` (shown, never in `LivePlan.automatic`, which
`dispatch auto` sends) unless that courier is off duty or has reported nothing for `STALE_POSITION_MINUTES`.
Orders a courier already picked up are listed too when the dispatcher has to know: one its courier is bringing
back to the store (why="returning": it comes back READY for another courier; its courier is planned from the
store, not the customer's door, and shows as `returning`) and one whose courier cannot go on (why="stuck": the
platform cannot give food in one courier's bag to another; the courier brings it back or the store cancels it) or
whose courier went off duty with it (why="off_duty_with_food": the food stays in that bag, so it is never planned
for another courier; someone calls the courier to deliver it or bring it back).
A courier who rejected an offer of an order (`Order.refused_by`) is not suggested for it again while the order
lives (a "no" is about the order: its distance, its size, the courier's bag; a timer would only bring the same
"no" back later, the order older): unless no other courier could ever take it (every courier on duty and able to go
on refused it), then the suggestion is made anyway, marked `refused` (a person decides: never in `automatic`).
A problem that stops a courier stops it for all its orders: those not picked up yet are planned anew, each one it
picked up is "stuck" (the problem is carried on each). A courier holding food it must bring back to the store (its
delivery RETURNING, also of an order cancelled meanwhile, which `read_fleet` reads as `bring_back`; or a refused
pickup's `Order.food_with_courier`) shows as returning, counts that food in its load, and is planned from when it
is back at the store.
The engine's clock is `now` to the whole minute, so
asking twice within a minute with nothing changed gives the same plan (near-ties are not broken by the seconds).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

import msgspec

from o2o_tui.dispatch import engine, positions
from o2o_tui.dispatch.model import DispatchCourier, DispatchOrder, DispatchParams, PlannedRoute, Point
from o2o_tui.domain.fleet import Courier, CourierStatus, problem_stops_courier
from o2o_tui.domain.geo import Position, from_local_metres
from o2o_tui.domain.order import ENDED_STATUSES, OpenProblem, Order, OrderStatus, OrderType
from o2o_tui.domain.store import Store
from o2o_tui.domain.transitions import DeliveryStatus

# e-bikes through city traffic (the simulator's couriers ride at the same speed)
LIVE_PARAMS = DispatchParams(meters_per_minute=250.0, pickup_service=2.0, dropoff_service=2.0)
OPEN_STATUSES = (
    OrderStatus.CREATED,
    OrderStatus.CONFIRMED,
    OrderStatus.PREPARING,
    OrderStatus.READY_FOR_PICKUP,
    OrderStatus.DISPATCHED,
)
_PLANNABLE = frozenset({OrderStatus.CONFIRMED, OrderStatus.PREPARING, OrderStatus.READY_FOR_PICKUP})
_NO_SHIFT_END = 1e6  # live couriers have no shift end in the platform's model
# a position this old is not trusted for "leave now": the courier has reported nothing for a while
STALE_POSITION_MINUTES = 15
# ... and the engine sees such a courier free this much later (lower confidence: fresher couriers go first)
STALE_DELAY_MINUTES = 5.0
# an offer a courier has not answered for this long is late: the board, `dispatch suggest` and `orders show` mark it
LATE_OFFER_MINUTES = 3
# a cancelled order changed this recently may still have its food on a courier's way back to the store
BRING_BACK_HOURS = 12


class FleetSnapshot(msgspec.Struct, frozen=True):
    """What the platform shows a store's dispatcher: the store, its open orders and its couriers."""

    store: Store
    orders: list[Order]
    couriers: list[Courier]
    # cancelled orders whose food a courier is still bringing back to the store (not dispatched: its courier's load)
    bring_back: list[Order] = []


class Suggestion(msgspec.Struct, frozen=True):
    """One order of a planned route. `commit`: the courier is idle and must leave now; else tentative.
    `stale_minutes`: the courier's position is this old (at least `STALE_POSITION_MINUTES`), so the plan is
    unsure of it and never "leave now"; None when the position is fresh or its age is not known."""

    order_id: str
    order_number: int
    courier_id: str
    courier_name: str
    depart_at: datetime
    pickup_at: datetime
    dropoff_at: datetime
    commit: bool
    stop: int  # 1-based place of this order in the courier's route
    route_size: int
    stale_minutes: int | None = None
    # a reassignment away from a courier that reported a problem it cannot go on with and is still on duty and
    # heard from: a person decides (the board and `dispatch suggest` show it; `dispatch auto` never sends it)
    held: bool = False
    # this courier rejected this order before and no other courier could take it: a person decides (never sent by
    # `dispatch auto`)
    refused: bool = False


class OrderState(msgspec.Struct, frozen=True):
    """An order that needs or has a courier but is not picked up yet. `why` says why it has no suggestion:
    "planned" (it has one), "assigned", "courier_offline" (assigned to a courier now off duty: reassign it),
    "later" (ready beyond the horizon), "no_location" (no drop-off position), "no_store_location" (the store has
    no position to plan from), "bad_location" (its position is off the globe or too far from the store), "no_courier", "no_position" (couriers are on duty but none has a usable position),
    "courier_problem" (its courier reported a problem that stops it, and no other courier is planned for it);
    picked up already: "returning" (its courier is bringing it back to the store), "stuck" (its courier cannot go
    on with it), "off_duty_with_food" (its courier went off duty with the food: call them). `dropoff` is None unless usable (and for an order on its way back); `problem`: the reason of its
    courier's open problem on it, or of the problem that stops its courier (reported on another of its orders)."""

    order_id: str
    order_number: int
    status: OrderStatus
    ready_at: datetime
    customer_name: str
    address: str
    dropoff: Position | None
    courier_id: str | None
    why: str
    problem: str | None = None
    problem_at: datetime | None = None  # when the courier reported it
    # its courier has not answered the offer yet (delivery PENDING): when it was offered (None otherwise, or when
    # the platform does not say)
    offered_at: datetime | None = None
    # that offer has waited at least `LATE_OFFER_MINUTES` (the board's late mark): call the courier or reassign
    offer_late: bool = False
    # a courier who no longer holds the order still has its food (a refused pickup): their name (None: nobody)
    food_with_courier: str | None = None


class CourierState(msgspec.Struct, frozen=True):
    """A courier with its load and when and where it will be free (None when offline or unplaceable), as its last
    position tells: an old position's `STALE_DELAY_MINUTES` are the plan's caution, not in `free_at`.

    `position` is None when unknown or unusable; `bad_position`: the platform sent one that is off the globe or
    too far from the store, so the courier is not planned."""

    courier_id: str
    name: str
    status: CourierStatus
    capacity: int
    load: int
    position: Position | None
    free_at: datetime | None
    free_position: Position | None
    order_numbers: list[int]
    dropoffs: list[Position] = []  # where the orders it carries or is assigned go
    position_at: datetime | None = None  # when `position` was last set (how old the dispatcher's picture is)
    bad_position: bool = False
    # the latest open problem it reported on an order it holds (its reason) and that order's number; `stopped`: the
    # problem means it cannot go on, so it is not planned
    problem: str | None = None
    problem_order: int | None = None
    stopped: bool = False
    # the numbers of the orders whose food it is bringing back to the store (the platform's courier status says
    # TO_CUSTOMER, or IDLE after a refused pickup): counted in `load`; it is planned from when it is back
    returning: list[int] = []


class LivePlan(msgspec.Struct, frozen=True):
    now: datetime
    store_id: str
    origin: Position | None  # the store: the map's and the engine's centre
    suggestions: list[Suggestion]
    orders: list[OrderState]
    couriers: list[CourierState]

    def suggestion_for(self, order_id: str) -> Suggestion | None:
        return next((s for s in self.suggestions if s.order_id == order_id), None)

    @property
    def committed(self) -> list[Suggestion]:
        return [s for s in self.suggestions if s.commit]

    @property
    def automatic(self) -> list[Suggestion]:
        """What may be sent without a person: the committed suggestions less the held reassignments and the offers
        to a courier who refused the order before."""
        return [s for s in self.suggestions if s.commit and not s.held and not s.refused]


# --- reading the platform ----------------------------------------------------------------------------------------


def read_fleet(client: object, store_id: str) -> FleetSnapshot:
    """The store, its open orders and its couriers through a blocking `PlatformClient`."""
    store = client.get_store(store_id)  # type: ignore[attr-defined]
    orders = list(client.iter_orders(store_id=store_id, status=OPEN_STATUSES))  # type: ignore[attr-defined]
    cancelled = client.iter_orders(  # type: ignore[attr-defined]
        store_id=store_id, status=(OrderStatus.CANCELLED,), updated_after=_bring_back_since()
    )
    couriers = client.list_couriers(store_id)  # type: ignore[attr-defined]
    back = [o for o in cancelled if _food_back_courier(o) is not None]
    return FleetSnapshot(store=store, orders=orders, couriers=couriers, bring_back=back)


async def read_fleet_async(client: object, store_id: str) -> FleetSnapshot:
    """The same through an `AsyncPlatformClient`."""
    store = await client.get_store(store_id)  # type: ignore[attr-defined]
    orders = [o async for o in client.aiter_orders(store_id=store_id, status=OPEN_STATUSES)]  # type: ignore[attr-defined]
    back = [
        o
        async for o in client.aiter_orders(  # type: ignore[attr-defined]
            store_id=store_id, status=(OrderStatus.CANCELLED,), updated_after=_bring_back_since()
        )
        if _food_back_courier(o) is not None
    ]
    couriers = await client.list_couriers(store_id)  # type: ignore[attr-defined]
    return FleetSnapshot(store=store, orders=orders, couriers=couriers, bring_back=back)


def _bring_back_since() -> datetime:
    return datetime.now(UTC) - timedelta(hours=BRING_BACK_HOURS)


# --- references typed by a person --------------------------------------------------------------------------------


def order_number(reference: str) -> int | None:
    """`#0042`, `0042` or `42` as a day number; None when `reference` is not one (then it is an id)."""
    text = reference.strip().removeprefix("#")
    return int(text) if text.isdigit() else None


class SharedNumber(LookupError):
    """A day number two live orders share (two stores' #0012 are not a store's, but an order for later numbered on
    its due day is): the person says which, nothing is guessed. `orders`: the live ones, newest first."""

    def __init__(self, number: int, orders: list[Order]) -> None:
        super().__init__(number)
        self.number = number
        self.orders = orders


def find_order(orders: Iterable[Order], reference: str) -> Order | None:
    """The order with this id, else the one live order with this day number (the newest when all have ended);
    SharedNumber when several live orders have it (the rule `ReadModel.resolve_order` keeps for the cache)."""
    orders = list(orders)
    for order in orders:
        if order.id == reference.strip():
            return order
    number = order_number(reference)
    if number is None:
        return None
    matches = sorted((o for o in orders if o.number == number), key=lambda o: o.created_at, reverse=True)
    live = [order for order in matches if order.status not in ENDED_STATUSES]
    if len(live) > 1:
        raise SharedNumber(number, live)
    return live[0] if live else (matches[0] if matches else None)


def position_age_minutes(state: CourierState | Courier, now: datetime) -> int | None:
    """Whole minutes since the courier's position was last set (None when it has no known position, or when
    the platform never said when it was set)."""
    if state.position is None or state.position_at is None:
        return None
    return max(0, int((now - state.position_at).total_seconds() // 60))


def position_stale(state: CourierState | Courier, now: datetime) -> bool:
    """The courier's position is at least `STALE_POSITION_MINUTES` old."""
    age = position_age_minutes(state, now)
    return age is not None and age >= STALE_POSITION_MINUTES


def offer_time(order: Order) -> datetime | None:
    """When the order was offered to its courier, while that courier has not answered (its delivery PENDING);
    None once answered, with no courier, or from a platform that does not say."""
    if order.courier_id is None or order.delivery_status != DeliveryStatus.PENDING.value:
        return None
    return order.offered_at


def offer_age_minutes(offered: datetime | None, now: datetime) -> int | None:
    """Whole minutes an offer has waited for its courier's answer (None when not waiting)."""
    if offered is None:
        return None
    return max(0, int((now - offered).total_seconds() // 60))


def offer_late(minutes: int | None) -> bool:
    """The offer has waited at least `LATE_OFFER_MINUTES`: someone should call the courier or reassign."""
    return minutes is not None and minutes >= LATE_OFFER_MINUTES


def shown_status(state: CourierState) -> str:
    """The courier's status as the board and `o2o couriers list` name it (a `couriers.status.` catalog key's end):
    "returning" while it brings food back to the store, else its platform status in lower case."""
    if state.returning and state.status is not CourierStatus.OFFLINE:
        return "returning"
    return state.status.value.lower()


def room_left(state: CourierState) -> int:
    """Orders the platform would still give this courier (capacity less what it carries or is offered)."""
    return max(0, state.capacity - state.load)


def find_courier(couriers: Iterable[Courier], reference: str) -> list[Courier]:
    """Couriers this reference names: the one with this id, else those whose name contains it (any case)."""
    couriers = list(couriers)
    wanted = reference.strip()
    exact = [c for c in couriers if c.id == wanted]
    if exact:
        return exact
    folded = wanted.casefold()
    if not folded:
        return []
    named = [c for c in couriers if c.name.casefold() == folded]
    return named or [c for c in couriers if folded in c.name.casefold()]


# --- planning ----------------------------------------------------------------------------------------------------


def _minutes(when: datetime, now: datetime) -> float:
    return (when - now) / timedelta(minutes=1)


def ready_minutes(order: Order, store: Store, now: datetime) -> float:
    """When the food will be ready, in minutes from now (<= 0 once ready)."""
    if order.status is OrderStatus.READY_FOR_PICKUP:
        return min(0.0, _minutes(order.ready_at, now)) if order.ready_at else 0.0
    if order.promised_ready_at is not None:
        return max(0.0, _minutes(order.promised_ready_at, now))
    started = order.confirmed_at or order.created_at
    prep = order.preparation_minutes or store.default_prep_minutes
    return max(0.0, _minutes(started, now) + prep)


def _travel(a: Point, b: Point, params: DispatchParams) -> float:
    return float(math.ceil(math.hypot(a[0] - b[0], a[1] - b[1]) / params.meters_per_minute))


def _dropoff(order: Order) -> Position | None:
    address = order.customer.address
    return None if address is None else address.position


def _order_point(order: Order, origin: Position | None) -> Point | None:
    return positions.local_point(_dropoff(order), origin)


def _stops(order: Order) -> bool:
    """The order's courier reported a problem on it that keeps it from going on (with any of its orders)."""
    problem = order.delivery_problem
    return order.courier_id is not None and problem is not None and problem_stops_courier(problem.reason)


def _returning(order: Order) -> bool:
    """Picked up, and its courier is bringing it back to the store (it is ready for another courier once back)."""
    return order.status is OrderStatus.DISPATCHED and order.delivery_status == DeliveryStatus.RETURNING.value


def _food_back_courier(order: Order) -> str | None:
    """The courier who has this order's food and must bring it back to the store: its delivery is on its way back
    (the order dispatched, or cancelled meanwhile), or a pickup of it was refused with the food in hand
    (`Order.food_with_courier`, the console's "has the food: bring-back pending"). None when nobody."""
    if order.food_with_courier is not None:
        return order.food_with_courier.courier_id
    back = order.delivery_status == DeliveryStatus.RETURNING.value
    if back and order.courier_id and order.status in (OrderStatus.DISPATCHED, OrderStatus.CANCELLED):
        return order.courier_id
    return None


def _stop_point(order: Order, origin: Position | None, courier_id: str) -> Point | None:
    """Where the courier carrying `order` takes it: the customer, or the store when it brings it back."""
    return (0.0, 0.0) if _food_back_courier(order) == courier_id else _order_point(order, origin)


def _problem_of(order: Order, stopping: dict[str, Order]) -> OpenProblem | None:
    """The order's own open problem, else the one that stops its courier (reported on another of its orders)."""
    if order.delivery_problem is not None:
        return order.delivery_problem
    holder = stopping.get(order.courier_id) if order.courier_id else None
    return holder.delivery_problem if holder is not None else None


def _latest_problem(carried: Sequence[Order]) -> Order | None:
    with_problem = [o for o in carried if o.delivery_problem is not None]
    return max(with_problem, key=lambda o: _problem_time(o)) if with_problem else None


def _problem_time(order: Order) -> datetime:
    problem = order.delivery_problem
    return (problem.occurred_at if problem else None) or order.updated_at


def _free_time_and_place(
    courier: Courier,
    here: Point,
    carried: Sequence[Order],
    store: Store,
    origin: Position,
    now: datetime,
    params: DispatchParams,
) -> tuple[float, Point]:
    """Minutes until the courier has delivered what it carries or is assigned, and where it will then be.

    Not yet picked up: ride to the store (unless there), wait for the last of them to be ready, pick up. Then
    drop off nearest first. The same timing rules as the engine (half the service time on each side).
    """
    clock = 0.0
    position = here
    back = [o for o in carried if _food_back_courier(o) == courier.id]  # dropped at the store, first
    to_pick = [o for o in carried if o.status is not OrderStatus.DISPATCHED and o not in back]
    if to_pick:
        if courier.status is not CourierStatus.AT_MERCHANT:
            clock += _travel(position, (0.0, 0.0), params)
        position = (0.0, 0.0)
        ready = max(ready_minutes(o, store, now) for o in to_pick)
        clock = max(clock + params.pickup_service / 2, ready) + params.pickup_service / 2
    # the food to bring back is left at the store while it picks up there; else the store is one more stop
    kept = [o for o in carried if o not in to_pick and not (to_pick and o in back)] + to_pick
    stops = [p for p in (_stop_point(o, origin, courier.id) for o in kept) if p is not None]
    while stops:
        nearest = min(stops, key=lambda p: math.hypot(p[0] - position[0], p[1] - position[1]))
        stops.remove(nearest)
        clock += _travel(position, nearest, params) + params.dropoff_service
        position = nearest
    return clock, position


def _at(now: datetime, minutes: float) -> datetime:
    return now + timedelta(minutes=minutes)


def _fitted(
    route: PlannedRoute, room: int, start: Point, orders: dict[str, DispatchOrder], params: DispatchParams
) -> PlannedRoute:
    """`route` cut to its first `room` orders, with the times of the shorter route (one pickup stop at the store,
    then drop-offs in order: the engine's timing rules)."""
    if len(route.order_ids) <= room:
        return route
    kept = route.order_ids[:room]
    arrive = route.depart_at + _travel(start, (0.0, 0.0), params)
    pickup = max(max(orders[o].ready_at for o in kept), arrive + params.pickup_service / 2)
    clock, position, drops = pickup + params.pickup_service / 2, (0.0, 0.0), []
    for order_id in kept:
        spot = orders[order_id].customer
        clock += _travel(position, spot, params) + params.dropoff_service / 2
        drops.append(clock)
        clock += params.dropoff_service / 2
        position = spot
    return msgspec.structs.replace(
        route, order_ids=kept, pickup_at=(pickup,) * len(kept), dropoff_at=tuple(drops)
    )


def _plan_within_room(
    candidates: list[DispatchOrder],
    couriers: list[DispatchCourier],
    room: dict[str, int],
    params: DispatchParams,
) -> list[PlannedRoute]:
    """The engine's routes, none longer than its courier's room. The engine bundles to one capacity for all; a
    route longer than its courier may take is cut, and the orders cut off are planned again with the couriers
    not used yet, until every order the engine planned fits or no courier is left."""
    by_id = {o.id: o for o in candidates}
    start = {c.id: c.position for c in couriers}
    pool = list(couriers)
    todo = list(candidates)
    routes: list[PlannedRoute] = []
    while todo and pool:
        capacity = max(1, min(params.capacity, max(room[c.id] for c in pool)))
        result = engine.plan(todo, pool, 0.0, msgspec.structs.replace(params, capacity=capacity))
        cut: set[str] = set()
        for route in result.routes:
            fitted = _fitted(route, room[route.courier_id], start[route.courier_id], by_id, params)
            routes.append(fitted)
            cut.update(route.order_ids[len(fitted.order_ids) :])
        used = {route.courier_id for route in result.routes}
        pool = [c for c in pool if c.id not in used]
        todo = [o for o in todo if o.id in cut]
    return routes


def plan_live(snapshot: FleetSnapshot, now: datetime, params: DispatchParams = LIVE_PARAMS) -> LivePlan:
    """Run one dispatch epoch on the store's live orders and couriers; see the module docstring."""
    real_now, now = now, now.replace(second=0, microsecond=0)  # the engine's clock: this minute
    store = snapshot.store
    origin = positions.usable_origin(store.address.position)
    by_courier: dict[str, list[Order]] = {}
    for order in snapshot.orders:
        if order.courier_id and order.type is OrderType.DELIVERY and order.status in OPEN_STATUSES:
            by_courier.setdefault(order.courier_id, []).append(order)
    for order in [*snapshot.orders, *snapshot.bring_back]:  # food on its way back: its courier's load too
        holder = _food_back_courier(order)
        if holder is not None and order not in by_courier.get(holder, []):
            by_courier.setdefault(holder, []).append(order)
    # a courier that reported a problem that stops it: the latest such order of its own (it stops for all of them)
    stopping: dict[str, Order] = {}
    for courier_id, carried_by in by_courier.items():
        stops = [o for o in carried_by if o.courier_id == courier_id and _stops(o)]
        if stops:
            stopping[courier_id] = max(stops, key=_problem_time)

    couriers: list[CourierState] = []
    engine_couriers: list[DispatchCourier] = []
    names: dict[str, str] = {}
    room: dict[str, int] = {}
    stale: dict[str, int] = {}
    offline = {c.id for c in snapshot.couriers if c.status is CourierStatus.OFFLINE}
    # couriers a reassignment may be taken from without asking a person: off duty, or not heard from for a while
    unheard = offline | {c.id for c in snapshot.couriers if position_stale(c, real_now)}
    back_in: dict[str, float] = {}  # courier -> minutes until it is back at the store (one bringing food back)
    for courier in snapshot.couriers:
        carried = sorted(by_courier.get(courier.id, []), key=lambda o: o.number)
        load = max(len(courier.delivery_ids), len(carried))
        troubled = _latest_problem([o for o in carried if o.courier_id == courier.id])  # not a food-back's new courier's
        stopped = courier.id in stopping
        free_at: datetime | None = None
        free_position: Position | None = None
        here = positions.local_point(courier.position, origin)
        if here is not None:
            back_in[courier.id] = _travel(here, (0.0, 0.0), params)
        if here is not None and origin is not None and courier.status is not CourierStatus.OFFLINE:
            minutes, spot = _free_time_and_place(courier, here, carried, store, origin, now, params)
            # the board shows when it is free as far as its last position tells (a "?" when that is old) ...
            free_at, free_position = _at(now, minutes), from_local_metres(spot[0], spot[1], origin)
            if stopped:  # it cannot go on: when it will be free is not known
                free_at = None
            room[courier.id] = max(0, courier.capacity - load)
            planned_free = minutes
            if position_stale(courier, real_now):
                stale[courier.id] = position_age_minutes(courier, real_now) or 0
                # ... and the engine plans it that much later again, busy or idle: fresher couriers go first
                planned_free = minutes + STALE_DELAY_MINUTES
            if room[courier.id] > 0 and not stopped:  # a full courier would be refused: not planned until it has room
                engine_couriers.append(
                    DispatchCourier(
                        id=courier.id, position=spot, free_at=planned_free, on_at=-1.0, off_at=_NO_SHIFT_END
                    )
                )
        names[courier.id] = courier.name
        couriers.append(
            CourierState(
                courier_id=courier.id,
                name=courier.name,
                status=courier.status,
                capacity=courier.capacity,
                load=load,
                position=courier.position if here is not None else None,
                position_at=courier.position_at,
                free_at=free_at,
                free_position=free_position,
                order_numbers=[o.number for o in carried],
                dropoffs=[
                    p
                    for p in (
                        positions.usable(_dropoff(o), origin) for o in carried if _food_back_courier(o) != courier.id
                    )
                    if p is not None
                ],
                bad_position=courier.position is not None and here is None and origin is not None,
                problem=troubled.delivery_problem.reason if troubled and troubled.delivery_problem else None,
                problem_order=troubled.number if troubled else None,
                stopped=stopped,
                returning=[o.number for o in carried if _food_back_courier(o) == courier.id],
            )
        )

    # couriers that could take an order some time (on duty, able to go on): one refused by all of them is still
    # suggested to one who refused it, marked so
    able = {c.id for c in snapshot.couriers if c.status is not CourierStatus.OFFLINE and c.id not in stopping}
    refused_anyway: set[str] = set()
    candidates: list[DispatchOrder] = []
    waiting: dict[str, tuple[Order, float, str]] = {}
    for order in sorted(snapshot.orders, key=lambda o: (o.created_at, o.number)):
        if order.type is OrderType.DELIVERY and order.courier_id and order.status is OrderStatus.DISPATCHED:
            if _returning(order):  # ready again once back: when the courier is at the store
                back = back_in.get(order.courier_id, 0.0)
                waiting[order.id] = (order, back, "returning")
            elif order.courier_id in stopping:  # picked up by a courier that cannot go on: stays with it
                waiting[order.id] = (order, ready_minutes(order, store, now), "stuck")
            elif order.courier_id in offline:  # its courier went off duty with the food: stays with it, flagged
                waiting[order.id] = (order, ready_minutes(order, store, now), "off_duty_with_food")
            continue
        if order.type is not OrderType.DELIVERY or order.status not in _PLANNABLE:
            continue
        ready = ready_minutes(order, store, now)
        if order.food_with_courier is not None:  # its food is on its way back: ready again once at the store
            ready = max(ready, back_in.get(order.food_with_courier.courier_id, 0.0))
        if order.courier_id and order.courier_id not in stopping:
            waiting[order.id] = (
                order,
                ready,
                "courier_offline" if order.courier_id in offline else "assigned",
            )
            continue
        point = _order_point(order, origin)
        if point is None:  # the store's own position unknown is said as the store's, not as the customer's
            bad = origin is not None and _dropoff(order) is not None
            why = "no_store_location" if origin is None else "bad_location" if bad else "no_location"
            waiting[order.id] = (order, ready, why)
        elif ready > params.horizon:
            waiting[order.id] = (order, ready, "later")
        else:  # planned (anew, for an order whose courier cannot go on: a suggestion is a reassignment)
            waiting[order.id] = (order, ready, "courier_problem" if order.courier_id else "no_courier")
            refusers = {refusal.courier_id for refusal in order.refused_by}
            if refusers and able <= refusers:  # nobody else could ever take it: it goes to one who said no
                refused_anyway.add(order.id)
            candidates.append(
                DispatchOrder(
                    id=order.id,
                    restaurant=(0.0, 0.0),
                    customer=point,
                    placed_at=_minutes(order.created_at, now),
                    ready_at=ready,
                    avoid=() if order.id in refused_anyway else tuple(sorted(refusers)),
                )
            )

    suggestions: list[Suggestion] = []
    if candidates and engine_couriers:
        for route in _plan_within_room(candidates, engine_couriers, room, params):
            for stop, order_id in enumerate(route.order_ids):
                order = waiting[order_id][0]
                waiting[order_id] = (order, waiting[order_id][1], "planned")
                suggestions.append(
                    Suggestion(
                        order_id=order_id,
                        order_number=order.number,
                        courier_id=route.courier_id,
                        courier_name=names[route.courier_id],
                        depart_at=_at(now, route.depart_at),
                        pickup_at=_at(now, route.pickup_at[stop]),
                        dropoff_at=_at(now, route.dropoff_at[stop]),
                        commit=route.commit and route.courier_id not in stale,
                        stop=stop + 1,
                        route_size=len(route.order_ids),
                        stale_minutes=stale.get(route.courier_id),
                        held=order.courier_id is not None and order.courier_id not in unheard,
                        refused=order_id in refused_anyway
                        and any(r.courier_id == route.courier_id for r in order.refused_by),
                    )
                )

    if not room and any(c.status is not CourierStatus.OFFLINE and c.position is None for c in couriers):
        # couriers are on duty, but none where dispatch can plan from: say that, not "none free in time"
        for order_id, (order, ready, why) in waiting.items():
            if why == "no_courier":
                waiting[order_id] = (order, ready, "no_position")
    orders = [
        OrderState(
            order_id=order.id,
            order_number=order.number,
            status=order.status,
            ready_at=_at(now, ready),
            customer_name=order.customer.name,
            address=order.customer.address.text if order.customer.address else "",
            dropoff=None if why == "returning" else positions.usable(_dropoff(order), origin),
            courier_id=order.courier_id,
            why=why,
            problem=problem.reason if problem else None,
            problem_at=problem.occurred_at if problem else None,
            offered_at=offer_time(order),
            offer_late=offer_late(offer_age_minutes(offer_time(order), real_now)),
            food_with_courier=order.food_with_courier.courier_name if order.food_with_courier else None,
        )
        for order, ready, why in waiting.values()
        for problem in [_problem_of(order, stopping)]
    ]
    return LivePlan(
        now=real_now,
        store_id=store.id,
        origin=origin,
        suggestions=suggestions,
        orders=orders,
        couriers=couriers,
    )

"""Typed structs of a dispatch problem, independent of where it comes from (live platform or MDRP instance).

Positions are local metres (see `o2o_tui.domain.geo.to_local_metres`); times are minutes on one clock of the
caller's choosing (minutes since the start of the day, or since the epoch of a simulation).
"""

from __future__ import annotations

import math

import msgspec

Point = tuple[float, float]


class DispatchOrder(msgspec.Struct, frozen=True):
    """`avoid`: ids of couriers this order must not go to (they refused it); the engine never plans it with them."""

    id: str
    restaurant: Point
    customer: Point
    placed_at: float
    ready_at: float
    avoid: tuple[str, ...] = ()


class DispatchCourier(msgspec.Struct, frozen=True):
    """`position` and `free_at`: where and when the courier will be free of the work it already carries (its
    last drop-off, or where it stands now when idle). `load`: orders it carries now (for display; the engine
    plans a courier's next route from `free_at`, when it carries nothing)."""

    id: str
    position: Point
    free_at: float
    on_at: float
    off_at: float
    load: int = 0


class DispatchParams(msgspec.Struct, frozen=True):
    """The rules of travel and service, and the policy's knobs (tuned on the MDRP o50 instances only)."""

    meters_per_minute: float = 320.0
    pickup_service: float = 4.0  # minutes at the restaurant, half before and half after the pickup
    dropoff_service: float = 4.0  # minutes at the door, half before and half after the drop-off
    target_ctd: float = 40.0
    max_ctd: float = 90.0  # click-to-door past this is penalised where a courier choice causes it
    capacity: int = 4  # orders per route
    horizon: float = 30.0  # minutes: orders ready and couriers free within it are planned now
    commit_slack: float = 0.0  # minutes: commit a courier this much before it strictly must leave
    # costs, in minutes of drop-off time
    late_penalty: float = 1000.0  # per order pushed past max_ctd by this courier choice
    courier_wait_weight: float = 0.0  # per minute a courier would wait at the counter
    food_wait_weight: float = 1.0  # per minute and order the food would wait for the courier (on top of the drop-off)
    overdue_priority: float = 1.0  # bonus per minute an order has been ready: the oldest first under overload
    coverage_weight: float = 0.7  # per minute the hotspots a courier covers best would be reached later without it
    coverage_depth: int = 5  # couriers per hotspot that count for its coverage (nearest first)
    coverage_decay: float = 0.5  # weight of each next-nearest courier's reach relative to the one before
    coverage_cap: float = 20.0  # minutes: reach beyond this counts no worse
    coverage_shift_margin: float = 10.0  # minutes of shift a courier must have left after reaching a hotspot to cover it
    demand_half_life: float = 0.0  # minutes, for hotspot weights from past orders; 0 = all orders weigh the same
    # bundles
    load_window: float = 30.0  # load = orders ready within it per courier free within it
    bundle_load_factor: float = 10.0  # bundle size = ceil(factor x load), up to capacity (10: capacity whenever
    # orders are at least 0.4 per courier; the join and merge rules then decide which orders ride together)
    pressure_orders: int = 3  # this many overdue orders waiting for a courier ...
    pressure_factor: float = 2.0  # ... multiply the load by this
    join_weight: float = 1.0  # >0: an order joins a same-place bundle only where saved courier minutes beat this x delay
    join_load_power: float = 1.0  # ... divided by (orders per courier soon) ** this: joins save more when couriers idle
    rescue_weight: float = 0.5  # >0: an order whose food would wait for its courier rides along with a nearby
    # route instead, where that drops it off sooner by more than this x the minutes it adds to that route
    join_from_reach: bool = True  # joins price delay from when the first courier can be at the restaurant
    swap_gain: float = 3.0  # >0: matched routes trade or hand over an order where minutes fall by more than this
    bundle_radius_m: float = 1200.0  # restaurants this close may share a route
    bundle_ready_gap: float = 10.0  # minutes between their ready times at most
    bundle_max_delay: float = 15.0  # minutes a join may add to any order's drop-off
    bundle_delay_weight: float = 0.5  # courier minutes saved must beat this x minutes of delay added
    bundle_deadhead: float = 6.0  # courier minutes a join saves by one trip to a restaurant fewer
    deadhead_ride_factor: float = 0.4  # >0: that trip is this x the median ride of the epoch's orders instead


class PlannedRoute(msgspec.Struct, frozen=True):
    """One courier's route: orders picked up in `order_ids` order, then dropped off in the same order."""

    courier_id: str
    order_ids: tuple[str, ...]
    depart_at: float
    pickup_at: tuple[float, ...]
    dropoff_at: tuple[float, ...]
    commit: bool


class DispatchPlan(msgspec.Struct, frozen=True):
    routes: tuple[PlannedRoute, ...]
    waiting_order_ids: tuple[str, ...]

    @property
    def committed(self) -> tuple[PlannedRoute, ...]:
        return tuple(route for route in self.routes if route.commit)


def travel_minutes(distance_m: float, meters_per_minute: float) -> int:
    """The MDRP travel rule: whole minutes, rounded up."""
    return math.ceil(distance_m / meters_per_minute)

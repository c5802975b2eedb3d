"""Typed structs of a dispatch problem, independent of where it comes from (live platform or MDRP instance).

Positions are local metres (see `o2o_tui.domain.geo.to_local_metres`); times are minutes on one clock of the
caller's choosing (minutes since the start of the day, or since the epoch of a simulation).
"""

from __future__ import annotations

import math

import msgspec

Point = tuple[float, float]


class DispatchOrder(msgspec.Struct, frozen=True):
    id: str
    restaurant: Point
    customer: Point
    placed_at: float
    ready_at: float


class DispatchCourier(msgspec.Struct, frozen=True):
    """`position` and `free_at`: where and when the courier will be free of the work it already carries (its
    last drop-off, or where it stands now when idle). `load`: orders it still carries at that moment (0 once
    it is free)."""

    id: str
    position: Point
    free_at: float
    on_at: float
    off_at: float
    load: int = 0


class DispatchParams(msgspec.Struct, frozen=True):
    meters_per_minute: float = 320.0
    pickup_service: float = 4.0
    dropoff_service: float = 4.0
    target_ctd: float = 40.0
    max_ctd: float = 90.0
    capacity: int = 4
    # policy tuning (chosen on the MDRP o50 instances only)
    horizon: float = 30.0
    bundle_radius_m: float = 1200.0
    late_penalty: float = 1000.0
    courier_wait_weight: float = 0.25
    food_wait_weight: float = 1.0
    bundle_load_factor: float = 1.0
    load_window: float = 30.0
    bundle_ready_gap: float = 10.0
    bundle_max_delay: float = 15.0
    bundle_delay_weight: float = 0.5
    bundle_deadhead: float = 6.0
    commit_slack: float = 0.0
    overdue_priority: float = 1.0
    commit_spare: int = 0
    stress_wait: float = 0.0
    travel_weight: float = 0.0
    coverage_weight: float = 1.0
    coverage_cap: float = 20.0
    coverage_grace: float = 0.0  # share of a kitchen's typical preparation time a courier may take to get there
    demand_half_life: float = 0.0  # minutes; 0 = all orders so far weigh the same


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

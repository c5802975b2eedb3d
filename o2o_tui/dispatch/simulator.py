"""Deterministic minute-by-minute simulation of the MDRP rules (see `../shared/mdrp/README.md`).

Each minute the orders placed so far and not yet assigned are shown to a policy together with every courier's
position and free time; the policy returns routes for couriers that are idle now. The simulator checks each
route against the rules and times it itself, so a policy's own predictions never leak into the results:

- travel = ceil(distance / meters_per_minute), Euclidean;
- pickup at max(ready, arrival + pickup_service/2), leave at pickup + pickup_service/2 (orders of one route
  that share a restaurant and follow each other are one stop);
- drop-off at arrival + dropoff_service/2, leave at drop-off + dropoff_service/2;
- no pickup after off_time (a drop-off after it is allowed), nothing before on_time;
- a courier with a route is busy until its last drop-off is done (no diversion); an idle courier waits where
  its shift started or at its last drop-off; at most `capacity` orders per route.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from o2o_tui.dispatch.mdrp import MdrpInstance


class RuleViolation(ValueError):
    """A policy asked for something the rules forbid."""


@dataclass(frozen=True)
class Commit:
    courier: int
    orders: tuple[int, ...]  # pickup order, then the same drop-off order


@dataclass
class EpochView:
    """What a policy sees at minute `now`; arrays are shared with the simulator: do not modify them."""

    now: int
    instance: MdrpInstance
    pending: np.ndarray  # order indices placed and not yet assigned, by placement time
    courier_xy: np.ndarray  # (k, 2) where each courier is or will be when free
    free_at: np.ndarray  # (k,) when each courier is free of its current route (>= on_at)
    capacity: int


Policy = Callable[[EpochView], Sequence[Commit]]


@dataclass
class SimResult:
    instance: MdrpInstance
    policy: str
    assigned_at: np.ndarray  # (n,) minute of commitment, -1 when never assigned
    courier_of: np.ndarray  # (n,) courier index, -1 when never assigned
    pickup_at: np.ndarray  # (n,) float, nan when undelivered
    dropoff_at: np.ndarray  # (n,) float, nan when undelivered
    routes: list[tuple[int, int, tuple[int, ...]]]  # (minute, courier, orders)
    decision_ms: np.ndarray  # wall time of each policy call that had orders to decide on


def travel(a: tuple[float, float] | np.ndarray, b: tuple[float, float] | np.ndarray, meters_per_minute: float) -> int:
    dx = float(a[0]) - float(b[0])
    dy = float(a[1]) - float(b[1])
    return math.ceil(math.sqrt(dx * dx + dy * dy) / meters_per_minute)


def time_route(
    instance: MdrpInstance, start_xy: np.ndarray, depart: int, orders: Sequence[int]
) -> tuple[list[float], list[float], float]:
    """(pickup times, drop-off times, free time) of a route started at `start_xy` at minute `depart`."""
    p = instance.params
    mpm = p.meters_per_minute
    half_pickup = p.pickup_service / 2
    half_dropoff = p.dropoff_service / 2
    pickups: list[float] = [0.0] * len(orders)
    position = start_xy
    clock = float(depart)
    i = 0
    while i < len(orders):
        restaurant = int(instance.order_restaurant[orders[i]])
        j = i
        while j < len(orders) and int(instance.order_restaurant[orders[j]]) == restaurant:
            j += 1
        rxy = instance.restaurant_xy[restaurant]
        arrival = clock + travel(position, rxy, mpm)
        pickup = max(float(max(instance.ready_at[o] for o in orders[i:j])), arrival + half_pickup)
        for k in range(i, j):
            pickups[k] = pickup
        clock = pickup + half_pickup
        position = rxy
        i = j
    dropoffs: list[float] = []
    for order in orders:
        cxy = instance.customer_xy[order]
        drop = clock + travel(position, cxy, mpm) + half_dropoff
        dropoffs.append(drop)
        clock = drop + half_dropoff
        position = cxy
    return pickups, dropoffs, clock


def simulate(
    instance: MdrpInstance, policy: Policy, *, name: str = "", capacity: int = 4, until: int | None = None
) -> SimResult:
    n = len(instance.order_ids)
    order_by_placement = np.argsort(instance.placed_at, kind="stable")
    courier_xy = instance.courier_xy.astype(float).copy()
    free_at = instance.on_at.astype(float).copy()
    assigned_at = np.full(n, -1, dtype=np.int64)
    courier_of = np.full(n, -1, dtype=np.int64)
    pickup_at = np.full(n, np.nan)
    dropoff_at = np.full(n, np.nan)
    routes: list[tuple[int, int, tuple[int, ...]]] = []
    decision_ms: list[float] = []
    pending: list[int] = []
    next_order = 0
    start = int(instance.placed_at.min()) if n else 0
    last_shift_end = int(instance.off_at.max()) if len(instance.off_at) else start
    end = last_shift_end if until is None else until
    for now in range(start, end + 1):
        while next_order < n and instance.placed_at[order_by_placement[next_order]] <= now:
            pending.append(int(order_by_placement[next_order]))
            next_order += 1
        if not pending:
            if next_order >= n:
                break
            continue
        view = EpochView(now, instance, np.array(pending, dtype=np.int64), courier_xy, free_at, capacity)
        started = time.perf_counter()
        commits = policy(view)
        decision_ms.append((time.perf_counter() - started) * 1000.0)
        if not commits:
            continue
        taken: set[int] = set()
        pending_set = set(pending)
        for commit in commits:
            _apply(instance, commit, now, capacity, pending_set, taken, courier_xy, free_at)
            pickups, drops, free = time_route(instance, courier_xy[commit.courier].copy(), now, commit.orders)
            for order, pickup, drop in zip(commit.orders, pickups, drops, strict=True):
                assigned_at[order] = now
                courier_of[order] = commit.courier
                pickup_at[order] = pickup
                dropoff_at[order] = drop
            courier_xy[commit.courier] = instance.customer_xy[commit.orders[-1]]
            free_at[commit.courier] = free
            routes.append((now, commit.courier, tuple(commit.orders)))
        pending = [o for o in pending if o not in taken]
    return SimResult(
        instance, name, assigned_at, courier_of, pickup_at, dropoff_at, routes, np.array(decision_ms, dtype=float)
    )


def _apply(
    instance: MdrpInstance,
    commit: Commit,
    now: int,
    capacity: int,
    pending: set[int],
    taken: set[int],
    courier_xy: np.ndarray,
    free_at: np.ndarray,
) -> None:
    """Raise RuleViolation unless the route is allowed now; mark its orders taken."""
    c = commit.courier
    if not commit.orders:
        raise RuleViolation("empty route")
    if len(commit.orders) > capacity:
        raise RuleViolation(f"route of {len(commit.orders)} orders exceeds capacity {capacity}")
    if instance.on_at[c] > now:
        raise RuleViolation(f"courier {instance.courier_ids[c]} is not on shift at {now}")
    if free_at[c] > now:
        raise RuleViolation(f"courier {instance.courier_ids[c]} is busy until {free_at[c]}")
    for order in commit.orders:
        if order not in pending or order in taken:
            raise RuleViolation(f"order {instance.order_ids[order]} is not waiting for a courier")
        taken.add(order)
    pickups, _, _ = time_route(instance, courier_xy[c], now, commit.orders)
    if max(pickups) > instance.off_at[c]:
        raise RuleViolation(f"courier {instance.courier_ids[c]} would pick up after its shift ends")

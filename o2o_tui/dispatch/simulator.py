"""Deterministic minute-by-minute simulation of the MDRP rules (see `../shared/mdrp/README.md`).

Each minute the orders placed so far and not yet assigned are shown to a policy together with every courier's
position and free time; the policy returns routes for couriers that are idle now. The policy never sees the
instance: it gets an `EpochView` (`o2o_tui.dispatch.view`) holding only the orders placed so far, in placement
order, so it cannot read an order before its placement time. The simulator checks each
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
from o2o_tui.dispatch.view import EpochView, KnownOrders, read_only

__all__ = ["Commit", "EpochView", "Policy", "RuleViolation", "SimResult", "simulate", "time_route", "travel"]


class RuleViolation(ValueError):
    """A policy asked for something the rules forbid."""


@dataclass(frozen=True)
class Commit:
    courier: int
    orders: tuple[int, ...]  # indices into the view's orders; pickup order, then the same drop-off order


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
    # the view's order k is the k-th order placed: what is known at minute t is a prefix of these arrays
    by_placement = np.argsort(instance.placed_at, kind="stable")
    known_placed = read_only(instance.placed_at[by_placement].astype(float))
    known_ready = read_only(instance.ready_at[by_placement].astype(float))
    known_restaurant = read_only(instance.order_restaurant[by_placement].astype(np.int64))
    known_customer = read_only(instance.customer_xy[by_placement].astype(float))
    restaurant_xy = read_only(instance.restaurant_xy.astype(float))
    on_at = read_only(instance.on_at.astype(float))
    off_at = read_only(instance.off_at.astype(float))
    courier_xy = instance.courier_xy.astype(float).copy()
    free_at = instance.on_at.astype(float).copy()
    courier_xy_seen, free_at_seen = read_only(courier_xy), read_only(free_at)
    assigned_at = np.full(n, -1, dtype=np.int64)
    courier_of = np.full(n, -1, dtype=np.int64)
    pickup_at = np.full(n, np.nan)
    dropoff_at = np.full(n, np.nan)
    routes: list[tuple[int, int, tuple[int, ...]]] = []
    decision_ms: list[float] = []
    pending: list[int] = []
    placed = 0
    start = int(instance.placed_at.min()) if n else 0
    last_shift_end = int(instance.off_at.max()) if len(instance.off_at) else start
    end = last_shift_end if until is None else until
    for now in range(start, end + 1):
        while placed < n and known_placed[placed] <= now:
            pending.append(placed)
            placed += 1
        if not pending:
            if placed >= n:
                break
            continue
        known = KnownOrders(
            known_placed[:placed], known_ready[:placed], known_restaurant[:placed], known_customer[:placed]
        )
        view = EpochView(
            now=now,
            params=instance.params,
            restaurant_xy=restaurant_xy,
            orders=known,
            pending=read_only(np.array(pending, dtype=np.int64)),
            courier_xy=courier_xy_seen,
            free_at=free_at_seen,
            on_at=on_at,
            off_at=off_at,
            capacity=capacity,
            day_start=start,
        )
        started = time.perf_counter()
        commits = policy(view)
        decision_ms.append((time.perf_counter() - started) * 1000.0)
        if not commits:
            continue
        taken: set[int] = set()
        pending_set = set(pending)
        for commit in commits:
            _check_orders(instance, commit, capacity, pending_set, taken, by_placement)
            orders = tuple(int(by_placement[k]) for k in commit.orders)
            _apply(instance, commit.courier, orders, now, courier_xy, free_at)
            pickups, drops, free = time_route(instance, courier_xy[commit.courier].copy(), now, orders)
            for order, pickup, drop in zip(orders, pickups, drops, strict=True):
                assigned_at[order] = now
                courier_of[order] = commit.courier
                pickup_at[order] = pickup
                dropoff_at[order] = drop
            courier_xy[commit.courier] = instance.customer_xy[orders[-1]]
            free_at[commit.courier] = free
            routes.append((now, commit.courier, orders))
        pending = [o for o in pending if o not in taken]
    return SimResult(
        instance, name, assigned_at, courier_of, pickup_at, dropoff_at, routes, np.array(decision_ms, dtype=float)
    )


def _check_orders(
    instance: MdrpInstance, commit: Commit, capacity: int, pending: set[int], taken: set[int], ids: np.ndarray
) -> None:
    """Raise RuleViolation unless every order of the route waits for a courier; mark them taken."""
    if not commit.orders:
        raise RuleViolation("empty route")
    if len(commit.orders) > capacity:
        raise RuleViolation(f"route of {len(commit.orders)} orders exceeds capacity {capacity}")
    for order in commit.orders:
        if order not in pending or order in taken:
            name = instance.order_ids[int(ids[order])] if 0 <= order < len(ids) else str(order)
            raise RuleViolation(f"order {name} is not waiting for a courier")
        taken.add(order)


def _apply(
    instance: MdrpInstance, c: int, orders: tuple[int, ...], now: int, courier_xy: np.ndarray, free_at: np.ndarray
) -> None:
    """Raise RuleViolation unless courier `c` may start this route (instance order indices) now."""
    if instance.on_at[c] > now:
        raise RuleViolation(f"courier {instance.courier_ids[c]} is not on shift at {now}")
    if free_at[c] > now:
        raise RuleViolation(f"courier {instance.courier_ids[c]} is busy until {free_at[c]}")
    pickups, _, _ = time_route(instance, courier_xy[c], now, orders)
    if max(pickups) > instance.off_at[c]:
        raise RuleViolation(f"courier {instance.courier_ids[c]} would pick up after its shift ends")

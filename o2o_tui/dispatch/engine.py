"""The dispatch policy (DESIGN section 7): one decision epoch, pure and deterministic.

Call it once a minute (or whenever something changes) with every order that waits for a courier and every
courier on or soon on shift:

    plan = engine.plan(orders, couriers, now, params)
    for route in plan.committed:      # send these couriers now
        assign(route.courier_id, route.order_ids)
    # the other routes are suggestions: keep them on the board, ask again next minute

For live use: `now` and all times in minutes on one clock (e.g. minutes since local midnight); positions in
local metres around the store or the city centre (`o2o_tui.domain.geo.to_local_metres`). A courier that is
delivering gets `position` = its last drop-off and `free_at` = when it will be done there; an idle courier gets
where it stands and `free_at` <= now. An order that has not given a ready time gets the kitchen's estimate.
Orders already assigned are not passed in. Nothing is committed for a courier that is not idle now.

The epoch: candidate orders are those ready within `params.horizon`; candidate couriers those free within it,
at their projected place and time. Orders of one restaurant (and of restaurants within `bundle_radius_m`) are
bundled by cheapest insertion into as many bundles as the load calls for (orders per available courier, capped
by `capacity`). Each courier x bundle pair costs the predicted drop-off times (relative to now) plus courier
waiting at the restaurant and food waiting for the courier, with a large penalty for every order predicted past
the maximum click-to-door and a reward per order served, so that as many orders as possible are matched and
the oldest first. `scipy.optimize.linear_sum_assignment` matches couriers to bundles; a match is committed only
when its courier is idle and must leave now to be at the restaurant when the food is ready.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from o2o_tui.dispatch.model import DispatchCourier, DispatchOrder, DispatchParams, DispatchPlan, PlannedRoute

_INFEASIBLE = 1e12
_SERVE_REWARD = 1e6  # per order: dominates every other term, so matching more orders always wins


@dataclass(frozen=True)
class EpochArrays:
    """The problem of one epoch as arrays (index-based; what `plan` builds from structs)."""

    now: float
    restaurant_xy: np.ndarray  # (n, 2)
    customer_xy: np.ndarray  # (n, 2)
    placed_at: np.ndarray  # (n,)
    ready_at: np.ndarray  # (n,)
    courier_xy: np.ndarray  # (k, 2)
    free_at: np.ndarray  # (k,)
    on_at: np.ndarray  # (k,)
    off_at: np.ndarray  # (k,)
    hotspot_xy: np.ndarray | None = None  # (h, 2) where orders tend to come from (e.g. the stores)
    hotspot_weight: np.ndarray | None = None  # (h,) their share of the orders


@dataclass(frozen=True)
class RouteChoice:
    courier: int
    orders: tuple[int, ...]
    depart_at: float
    pickup_at: tuple[float, ...]
    dropoff_at: tuple[float, ...]
    commit: bool


def _travel(a: np.ndarray, b: np.ndarray, meters_per_minute: float) -> np.ndarray:
    delta = a - b
    return np.ceil(np.sqrt((delta * delta).sum(axis=-1)) / meters_per_minute)


@dataclass
class _Bundle:
    orders: list[int]  # drop-off order
    ready: float
    offsets: list[float]  # minutes from leaving the (last) restaurant to each drop-off


def _drop_offsets(orders: list[int], start_xy: np.ndarray, customer_xy: np.ndarray, mpm: float, half_drop: float) -> list[float]:
    offsets = []
    clock = 0.0
    position = start_xy
    for order in orders:
        clock += math.ceil(math.dist(position, customer_xy[order]) / mpm) + half_drop
        offsets.append(clock)
        clock += half_drop
        position = customer_xy[order]
    return offsets


def _bundle_cost(ready: float, offsets: list[float]) -> float:
    return len(offsets) * ready + sum(offsets)


def _bundles_for_group(
    orders: list[int], size: int, problem: EpochArrays, params: DispatchParams
) -> list[_Bundle]:
    """Cheapest insertion: the earliest-ready orders open the bundles, later ones join where they add least."""
    mpm = params.meters_per_minute
    half_drop = params.dropoff_service / 2
    count = math.ceil(len(orders) / size)
    bundles: list[_Bundle] = []
    for order in orders:
        restaurant = problem.restaurant_xy[order]
        if len(bundles) < count:
            offsets = _drop_offsets([order], restaurant, problem.customer_xy, mpm, half_drop)
            bundles.append(_Bundle([order], float(problem.ready_at[order]), offsets))
            continue
        best: tuple[float, int, list[int], list[float]] | None = None
        for index, bundle in enumerate(bundles):
            if len(bundle.orders) >= size:
                continue
            ready = max(bundle.ready, float(problem.ready_at[order]))
            before = _bundle_cost(bundle.ready, bundle.offsets)
            for position in range(len(bundle.orders) + 1):
                sequence = bundle.orders[:position] + [order] + bundle.orders[position:]
                offsets = _drop_offsets(sequence, restaurant, problem.customer_xy, mpm, half_drop)
                added = _bundle_cost(ready, offsets) - before
                if best is None or added < best[0]:
                    best = (added, index, sequence, offsets)
        if best is None:  # every bundle full (cannot happen with count = ceil(n / size))
            offsets = _drop_offsets([order], restaurant, problem.customer_xy, mpm, half_drop)
            bundles.append(_Bundle([order], float(problem.ready_at[order]), offsets))
            continue
        _, index, sequence, offsets = best
        bundles[index] = _Bundle(sequence, max(bundles[index].ready, float(problem.ready_at[order])), offsets)
    return bundles


def _pickup_groups(restaurant_xy: np.ndarray) -> np.ndarray:
    """Orders sharing a pickup place get one group id."""
    _, inverse = np.unique(restaurant_xy, axis=0, return_inverse=True)
    return inverse.reshape(-1)


def _coverage_loss(
    problem: EpochArrays, rows: np.ndarray, available_at: np.ndarray, params: DispatchParams
) -> np.ndarray:
    """Per candidate courier: how much later the hotspots it covers best would be reached without it."""
    loss = np.zeros(rows.size)
    if problem.hotspot_xy is None or params.coverage_weight <= 0 or rows.size < 2:
        return loss
    weight = problem.hotspot_weight if problem.hotspot_weight is not None else np.ones(len(problem.hotspot_xy))
    reach = _travel(problem.courier_xy[rows][:, None, :], problem.hotspot_xy[None, :, :], params.meters_per_minute)
    reach = np.minimum(reach + (available_at[rows] - problem.now)[:, None], params.coverage_cap)
    nearest_two = np.partition(reach, 1, axis=0)[:2]
    best = np.argmin(reach, axis=0)
    np.add.at(loss, best, weight * (nearest_two[1] - nearest_two[0]))
    return params.coverage_weight * loss


def plan_arrays(problem: EpochArrays, params: DispatchParams) -> list[RouteChoice]:
    now = problem.now
    mpm = params.meters_per_minute
    half_pickup = params.pickup_service / 2
    available_at = np.maximum(np.maximum(problem.free_at, problem.on_at), now)
    rows = np.flatnonzero((available_at <= now + params.horizon) & (problem.off_at >= available_at))
    candidates = np.flatnonzero(problem.ready_at <= now + params.horizon)
    if rows.size == 0 or candidates.size == 0:
        return []
    size = int(min(params.capacity, max(1, math.ceil(params.bundle_load_factor * candidates.size / rows.size))))
    groups = _pickup_groups(problem.restaurant_xy[candidates])
    bundles: list[_Bundle] = []
    for group in np.unique(groups):
        members = candidates[groups == group]
        members = members[np.lexsort((problem.placed_at[members], problem.ready_at[members]))]
        if size == 1:
            restaurant = problem.restaurant_xy[members[0]]
            for order in members:
                offsets = _drop_offsets([int(order)], restaurant, problem.customer_xy, mpm, params.dropoff_service / 2)
                bundles.append(_Bundle([int(order)], float(problem.ready_at[order]), offsets))
        else:
            bundles.extend(_bundles_for_group([int(o) for o in members], size, problem, params))
    width = max(len(b.orders) for b in bundles)
    count = len(bundles)
    bundle_xy = np.array([problem.restaurant_xy[b.orders[0]] for b in bundles])
    bundle_ready = np.array([b.ready for b in bundles])
    bundle_size = np.array([len(b.orders) for b in bundles], dtype=float)
    offsets = np.zeros((count, width))
    placed = np.zeros((count, width))
    mask = np.zeros((count, width), dtype=bool)
    for i, bundle in enumerate(bundles):
        n = len(bundle.orders)
        offsets[i, :n] = bundle.offsets
        placed[i, :n] = problem.placed_at[bundle.orders]
        mask[i, :n] = True

    travel = _travel(problem.courier_xy[rows][:, None, :], bundle_xy[None, :, :], mpm)
    start = available_at[rows][:, None]
    arrival = start + travel
    pickup = np.maximum(bundle_ready[None, :], arrival + half_pickup)
    drops = pickup[:, :, None] + half_pickup + offsets[None, :, :]
    late = (((drops - placed[None, :, :]) > params.max_ctd) & mask[None, :, :]).sum(axis=2).astype(float)
    drop_sum = ((drops - now) * mask[None, :, :]).sum(axis=2)
    courier_wait = np.maximum(0.0, bundle_ready[None, :] - arrival - half_pickup)
    food_wait = np.maximum(0.0, arrival + half_pickup - bundle_ready[None, :]) * bundle_size[None, :]
    feasible = pickup <= problem.off_at[rows][:, None]
    # lateness counts only where this courier causes it: an order late whoever takes it is not pushed back
    unavoidable_late = np.where(feasible, late, np.inf).min(axis=0)
    unavoidable_late = np.where(np.isfinite(unavoidable_late), unavoidable_late, 0.0)
    coverage = _coverage_loss(problem, rows, available_at, params)
    cost = (
        coverage[:, None]
        + drop_sum
        + params.travel_weight * travel
        + params.courier_wait_weight * courier_wait
        + params.food_wait_weight * food_wait
        + params.late_penalty * np.maximum(0.0, late - unavoidable_late[None, :])
        - _SERVE_REWARD * bundle_size[None, :]
    )
    cost = np.where(feasible, cost, _INFEASIBLE)
    row_index, col_index = linear_sum_assignment(cost)
    idle_now = available_at[rows] <= now
    choices = []
    for r, b in zip(row_index, col_index, strict=True):
        if not feasible[r, b]:
            continue
        bundle = bundles[b]
        must_leave = bundle.ready - half_pickup - travel[r, b] <= now + params.commit_slack
        n = len(bundle.orders)
        choices.append(
            RouteChoice(
                courier=int(rows[r]),
                orders=tuple(bundle.orders),
                depart_at=float(start[r, 0]),
                pickup_at=(float(pickup[r, b]),) * n,
                dropoff_at=tuple(float(d) for d in drops[r, b, :n]),
                commit=bool(idle_now[r] and must_leave),
            )
        )
    choices.sort(key=lambda c: (not c.commit, c.depart_at, c.courier))
    return choices


def plan(
    orders: Sequence[DispatchOrder], couriers: Sequence[DispatchCourier], now: float, params: DispatchParams
) -> DispatchPlan:
    """One epoch for live orders and couriers; see the module docstring."""
    if not orders or not couriers:
        return DispatchPlan(routes=(), waiting_order_ids=tuple(o.id for o in orders))
    problem = EpochArrays(
        now=float(now),
        restaurant_xy=np.array([o.restaurant for o in orders], dtype=float).reshape(-1, 2),
        customer_xy=np.array([o.customer for o in orders], dtype=float).reshape(-1, 2),
        placed_at=np.array([o.placed_at for o in orders], dtype=float),
        ready_at=np.array([o.ready_at for o in orders], dtype=float),
        courier_xy=np.array([c.position for c in couriers], dtype=float).reshape(-1, 2),
        free_at=np.array([c.free_at for c in couriers], dtype=float),
        on_at=np.array([c.on_at for c in couriers], dtype=float),
        off_at=np.array([c.off_at for c in couriers], dtype=float),
    )
    choices = plan_arrays(problem, params)
    routes = tuple(
        PlannedRoute(
            courier_id=couriers[c.courier].id,
            order_ids=tuple(orders[i].id for i in c.orders),
            depart_at=c.depart_at,
            pickup_at=c.pickup_at,
            dropoff_at=c.dropoff_at,
            commit=c.commit,
        )
        for c in choices
    )
    planned = {i for c in choices for i in c.orders}
    return DispatchPlan(routes=routes, waiting_order_ids=tuple(o.id for i, o in enumerate(orders) if i not in planned))

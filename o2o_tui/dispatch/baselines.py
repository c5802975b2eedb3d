"""The two reference policies of issue 4, measured in the same run as the engine.

- greedy: each minute, in placement order, each known order goes to the nearest idle on-duty courier that can
  still pick it up before its shift ends.
- B1, per-minute Hungarian: rows = couriers idle now plus couriers free within 10 minutes (shift starts
  included) at their projected place and time; columns = placed, unassigned orders; cost = predicted drop-off
  time of that order if that courier takes it next, infeasible pairs excluded; `linear_sum_assignment`; commit
  only the rows idle now.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

from o2o_tui.dispatch.simulator import Commit, EpochView

B1_LOOKAHEAD = 10
_INFEASIBLE = 1e9


def travel_matrix(a_xy: np.ndarray, b_xy: np.ndarray, meters_per_minute: float) -> np.ndarray:
    """(len(a), len(b)) whole minutes, rounded up, between every pair."""
    dx = a_xy[:, None, 0] - b_xy[None, :, 0]
    dy = a_xy[:, None, 1] - b_xy[None, :, 1]
    return np.asarray(np.ceil(np.sqrt(dx * dx + dy * dy) / meters_per_minute))


def direct_ride(view: EpochView, orders: np.ndarray) -> np.ndarray:
    known = view.orders
    pickup_xy = view.restaurant_xy[known.restaurant[orders]]
    delta = pickup_xy - known.customer_xy[orders]
    return np.asarray(np.ceil(np.sqrt((delta * delta).sum(axis=1)) / view.params.meters_per_minute))


def single_order_times(
    view: EpochView, couriers: np.ndarray, start_at: np.ndarray, orders: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(pickup, drop-off) for every courier x order, each courier leaving its place at `start_at`."""
    known = view.orders
    p = view.params
    to_restaurant = travel_matrix(view.courier_xy[couriers], view.restaurant_xy[known.restaurant[orders]],
                                  p.meters_per_minute)
    arrival = start_at[:, None] + to_restaurant
    pickup = np.maximum(known.ready_at[orders][None, :].astype(float), arrival + p.pickup_service / 2)
    drop = pickup + p.pickup_service / 2 + direct_ride(view, orders)[None, :] + p.dropoff_service / 2
    return pickup, drop


def b1(view: EpochView) -> list[Commit]:
    now = view.now
    available_at = np.maximum(view.free_at, view.on_at)
    rows = np.flatnonzero((available_at <= now + B1_LOOKAHEAD) & (view.off_at >= now))
    if rows.size == 0:
        return []
    idle_now = available_at[rows] <= now
    if not idle_now.any():
        return []
    start_at = np.maximum(available_at[rows], now).astype(float)
    orders = view.pending
    pickup, drop = single_order_times(view, rows, start_at, orders)
    feasible = pickup <= view.off_at[rows][:, None]
    cost = np.where(feasible, drop, _INFEASIBLE)
    row_index, col_index = linear_sum_assignment(cost)
    commits = []
    for r, c in zip(row_index, col_index, strict=True):
        if idle_now[r] and feasible[r, c]:
            commits.append(Commit(int(rows[r]), (int(orders[c]),)))
    return commits


def greedy(view: EpochView) -> list[Commit]:
    now = view.now
    idle = np.flatnonzero((view.free_at <= now) & (view.on_at <= now) & (view.off_at >= now))
    if idle.size == 0:
        return []
    orders = view.pending
    pickup, _ = single_order_times(view, idle, np.full(idle.size, float(now)), orders)
    feasible = pickup <= view.off_at[idle][:, None]
    restaurant_xy = view.restaurant_xy[view.orders.restaurant[orders]]
    dx = view.courier_xy[idle][:, None, 0] - restaurant_xy[None, :, 0]
    dy = view.courier_xy[idle][:, None, 1] - restaurant_xy[None, :, 1]
    distance = np.where(feasible, np.sqrt(dx * dx + dy * dy), np.inf)
    free = np.ones(idle.size, dtype=bool)
    commits = []
    for column in range(orders.size):  # pending is already in placement order
        candidates = np.where(free, distance[:, column], np.inf)
        best = int(np.argmin(candidates))
        if np.isfinite(candidates[best]):
            free[best] = False
            commits.append(Commit(int(idle[best]), (int(orders[column]),)))
            if not free.any():
                break
    return commits

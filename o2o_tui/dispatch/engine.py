"""The dispatch policy (DESIGN section 7): one decision epoch, pure and deterministic.

Call it once a minute (or whenever something changes) with every order that waits for a courier and every
courier on or soon on shift:

    plan = engine.plan(orders, couriers, now, params, hotspots=[(store_xy, 1.0)])
    for route in plan.committed:      # send these couriers now
        assign(route.courier_id, route.order_ids)
    # the other routes are suggestions: show them, ask again next minute

For live use: `now` and all times in minutes on one clock (e.g. minutes since local midnight); positions in
local metres around the store or the city centre (`o2o_tui.domain.geo.to_local_metres`). A courier that is
delivering gets `position` = its last drop-off and `free_at` = when it will be done there; an idle courier gets
where it stands and `free_at` <= now. An order without a ready time gets the kitchen's estimate. Orders already
assigned are not passed in. Only couriers idle now are ever committed. `hotspots` (optional): places orders come
from with their weights (the stores); the policy then prefers to send couriers whose absence leaves them least
uncovered.

One epoch: candidate orders are those ready within `params.horizon`; candidate couriers those free within it, at
their projected place and time. The load (orders ready per courier free within `load_window`, doubled while orders
already wait for couriers) sets a bundle size: orders of one restaurant are bundled by cheapest insertion, an
order joining only where the courier minutes it saves beat the delay it adds, then bundles of restaurants within
`bundle_radius_m` are joined on the same terms; a join's delay is priced from the first minute any candidate
courier can be at the restaurant (`join_from_reach`), not from the food's ready time: where no courier can be there
before both orders are ready, riding together holds nothing back. Both weigh a courier minute by the orders per courier
(`join_load_power`): where orders outnumber couriers a join may cost more delay. Each courier x bundle pair costs
the predicted drop-off times (relative to now) plus food waiting for the courier (courier waiting at the counter
costs nothing by default: it would send far couriers that arrive just in time), a large penalty for each order
this courier would push past the maximum click-to-door, a bonus for orders already waiting (oldest first, never
last-in-first-out), the coverage the courier leaves behind, and a reward per order so that as many orders as
possible are matched. `scipy.optimize.linear_sum_assignment` matches couriers to bundles. Then the rescue: where
the matched courier would reach a bundle after its food is ready (another order took the courier that was near),
the bundle may ride along on a nearby matched route instead, when that drops it off sooner by more than
`rescue_weight` x the minutes it adds to that route's orders; the freed courier goes back in the pool and the
matching is solved again. Then the trade (`swap_gain`): a route whose food would wait for its courier may hand one
order to a nearby matched route, or trade one for one of its orders, where the two routes' drop-offs and food
waits fall by more than `swap_gain` minutes (an early order to the courier that is there early, a late one to the
courier that comes late; the longest food waits first, at most `_SWAP_BUDGET` changes tried per epoch); the
matching is solved once more. A match is committed only when its courier is idle and must leave now: leaving a minute
later would make a drop-off later. An order's `avoid` (couriers that refused it) makes those pairs infeasible, in
the matching, the rescue and the trade alike; such an order is not bundled before the matching (so the orders it
would have ridden with may still go to those couriers), only the rescue may join it to another route.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment

from o2o_tui.dispatch.bundling import merge_nearby, same_place_bundles, take_best_pairs
from o2o_tui.dispatch.epoch import EpochArrays, RouteChoice, travel_minutes_between
from o2o_tui.dispatch.model import (
    DispatchCourier,
    DispatchOrder,
    DispatchParams,
    DispatchPlan,
    PlannedRoute,
    Point,
)
from o2o_tui.dispatch.timing import RouteTiming, pickup_groups

__all__ = ["EpochArrays", "RouteChoice", "plan", "plan_arrays"]

_INFEASIBLE = 1e12
_RESCUE_MIN_WAIT = 1.0  # minutes the food would wait for its courier before a ride-along is sought
_RESCUE_HOSTS = 6  # routes tried per late order (the nearest): bounds the epoch's time under overload
_SWAP_BUDGET = 400  # changes tried per epoch by the trade: bounds its time where many routes come late (~0.1 ms each)
_SERVE_REWARD = 1e6  # per order: dominates every other term, so matching more orders always wins


def _coverage_loss(
    problem: EpochArrays, rows: np.ndarray, available_at: np.ndarray, params: DispatchParams
) -> np.ndarray:
    """Per candidate courier: how much later the hotspots would be reached without it, counting each hotspot's
    `coverage_depth` nearest couriers (the backups too, each next one weighing `coverage_decay` times less)."""
    loss = np.zeros(rows.size)
    if problem.hotspot_xy is None or params.coverage_weight <= 0 or rows.size < 2:
        return loss
    weight = (
        problem.hotspot_weight if problem.hotspot_weight is not None else np.ones(len(problem.hotspot_xy))
    )
    reach = travel_minutes_between(
        problem.courier_xy[rows][:, None, :], problem.hotspot_xy[None, :, :], params.meters_per_minute
    )
    reach = reach + (available_at[rows] - problem.now)[:, None]
    # a hotspot the courier could reach only near or past its shift end is not covered by it
    shift_left = (problem.off_at[rows] - problem.now)[:, None]
    leaving = reach + params.pickup_service / 2 + params.coverage_shift_margin > shift_left
    reach = np.where(leaving, params.coverage_cap, np.minimum(reach, params.coverage_cap))
    depth = min(params.coverage_depth, rows.size - 1)
    nearest = np.argsort(reach, axis=0, kind="stable")[: depth + 1]
    nearest_reach = np.take_along_axis(reach, nearest, axis=0)
    # the courier at rank j leaves ranks j.. to the ones behind it; rank j weighs coverage_decay ** j
    gaps = nearest_reach[1:] - nearest_reach[:-1]
    rank_weight = params.coverage_decay ** np.arange(depth)
    weighted = gaps * rank_weight[:, None]
    tail = np.cumsum(weighted[::-1], axis=0)[::-1]  # sum over ranks j.. of the weighted gaps
    for j in range(depth):
        np.add.at(loss, nearest[j], weight * tail[j])
    return params.coverage_weight * loss


def plan_arrays(problem: EpochArrays, params: DispatchParams) -> list[RouteChoice]:
    now = problem.now
    available_at = np.maximum(np.maximum(problem.free_at, problem.on_at), now)
    rows = np.flatnonzero((available_at <= now + params.horizon) & (problem.off_at >= available_at))
    candidates = np.flatnonzero(problem.ready_at <= now + params.horizon)
    if rows.size == 0 or candidates.size == 0:
        return []
    groups = pickup_groups(problem.restaurant_xy)
    reach = None
    if params.join_from_reach:
        reach = np.full(problem.ready_at.size, np.inf)
        to_restaurant = travel_minutes_between(
            problem.courier_xy[rows][:, None, :], problem.restaurant_xy[candidates][None, :, :],
            params.meters_per_minute,
        )
        reach[candidates] = (available_at[rows][:, None] + to_restaurant).min(axis=0)
    timing = RouteTiming(problem, groups, params, reach)
    # (order, row): couriers an order must not go to (None: no such pair, the MDRP runs)
    banned = problem.avoid[:, rows] if problem.avoid is not None else None
    # the load: orders ready soon per courier free soon
    soon_orders = int((problem.ready_at[candidates] <= now + params.load_window).sum())
    soon_couriers = max(1, int((available_at[rows] <= now + params.load_window).sum()))
    load = params.bundle_load_factor * soon_orders / soon_couriers
    overdue_orders = int((problem.ready_at[candidates] < now - params.pickup_service / 2).sum())
    if params.pressure_orders > 0 and overdue_orders >= params.pressure_orders:
        # orders already wait for couriers: bundle harder to carry more per courier
        load *= params.pressure_factor
    size = int(min(params.capacity, max(1, math.ceil(load))))
    bundles: list[list[int]] = []
    if size == 1:
        bundles = [[int(o)] for o in candidates]
    else:
        # a courier minute is worth more the more orders wait for each courier: joins must save more when few do
        minute_price = max(soon_orders / soon_couriers, 0.1) ** params.join_load_power
        deadhead = _deadhead(problem, candidates, params)
        for group in np.unique(groups[candidates]):
            members = candidates[groups[candidates] == group]
            members = members[np.lexsort((problem.placed_at[members], problem.ready_at[members]))]
            bundles.extend(same_place_bundles(
                [int(o) for o in members], size, timing, params.join_weight / minute_price, deadhead
            ))
        merges = math.ceil(soon_orders * (1 - 1 / load))  # joins that bring the orders down to the couriers
        bundles = merge_nearby(
            bundles, merges, size, timing, params, deadhead, params.bundle_delay_weight / minute_price
        )
    if banned is not None:  # an order some courier must not get rides alone: the others keep every courier
        bundles = [part for b in bundles for part in _apart(b, banned)]
    bundles.sort(key=lambda b: b[0])
    cost, travel, start, feasible = _cost_matrix(problem, rows, available_at, bundles, timing, params, banned)
    row_index, col_index = linear_sum_assignment(cost)
    if params.rescue_weight > 0:
        matched = [(int(r), int(b)) for r, b in zip(row_index, col_index, strict=True) if feasible[r, b]]
        rescued = _rescue(matched, bundles, start, travel, timing, params, banned)
        if rescued is not None:
            bundles = sorted(rescued, key=lambda b: b[0])
            cost, travel, start, feasible = _cost_matrix(problem, rows, available_at, bundles, timing, params, banned)
            row_index, col_index = linear_sum_assignment(cost)
    if params.swap_gain > 0:
        matched = [(int(r), int(b)) for r, b in zip(row_index, col_index, strict=True) if feasible[r, b]]
        swapped = _swap(matched, bundles, rows, start, travel, timing, params, banned)
        if swapped is not None:
            bundles = sorted(swapped, key=lambda b: b[0])
            cost, travel, start, feasible = _cost_matrix(problem, rows, available_at, bundles, timing, params, banned)
            row_index, col_index = linear_sum_assignment(cost)
    idle_now = available_at[rows] <= now
    choices = []
    for r, b in zip(row_index, col_index, strict=True):
        if not feasible[r, b]:
            continue
        sequence = bundles[b]
        depart = float(start[r])
        arrive = depart + travel[r, b]
        pickups, drops, _ = timing.timeline(sequence, arrive)
        # the courier must leave now when leaving a minute later would make any drop-off later
        must_leave = timing.timeline(sequence, arrive + 1 + params.commit_slack)[1] != drops
        choices.append(
            RouteChoice(
                courier=int(rows[r]),
                orders=tuple(sequence),
                depart_at=depart,
                pickup_at=tuple(pickups),
                dropoff_at=tuple(drops),
                commit=bool(idle_now[r] and must_leave),
            )
        )
    choices.sort(key=lambda c: (not c.commit, c.depart_at, c.courier))
    return choices


def _apart(bundle: list[int], banned: np.ndarray) -> list[list[int]]:
    """`bundle` with each order that some candidate courier must not get split off into a bundle of its own."""
    if len(bundle) < 2:
        return [bundle]
    alone = [[o] for o in bundle if banned[o].any()]
    rest = [o for o in bundle if not banned[o].any()]
    return ([rest] if rest else []) + alone


def _rescue(
    matched: list[tuple[int, int]],
    bundles: list[list[int]],
    start: np.ndarray,
    travel: np.ndarray,
    timing: RouteTiming,
    params: DispatchParams,
    banned: np.ndarray | None = None,
) -> list[list[int]] | None:
    """Orders whose matched courier arrives after the food is ready ride along with another matched route
    where that drops them off sooner by more than `rescue_weight` x the minutes it adds to that route's orders
    (never with a courier one of them must not go to: `banned`, order x row). None when nothing changes."""
    p = timing.problem
    plans: dict[int, tuple[int, list[float], list[float]]] = {}  # bundle -> (its courier's row, pickups, drops)
    for r, b in matched:
        pickups, drops, _ = timing.timeline(bundles[b], float(start[r] + travel[r, b]))
        plans[b] = (r, pickups, drops)
    late = [
        b for b, (_, pickups, _) in plans.items()
        if max(pk - float(p.ready_at[o]) for pk, o in zip(pickups, bundles[b], strict=True)) >= _RESCUE_MIN_WAIT
    ]
    if not late:
        return None
    hosts = np.array(list(plans), dtype=np.int64)
    host_xy = p.restaurant_xy[[bundles[h][-1] for h in hosts]]
    host_size = np.array([len(bundles[h]) for h in hosts])
    scored: list[tuple[float, int, int, list[int]]] = []
    for victim in late:
        # the nearest few routes with room, last pickup within the radius of the victim's first
        distance = np.hypot(*(host_xy - p.restaurant_xy[bundles[victim][0]]).T)
        fits = (distance <= params.bundle_radius_m) & (host_size + len(bundles[victim]) <= params.capacity)
        fits &= hosts != victim
        nearest = np.flatnonzero(fits)
        nearest = nearest[np.argsort(distance[nearest], kind="stable")[:_RESCUE_HOSTS]]
        own = sum(plans[victim][2])
        for host in hosts[nearest].tolist():
            row, _, host_drops = plans[host]
            if banned is not None and banned[bundles[victim], row].any():
                continue
            before = sum(host_drops)
            for first, sequence in ((host, bundles[host] + bundles[victim]), (victim, bundles[victim] + bundles[host])):
                # the host's courier rides to the sequence's first stop (the travel matrix has every bundle)
                _, drops, _ = timing.timeline(sequence, float(start[row] + travel[row, first]))
                by_order = dict(zip(sequence, drops, strict=True))
                added = [by_order[o] - d for o, d in zip(bundles[host], host_drops, strict=True)]
                if max(added) > params.bundle_max_delay:
                    continue
                gain = own - sum(by_order[o] for o in bundles[victim]) - params.rescue_weight * (
                    sum(by_order[o] for o in bundles[host]) - before
                )
                if gain > 0:
                    scored.append((-gain, victim, host, sequence))
    return take_best_pairs(scored, bundles) if scored else None


def _route_value(sequence: list[int], arrive: float, timing: RouteTiming, off_at: float) -> float | None:
    """Drop-offs plus food waits of a route whose courier reaches its first stop at `arrive`; None when a pickup
    would fall after the courier's shift."""
    valued = _valued(sequence, arrive, timing, off_at)
    return None if valued is None else valued[0]


def _valued(sequence: list[int], arrive: float, timing: RouteTiming, off_at: float) -> tuple[float, float] | None:
    """(`_route_value`, the longest food wait) from one timeline."""
    pickups, drops, _ = timing.timeline(sequence, arrive)
    if max(pickups) > off_at:
        return None
    ready = timing.problem.ready_at
    waits = [max(0.0, pk - float(ready[o])) for pk, o in zip(pickups, sequence, strict=True)]
    return sum(drops) + sum(waits), max(waits)


def _swap(
    matched: list[tuple[int, int]],
    bundles: list[list[int]],
    rows: np.ndarray,
    start: np.ndarray,
    travel: np.ndarray,
    timing: RouteTiming,
    params: DispatchParams,
    banned: np.ndarray | None = None,
) -> list[list[int]] | None:
    """Two matched routes trade one order each, or one hands an order to the other, where the two routes'
    drop-offs plus food waits fall by more than `swap_gain` (routes whose food would wait for the courier
    first, with the nearest few routes; never to a courier the order must not go to: `banned`, order x row).
    None when nothing changes."""
    p = timing.problem
    plans: dict[int, tuple[int, float, float]] = {}  # bundle -> (courier row, its value, longest food wait)
    for r, b in matched:
        valued = _valued(bundles[b], float(start[r] + travel[r, b]), timing, float(p.off_at[rows[r]]))
        if valued is not None:
            plans[b] = (r, *valued)
    # the longest food waits first, while the budget lasts
    late = sorted((b for b, (_, _, wait) in plans.items() if wait >= _RESCUE_MIN_WAIT), key=lambda b: -plans[b][2])
    if not late:
        return None
    hosts = np.array(list(plans), dtype=np.int64)
    host_xy = p.restaurant_xy[[bundles[h][0] for h in hosts]]
    tried = 0

    def arrive_at(row: int, first: int) -> float:
        return float(start[row]) + timing.travel(p.courier_xy[rows[row]], p.restaurant_xy[first])

    def floor(order: int, row: int) -> float:
        """The least `order` can add to a route's value with the courier of `row`: picked up as soon as that
        courier could be at its restaurant going straight there, then driven straight to the door."""
        ready = float(p.ready_at[order])
        pickup = max(ready, arrive_at(row, order) + timing.half_pickup)
        ride = timing.travel(p.restaurant_xy[order], p.customer_xy[order])
        return 2 * pickup - ready + timing.half_pickup + ride + timing.half_drop

    scored: list[tuple[float, int, int, list[int], list[int]]] = []
    for victim in late:
        if tried >= _SWAP_BUDGET:
            break
        v_row, v_value, _ = plans[victim]
        distance = np.hypot(*(host_xy - p.restaurant_xy[bundles[victim][0]]).T)
        near = np.flatnonzero((distance <= params.bundle_radius_m) & (hosts != victim))
        near = near[np.argsort(distance[near], kind="stable")[:_RESCUE_HOSTS]]
        v_off = float(p.off_at[rows[v_row]])
        for host in hosts[near].tolist():
            h_row, h_value, _ = plans[host]
            h_off = float(p.off_at[rows[h_row]])
            before = v_value + h_value
            # floors of each order with either courier: a change whose floors leave no gain is not tried (exact:
            # a route's value is never below the sum of its orders' floors)
            pair = bundles[victim] + bundles[host]
            with_victim = {o: floor(o, v_row) for o in pair}
            with_host = {o: floor(o, h_row) for o in pair}
            host_floor = sum(with_host[o] for o in bundles[host])
            victim_floor = sum(with_victim[o] for o in bundles[victim])
            for give in bundles[victim]:
                if banned is not None and banned[give, h_row]:
                    continue
                rest = [o for o in bundles[victim] if o != give]
                rest_floor = victim_floor - with_victim[give]
                handed_floor = host_floor + with_host[give] + rest_floor
                # hand over: `give` joins the host's route
                if rest and len(bundles[host]) < params.capacity and before - handed_floor > params.swap_gain:
                    tried += 1
                    joined = _insert_from_courier(bundles[host], give, h_row, h_off, arrive_at, timing)
                    left = _route_value(rest, arrive_at(v_row, rest[0]), timing, v_off)
                    if joined is not None and left is not None:
                        gain = before - joined[0] - left
                        if gain > params.swap_gain:
                            scored.append((-gain, victim, host, rest, joined[1]))
                # trade: `give` for one of the host's orders
                for take in bundles[host]:
                    if banned is not None and banned[take, v_row]:
                        continue
                    if before - (handed_floor - with_host[take] + with_victim[take]) <= params.swap_gain:
                        continue
                    tried += 1
                    host_rest = [o for o in bundles[host] if o != take]
                    joined = _insert_from_courier(host_rest, give, h_row, h_off, arrive_at, timing)
                    if joined is None:
                        continue
                    back = _insert_from_courier(rest, take, v_row, v_off, arrive_at, timing)
                    if back is None:
                        continue
                    gain = before - joined[0] - back[0]
                    if gain > params.swap_gain:
                        scored.append((-gain, victim, host, back[1], joined[1]))
    if not scored:
        return None
    scored.sort(key=lambda s: s[0])
    used: set[int] = set()
    result = {b: list(seq) for b, seq in enumerate(bundles)}
    for _, victim, host, new_victim, new_host in scored:
        if victim in used or host in used:
            continue
        used.update((victim, host))
        result[victim] = new_victim
        result[host] = new_host
    return [seq for seq in result.values() if seq]


def _insert_from_courier(
    sequence: list[int],
    order: int,
    row: int,
    off_at: float,
    arrive_at: Callable[[int, int], float],
    timing: RouteTiming,
) -> tuple[float, list[int]] | None:
    """`order` inserted into `sequence` at its best place, the courier of `row` riding to whichever order comes
    first."""
    best: tuple[float, list[int]] | None = None
    for place in range(len(sequence) + 1):
        candidate = sequence[:place] + [order] + sequence[place:]
        value = _route_value(candidate, arrive_at(row, candidate[0]), timing, off_at)
        if value is not None and (best is None or value < best[0]):
            best = (value, candidate)
    return best


def _deadhead(problem: EpochArrays, candidates: np.ndarray, params: DispatchParams) -> float:
    """Courier minutes a join saves by one trip to a restaurant fewer: fixed, or a multiple of the median ride
    (a courier's next trip to a restaurant starts at its last customer)."""
    if params.deadhead_ride_factor <= 0:
        return params.bundle_deadhead
    rides = travel_minutes_between(
        problem.restaurant_xy[candidates], problem.customer_xy[candidates], params.meters_per_minute
    )
    return params.deadhead_ride_factor * float(np.median(rides))


def _cost_matrix(
    problem: EpochArrays,
    rows: np.ndarray,
    available_at: np.ndarray,
    bundles: list[list[int]],
    timing: RouteTiming,
    params: DispatchParams,
    banned: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(cost, travel to the first stop, start time per row, feasible) for every courier x bundle; a bundle with an
    order its courier must not get (`banned`, order x row) is infeasible for that courier."""
    now = problem.now
    half_pickup = params.pickup_service / 2
    stop_lists = [timing.stops(b) for b in bundles]
    count = len(bundles)
    depth = max(len(s) for s in stop_lists)
    width = max(len(b) for b in bundles)
    stop_xy = np.zeros((count, depth, 2))
    stop_ready = np.zeros((count, depth))
    stop_size = np.zeros((count, depth))
    stop_valid = np.zeros((count, depth), dtype=bool)
    hop = np.zeros((count, depth))
    offsets = np.zeros((count, width))
    placed = np.zeros((count, width))
    mask = np.zeros((count, width), dtype=bool)
    overdue = np.zeros(count)
    for i, (bundle, stops) in enumerate(zip(bundles, stop_lists, strict=True)):
        for k, stop in enumerate(stops):
            stop_xy[i, k] = problem.restaurant_xy[stop[0]]
            stop_ready[i, k] = max(float(problem.ready_at[o]) for o in stop)
            stop_size[i, k] = len(stop)
            stop_valid[i, k] = True
            if k:
                hop[i, k] = timing.travel(stop_xy[i, k - 1], stop_xy[i, k])
        # drop-offs measured from leaving the last stop
        _, drops, _ = timing.timeline(bundle, stop_ready[i, 0] - half_pickup)
        last_leave = timing.last_leave(bundle, stop_ready[i, 0] - half_pickup)
        offsets[i, : len(bundle)] = np.array(drops) - last_leave
        placed[i, : len(bundle)] = problem.placed_at[bundle]
        overdue[i] = float(np.maximum(0.0, now - problem.ready_at[bundle]).sum())
        mask[i, : len(bundle)] = True

    travel = travel_minutes_between(
        problem.courier_xy[rows][:, None, :], stop_xy[None, :, 0, :], params.meters_per_minute
    )
    start = available_at[rows]
    arrival = start[:, None] + travel
    pickup = np.maximum(stop_ready[None, :, 0], arrival + half_pickup)
    courier_wait = np.maximum(0.0, stop_ready[None, :, 0] - arrival - half_pickup)
    food_wait = np.maximum(0.0, arrival + half_pickup - stop_ready[None, :, 0]) * stop_size[None, :, 0]
    leave = pickup + half_pickup
    last_pickup = pickup
    for k in range(1, depth):
        valid = stop_valid[None, :, k]
        arrive_k = leave + hop[None, :, k]
        pickup_k = np.maximum(stop_ready[None, :, k], arrive_k + half_pickup)
        courier_wait += np.where(valid, np.maximum(0.0, stop_ready[None, :, k] - arrive_k - half_pickup), 0.0)
        food_wait += np.where(
            valid,
            np.maximum(0.0, arrive_k + half_pickup - stop_ready[None, :, k]) * stop_size[None, :, k],
            0.0,
        )
        leave = np.where(valid, pickup_k + half_pickup, leave)
        last_pickup = np.where(valid, pickup_k, last_pickup)
    drops = leave[:, :, None] + offsets[None, :, :]
    late = (((drops - placed[None, :, :]) > params.max_ctd) & mask[None, :, :]).sum(axis=2).astype(float)
    drop_sum = ((drops - now) * mask[None, :, :]).sum(axis=2)
    feasible = last_pickup <= problem.off_at[rows][:, None]
    if banned is not None:
        feasible &= ~np.array([banned[bundle].any(axis=0) for bundle in bundles]).T
    # lateness counts only where this courier causes it: an order late whoever takes it is not pushed back
    unavoidable_late = np.where(feasible, late, np.inf).min(axis=0)
    unavoidable_late = np.where(np.isfinite(unavoidable_late), unavoidable_late, 0.0)
    size = mask.sum(axis=1).astype(float)
    cost = (
        _coverage_loss(problem, rows, available_at, params)[:, None]
        + drop_sum
        + params.courier_wait_weight * courier_wait
        + params.food_wait_weight * food_wait
        + params.late_penalty * np.maximum(0.0, late - unavoidable_late[None, :])
        - params.overdue_priority * overdue[None, :]
        - _SERVE_REWARD * size[None, :]
    )
    return np.where(feasible, cost, _INFEASIBLE), travel, start, feasible


def plan(
    orders: Sequence[DispatchOrder],
    couriers: Sequence[DispatchCourier],
    now: float,
    params: DispatchParams,
    hotspots: Sequence[tuple[Point, float]] | None = None,
) -> DispatchPlan:
    """One epoch for live orders and couriers; see the module docstring.

    An order or courier with a non-finite or absurd coordinate or time (beyond `_MAX_COORD_M`, `_MAX_MINUTES`)
    is left out: the order waits, the courier is not used. Callers check positions first
    (`o2o_tui.dispatch.positions`); this keeps one bad input from any source from breaking the whole epoch.
    """
    waiting_anyway = tuple(o.id for o in orders if not _sane_order(o))
    orders = [o for o in orders if _sane_order(o)]
    couriers = [c for c in couriers if _sane_courier(c)]
    if not orders or not couriers:
        return DispatchPlan(routes=(), waiting_order_ids=waiting_anyway + tuple(o.id for o in orders))
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
        hotspot_xy=np.array([xy for xy, _ in hotspots], dtype=float).reshape(-1, 2) if hotspots else None,
        hotspot_weight=np.array([w for _, w in hotspots], dtype=float) if hotspots else None,
        avoid=_avoid(orders, couriers),
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
    waiting = waiting_anyway + tuple(o.id for i, o in enumerate(orders) if i not in planned)
    return DispatchPlan(routes=routes, waiting_order_ids=waiting)


def _avoid(orders: Sequence[DispatchOrder], couriers: Sequence[DispatchCourier]) -> np.ndarray | None:
    """(order, courier) pairs the engine must not plan (the order's `avoid`); None when there are none."""
    if not any(o.avoid for o in orders):
        return None
    return np.array([[c.id in o.avoid for c in couriers] for o in orders], dtype=bool).reshape(len(orders), -1)


_MAX_COORD_M = 2.1e7  # half the Earth's circumference: no local coordinate is farther from its origin
_MAX_MINUTES = 1e7  # about 19 years either side of the epoch's clock


def _sane(values: Sequence[float], bound: float) -> bool:
    return all(math.isfinite(v) and abs(v) <= bound for v in values)


def _sane_order(order: DispatchOrder) -> bool:
    return _sane((*order.restaurant, *order.customer), _MAX_COORD_M) and _sane(
        (order.placed_at, order.ready_at), _MAX_MINUTES
    )


def _sane_courier(courier: DispatchCourier) -> bool:
    return _sane(courier.position, _MAX_COORD_M) and _sane((courier.free_at,), _MAX_MINUTES)

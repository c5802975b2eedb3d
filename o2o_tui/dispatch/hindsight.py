"""The same day planned with hindsight: how much lower a policy's avoidable delay could be with every order known
from the start. A yardstick for the online engine, not a dispatcher (it reads the future).

    schedule = schedule_of(result)                      # the policy's routes, per courier, in the order driven
    better = improve(instance, schedule, moves=200_000)  # local search over the whole day
    replayed = replay(instance, better.schedule)         # the simulator times it by the rules: the proof

A schedule gives each courier its routes in order; a route leaves as early as the rules allow (the courier free,
every order of it placed, on a whole minute) and is timed as the simulator times it. The search moves one order
at a time to a route or a new route of another courier (or its own), swaps two orders, two whole routes or the
rest of two couriers' days, between orders ready within `reach` places of each other (or, a `same_place` share
of the time, within three of the same restaurant's orders), and keeps a change when the day's click-to-door falls
(or, while `temperature` > 0, sometimes when it rises a little: simulated annealing, cooling to 0). A move that
would make a pickup fall after a courier's shift is never kept. `replay` drives the schedule through `simulate`
with a scripted policy, so the result obeys the same rules and metrics as every policy's.

What it finds bounds the best hindsight plan from above (a better search would find lower); it is no bound on
what an online policy can do. Its `moves` decide the result; the same seed gives the same schedule.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from o2o_tui.dispatch.mdrp import MdrpInstance
from o2o_tui.dispatch.simulator import Commit, SimResult, simulate, time_route
from o2o_tui.dispatch.view import EpochView

Schedule = list[list[list[int]]]  # per courier: its routes in order, each a list of instance order indices
CAPACITY = 4

# kinds of move, for the tally of what the search gained where
INTO_ROUTE = "into another route"
OWN_ROUTE = "a route of its own"
SWAP_ORDERS = "two orders swapped"
SWAP_ROUTES = "two routes swapped"
SWAP_TAILS = "two days' rests swapped"
MOVE_KINDS = (INTO_ROUTE, OWN_ROUTE, SWAP_ORDERS, SWAP_ROUTES, SWAP_TAILS)


def schedule_of(result: SimResult) -> Schedule:
    """A policy's routes per courier, in the order it drove them."""
    schedule: Schedule = [[] for _ in range(len(result.instance.on_at))]
    for _, courier, orders in sorted(result.routes, key=lambda route: (route[0], route[1])):
        schedule[courier].append(list(orders))
    return schedule


def _timed(instance: MdrpInstance, courier: int, routes: Sequence[Sequence[int]]) -> list[tuple[int, list[float]]] | None:
    """(minute it leaves, drop-offs) of each route, leaving as early as the rules allow; None when a pickup falls
    after the courier's shift."""
    xy = instance.courier_xy[courier]
    free = float(instance.on_at[courier])
    off = float(instance.off_at[courier])
    timed: list[tuple[int, list[float]]] = []
    for route in routes:
        depart = math.ceil(max(free, max(float(instance.placed_at[o]) for o in route)))
        pickups, drops, free = time_route(instance, xy, depart, route)
        if max(pickups) > off:
            return None
        timed.append((depart, drops))
        xy = instance.customer_xy[route[-1]]
    return timed


def departures(instance: MdrpInstance, courier: int, routes: Sequence[Sequence[int]]) -> list[int] | None:
    """The minute each route leaves (as early as the rules allow); None when a pickup falls after the shift."""
    timed = _timed(instance, courier, routes)
    return None if timed is None else [depart for depart, _ in timed]


def courier_ctd(instance: MdrpInstance, courier: int, routes: Sequence[Sequence[int]]) -> float:
    """Sum of click-to-door of the courier's orders when its routes leave as early as the rules allow; infinite
    when a pickup falls after its shift."""
    timed = _timed(instance, courier, routes)
    if timed is None:
        return math.inf
    drops = sum(sum(route_drops) for _, route_drops in timed)
    return drops - sum(float(instance.placed_at[o]) for route in routes for o in route)


@dataclass(frozen=True)
class Improved:
    schedule: Schedule
    ctd_before: float  # summed click-to-door of the delivered orders, routes leaving as early as allowed
    ctd_after: float
    moves: int
    kept: int
    gained: dict[str, float]  # minutes of click-to-door each kind of move took off (net, annealing included)


def improve(
    instance: MdrpInstance,
    schedule: Schedule,
    *,
    moves: int,
    seed: int = 0,
    temperature: float = 1.0,
    reach: int = 40,
    same_place: float = 0.25,
) -> Improved:
    """Local search over the whole day from `schedule` (see the module docstring). Orders in no route stay out."""
    plan = [[list(route) for route in routes] for routes in schedule]
    cost = [courier_ctd(instance, c, routes) for c, routes in enumerate(plan)]
    where: dict[int, tuple[int, int]] = {}

    def index(courier: int) -> None:
        for i, route in enumerate(plan[courier]):
            for order in route:
                where[order] = (courier, i)

    for courier in range(len(plan)):
        index(courier)
    served = sorted(where, key=lambda o: (float(instance.ready_at[o]), o))
    rank = {order: k for k, order in enumerate(served)}
    # the same restaurant's orders, by ready time: where bundles come from
    by_place: dict[int, list[int]] = {}
    for order in served:
        by_place.setdefault(int(instance.order_restaurant[order]), []).append(order)
    place_rank = {order: k for orders in by_place.values() for k, order in enumerate(orders)}
    before = float(sum(cost))
    rng = random.Random(seed)
    gained = dict.fromkeys(MOVE_KINDS, 0.0)
    kept = 0
    for step in range(moves if len(served) > 1 else 0):
        order = served[rng.randrange(len(served))]
        if rng.random() < same_place:
            mates = by_place[int(instance.order_restaurant[order])]
            k = place_rank[order]
            other = mates[rng.randrange(max(0, k - 3), min(len(mates), k + 4))]
        else:
            k = rank[order]
            other = served[rng.randrange(max(0, k - reach), min(len(served), k + reach + 1))]
        if other == order:
            continue
        kind = MOVE_KINDS[rng.randrange(len(MOVE_KINDS))]
        changed = _move(plan, where, order, other, kind, rng)
        if changed is None:
            continue
        new_cost = {c: courier_ctd(instance, c, routes) for c, routes in changed.items()}
        delta = sum(new_cost.values()) - sum(cost[c] for c in changed)
        if not math.isfinite(delta):
            continue
        heat = temperature * (1.0 - step / moves)
        if delta < 0 or (heat > 0 and rng.random() < math.exp(-delta / heat)):
            for c, routes in changed.items():
                plan[c] = routes
                cost[c] = new_cost[c]
                index(c)
            gained[kind] -= delta
            kept += 1
    return Improved(plan, before, float(sum(cost)), moves, kept, gained)


def _move(
    plan: Schedule, where: dict[int, tuple[int, int]], order: int, other: int, kind: str, rng: random.Random
) -> dict[int, list[list[int]]] | None:
    """The couriers' new routes after one move, or None when the move does not apply."""
    c, i = where[order]
    c2, j = where[other]
    if kind == SWAP_TAILS:  # each courier takes over the other's routes from these on
        if c == c2:
            return None
        return {c: plan[c][:i] + plan[c2][j:], c2: plan[c2][:j] + plan[c][i:]}
    if kind == SWAP_ROUTES:
        if c == c2:
            return None
        a = [list(r) for r in plan[c]]
        b = [list(r) for r in plan[c2]]
        a[i], b[j] = b[j], a[i]
        return {c: a, c2: b}
    if kind == SWAP_ORDERS:
        if (c, i) == (c2, j):
            return None
        if c == c2:
            a = [list(r) for r in plan[c]]
            a[i][a[i].index(order)], a[j][a[j].index(other)] = other, order
            return {c: a}
        a = [list(r) for r in plan[c]]
        b = [list(r) for r in plan[c2]]
        a[i][a[i].index(order)] = other
        b[j][b[j].index(other)] = order
        return {c: a, c2: b}
    # take `order` out of its route, then put it into `other`'s route or a new route beside it
    if kind == INTO_ROUTE and ((c, i) == (c2, j) or len(plan[c2][j]) >= CAPACITY):
        return None
    a = [list(r) for r in plan[c]]
    a[i].remove(order)
    emptied = not a[i]
    if emptied:
        del a[i]
    b = a if c == c2 else [list(r) for r in plan[c2]]
    target = j - 1 if c == c2 and emptied and i < j else j
    if kind == INTO_ROUTE:
        b[target].insert(rng.randrange(len(b[target]) + 1), order)
    else:
        b.insert(target + rng.randrange(2), [order])
    return {c: a} if c == c2 else {c: a, c2: b}


def replay(instance: MdrpInstance, schedule: Schedule, *, name: str = "hindsight") -> SimResult:
    """Drive `schedule` through the simulator: each route committed at the minute it leaves."""
    due: dict[int, list[tuple[int, list[int]]]] = {}
    for courier, routes in enumerate(schedule):
        leaving = departures(instance, courier, routes)
        if leaving is None:
            raise ValueError(f"courier {instance.courier_ids[courier]}: a pickup after its shift")
        for minute, route in zip(leaving, routes, strict=True):
            due.setdefault(minute, []).append((courier, route))
    view_index = np.empty(len(instance.placed_at), dtype=np.int64)
    view_index[np.argsort(instance.placed_at, kind="stable")] = np.arange(len(instance.placed_at))

    def scripted(view: EpochView) -> list[Commit]:
        return [
            Commit(courier, tuple(int(view_index[o]) for o in route)) for courier, route in due.get(int(view.now), [])
        ]

    return simulate(instance, scripted, name=name)

"""Where a policy's avoidable delay comes from: couriers out of reach, or the policy's own later choices.

    watch = FirstSight(policy)
    result = simulate(instance, watch)
    split = split_avoidable(result, watch)     # per-order means: avoidable = out_of_reach + decided

At the first minute an order is seen, `FirstSight` notes how far past its ready time the earliest courier could
be at the restaurant: any courier, idle or busy (from where and when it will be free), whose pickup would still
fall within its shift. That lateness is out of the policy's hands at that minute: no assignment made from then on
picks the order up sooner, so the order's avoidable delay is at least that much. What remains (`decided`) is what
the policy's choices after the order appeared cost it: couriers sent elsewhere, bundles, waiting to commit.

The out-of-reach part still depends on the policy: where couriers stand when an order appears is the result of
earlier assignments (MDRP couriers wait where they last dropped off; nothing repositions them). It is the
positioning a policy leaves behind, not a bound on what any policy could do.

`decided_causes` then says what became of the couriers that could have picked the order up first at that minute
(`DECIDED_CAUSES`): all sent to other orders, one of them serving it after another order first or arriving later
anyway (a plan changed, a commit slipped), serving it in a bundle, or one left unused while another served it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from o2o_tui.dispatch.mdrp import MdrpInstance
from o2o_tui.dispatch.metrics import avoidable_per_order
from o2o_tui.dispatch.simulator import Commit, Policy, SimResult
from o2o_tui.dispatch.view import EpochView


@dataclass
class FirstSight:
    """A policy wrapper: for every order (by its place in the view, i.e. placement order) the minutes past its
    ready time that the earliest courier could pick it up, as seen at the first minute the order was pending."""

    policy: Policy
    late: dict[int, float] = field(default_factory=dict)
    # per order (by its place in the view): the minute first seen, and the couriers that could pick it up first
    first_choice: dict[int, tuple[float, frozenset[int]]] = field(default_factory=dict)

    def __call__(self, view: EpochView) -> Sequence[Commit]:
        fresh = [int(o) for o in view.pending if int(o) not in self.late]
        if fresh:
            self._note(view, np.array(fresh, dtype=np.int64))
        return self.policy(view)

    def _note(self, view: EpochView, fresh: np.ndarray) -> None:
        rules = view.params
        now = float(view.now)
        start = np.maximum(np.maximum(view.free_at, view.on_at), now)
        restaurant_xy = view.restaurant_xy[view.orders.restaurant[fresh]]  # (f, 2)
        distance = np.hypot(*(view.courier_xy[None, :, :] - restaurant_xy[:, None, :]).transpose(2, 0, 1))
        arrival = start[None, :] + np.ceil(distance / rules.meters_per_minute) + rules.pickup_service / 2
        ready = view.orders.ready_at[fresh]
        pickup = np.maximum(arrival, ready[:, None])
        pickup = np.where(pickup <= view.off_at[None, :], pickup, np.inf)
        earliest = pickup.min(axis=1)
        # no courier left on shift at all: the order waits out the day, counted as the undelivered rule says
        late = np.where(np.isfinite(earliest), earliest - ready, np.inf)
        for k, (order, minutes) in enumerate(zip(fresh, late, strict=True)):
            self.late[int(order)] = float(minutes)
            first = np.flatnonzero(pickup[k] <= earliest[k]) if np.isfinite(earliest[k]) else np.zeros(0, int)
            self.first_choice[int(order)] = (now, frozenset(first.tolist()))


@dataclass(frozen=True)
class AvoidableSplit:
    """Per-order means over an instance, in minutes: avoidable = out_of_reach + decided."""

    orders: int
    avoidable: float
    out_of_reach: float
    decided: float


def split_avoidable(result: SimResult, watch: FirstSight) -> AvoidableSplit:
    """Split the run's avoidable delay (click-to-door minus the lower bound; undelivered orders count
    `metrics.UNDELIVERED_CTD`) into what was out of reach at first sight and what the policy decided after."""
    instance = result.instance
    avoidable = avoidable_per_order(result)
    by_placement = np.argsort(instance.placed_at, kind="stable")
    out_of_reach = np.zeros(len(avoidable))
    for seen, minutes in watch.late.items():
        order = int(by_placement[seen])
        out_of_reach[order] = min(minutes, float(avoidable[order]))
    count = max(1, len(avoidable))
    return AvoidableSplit(
        orders=len(avoidable),
        avoidable=float(avoidable.sum() / count),
        out_of_reach=float(out_of_reach.sum() / count),
        decided=float((avoidable - out_of_reach).sum() / count),
    )


# what became of the couriers that could have picked an order up first, at the minute it appeared
SENT_ELSEWHERE = "first couriers all sent elsewhere"
LEFT_UNUSED = "a first courier left unused"
OTHER_ORDER_FIRST = "first courier, another order before"
CAME_LATER = "first courier came later"
IN_A_BUNDLE = "first courier, in a bundle"
UNDELIVERED = "undelivered"
DECIDED_CAUSES = (SENT_ELSEWHERE, LEFT_UNUSED, OTHER_ORDER_FIRST, CAME_LATER, IN_A_BUNDLE, UNDELIVERED)


Routes = dict[int, list[tuple[int, tuple[int, ...]]]]  # courier -> (minute committed, orders) of each route


def _took_another(routes: Routes, courier: int, order: int, since: float, until: float) -> bool:
    return any(since <= minute <= until and order not in orders for minute, orders in routes.get(courier, []))


def _cause(result: SimResult, order: int, first_minute: float, couriers: frozenset[int], routes: Routes) -> str:
    courier = int(result.courier_of[order])
    assigned = float(result.assigned_at[order])
    if courier < 0 or np.isnan(result.dropoff_at[order]) or not couriers:
        return UNDELIVERED
    if courier in couriers:
        route = next(orders for _, orders in routes[courier] if order in orders)
        if len(route) > 1:
            return IN_A_BUNDLE
        return OTHER_ORDER_FIRST if _took_another(routes, courier, order, first_minute, assigned) else CAME_LATER
    if all(_took_another(routes, c, order, first_minute, assigned) for c in couriers):
        return SENT_ELSEWHERE
    return LEFT_UNUSED


def decided_causes(result: SimResult, watch: FirstSight) -> dict[str, tuple[int, float]]:
    """(orders, summed decided minutes) per cause (`DECIDED_CAUSES`), over the orders with a decided part. The
    first couriers of an order are those that could have picked it up soonest at the minute it appeared. It was
    served by one of them in a route of several orders (in a bundle), after that courier took another order, or
    later with neither (a plan that changed, a commit that slipped); or by another courier while every first one
    took other orders (sent elsewhere), or while one of them took none (left unused); or never."""
    instance = result.instance
    avoidable = avoidable_per_order(result)
    by_placement = np.argsort(instance.placed_at, kind="stable")
    routes: Routes = {}
    for minute, courier, orders in result.routes:
        routes.setdefault(courier, []).append((minute, orders))
    counts = dict.fromkeys(DECIDED_CAUSES, 0)
    minutes = dict.fromkeys(DECIDED_CAUSES, 0.0)
    for seen, (first_minute, couriers) in watch.first_choice.items():
        order = int(by_placement[seen])
        decided = float(avoidable[order]) - min(watch.late[seen], float(avoidable[order]))
        if decided <= 1e-9:
            continue
        cause = _cause(result, order, first_minute, couriers, routes)
        counts[cause] += 1
        minutes[cause] += decided
    return {cause: (counts[cause], minutes[cause]) for cause in DECIDED_CAUSES}


# edges of the load bands (orders ready within +-LOAD_WINDOW minutes per courier on shift): quiet, ..., crunch
LOAD_EDGES = (0.8, 1.0, 1.25, 1.5)
LOAD_WINDOW = 15.0
FIRST_HOUR = "first hour"


def local_load(instance: MdrpInstance, window: float = LOAD_WINDOW) -> np.ndarray:
    """Per order: the orders ready within `window` minutes of its ready time, per courier on shift at that time
    (counted as 0.5 when none is, so an order nobody can take reads as a crunch)."""
    ready = np.asarray(instance.ready_at, dtype=float)
    in_order = np.sort(ready)
    around = np.searchsorted(in_order, ready + window, side="right") - np.searchsorted(in_order, ready - window)
    on_shift = ((instance.on_at[None, :] <= ready[:, None]) & (instance.off_at[None, :] >= ready[:, None])).sum(1)
    return np.asarray(around / np.maximum(on_shift, 0.5))


def load_band_labels() -> list[str]:
    edges = ("0", *(f"{e:g}" for e in LOAD_EDGES), "")
    return [f"load {lo}-{hi}" if hi else f"load >{lo}" for lo, hi in zip(edges[:-1], edges[1:], strict=True)]


def avoidable_by_circumstance(result: SimResult) -> dict[str, tuple[int, float]]:
    """(orders, summed avoidable delay) per load band (`local_load`), and for the orders ready in the day's
    first hour of courier shifts (few couriers yet: the policy's early choices cascade)."""
    instance = result.instance
    avoidable = avoidable_per_order(result)
    band = np.searchsorted(np.asarray(LOAD_EDGES), local_load(instance), side="right")
    sums = {
        label: (int((band == i).sum()), float(avoidable[band == i].sum()))
        for i, label in enumerate(load_band_labels())
    }
    first = np.zeros(len(avoidable), dtype=bool)  # a day without couriers has no first hour of shifts
    if len(instance.on_at):
        first = instance.ready_at < float(np.min(instance.on_at)) + 60.0
    sums[FIRST_HOUR] = (int(first.sum()), float(avoidable[first].sum()))
    return sums

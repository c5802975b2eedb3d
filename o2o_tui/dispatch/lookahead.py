"""Look-ahead for the simulator's engine policy: candidate commits judged by rolling the next minutes forward.

Each epoch the engine can be asked for more than one plan (`candidates`: its own, and the same epoch planned
with one order per courier, i.e. no bundling). Where their commits differ, each candidate is applied to a copy
of the couriers' state and the next `horizon` minutes are rolled out on `samples` demand scenarios:

- demand: the orders placed in the last `window` minutes, resampled (bootstrap) and shifted forward in time by
  a uniform offset within the horizon; the count per scenario is Poisson with the observed rate. Restaurant,
  customer and preparation time come from the resampled order, so the scenarios know only what was seen;
- the rollout: every order still waiting (the real pending ones the candidate left, then the sampled ones) in
  ready order goes to the courier that would drop it off first (no bundles), as a fast stand-in for the
  engine's later epochs;
- the score: the candidate's own committed drop-offs minus placement, plus the rolled-out click-to-door of every
  other order (an order nobody could take counts `unserved_ctd`). All candidates see the same scenarios (common
  random numbers), drawn from a generator seeded by the minute: runs stay deterministic.

The lowest score wins; ties keep the engine's own plan (candidate 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from o2o_tui.dispatch.view import EpochView


@dataclass(frozen=True)
class LookaheadParams:
    horizon: float = 20.0  # minutes of future demand in each scenario
    window: float = 60.0  # minutes of past orders the scenarios resample
    samples: int = 3  # scenarios per epoch
    unserved_ctd: float = 180.0  # an order no courier can take within the rollout
    seed: int = 0
    only_on_bundles: bool = True  # weigh alternatives only where the engine's own plan commits a bundle
    alternatives: tuple[str, ...] = ("singles",)  # plans weighed against the engine's own (`adapters.alternative`)


@dataclass(frozen=True)
class Orders:
    """Orders for a rollout: placement, ready time, restaurant and customer positions."""

    placed: np.ndarray
    ready: np.ndarray
    pickup_xy: np.ndarray
    customer_xy: np.ndarray

    @staticmethod
    def concat(parts: list[Orders]) -> Orders:
        return Orders(
            np.concatenate([p.placed for p in parts]),
            np.concatenate([p.ready for p in parts]),
            np.concatenate([p.pickup_xy for p in parts]).reshape(-1, 2),
            np.concatenate([p.customer_xy for p in parts]).reshape(-1, 2),
        )


def sample_demand(view: EpochView, rng: np.random.Generator, params: LookaheadParams) -> Orders:
    """One scenario of the orders placed in (now, now + horizon], resampled from the last `window` minutes."""
    known = view.orders
    now = float(view.now)
    since = now - params.window
    first = int(np.searchsorted(known.placed_at, since, side="right"))
    recent = np.arange(first, len(known))
    span = min(params.window, now - float(view.day_start))
    if recent.size == 0 or span <= 0:
        return Orders(np.zeros(0), np.zeros(0), np.zeros((0, 2)), np.zeros((0, 2)))
    count = int(rng.poisson(recent.size * params.horizon / span))
    picks = recent[rng.integers(0, recent.size, size=count)]
    placed = now + np.ceil(rng.uniform(0.0, params.horizon, size=count))
    prep = known.ready_at[picks] - known.placed_at[picks]
    return Orders(
        placed,
        placed + prep,
        view.restaurant_xy[known.restaurant[picks]],
        known.customer_xy[picks],
    )


def rollout(
    orders: Orders,
    courier_xy: np.ndarray,
    free_at: np.ndarray,
    off_at: np.ndarray,
    now: float,
    view: EpochView,
    unserved_ctd: float,
) -> float:
    """Sum of click-to-door of `orders` when each, in ready order, goes to the courier that drops it off first."""
    if orders.placed.size == 0:
        return 0.0
    rules = view.params
    mpm = rules.meters_per_minute
    half_pickup = rules.pickup_service / 2
    half_drop = rules.dropoff_service / 2
    xy = courier_xy.copy()
    free = np.maximum(free_at, now).astype(float)
    ride = np.ceil(np.hypot(*(orders.pickup_xy - orders.customer_xy).T) / mpm)
    total = 0.0
    for i in np.argsort(orders.ready, kind="stable"):
        start = np.maximum(free, orders.placed[i])
        to_pickup = np.ceil(np.hypot(xy[:, 0] - orders.pickup_xy[i, 0], xy[:, 1] - orders.pickup_xy[i, 1]) / mpm)
        pickup = np.maximum(orders.ready[i], start + to_pickup + half_pickup)
        drop = np.where(pickup <= off_at, pickup + half_pickup + ride[i] + half_drop, np.inf)
        best = int(np.argmin(drop))
        if not np.isfinite(drop[best]):
            total += unserved_ctd
            continue
        total += float(drop[best] - orders.placed[i])
        free[best] = drop[best] + half_drop
        xy[best] = orders.customer_xy[i]
    return total


@dataclass(frozen=True)
class Candidate:
    """A candidate epoch decision: routes to commit now, with the simulator's exact timing of each."""

    routes: list[tuple[int, tuple[int, ...]]]  # (courier, view order indices)
    drop_xy: np.ndarray  # (len(routes), 2) where each courier ends
    free_at: np.ndarray  # (len(routes),) when each courier is free again
    ctd_sum: float  # sum over the committed orders of drop-off - placement


def score(
    candidate: Candidate,
    view: EpochView,
    scenarios: list[Orders],
    rows: np.ndarray,
    unserved_ctd: float,
) -> float:
    """The candidate's committed click-to-door plus the mean rolled-out click-to-door of everything else."""
    known = view.orders
    taken = {o for _, orders in candidate.routes for o in orders}
    left = np.array([o for o in view.pending if int(o) not in taken], dtype=np.int64)
    real = Orders(
        known.placed_at[left],
        known.ready_at[left],
        view.restaurant_xy[known.restaurant[left]],
        known.customer_xy[left],
    )
    xy = view.courier_xy[rows].copy()
    free = np.maximum(np.maximum(view.free_at[rows], view.on_at[rows]), float(view.now))
    position = {int(c): i for i, c in enumerate(rows)}
    for (courier, _), end_xy, end_at in zip(candidate.routes, candidate.drop_xy, candidate.free_at, strict=True):
        i = position.get(courier)
        if i is not None:
            xy[i] = end_xy
            free[i] = end_at
    off = view.off_at[rows]
    rolled = [
        rollout(Orders.concat([real, scenario]), xy, free, off, float(view.now), view, unserved_ctd)
        for scenario in scenarios
    ]
    return candidate.ctd_sum + float(np.mean(rolled)) if rolled else candidate.ctd_sum

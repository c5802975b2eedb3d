"""Seeded synthetic MDRP instances (the same dataclass and file format as the Grubhub ones).

Two builders:

- `generate(seed, ...)`: a small uniform instance for tests (orders placed uniformly, couriers on fixed shifts).
- `city(spec, seed)`: a day in a city described by a `CitySpec`: restaurants around hubs, customers at a ride
  distance from their restaurant, a lunch and a dinner peak, gamma-distributed preparation times, and a fleet
  whose shifts (on a half-hour grid, 2-4 hours long) follow the demand it expects, scaled by `spec.supply` and
  capped at peaks by `spec.peak_cap`. The named regimes built on it are in `o2o_tui.dispatch.regimes`.

Times in minutes from the start of the day (minute 0 = 10:30, like the Grubhub instances, whose orders run
from 0 to about 800), positions in metres, all integers so an instance written with `mdrp.write_instance`
loads back identically.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from o2o_tui.dispatch.mdrp import MdrpInstance, MdrpParameters


def generate(
    seed: int,
    *,
    orders: int = 60,
    restaurants: int = 8,
    couriers: int = 10,
    period: int = 180,
    area_m: float = 6000.0,
    meters_per_minute: float = 320.0,
    shift: int = 120,
) -> MdrpInstance:
    """Orders placed uniformly over `period` minutes, ready 5-30 minutes later, delivered 0.3-4 km from their
    restaurant; couriers start at random places with shifts of `shift` minutes staggered over the period."""
    rng = np.random.default_rng(seed)
    restaurant_xy = np.round(rng.uniform(0, area_m, size=(restaurants, 2)))
    order_restaurant = rng.integers(0, restaurants, size=orders)
    angle = rng.uniform(0, 2 * np.pi, size=orders)
    reach = rng.uniform(300, 4000, size=orders)
    customer_xy = restaurant_xy[order_restaurant] + np.stack([np.cos(angle), np.sin(angle)], axis=1) * reach[:, None]
    customer_xy = np.clip(customer_xy, 0, area_m).round()
    placed_at = np.sort(rng.integers(0, period, size=orders))
    ready_at = placed_at + rng.integers(5, 31, size=orders)
    on_at = np.sort(rng.integers(0, max(1, period - shift // 2), size=couriers))
    on_at[: max(1, couriers // 3)] = 0  # some couriers from the start
    off_at = on_at + shift
    courier_xy = np.round(rng.uniform(0, area_m, size=(couriers, 2)))
    return MdrpInstance(
        name=f"synthetic{seed}",
        params=MdrpParameters(meters_per_minute, 4, 4, 40, 90),
        order_ids=[f"o{i + 1}" for i in range(orders)],
        customer_xy=customer_xy.astype(float),
        placed_at=placed_at.astype(np.int64),
        ready_at=ready_at.astype(np.int64),
        order_restaurant=order_restaurant.astype(np.int64),
        restaurant_ids=[f"r{i + 1}" for i in range(restaurants)],
        restaurant_xy=restaurant_xy.astype(float),
        courier_ids=[f"c{i + 1}" for i in range(couriers)],
        courier_xy=courier_xy.astype(float),
        on_at=on_at.astype(np.int64),
        off_at=off_at.astype(np.int64),
    )


@dataclass(frozen=True)
class CitySpec:
    """One kind of city and day. Lengths in metres, times in minutes, speeds in metres per minute."""

    orders: int  # expected orders in the day (each seed draws within +-10%)
    restaurants: int
    area_m: float  # the city is a square of this side
    hubs: int  # restaurant clusters; 0 = restaurants spread uniformly over the area
    hub_spread_m: float  # standard deviation of a restaurant around its hub
    ride_median_m: float  # restaurant -> customer distance: lognormal with this median
    ride_sigma: float  # ... and this log standard deviation
    ride_max_m: float  # delivery radius
    meters_per_minute: float
    pickup_service: int
    dropoff_service: int
    prep_median: float  # preparation (ready - placement): gamma with this median ...
    prep_shape: float  # ... and shape (larger = narrower)
    lunch_share: float  # share of the day's orders in the lunch peak
    dinner_share: float  # ... in the dinner peak; the rest spread evenly over the day
    peak_sd: float  # standard deviation of each peak (minutes)
    zipf: float = 0.8  # popularity of the r-th restaurant ~ r ** -zipf
    dominant: tuple[float, ...] = ()  # shares of the day's orders taken by the first restaurants
    supply: float = 1.0  # fleet size: 1.0 = as many couriers as the expected demand would keep busy (see fleet_need)
    peak_cap: float = 1.0  # fleet at peaks capped at this fraction of what the demand asks for
    courier_spread: float = 0.1  # a courier starts this many median rides (sd) off a restaurant: 0.1 = at the
    # counter; 1.2 = wherever couriers live, most within 1.5 km of the nearest restaurant (Grubhub: median ~1 km)
    day: int = 780  # orders are placed in [0, day)
    lunch_at: int = 90  # 12:00
    dinner_at: int = 480  # 18:30


_SLOT = 30  # shifts start on a half-hour grid
_SHIFT_LENGTHS = np.array([120, 180, 240])
_SHIFT_WEIGHTS = np.array([0.25, 0.45, 0.30])


def demand_rate(spec: CitySpec, minutes: np.ndarray) -> np.ndarray:
    """Expected orders per minute at each minute: an even base plus two Gaussian peaks."""
    base = (1.0 - spec.lunch_share - spec.dinner_share) / spec.day
    norm = spec.peak_sd * math.sqrt(2 * math.pi)
    lunch = spec.lunch_share * np.exp(-0.5 * ((minutes - spec.lunch_at) / spec.peak_sd) ** 2) / norm
    dinner = spec.dinner_share * np.exp(-0.5 * ((minutes - spec.dinner_at) / spec.peak_sd) ** 2) / norm
    inside = (minutes >= 0) & (minutes < spec.day)
    return np.where(inside, spec.orders * (base + lunch + dinner), 0.0)


def _placements(spec: CitySpec, rng: np.random.Generator, count: int) -> np.ndarray:
    minutes = np.arange(spec.day)
    weights = demand_rate(spec, minutes)
    return np.sort(rng.choice(minutes, size=count, p=weights / weights.sum())).astype(np.int64)


def _restaurants(spec: CitySpec, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(positions, popularity shares)."""
    side = spec.area_m
    if spec.hubs > 0:
        hub_xy = rng.uniform(0.25 * side, 0.75 * side, size=(spec.hubs, 2))
        hub_of = rng.integers(0, spec.hubs, size=spec.restaurants)
        xy = hub_xy[hub_of] + rng.normal(0.0, spec.hub_spread_m, size=(spec.restaurants, 2))
    else:
        xy = rng.uniform(0.0, side, size=(spec.restaurants, 2))
    xy = np.clip(xy, 0.0, side).round()
    weights = np.arange(1, spec.restaurants + 1, dtype=float) ** -spec.zipf
    rng.shuffle(weights)
    shares = weights / weights.sum()
    fixed = np.array(spec.dominant, dtype=float)
    if fixed.size:
        rest = shares[fixed.size :]
        shares = np.concatenate([fixed, rest / rest.sum() * (1.0 - fixed.sum())])
    return xy, shares


def _gamma(rng: np.random.Generator, median: float, shape: float, size: int) -> np.ndarray:
    # the median of a gamma is about shape - 1/3 times its scale (shape >= 1)
    return rng.gamma(shape, median / (shape - 1.0 / 3.0), size=size)


def _ride_lengths(spec: CitySpec, rng: np.random.Generator, size: int) -> np.ndarray:
    return np.clip(spec.ride_median_m * np.exp(rng.normal(0.0, spec.ride_sigma, size=size)), 200.0, spec.ride_max_m)


def courier_minutes_per_order(spec: CitySpec) -> float:
    """Expected courier time of one order: to the restaurant (about a ride), pickup, the ride, drop-off."""
    ride = spec.ride_median_m * math.exp(spec.ride_sigma**2 / 2) / spec.meters_per_minute
    return 2 * ride + spec.pickup_service + spec.dropoff_service + 2  # +2: rounding up twice


def fleet_need(spec: CitySpec, orders: int | None = None) -> np.ndarray:
    """Couriers wanted in each half-hour slot of the day (and two slots after it, to clear what is left), for a
    day of `orders` orders (default `spec.orders`): the fleet is planned on the day's volume, as a dispatcher's
    forecast would be."""
    slots = spec.day // _SLOT + 3
    minutes = np.arange(slots * _SLOT)
    rate = demand_rate(spec, minutes).reshape(slots, _SLOT).mean(axis=1)
    # demand is worked off a little after it is placed: shift the curve by about one order's duration
    lag = max(1, round(courier_minutes_per_order(spec) / _SLOT))
    rate = np.concatenate([np.full(lag, rate[0]), rate[:-lag]])
    # one courier per order in flight by the rough estimate, which counts a whole ride to the restaurant and no
    # bundling, so couriers are less busy than that: at supply 1 a Grubhub-like day gets about 0.55-0.6
    # courier-hours per order, like the Grubhub instances (0.6 for 0o100t100s1p100)
    need = rate * courier_minutes_per_order(spec) * spec.supply * (orders or spec.orders) / spec.orders
    if spec.peak_cap < 1.0:
        need = np.minimum(need, spec.peak_cap * need.max())
    return np.maximum(need, 2.0)


def _shifts(spec: CitySpec, rng: np.random.Generator, orders: int) -> tuple[np.ndarray, np.ndarray]:
    """Shift starts and ends: walk the slots, start shifts wherever fewer couriers are on than needed."""
    need = fleet_need(spec, orders)
    on: list[int] = []
    off: list[int] = []
    covered = np.zeros(need.size)
    for slot in range(need.size):
        missing = int(math.ceil(need[slot] - covered[slot] - 1e-9))
        for _ in range(max(0, missing)):
            length = int(rng.choice(_SHIFT_LENGTHS, p=_SHIFT_WEIGHTS))
            start = slot * _SLOT
            on.append(start)
            off.append(start + length)
            covered[slot : slot + length // _SLOT] += 1
    return np.array(on, dtype=np.int64), np.array(off, dtype=np.int64)


def city(spec: CitySpec, seed: int, *, name: str | None = None) -> MdrpInstance:
    """One seeded day in the city `spec` describes (the same seed and spec always give the same instance)."""
    rng = np.random.default_rng(seed)
    restaurant_xy, shares = _restaurants(spec, rng)
    count = max(1, int(round(spec.orders * rng.uniform(0.9, 1.1))))
    placed_at = _placements(spec, rng, count)
    order_restaurant = rng.choice(spec.restaurants, size=count, p=shares).astype(np.int64)
    angle = rng.uniform(0.0, 2 * np.pi, size=count)
    reach = _ride_lengths(spec, rng, count)
    offset = np.stack([np.cos(angle), np.sin(angle)], axis=1) * reach[:, None]
    customer_xy = np.round(np.clip(restaurant_xy[order_restaurant] + offset, 0.0, spec.area_m))
    prep = np.round(_gamma(rng, spec.prep_median, spec.prep_shape, count))
    ready_at = placed_at + np.clip(prep, 1, 150).astype(np.int64)
    on_at, off_at = _shifts(spec, rng, count)
    # couriers start around where the food is: near a restaurant picked by popularity, `courier_spread` off
    start_at = rng.choice(spec.restaurants, size=on_at.size, p=shares)
    spread = spec.courier_spread * spec.ride_median_m
    courier_xy = restaurant_xy[start_at] + rng.normal(0.0, spread, size=(on_at.size, 2))
    courier_xy = np.clip(courier_xy, 0.0, spec.area_m).round()
    return MdrpInstance(
        name=name or f"city{seed}",
        params=MdrpParameters(spec.meters_per_minute, spec.pickup_service, spec.dropoff_service, 40, 90),
        order_ids=[f"o{i + 1}" for i in range(count)],
        customer_xy=customer_xy.astype(float),
        placed_at=placed_at,
        ready_at=ready_at.astype(np.int64),
        order_restaurant=order_restaurant,
        restaurant_ids=[f"r{i + 1}" for i in range(spec.restaurants)],
        restaurant_xy=restaurant_xy.astype(float),
        courier_ids=[f"c{i + 1}" for i in range(on_at.size)],
        courier_xy=courier_xy.astype(float),
        on_at=on_at,
        off_at=off_at,
    )

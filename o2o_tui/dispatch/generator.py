"""Seeded synthetic MDRP-style instances (same fields and file format as the Grubhub ones), for tests."""

from __future__ import annotations

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
    customer_xy = np.round(np.clip(customer_xy, 0, area_m))
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

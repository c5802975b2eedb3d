"""When customers order: a daily demand curve with a lunch and a dinner peak, sampled as a Poisson process."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

# (hour of day, relative demand): quiet nights, a lunch peak around 12:00, a dinner peak around 18:30.
_ANCHORS: tuple[tuple[float, float], ...] = (
    (0.0, 0.10), (6.0, 0.05), (8.0, 0.35), (10.0, 0.45), (11.0, 1.10), (12.0, 2.60), (13.0, 1.90),
    (14.0, 0.75), (16.0, 0.60), (17.0, 1.30), (18.5, 2.50), (20.0, 1.40), (22.0, 0.60), (24.0, 0.10),
)  # fmt: skip


def _raw(hour: float) -> float:
    hour %= 24.0
    for (h0, v0), (h1, v1) in zip(_ANCHORS, _ANCHORS[1:], strict=False):
        if h0 <= hour <= h1:
            return v0 + (v1 - v0) * (hour - h0) / (h1 - h0)
    return _ANCHORS[-1][1]


def _daily_mean() -> float:
    steps = 24 * 60
    return sum(_raw(i / 60) for i in range(steps)) / steps


_MEAN = _daily_mean()
PEAK_MULTIPLIER = max(v for _, v in _ANCHORS) / _MEAN


def demand_multiplier(moment: datetime) -> float:
    """Demand at `moment` relative to the day's average (the average over 24 hours is 1.0)."""
    hour = moment.hour + moment.minute / 60 + moment.second / 3600
    return _raw(hour) / _MEAN


def next_arrival(rng: random.Random, after: datetime, orders_per_hour: float) -> datetime:
    """The next order time after `after` for an average of `orders_per_hour` (thinning of a Poisson process)."""
    if orders_per_hour <= 0:
        raise ValueError("orders_per_hour must be positive")
    peak_per_second = orders_per_hour * PEAK_MULTIPLIER / 3600
    moment = after
    while True:
        moment = moment + timedelta(seconds=rng.expovariate(peak_per_second))
        if rng.random() * PEAK_MULTIPLIER <= demand_multiplier(moment):
            return moment

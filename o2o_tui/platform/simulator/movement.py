"""Couriers move along straight lines at city speeds."""

from __future__ import annotations

from o2o_tui.domain.geo import Position, distance_m, from_local_metres, to_local_metres

E_BIKE_METRES_PER_MINUTE = 250.0  # about 15 km/h through city traffic
ARRIVED_WITHIN_M = 15.0


def move_toward(current: Position, target: Position, metres: float) -> tuple[Position, bool]:
    """Where a courier is after travelling `metres` from `current` toward `target`, and whether it arrived."""
    remaining = distance_m(current, target)
    if remaining <= max(metres, ARRIVED_WITHIN_M):
        return target, True
    x, y = to_local_metres(target, current)
    fraction = metres / remaining
    return from_local_metres(x * fraction, y * fraction, current), False

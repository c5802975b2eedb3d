"""Which positions dispatch and the map may use: finite, on the globe, and within a city's reach of the store.

A position comes from the platform, from a cache written by an older server, or from a courier's phone; any of
them may hold lat 91, 1e308, NaN or a fix on the other side of the world. Projected to local metres, such a
value is infinite or absurd, and the travel times, the engine's arithmetic and the map's scale built on it fail
(OverflowError, ZeroDivisionError) or mislead. So every position passes `local_point` first, and one that does
not is treated as unknown: the order or courier is left out of the suggestions with its reason, and the map
places nothing for it.
"""

from __future__ import annotations

import math

from o2o_tui.domain.geo import Position, to_local_metres

Point = tuple[float, float]

# farther than this from the store a courier cannot ride for its orders (200 minutes at e-bike speed), and the
# map would shrink the city to a dot: such a position is treated as unknown
MAX_LOCAL_DISTANCE_M = 50_000.0


def on_globe(position: Position | None) -> bool:
    """Finite, latitude within +-90 and longitude within +-180."""
    if position is None:
        return False
    lat, lon = position.lat, position.lon
    return math.isfinite(lat) and math.isfinite(lon) and -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0


def usable_origin(position: Position | None) -> Position | None:
    """The store's position when it can centre a projection (else None: nothing can be placed)."""
    return position if on_globe(position) else None


def local_point(position: Position | None, origin: Position | None) -> Point | None:
    """`position` in metres around `origin`, or None when either is unknown, off the globe or too far away."""
    if origin is None or not on_globe(position) or not on_globe(origin):
        return None
    assert position is not None
    x, y = to_local_metres(position, origin)
    if not (math.isfinite(x) and math.isfinite(y)) or math.hypot(x, y) > MAX_LOCAL_DISTANCE_M:
        return None
    return x, y


def usable(position: Position | None, origin: Position | None) -> Position | None:
    """`position` itself when `local_point` accepts it, else None."""
    return position if local_point(position, origin) is not None else None

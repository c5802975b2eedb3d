"""Positions on the wire are WGS84 lat/lon; dispatch works in local metres."""

from __future__ import annotations

import math

import msgspec

EARTH_RADIUS_M = 6_371_000.0


class Position(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    lat: float
    lon: float


class Address(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    text: str
    position: Position | None = None


def to_local_metres(point: Position, origin: Position) -> tuple[float, float]:
    """Equirectangular projection around `origin`: accurate to well under 1% across a city."""
    x = math.radians(point.lon - origin.lon) * EARTH_RADIUS_M * math.cos(math.radians(origin.lat))
    y = math.radians(point.lat - origin.lat) * EARTH_RADIUS_M
    return x, y


def from_local_metres(x: float, y: float, origin: Position) -> Position:
    lat = origin.lat + math.degrees(y / EARTH_RADIUS_M)
    lon = origin.lon + math.degrees(x / (EARTH_RADIUS_M * math.cos(math.radians(origin.lat))))
    return Position(lat=lat, lon=lon)


def distance_m(a: Position, b: Position) -> float:
    x, y = to_local_metres(b, a)
    return math.hypot(x, y)

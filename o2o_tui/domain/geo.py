"""Positions on the wire are WGS84 lat/lon; dispatch works in local metres.

Each shape comes twice: `PositionIn`/`AddressIn` are what a request body takes (strict: an unknown field is a 422;
bounded: lat within +-90, lon within +-180, the text's length), `Position`/`Address` what answers carry (lenient:
unknown fields are ignored, no bounds, so what an older or newer server stored still reads). An answer type derives
from its request type, so a client puts the `Position` it holds straight into a body; the server turns what it
decoded back into the answer type with `position_of`/`address_of` before storing it.
"""

from __future__ import annotations

import math

import msgspec

from o2o_tui.domain.limits import AddressText, Latitude, Longitude

EARTH_RADIUS_M = 6_371_000.0


class PositionIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    lat: Latitude
    lon: Longitude


class AddressIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    text: AddressText
    position: PositionIn | None = None


class Position(PositionIn, frozen=True, forbid_unknown_fields=False):
    lat: float
    lon: float


class Address(AddressIn, frozen=True, forbid_unknown_fields=False):
    text: str
    position: Position | None = None


def position_of(given: PositionIn | None) -> Position | None:
    """The answer-side `Position` of a decoded request position."""
    if given is None or isinstance(given, Position):
        return given
    return Position(lat=given.lat, lon=given.lon)


def address_of(given: AddressIn | None) -> Address | None:
    """The answer-side `Address` of a decoded request address."""
    if given is None or isinstance(given, Address):
        return given
    return Address(text=given.text, position=position_of(given.position))


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

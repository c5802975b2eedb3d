"""Who a token belongs to."""

from __future__ import annotations

import enum

import msgspec


class Role(enum.StrEnum):
    MERCHANT = "merchant"
    DISPATCHER = "dispatcher"
    COURIER = "courier"
    CUSTOMER = "customer"
    ADMIN = "admin"


class Me(msgspec.Struct, frozen=True):
    user_id: str
    name: str
    role: Role
    store_id: str | None = None
    courier_id: str | None = None

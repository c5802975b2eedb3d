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
    # which platform answered: every server of one platform (one database, one server secret) says the same few
    # hex digits, derived from its secret (never the secret); None from servers older than it
    platform_id: str | None = None

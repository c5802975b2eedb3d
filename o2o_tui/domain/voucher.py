"""Vouchers (团购券): sold online for one store, redeemed once at its counter by their code (核销).

An admin issues vouchers for a store (`VoucherCreateBody`: a title, a value, an expiry, how many); a customer
buys one that is for sale and gets its code, 12 digits, shown to the buyer in the answer to the purchase only
(the platform keeps a hash of it and its last digits); the store's merchant redeems it by that code. Past its
`expires_at` an unredeemed voucher is EXPIRED (said by `effective_status`, not written by a job).

Answers are lenient (a newer platform's fields do not break an older console); request bodies are strict, with
their bounds in `o2o_tui.domain.limits`.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import Meta

from o2o_tui.domain.limits import (
    PRICE_MAX,
    VOUCHER_CODE_DIGITS,
    VOUCHER_TITLE_MAX,
    VOUCHERS_PER_CREATE_MAX,
    AwareTime,
    Currency,
    Id,
    require_times_in_range,
    times_in_utc,
)
from o2o_tui.domain.money import Money


class VoucherStatus(enum.StrEnum):
    FOR_SALE = "FOR_SALE"  # issued, nobody bought it yet (it has no code yet)
    ACTIVE = "ACTIVE"  # bought: its code redeems it at the store's counter
    REDEEMED = "REDEEMED"
    EXPIRED = "EXPIRED"  # past expires_at unredeemed (worked out at read time)
    REFUNDED = "REFUNDED"


class VoucherRefusal(enum.StrEnum):
    """Why the counter's redemption of a code was refused (the `code` of the 409)."""

    REDEEMED = "voucher_redeemed"  # redeemed before (`at` says when)
    EXPIRED = "voucher_expired"
    OTHER_STORE = "voucher_other_store"
    NOT_ACTIVE = "voucher_not_active"  # refunded, or not sold


class Voucher(msgspec.Struct, frozen=True, omit_defaults=True):
    id: str
    store_id: str
    title: str
    value: Money
    expires_at: datetime
    status: VoucherStatus
    version: int
    created_at: datetime
    updated_at: datetime
    code: str | None = None  # the whole code: only in the answer to its purchase
    code_tail: str | None = None  # its last 4 digits, to tell vouchers apart
    bought_by: str | None = None  # the customer's user id
    bought_at: datetime | None = None
    redeemed_at: datetime | None = None
    redeemed_by: str | None = None  # the merchant user who redeemed it
    purchase_id: str | None = None  # the buyer's id for the purchase (a replay buys nothing more)

    def __post_init__(self) -> None:
        require_times_in_range(self)


class VoucherPage(msgspec.Struct, frozen=True):
    vouchers: list[Voucher]


def effective_status(voucher: Voucher, now: datetime) -> VoucherStatus:
    """ACTIVE or FOR_SALE past its expiry reads EXPIRED."""
    if voucher.status in (VoucherStatus.ACTIVE, VoucherStatus.FOR_SALE) and now >= voucher.expires_at:
        return VoucherStatus.EXPIRED
    return voucher.status


def looks_like_voucher_code(code: str) -> bool:
    """A voucher code's shape: exactly 12 digits (spaces and dashes a person types in between are dropped)."""
    digits = normalize_code(code)
    return len(digits) == VOUCHER_CODE_DIGITS and digits.isdigit()


def normalize_code(code: str) -> str:
    """What a person or scanner typed, without spaces and dashes ("1234 5678-9012" -> "123456789012")."""
    return "".join(ch for ch in code.strip() if ch not in " -")


def group_code(code: str) -> str:
    """A code as shown to a person: groups of four ("1234 5678 9012")."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


# --- request bodies ----------------------------------------------------------------------------------------


class _Body(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    def __post_init__(self) -> None:
        times_in_utc(self, naive_too=False)  # `expires_at` stored and answered in UTC (Z)


class VoucherValueIn(_Body, frozen=True):
    amount: Annotated[int, Meta(ge=1, le=PRICE_MAX)]
    currency: Currency


class VoucherCreateBody(_Body, frozen=True):
    """Admin: `count` vouchers for sale at `store_id`; their ids are `<id>-1` .. `<id>-<count>` (a replay with the
    same `id` creates nothing more)."""

    id: Id
    store_id: Id
    title: Annotated[str, Meta(min_length=1, max_length=VOUCHER_TITLE_MAX)]
    value: VoucherValueIn
    expires_at: AwareTime
    count: Annotated[int, Meta(ge=1, le=VOUCHERS_PER_CREATE_MAX)] = 1


class VoucherBuyBody(_Body, frozen=True):
    """Customer: buy one voucher for sale; `purchase_id` (client-chosen) makes a replay buy nothing more."""

    purchase_id: Id

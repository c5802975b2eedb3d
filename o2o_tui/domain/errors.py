"""The error envelope: `{"error": {"code": ..., "message": ..., ...}}`."""

from __future__ import annotations

from datetime import datetime

import msgspec


class ErrorDetail(msgspec.Struct, frozen=True, omit_defaults=True):
    code: str  # illegal_transition, stale_version, validation, not_found, forbidden, unauthorized, ...
    message: str = ""
    field: str | None = None
    from_: str | None = msgspec.field(default=None, name="from")
    to: str | None = None
    current_version: int | None = None
    locked_until: datetime | None = None  # code_locked (423), wrong_code that locked it: when the code is taken again
    # wrong_code: wrong tries this code still takes before it locks (0: this one locked it, until `locked_until`)
    tries_left: int | None = None
    timezone: str | None = None  # code_locked, voucher_redeemed: the store's zone, to read the time on its clock
    item_id: str | None = None  # item_unavailable: the item at fault
    option_id: str | None = None  # item_unavailable: the option at fault, if it is an option
    at: datetime | None = None  # voucher_redeemed: when it was redeemed
    # already_accepted: the accept that stands (another counter's), so the refused device says the real promise
    preparation_minutes: int | None = None
    promised_ready_at: datetime | None = None
    # courier_changed: who holds the order now (none: nobody), and its delivery's step (PENDING: not answered yet)
    courier_id: str | None = None
    courier_name: str | None = None
    delivery_status: str | None = None


class ErrorBody(msgspec.Struct, frozen=True):
    error: ErrorDetail

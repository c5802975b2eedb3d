"""Bounds and code lists that the server, the CLI and the console must agree on, stated once.

- the preparation time a merchant may promise when accepting an order (`ConfirmBody.preparation_minutes`);
- the reason codes a merchant may give when rejecting a new order (`ReasonBody.reason_code` of `reject`);
- the reason code a merchant's "deny" of a customer's cancellation request carries.
"""

from __future__ import annotations

import enum

PREP_MINUTES_MIN = 1
PREP_MINUTES_MAX = 240


class RejectReason(enum.StrEnum):
    """Why a merchant rejects a new order (the console's reject dialog, `o2o orders reject --reason`)."""

    OUT_OF_STOCK = "OUT_OF_STOCK"
    STORE_BUSY = "STORE_BUSY"
    CLOSING_SOON = "CLOSING_SOON"
    OTHER = "OTHER"


REJECT_REASONS: tuple[RejectReason, ...] = tuple(RejectReason)
DENY_REASON = "MERCHANT_DENIED"


def prep_minutes_ok(minutes: int) -> bool:
    return PREP_MINUTES_MIN <= minutes <= PREP_MINUTES_MAX


def reject_reason(text: str) -> RejectReason | None:
    """The reject reason `text` names (any case, `-` for `_`), or None."""
    wanted = text.strip().upper().replace("-", "_")
    return RejectReason.__members__.get(wanted)

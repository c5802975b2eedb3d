"""The reason codes of cancels and cancellation requests, one list per who gives them; the platform takes no other
(422 naming `reason_code` and the list), so the reports and every device name a code they have words for.

- A store's cancel, reject and cancellation request: `limits.RejectReason` (its console's reject dialog).
- A customer's cancel and cancellation request: `CustomerReason`.
- A store's deny of a cancellation request: `DenyReason` (`limits.DENY_REASON`, the console's and the CLI's
  default, is one of them). An accept carries no code: the request's own stands.
- A platform admin's cancel or request (support, or acting for either side): the customer's and the store's codes
  and the platform's own (`PLATFORM_REASONS`). `ACCEPT_TIMEOUT` is the platform's deadline job's alone.

Codes are read in any case, `-` for `_` (`reason_in`), and stored as the list spells them.
"""

from __future__ import annotations

import enum

from o2o_tui.domain.limits import DENY_REASON, REJECT_REASONS


class CustomerReason(enum.StrEnum):
    """Why a customer cancels an order or asks the store to (the simulator's customers give the first two)."""

    CUSTOMER_CHANGED_MIND = "CUSTOMER_CHANGED_MIND"
    TAKING_TOO_LONG = "TAKING_TOO_LONG"
    OTHER = "OTHER"  # the words go in `reason`


class DenyReason(enum.StrEnum):
    """Why a store keeps an order a customer asked to cancel."""

    MERCHANT_DENIED = "MERCHANT_DENIED"
    ALREADY_COOKING = "ALREADY_COOKING"


assert DenyReason.MERCHANT_DENIED == DENY_REASON

CUSTOMER_REASONS: tuple[str, ...] = tuple(reason.value for reason in CustomerReason)
DENY_REASONS: tuple[str, ...] = tuple(reason.value for reason in DenyReason)
STORE_REASONS: tuple[str, ...] = tuple(reason.value for reason in REJECT_REASONS)
PLATFORM_REASONS: tuple[str, ...] = ("FRAUD_SUSPECTED",)
# each code once (OTHER is both the customer's and the store's), the customer's first
ADMIN_REASONS: tuple[str, ...] = tuple(dict.fromkeys((*CUSTOMER_REASONS, *STORE_REASONS, *PLATFORM_REASONS)))


def reason_in(text: str, allowed: tuple[str, ...]) -> str | None:
    """The code of `allowed` that `text` names (any case, `-` for `_`), or None."""
    wanted = text.strip().upper().replace("-", "_")
    return wanted if wanted in allowed else None

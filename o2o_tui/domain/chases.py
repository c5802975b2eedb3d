"""Customer chases (催单): a customer asks where its order is; the store answers the latest chase.

A chase is kept on the order (`Order.chases`, oldest first), with the store's answer once given: one of a few
reply templates (`ChaseReply`) with minutes where the template takes them, or free text. The bounds (how often a
customer may chase, how many times in all, how long an answer may be) are stated here once, for the server, the
CLI and the console's dialog.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import Meta

from o2o_tui.domain.limits import PREP_MINUTES_MAX, PREP_MINUTES_MIN, blank, require_times_in_range

CHASE_INTERVAL_MINUTES = 5  # a customer chases one order at most once per this many minutes
CHASES_MAX = 5  # and at most this many times in all (the next one is a 409 too_many_chases)
CHASE_TEXT_MAX = 200  # the store's free-text answer; a customer's note with the chase
REPLY_MINUTES_MIN = PREP_MINUTES_MIN
REPLY_MINUTES_MAX = PREP_MINUTES_MAX

ChaseText = Annotated[str, Meta(max_length=CHASE_TEXT_MAX)]


class ChaseReply(enum.StrEnum):
    """What the store answers, in the order the console's dialog numbers them (1, 2, 3, 4)."""

    PREPARING = "PREPARING"  # "Being prepared, ready in N minutes" (takes minutes)
    ON_THE_WAY = "ON_THE_WAY"  # "Out for delivery"
    READY = "READY"  # "Ready for pickup"
    TEXT = "TEXT"  # the store's own words


CHASE_REPLIES: tuple[ChaseReply, ...] = tuple(ChaseReply)


def chase_reply(text: str) -> ChaseReply | None:
    """The template `text` names (any case, `-` for `_`, or its number 1-4), or None."""
    wanted = text.strip().upper().replace("-", "_")
    if wanted.isdigit() and 1 <= int(wanted) <= len(CHASE_REPLIES):
        return CHASE_REPLIES[int(wanted) - 1]
    return ChaseReply.__members__.get(wanted)


class Chase(msgspec.Struct, frozen=True):
    """One chase as answers carry it (lenient): when the customer asked, and the store's answer once given."""

    asked_at: datetime
    note: str = ""  # the customer's words, if any (untrusted: safe_text when shown)
    answered_at: datetime | None = None
    reply: str | None = None  # a ChaseReply value
    minutes: int | None = None  # with PREPARING: ready in this many minutes
    text: str = ""  # with TEXT: the store's words (untrusted for the customer's app as well)
    answered_by: str | None = None  # the user id of who answered

    def __post_init__(self) -> None:
        require_times_in_range(self)


class _Body(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Request bodies are strict (see `o2o_tui.domain.requests`)."""


class ChaseBody(_Body, frozen=True):
    """POST /v1/orders/{id}/chase (the customer)."""

    note: ChaseText = ""


class ChaseReplyBody(_Body, frozen=True):
    """POST /v1/orders/{id}/chase/reply (the store): answers the latest chase. PREPARING takes `minutes`,
    TEXT takes `text` (not blank); the others take neither."""

    template: ChaseReply
    minutes: Annotated[int, Meta(ge=REPLY_MINUTES_MIN, le=REPLY_MINUTES_MAX)] | None = None
    text: ChaseText = ""


def body_problem(body: ChaseReplyBody) -> tuple[str, str] | None:
    """(field, message) when the reply's parts do not fit its template; None when it is whole."""
    if body.template is ChaseReply.PREPARING and body.minutes is None:
        return "minutes", f"minutes ({REPLY_MINUTES_MIN} to {REPLY_MINUTES_MAX}) with PREPARING"
    if body.template is ChaseReply.TEXT and blank(body.text):
        return "text", "the answer's text with TEXT"
    return None


def reply_is_true(reply: ChaseReply, order_type: str, status: str) -> bool:
    """Whether the template says what is so (Meituan's 催单 replies are offered by the order's state): "being
    prepared" while accepted or cooking, "out for delivery" once a courier has it, "ready for pickup" when a
    takeout or dine-in order is ready. The store's own words always."""
    if reply is ChaseReply.PREPARING:
        return status in ("CONFIRMED", "PREPARING")
    if reply is ChaseReply.ON_THE_WAY:
        return order_type == "DELIVERY" and status == "DISPATCHED"
    if reply is ChaseReply.READY:
        return order_type != "DELIVERY" and status == "READY_FOR_PICKUP"
    return True


def suggested_minutes(promised_ready_at: datetime | None, now: datetime, default: int = 10) -> int:
    """The minutes until the promised ready time, within the reply's bounds; `default` without one (or past it)."""
    if promised_ready_at is None or promised_ready_at <= now:
        return default
    minutes = -(-int((promised_ready_at - now).total_seconds()) // 60)  # rounded up
    return max(REPLY_MINUTES_MIN, min(REPLY_MINUTES_MAX, minutes))


def open_chase(chases: list[Chase]) -> Chase | None:
    """The latest chase when nobody answered it yet (what the queue's badge shows), else None."""
    if chases and chases[-1].answered_at is None:
        return chases[-1]
    return None

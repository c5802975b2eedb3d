"""Customer chases (催单) on the server: a customer chases its active order, the store answers the latest one.

Bounds (`o2o_tui.domain.chases`): one chase per order every CHASE_INTERVAL_MINUTES (409 `chase_too_soon`), at most
CHASES_MAX in all (409 `too_many_chases`); an ended order takes none (409 illegal_transition). The answer goes on
the latest chase (answering again replaces it: the store corrects itself); no chase to answer is a 409 `no_chase`.
An ended order takes no answer either (409 illegal_transition, to `CHASE_ANSWERED`): the customer no longer waits
for it, and its words would be written after the personal-data purge passed the order by.
"""

from __future__ import annotations

from datetime import timedelta

import msgspec

from o2o_tui.domain.chases import (
    CHASE_INTERVAL_MINUTES,
    CHASES_MAX,
    Chase,
    ChaseBody,
    ChaseReply,
    ChaseReplyBody,
    body_problem,
    reply_is_true,
)
from o2o_tui.domain.identity import Role
from o2o_tui.domain.order import ENDED_STATUSES
from o2o_tui.platform import orders
from o2o_tui.platform.context import Ctx
from o2o_tui.platform.errors import conflict, illegal_transition, validation

CHASE_ANSWERED = "CHASE_ANSWERED"  # the target an ended order's refused answer names (as `CHASED` for a chase)


def chase(ctx: Ctx, order_id: str, body: ChaseBody) -> orders.StoredOrder:
    stored = orders.visible(ctx.conn, ctx.caller, order_id, (Role.CUSTOMER,))
    order = stored.order
    if order.status in ENDED_STATUSES:
        raise illegal_transition(order.status.value, "CHASED")
    if len(order.chases) >= CHASES_MAX:
        raise conflict(f"at most {CHASES_MAX} chases on one order", code="too_many_chases")
    if order.chases and ctx.now - order.chases[-1].asked_at < timedelta(minutes=CHASE_INTERVAL_MINUTES):
        raise conflict(f"one chase every {CHASE_INTERVAL_MINUTES} minutes", code="chase_too_soon")
    asked = Chase(asked_at=ctx.now, note=body.note.strip())
    ctx.record("order", order.id, "chase")
    after = msgspec.structs.replace(order, chases=[*order.chases, asked])
    return orders.save(ctx, stored, after, "order.chased")


def reply(ctx: Ctx, order_id: str, body: ChaseReplyBody) -> orders.StoredOrder:
    stored = orders.visible(ctx.conn, ctx.caller, order_id, (Role.MERCHANT,))
    order = stored.order
    if order.status in ENDED_STATUSES:  # nobody waits for an answer now; no text joins an ended order
        raise illegal_transition(order.status.value, CHASE_ANSWERED)
    problem = body_problem(body)
    if problem is not None:
        raise validation(*problem)
    if not order.chases:
        raise conflict("the customer has not chased this order", code="no_chase")
    if not reply_is_true(body.template, order.type.value, order.status.value):
        raise conflict(f"{body.template.value} is not what the order is doing now", code="reply_not_true")
    latest = order.chases[-1]
    answered = msgspec.structs.replace(
        latest,
        answered_at=ctx.now,
        reply=body.template.value,
        minutes=body.minutes if body.template is ChaseReply.PREPARING else None,
        text=body.text.strip() if body.template is ChaseReply.TEXT else "",
        answered_by=ctx.caller.user_id,
    )
    ctx.record("order", order.id, f"chase-reply:{body.template.value}")
    after = msgspec.structs.replace(order, chases=[*order.chases[:-1], answered])
    return orders.save(ctx, stored, after, "order.chase_answered")

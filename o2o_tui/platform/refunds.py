"""Refunds and item adjustments on the server: the store's own staff (or admin) give money back on an accepted
order before handoff, or on one handed off within `refund_window_days` (`O2O_REFUND_WINDOW_DAYS`) of its end, for
a reason that fits after handoff (`o2o_tui.domain.refunds.refund_time`, `reason_fits`); every amount is computed
here (`o2o_tui.domain.refunds.plan_refund`) from the stored order. A refund needs none of the customer's personal
data: on an order whose personal data was purged already, the refund's note is blanked as it is stored, as the
purge would have (it has passed that order by).

A refund is recorded on the order (`Order.refunds`, `Totals.refunded`; the payment reads REFUNDED once all of the
total went back), in the action log with who did it (`refund:<minor units>`), and as an `order.refunded` event
that reaches the store's devices and the customer. A second refund with the same client id answers the order as
it is (a replay after the idempotency key expired).
"""

from __future__ import annotations

from datetime import timedelta

import msgspec

from o2o_tui.domain.identity import Role
from o2o_tui.domain.money import Money
from o2o_tui.domain.order import ENDED_STATUSES, Order, PaymentStatus
from o2o_tui.domain.refunds import Refund, RefundBody, RefundProblem, RefundTime, plan_refund, refund_time
from o2o_tui.platform import orders
from o2o_tui.platform.context import Ctx
from o2o_tui.platform.errors import conflict, illegal_transition, validation


def refund(ctx: Ctx, order_id: str, body: RefundBody) -> orders.StoredOrder:
    stored = orders.visible(ctx.conn, ctx.caller, order_id, (Role.MERCHANT,))
    order = stored.order
    if any(done.id == body.id for done in order.refunds):
        return stored  # this refund was made before
    window = timedelta(days=max(0.0, ctx.settings.refund_window_days))
    when = refund_time(order, ctx.now, window)
    if when is RefundTime.NOT_NOW:
        raise illegal_transition(order.status.value, "REFUNDED")
    if when is RefundTime.WINDOW_CLOSED:
        days = f"{ctx.settings.refund_window_days:g}"
        raise conflict(f"refunds after handoff are taken within {days} days of it", code="refund_window_closed")
    try:
        amount, lines = plan_refund(order, body)
    except RefundProblem as problem:
        if problem.field is not None:
            raise validation(problem.field, problem.message) from None
        raise conflict(problem.message, code=problem.code) from None
    made = Refund(
        id=body.id,
        amount=amount,
        reason_code=body.reason_code.value,
        note="" if _purged(ctx, order) else body.note.strip(),
        whole=body.whole,
        lines=lines,
        by=ctx.caller.user_id,
        by_role=ctx.caller.role.value,
        at=ctx.now,
    )
    before = order.totals.refunded.amount if order.totals.refunded is not None else 0
    refunded = Money(before + amount.amount, amount.currency)
    payment = order.payment
    if refunded.amount >= order.totals.total.amount:
        payment = msgspec.structs.replace(payment, status=PaymentStatus.REFUNDED)
    after = msgspec.structs.replace(
        order,
        refunds=[*order.refunds, made],
        totals=msgspec.structs.replace(order.totals, refunded=refunded),
        payment=payment,
    )
    ctx.record("order", order.id, f"refund:{amount.amount}")
    return orders.save(ctx, stored, after, "order.refunded")


def _purged(ctx: Ctx, order: Order) -> bool:
    """Whether the order's personal data was blanked already (`jobs.purge_personal`: ended longer ago than
    `purge_personal_hours`); that job does not come back to it, so a note stored now would stay."""
    if order.ended_at is None or order.status not in ENDED_STATUSES:
        return False
    return ctx.now - order.ended_at >= timedelta(hours=ctx.settings.purge_personal_hours)

"""Refunds and item adjustments on the server: the store's own staff (or admin) give money back on an accepted
order before handoff; every amount is computed here (`o2o_tui.domain.refunds.plan_refund`) from the stored order.

A refund is recorded on the order (`Order.refunds`, `Totals.refunded`; the payment reads REFUNDED once all of the
total went back), in the action log with who did it (`refund:<minor units>`), and as an `order.refunded` event
that reaches the store's devices and the customer. A second refund with the same client id answers the order as
it is (a replay after the idempotency key expired).
"""

from __future__ import annotations

import msgspec

from o2o_tui.domain.identity import Role
from o2o_tui.domain.money import Money
from o2o_tui.domain.order import PaymentStatus
from o2o_tui.domain.refunds import REFUNDABLE_STATUSES, Refund, RefundBody, RefundProblem, plan_refund
from o2o_tui.platform import orders
from o2o_tui.platform.context import Ctx
from o2o_tui.platform.errors import conflict, illegal_transition, validation


def refund(ctx: Ctx, order_id: str, body: RefundBody) -> orders.StoredOrder:
    stored = orders.visible(ctx.conn, ctx.caller, order_id, (Role.MERCHANT,))
    order = stored.order
    if any(done.id == body.id for done in order.refunds):
        return stored  # this refund was made before
    if order.status.value not in REFUNDABLE_STATUSES:
        raise illegal_transition(order.status.value, "REFUNDED")
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
        note=body.note.strip(),
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

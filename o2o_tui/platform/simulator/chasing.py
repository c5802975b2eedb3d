"""Simulated customers chase (催单) through the platform's chase API, and read the store's answer.

A customer chases when its plan says so (`CustomerPlan.chase_after_minutes`, decided at placing), and some more
customers chase an order that runs late: LATE_SHARE of the orders still not ready LATE_AFTER_MINUTES past their
promised time (real time: the platform's clock). Each order is chased once by the simulator; the platform's own
bounds (one per 5 minutes, 5 in all) hold anyway. The demo's backlog opens with one chased order in the kitchen,
so a newcomer sees the badge and can answer it with `y` at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from o2o_tui.client import PlatformClient
from o2o_tui.client.errors import PlatformError
from o2o_tui.domain.chases import ChaseBody
from o2o_tui.domain.order import Order, OrderStatus
from o2o_tui.i18n import t
from o2o_tui.platform.simulator.state import CustomerPlan, SimContext, Tracked

LATE_SHARE = 0.35
LATE_AFTER_MINUTES = 2.0
NOTES = ("还要多久？", "到哪了？ where is it?", "Is it ready soon?", "")
_WAITING = (OrderStatus.CONFIRMED, OrderStatus.PREPARING)


def wants_to_chase(ctx: SimContext, tracked: Tracked, plan: CustomerPlan, minutes_since_placed: float) -> bool:
    """Chase now: the plan's time has come, or the order runs late and this customer is one who chases then."""
    if "chase" in tracked.done_actions:
        return False
    if plan.chase_after_minutes is not None and minutes_since_placed >= plan.chase_after_minutes:
        return True
    order = tracked.order
    promised = order.promised_ready_at
    if order.status not in _WAITING or promised is None:
        return False
    late = datetime.now(UTC) - promised >= timedelta(minutes=LATE_AFTER_MINUTES)
    return late and ctx.rng("late-chase", order.id).random() < LATE_SHARE


def chase(ctx: SimContext, tracked: Tracked, now: datetime) -> None:
    """Send the customer's chase (errors counted and logged, never raised) and keep the order as answered."""
    order = tracked.order
    tracked.done_actions.add("chase")
    ctx.stats.chases += 1
    note = NOTES[ctx.rng("chase-note", order.id).randrange(len(NOTES))]
    try:
        updated = ctx.customer_client.act("order.chase", order.id, ChaseBody(note=note))
    except PlatformError as error:  # too soon, too many, ended meanwhile: the platform said no
        ctx.failed(f"chase:{order.id}", t("simulate.log.action_failed", action="chase"), error)
        return
    if isinstance(updated, Order):
        ctx.track(updated, now)
    ctx.log(t("simulate.log.customer_chases", number=order.display_number, status=str(order.status)))


def chase_backlog(client: PlatformClient, orders: Sequence[Order]) -> list[Order]:
    """The demo's opening: the first order in the kitchen is chased (a badge on screen from the start)."""
    result = list(orders)
    for index, order in enumerate(result):
        if order.status is OrderStatus.PREPARING:
            try:
                updated = client.act("order.chase", order.id, ChaseBody(note="还要多久？ how long still?"))
            except PlatformError:
                return result  # the demo opens without it
            if isinstance(updated, Order):
                result[index] = updated
            return result
    return result

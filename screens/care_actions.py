"""The app's side of `y` (answer a chase) and `$` (refund): check the order, ask in a dialog, queue the answer
through the source (the outbox: it works offline and is sent exactly once). Imported when first used."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import msgspec

from o2o_tui.domain.chases import ChaseReplyBody
from o2o_tui.domain.clock import date_clock
from o2o_tui.domain.order import ENDED_STATUSES
from o2o_tui.domain.refunds import (
    REFUND_ACTION,
    RefundBody,
    RefundTime,
    refund_closes_at,
    refund_time,
    refund_window,
    refunded_total,
    refused_words,
)
from o2o_tui.i18n import t
from screens import order_format as fmt
from screens.care_messages import CareRequested
from screens.order_actions import queued_key
from screens.source import ActionRefused, QueueEntry

if TYPE_CHECKING:
    from screens.app import MerchantApp


def run(app: MerchantApp, message: CareRequested) -> None:
    entry = app.source.order(message.order_id)
    if entry is None:
        app.say(t("ui.detail.gone"), severity="warning", timeout=3)
        return
    app.acknowledge(entry.order.id)
    if message.kind == "chase_reply":
        chase_reply(app, entry)
    else:
        refund(app, entry)


def chase_reply(app: MerchantApp, entry: QueueEntry) -> None:
    from screens.chase_dialog import ChaseReplyDialog

    order = entry.order
    if order.status in ENDED_STATUSES:  # the footer does not offer `y` here: pressed anyway, it says why
        app.say(t("care.chase.ended", number=order.display_number, status=fmt.status_label(order)), severity="warning")
        return
    if not order.chases:
        app.say(t("care.chase.none", number=order.display_number), severity="warning")
        return

    def answered(body: ChaseReplyBody | None) -> None:
        if body is not None:
            submit(app, entry, "order.chase_reply", body, t("sync.action.order_chase_reply"))

    app.push_screen(ChaseReplyDialog(order, app.now(), app.store_zone()), answered)


def refund(app: MerchantApp, entry: QueueEntry) -> None:
    from screens.refund_dialog import RefundDialog

    order = entry.order
    window = refund_window()
    when = refund_time(order, app.now(), window)
    if when in (RefundTime.NOT_NOW, RefundTime.WINDOW_CLOSED):  # before handoff, or handed off within the window
        app.say(refused_words(order, when, window, fmt.status_label(order)), severity="warning")
        return
    if refunded_total(order).amount >= order.totals.total.amount:
        app.say(t("care.refund.all_done", number=order.display_number), severity="warning")
        return

    def answered(body: RefundBody | None) -> None:
        if body is not None:
            submit(app, entry, "order.refund", body, t("sync.action.order_refund"))

    # this device's refunds of the order still queued go first: the dialog's refund counts them as seen
    queued = entry.pending.count(REFUND_ACTION)
    closes = refund_closes_at(order, window)  # handed off: the dialog says until when
    zone = app.store_zone()
    # "9 Dec 12:00" (the month in words: "12-10" reads as October in the UK)
    until = date_clock(closes.astimezone(zone) if zone else closes, now=datetime.now(UTC)) if closes else None
    app.push_screen(RefundDialog(order, queued=queued, until=until), answered)


def submit(app: MerchantApp, entry: QueueEntry, action: str, body: msgspec.Struct, label: str) -> None:
    order = entry.order

    async def send() -> None:
        try:
            await app.source.submit(action, order.id, body)
        except ActionRefused as refused:
            text = t("ui.action.refused", number=order.display_number, action=label, reason=refused.message)
            app.say(text, severity="error", timeout=10)
            return
        key = queued_key(app.source)
        app.say(t(key, number=order.display_number, action=label), timeout=3)

    app.run_worker(send(), group="actions", exit_on_error=False)

"""What an order's detail shows of its chases and refunds (plain parts for `order_detail.detail_parts`): the
customer's open chase (its words made safe), the last answer, each refund with its reason and note."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from o2o_tui.domain.chases import ChaseReply
from o2o_tui.domain.money import format_money
from o2o_tui.domain.order import Order
from o2o_tui.domain.refunds import reason_text
from o2o_tui.i18n import t
from o2o_tui.safe_text import safe_text

Part = str | tuple[str, str]


def _clock(when: datetime, zone: ZoneInfo | None) -> str:
    return (when.astimezone(zone) if zone else when).strftime("%H:%M")


def _reply_text(reply: str | None, minutes: int | None, text: str) -> str:
    if reply == ChaseReply.TEXT.value:
        return safe_text(text, one_line=True)
    if reply == ChaseReply.PREPARING.value and minutes is not None:
        return t("care.reply.PREPARING_minutes", minutes=minutes)
    label = t(f"care.reply.{reply}")
    return label if label != f"care.reply.{reply}" else str(reply)


def care_parts(order: Order, now: datetime, zone: ZoneInfo | None = None) -> list[Part]:
    parts: list[Part] = []
    if order.chases:
        latest = order.chases[-1]
        asked = _clock(latest.asked_at, zone)
        if latest.answered_at is None:
            parts += [(t("care.chase.detail_open", time=asked), "bold reverse")]
            note = safe_text(latest.note, one_line=True)
            parts += [f"  {note}\n" if note else "\n"]
        else:
            answer = _reply_text(latest.reply, latest.minutes, latest.text)
            parts += [(t("care.chase.detail_answered", time=asked, reply=answer), "dim"), "\n"]
    for refund in order.refunds:
        reason = safe_text(reason_text(refund), one_line=True)  # OTHER: the note typed
        parts += [(t("care.refund.detail", amount=format_money(refund.amount), reason=reason), "bold"), "\n"]
    return parts

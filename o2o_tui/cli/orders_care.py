"""`o2o orders chase-reply` and `o2o orders refund`: answer a customer's chase, refund lines or the whole order.

Both go through the outbox like every order action (`orders._act`: pushed at once, queued when offline, a
refusal filed in the conflicts with its explanation, exit codes as in the README). Registered into `o2o orders`
by `o2o_tui/cli/orders.py`.
"""

from __future__ import annotations

from typing import Any

import typer

from o2o_tui.cli.common import JsonOption, ProfileOption
from o2o_tui.cli.exits import Exit
from o2o_tui.cli.output import fail
from o2o_tui.cli.reason_words import Reason, find, listed, pick, reasons
from o2o_tui.cli.refusals import LocalRefusal
from o2o_tui.cli.sync import OnlineOption
from o2o_tui.i18n import t


def _template(text: str | None, has_text: bool) -> Any:
    from o2o_tui.domain.chases import ChaseReply, chase_reply

    if text is None:
        if has_text:
            return ChaseReply.TEXT
        raise fail(t("care.cli.error.template_or_text"), Exit.USAGE)
    found = chase_reply(text)  # a code or its number 1-4
    if found is None:
        code = find(text, _template_choices())  # the console's words, either language
        found = ChaseReply(code) if code is not None else None
    if has_text and found is not ChaseReply.TEXT:  # one answer: which of the two would it be?
        raise fail(t("care.cli.error.template_and_text"), Exit.USAGE)
    if found is None:
        return ChaseReply(pick(text, _template_choices(), "care.cli.error.template", field="template"))
    return found


def _template_choices() -> tuple[Reason, ...]:
    """The chase answers as the console's chase dialog words them (`care.reply.<CODE>`)."""
    from o2o_tui.domain.chases import CHASE_REPLIES

    return reasons(CHASE_REPLIES, "care.reply.{code}")


def _reason_choices() -> tuple[Reason, ...]:
    """The refund reasons as the console's refund dialog words them (`care.reason.<CODE>`, OTHER's "Other (say
    why)" too)."""
    from o2o_tui.domain.refunds import REFUND_REASONS, RefundReason

    return reasons(REFUND_REASONS, "care.reason.{code}", {RefundReason.OTHER: ("care.refund.other_choice",)})


def _after_handoff_words(number: str) -> str:
    """A refund after handoff says what went wrong: the reasons it takes and the one it does not, with their
    words."""
    from o2o_tui.domain.refunds import AFTER_HANDOFF_REASONS

    fits = [reason for reason in _reason_choices() if reason.code in AFTER_HANDOFF_REASONS]
    refused = [reason for reason in _reason_choices() if reason.code not in AFTER_HANDOFF_REASONS]
    return t("care.refund.reason_after_handoff", number=number, choices=listed(fits), refused=listed(refused))


def _reason(text: str) -> Any:
    """The refund reason `text` names: its code (any case) or the console's words for it, in either language
    (`reason_words`); exit 2 listing each code with its words otherwise."""
    from o2o_tui.domain.refunds import RefundReason

    return RefundReason(pick(text, _reason_choices(), "care.cli.error.reason"))


def parse_line(text: str) -> tuple[int, int | None]:
    """`2` -> (line index 1, all that is left); `2:1` -> (1, 1). Lines are numbered from 1 as `orders show`
    lists them; a bad one is exit 2."""
    number, _, quantity = text.partition(":")
    try:
        index = int(number) - 1
        qty = int(quantity) if quantity else None
    except ValueError:
        raise fail(t("care.cli.error.line", line=text), Exit.USAGE) from None
    if index < 0 or (qty is not None and qty < 1):
        raise fail(t("care.cli.error.line", line=text), Exit.USAGE)
    return index, qty


def _has_chase(view: Any, *, final: bool) -> bool:
    if view.order.chases:
        return True
    if final:
        raise LocalRefusal(t("care.chase.none", number=view.order.display_number), "no_chase")
    return False


def _chase_answer_fits(reply: Any) -> Any:
    """The chase reply's precondition: a chase to answer, and an answer that says what the order is doing (exit 4,
    nothing queued; the platform refuses it too)."""

    def check(view: Any, *, final: bool) -> bool:
        from o2o_tui.domain.chases import reply_is_true
        from o2o_tui.domain.order import ENDED_STATUSES
        from o2o_tui.sync.explain import status_label

        order = view.order
        if order.status in ENDED_STATUSES:  # the platform takes no answer on an ended order (as the console)
            if final:
                status = status_label(order.status.value)
                said = t("care.chase.ended", number=order.display_number, status=status)
                raise LocalRefusal(said, "illegal_transition", **{"from": order.status.value})
            return False
        if not _has_chase(view, final=final):
            return False
        if reply_is_true(reply, order.type.value, order.status.value):
            return True
        if final:
            status = status_label(order.status.value)
            said = t("care.cli.error.reply_not_true", number=order.display_number, status=status)
            raise LocalRefusal(said, "reply_not_true")
        return False

    return check


def _window_reason(order: Any, when: Any) -> tuple[str, dict[str, Any]]:
    """The platform's code for a refund refused for its time: `refund_window_closed` after the window, else
    (not accepted yet, with the courier, cancelled) `illegal_transition` from the order's status."""
    from o2o_tui.domain.refunds import RefundTime

    if when is RefundTime.WINDOW_CLOSED:
        return "refund_window_closed", {}
    return "illegal_transition", {"from": order.status.value, "to": "REFUNDED"}


def _refundable(view: Any, *, final: bool) -> bool:
    """A refund's precondition: an accepted order before handoff, or one handed off within the refund window
    (`O2O_REFUND_WINDOW_DAYS`), with money left to give back (exit 4, nothing queued; the platform refuses it too).
    Refunds only ever add up, so a cache that says all went back is right."""
    from datetime import UTC, datetime

    from o2o_tui.domain.money import format_money
    from o2o_tui.domain.order import PaymentStatus
    from o2o_tui.domain.refunds import RefundTime, refund_time, refund_window, refunded_total, refused_words
    from o2o_tui.domain.transitions import shown_status
    from o2o_tui.sync.explain import status_label

    order = view.order
    window = refund_window()
    when = refund_time(order, datetime.now(UTC), window)
    if when in (RefundTime.NOT_NOW, RefundTime.WINDOW_CLOSED):
        if final:
            status = status_label(shown_status(order.status, order.type))
            code, fields = _window_reason(order, when)
            raise LocalRefusal(refused_words(order, when, window, status), code, **fields)
        return False
    refunded = refunded_total(order)
    if order.payment.status is PaymentStatus.REFUNDED or refunded.amount >= order.totals.total.amount:
        # futile: sent, it would only be refused and wait in the conflicts; no pull can make money left again
        amount = format_money(refunded if refunded.amount else order.totals.total)
        said = t("care.cli.error.nothing_left", number=order.display_number, amount=amount)
        raise LocalRefusal(said, "refund_too_large")
    return True


def _refuse_pruned(profile_name: str | None, reference: str) -> None:
    """A refund of an order this device no longer caches: devices drop an ended order after
    `O2O_REFUND_WINDOW_DAYS`, so the platform is asked (GET the order). An order it knows that takes no refund now
    (the window closed) is refused as `_refundable` refuses it (exit 4, nothing queued), never as "no such
    order"; anything else (cached, an order nobody knows, no link, no cache) goes on to `_act`, which says it."""
    import re
    from datetime import UTC, datetime

    from o2o_tui.cli.common import open_client
    from o2o_tui.client.errors import PlatformError
    from o2o_tui.domain.limits import ID_PATTERN
    from o2o_tui.domain.refunds import RefundTime, refund_time, refund_window, refused_words
    from o2o_tui.domain.transitions import shown_status
    from o2o_tui.sync.explain import status_label
    from o2o_tui.sync.read_model import ReadModel
    from o2o_tui.sync.session import profile_cache

    wanted = reference.strip()
    if not re.fullmatch(ID_PATTERN, wanted):  # a day number or a typo with '#': only an id names a pruned order
        return
    try:
        with profile_cache(profile_name, read_only=True) as (profile, cache):
            found = ReadModel(cache).resolve_order(wanted)
    except Exception:  # no profile, no cache yet, unreadable: `_act` says what is wrong
        return
    if found.found is not None or found.ambiguous or profile.role == "courier":
        return
    try:
        with open_client(profile) as client:
            order = client.get_order(wanted)
    except PlatformError:  # unknown to the platform too, or no link: "no such order" as before
        return
    window = refund_window()
    when = refund_time(order, datetime.now(UTC), window)
    if when in (RefundTime.NOT_NOW, RefundTime.WINDOW_CLOSED):
        status = status_label(shown_status(order.status, order.type))
        code, fields = _window_reason(order, when)
        raise LocalRefusal(refused_words(order, when, window, status), code, **fields).exit()


def _same_items(queued: Any, whole: bool, lines: list[Any]) -> bool:
    """Whether a queued refund gives back what this one asks for: the whole order (all that is left: any refund
    asked after it), or the same units of the same lines."""

    def units(parts: list[Any]) -> dict[int, int]:
        counted: dict[int, int] = {}
        for part in parts:
            counted[part.line] = counted.get(part.line, 0) + part.quantity
        return counted

    return queued.whole or (not whole and units(queued.lines) == units(lines))


def _queued_twin(profile_name: str | None, cache: Any, order: Any, entry: Any, *, online: bool, as_json: bool) -> Any:
    """The same refund is queued already (`entry`): this one is not queued too. Sent now when the platform is
    back, and said as that refund's outcome; still waiting, said with when it was queued (exit as a queued
    action: 0, or 3 with `--online`). Raises the command's exit."""
    import asyncio
    import contextlib

    from o2o_tui.cli.output import emit_json, say
    from o2o_tui.cli.sync import report_outcome
    from o2o_tui.client.errors import PlatformError
    from o2o_tui.config import load_profile
    from o2o_tui.domain.clock import stored_clock
    from o2o_tui.sync.explain import explain
    from o2o_tui.sync.perform import ActionResult, Outcome, refresh
    from o2o_tui.sync.read_model import ReadModel

    store = ReadModel(cache).store(order.store_id)
    at = stored_clock(entry.occurred_at, store.timezone if store is not None else None)
    with contextlib.suppress(PlatformError):
        asyncio.run(refresh(load_profile(profile_name), cache))
    now = cache.outbox.get(entry.key)
    number = order.display_number
    if now is None or now.rejection is not None:  # answered now: its outcome is this refund's
        if now is None:
            result = ActionResult(Outcome.DONE, key=entry.key, action=entry.action, target=entry.target)
        else:
            reason = dict(now.rejection)
            result = ActionResult(
                Outcome.REJECTED,
                key=entry.key,
                action=entry.action,
                target=entry.target,
                reason=reason,
                explanation=explain(reason, action=entry.action, target=entry.target),
            )
        done = t("care.cli.done.refund_queued_sent", number=number, at=at)
        report_outcome(result, as_json=as_json, online=online, done_message=done)
        return typer.Exit(int(Exit.OK))
    said = t("care.cli.refund.queued_before", number=number, at=at)
    if as_json:
        emit_json(
            {
                "outcome": "queued",
                "already_queued": True,
                "action": entry.action,
                "target": entry.target,
                "key": entry.key,
                "queued_at": entry.occurred_at,
                "explanation": said,
            }
        )
    else:
        say(said)
    return typer.Exit(int(Exit.OFFLINE if online else Exit.OK))


def refund_json(view: Any) -> dict[str, Any]:
    """The order as `o2o orders refund --json` gives it: each refund line carries `line_number`, the line as
    `--line N` takes it and `o2o orders show` numbers it (from 1), beside the platform's `line` (from 0, the
    API's field, kept)."""
    from o2o_tui.cli.orders import order_json

    data = order_json(view)
    for refund in data.get("refunds") or []:
        parts = refund.get("lines") if isinstance(refund, dict) else None
        for part in parts if isinstance(parts, list) else []:
            if isinstance(part, dict) and isinstance(part.get("line"), int):
                part["line_number"] = part["line"] + 1
    return data


def register(orders: typer.Typer) -> None:
    """Add `chase-reply` and `refund` to the `o2o orders` group."""
    from o2o_tui.cli.orders import IdArgument, _act, _lookup

    @orders.command("chase-reply", help=t("care.cli.chase_reply.help"))
    def chase_reply(
        order_id: str = IdArgument,
        template: str | None = typer.Option(
            None, "--template", help=t("care.cli.option.template", choices=listed(_template_choices()))
        ),
        minutes: int | None = typer.Option(None, "--minutes", min=1, max=240, help=t("care.cli.option.minutes")),
        text: str | None = typer.Option(None, "--text", help=t("care.cli.option.text")),
        online: bool = OnlineOption,
        profile: str | None = ProfileOption,
        as_json: bool = JsonOption,
    ) -> None:
        from datetime import UTC, datetime

        from o2o_tui.domain.chases import ChaseReply, ChaseReplyBody, suggested_minutes
        from o2o_tui.domain.limits import blank

        chosen = _template(template, text is not None)
        if chosen is ChaseReply.TEXT and blank(text or ""):
            raise fail(t("care.chase.text_required"), Exit.USAGE)

        def body(cache: Any) -> ChaseReplyBody:
            if chosen is ChaseReply.PREPARING:
                view = _lookup(cache, order_id)  # a number shared since _act found it is a usage error too
                promised = view.order.promised_ready_at if view is not None else None
                wanted = minutes or suggested_minutes(promised, datetime.now(UTC))
                return ChaseReplyBody(template=chosen, minutes=wanted)
            return ChaseReplyBody(template=chosen, text=(text or "").strip() if chosen is ChaseReply.TEXT else "")

        _act(
            profile,
            order_id,
            "order.chase_reply",
            body,
            online=online,
            as_json=as_json,
            done_key="care.cli.done.chase_reply",
            precondition=_chase_answer_fits(chosen),
        )

    @orders.command("refund", help=t("care.cli.refund.help"))
    def refund(
        order_id: str = IdArgument,
        whole: bool = typer.Option(False, "--all", help=t("care.cli.option.all")),
        lines: list[str] | None = typer.Option(None, "--line", help=t("care.cli.option.line")),
        reason: str = typer.Option(
            ..., "--reason", help=t("care.cli.option.reason", choices=listed(_reason_choices()))
        ),
        note: str = typer.Option("", "--note", help=t("care.cli.option.note")),
        again: bool = typer.Option(False, "--again", help=t("care.cli.option.again")),
        online: bool = OnlineOption,
        profile: str | None = ProfileOption,
        as_json: bool = JsonOption,
    ) -> None:
        import uuid

        from o2o_tui.domain.limits import blank
        from o2o_tui.domain.refunds import (
            RefundBody,
            RefundLineIn,
            RefundReason,
            queued_refunds,
            reason_fits,
            refunded_quantities,
            seen_refunds,
        )

        code = _reason(reason)
        if code is RefundReason.OTHER and blank(note):  # the platform's rule, said before anything is queued
            raise fail(t("care.cli.error.other_needs_note"), Exit.USAGE)
        wanted = [parse_line(text) for text in lines or []]
        if whole == bool(wanted):
            raise fail(t("care.cli.error.all_or_lines"), Exit.USAGE)
        refund_id = uuid.uuid4().hex
        _refuse_pruned(profile, order_id)  # an order pruned here after the window: the platform still knows it

        def body(cache: Any) -> RefundBody:
            view = _lookup(cache, order_id)  # a number shared since _act found it is a usage error too
            assert view is not None  # _act found it
            order = view.order
            if not reason_fits(order, code):  # the platform's rule after handoff, said before anything is queued
                raise LocalRefusal(_after_handoff_words(order.display_number), "validation", field="reason_code")
            done = refunded_quantities(order)
            parts = []
            for index, quantity in wanted:
                if index >= len(order.lines):
                    raise fail(t("care.cli.error.no_line", line=index + 1, count=len(order.lines)), Exit.USAGE)
                left = order.lines[index].quantity - done[index]
                if (quantity or 1) > left:  # more than is left of the line: refused here, nothing sent
                    ordered = order.lines[index].quantity
                    message = t("care.cli.error.line_left", line=index + 1, left=left, ordered=ordered)
                    raise LocalRefusal(message, "refund_too_large")
                parts.append(RefundLineIn(line=index, quantity=quantity or left))
            queued = queued_refunds(order, cache.outbox.pending_for(order.id))
            twin = next((entry for entry, body in queued if _same_items(body, whole, parts)), None)
            if twin is not None and not again:
                raise _queued_twin(profile, cache, order, twin, online=online, as_json=as_json)
            # what this person saw: the refunds the order has and this device's own still queued before this one
            # (sent first); a refund made meanwhile by another device makes the platform refuse it as stale
            seen = seen_refunds(order, len(queued))
            return RefundBody(
                id=refund_id, reason_code=code, whole=whole, lines=parts, note=note.strip(), seen_refunds=seen
            )

        _act(
            profile,
            order_id,
            "order.refund",
            body,
            online=online,
            as_json=as_json,
            done_key="care.cli.done.refund",
            precondition=_refundable,
            json_order=refund_json,
        )


def show_lines(order: Any, zone: Any) -> list[str]:
    """`o2o orders show`: the latest chase (answered or not) and each refund, for a person."""
    from o2o_tui.domain.money import format_money
    from o2o_tui.domain.refunds import reason_text
    from o2o_tui.safe_text import safe_text

    lines: list[str] = []
    if order.chases:
        chase = order.chases[-1]
        asked = chase.asked_at.astimezone(zone).strftime("%H:%M")
        if chase.answered_at is None:
            note = safe_text(chase.note, one_line=True)
            lines.append(t("care.chase.detail_open", time=asked) + (f"  {note}" if note else ""))
        else:
            if chase.reply == "TEXT":
                reply = safe_text(chase.text, one_line=True)
            elif chase.reply == "PREPARING" and chase.minutes is not None:
                reply = t("care.reply.PREPARING_minutes", minutes=chase.minutes)
            else:
                reply = t(f"care.reply.{chase.reply}")
            lines.append(t("care.chase.detail_answered", time=asked, reply=reply))
    for refund in order.refunds:
        reason = safe_text(reason_text(refund), one_line=True)  # OTHER: the note typed
        lines.append(t("care.refund.detail", amount=format_money(refund.amount), reason=reason))
    return lines

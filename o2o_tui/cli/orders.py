"""`o2o orders`: list and show from the offline cache; accept, reject, preparing, ready, handoff, cancel and
answering cancellation requests through the outbox (pushed at once, queued when offline).

Kept light: the read commands import only the cache and the read model (no engine, no Textual).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import typer

from o2o_tui.cli.cache_errors import cache_errors
from o2o_tui.cli.common import JsonOption, ProfileOption, fill_new_cache, handle_errors
from o2o_tui.cli.exits import Exit
from o2o_tui.cli.output import emit_json, fail, say, warn
from o2o_tui.cli.refusals import LocalRefusal, illegal_transition
from o2o_tui.cli.sync import OnlineOption, cli_cache, report_outcome, say_cache_age
from o2o_tui.client.errors import PlatformError
from o2o_tui.domain.limits import DENY_REASON, PREP_MINUTES_MAX, PREP_MINUTES_MIN
from o2o_tui.i18n import t
from o2o_tui.sync.rejection import CLI_ACCEPTS

IdArgument = typer.Argument(..., help=t("orders.arg.id"))


def _summary(view: Any, zone: Any) -> str:
    """One line for an order; its times on `zone` (the store's, `_store_zone`)."""
    from o2o_tui.domain.money import format_money
    from o2o_tui.domain.transitions import shown_status
    from o2o_tui.safe_text import safe_text

    order = view.order
    line = t(
        "orders.row",
        number=order.display_number,
        status=t("orders.status." + shown_status(order.status, order.type).lower()),  # the console's words
        type=t("orders.type." + str(order.type).lower()),
        total=format_money(order.totals.total),
        customer=safe_text(order.customer.name, one_line=True),
    )
    if order.cancellation is not None:
        line += "  " + t(_cancel_request_mark(order.cancellation.requested_by))
    for lock in _code_locks(order, zone):
        line += "  " + lock
    held = getattr(order, "food_with_courier", None)
    if held is not None:  # a courier's refused pickup left the bag with them (the console's "Food out")
        line += "  " + t("orders.food_out", name=safe_text(held.courier_name, one_line=True))
    if view.is_pending:
        from o2o_tui.sync.explain import action_label  # the console's words ("start of preparation")

        line += "  " + t("orders.pending", actions=", ".join(action_label(action) for action in view.pending))
    if order.held_until is not None and str(order.status) == "CREATED":  # an order for later, not live yet
        line += "  " + _scheduled_mark(order, zone)
    if order.closed_at_promise is not None and str(order.status) == "CREATED":  # the hours closed its promise
        line += "  " + t("orders.closed_at_promise_mark")
    return line


def _scheduled_mark(order: Any, zone: Any) -> str:
    """`[for 9 Dec 13:10, rings at 12:55]`: a held order's promised time and prep start (the store's clock)."""
    from datetime import UTC, datetime

    from o2o_tui.domain.clock import date_clock
    from o2o_tui.domain.schedule import promised_time

    promised = promised_time(order) or order.held_until
    return t(
        "orders.scheduled_mark",
        when=date_clock(promised.astimezone(zone), now=datetime.now(UTC)),  # "9 Dec 13:10", never "12-09"
        due=order.held_until.astimezone(zone).strftime("%H:%M"),
    )


def _code_locks(order: Any, zone: Any) -> list[str]:
    """`[pickup code locked until 12:34]` for each code still locked (after too many wrong codes)."""
    from datetime import UTC, datetime

    return [
        t(
            "orders.code_locked",
            kind=t(f"ui.code_kind.{lock.kind}"),
            until=lock.until.astimezone(zone).strftime("%H:%M"),
        )
        for lock in order.locked_codes(datetime.now(UTC))
    ]


def _not_for_couriers(profile: Any) -> None:
    """A courier sees deliveries, not the store's orders: say so instead of an empty list or "not found"."""
    if profile.role == "courier":
        raise fail(t("orders.error.courier", profile=profile.name), Exit.USAGE)


def _status_words(text: str) -> str:
    return " ".join(text.replace("_", " ").replace("-", " ").split()).casefold()


# not an API status: what `--status` calls the live orders with an open cancellation request, the ones the console's
# queue shows as "Cancel?" ("CXL?", 要取消？, 退单) and the list marks "[cancellation requested]", whatever their status
CANCEL_REQUESTED = "CANCELLATION_REQUESTED"
_ASKERS = ("CUSTOMER", "MERCHANT", "PLATFORM", "COURIER")


def _cancel_request_mark(asker: object) -> str:
    """The list's mark for a request, by who asked ("[顾客申请取消]", "[平台申请取消]": an admin's is the platform's)."""
    party = str(getattr(asker, "value", asker))
    return "orders.cancellation_requested" if party == "CUSTOMER" else f"orders.cancellation_requested.{party}"


_CANCEL_REQUEST_WORDS = (
    "queue.row.cancel_request",
    "queue.row.cancel_request_short",
    *(_cancel_request_mark(party) for party in _ASKERS),
)


def _cancel_requested(order: Any) -> bool:
    """The console's "Cancel?" row: a cancellation request waits for the store's answer on a live order."""
    from o2o_tui.domain.order import ENDED_STATUSES

    return order.cancellation is not None and order.status not in ENDED_STATUSES


# the words an earlier release showed for a status and took in `--status`, since renamed in the catalogs (git log -p
# -S'ON THE WAY' -- o2o_tui/i18n): shop scripts still filter on them, so they stay accepted (not offered in the help)
_PREVIOUS_STATUS_WORDS: dict[str, tuple[str, ...]] = {
    "PREPARING": ("备餐中",),
    "READY_FOR_PICKUP": ("已出餐",),
    "DISPATCHED": ("ON THE WAY",),
    "CONCLUDED": ("CONCLUDED",),  # the API name too
}


def status_choices() -> dict[str, str]:
    """Every word `--status` takes, normalized, to the API status it names: the API names (CREATED, ...) and
    the words the list and the console show in each language (NEW, READY, RDY, 新订单, 待取餐, 待取, ...); a
    handed-off takeout's PICKED UP and a dine-in order's SERVED name DELIVERED. The console's words for an order
    with an open cancellation request (Cancel?, CXL?, 要取消？, 退单, the list's mark with or without its brackets) and
    CANCELLATION_REQUESTED name `CANCEL_REQUESTED`. The words an earlier release showed (ON THE WAY, 备餐中, 已出餐:
    `_PREVIOUS_STATUS_WORDS`) still name theirs."""
    from o2o_tui.domain.order import OrderStatus, OrderType
    from o2o_tui.domain.transitions import shown_status
    from o2o_tui.i18n import SUPPORTED, catalog

    named = {status.value: status.value for status in OrderStatus}
    named |= {shown_status(OrderStatus.DELIVERED, kind): OrderStatus.DELIVERED.value for kind in OrderType}
    choices: dict[str, str] = {}
    for name, status in named.items():
        choices[_status_words(status)] = status
        for lang in SUPPORTED:
            words = catalog(lang)
            for key in (f"orders.status.{name.lower()}", f"ui.status.{name}", f"ui.status_short.{name}"):
                if words.get(key):
                    choices.setdefault(_status_words(words[key]), status)
    for status, previous in _PREVIOUS_STATUS_WORDS.items():
        for earlier in previous:
            choices.setdefault(_status_words(earlier), status)  # never over a word shown now
    choices.setdefault(_status_words(CANCEL_REQUESTED), CANCEL_REQUESTED)
    for lang in SUPPORTED:
        words = catalog(lang)
        for key in _CANCEL_REQUEST_WORDS:
            for word in (words.get(key), words.get(key, "").strip("[]【】 ")):  # the mark with its brackets or not
                if word:
                    choices.setdefault(_status_words(word), CANCEL_REQUESTED)
    return choices


def parse_status(text: str) -> str:
    """The API status `text` names, or exit 2 listing the choices (each API name with the word the list shows)."""
    from o2o_tui.domain.order import OrderStatus

    found = status_choices().get(_status_words(text))
    if found is not None:
        return found
    shown = ", ".join(f"{s.value} ({t('orders.status.' + s.value.lower())})" for s in OrderStatus)
    shown += f", {CANCEL_REQUESTED} ({t('queue.row.cancel_request')})"
    raise fail(t("orders.error.status", status=text, choices=shown), Exit.USAGE)


def _merchant_reason(text: str, error_key: str) -> str:
    """The code `text` names for a reject or a cancel: a merchant ends an order with the same codes as a reject (the
    ones the console has words for), so the other counters show "Cancelled: Too busy", never a made-up code; typed
    as the code (any case) or the console's words in either language; exit 2 saying `error_key` with each code and
    its words listed otherwise."""
    from o2o_tui.cli.reason_words import pick

    return pick(text, _merchant_reasons(), error_key)


def _merchant_reasons() -> tuple[Any, ...]:
    """A store's reject and cancel codes as the console's reject dialog words them (`ui.reason.<CODE>`): each is
    typed as its code (any case) or those words in either language (`reason_words`)."""
    from o2o_tui.cli.reason_words import reasons
    from o2o_tui.domain.limits import REJECT_REASONS

    return reasons(REJECT_REASONS, "ui.reason.{code}")


def _merchant_reasons_help(key: str) -> str:
    from o2o_tui.cli.reason_words import listed

    return t(key, choices=listed(_merchant_reasons()))


def _deny_reasons() -> tuple[Any, ...]:
    """The deny codes the platform takes, in the words the reports and `orders show` give them (`reason.<CODE>`)."""
    from o2o_tui.cli.reason_words import reasons
    from o2o_tui.domain.cancel_reasons import DENY_REASONS

    return reasons(DENY_REASONS, "reason.{code}")


def _deny_reason(text: str) -> str:
    """Why a store keeps an order a customer asked to cancel: one of the deny codes the platform takes, as its code
    (any case) or its words in either language (`reason_words`); exit 2 listing them otherwise, nothing queued."""
    from o2o_tui.cli.reason_words import pick

    return pick(text, _deny_reasons(), "orders.error.deny_reason")


def _deny_reasons_help() -> str:
    from o2o_tui.cli.reason_words import listed

    return t("orders.option.deny_reason", choices=listed(_deny_reasons()))


def _cancellation_pending(view: Any, *, final: bool) -> bool:
    """Answering a cancellation request (accept or deny) needs one. The platform takes a "deny" of an order
    without a request as done (nothing to clear), so the CLI checks, or a script would read "denied" for a request
    nobody made; it refuses an "accept" (409), which would be queued and left as a refused action. Exit 4 (refused
    for good, as an illegal transition is): the arguments were right, the order's state is not; nothing is queued, so `o2o conflicts list` stays empty."""
    if view.order.cancellation is not None:
        return True
    if final:
        said = t("orders.error.no_cancellation", number=view.order.display_number)
        raise LocalRefusal(said, "no_cancellation_request")
    return False


def _food_out(view: Any, *, final: bool) -> bool:
    """`food-received` needs a courier to have the order's food (`food_with_courier`): the platform refuses it
    otherwise (409 `no_food_with_courier`), so the CLI says so first: exit 4, nothing queued, once a fresh pull
    agrees with the cache (the courier may have brought it back and said so meanwhile)."""
    if getattr(view.order, "food_with_courier", None) is not None:
        return True
    if final:
        raise LocalRefusal(t("orders.error.no_food_out", number=view.order.display_number), "no_food_with_courier")
    return False


def _fits_type(action: str) -> Any:
    """A precondition: the action exists for the order's type (a delivery is collected by its courier, never
    handed off). Exit 4 like an illegal transition, with the reason, and nothing queued (no conflict filed)."""
    from o2o_tui.domain.transitions import OrderAction
    from o2o_tui.sync.explain import wrong_type

    def check(view: Any, *, final: bool) -> bool:
        refusal = wrong_type(OrderAction(action), view.order.type, view.order.display_number)
        if refusal is not None:  # the platform's transition table refuses it for the type: illegal_transition
            raise LocalRefusal(refusal, "illegal_transition", **illegal_transition(view.order.status, action))
        return True

    return check


def ended_refusal(order: Any, action: str) -> str | None:
    """Why `action` (an order step: "ready", "cancel", ...) cannot apply to `order` as cached because the order
    ended (handed over, concluded, cancelled: on the platform, or by an action this device queued), in the
    console's words (`ui.action.already` / `ui.action.not_now`, as `console_refusal` says an accept's); None when
    the order has not ended, or the step still applies to it."""
    from o2o_tui.domain.order import ENDED_STATUSES
    from o2o_tui.domain.transitions import OrderAction, TransitionCheck, check_order_transition, shown_status

    if order.status not in ENDED_STATUSES:
        return None
    verb = OrderAction(action)
    check = check_order_transition(order.status, order.type, verb)
    if check is TransitionCheck.APPLY:
        return None
    if check is TransitionCheck.ALREADY and verb is OrderAction.HANDOFF:
        return None  # a handoff again (a script's retry, a code scanned twice) is done already: exit 0, as redeem
    key = "ui.action.already" if check is TransitionCheck.ALREADY else "ui.action.not_now"
    status = t(f"ui.status.{shown_status(order.status, order.type)}")
    # the console's `ui.action.cancel` is its answer to a cancellation request: the store's own cancel has its word
    word = t("orders.action.cancel") if verb is OrderAction.CANCEL else t(f"ui.action.{verb.value}")
    return t(key, number=order.display_number, status=status, action=word)


def _not_ended(action: str) -> Any:
    """A precondition: the order as cached has not ended, so the platform would not refuse `action` for it (a
    Ready behind a cancel, a cancel of a handed-off order). Exit 4 in the console's words, nothing queued (no
    conflict filed, no "actions refused" in the console), once a fresh pull agrees with the cache; the same
    action already queued here goes on (the order shows what it will do)."""

    def check(view: Any, *, final: bool) -> bool:
        refusal = ended_refusal(view.order, action)
        if refusal is None or f"order.{action}" in view.pending:
            return True
        if final:
            raise LocalRefusal(refusal, "illegal_transition", **illegal_transition(view.order.status, action))
        return False

    return check


def _not_too_early(action: str) -> Any:
    """A precondition: the order has reached the step before `action` (a handoff needs it ready, ready needs it
    accepted) and has not ended (`_not_ended`). Exit 4 with the step to do first, or that it ended, nothing
    queued, once a fresh pull agrees with the cache."""
    from o2o_tui.domain.transitions import OrderAction
    from o2o_tui.sync.explain import too_early

    ended = _not_ended(action)

    def check(view: Any, *, final: bool) -> bool:
        if not ended(view, final=final):
            return False
        order = view.order
        refusal = too_early(OrderAction(action), order.status, order.type, order.display_number)
        if refusal is None and f"order.{action}" not in view.pending:
            refusal = moved_on_refusal(order, action)  # `preparing` of an order already Ready: not sent either
        if refusal is None:
            return True
        if final:
            raise LocalRefusal(refusal, "illegal_transition", **illegal_transition(order.status, action))
        return False

    return check


def moved_on_refusal(order: Any, action: str) -> str | None:
    """Why `action` ("preparing", "ready") no longer applies to `order` as cached, which went past it (a start of
    preparation of an order already Ready or out), in the console's words (`ui.action.not_now`), saying nothing was
    sent; None when it applies, or is where the order is already (the platform answers that as done)."""
    from o2o_tui.domain.transitions import OrderAction, TransitionCheck, check_order_transition, shown_status

    verb = OrderAction(action)
    if check_order_transition(order.status, order.type, verb) is not TransitionCheck.ILLEGAL:
        return None
    status = t(f"ui.status.{shown_status(order.status, order.type)}")
    said = t("ui.action.not_now", number=order.display_number, status=status, action=t(f"ui.action.{verb.value}"))
    return t("orders.refused.nothing_sent", said=said)


def console_refusal(order: Any, action: str) -> str | None:
    """Why the console's key refuses `action` ("order.confirm" / "order.reject") on `order` as cached, in its words
    (screens/order_actions.py `_check`): another counter accepted it, it ended, ...; None when it applies."""
    from o2o_tui.domain.transitions import OrderAction, TransitionCheck, check_order_transition, shown_status
    from o2o_tui.sync.explain import too_early, wrong_type

    verb = OrderAction.CONFIRM if action == "order.confirm" else OrderAction.REJECT
    number = order.display_number
    refusal = wrong_type(verb, order.type, number) or too_early(verb, order.status, order.type, number)
    if refusal is not None:
        return refusal
    check = check_order_transition(order.status, order.type, verb)
    if check is TransitionCheck.APPLY:
        return None
    key = "ui.action.already" if check is TransitionCheck.ALREADY else "ui.action.not_now"
    status = t(f"ui.status.{shown_status(order.status, order.type)}")
    said = t(key, number=number, status=status, action=t(f"ui.action.{verb.value}"))
    cancel = check_order_transition(order.status, order.type, OrderAction.CANCEL) is TransitionCheck.APPLY
    if verb is OrderAction.REJECT and cancel:  # accepted already: the store takes it back by cancelling it
        said += " " + t("orders.refused.cancel_instead", number=str(order.number))
    return said


def console_reason(order: Any, action: str) -> tuple[str, dict[str, Any]]:
    """The platform's code for what `console_refusal` refuses (with its `from`, `to`): an accept of an order
    accepted already is `already_accepted` (with the minutes that stand), anything else `illegal_transition`."""
    from o2o_tui.domain.transitions import OrderAction

    verb = OrderAction.CONFIRM if action == "order.confirm" else OrderAction.REJECT
    fields = illegal_transition(order.status, verb.value)
    if verb is OrderAction.CONFIRM and str(order.status) in _ACCEPTED:
        return "already_accepted", {**fields, "preparation_minutes": order.preparation_minutes}
    return "illegal_transition", fields


def _as_console(action: str, cache: Any = None) -> Any:
    """A precondition: the order as cached still takes `action` (the console's check). Exit 4 in the console's
    words, nothing queued (no conflict filed), once a fresh pull agrees with the cache; an accept of an order
    accepted before also says that accept's time, ready time and minutes (`cache`: the store's clock)."""

    def check(view: Any, *, final: bool) -> bool:
        order = view.order
        if "order.confirm" in view.pending:  # this profile's own accept still queued shows it accepted: sent on
            return True
        refusal = console_refusal(order, action)
        if refusal is None:
            return True
        if not final:
            return False
        if action == "order.confirm" and order.confirmed_at is not None and cache is not None:
            refusal += "\n" + t("orders.refused.accepted_before", number=order.display_number,
                                **_accept_times(order, cache))  # fmt: skip
        code, fields = console_reason(order, action)
        raise LocalRefusal(refusal, code, **fields)

    return check


def _handoff_check(code: str) -> Any:
    """The handoff's precondition: the action fits the order's type, and a code that differs from the order's
    pickup code as cached is refused here (exit 4, nothing sent: a wrong try sent counts toward the code's lock).
    No cached code: the platform checks it."""
    fits = _fits_type("handoff")
    ended = _not_ended("handoff")
    ready = _not_too_early("handoff")

    def check(view: Any, *, final: bool) -> bool:
        fits(view, final=final)
        if not ended(view, final=final):  # an ended order's code may be a new order's now: never checked
            return False
        expected = view.order.pickup_code
        if expected and code.strip() != expected:
            raise LocalRefusal(t("orders.error.wrong_code", number=view.order.display_number), "wrong_code")
        return bool(ready(view, final=final))

    return check


def _lookup(cache: Any, reference: str) -> Any:
    """The order's view, or None; a reference that names several orders (`ReadModel.resolve_order`: an id prefix,
    or a day number while another order with it is still open) is a usage error."""
    from o2o_tui.sync.read_model import ReadModel

    model = ReadModel(cache)
    found = model.resolve_order(reference)
    if found.ambiguous and found.number is not None:
        today = _not_held_for_another_day(cache, model, found.candidates)
        if len(today) == 1:  # today's order: one for later still held for another day does not compete
            return model.order_by_id(today[0])
        _refuse_shared_number(cache, model, reference, tuple(today) or found.candidates)
    if found.ambiguous:
        message = t("orders.error.ambiguous", ref=reference, count=len(found.candidates))
        raise fail(message, Exit.USAGE)
    return None if found.found is None else model.order_by_id(found.found)


def _not_held_for_another_day(cache: Any, model: Any, order_ids: tuple[str, ...]) -> list[str]:
    """The orders among `order_ids` that compete for a day number typed today: not one for later still held
    and due on another day of the store's clock (as the console, which looks at today's queue only); such an
    order is still named by its id."""
    from datetime import UTC, datetime

    from o2o_tui.domain.schedule import is_held, promised_time

    zone = _store_zone(cache)
    today = datetime.now(UTC).astimezone(zone).date()
    kept = []
    for order_id in order_ids:
        view = model.order_by_id(order_id)
        promised = None if view is None or not is_held(view.order) else promised_time(view.order)
        if promised is None or promised.astimezone(zone).date() == today:
            kept.append(order_id)
    return kept


def _refuse_shared_number(cache: Any, model: Any, reference: str, order_ids: tuple[str, ...]) -> None:
    """Exit 2 listing the orders with the number `reference` named: the person may mean either, so nothing is
    acted on."""
    zone = _store_zone(cache)
    views = [found for found in (model.order_by_id(order_id) for order_id in order_ids) if found is not None]
    views.sort(key=lambda found: found.order.created_at, reverse=True)
    lines = [t("orders.error.ambiguous_number", ref=reference, count=len(views))]
    lines += [t("orders.error.candidate", id=found.order.id, summary=_summary(found, zone)) for found in views]
    raise fail("\n".join(lines), Exit.USAGE)


def _find(cache: Any, reference: str) -> Any:
    view = _lookup(cache, reference)
    if view is None:
        raise fail(t("orders.error.not_found", ref=reference), Exit.NOT_FOUND)
    return view


def usable_pickup_code(order: Any) -> str | None:
    """The pickup code while it can still be handed over (`Order.usable_pickup_code`: the console's detail
    keeps the same rule); None once the order ended."""
    code: str | None = order.usable_pickup_code()
    return code


def order_json(view: Any) -> dict[str, Any]:
    """An order as `--json` gives it: the read model's document, `pickup_code` null once the order ended (the
    key stays, so a script reading it finds it)."""
    data: dict[str, Any] = view.to_json()
    data["pickup_code"] = usable_pickup_code(view.order)
    return data


def _courier_note(cache: Any, order: Any) -> Any:
    """The order's courier as the cache knows it (`courier_stage.CourierNote`: name, off duty), None when it has
    none or the cache does not hold it (a platform courier the store cannot read)."""
    if not order.courier_id:
        return None
    from o2o_tui.courier_stage import courier_notes
    from o2o_tui.sync.read_model import ReadModel

    return courier_notes(ReadModel(cache).couriers()).get(order.courier_id)


def _show_lines(view: Any, zone: Any, courier: Any = None) -> list[str]:
    """The order for a person; times in the store's time zone; its courier named where `courier` knows it."""
    from o2o_tui.courier_stage import courier_line
    from o2o_tui.domain.money import format_money
    from o2o_tui.safe_text import safe_text

    order = view.order
    lines = [_summary(view, zone), t("orders.show.id", id=order.id)]
    lines.append(t("orders.show.created", at=order.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")))
    from o2o_tui.domain.schedule import closed_at_promise_words

    closed = closed_at_promise_words(order, zone)  # the store's hours closed its promised time: call or cancel
    if closed is not None:
        lines.append(closed)
    for number, line in enumerate(order.lines, 1):  # numbered as `o2o orders refund --line N` takes them
        lines.append(
            t(
                "orders.show.line",
                line=number,
                qty=line.quantity,
                name=safe_text(line.name, one_line=True),
                price=format_money(line.total or line.unit_price.times(line.quantity)),
            )
        )
        for option in line.options:  # as the kitchen ticket prints them
            name = safe_text(option.name, one_line=True)
            lines.append("    + " + (name if option.quantity == 1 else f"{option.quantity} x {name}"))
        if line.note:
            lines.append("    " + safe_text(line.note, one_line=True))
    lines += _cancel_lines(order)
    if order.note:
        lines.append(t("orders.show.note", note=safe_text(order.note, one_line=True)))
    lines.append(t("orders.show.phone", phone=safe_text(order.customer.phone, one_line=True)))
    if order.customer.address is not None:
        lines.append(t("orders.show.address", address=safe_text(order.customer.address.text, one_line=True)))
    if order.promised_ready_at is not None:
        at = _day_clock(order.promised_ready_at, zone)  # with its day when not today (an order for later)
        if order.delayed_minutes:  # the kitchen asked for more time after accepting
            at = t("delay.detail.promised", at=at, minutes=order.delayed_minutes)
        lines.append(t("orders.show.promised", at=at))
    code = usable_pickup_code(order)
    if code:  # what the courier or the customer says at the counter, as the console shows it
        lines.append(t("orders.show.pickup_code", code=safe_text(code, one_line=True)))
    stage = courier_line(order, courier)  # who holds it and where it is: off duty or stuck says so
    if stage:
        from datetime import UTC, datetime

        from o2o_tui.live_dispatch import offer_age_minutes, offer_late, offer_time

        waited = offer_age_minutes(offer_time(order), datetime.now(UTC))  # an offer not answered yet: how long
        if waited is not None:
            late = "orders.show.offer_age_late" if offer_late(waited) else "orders.show.offer_age"
            stage = t(late, stage=stage, minutes=waited)
        lines.append(t("orders.show.courier", courier=stage))
    held = getattr(order, "food_with_courier", None)
    if held is not None:  # a courier's refused pickup left the bag with them: it comes back to the counter
        lines.append(t("orders.show.food_with_courier", name=safe_text(held.courier_name, one_line=True)))
    problem = order.delivery_problem
    if problem is not None:  # the courier's open problem on its delivery: the store is told at once
        from o2o_tui.cli.dispatch import problem_text
        from o2o_tui.text_marks import dotted

        words = problem_text(problem.reason, problem.occurred_at, zone)
        note = safe_text(problem.note, one_line=True)
        lines.append(t("orders.show.courier_problem", problem=dotted((words, note))))
    from o2o_tui.cli.orders_care import show_lines  # chases and refunds

    return lines + show_lines(order, zone)


def _reason_words(code: str) -> str:
    """A cancel or reject reason code in the console's words (a store's, a customer's: `CUSTOMER_CHANGED_MIND`,
    as the figures say it); a code it has no words for, as it is (untrusted: plain text)."""
    from o2o_tui.figures_text import reason_name

    return reason_name(code)


def _cancel_lines(order: Any) -> list[str]:
    """Why a cancelled order ended and who ended it; a pending cancellation request's reason and words."""
    from o2o_tui.safe_text import safe_text
    from o2o_tui.text_marks import dotted

    lines = []
    if str(order.status) == "CANCELLED":
        reason = _reason_words(order.cancel_reason_code) if order.cancel_reason_code else "?"
        by = t(f"orders.show.by.{order.cancelled_by}") if order.cancelled_by is not None else "?"
        lines.append(t("orders.show.cancelled", reason=reason, by=by))
    request = order.cancellation
    if request is not None:
        words = safe_text(request.reason, one_line=True)
        reason = dotted((_reason_words(request.reason_code), words))
        lines.append(t("orders.show.cancellation", by=t(f"orders.show.by.{request.requested_by}"), reason=reason))
    return lines


def _day_clock(moment: Any, zone: Any) -> str:
    """`moment` on the store's clock, saying its day when that is not today there (`day_clock`)."""
    from datetime import UTC, datetime

    from o2o_tui.domain.clock import day_clock

    return day_clock(moment, zone, datetime.now(UTC))


def _promise(view: Any, zone: Any) -> dict[str, Any]:
    """An accept's done line: the ready time the platform promised and the minutes it is away ("25 min: 15 to
    prepare + 10 because the store is busy"); the minutes asked are the ones that stood (another counter's
    accept with other minutes is refused, exit 4, with its own)."""
    order = view.order
    promised, prep = order.promised_ready_at, order.preparation_minutes
    at = _day_clock(promised, zone) if promised else "?"  # "tomorrow 12:00" for an order for a later day
    fields: dict[str, Any] = {"at": at, "minutes": prep if prep is not None else "?", "more": ""}
    if promised is None or prep is None or order.confirmed_at is None:
        return fields
    # the minutes the promise really is away: a busy store's extra minutes (or, for an order for later, the
    # time the customer asked for) come on top of the ones asked, and are said with them
    total = round((promised - order.confirmed_at).total_seconds() / 60)
    if total <= prep:
        return fields
    from o2o_tui.domain.limits import as_utc
    from o2o_tui.domain.schedule import promised_time

    asked = promised_time(order)
    if asked is not None and as_utc(asked) == as_utc(promised):
        more = t("orders.done.accept_asked", prep=prep)
    else:
        more = t("orders.done.accept_busy", prep=prep, extra=total - prep)
    return fields | {"minutes": total, "more": more}


def _store_zone(cache: Any) -> Any:
    """The cached store's time zone, for every time an order command prints; None (this machine's clock) when
    the cache has no store yet or its zone is unknown."""
    from o2o_tui.domain.clock import zone_named
    from o2o_tui.sync.read_model import ReadModel

    store = ReadModel(cache).store()
    return zone_named(store.timezone) if store is not None else None


def _admin_zone(profile: str | None, cache: Any, order: Any) -> tuple[Any, str | None]:
    """(zone, the line that names it) for an order a platform admin's profile shows: its times on its store's
    clock, as the store's own devices show them. An admin's cache keeps no store (it syncs orders of every
    store), so the store is asked for (briefly: a read stays quick offline); without it, this computer's clock,
    said so. (None, None) for any other profile: the cached store's zone as before (`_store_zone`)."""
    from datetime import datetime

    from o2o_tui.cli.common import open_client
    from o2o_tui.config import load_profile
    from o2o_tui.domain.clock import zone_named
    from o2o_tui.safe_text import safe_text
    from o2o_tui.sync.read_model import ReadModel

    chosen = load_profile(profile)
    if chosen.role != "admin":
        return None, None
    store = ReadModel(cache).store(order.store_id)
    if store is None:
        with contextlib.suppress(PlatformError), open_client(chosen, timeout=2.0) as client:
            store = client.get_store(order.store_id)
    zone = zone_named(store.timezone) if store is not None else None
    if store is not None and zone is not None:
        return zone, t("orders.show.zone_store", zone=safe_text(store.timezone, one_line=True))
    here = datetime.now().astimezone()
    return None, t("orders.show.zone_here", zone=f"{here.tzname()}, UTC{here.strftime('%z')}")


def parse_fields(text: str) -> list[str]:
    """`--fields id,status,number` -> the names, checked against a row's top-level fields (exit 2 otherwise)."""
    from o2o_tui.sync.read_model import order_row_fields

    names = list(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))
    known = order_row_fields()
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        raise fail(
            t("orders.error.fields", fields=", ".join(unknown) or text, choices=", ".join(known)), Exit.USAGE
        )
    return names


def _write_rows(cache: Any, status: str | None, fields: list[str] | None) -> None:
    """Order rows as one JSON document, from the cached bytes (`ReadModel.order_rows_json`): not through
    `emit_json`, whose secret scrub walks every nested dict (0.35 s for 5,000 orders), as order documents hold
    no secret-bearing field. New orders (`CREATED`) leave out the held ones, as the console's queue does."""
    import msgspec

    from o2o_tui.cli.output import emit_json_bytes
    from o2o_tui.sync.read_model import ReadModel

    model = ReadModel(cache)
    if status == CANCEL_REQUESTED:  # few, and no API status: the views, as the text list has them
        rows = [view.to_json() for view in _orders(model, status)]
        emit_json_bytes(msgspec.json.encode(rows if fields is None else [_pick(row, fields) for row in rows]))
        return
    if status != "CREATED":
        emit_json_bytes(model.order_rows_json(status, fields))
        return
    # new orders are few: decoded to leave out the held ones (a row holds the fields that tell: `_held_row`)
    rows = [row for row in msgspec.json.decode(model.order_rows_json(status)) if not _held_row(row)]
    emit_json_bytes(msgspec.json.encode(rows if fields is None else [_pick(row, fields) for row in rows]))


def _orders(model: Any, wanted: str | None) -> list[Any]:
    """The cached orders `--status` names (`model.orders`), the open cancellation requests for `CANCEL_REQUESTED`."""
    if wanted == CANCEL_REQUESTED:
        return [view for view in model.orders() if _cancel_requested(view.order)]
    return list(model.orders(wanted))


def _held_row(row: dict[str, Any]) -> bool:
    """`schedule.is_held` on a `--json` row: an order for later still waiting for its prep start."""
    return row.get("status") == "CREATED" and row.get("held_until") is not None


@contextlib.contextmanager
def _read_cache(profile: str | None) -> Iterator[Any]:
    """The profile's cache to read orders from (a courier's: exit 2). A profile just logged in pulls once first
    (`fill_new_cache`), as the other read commands do: a cron job run right after `o2o login` sees the orders."""
    with cli_cache(profile, read_only=True) as (chosen, cache):
        _not_for_couriers(chosen)
        if not _never_synced(cache):
            yield cache
            return
    fill_new_cache(profile, say_answered_errors=True)  # a 5xx is said (exit 1), not "the platform did not answer"
    with cli_cache(profile, read_only=True) as (_, cache):
        yield cache


def _never_synced(cache: Any) -> bool:
    """A profile just logged in, as its cache says: not one whose cache file could not be read (said as it opened;
    `o2o sync` sets it aside, a read command never moves it)."""
    from o2o_tui.sync import tables

    return cache.meta_get(tables.META_LAST_SYNC_AT, None) is None and not cache.warnings


def _list_scheduled(views: list[Any], names: list[str] | None, zone: Any, *, as_json: bool) -> None:
    """`--scheduled`: the held orders (waiting for their prep start), soonest promised time first."""
    import msgspec

    from o2o_tui.cli.output import emit_json_bytes
    from o2o_tui.domain.schedule import held_by_time

    by_id = {view.order.id: view for view in views}
    held = [by_id[order.id] for order in held_by_time(view.order for view in views)]
    if as_json or names is not None:
        rows = [view.to_json() for view in held]
        emit_json_bytes(msgspec.json.encode(rows if names is None else [_pick(row, names) for row in rows]))
        return
    if not held:
        say(t("orders.list.scheduled_empty"))
    for view in held:
        say(_summary(view, zone))


def _list(cache: Any, wanted: str | None, names: list[str] | None, *, scheduled: bool, as_json: bool) -> None:
    """`orders list` from the open cache. New orders (`--status NEW`) are the live ones, as the console's queue
    has them: an order for later still held is listed by `--scheduled` (the default list marks it)."""
    from o2o_tui.domain.schedule import is_held
    from o2o_tui.sync.read_model import ReadModel

    model = ReadModel(cache)
    never = _never_synced(cache)  # the pull did not happen (no answer): an empty list is no "nothing to do"
    if never and as_json:
        warn(t("orders.list.never_synced"), "never_synced")
    if not never:
        say_cache_age(cache)  # nothing refreshed it for minutes: as of when
    if scheduled:
        _list_scheduled(_orders(model, wanted), names, _store_zone(cache), as_json=as_json)
        return
    if as_json:
        _write_rows(cache, wanted, names)
        return
    views = _orders(model, wanted)
    held = {view.order.id for view in views if is_held(view.order)} if wanted == "CREATED" else set()
    views = [view for view in views if view.order.id not in held]
    zone = _store_zone(cache)
    if not views and not held and (wanted is None or not model.orders()):
        # a filter that matches nothing is not an empty cache
        say(t("orders.list.never_synced" if never else "orders.list.empty"))
    elif not views and wanted == CANCEL_REQUESTED:
        say(t("orders.list.empty_cancel_requests"))
    elif not views and wanted is not None:
        say(t("orders.list.empty_status", status=t("orders.status." + wanted.lower())))
    for view in views:
        say(_summary(view, zone))
    if held:
        say(t("orders.list.held_apart", count=len(held)))


def _pick(row: dict[str, Any], names: list[str]) -> dict[str, Any]:
    return {name: row[name] for name in names if name in row}


def accept_minutes(cache: Any, prep: int | None, order: Any) -> int:
    """An accept's minutes: `--prep`, else the order's own prep time as the console's Enter takes it (its longest
    dish's minutes on the cached menu, the cached store's default for a dish that sets none: 15 without a store)."""
    from o2o_tui.domain.prep_time import accept_minutes_for
    from o2o_tui.sync.read_model import ReadModel

    if prep is not None:
        return prep
    model = ReadModel(cache)
    store = model.store(order.store_id) or model.store()
    return accept_minutes_for(order, store, model.menu(order.store_id) or model.menu())


# the Idempotency-Keys of the accepts `o2o orders accept` queued on this profile, newest last: the engine forgets an
# entry's key once the platform took it (it remembers the accepts it saw confirmed), and the order's `accept_key`
# names the accept that stood
OWN_ACCEPTS = CLI_ACCEPTS
_ACCEPTED = frozenset({"CONFIRMED", "PREPARING", "READY_FOR_PICKUP", "DISPATCHED"})


def own_accept_keys(cache: Any) -> set[str]:
    """The keys of this profile's accepts that it can still tell: the command line's (`OWN_ACCEPTS`), the ones the
    sync engine saw the platform take (the console's too) and any accept still in the outbox."""
    from o2o_tui.sync.rejection import own_accept_keys as own

    return own(cache)


class AcceptedHere(Exception):
    """The accept asked for already stands as this profile's own, with the same minutes, on an order that moved on
    since: nothing is sent, and the command succeeds saying so."""

    def __init__(self, said: str) -> None:
        super().__init__(said)
        self.said = said


class AcceptGuard:
    """`o2o orders accept` on an order already accepted: when the accept that stands is this profile's own (a
    script run again, a crash after sending), it says "accepted here" and sends nothing (the same minutes on a
    still CONFIRMED order go through: the platform answers them as done; the same minutes on an order that moved
    on succeed without sending; other minutes are refused, exit 4); refused by the platform for an accept it
    cannot tell, it does not claim another counter's."""

    def __init__(self, prep: int | None, *, print_ticket: bool = True) -> None:
        self._prep = prep
        self._own: set[str] = set()
        self._print = print_ticket  # `--no-print`: False
        self._order: Any = None  # the order as the precondition last saw it: what the accept is sent for

    def minutes(self, cache: Any) -> int:
        """The minutes this accept sends: `--prep`, else the order's own (`accept_minutes`)."""
        return accept_minutes(cache, self._prep, self._order)

    def precondition(self, cache: Any) -> Any:
        self._own = own_accept_keys(cache)

        console = _as_console("order.confirm", cache)

        def check(view: Any, *, final: bool) -> bool:
            order = self._order = view.order
            if order.accept_key not in self._own or str(order.status) not in _ACCEPTED:
                # not this profile's accept: refused here as the console's key refuses it (another counter's)
                return bool(console(view, final=final))
            same = order.preparation_minutes == accept_minutes(cache, self._prep, order)
            if str(order.status) == "CONFIRMED" and same:
                return True  # the same accept: the platform answers it as done
            if not final:
                return False  # the cached copy may be old (cancelled since): looked at again after a pull
            said = t("orders.error.accepted_here", number=order.display_number, **_accept_times(order, cache))
            if same:  # this accept already stood: done, exit 0
                raise AcceptedHere(said)
            more = {"from": str(order.status), "preparation_minutes": order.preparation_minutes}
            raise LocalRefusal(said, "already_accepted", accepted_here=True, **more)

        return check

    def settle(self, cache: Any, result: Any, after: Any) -> Any:
        """Remember this accept's key once it is queued or taken; a refusal for an accept that stood says whose
        it was when this profile can tell, else that it cannot (never "another counter" on a guess)."""
        import msgspec

        from o2o_tui.sync.perform import Outcome
        from o2o_tui.sync.rejection import remember_keys

        if result.outcome in (Outcome.DONE, Outcome.QUEUED) and result.key:
            remember_keys(cache, OWN_ACCEPTS, [result.key])
        reason = result.reason or {}
        refused = result.outcome is Outcome.REJECTED and reason.get("code") == "already_accepted"
        # the station's accept (auto_accepted): the platform said whose
        if not refused or after is None or reason.get("auto_accepted"):
            return result
        order = after.order
        mine = reason.get("accepted_here") or order.accept_key in self._own | own_accept_keys(cache)
        key = "orders.refused.accepted_here" if mine else "orders.refused.accepted_before"
        said = t(key, number=order.display_number, **_accept_times(order, cache))
        return msgspec.structs.replace(result, explanation=said)


    def ticket_plan(self, cache: Any, result: Any, after: Any, here: AcceptedHere | None) -> dict[str, Any] | None:
        """What the kitchen ticket of this accept is printed from, read in the open cache (printed once it is
        closed: `print_ticket`); None when none prints: nothing accepted, or another device's accept of the same
        minutes stood (its ticket is the kitchen's, said as the console says it)."""
        from o2o_tui.sync.perform import Outcome
        from o2o_tui.sync.read_model import ReadModel

        if after is None or result.outcome not in (Outcome.DONE, Outcome.QUEUED):
            return None
        order = after.order
        queued = result.outcome is Outcome.QUEUED
        key = order.accept_key if here is not None else result.key
        plan: dict[str, Any] = {"order": order, "store": ReadModel(cache).store(), "key": key, "queued": queued}
        plan["minutes"] = accept_minutes(cache, self._prep, order) if queued else None
        # answered as done: another device's accept of the same minutes may be the one that stood
        stood = order.accept_key
        plan["elsewhere"] = not queued and stood is not None and key != stood and stood not in self._own
        if stood is not None and stood in self._own:  # this profile's accept stood (the console's, a command's)
            plan["key"] = stood
        return plan

    def print_ticket(self, profile: Any, plan: dict[str, Any] | None) -> tuple[dict[str, Any], str | None]:
        """The kitchen ticket as the console prints an accept's (o2o_tui/printing/accepted.py): (`--json`'s
        `ticket`, the line said), after the cache is closed (a printer that does not answer holds nothing)."""
        from o2o_tui.printing.accepted import AcceptTicket, print_accept_ticket

        if plan is None:
            return {"printed": False, "state": "not_accepted"}, None
        number = plan["order"].display_number
        if not self._print:
            return AcceptTicket("skipped").to_json(), None
        if plan["elsewhere"]:
            why = t("orders.ticket.accepted_elsewhere")
            return AcceptTicket("elsewhere").to_json(), t("orders.ticket.none", number=number, why=why)
        ticket = print_accept_ticket(
            profile, plan["order"], plan["store"], accept_key=plan["key"], unconfirmed=plan["queued"],
            prep_minutes=plan["minutes"],
        )  # fmt: skip
        return ticket.to_json(), _ticket_line(ticket, number)


def _ticket_line(ticket: Any, number: str) -> str | None:
    """What `o2o orders accept` says of its kitchen ticket, in `o2o print ticket`'s words (none: no printer)."""
    from o2o_tui.cli.printing import paper_words
    from o2o_tui.printing.devices import Problem

    what = t("printing.cli.what.ticket")
    # the paper it was laid out for, beside the printer ("58 mm paper"), as `o2o print ticket` says it
    paper = paper_words(ticket.paper_mm) if ticket.paper_mm is not None else ""
    if ticket.state == "printed":
        return t("printing.cli.printed", what=what, number=number, printer=ticket.printer, paper=paper)
    if ticket.state == "busy":
        return t("printing.cli.busy", what=what, number=number)
    if ticket.state == "already":
        return t("orders.ticket.already", number=number)
    if ticket.state == "bad_printer":
        from o2o_tui.settings import load_settings

        return t("printing.cli.bad_printer", value=str(load_settings().printer))
    if ticket.state == "queued":
        problem = t(f"printing.problem.{ticket.problem or Problem.FAILED.value}")
        return t("printing.cli.queued", problem=problem, printer=ticket.printer, paper=paper, what=what,
                 number=number, count=ticket.waiting)  # fmt: skip
    return None


def _accept_times(order: Any, cache: Any) -> dict[str, Any]:
    """When the order was accepted, its ready time and minutes (a busy store's extra minutes said as the accept
    says them: `sync.explain.accept_minutes`), on the store's clock."""
    zone = _store_zone(cache)

    def clock(moment: Any) -> str:  # with the day when not today: an order for a later day is ready then
        return _day_clock(moment, zone) if moment is not None else "?"

    from o2o_tui.sync.explain import accept_minutes as promised_minutes

    timing = getattr(order, "timing", None)  # an order for later may be promised at its customer's time
    asked = timing.window_start if timing is not None and str(timing.type) == "SCHEDULED" else None
    minutes, more = promised_minutes(
        order.preparation_minutes, order.promised_ready_at, order.confirmed_at, asked, order.delayed_minutes or 0
    )
    return {"at": clock(order.confirmed_at), "ready": clock(order.promised_ready_at), "minutes": minutes, "more": more}


def _act(
    profile_name: str | None,
    reference: str,
    action: str,
    body_factory: Any,
    *,
    online: bool,
    as_json: bool,
    done_key: str,
    precondition: Any = None,
    done_fields: Any = None,
    guard: AcceptGuard | None = None,
    json_order: Any = None,
) -> None:
    """Queue and push `action` on the order; `precondition(view)` may refuse (raise) before anything is queued,
    after the order was pulled fresh when it says the cached copy is not enough. `done_fields(view, zone)`: more
    fields for the done message, from the order as it is after the action. `guard`: an accept's (its own
    precondition, and what it says of an accept that stood before it). `json_order(view)`: the order as `--json`
    gives it (`order_json` without it; a refund's numbers its refund lines)."""
    import asyncio

    from o2o_tui.domain.transitions import shown_status
    from o2o_tui.sync.explain import status_label
    from o2o_tui.sync.perform import ActionResult, Outcome, perform, refresh
    from o2o_tui.sync.read_model import ReadModel

    with handle_errors(), cache_errors(), cli_cache(profile_name) as (profile, cache):
        _not_for_couriers(profile)
        if guard is not None:
            precondition = guard.precondition(cache)  # this profile's accepts, known before a pull sends any
        if (
            _lookup(cache, reference) is None
        ):  # not cached yet (a fresh profile, a brand-new order): pull first
            asyncio.run(refresh(profile, cache))
        view = _find(cache, reference)
        here: AcceptedHere | None = None
        if precondition is not None and not precondition(view, final=False):
            # the cached copy says no: the platform may know better (a request that just arrived)
            with contextlib.suppress(PlatformError):
                asyncio.run(refresh(profile, cache))
            view = _find(cache, view.order.id)
            try:
                precondition(view, final=True)
            except AcceptedHere as stood:
                here = stood
        if here is not None:  # nothing to send: this profile's accept of these minutes already stands
            result = ActionResult(Outcome.DONE, action=action, target=view.order.id, explanation=here.said)
        else:
            body = body_factory(cache)
            result = asyncio.run(perform(profile, cache, action, view.order.id, body, online=online))
        after = ReadModel(cache).order(view.order.id)
        if guard is not None and here is None:
            result = guard.settle(cache, result, after)
        plan = guard.ticket_plan(cache, result, after, here) if guard is not None else None
        refused_line = result.outcome is Outcome.REJECTED and not as_json  # the order's line, said below
        zone = _store_zone(cache) if refused_line or done_fields is not None else None
    ticket, ticket_line = guard.print_ticket(profile, plan) if guard is not None else ({}, None)
    shown = after or view
    extra = {"order": (json_order or order_json)(shown)} if as_json else None
    if extra is not None and guard is not None:
        extra["ticket"] = ticket  # whether the kitchen ticket printed here, and why not
    fields = done_fields(shown, zone) if done_fields is not None else {}
    # the status in the console's words ("READY", "待取餐"), never its code (--json keeps the codes)
    status = status_label(shown_status(shown.order.status, shown.order.type))
    message = here.said if here is not None else t(done_key, number=shown.order.display_number, status=status, **fields)
    if refused_line:  # beside the refusal, on stderr: stdout keeps results
        warn(_summary(shown, zone), style="")
    try:
        report_outcome(result, as_json=as_json, online=online, done_message=message, extra=extra)
    finally:  # after the accept's line (a queued one exits 3 under --online: its ticket printed all the same)
        if ticket_line is not None and not as_json:
            say(ticket_line)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    orders = typer.Typer(help=t("orders.help"), no_args_is_help=True)
    cancellation = typer.Typer(help=t("orders.cancellation.help"), no_args_is_help=True)
    app.add_typer(orders, name="orders")
    orders.add_typer(cancellation, name="cancellation")
    from o2o_tui.cli import orders_care, orders_delay  # chase-reply and refund; delay

    orders_care.register(orders)
    orders_delay.register(orders)

    @orders.command("list", help=t("orders.list.help"))
    def list_orders(
        ctx: typer.Context,
        status: str | None = typer.Option(None, "--status", help=t("orders.option.status")),
        fields: str | None = typer.Option(None, "--fields", help=t("orders.option.fields")),
        scheduled: bool = typer.Option(False, "--scheduled", help=t("orders.option.scheduled")),
        profile: str | None = ProfileOption,
        as_json: bool = JsonOption,
    ) -> None:
        if fields is not None:  # implies --json, for its errors too (`output.json_wanted` reads the context)
            ctx.params["as_json"] = as_json = True
        wanted = parse_status(status) if status is not None else None
        names = parse_fields(fields) if fields is not None else None
        with handle_errors(), cache_errors(), _read_cache(profile) as cache:
            _list(cache, wanted, names, scheduled=scheduled, as_json=as_json)

    @orders.command("show", help=t("orders.show.help"))
    def show(
        order_id: str = IdArgument, profile: str | None = ProfileOption, as_json: bool = JsonOption
    ) -> None:

        with handle_errors(), cache_errors(), _read_cache(profile) as cache:
            view = _find(cache, order_id)
            zone = _store_zone(cache)
            courier = _courier_note(cache, view.order)
            admin_zone, zone_line = (None, None) if as_json else _admin_zone(profile, cache, view.order)
            if zone_line is not None:  # a platform admin's: the order's store's clock, named
                zone = admin_zone
        if as_json:
            data = order_json(view)
            # added, never in place of a field: the courier as the cache knows it (the store's own fleet)
            data["courier"] = {"name": courier.name, "off_duty": courier.off_duty} if courier else None
            emit_json(data)
            return
        lines = _show_lines(view, zone, courier)
        if zone_line is not None:
            lines.insert(3, zone_line)  # after the created time
        for line in lines:
            say(line)

    @orders.command("accept", help=t("orders.accept.help"))
    def accept(
        order_id: str = IdArgument,
        prep: int | None = typer.Option(
            None, "--prep", min=PREP_MINUTES_MIN, max=PREP_MINUTES_MAX, help=t("orders.option.prep")
        ),
        no_print: bool = typer.Option(False, "--no-print", help=t("orders.option.no_print")),
        online: bool = OnlineOption,
        profile: str | None = ProfileOption,
        as_json: bool = JsonOption,
    ) -> None:
        from o2o_tui.domain.requests import ConfirmBody

        guard = AcceptGuard(prep, print_ticket=not no_print)
        _act(
            profile,
            order_id,
            "order.confirm",
            lambda cache: ConfirmBody(preparation_minutes=guard.minutes(cache)),
            online=online,
            as_json=as_json,
            done_key="orders.done.accept",
            done_fields=_promise,
            guard=guard,
        )

    def with_reason(name: str, action: str, *, codes: Any = None, reason_help: str | None = None) -> None:
        @orders.command(name, help=t(f"orders.{name}.help"))
        def command(
            order_id: str = IdArgument,
            reason: str = typer.Option(..., "--reason", help=reason_help or t("orders.option.reason")),
            online: bool = OnlineOption,
            profile: str | None = ProfileOption,
            as_json: bool = JsonOption,
        ) -> None:
            from o2o_tui.domain.requests import ReasonBody

            code = codes(reason) if codes is not None else reason
            _act(
                profile,
                order_id,
                action,
                lambda _: ReasonBody(reason_code=code),
                online=online,
                as_json=as_json,
                done_key=f"orders.done.{name}",
                precondition=_as_console(action) if action == "order.reject" else _not_ended("cancel"),
            )

    with_reason(
        "reject",
        "order.reject",
        codes=lambda text: _merchant_reason(text, "orders.error.reject_reason"),
        reason_help=_merchant_reasons_help("orders.option.reject_reason"),
    )
    with_reason(
        "cancel",
        "order.cancel",
        codes=lambda text: _merchant_reason(text, "orders.error.cancel_reason"),
        reason_help=_merchant_reasons_help("orders.option.cancel_reason"),
    )

    def simple(name: str, action: str) -> None:
        @orders.command(name, help=t(f"orders.{name}.help"))
        def command(
            order_id: str = IdArgument,
            online: bool = OnlineOption,
            profile: str | None = ProfileOption,
            as_json: bool = JsonOption,
        ) -> None:
            from o2o_tui.domain.requests import EmptyBody

            _act(
                profile,
                order_id,
                action,
                lambda _: EmptyBody(),
                online=online,
                as_json=as_json,
                done_key=f"orders.done.{name}",
                precondition=_not_too_early(name) if name in ("preparing", "ready") else None,
            )

    simple("preparing", "order.preparing")
    simple("ready", "order.ready")
    simple("unlock-code", "order.unlock_code")

    @orders.command("food-received", help=t("orders.food_received.help"))
    def food_received(
        order_id: str = IdArgument,
        online: bool = OnlineOption,
        profile: str | None = ProfileOption,
        as_json: bool = JsonOption,
    ) -> None:
        from o2o_tui.domain.requests import EmptyBody

        _act(
            profile,
            order_id,
            "order.food_received",
            lambda _: EmptyBody(),
            online=online,
            as_json=as_json,
            done_key="orders.done.food_received",
            precondition=_food_out,
        )

    @orders.command("handoff", help=t("orders.handoff.help"))
    def handoff(
        order_id: str = IdArgument,
        code: str = typer.Option(..., "--code", help=t("orders.option.code")),
        online: bool = OnlineOption,
        profile: str | None = ProfileOption,
        as_json: bool = JsonOption,
    ) -> None:
        from o2o_tui.domain.requests import CodeBody

        if not code.strip():  # an unset $CODE: said here, never sent as a wrong code that counts toward the lock
            raise fail(t("orders.error.empty_code"), Exit.USAGE)
        _act(
            profile,
            order_id,
            "order.handoff",
            lambda _: CodeBody(code=code.strip()),
            online=online,
            as_json=as_json,
            done_key="orders.done.handoff",
            precondition=_handoff_check(code),
        )

    @cancellation.command("accept", help=t("orders.cancellation.accept.help"))
    def cancellation_accept(
        order_id: str = IdArgument,
        online: bool = OnlineOption,
        profile: str | None = ProfileOption,
        as_json: bool = JsonOption,
    ) -> None:
        from o2o_tui.domain.requests import EmptyBody

        _act(
            profile,
            order_id,
            "order.cancellation.accept",
            lambda _: EmptyBody(),
            online=online,
            as_json=as_json,
            done_key="orders.done.cancellation_accept",
            precondition=_cancellation_pending,  # as deny's: no request, nothing queued (no refused action left)
        )

    @cancellation.command("deny", help=t("orders.cancellation.deny.help"))
    def cancellation_deny(
        order_id: str = IdArgument,
        reason: str = typer.Option(DENY_REASON, "--reason", help=_deny_reasons_help()),
        online: bool = OnlineOption,
        profile: str | None = ProfileOption,
        as_json: bool = JsonOption,
    ) -> None:
        from o2o_tui.domain.requests import ReasonBody

        code = _deny_reason(reason)  # said before anything is queued: the platform takes no other
        _act(
            profile,
            order_id,
            "order.cancellation.deny",
            lambda _: ReasonBody(reason_code=code),
            online=online,
            as_json=as_json,
            done_key="orders.done.cancellation_deny",
            precondition=_cancellation_pending,
        )

"""A person's explanation of a refused action: what was tried, what the platform said, and why."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from o2o_tui.client.errors import unknown_route
from o2o_tui.domain.clock import stored_clock
from o2o_tui.domain.menu import Item, Menu, Option
from o2o_tui.domain.order import OrderStatus, OrderType
from o2o_tui.domain.transitions import (
    ORDER_TRANSITIONS,
    OrderAction,
    TransitionCheck,
    applies_to_type,
    check_order_transition,
    shown_status,
)
from o2o_tui.i18n import current_language, t
from o2o_tui.safe_text import safe_text


def action_label(action: str) -> str:
    """`order.confirm` -> "accept" in the user's language (falls back to the raw action name)."""
    key = "sync.action." + action.replace(".", "_")
    label = t(key)
    return action if label == key else label


def status_label(status: str, *, delivery: bool = False) -> str:
    """An order status as the console shows it ("CONFIRMED" -> "ACCEPTED" / "已接单"); with `delivery`, a
    courier's delivery status ("PICKED_UP" -> "TO CUSTOMER")."""
    key = ("deliveries.status." if delivery else "orders.status.") + status.lower()
    label = t(key)
    return status if label == key else label


_MENU_PATCHES = ("menu.item.patch", "menu.option.patch")  # target: "<store id>/<item or option id>"
_CREATE = "order.create"  # target: the store (the order's id is in the body)


def menu_entity_name(menu: Menu | None, action: str, target: str) -> str:
    """The item or option an item or option change acts on, by its name in the person's language as `menu` (the
    cached one) has it, by its id once the menu no longer has it; "" for any other action. Menu text: made safe,
    on one line."""
    if action not in _MENU_PATCHES:
        return ""
    entity_id = target.partition("/")[2] or target
    entities: list[Item] | list[Option] = []
    if menu is not None and action == "menu.item.patch":
        entities = [item for category in menu.categories for item in category.items]
    elif menu is not None:
        entities = [option for group in menu.option_groups for option in group.options]
    found = next((entity for entity in entities if entity.id == entity_id), None)
    name = (found.names.get(current_language()) or found.name) if found is not None else ""
    return safe_text(name or entity_id, one_line=True)


def short_id(identifier: str) -> str:
    """An order's or a delivery's id as a person reads it where its day number is not known (`ord_3f9a`): its
    first 8 characters, made safe, on one line."""
    return safe_text(identifier.partition("/")[0][:8], one_line=True)


def subject_label(action: str, target: str, number: int | None, name: str = "") -> str:
    """`name`: an item or option change's `menu_entity_name` (its id from `target` without it); for a courier's
    action, the store whose day number it is (a platform courier may hold two #0005 of two stores)."""
    if action.startswith("delivery.") and number is not None and name:
        return t("sync.subject.store_order", store=safe_text(name, one_line=True), number=f"#{number:04d}")
    if action.startswith(("order.", "delivery.")) and number is not None:
        return t("sync.subject.order", number=f"#{number:04d}")
    if action.startswith("order.") and action != _CREATE and target:  # an order not (or no longer) cached
        return t("sync.subject.order", number=short_id(target))
    if action.startswith("delivery."):
        return t("sync.subject.delivery", target=short_id(target))
    if action.startswith("courier."):
        return t("sync.subject.courier")
    if action == "voucher.redeem":
        return t("sync.subject.voucher")
    if action.startswith("store."):
        return t("sync.subject.store")
    if action == "menu.publish":
        return t("sync.subject.menu")
    if action in _MENU_PATCHES:
        entity = name or safe_text(target.partition("/")[2] or target, one_line=True)
        return t("sync.subject.menu_item" if action == "menu.item.patch" else "sync.subject.menu_option", id=entity)
    return t("sync.subject.other", target=target[:8])


def wrong_type(action: OrderAction, order_type: OrderType, number: str) -> str | None:
    """Why `action` never applies to an order of this type (None when it can): a delivery's courier collects it
    (the pickup code on the bag, confirmed on the handheld), so there is no handoff at the counter; a takeout or
    dine-in order is collected by the customer with its pickup code, so no courier step applies. Said before
    anything is queued: no conflict is filed for it."""
    if applies_to_type(action, order_type):
        return None
    if order_type is OrderType.DELIVERY:
        return t("sync.wrong_type.delivery", number=number)
    return t("sync.wrong_type.pickup", number=number, type=t(f"orders.type.{order_type.value.lower()}"))


def too_early(action: OrderAction, status: OrderStatus, order_type: OrderType, number: str) -> str | None:
    """Why `action` cannot apply yet, with the step to do first (None when it applies, or comes too late: the
    platform's refusal says that): said before anything is queued when the cache already knows the order is
    not there yet, so the person reads the fix, not a refusal from the platform later."""
    if check_order_transition(status, order_type, action) is not TransitionCheck.ILLEGAL:
        return None
    if not _before(status.value, ORDER_TRANSITIONS[action].target.value, False):
        return None
    key = _TOO_EARLY.get(action, "sync.too_early.other")
    return t(key, number=number, status=status_label(status.value), action=t(f"ui.action.{action.value}"))


_TOO_EARLY = {
    OrderAction.HANDOFF: "sync.too_early.handoff",
    OrderAction.READY: "sync.too_early.accept",
    OrderAction.PREPARING: "sync.too_early.accept",
}


def _order_action(action: str) -> OrderAction | None:
    name = action.removeprefix("order.")
    try:
        return OrderAction(name) if name != action else None
    except ValueError:
        return None


def _voucher(reason: dict[str, Any]) -> str | None:
    """The counter's voucher refusals (None: a refusal any action can meet, said the common way)."""
    code = str(reason.get("code") or "")
    if code == "voucher_redeemed":
        return t("voucher.explain.redeemed", at=stored_clock(reason.get("at"), reason.get("timezone")))
    if code in ("voucher_expired", "voucher_other_store", "voucher_not_active", "wrong_code"):
        if code == "wrong_code" and reason.get("locked_until"):  # this wrong code locked the store's codes
            return t("voucher.explain.locked", until=stored_clock(reason.get("locked_until"), reason.get("timezone")))
        return t("voucher.explain." + code.removeprefix("voucher_"))
    if code == "code_locked":
        return t("voucher.explain.locked", until=stored_clock(reason.get("locked_until"), reason.get("timezone")))
    return None


def _wrong_code(reason: dict[str, Any], subject: str, what: str) -> str:
    """A wrong code: with the tries it still takes, or the lock this try made (a server that says them)."""
    tries = reason.get("tries_left")
    if reason.get("locked_until"):
        until = stored_clock(reason.get("locked_until"), reason.get("timezone"))
        return t("sync.explain.wrong_code.locked", subject=subject, action=what, until=until)
    if isinstance(tries, int) and not isinstance(tries, bool) and tries > 0:
        key = "sync.explain.wrong_code.tries.one" if tries == 1 else "sync.explain.wrong_code.tries"
        return t(key, subject=subject, action=what, tries=str(tries))
    return t("sync.explain.wrong_code", subject=subject, action=what)


def _moment(value: object) -> datetime | None:
    """A time kept in a reason (a datetime or its ISO text), aware (a naive one read as UTC); None if unreadable."""
    if not value:
        return None
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def accept_minutes(
    prep: object, promised: object, confirmed: object, asked: object = None, delayed: object = 0
) -> tuple[object, str]:
    """(the minutes an accept's promise is away, what they are made of) as an accept's done line says them
    (`orders.done.accept`: "25 min: 15 to prepare + 10 because the store is busy"): a busy store's extra minutes
    come on top of the prep minutes asked, and an order for later may be promised at the time its customer asked
    for (`asked`: its window's start). The prep minutes and "" when nothing came on top, a time is missing ("?"
    for minutes unknown), or the order was delayed since (`delayed`: its delay minutes; a delay moves the promise
    from the time it is asked, not from the accept: what the accept promised cannot be told then). Times:
    datetimes or ISO text."""
    minutes: object = prep if isinstance(prep, int) else "?"
    promised_at, confirmed_at = _moment(promised), _moment(confirmed)
    if not isinstance(prep, int) or promised_at is None or confirmed_at is None or delayed:
        return minutes, ""
    total = round((promised_at - confirmed_at).total_seconds() / 60)
    if total <= prep:
        return minutes, ""
    asked_at = _moment(asked)
    if asked_at is not None and asked_at == promised_at:
        return total, t("orders.done.accept_asked", prep=prep)
    return total, t("orders.done.accept_busy", prep=prep, extra=total - prep)


def _already_accepted(reason: dict[str, Any], subject: str) -> str:
    """Another accept stood first: the ready time and minutes the order really has, not the refused one's (a busy
    store's extra minutes said as the accept says them: `accept_minutes`), and whose it was (auto-accept, this
    counter's own, another counter's)."""
    promised = reason.get("promised_ready_at")
    at = stored_clock(promised, reason.get("timezone")) if promised else "?"
    minutes, more = accept_minutes(
        reason.get("preparation_minutes"),
        promised,
        reason.get("confirmed_at"),
        reason.get("asked_at"),
        reason.get("delayed_minutes"),
    )
    key = "sync.explain.already_accepted"
    if reason.get("auto_accepted"):
        key = "sync.explain.already_accepted_auto"
    elif reason.get("accepted_here"):  # the accept that stood carries one of this device's own keys
        key = "sync.explain.already_accepted_here"
    return t(key, subject=subject, at=at, minutes=minutes, more=more)


# actions meant for an order that may have ended (the food of a cancelled order back at the counter): its being
# cancelled is never why they were refused, their code's own sentence says it
_FOR_ENDED_ORDERS = frozenset({"order.food_received"})

# the platform's own reason for an order nobody accepted by its accept deadline (platform/orders.py)
ACCEPT_TIMEOUT = "ACCEPT_TIMEOUT"


def _cancelled(reason: dict[str, Any], subject: str, what: str) -> str:
    """Who cancelled the order and why, as the order records it (`cancelled_by`, `cancel_reason_code`): "not
    accepted in time" only when the platform's deadline ended it, the platform's other reasons in words."""
    by, code = reason.get("cancelled_by"), str(reason.get("cancel_reason_code") or "")
    if by == "PLATFORM" and code == ACCEPT_TIMEOUT:
        return t("sync.explain.cancelled_timeout", subject=subject, action=what)
    if by == "PLATFORM" and code:
        # the reason in words; a code without words as it is, made safe
        from o2o_tui.figures_text import reason_name

        return t("sync.explain.cancelled_by_platform", subject=subject, action=what, reason=reason_name(code))
    if by == "PLATFORM":
        return t("sync.explain.cancelled_by_platform_no_reason", subject=subject, action=what)
    if by == "CUSTOMER":
        return t("sync.explain.cancelled_by_customer", subject=subject, action=what)
    if by == "MERCHANT":  # by this device (one of its cancels or rejects stood), or by another of the store
        key = "sync.explain.cancelled_here" if reason.get("cancelled_here") else "sync.explain.cancelled_by_store"
        return t(key, subject=subject, action=what)
    return t("sync.explain.cancelled", subject=subject, action=what)


def _delivery_ended(reason: dict[str, Any], subject: str, what: str) -> str:
    """Why the courier's delivery ended before the action reached the platform, as the refetched delivery says
    (`end_reason`): taken off the courier, given to another, or the order cancelled (with its reason in words).
    Without it (an older server) or with a reason this console has no words for: "cancelled (or given to another
    courier)"."""
    why = str(reason.get("end_reason") or "")
    key = f"sync.explain.delivery_ended.{why}"
    if not why or "." in why or t(key) == key:
        return t("sync.explain.delivery_cancelled", subject=subject, action=what)
    code = str(reason.get("cancel_reason_code") or "")
    if why == "ORDER_CANCELLED" and code:
        from o2o_tui.figures_text import reason_name  # the queue's words for the same codes; others made safe

        return t(key + ".why", subject=subject, action=what, reason=reason_name(code))
    return t(key, subject=subject, action=what)


# a courier's steps toward the customer: refused once the order was cancelled under them (food in hand, the
# delivery on its way back), whatever the platform's code, the cancellation is why
_FORWARD_STEPS = frozenset(
    {
        "delivery.accept",
        "delivery.arrived_at_merchant",
        "delivery.picked_up",
        "delivery.arrived_at_customer",
        "delivery.delivered",
    }
)


def _cancelled_under_courier(reason: dict[str, Any], subject: str, what: str) -> str:
    """The order was cancelled while the courier had the food (the delivery `RETURNING`, `order_cancelled`): said
    as a cancellation, with its reason in words when the delivery carries it, and what to do with the food."""
    code = str(reason.get("cancel_reason_code") or "")
    if code:
        from o2o_tui.figures_text import reason_name  # the queue's words for the same codes; others made safe

        return t("sync.explain.delivery_cancelled_returning.why", subject=subject, action=what, reason=reason_name(code))
    return t("sync.explain.delivery_cancelled_returning", subject=subject, action=what)


_ORDER_FLOW = ("CREATED", "CONFIRMED", "PREPARING", "READY_FOR_PICKUP", "DISPATCHED", "DELIVERED", "CONCLUDED")
_DELIVERY_FLOW = ("PENDING", "ACCEPTED", "ARRIVED_AT_MERCHANT", "PICKED_UP", "ARRIVED_AT_CUSTOMER", "DELIVERED")


# an action refused because the order had not reached the step before it: the fix, per action
_NOT_YET = {
    "order.handoff": "sync.explain.not_yet_handoff",
    "order.ready": "sync.explain.not_yet_ready",
    "order.preparing": "sync.explain.not_yet_ready",
}


def _before(now_status: str, target: str, delivery: bool) -> bool:
    """Whether the order (or delivery) had not yet reached the step before `target`: the action came too early
    ("still new"), not too late ("already ready")."""
    flow = _DELIVERY_FLOW if delivery else _ORDER_FLOW
    return now_status in flow and target in flow and flow.index(now_status) < flow.index(target) - 1


def _status_shown(status: str, order_type: object, delivery: bool) -> str:
    """An order's status as the queue shows it (`ui.status`, for its type: "Picked up" for a handed-over takeout,
    "Served" for dine-in); a courier's delivery status as a courier says where it stood ("on its way back to the
    store", not the list's "BACK TO STORE"); a status without such words as `status_label` says it."""
    if delivery:
        words = t(f"sync.explain.delivery_status.{status}")
        return words if words != f"sync.explain.delivery_status.{status}" else status_label(status, delivery=True)
    try:
        shown = shown_status(OrderStatus(status), OrderType(str(order_type))) if order_type else status
    except ValueError:  # a status or type this console does not know
        shown = status
    label = t(f"ui.status.{shown}")
    return status_label(status) if label == f"ui.status.{shown}" else label


STALE_STORE_CHANGE = "stale_store_change"


def store_status_words(status: Any, zone: object, *, asked: bool) -> str:
    """A store status kept in a refusal (`rejection.store_change_reason`: `asked` or `standing`) in words: "a
    10-minute pause until 12:50" asked, "busy, +7 min on every order" standing, with its reason (plain text made
    safe, on one line). "?" for one that cannot be read."""
    if not isinstance(status, dict) or not isinstance(status.get("state"), str):
        return "?"
    state, until, minutes = status["state"], status.get("until"), status.get("minutes")
    kind = "asked" if asked else "standing"
    at = stored_clock(until, zone) if until else ""
    if state == "PAUSED" and status.get("auto") and not asked:
        said = t("sync.explain.store_status.standing.paused_auto")
    elif state == "PAUSED" and at and isinstance(minutes, int) and asked:
        said = t("sync.explain.store_status.asked.paused_for", minutes=minutes, at=at)
    elif state == "PAUSED" and at:
        said = t(f"sync.explain.store_status.{kind}.paused_until", at=at)
    elif state == "PAUSED":
        said = t(f"sync.explain.store_status.{kind}.paused")
    elif state == "BUSY":
        said = t("sync.explain.store_status.busy", minutes=status.get("extra_minutes") or "?")
    elif state == "ONLINE":
        said = t("sync.explain.store_status.open")
    else:
        key = "store.state." + state.lower()
        said = t(key) if t(key) != key else safe_text(state, one_line=True)
    why = safe_text(str(status.get("reason") or ""), one_line=True)
    if why and not (status.get("auto") and not asked):
        said = t("sync.explain.store_status.with_reason", status=said, reason=why)
    return said


def _store_change_refused(reason: dict[str, Any], subject: str, what: str) -> str:
    """A status change tapped before another device's (the last tap wins): what this device asked, what stands
    now and when it was set, on the store's clock."""
    zone = reason.get("timezone")
    asked = reason.get("asked")
    if isinstance(asked, dict):
        what = t("sync.explain.store_status.asked", action=what, asked=store_status_words(asked, zone, asked=True))
    standing = reason["standing"]
    now = store_status_words(standing, zone, asked=False)
    at = stored_clock(standing.get("set_at"), zone) if standing.get("set_at") else "?"
    key = "sync.explain.store_status.refused" if at != "?" else "sync.explain.store_status.refused_no_time"
    return t(key, subject=subject, action=what, at=at, standing=now)


_UNKNOWN_FIELD = "Object contains unknown field"  # how the platform's decoder refuses a field it does not know


def _unknown_field(reason: dict[str, Any]) -> bool:
    """A 422 refusing a field this console sent that the platform does not know (a newer console's field, e.g.
    per-language `names`, sent to an older platform)."""
    return reason.get("code") == "validation" and str(reason.get("message") or "").startswith(_UNKNOWN_FIELD)


def _platform_older(reason: dict[str, Any], *, action: str, target: str, name: str) -> str:
    """The platform needs updating (nothing to fix on this device); a menu publish's draft is kept for then."""
    number = reason.get("order_number")
    subject = subject_label(action, target, number if isinstance(number, int) else None, name)
    field = safe_text(str(reason.get("field") or "?"), one_line=True)
    said = t("sync.explain.platform_older", subject=subject, action=action_label(action), field=field)
    return t("sync.explain.platform_older_menu", said=said) if action == "menu.publish" else said


def _platform_lacks(reason: dict[str, Any], *, action: str, target: str, name: str) -> str:
    """The platform has no route for the action (it runs an older version than this o2o, which added the action
    since): said so, never that the order "no longer exists"; a menu publish's draft is kept for then."""
    number = reason.get("order_number")
    subject = subject_label(action, target, number if isinstance(number, int) else None, name)
    said = t("sync.explain.platform_lacks_action", subject=subject, action=action_label(action))
    return t("sync.explain.platform_older_menu", said=said) if action == "menu.publish" else said


def explain(reason: dict[str, Any], *, action: str, target: str, name: str = "", listed: bool = False) -> str:
    """Render a stored rejection reason (as written by the engine) in the current language. `name`: an item or
    option change's `menu_entity_name`, to name it by (its id without it). `listed`: said inside the list of
    refused actions (`o2o conflicts list`, `!`), which then is not pointed at (a toast or a command's answer is)."""
    if _unknown_field(reason):  # the platform is older than this console: no edit of the draft would help
        return _platform_older(reason, action=action, target=target, name=name)
    if unknown_route(reason.get("code"), reason.get("message")):  # before the order's state: it is not why
        return _platform_lacks(reason, action=action, target=target, name=name)
    said = _explain(reason, action=action, target=target, name=name)
    if action == "menu.publish":  # nothing of the draft is lost: say so, and how to publish it again
        return t("sync.explain.menu_draft_kept", said=said)
    if reason.get("code") == STALE_STORE_CHANGE and not listed:  # where to find it again
        return t("sync.explain.store_change_kept", said=said)
    return said


def _explain(reason: dict[str, Any], *, action: str, target: str, name: str) -> str:
    if action == "voucher.redeem":  # the counter's voucher code: the sentence names the voucher, not the store
        said = _voucher(reason)
        if said is not None:
            return said
    number = reason.get("order_number")
    subject = subject_label(action, target, number if isinstance(number, int) else None, name)
    what = action_label(action)
    code = reason.get("code", "")
    now_status = reason.get("current_status")
    delivery = action.startswith("delivery.")
    if now_status == "CANCELLED" and delivery:  # the courier's delivery: the order ended, or went to another
        return _delivery_ended(reason, subject, what)
    if now_status == "RETURNING" and reason.get("order_cancelled") and action in _FORWARD_STEPS:
        return _cancelled_under_courier(reason, subject, what)  # whatever the code: the order is gone
    if now_status == "CANCELLED" and action not in _FOR_ENDED_ORDERS:
        return _cancelled(reason, subject, what)
    if code == "already_accepted":
        return _already_accepted(reason, subject)
    verb, order_type = _order_action(action), reason.get("order_type")
    if code == "illegal_transition" and verb is not None and order_type in set(OrderType):
        # refused for the order's type, not its state (queued before the console checked it locally)
        number_text = f"#{number:04d}" if isinstance(number, int) else target[:8]
        sentence = wrong_type(verb, OrderType(order_type), number_text)
        if sentence is not None:
            return sentence
    if code == "illegal_transition" and now_status:
        status = _status_shown(str(now_status), order_type, delivery)
        if delivery and now_status == "RETURNING":  # on its way back (the courier's own return): the food too
            return t("sync.explain.delivery_returning", subject=subject, action=what)
        if not _before(str(now_status), str(reason.get("to") or ""), delivery):
            key = "sync.explain.delivery_moved_on" if delivery else "sync.explain.moved_on"
            return t(key, subject=subject, action=what, status=status)
        # too early, not a race: say the step that has to come first
        key = "sync.explain.delivery_not_yet" if delivery else _NOT_YET.get(action, "sync.explain.not_yet")
        return t(key, subject=subject, action=what, status=status)
    if code == "wrong_code":
        return _wrong_code(reason, subject, what)
    if code == "code_locked":
        return t(
            "sync.explain.code_locked",
            subject=subject,
            action=what,
            until=stored_clock(reason.get("locked_until"), reason.get("timezone")),
        )
    if code == "stale_version":
        return t("sync.explain.stale", subject=subject, action=what)
    if code == STALE_STORE_CHANGE and isinstance(reason.get("standing"), dict):
        return _store_change_refused(reason, subject, what)
    if code == "validation":
        return t("sync.explain.validation", subject=subject, action=what, field=reason.get("field") or "?")
    if code in ("forbidden", "unauthorized"):
        return t("sync.explain.forbidden", subject=subject, action=what)
    if code == "not_found":
        return t("sync.explain.not_found", subject=subject, action=what)
    if code == "stale_refund" and reason.get("refunded_here"):  # the refund that got there first was this device's
        return t("sync.explain.stale_refund_here", subject=subject, action=what)
    own = f"sync.explain.code.{code}"  # a refusal with a sentence of its own (e.g. refund_too_large)
    if code and t(own) != own:
        return t(own, subject=subject, action=what)
    # a code this console has no sentence for (a newer platform's): its name, never the platform's English
    # message (for logs) inside a sentence of the person's language
    shown = safe_text(str(code or reason.get("status") or "?"), one_line=True)
    return t("sync.explain.other", subject=subject, action=what, code=shown)

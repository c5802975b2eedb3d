"""What the engine keeps about a final refusal: the platform's reason plus what the order (or the courier's
delivery) looks like now, so `explain()` can tell a person what happened ("order #0042 was cancelled by the
customer before ...")."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

import msgspec

from o2o_tui.client.errors import PlatformError


def cancelled_by(order_doc: dict[str, Any]) -> str | None:
    """Who cancelled: the platform's record, else a pending request's party, else a customer reason code
    (orders cached before the platform recorded it)."""
    if order_doc.get("cancelled_by"):
        return str(order_doc["cancelled_by"])
    cancellation = order_doc.get("cancellation")
    if isinstance(cancellation, dict) and cancellation.get("requested_by"):
        return str(cancellation["requested_by"])
    code = str(order_doc.get("cancel_reason_code") or "").upper()
    return "CUSTOMER" if "CUSTOMER" in code else None


def _utc_z(moment: datetime) -> str:
    """A time of the refusal as the JSON of orders and `o2o conflicts` writes times: UTC, ending in `Z`."""
    from o2o_tui.domain.limits import as_utc

    return as_utc(moment).astimezone(UTC).isoformat().replace("+00:00", "Z")


def rejection_reason(
    error: PlatformError,
    order_doc: dict[str, Any] | None,
    delivery_doc: dict[str, Any] | None = None,
    own_keys: Collection[str] = (),
    own_cancels: Collection[str] = (),
) -> dict[str, Any]:
    """`order_doc` for an order action, `delivery_doc` for a courier's action (a courier never reads the
    order: the delivery carries the order's number, and its own status says whether it was cancelled).
    `own_keys`: the Idempotency-Keys of this device's accepts (`own_accept_keys`), to tell whether an accept
    that stood before a refused one was this device's own (after a `stale_refund`: its refund ids,
    `own_refund_ids`). `own_cancels`: the orders this device cancelled or rejected (`own_cancelled_orders`), to
    tell whether the store's cancellation that ended the order was this device's own (`cancelled_here`: "you
    cancelled it on this device", not "another device of this store")."""
    reason: dict[str, Any] = {"code": error.code, "message": error.message, "status": error.status}
    detail = error.detail
    if detail is not None:
        for name in ("field", "to", "current_version", "tries_left"):
            if getattr(detail, name) is not None:
                reason[name] = getattr(detail, name)
        if detail.from_ is not None:
            reason["from"] = detail.from_
        if detail.locked_until is not None:
            reason["locked_until"] = _utc_z(detail.locked_until)
        if detail.timezone:  # the store's: explain() says locked_until and at on its clock
            reason["timezone"] = detail.timezone
        if detail.at is not None:  # voucher_redeemed: when
            reason["at"] = _utc_z(detail.at)
        if detail.preparation_minutes is not None:  # already_accepted: the accept that stands
            reason["preparation_minutes"] = detail.preparation_minutes
        if detail.promised_ready_at is not None:
            reason["promised_ready_at"] = _utc_z(detail.promised_ready_at)
    if order_doc is not None:
        reason["order_number"] = order_doc.get("number")
        reason["current_status"] = order_doc.get("status")
        reason["order_type"] = order_doc.get("type")  # a handoff of a delivery is refused for its type
        reason["cancelled_by"] = cancelled_by(order_doc)
        if reason["cancelled_by"] == "MERCHANT" and order_doc.get("status") == "CANCELLED":
            reason["cancelled_here"] = order_doc.get("id") in own_cancels
        if order_doc.get("status") == "CANCELLED" and order_doc.get("cancel_reason_code"):
            reason["cancel_reason_code"] = str(order_doc["cancel_reason_code"])  # why, as the order records it
        if error.code == "already_accepted":
            _accept_that_stands(reason, order_doc, own_keys)
        if error.code == "stale_refund":  # own_keys: this device's refund ids (`own_refund_ids`)
            _refund_that_stands(reason, order_doc, own_keys)
    elif delivery_doc is not None:
        reason["order_number"] = delivery_doc.get("order_number")
        reason["current_status"] = delivery_doc.get("status")
        if isinstance(delivery_doc.get("store_name"), str) and delivery_doc["store_name"].strip():
            # a platform courier's day numbers collide across stores: the store names which #0005 it was
            reason["store_name"] = delivery_doc["store_name"]
        if isinstance(delivery_doc.get("store_timezone"), str) and delivery_doc["store_timezone"]:
            reason.setdefault("timezone", delivery_doc["store_timezone"])  # its times on the store's clock
        if delivery_doc.get("status") == "CANCELLED" and delivery_doc.get("end_reason"):
            # why it ended (taken off the courier, reassigned, the order cancelled): absent from older servers
            reason["end_reason"] = str(delivery_doc["end_reason"])
            if delivery_doc.get("cancel_reason_code"):
                reason["cancel_reason_code"] = str(delivery_doc["cancel_reason_code"])
        elif delivery_doc.get("status") == "RETURNING" and delivery_doc.get("order_cancelled"):
            # the order was cancelled while the courier had the food: on its way back, said as a cancellation
            reason["order_cancelled"] = True
            if delivery_doc.get("cancel_reason_code"):
                reason["cancel_reason_code"] = str(delivery_doc["cancel_reason_code"])
    return reason


DELIVERY_REJECT = "delivery.reject"


def refusal_is_done(action: str, reason: dict[str, Any]) -> bool:
    """A refusal that left what the person wanted: a courier's reject of an offer that ended meanwhile (taken
    off them and given to another courier, back to the dispatcher, the order cancelled) refused because the
    delivery is no longer theirs to reject. They wanted not to carry it, and they do not: confirmed, not a
    conflict to dismiss (and no alarm)."""
    return action == DELIVERY_REJECT and reason.get("current_status") == "CANCELLED"


STORE_STATUS = "store.status"


def store_change_reason(action: str, body: str | bytes, occurred_at: str | None, store_doc: Any) -> dict[str, Any]:
    """After a refused store status change (`stale_store_change`): what this device asked (`asked`: from the refused
    body, a pause's minutes counted from the tap) and what stands now (`standing`: the refetched or cached store's
    status, with when staff set it, `set_at`), with the store's `timezone` to say the times on its clock. {} for
    any other action, and `standing` left out without a store document."""
    if action != STORE_STATUS:
        return {}
    reason: dict[str, Any] = {}
    try:
        asked = msgspec.json.decode(body)
    except (msgspec.DecodeError, TypeError):
        asked = None
    if isinstance(asked, dict) and isinstance(asked.get("state"), str):
        reason["asked"] = _status_fields(asked)
        reason["asked"]["minutes"] = _minutes_between(occurred_at, asked.get("until"))
    status = store_doc.get("status") if isinstance(store_doc, dict) else None
    if isinstance(status, dict) and isinstance(status.get("state"), str):
        standing = _status_fields(status)
        standing["auto"] = bool(status.get("auto"))
        standing["set_at"] = store_doc.get("status_set_at") if isinstance(store_doc.get("status_set_at"), str) else None
        reason["standing"] = standing
    if isinstance(store_doc, dict) and isinstance(store_doc.get("timezone"), str):
        reason["timezone"] = store_doc["timezone"]
    return reason


def _status_fields(status: dict[str, Any]) -> dict[str, Any]:
    """A store status (a request body's or a store document's) as a refusal keeps it."""
    extra = status.get("extra_minutes")
    return {
        "state": str(status["state"]),
        "until": status.get("until") if isinstance(status.get("until"), str) else None,
        "reason": status.get("reason") if isinstance(status.get("reason"), str) else "",
        "extra_minutes": extra if isinstance(extra, int) and not isinstance(extra, bool) else 0,
    }


def _minutes_between(start: Any, end: Any) -> int | None:
    """Whole minutes from the tap to a pause's end (None when either is missing or unreadable, or not after)."""
    from datetime import datetime

    try:
        first, last = datetime.fromisoformat(str(start)), datetime.fromisoformat(str(end))
        seconds = (last - first).total_seconds()
    except (TypeError, ValueError):
        return None
    return round(seconds / 60) if seconds >= 30 else None


def _accept_that_stands(reason: dict[str, Any], order_doc: dict[str, Any], own_keys: Collection[str]) -> None:
    """After an `already_accepted`: the refetched order's minutes and promise where the refusal did not carry
    them, whether the station accepted it by itself (the sentence then names auto-accept, not a counter), and
    whether the accept that stood carries one of this device's own keys (`accepted_here`: "this counter's
    accept already stood", not another counter's)."""
    for name in ("preparation_minutes", "promised_ready_at", "confirmed_at", "delayed_minutes"):
        if reason.get(name) is None and order_doc.get(name) is not None:
            reason[name] = order_doc[name]
    timing = order_doc.get("timing")  # an order for later may be promised at its customer's time: not busy minutes
    if isinstance(timing, dict) and timing.get("type") == "SCHEDULED" and timing.get("window_start"):
        reason["asked_at"] = timing["window_start"]
    reason["auto_accepted"] = bool(order_doc.get("auto_accepted"))
    stood = order_doc.get("accept_key")
    reason["accepted_here"] = isinstance(stood, str) and stood in own_keys


# the Idempotency-Keys of the accepts this device's engine saw the platform take (newest last): the outbox forgets
# an entry once it is confirmed, and the order's `accept_key` names the accept that stood
CONFIRMED_ACCEPTS = "sync.confirmed_accept_keys"
# the keys of the accepts `o2o orders accept` queued on this profile (the command line's own record)
CLI_ACCEPTS = "cli.own_accept_keys"
OWN_ACCEPTS_MAX = 500
ACCEPT = "order.confirm"
# the ids of the orders whose cancellation by the store (a cancel or a reject) this device's engine saw the
# platform take (newest last): a later refusal of an action on the order then says this device cancelled it
CONFIRMED_CANCELS = "sync.confirmed_store_cancels"
STORE_CANCELS = frozenset({"order.cancel", "order.reject"})
# the ids of the refunds this device's engine saw the platform take (newest last): a refund refused as stale then
# says whether the refund that got there first was this device's own (two commands queued the same refund)
CONFIRMED_REFUNDS = "sync.confirmed_refund_ids"
REFUND = "order.refund"


def remembered_keys(cache: Any, name: str) -> list[str]:
    """A meta list of accept keys (`CONFIRMED_ACCEPTS`, `CLI_ACCEPTS`), oldest first; [] when unset."""
    stored = cache.meta_get(name, None)
    return [key for key in stored if isinstance(key, str)] if isinstance(stored, list) else []


def remember_keys(cache: Any, name: str, keys: Collection[str]) -> None:
    """Add `keys` to the meta list `name`, keeping the newest `OWN_ACCEPTS_MAX`."""
    if keys:
        kept = remembered_keys(cache, name)
        cache.meta_set(name, [*kept, *(key for key in keys if key not in kept)][-OWN_ACCEPTS_MAX:])


def own_accept_keys(cache: Any) -> set[str]:
    """The keys of this profile's accepts that it can still tell: the ones the engine saw confirmed, the command
    line's, and any accept still in the outbox (sent or refused)."""
    own = set(remembered_keys(cache, CONFIRMED_ACCEPTS)) | set(remembered_keys(cache, CLI_ACCEPTS))
    return own | {entry.key for entry in cache.outbox.entries() if entry.action == ACCEPT}


def own_cancelled_orders(cache: Any) -> set[str]:
    """The ids of the orders this device cancelled (or rejected) for the store: the ones the engine saw
    confirmed, and any cancel still in the outbox that was not refused (sent, its answer maybe lost)."""
    own = set(remembered_keys(cache, CONFIRMED_CANCELS))
    return own | {
        entry.target.split("/")[0]
        for entry in cache.outbox.entries()
        if entry.action in STORE_CANCELS and entry.rejection is None
    }


def remember_confirmed(cache: Any, entries: Collection[Any]) -> None:
    """Before the outbox forgets the entries the platform took: the keys of its accepts (`CONFIRMED_ACCEPTS`)
    and the orders of its cancels and rejects (`CONFIRMED_CANCELS`), so a later refusal can tell this device's
    own from another's."""
    remember_keys(cache, CONFIRMED_ACCEPTS, [entry.key for entry in entries if entry.action == ACCEPT])
    cancels = [entry.target.split("/")[0] for entry in entries if entry.action in STORE_CANCELS]
    remember_keys(cache, CONFIRMED_CANCELS, list(dict.fromkeys(cancels)))
    refunds = [refund_id for entry in entries if entry.action == REFUND and (refund_id := _refund_id(entry))]
    remember_keys(cache, CONFIRMED_REFUNDS, refunds)


def _refund_id(entry: Any) -> str | None:
    """The refund's own id (the client chooses it: `RefundBody.id`, the id the order's refund then carries)."""
    try:
        body = msgspec.json.decode(entry.body)
    except msgspec.DecodeError:
        return None
    refund_id = body.get("id") if isinstance(body, dict) else None
    return refund_id if isinstance(refund_id, str) and refund_id else None


def own_refund_ids(cache: Any) -> set[str]:
    """The ids of this profile's refunds that it can still tell: the ones the engine saw confirmed and any refund
    still in the outbox that was not refused (sent, its answer maybe not written yet by the command that sent it)."""
    own = set(remembered_keys(cache, CONFIRMED_REFUNDS))
    for entry in cache.outbox.entries():
        if entry.action == REFUND and entry.rejection is None and (refund_id := _refund_id(entry)):
            own.add(refund_id)
    return own


def _refund_that_stands(reason: dict[str, Any], order_doc: dict[str, Any], own_ids: Collection[str]) -> None:
    """After a `stale_refund`: whether the order's newest refund, the one that got there first, is this device's
    own (`refunded_here`: "already refunded by this device", not "from another device")."""
    refunds = order_doc.get("refunds")
    newest = refunds[-1] if isinstance(refunds, list) and refunds else None
    reason["refunded_here"] = isinstance(newest, dict) and newest.get("id") in own_ids


def own_records(cache: Any, error: PlatformError, order_doc: dict[str, Any] | None) -> tuple[set[str], set[str]]:
    """What `rejection_reason` needs to tell this device's own doings for this refusal: its accept keys after an
    `already_accepted` (its refund ids after a `stale_refund`), the orders it cancelled when the order was
    cancelled by the store (else empty sets)."""
    keys = own_accept_keys(cache) if error.code == "already_accepted" else set()
    if error.code == "stale_refund":  # its refund ids: whether the refund that got there first was its own
        keys = own_refund_ids(cache)
    by_store = order_doc is not None and cancelled_by(order_doc) == "MERCHANT"
    return keys, own_cancelled_orders(cache) if by_store else set()

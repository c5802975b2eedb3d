"""What the engine keeps about a final refusal: the platform's reason plus what the order (or the courier's
delivery) looks like now, so `explain()` can tell a person what happened ("order #0042 was cancelled by the
customer before ...")."""

from __future__ import annotations

from typing import Any

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


def rejection_reason(
    error: PlatformError, order_doc: dict[str, Any] | None, delivery_doc: dict[str, Any] | None = None
) -> dict[str, Any]:
    """`order_doc` for an order action, `delivery_doc` for a courier's action (a courier never reads the
    order: the delivery carries the order's number, and its own status says whether it was cancelled)."""
    reason: dict[str, Any] = {"code": error.code, "message": error.message, "status": error.status}
    detail = error.detail
    if detail is not None:
        for name in ("field", "to", "current_version"):
            if getattr(detail, name) is not None:
                reason[name] = getattr(detail, name)
        if detail.from_ is not None:
            reason["from"] = detail.from_
        if detail.locked_until is not None:
            reason["locked_until"] = detail.locked_until.isoformat()
        if detail.timezone:  # the store's: explain() says locked_until and at on its clock
            reason["timezone"] = detail.timezone
        if detail.at is not None:  # voucher_redeemed: when
            reason["at"] = detail.at.isoformat()
        if detail.preparation_minutes is not None:  # already_accepted: the accept that stands
            reason["preparation_minutes"] = detail.preparation_minutes
        if detail.promised_ready_at is not None:
            reason["promised_ready_at"] = detail.promised_ready_at.isoformat()
    if order_doc is not None:
        reason["order_number"] = order_doc.get("number")
        reason["current_status"] = order_doc.get("status")
        reason["order_type"] = order_doc.get("type")  # a handoff of a delivery is refused for its type
        reason["cancelled_by"] = cancelled_by(order_doc)
        if error.code == "already_accepted":
            _accept_that_stands(reason, order_doc)
    elif delivery_doc is not None:
        reason["order_number"] = delivery_doc.get("order_number")
        reason["current_status"] = delivery_doc.get("status")
    return reason


def _accept_that_stands(reason: dict[str, Any], order_doc: dict[str, Any]) -> None:
    """After an `already_accepted`: the refetched order's minutes and promise where the refusal did not carry
    them, and whether the station accepted it by itself (the sentence then names auto-accept, not a counter)."""
    for name in ("preparation_minutes", "promised_ready_at"):
        if reason.get(name) is None and order_doc.get(name) is not None:
            reason[name] = order_doc[name]
    reason["auto_accepted"] = bool(order_doc.get("auto_accepted"))

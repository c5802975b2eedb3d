"""The one table of mutating platform actions: how an outbox intent becomes an HTTP request.

An outbox entry stores `(action, target, body bytes)`; `ACTIONS[action]` says which method and path to use, what
the body is and what the answer decodes to. `target` fills the path: an order id, a store id, a courier id, a
delivery id, or `"STORE_ID/ITEM_ID"` for `menu.item.patch` (`"STORE_ID/OPTION_ID"` for `menu.option.patch`).
For `order.create` the target is the store id (the path has no placeholder; it keys the intent to the store).
"""

from __future__ import annotations

import string
from urllib.parse import quote

import msgspec

from o2o_tui.domain.auto_accept import AutoAcceptBody
from o2o_tui.domain.chases import ChaseBody, ChaseReplyBody
from o2o_tui.domain.fleet import Courier, Delivery
from o2o_tui.domain.menu import Menu
from o2o_tui.domain.order import Order
from o2o_tui.domain.refunds import RefundBody
from o2o_tui.domain.requests import (
    AssignBody,
    CodeBody,
    CodeValidation,
    ConfirmBody,
    CourierStateBody,
    CreateOrderBody,
    DelayBody,
    EmptyBody,
    HoursBody,
    ItemPatchBody,
    OptionPatchBody,
    PrepTimeBody,
    ProblemBody,
    ReasonBody,
    StoreStatusBody,
    UnassignBody,
)
from o2o_tui.domain.store import Store
from o2o_tui.domain.voucher import Voucher


class ActionRoute(msgspec.Struct, frozen=True):
    method: str
    path_template: str  # placeholders are filled, in order, from the "/"-separated target
    body_type: type[msgspec.Struct]
    result_type: type[msgspec.Struct]
    entity: str  # "order", "store", "menu", "courier", "delivery"
    conditional: bool = False  # takes If-Match (menu publish, store hours)

    def placeholders(self) -> list[str]:
        return [name for _, name, _, _ in string.Formatter().parse(self.path_template) if name]

    def path(self, target: str) -> str:
        names = self.placeholders()
        if not names:
            return self.path_template
        parts = target.split("/")
        if len(parts) != len(names) or not all(parts):
            raise ValueError(f"target {target!r} does not fill {self.path_template}")
        return self.path_template.format(**{n: quote(p, safe="") for n, p in zip(names, parts, strict=True)})


def _order(
    action: str, body: type[msgspec.Struct] = EmptyBody, result: type[msgspec.Struct] = Order
) -> ActionRoute:
    return ActionRoute("POST", "/v1/orders/{order_id}/" + action, body, result, "order")


def _delivery(action: str, body: type[msgspec.Struct] = EmptyBody) -> ActionRoute:
    return ActionRoute("POST", "/v1/deliveries/{delivery_id}/" + action, body, Delivery, "delivery")


ACTIONS: dict[str, ActionRoute] = {
    "order.create": ActionRoute("POST", "/v1/orders", CreateOrderBody, Order, "order"),
    "order.confirm": _order("confirm", ConfirmBody),
    "order.reject": _order("reject", ReasonBody),
    "order.delay": _order("delay", DelayBody),
    "order.preparing": _order("preparing"),
    "order.ready": _order("ready"),
    "order.dispatch": _order("dispatch"),
    "order.handoff": _order("handoff", CodeBody),
    "order.delivered": _order("delivered"),
    "order.cancel": _order("cancel", ReasonBody),
    "order.cancellation.request": _order("cancellation", ReasonBody),
    "order.cancellation.accept": _order("cancellation/accept"),
    "order.cancellation.deny": _order("cancellation/deny", ReasonBody),
    "order.assign": _order("assign", AssignBody, Delivery),
    # expect_courier_id: the holder the sender saw (409 courier_changed when another has it now)
    "order.unassign": _order("unassign", UnassignBody),
    "order.unlock_code": _order("code-lock/lift"),
    "order.chase": _order("chase", ChaseBody),  # the customer's (the simulator's customers)
    "order.chase_reply": _order("chase/reply", ChaseReplyBody),
    "order.refund": _order("refund", RefundBody),
    # the store has the food of a refused pickup back at the counter (the courier never said `food_back`)
    "order.food_received": _order("food-received"),
    "store.status": ActionRoute("PUT", "/v1/stores/{store_id}/status", StoreStatusBody, Store, "store"),
    # If-Match: the version of the hours the change was edited from (`store_hours.hours_tag`), when it has one
    "store.hours": ActionRoute("PUT", "/v1/stores/{store_id}/hours", HoursBody, Store, "store", conditional=True),
    "store.prep_time": ActionRoute("PUT", "/v1/stores/{store_id}/prep-time", PrepTimeBody, Store, "store"),
    "store.auto_accept": ActionRoute("PUT", "/v1/stores/{store_id}/auto-accept", AutoAcceptBody, Store, "store"),
    "store.validate_code": ActionRoute(
        "POST", "/v1/stores/{store_id}/validate-code", CodeBody, CodeValidation, "store"
    ),
    # the counter's redemption of a voucher code (核销); the answer is the voucher, which no device caches
    "voucher.redeem": ActionRoute("POST", "/v1/stores/{store_id}/vouchers/redeem", CodeBody, Voucher, "store"),
    "menu.publish": ActionRoute("PUT", "/v1/stores/{store_id}/menu", Menu, Menu, "menu", conditional=True),
    "menu.item.patch": ActionRoute(
        "PATCH", "/v1/stores/{store_id}/menu/items/{item_id}", ItemPatchBody, Menu, "menu"
    ),
    "menu.option.patch": ActionRoute(
        "PATCH", "/v1/stores/{store_id}/menu/options/{option_id}", OptionPatchBody, Menu, "menu"
    ),
    "courier.state": ActionRoute(
        "PUT", "/v1/couriers/{courier_id}/state", CourierStateBody, Courier, "courier"
    ),
    "delivery.accept": _delivery("accept"),
    "delivery.reject": _delivery("reject"),
    "delivery.arrived_at_merchant": _delivery("arrived-at-merchant"),
    "delivery.picked_up": _delivery("picked-up", CodeBody),
    "delivery.arrived_at_customer": _delivery("arrived-at-customer"),
    "delivery.delivered": _delivery("delivered", CodeBody),
    "delivery.return": _delivery("return"),
    "delivery.returned": _delivery("returned"),
    "delivery.problem": _delivery("problem", ProblemBody),
    # the food of a refused pickup (the order cancelled or reassigned meanwhile) is back at the store's counter
    "delivery.food_back": _delivery("food-back"),
}

_ENCODER = msgspec.json.Encoder(order="deterministic")


class UnknownAction(ValueError):
    """An action this version has no route for: one queued by a newer version of o2o on the same profile (then
    rolled back), or a damaged outbox entry. The engine moves such an entry to the conflicts unsent."""

    def __init__(self, action: str) -> None:
        super().__init__(f"unknown platform action {action!r}")
        self.action = action


def known_action(action: str) -> bool:
    """Whether this version can send `action` (see `UnknownAction`)."""
    return action in ACTIONS


def route(action: str) -> ActionRoute:
    try:
        return ACTIONS[action]
    except KeyError:
        raise UnknownAction(action) from None


def encode_body(action: str, body: msgspec.Struct) -> bytes:
    """The request body as deterministic JSON: the same intent always gives the same bytes (idempotent retries)."""
    expected = route(action).body_type
    if not isinstance(body, expected):
        raise TypeError(f"{action} takes {expected.__name__}, not {type(body).__name__}")
    return _ENCODER.encode(body)


class BodyOutOfBounds(ValueError):
    """A body the platform would refuse for its own shape (a bound, a pattern, a range): said before queuing."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def check_body(action: str, body: msgspec.Struct) -> None:
    """Raise `BodyOutOfBounds` when `body` breaks a bound its request type states (`Meta` on the `...In` types):
    msgspec checks those only when decoding, so the body is decoded back once, as the server will."""
    raw = encode_body(action, body)
    try:
        msgspec.json.decode(raw, type=route(action).body_type)
    except msgspec.ValidationError as error:
        message, _, where = str(error).partition(" - at `$")
        raise BodyOutOfBounds(where.rstrip("`").lstrip(".") or "body", message) from None


def decode_result(action: str, data: bytes) -> msgspec.Struct:
    """Decode an answer to `action` strictly; raises `msgspec.DecodeError`/`ValidationError` when it is wrong."""
    return msgspec.json.decode(data, type=route(action).result_type)

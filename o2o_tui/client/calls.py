"""Every platform request as a `Call`, built once for both the sync and the async client."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from urllib.parse import quote

import msgspec

from o2o_tui.client.actions import encode_body, route
from o2o_tui.client.wire import Call, clean_params, mutation_headers
from o2o_tui.domain.events import EventPage
from o2o_tui.domain.fleet import Courier, CourierList, Delivery, DeliveryList
from o2o_tui.domain.identity import Me
from o2o_tui.domain.menu import Menu
from o2o_tui.domain.order import Order, OrderPage
from o2o_tui.domain.store import Store
from o2o_tui.domain.store_page import StorePage

MAX_WAIT_SECONDS = 60.0


def _seg(value: str) -> str:
    return quote(value, safe="")


def me() -> Call[Me]:
    return Call("GET", "/v1/me", Me)


def events(after: str | None, wait: float, limit: int) -> Call[EventPage]:
    wait = max(0.0, min(wait, MAX_WAIT_SECONDS))
    params = clean_params({"after": after, "wait": f"{wait:g}", "limit": limit})
    return Call("GET", "/v1/events", EventPage, params=params, extra_timeout=wait)


def list_orders(
    store_id: str | None,
    status: str | Sequence[str] | None,
    updated_after: str | datetime | None,
    limit: int,
    cursor: str | None,
) -> Call[OrderPage]:
    if status is not None and not isinstance(status, str):
        status = ",".join(str(s) for s in status)  # the server takes "CREATED,CONFIRMED"
    params = clean_params(
        {
            "store_id": store_id,
            "status": status,
            "updated_after": updated_after,
            "limit": limit,
            "cursor": cursor,
        }
    )
    return Call("GET", "/v1/orders", OrderPage, params=params)


def get_order(order_id: str) -> Call[Order]:
    return Call("GET", f"/v1/orders/{_seg(order_id)}", Order)


def get_store(store_id: str) -> Call[Store]:
    return Call("GET", f"/v1/stores/{_seg(store_id)}", Store)


def list_stores(name: str | None, limit: int, cursor: str | None) -> Call[StorePage]:
    """Every store (admin only), those whose name holds `name` when given."""
    params = clean_params({"name": name, "limit": limit, "cursor": cursor})
    return Call("GET", "/v1/stores", StorePage, params=params)


def get_menu(store_id: str) -> Call[Menu]:
    return Call("GET", f"/v1/stores/{_seg(store_id)}/menu", Menu)


def list_couriers(store_id: str | None) -> Call[CourierList]:
    return Call("GET", "/v1/couriers", CourierList, params=clean_params({"store_id": store_id}))


def get_courier(courier_id: str) -> Call[Courier]:
    return Call("GET", f"/v1/couriers/{_seg(courier_id)}", Courier)


def list_deliveries(courier_id: str | None, active: bool) -> Call[DeliveryList]:
    params = clean_params({"courier_id": courier_id, "active": active})
    return Call("GET", "/v1/deliveries", DeliveryList, params=params)


def get_delivery(delivery_id: str) -> Call[Delivery]:
    return Call("GET", f"/v1/deliveries/{_seg(delivery_id)}", Delivery)


def send(
    action: str, target: str, body: bytes, *, key: str, occurred_at: str | None, if_match: int | None
) -> Call[msgspec.Struct]:
    action_route = route(action)
    return Call(
        action_route.method,
        action_route.path(target),
        action_route.result_type,
        content=body,
        headers=mutation_headers(key, occurred_at, if_match),
    )


def act(
    action: str,
    target: str,
    body: msgspec.Struct,
    *,
    key: str,
    occurred_at: str | None = None,
    if_match: int | None = None,
) -> Call[msgspec.Struct]:
    return send(
        action, target, encode_body(action, body), key=key, occurred_at=occurred_at, if_match=if_match
    )

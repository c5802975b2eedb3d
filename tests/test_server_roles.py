"""The role matrix: every role against every endpoint. Allowed answers are never 401/403/404; a role that may
never do something gets 403; someone else's store, order, courier or delivery is a 404 (ids do not leak)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from o2o_tui.domain.geo import Address
from o2o_tui.domain.identity import Role
from o2o_tui.platform import db, seed
from tests.support.platform import Api, RunningPlatform, order_body

OK, FORBIDDEN, NOT_FOUND = "ok", 403, 404
ROLES = (
    "admin",
    "merchant",
    "dispatcher",
    "courier",
    "customer",
    "courier2",
    "merchant_b",
    "dispatcher_b",
    "customer_b",
)


@dataclass
class World:
    clients: dict[str, Api]
    store: str
    order: str
    order_pickup: str
    courier: str
    delivery: str
    menu_version: int
    voucher: str = ""  # one voucher for sale at the store


@pytest.fixture(scope="module")
def world(shared_platform: RunningPlatform) -> Iterator[World]:
    seeded = shared_platform.seed
    assert seeded is not None
    engine = db.open_database(shared_platform.db_url)
    with engine.begin() as conn:  # a second store with its own staff, next to the demo store
        other = seed.create_store(
            conn, name="隔壁面馆 Noodle shop next door", address=Address(text="南京东路 102 号")
        )
        tokens_b = {
            name: seed.create_user(conn, role=role, name=name, store_id=store).token
            for name, role, store in (
                ("merchant_b", Role.MERCHANT, other.id),
                ("dispatcher_b", Role.DISPATCHER, other.id),
                ("customer_b", Role.CUSTOMER, None),
            )
        }
    engine.dispose()
    tokens = {
        **seeded.tokens,
        **tokens_b,
        "courier2": seeded.courier_tokens[seeded.courier_ids[1]],
    }
    clients = {role: Api(shared_platform.url, tokens[role]) for role in ROLES}
    order = clients["customer"].post("/v1/orders", order_body(seeded.store_id)).json()
    clients["merchant"].post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 10})  # accepted
    delivery = clients["dispatcher"].post(
        f"/v1/orders/{order['id']}/assign", {"courier_id": seeded.courier_ids[0]}
    )
    menu = clients["merchant"].get(f"/v1/stores/{seeded.store_id}/menu").json()
    issued = clients["admin"].post("/v1/vouchers", _voucher_body(seeded.store_id, count=1)).json()
    yield World(
        clients=clients,
        store=seeded.store_id,
        order=order["id"],
        order_pickup=order["pickup_code"],
        courier=seeded.courier_ids[0],
        delivery=delivery.json()["id"],
        menu_version=menu["version"],
        voucher=issued["vouchers"][0]["id"],
    )
    for client in clients.values():
        client.close()


def _voucher_body(store_id: str, count: int = 1) -> dict:
    return {
        "id": uuid.uuid4().hex,
        "store_id": store_id,
        "title": "Set meal for 2",
        "value": {"amount": 3800, "currency": "CNY"},
        "expires_at": "2099-01-01T00:00:00Z",
        "count": count,
    }


def _all(expected: object) -> dict[str, object]:
    return dict.fromkeys(ROLES, expected)


def _only(allowed: tuple[str, ...], *, not_found: tuple[str, ...] = (), default: object = FORBIDDEN) -> dict:
    table = _all(default)
    table.update(dict.fromkeys(allowed, OK))
    table.update(dict.fromkeys(not_found, NOT_FOUND))
    return table


STORE_READERS = _only(
    ("admin", "merchant", "dispatcher", "customer", "customer_b"), not_found=("merchant_b", "dispatcher_b")
)
STORE_WRITERS = _only(("admin", "merchant"), not_found=("merchant_b",))
ORDER_READERS = _only(
    ("admin", "merchant", "dispatcher", "customer"), not_found=("merchant_b", "dispatcher_b", "customer_b")
)
MERCHANT_ACTION = _only(("admin", "merchant"), not_found=("merchant_b",))
STAFF_ACTION = _only(("admin", "merchant", "dispatcher"), not_found=("merchant_b", "dispatcher_b"))
CUSTOMER_OR_MERCHANT = _only(("admin", "merchant", "customer"), not_found=("merchant_b", "customer_b"))
FLEET_READERS = _only(("admin", "merchant", "dispatcher", "merchant_b", "dispatcher_b"))
COURIER_READERS = _only(
    ("admin", "merchant", "dispatcher", "courier"), not_found=("courier2", "merchant_b", "dispatcher_b")
)
COURIER_SELF = _only(("admin", "courier"), not_found=("courier2",))
DELIVERY_READERS = _only(("admin", "dispatcher", "courier"), not_found=("courier2", "dispatcher_b"))

Endpoint = tuple[str, str, Callable[[World], object], dict[str, object]]
NO_BODY: Callable[[World], object] = lambda w: None  # noqa: E731

ENDPOINTS: list[Endpoint] = [
    ("GET", "/v1/me", NO_BODY, _all(OK)),
    ("GET", "/v1/events?after=latest", NO_BODY, _all(OK)),
    ("GET", "/v1/stores?name=noodle", NO_BODY, _only(("admin",))),  # every store: the platform operator only
    ("GET", "/v1/stores/{store}", NO_BODY, STORE_READERS),
    ("PUT", "/v1/stores/{store}/status", lambda w: {"state": "ONLINE"}, STORE_WRITERS),
    ("PUT", "/v1/stores/{store}/prep-time", lambda w: {"minutes": 15}, STORE_WRITERS),
    ("GET", "/v1/stores/{store}/menu", NO_BODY, STORE_READERS),
    ("PATCH", "/v1/stores/{store}/menu/items/rice", lambda w: {"hidden": False}, STORE_WRITERS),
    ("PATCH", "/v1/stores/{store}/menu/options/rice-white", lambda w: {"hidden": False}, STORE_WRITERS),
    ("PUT", "/v1/stores/{store}/hours", lambda w: {"opening_hours": [], "exceptions": []}, STORE_WRITERS),
    ("POST", "/v1/stores/{store}/validate-code", lambda w: {"code": "1234"}, STORE_WRITERS),
    ("GET", "/v1/stores/{store}/reports/day", NO_BODY, STORE_WRITERS),  # figures: its merchant, admin
    ("GET", "/v1/stores/{store}/auto-accept", NO_BODY, STAFF_ACTION),  # the setting, the station's check-in
    ("PUT", "/v1/stores/{store}/auto-accept", lambda w: {"enabled": False}, STORE_WRITERS),
    (
        "GET",
        "/v1/orders",
        NO_BODY,
        _only(("admin", "merchant", "dispatcher", "customer", "merchant_b", "dispatcher_b", "customer_b")),
    ),
    (
        "GET",
        "/v1/orders?store_id={store}",
        NO_BODY,
        _only(
            ("admin", "merchant", "dispatcher", "customer", "customer_b"),
            not_found=("merchant_b", "dispatcher_b"),
        ),
    ),
    ("POST", "/v1/orders", lambda w: order_body(w.store), _only(("admin", "customer", "customer_b"))),
    ("GET", "/v1/orders/{order}", NO_BODY, ORDER_READERS),
    ("POST", "/v1/orders/{order}/confirm", lambda w: {"preparation_minutes": 10}, MERCHANT_ACTION),
    ("POST", "/v1/orders/{order}/preparing", NO_BODY, MERCHANT_ACTION),
    ("POST", "/v1/orders/{order}/delay", lambda w: {"minutes": 5}, MERCHANT_ACTION),
    ("POST", "/v1/orders/{order}/ready", NO_BODY, MERCHANT_ACTION),
    ("POST", "/v1/orders/{order}/handoff", lambda w: {"code": w.order_pickup}, MERCHANT_ACTION),
    ("POST", "/v1/orders/{order}/dispatch", NO_BODY, STAFF_ACTION),
    ("POST", "/v1/orders/{order}/delivered", NO_BODY, STAFF_ACTION),
    ("POST", "/v1/orders/{order}/cancellation", lambda w: {"reason_code": "OTHER"}, CUSTOMER_OR_MERCHANT),
    ("POST", "/v1/orders/{order}/cancellation/deny", lambda w: {"reason_code": "MERCHANT_DENIED"}, MERCHANT_ACTION),
    ("POST", "/v1/orders/{order}/cancellation/accept", NO_BODY, MERCHANT_ACTION),
    ("POST", "/v1/orders/{order}/assign", lambda w: {"courier_id": w.courier}, STAFF_ACTION),
    ("POST", "/v1/orders/{order}/unassign", NO_BODY, STAFF_ACTION),
    ("POST", "/v1/orders/{order}/code-lock/lift", NO_BODY, STAFF_ACTION),
    # the food of a refused pickup is back at the counter, said by the store (the merchant of that store only)
    ("POST", "/v1/orders/{order}/food-received", NO_BODY, _only(("merchant",), not_found=("merchant_b",))),
    # chases and refunds (routes/order_care.py): the customer chases, the store answers and refunds
    ("POST", "/v1/orders/{order}/chase", lambda w: {}, _only(("admin", "customer"), not_found=("customer_b",))),
    ("POST", "/v1/orders/{order}/chase/reply", lambda w: {"template": "READY"}, MERCHANT_ACTION),
    (
        "POST",
        "/v1/orders/{order}/refund",
        lambda w: {"id": uuid.uuid4().hex, "reason_code": "LATE", "whole": True},
        MERCHANT_ACTION,
    ),
    # vouchers (routes/vouchers.py): the admin issues, a customer buys, the store's merchant redeems
    (
        "GET",
        "/v1/vouchers",
        NO_BODY,
        _only(("admin", "merchant", "customer", "merchant_b", "customer_b")),
    ),
    ("POST", "/v1/vouchers", lambda w: _voucher_body(w.store), _only(("admin",))),
    (
        "POST",
        "/v1/vouchers/{voucher}/buy",
        lambda w: {"purchase_id": uuid.uuid4().hex},
        _only(("customer", "customer_b")),
    ),
    (
        "POST",
        "/v1/stores/{store}/vouchers/redeem",
        lambda w: {"code": "000000000000"},
        _only(("merchant",), not_found=("merchant_b",)),
    ),
    ("GET", "/v1/couriers", NO_BODY, FLEET_READERS),
    (
        "GET",
        "/v1/couriers?store_id={store}",
        NO_BODY,
        _only(("admin", "merchant", "dispatcher"), not_found=("merchant_b", "dispatcher_b")),
    ),
    ("GET", "/v1/couriers/{courier}", NO_BODY, COURIER_READERS),
    (
        "PUT",
        "/v1/couriers/{courier}/state",
        lambda w: {"position": {"lat": 31.23, "lon": 121.47}},
        COURIER_SELF,
    ),
    ("GET", "/v1/deliveries", NO_BODY, _only(("admin", "dispatcher", "courier", "courier2", "dispatcher_b"))),
    (
        "GET",
        "/v1/deliveries?courier_id={courier}",
        NO_BODY,
        _only(("admin", "dispatcher", "courier", "dispatcher_b"), not_found=("courier2",)),
    ),
    ("GET", "/v1/deliveries/{delivery}", NO_BODY, DELIVERY_READERS),
    ("POST", "/v1/deliveries/{delivery}/problem", lambda w: {"reason": "OTHER"}, COURIER_SELF),
    # the food of a refused pickup is back at the store: only the courier who has it
    ("POST", "/v1/deliveries/{delivery}/food-back", NO_BODY, _only(("courier",), not_found=("courier2",))),
    ("POST", "/v1/deliveries/{delivery}/accept", NO_BODY, COURIER_SELF),
    *(
        ("POST", f"/v1/deliveries/{{delivery}}/{action}", NO_BODY, COURIER_SELF)
        for action in ("reject", "arrived-at-merchant", "arrived-at-customer", "return", "returned")
    ),
    *(
        ("POST", f"/v1/deliveries/{{delivery}}/{action}", lambda w: {"code": "0000"}, COURIER_SELF)
        for action in ("picked-up", "delivered")
    ),
    ("POST", "/v1/orders/{order}/reject", lambda w: {"reason_code": "STORE_BUSY"}, MERCHANT_ACTION),
    ("POST", "/v1/orders/{order}/cancel", lambda w: {"reason_code": "OTHER"}, CUSTOMER_OR_MERCHANT),
    ("PUT", "/v1/stores/{store}/menu", lambda w: None, STORE_WRITERS),
    # users (routes/users.py): an admin only; no such user here (test_offboarding.py disables real ones)
    *(("POST", f"/v1/users/{{user}}/{act}", NO_BODY, _only((), not_found=("admin",))) for act in ("disable", "enable")),
]


def _path(template: str, w: World) -> str:
    return template.format(
        store=w.store, order=w.order, courier=w.courier, delivery=w.delivery, voucher=w.voucher, user="u_nobody"
    )


@pytest.mark.parametrize(
    ("method", "template", "body", "expected"), ENDPOINTS, ids=[f"{m} {p}" for m, p, _, _ in ENDPOINTS]
)
def test_role_matrix(
    world: World, method: str, template: str, body: Callable[[World], object], expected: dict
) -> None:
    path = _path(template, world)
    wrong = []
    for role in ROLES:
        client = world.clients[role]
        if method == "GET":
            response = client.http.get(path)
        elif template.endswith("/menu") and method == "PUT":
            menu = world.clients["admin"].get(f"/v1/stores/{world.store}/menu").json()
            response = client.put(path, menu, headers={"If-Match": str(menu["version"])})
        else:
            response = client.send(method, path, body(world))
        want = expected[role]
        got_ok = response.status_code in (200, 201, 409)
        if (want == OK and not got_ok) or (want != OK and response.status_code != want):
            wrong.append(f"{role}: wanted {want}, got {response.status_code} {response.text[:120]}")
        if response.status_code in (403, 404):
            assert response.json()["error"]["code"] in ("forbidden", "not_found")
    assert not wrong, "\n".join(wrong)


def test_every_route_is_in_the_matrix(shared_platform: RunningPlatform) -> None:
    import httpx

    schema = httpx.get(f"{shared_platform.url}/openapi.json").json()
    routes = {
        (m.upper(), p)
        for p, ops in schema["paths"].items()
        for m in ops
        if m in ("get", "post", "put", "patch")
    }
    covered = {
        (
            m,
            t.split("?")[0]
            .replace("{store}", "{store_id}")
            .replace("{order}", "{order_id}")
            .replace("{courier}", "{courier_id}")
            .replace("{delivery}", "{delivery_id}")
            .replace("{voucher}", "{voucher_id}")
            .replace("{user}", "{user_id}"),
        )
        for m, t, _, _ in ENDPOINTS
    }
    named = {"/items/rice": "/items/{item_id}", "/options/rice-white": "/options/{option_id}"}
    for example, template in named.items():
        covered = {(m, p.replace(example, template)) for m, p in covered}
    missing = routes - covered
    assert not missing, sorted(missing)


def test_courier_sees_only_its_own_deliveries_and_masked_phones(world: World) -> None:
    mine = world.clients["courier"].get("/v1/deliveries").json()["deliveries"]
    assert world.delivery in [d["id"] for d in mine]
    for delivery in mine:  # blanked outright once it ended without this courier delivering it
        ended_elsewhere = delivery["status"] in ("CANCELLED", "REJECTED", "RETURNED")
        assert "****" in delivery["customer_phone"] or (ended_elsewhere and delivery["customer_phone"] == "")
    theirs = world.clients["courier2"].get("/v1/deliveries").json()["deliveries"]
    assert world.delivery not in [d["id"] for d in theirs]
    assert all(d["courier_id"] != world.courier for d in theirs)
    events = world.clients["courier2"].get("/v1/events", after="0").json()["events"]
    assert world.delivery not in [e["entity_id"] for e in events]
    assert world.order not in [e["entity_id"] for e in events]


def test_phone_is_masked_for_staff_and_full_for_owner_and_admin(world: World) -> None:
    path = f"/v1/orders/{world.order}"
    assert world.clients["customer"].get(path).json()["customer"]["phone"] == "13812345678"
    assert world.clients["admin"].get(path).json()["customer"]["phone"] == "13812345678"
    for role in ("merchant", "dispatcher"):
        shown = world.clients[role].get(path).json()
        assert shown["customer"]["phone"] == "138****5678"
        assert shown["delivery_code"] is None


def test_merchant_cannot_touch_another_store(world: World) -> None:
    other = world.clients["merchant_b"]
    assert other.put(f"/v1/stores/{world.store}/status", {"state": "PAUSED"}).status_code == 404
    assert other.patch(f"/v1/stores/{world.store}/menu/items/rice", {"hidden": True}).status_code == 404
    listed = other.get("/v1/orders").json()["orders"]
    assert world.order not in [o["id"] for o in listed]
    assert world.clients["merchant"].get(f"/v1/stores/{world.store}").json()["status"]["state"] != "PAUSED"


@pytest.mark.parametrize(
    ("phone", "shown"),
    [
        ("13812345678", "138****5678"),  # a mobile: the convention customers know
        ("+86 13812345678", "+86********5678"),
        ("62345678", "****5678"),  # a landline: never seven of its eight digits
        ("023456789", "*****6789"),
        ("1234567", "*****67"),
        ("12", "**"),
    ],
)
def test_a_phone_shown_to_staff_and_couriers_keeps_at_most_its_last_four_and_a_mobile_prefix(
    phone: str, shown: str
) -> None:
    from o2o_tui.platform.views import mask_phone

    assert mask_phone(phone) == shown
    hidden = sum(1 for a, b in zip(phone, shown, strict=True) if a != b)
    assert hidden >= len(phone) // 3  # always a good part of it


# a role that may never call a route is refused first (403), whatever its body or query: Litestar decoding a
# malformed body (422) came before the handlers' role checks (o2o_tui/platform/roles.py: the app's first guard)
GARBAGE_BODIES = {
    "not JSON": b'{"garbage": [1, 2',
    "wrong shape": b'{"no_such_field": {"deep": [true, null]}, "status": 12}',
    "a list": b"[1, 2, 3]",
}
# a query each read validates (a 422 to a role that may call it)
GARBAGE_QUERIES = {
    "/v1/orders": "?limit=0&updated_after=yesterday",
    "/v1/deliveries": "?active=maybe",
    "/v1/vouchers": "?for_sale=maybe",
    "/v1/stores/{store}/reports/day": "?date=the-day-before-yesterday",
    "/v1/stores/{store}/auto-accept": "?device=" + "d" * 200,
}
REFUSED = [
    (method, template, role)
    for method, template, _, expected in ENDPOINTS
    for role in ROLES
    if expected[role] == FORBIDDEN
]


@pytest.mark.parametrize(
    ("method", "template", "role"), REFUSED, ids=[f"{role} {m} {t}" for m, t, role in REFUSED]
)
def test_a_refused_role_hears_403_whatever_it_sends(world: World, method: str, template: str, role: str) -> None:
    client = world.clients[role]
    base = template.split("?")[0]
    path = _path(base + GARBAGE_QUERIES.get(base, "") if method == "GET" else template, world)
    wrong = []
    for label, raw in GARBAGE_BODIES.items():
        for keyed in (True, False):  # with an Idempotency-Key, and without the one every change needs
            headers = {"Content-Type": "application/json"}
            if keyed:
                headers["Idempotency-Key"] = str(uuid.uuid4())
            response = client.http.request(method, path, content=raw, headers=headers)
            body = response.json()
            error = body.get("error") if isinstance(body, dict) else None
            contract = (
                isinstance(error, dict)
                and set(body) == {"error"}
                and error.get("code") == "forbidden"
                and isinstance(error.get("message"), str)
                and error["message"]
                and "field" not in error
            )
            if response.status_code != 403 or not contract:
                wrong.append(f"{label}, key={keyed}: {response.status_code} {response.text[:160]}")
    assert not wrong, "\n".join(wrong)


def test_a_refused_role_hears_403_before_a_malformed_query(world: World) -> None:
    """The garbage queries above are refused (422) for a role that may call the route: the 403s are the guard's."""
    admin = world.clients["admin"]
    for template, query in GARBAGE_QUERIES.items():
        response = admin.http.get(_path(template + query, world))
        assert response.status_code == 422, (template, response.text)
        assert response.json()["error"]["code"] == "validation"


def test_a_missing_token_is_still_401_before_the_role(world: World, shared_platform: RunningPlatform) -> None:
    import httpx

    for method, template, _, _ in ENDPOINTS:
        if template.startswith("/v1/me") or template.startswith("/v1/events"):
            continue
        response = httpx.request(
            method, shared_platform.url + _path(template, world), content=GARBAGE_BODIES["not JSON"], timeout=30
        )
        assert response.status_code == 401, (method, template, response.text)
        assert response.json()["error"]["code"] == "unauthorized"

"""Issue 9, defects 1, 2, 3 and 5 on the server: every request body is bounded (free text, lists, quantities,
positions, client-chosen ids, times), refusals are a 422 naming the field, problems per delivery are capped, and a
time without a zone can no longer block a store (nor can one stored by an older server)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, select, update

from o2o_tui.domain import limits
from o2o_tui.platform import db
from tests.support.platform import Api, RunningPlatform, api, order_body

EDGE_OF_TIME = "9999-12-31T23:59:59-14:00"
SOON_NAIVE = (datetime.now(UTC) + timedelta(hours=2)).replace(tzinfo=None).isoformat()


def _refused(response: Any, field: str) -> None:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation" and error["field"] == field, error
    assert error["message"]


def _new_order(running: RunningPlatform, **change: object) -> Any:
    assert running.seed is not None
    store_id = str(change.pop("store_id", running.seed.store_id))
    return api(running, "customer").post("/v1/orders", order_body(store_id, **change))


# --- defect 3: a time without a zone blocks a store --------------------------------------------------------------


def test_a_pause_until_without_a_zone_is_refused_and_orders_keep_coming(platform: RunningPlatform) -> None:
    """Today's main took the naive `until` (200) and then answered every new order of the store with a 500."""
    assert platform.seed is not None
    merchant = api(platform, "merchant")
    path = f"/v1/stores/{platform.seed.store_id}/status"
    _refused(merchant.put(path, {"state": "PAUSED", "until": SOON_NAIVE, "reason": "lunch"}), "until")
    assert merchant.put(path, {"state": "ONLINE"}).status_code == 200
    assert _new_order(platform).status_code == 201


def test_a_snooze_without_a_zone_is_refused_and_the_item_stays_orderable(platform: RunningPlatform) -> None:
    assert platform.seed is not None
    path = f"/v1/stores/{platform.seed.store_id}/menu/items/kung-pao-chicken"
    _refused(api(platform, "merchant").patch(path, {"snooze_until": SOON_NAIVE}), "snooze_until")
    assert _new_order(platform).status_code == 201


def test_naive_times_stored_by_an_older_server_read_as_utc(platform: RunningPlatform) -> None:
    """Rows written before the fix hold naive times: they are compared as UTC, never a 500."""
    assert platform.seed is not None
    store_id = platform.seed.store_id
    past = (datetime.now(UTC) - timedelta(hours=1)).replace(tzinfo=None).isoformat()
    engine = create_engine(platform.db_url)
    try:
        with engine.begin() as conn:
            store = json.loads(
                conn.execute(select(db.stores.c.doc).where(db.stores.c.id == store_id)).scalar_one()
            )
            store["status"] = {"state": "PAUSED", "until": past, "reason": "old pause"}
            conn.execute(
                update(db.stores).where(db.stores.c.id == store_id).values(doc=json.dumps(store).encode())
            )
            menu = json.loads(
                conn.execute(select(db.menus.c.doc).where(db.menus.c.store_id == store_id)).scalar_one()
            )
            for category in menu["categories"]:
                for item in category["items"]:
                    if item["id"] == "kung-pao-chicken":
                        item["snooze_until"] = past
            conn.execute(
                update(db.menus).where(db.menus.c.store_id == store_id).values(doc=json.dumps(menu).encode())
            )
    finally:
        engine.dispose()
    assert _new_order(platform).status_code == 201  # the pause and the snooze both ended an hour ago


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"state": "PAUSED", "until": EDGE_OF_TIME}, "until"),
        ({"state": "PAUSED", "until": "1970-01-01T00:00:00Z"}, "until"),
        ({"state": "PAUSED", "reason": "r" * (limits.STATUS_REASON_MAX + 1)}, "reason"),
        ({"state": "BUSY", "extra_minutes": 241}, "extra_minutes"),
    ],
)
def test_store_status_bounds(shared_platform: RunningPlatform, body: dict, field: str) -> None:
    assert shared_platform.seed is not None
    merchant = api(shared_platform, "merchant")
    path = f"/v1/stores/{shared_platform.seed.store_id}/status"
    try:
        _refused(merchant.put(path, body), field)
    finally:  # the store must stay open for the other tests of the module, also where the body was taken
        assert merchant.put(path, {"state": "ONLINE"}).status_code == 200


def test_snooze_at_the_edge_of_time_is_a_422(shared_platform: RunningPlatform) -> None:
    assert shared_platform.seed is not None
    path = f"/v1/stores/{shared_platform.seed.store_id}/menu/items/rice"
    _refused(api(shared_platform, "merchant").patch(path, {"snooze_until": EDGE_OF_TIME}), "snooze_until")


# --- order bodies: text, lists, quantities, positions, ids, the timing window ------------------------------------

_LINE = {"item_id": "rice", "quantity": 1}
_AT = {"lat": 31.2317, "lon": 121.4726}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"customer_name": "名" * (limits.NAME_MAX + 1)}, "customer_name"),
        ({"customer_phone": "1" * (limits.PHONE_MAX + 1)}, "customer_phone"),
        ({"customer_name": "   "}, "customer_name"),
        # only zero-width and format characters (Cf) show nothing either: no name to call at the counter
        ({"customer_name": "\u200b"}, "customer_name"),
        ({"customer_name": " \u200b\u200d\ufeff\u00ad\u2060\u200e "}, "customer_name"),
        ({"customer_name": "\u3164"}, "customer_name"),
        ({"customer_phone": "\u200b\u200c"}, "customer_phone"),
        ({"address": {"text": "路" * (limits.ADDRESS_MAX + 1), "position": _AT}}, "address.text"),
        ({"lines": [_LINE] * (limits.LINES_MAX + 1)}, "lines"),
        ({"lines": [{**_LINE, "quantity": limits.QUANTITY_MAX + 1}]}, "lines[0].quantity"),
        (
            {"lines": [{**_LINE, "option_ids": ["spice-mild"] * (limits.OPTION_IDS_MAX + 1)}]},
            "lines[0].option_ids",
        ),
        ({"lines": [{**_LINE, "item_id": "../rice"}]}, "lines[0].item_id"),
        ({"lines": [{**_LINE, "option_ids": ["spice mild"]}]}, "lines[0].option_ids[0]"),
        ({"address": {"text": "x", "position": {"lat": 91, "lon": 121}}}, "address.position.lat"),
        ({"address": {"text": "x", "position": {"lat": -90.5, "lon": 121}}}, "address.position.lat"),
        ({"address": {"text": "x", "position": {"lat": 31, "lon": 180.01}}}, "address.position.lon"),
        ({"address": {"text": "x", "position": {"lat": 1e308, "lon": 121}}}, "address.position.lat"),
        ({"address": {"text": "x", "position": {**_AT, "alt": 3}}}, "address.position.alt"),
        ({"address": {"text": "x", "floor": 3}}, "address.floor"),
        (
            {"timing": {"type": "SCHEDULED", "window_start": "2030-01-01T12:00:00Z", "asap": True}},
            "timing.asap",
        ),
        (
            {
                "timing": {
                    "type": "SCHEDULED",
                    "window_start": "2030-01-01T12:00:00Z",
                    "window_end": "2030-01-01T13:00",
                }
            },
            "timing.window_end",
        ),
        ({"timing": {"type": "SCHEDULED", "window_start": "2030-01-01T12:00:00"}}, "timing.window_start"),
        ({"timing": {"type": "SCHEDULED", "window_start": EDGE_OF_TIME}}, "timing.window_start"),
        (
            {
                "timing": {
                    "type": "SCHEDULED",
                    "window_start": "2030-01-01T12:00:00Z",
                    "window_end": EDGE_OF_TIME,
                }
            },
            "timing.window_end",
        ),
        (
            {
                "timing": {
                    "type": "SCHEDULED",
                    "window_start": "2030-01-01T12:00:00+08:00",
                    "window_end": "2030-01-01T11:00:00+08:00",
                }
            },
            "timing.window_end",
        ),
        ({"store_id": "st/1"}, "store_id"),
    ],
)
def test_order_body_bounds(shared_platform: RunningPlatform, change: dict, field: str) -> None:
    _refused(_new_order(shared_platform, **change), field)


def test_a_number_beyond_float_is_refused(shared_platform: RunningPlatform) -> None:
    """JSON has no infinity, but a literal like 1e400 is valid JSON; it must not become one."""
    assert shared_platform.seed is not None
    body = json.dumps(order_body(shared_platform.seed.store_id)).replace("121.4726", "1e400")
    customer = api(shared_platform, "customer")
    headers = {"Idempotency-Key": "far-away", "Content-Type": "application/json"}
    _refused(customer.http.post("/v1/orders", content=body.encode(), headers=headers), "address.position.lon")


@pytest.mark.parametrize(
    "order_id", [".", "..", "a/b", "a b", "tab\there", "bell\x07", "é", "x" * 65, "", "id?x=1", "a%2Fb"]
)
def test_client_chosen_order_ids_must_be_addressable(shared_platform: RunningPlatform, order_id: str) -> None:
    """Today's main created `.`, `..`, `a/b`, ... (201): orders nobody could act on."""
    _refused(_new_order(shared_platform, id=order_id), "id")


def test_a_plain_64_character_id_is_taken(shared_platform: RunningPlatform) -> None:
    order_id = "Ab_-9" + "z" * 59
    response = _new_order(shared_platform, id=order_id)
    assert response.status_code == 201, response.text
    assert api(shared_platform, "customer").get(f"/v1/orders/{order_id}").json()["id"] == order_id


@pytest.mark.parametrize(
    ("suffix", "body", "field"),
    [
        ("cancellation", {"reason_code": "CHANGED_MIND", "reason": "r" * (limits.NOTE_MAX + 1)}, "reason"),
        ("cancel", {"reason_code": "C" * (limits.REASON_CODE_MAX + 1)}, "reason_code"),
    ],
)
def test_customer_reasons_are_bounded(
    shared_platform: RunningPlatform, suffix: str, body: dict, field: str
) -> None:
    order_id = _new_order(shared_platform).json()["id"]
    _refused(api(shared_platform, "customer").post(f"/v1/orders/{order_id}/{suffix}", body), field)


def test_codes_and_assignments_are_bounded(shared_platform: RunningPlatform) -> None:
    order_id = _new_order(shared_platform).json()["id"]
    merchant = api(shared_platform, "merchant")
    _refused(merchant.post(f"/v1/orders/{order_id}/handoff", {"code": "1" * (limits.CODE_MAX + 1)}), "code")
    _refused(merchant.post(f"/v1/orders/{order_id}/assign", {"courier_id": "../cr"}), "courier_id")


# --- couriers: positions and problems ----------------------------------------------------------------------------


def _courier(running: RunningPlatform, index: int) -> tuple[str, Api]:
    assert running.seed is not None
    courier_id = running.seed.courier_ids[index]
    return courier_id, Api(running.url, running.seed.courier_tokens[courier_id])


@pytest.mark.parametrize(
    ("position", "field"),
    [
        ({"lat": 91, "lon": 0}, "position.lat"),
        ({"lat": 0, "lon": -181}, "position.lon"),
        ({"lat": 1e308, "lon": 0}, "position.lat"),
        ({"lat": 0, "lon": 0, "accuracy": 5}, "position.accuracy"),
    ],
)
def test_courier_positions_are_on_the_earth(
    shared_platform: RunningPlatform, position: dict, field: str
) -> None:
    courier_id, courier = _courier(shared_platform, 5)
    _refused(courier.put(f"/v1/couriers/{courier_id}/state", {"position": position}), field)
    assert (
        courier.put(f"/v1/couriers/{courier_id}/state", {"position": {"lat": -90, "lon": 180}}).status_code
        == 200
    )


def test_problems_are_bounded_and_capped_per_delivery(shared_platform: RunningPlatform) -> None:
    """Today's main took notes of any size and any number of problems (six 9.5 MB notes made one delivery 57 MB)."""
    assert shared_platform.seed is not None
    courier_id, courier = _courier(shared_platform, 4)
    merchant = api(shared_platform, "merchant")
    order_id = _new_order(shared_platform).json()["id"]
    assert merchant.post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 20}).status_code == 200
    delivery = merchant.post(f"/v1/orders/{order_id}/assign", {"courier_id": courier_id})
    assert delivery.status_code == 200, delivery.text
    path = f"/v1/deliveries/{delivery.json()['id']}/problem"
    _refused(courier.post(path, {"reason": "OTHER", "note": "n" * (limits.NOTE_MAX + 1)}), "note")
    for index in range(limits.PROBLEMS_MAX):
        answer = courier.post(path, {"reason": "OTHER", "note": f"try {index}"})
        assert answer.status_code == 200, answer.text
    one_more = courier.post(path, {"reason": "OTHER", "note": "n" * limits.NOTE_MAX})
    assert one_more.status_code == 409, one_more.text
    assert one_more.json()["error"]["code"] == "too_many_problems"
    assert (
        len(courier.get(f"/v1/deliveries/{delivery.json()['id']}").json()["problems"]) == limits.PROBLEMS_MAX
    )


# --- the menu a merchant publishes ------------------------------------------------------------------------------


def _menu_with(running: RunningPlatform, change: Any) -> tuple[dict, Any]:
    assert running.seed is not None
    merchant = api(running, "merchant")
    path = f"/v1/stores/{running.seed.store_id}/menu"
    menu = merchant.get(path).json()
    change(menu)
    return menu, merchant.put(path, menu, headers={"If-Match": str(menu["version"])})


def _first_item(menu: dict) -> dict:
    return menu["categories"][0]["items"][0]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda m: _first_item(m).update(colour="red"), "categories[0].items[0].colour"),
        (
            lambda m: m["option_groups"][0]["options"][0].update(spicy=True),
            "option_groups[0].options[0].spicy",
        ),
        (lambda m: _first_item(m)["price"].update(tax=1), "categories[0].items[0].price.tax"),
        (lambda m: m.update(theme="dark"), "theme"),
        (lambda m: _first_item(m).update(name="n" * (limits.NAME_MAX + 1)), "categories[0].items[0].name"),
        (
            lambda m: _first_item(m).update(description="d" * (limits.DESCRIPTION_MAX + 1)),
            "categories[0].items[0].description",
        ),
        (lambda m: m["categories"][0].update(name="n" * (limits.NAME_MAX + 1)), "categories[0].name"),
        (lambda m: _first_item(m).update(id="a/b"), "categories[0].items[0].id"),
        (
            lambda m: _first_item(m).update(snooze_until="2030-01-01T10:00:00"),
            "categories[0].items[0].snooze_until",
        ),
        (lambda m: _first_item(m).update(snooze_until=EDGE_OF_TIME), "categories[0].items[0].snooze_until"),
        (
            lambda m: m["option_groups"][0]["options"][0].update(max_qty=1000),
            "option_groups[0].options[0].max_qty",
        ),
    ],
)
def test_a_published_menu_is_strict_and_bounded_at_every_level(
    shared_platform: RunningPlatform, change: Any, field: str
) -> None:
    _menu, response = _menu_with(shared_platform, change)
    _refused(response, field)


def test_the_menu_a_client_read_publishes_back(shared_platform: RunningPlatform) -> None:
    menu, response = _menu_with(
        shared_platform, lambda m: _first_item(m).update(description="今天特价 on offer")
    )
    assert response.status_code == 200, response.text
    assert _first_item(response.json())["description"] == "今天特价 on offer"
    assert response.json()["version"] == menu["version"] + 1

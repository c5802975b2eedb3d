"""A courier's pickup with the right code that reaches the platform after the order was cancelled, or taken off
them, is refused, and the order still records that this courier has its food (`food_with_courier`), for the
store's staff only; a wrong code records nothing; the courier's `food-back` clears it (idempotent, that courier
only). Real server on loopback."""

from __future__ import annotations

from typing import Any

from tests.support.platform import Api, RunningPlatform, api, order_body


def _couriers(platform: RunningPlatform) -> list[tuple[str, Api]]:
    assert platform.seed is not None
    return [(cid, Api(platform.url, platform.seed.courier_tokens[cid])) for cid in platform.seed.courier_ids[:2]]


def _accepted(platform: RunningPlatform, courier_id: str, courier: Api) -> tuple[dict[str, Any], str]:
    assert platform.seed is not None
    order = api(platform, "customer").post("/v1/orders", order_body(platform.seed.store_id)).json()
    merchant = api(platform, "merchant")
    assert merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 10}).status_code == 200
    answer = api(platform, "dispatcher").post(f"/v1/orders/{order['id']}/assign", {"courier_id": courier_id})
    assert answer.status_code == 200, answer.text
    path = f"/v1/deliveries/{answer.json()['id']}"
    assert courier.post(path + "/accept").status_code == 200
    return order, path


def _food(platform: RunningPlatform, role: str, order_id: str) -> object:
    return api(platform, role).get(f"/v1/orders/{order_id}").json().get("food_with_courier")


def test_a_cancelled_orders_refused_pickup_records_the_food_and_food_back_clears_it(
    platform: RunningPlatform,
) -> None:
    (courier_id, courier), (_, other) = _couriers(platform)
    order, path = _accepted(platform, courier_id, courier)
    cancel = api(platform, "merchant").post(f"/v1/orders/{order['id']}/cancel", {"reason_code": "OTHER"})
    assert cancel.status_code == 200, cancel.text
    version = api(platform, "merchant").get(f"/v1/orders/{order['id']}").json()["version"]

    wrong = courier.post(path + "/picked-up", {"code": "0000" if order["pickup_code"] != "0000" else "1111"})
    assert wrong.status_code == 409 and wrong.json()["error"]["code"] == "wrong_code"
    assert _food(platform, "merchant", order["id"]) is None  # a wrong code: nobody has the food

    refused = courier.post(path + "/picked-up", {"code": order["pickup_code"]})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "illegal_transition"
    seen = api(platform, "merchant").get(f"/v1/orders/{order['id']}").json()
    food = seen["food_with_courier"]
    assert food["courier_id"] == courier_id and food["delivery_id"] == path.rsplit("/", 1)[1]
    assert food["courier_name"] and food["at"]
    assert seen["version"] > version  # a new version: the store's devices fetch it
    assert _food(platform, "dispatcher", order["id"]) == food
    assert _food(platform, "customer", order["id"]) is None  # customers never see it

    # only that courier brings it back
    assert other.post(path + "/food-back").status_code == 404
    assert api(platform, "merchant").post(path + "/food-back").status_code == 403
    assert _food(platform, "merchant", order["id"]) == food
    back = courier.post(path + "/food-back")
    assert back.status_code == 200, back.text
    assert _food(platform, "merchant", order["id"]) is None
    assert courier.post(path + "/food-back").status_code == 200  # again: nothing to clear, still fine
    assert _food(platform, "merchant", order["id"]) is None


def test_a_reassigned_orders_refused_pickup_names_the_first_courier(platform: RunningPlatform) -> None:
    (first_id, first), (second_id, second) = _couriers(platform)
    assert second.put(f"/v1/couriers/{second_id}/state", {"status": "IDLE"}).status_code == 200
    order, path = _accepted(platform, first_id, first)
    moved = api(platform, "dispatcher").post(f"/v1/orders/{order['id']}/assign", {"courier_id": second_id})
    assert moved.status_code == 200, moved.text
    refused = first.post(path + "/picked-up", {"code": order["pickup_code"]})
    assert refused.status_code == 409
    seen = api(platform, "dispatcher").get(f"/v1/orders/{order['id']}").json()
    assert seen["food_with_courier"]["courier_id"] == first_id
    assert seen["courier_id"] == second_id  # the order stays with the second courier
    assert first.post(path + "/food-back").status_code == 200
    assert _food(platform, "dispatcher", order["id"]) is None

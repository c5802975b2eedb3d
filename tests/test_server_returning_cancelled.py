"""The platform tells a courier bringing food back that its order was cancelled meanwhile: the delivery (all a
courier reads) carries `order_cancelled`, a new version goes out, the food still goes back (RETURNING stays) and
the return is taken as before. A delivery cancelled before pickup does not carry it. Real server on loopback."""

from __future__ import annotations

from tests.support.platform import Api, RunningPlatform, api, order_body


def _courier(platform: RunningPlatform) -> tuple[str, Api]:
    assert platform.seed is not None
    courier_id = platform.seed.courier_ids[0]
    return courier_id, Api(platform.url, platform.seed.courier_tokens[courier_id])


def _assigned(platform: RunningPlatform, courier_id: str) -> tuple[dict, dict]:
    assert platform.seed is not None
    order = api(platform, "customer").post("/v1/orders", order_body(platform.seed.store_id)).json()
    merchant = api(platform, "merchant")
    assert merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 10}).status_code == 200
    answer = api(platform, "dispatcher").post(f"/v1/orders/{order['id']}/assign", {"courier_id": courier_id})
    assert answer.status_code == 200, answer.text
    return order, answer.json()


def test_an_order_cancelled_while_its_food_goes_back_is_said_on_the_delivery(platform: RunningPlatform) -> None:
    courier_id, courier = _courier(platform)
    order, delivery = _assigned(platform, courier_id)
    path = f"/v1/deliveries/{delivery['id']}"
    assert courier.post(path + "/accept").status_code == 200
    assert courier.post(path + "/picked-up", {"code": order["pickup_code"]}).status_code == 200
    assert courier.post(path + "/problem", {"reason": "NOBODY_TO_RECEIVE"}).status_code == 200
    returning = courier.post(path + "/return").json()
    assert returning["status"] == "RETURNING" and returning["order_cancelled"] is False
    cancel = api(platform, "merchant").post(f"/v1/orders/{order['id']}/cancel", {"reason_code": "OTHER"})
    assert cancel.status_code == 200, cancel.text
    now = courier.get(path).json()
    assert now["status"] == "RETURNING" and now["order_cancelled"] is True
    assert now["version"] > returning["version"]  # a new version: the handheld fetches it
    back = courier.post(path + "/returned")
    assert back.status_code == 200 and back.json()["status"] == "RETURNED"
    assert api(platform, "merchant").get(f"/v1/orders/{order['id']}").json()["status"] == "CANCELLED"


def test_a_delivery_cancelled_before_pickup_does_not_say_it(platform: RunningPlatform) -> None:
    courier_id, courier = _courier(platform)
    order, delivery = _assigned(platform, courier_id)
    path = f"/v1/deliveries/{delivery['id']}"
    assert courier.post(path + "/accept").status_code == 200
    assert api(platform, "merchant").post(f"/v1/orders/{order['id']}/cancel", {"reason_code": "OTHER"}).status_code == 200
    now = courier.get(path).json()
    assert now["status"] == "CANCELLED" and now["order_cancelled"] is False

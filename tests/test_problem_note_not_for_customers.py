"""A courier's free-text problem note is for the store (as `food_with_courier` is): the customer reads the order's
`delivery_problem` with its reason code and time, the note blank; the store's staff read the note. The real
platform on loopback."""

from __future__ import annotations

from tests.support.platform import RunningPlatform, api, order_body

NOTE = "gate code 4411, customer Wang 13912345678 shouted at me"


def test_the_customer_reads_the_reason_of_a_problem_but_not_its_note(platform: RunningPlatform) -> None:
    seeded = platform.seed
    assert seeded is not None
    customer, merchant = api(platform, "customer"), api(platform, "merchant")
    courier_id = seeded.courier_ids[0]
    courier = platform.client(seeded.courier_tokens[courier_id])
    try:
        order = customer.post("/v1/orders", order_body(seeded.store_id)).json()
        path = f"/v1/orders/{order['id']}"
        assert merchant.post(path + "/confirm", {"preparation_minutes": 15}).status_code == 200
        delivery = merchant.post(path + "/assign", {"courier_id": courier_id}).json()
        reported = courier.post(
            f"/v1/deliveries/{delivery['id']}/problem",
            json={"reason": "OTHER", "note": NOTE},
            headers={"Idempotency-Key": "problem-1"},
        )
        assert reported.status_code == 200, reported.text

        staff = merchant.get(path).json()["delivery_problem"]
        assert staff["reason"] == "OTHER" and staff["note"] == NOTE  # the store reads the courier's words

        own = customer.get(path)
        assert own.status_code == 200, own.text
        shown = own.json()["delivery_problem"]
        assert shown["reason"] == "OTHER" and shown["occurred_at"] == staff["occurred_at"]
        assert shown["note"] == ""
        listed = customer.get("/v1/orders").json()
        # no part of the note: its words and the phone (its bare "4411" can stand in a timestamp's microseconds)
        assert NOTE not in str(listed) and "gate code" not in own.text and "13912345678" not in own.text
    finally:
        for client in (customer, merchant, courier):
            client.close()

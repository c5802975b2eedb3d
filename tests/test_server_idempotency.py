"""A replay with the same Idempotency-Key returns the first answer and changes nothing."""

from __future__ import annotations

import uuid

from tests.support.platform import RunningPlatform, api, order_body


def _events_after(platform: RunningPlatform, cursor: str) -> list[dict]:
    admin = api(platform, "admin")
    try:
        return admin.get("/v1/events", after=cursor).json()["events"]
    finally:
        admin.close()


def test_replay_returns_the_first_answer_and_changes_nothing(shared_platform: RunningPlatform) -> None:
    seed = shared_platform.seed
    assert seed is not None
    customer, merchant = api(shared_platform, "customer"), api(shared_platform, "merchant")
    order_id = customer.post("/v1/orders", order_body(seed.store_id)).json()["id"]
    key = str(uuid.uuid4())
    first = merchant.post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 9}, key=key)
    assert first.status_code == 200
    cursor = merchant.get("/v1/events", after="latest").json()["cursor"]
    replay = merchant.post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 9}, key=key)
    assert replay.status_code == 200
    assert replay.content == first.content
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert merchant.get(f"/v1/orders/{order_id}").json()["version"] == first.json()["version"]
    assert [e for e in _events_after(shared_platform, cursor) if e["entity_id"] == order_id] == []

    reused = merchant.post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 20}, key=key)
    assert reused.status_code == 422
    assert reused.json()["error"]["code"] == "idempotency_key_reused"
    assert reused.json()["error"]["field"] == "Idempotency-Key"
    other_path = merchant.post(f"/v1/orders/{order_id}/preparing", key=key)
    assert other_path.json()["error"]["code"] == "idempotency_key_reused"


def test_keys_are_scoped_per_user(shared_platform: RunningPlatform) -> None:
    seed = shared_platform.seed
    assert seed is not None
    customer, admin = api(shared_platform, "customer"), api(shared_platform, "admin")
    key = str(uuid.uuid4())
    mine = customer.post("/v1/orders", order_body(seed.store_id), key=key)
    theirs = admin.post("/v1/orders", order_body(seed.store_id), key=key)
    assert mine.status_code == 201 and theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]


def test_a_refusal_is_replayed_too(shared_platform: RunningPlatform) -> None:
    seed = shared_platform.seed
    assert seed is not None
    customer, merchant = api(shared_platform, "customer"), api(shared_platform, "merchant")
    order_id = customer.post("/v1/orders", order_body(seed.store_id)).json()["id"]
    key = str(uuid.uuid4())
    refused = merchant.post(f"/v1/orders/{order_id}/ready", key=key)
    assert refused.status_code == 409
    merchant.post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 5})
    again = merchant.post(f"/v1/orders/{order_id}/ready", key=key)
    assert (again.status_code, again.content) == (409, refused.content)
    assert merchant.get(f"/v1/orders/{order_id}").json()["status"] == "CONFIRMED"


def test_same_order_id_is_deduplicated_without_the_key(shared_platform: RunningPlatform) -> None:
    seed = shared_platform.seed
    assert seed is not None
    customer = api(shared_platform, "customer")
    body = order_body(seed.store_id)
    first = customer.post("/v1/orders", body)
    second = customer.post("/v1/orders", body)  # a new key, as after the first key expired
    assert first.status_code == 201 and second.status_code == 200
    assert second.json()["id"] == first.json()["id"] and second.json()["number"] == first.json()["number"]
    merchant = api(shared_platform, "merchant")
    ids = [o["id"] for o in _all_orders(merchant)]
    assert ids.count(body["id"]) == 1
    other = api(shared_platform, "admin")  # someone else reusing the id gets the existing order only if admin
    assert other.post("/v1/orders", body).json()["id"] == body["id"]


def _all_orders(client: object) -> list[dict]:
    found: list[dict] = []
    cursor = None
    while True:
        page = client.get("/v1/orders", cursor=cursor, limit=100).json()  # type: ignore[attr-defined]
        found.extend(page["orders"])
        cursor = page["next_cursor"]
        if cursor is None:
            return found


def test_same_action_in_target_state_is_a_success(shared_platform: RunningPlatform) -> None:
    seed = shared_platform.seed
    assert seed is not None
    customer, merchant = api(shared_platform, "customer"), api(shared_platform, "merchant")
    order_id = customer.post("/v1/orders", order_body(seed.store_id)).json()["id"]
    first = merchant.post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 9}).json()
    again = merchant.post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 9})
    assert again.status_code == 200
    assert again.json()["version"] == first["version"]
    assert again.json()["preparation_minutes"] == 9
    # other minutes are another accept, not the same action: refused with the one that stands
    # (tests/test_accept_twice.py), and the order keeps its first minutes
    other = merchant.post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 30})
    assert other.status_code == 409 and other.json()["error"]["code"] == "already_accepted"
    assert merchant.get(f"/v1/orders/{order_id}").json()["version"] == first["version"]


def test_missing_key_is_refused(shared_platform: RunningPlatform) -> None:
    seed = shared_platform.seed
    assert seed is not None
    customer = api(shared_platform, "customer")
    response = customer.http.post("/v1/orders", json=order_body(seed.store_id))
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "Idempotency-Key"

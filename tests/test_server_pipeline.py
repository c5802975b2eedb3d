"""The request pipeline shared by every route: strict typed bodies, tap times in range, query times in range,
the documented 4xx answers, each route registered once."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime, timedelta

import httpx

from tests.support.platform import RunningPlatform, api, order_body


def _new_order(running: RunningPlatform) -> dict:
    assert running.seed is not None
    created = api(running, "customer").post("/v1/orders", order_body(running.seed.store_id))
    assert created.status_code == 201, created.text
    return created.json()


def test_bodies_are_decoded_strictly_not_coerced(shared_platform: RunningPlatform) -> None:
    order = _new_order(shared_platform)
    merchant = api(shared_platform, "merchant")
    as_text = merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": "12"})
    assert as_text.status_code == 422, as_text.text  # Litestar's own decoding would take "12" as 12
    assert as_text.json()["error"]["field"] == "preparation_minutes"
    empty = merchant.post(
        f"/v1/orders/{order['id']}/confirm"
    )  # an empty body where a field is required: a 422 on `body`, as JSON that does not parse
    assert empty.status_code == 422 and empty.json()["error"]["field"] == "body"
    extra = merchant.post(f"/v1/orders/{order['id']}/preparing", {"surprise": 1})
    assert extra.status_code == 422 and extra.json()["error"]["field"] == "surprise"
    assert merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 12}).status_code == 200


def test_tap_times_within_a_week_back_and_a_fast_clock_taken_at_the_servers_time(
    shared_platform: RunningPlatform,
) -> None:
    merchant = api(shared_platform, "merchant")
    now = datetime.now(UTC)
    cases = {
        (now - timedelta(days=6, hours=23)).isoformat(): 200,  # the longest offline spell we support
        (now + timedelta(minutes=4)).isoformat(): 200,  # a device clock a little fast
        (now - timedelta(days=8)).isoformat(): 422,
        # a device clock running fast: the tap is recorded at the server's time, not refused for good (a
        # refusal is final: every action of that counter would be lost)
        (now + timedelta(minutes=10)).isoformat(): 200,
        (now + timedelta(days=400)).isoformat(): 200,
        "9999-12-31T23:59:59-14:00": 200,
        "0001-01-01T00:00:00+14:00": 422,  # the calendar's first day, pushed out of range by its offset
        "2026-12-03T12:00:00": 422,  # no offset
        "yesterday": 422,
    }
    for tapped, wanted in cases.items():
        order = _new_order(shared_platform)
        answer = merchant.post(
            f"/v1/orders/{order['id']}/confirm",
            {"preparation_minutes": 10},
            headers={"X-Occurred-At": tapped},
        )
        assert answer.status_code == wanted, (tapped, answer.text)
        if wanted == 422:
            assert answer.json()["error"]["field"] == "X-Occurred-At"


def test_a_replay_whose_tap_time_aged_past_the_week_still_gets_its_first_answer(
    shared_platform: RunningPlatform,
) -> None:
    """A console resends a lost answer's action with its first tap time: the answer it gets must be the stored one,
    not a 422 that would file an applied action as refused."""
    merchant = api(shared_platform, "merchant")
    order = _new_order(shared_platform)
    tapped = datetime.now(UTC) - timedelta(days=7) + timedelta(seconds=3)
    path, body = f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 10}
    headers = {"X-Occurred-At": tapped.isoformat()}
    first = merchant.post(path, body, key="aging-key", headers=headers)
    assert first.status_code == 200, first.text
    while datetime.now(UTC) - timedelta(days=7) <= tapped + timedelta(seconds=0.5):
        time.sleep(0.2)
    again = merchant.post(path, body, key="aging-key", headers=headers)
    assert again.status_code == 200 and again.headers.get("Idempotent-Replayed") == "true", again.text
    assert again.content == first.content
    fresh = merchant.post(path, body, headers=headers)  # a new request with that tap time is still refused
    assert fresh.status_code == 422 and fresh.json()["error"]["field"] == "X-Occurred-At"


def test_query_times_at_the_calendars_edge_are_422(shared_platform: RunningPlatform) -> None:
    merchant = api(shared_platform, "merchant")
    for edge in ("9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "2026-12-03T12:00:00"):
        answer = merchant.get("/v1/orders", updated_after=edge)
        assert answer.status_code == 422, (edge, answer.text)
        assert answer.json()["error"]["field"] == "updated_after"
    assert merchant.get("/v1/orders", updated_after="2026-12-03T12:00:00+08:00").status_code == 200


def test_openapi_documents_bodies_answers_and_refusals(shared_platform: RunningPlatform) -> None:
    document = httpx.get(f"{shared_platform.url}/openapi.json").json()
    schemas = document["components"]["schemas"]
    confirm = document["paths"]["/v1/orders/{order_id}/confirm"]["post"]
    assert confirm["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/ConfirmBody")
    assert schemas["ConfirmBody"].get("additionalProperties") is False  # strict bodies say so
    answers = confirm["responses"]
    assert answers["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Order")
    for status in ("401", "403", "404", "409", "422"):
        assert answers[status]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody"), status
    assert "400" not in answers  # a bad body is a 422 here
    headers = {p["name"]: p["required"] for p in confirm["parameters"] if p["in"] == "header"}
    assert headers == {"Idempotency-Key": True, "X-Occurred-At": False}
    menu = document["paths"]["/v1/stores/{store_id}/menu"]["put"]
    assert {p["name"]: p["required"] for p in menu["parameters"] if p["in"] == "header"}["If-Match"] is True
    read = document["paths"]["/v1/stores/{store_id}/menu"]["get"]
    assert "ETag" in read["responses"]["200"]["headers"]
    # every /v1 operation says it needs the bearer token; the document itself does not
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for path, operations in document["paths"].items():
        for operation in operations.values():
            if isinstance(operation, dict) and "responses" in operation:
                assert (operation.get("security") == [{"bearer": []}]) is path.startswith("/v1/"), path
    created = document["paths"]["/v1/orders"]["post"]["responses"]
    assert {"200", "201"} <= set(created)
    # every delivery action is its own documented route, with the body it takes
    picked = document["paths"]["/v1/deliveries/{delivery_id}/picked-up"]["post"]
    assert picked["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/CodeBody")


def test_a_stranger_is_refused_before_the_body_is_read(shared_platform: RunningPlatform) -> None:
    order = _new_order(shared_platform)
    host, port = shared_platform.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(  # announces 10 MB and sends 10 bytes: a server that reads the body first waits here
            f"POST /v1/orders/{order['id']}/confirm HTTP/1.1\r\nHost: x\r\n"
            "Authorization: Bearer o2o_nobody\r\nIdempotency-Key: k1\r\n"
            'Content-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{"prepara'.encode()
        )
        first_line = sock.recv(4096).split(b"\r\n", 1)[0]
    assert b" 401 " in first_line, first_line
    no_key = api(shared_platform, "merchant").http.post(
        f"/v1/orders/{order['id']}/confirm", content=b"{not json at all"
    )
    assert no_key.status_code == 422 and no_key.json()["error"]["field"] == "Idempotency-Key"

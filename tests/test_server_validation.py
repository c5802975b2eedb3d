"""Bad requests are refused with the envelope and the field at fault; menu publishing is version-checked."""

from __future__ import annotations

import pytest

from o2o_tui.domain.limits import REASON_CODE_PATTERN
from tests.support.platform import RunningPlatform, api, order_body


@pytest.mark.parametrize(
    ("path_suffix", "body", "field"),
    [
        ("confirm", {"preparation_minutes": "ten"}, "preparation_minutes"),
        ("confirm", {"preparation_minutes": 10, "extra": 1}, "extra"),
        ("confirm", {}, "preparation_minutes"),
        ("confirm", {"preparation_minutes": 0}, "preparation_minutes"),
        ("confirm", [1, 2], "body"),
        ("reject", {"reason_code": ""}, "reason_code"),
        ("cancel", {"reason_code": "\x1b[31mRED"}, "reason_code"),  # a code, printed bare in reports: no escapes
        ("cancel", {"reason_code": "changed my mind"}, "reason_code"),  # prose goes in `reason`
        ("handoff", {"code": 1234}, "code"),
        ("preparing", {"anything": True}, "anything"),
    ],
)
def test_bad_action_bodies_name_the_field(
    shared_platform: RunningPlatform, path_suffix: str, body: object, field: str
) -> None:
    seed = shared_platform.seed
    assert seed is not None
    order_id = api(shared_platform, "customer").post("/v1/orders", order_body(seed.store_id)).json()["id"]
    response = api(shared_platform, "merchant").post(f"/v1/orders/{order_id}/{path_suffix}", body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation"
    assert response.json()["error"]["field"] == field


def test_malformed_json_is_422(shared_platform: RunningPlatform) -> None:
    merchant = api(shared_platform, "merchant")
    response = merchant.http.post(
        "/v1/orders/x/confirm",
        content=b"{not json",
        headers={"Idempotency-Key": "k1", "Content-Type": "application/json"},
    )
    assert response.status_code == 422 and response.json()["error"]["field"] == "body"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lines": [{"item_id": "kung-pao-chicken", "quantity": "2"}]}, "lines[0].quantity"),
        ({"lines": [{"item_id": "kung-pao-chicken", "quantity": 2, "size": "L"}]}, "lines[0].size"),
        ({"lines": [{"quantity": 2}]}, "lines[0].item_id"),
        ({"lines": []}, "lines"),
        (
            {"lines": [{"item_id": "kung-pao-chicken", "quantity": 0, "option_ids": ["spice-mild"]}]},
            "lines[0].quantity",
        ),
        (
            {"lines": [{"item_id": "kung-pao-chicken", "quantity": 1}]},
            "lines[0].option_ids",
        ),  # spice is min 1
        (
            {
                "lines": [
                    {"item_id": "kung-pao-chicken", "quantity": 1, "option_ids": ["spice-mild", "spice-hot"]}
                ]
            },
            "lines[0].option_ids",
        ),
        (
            {
                "lines": [
                    {
                        "item_id": "kung-pao-chicken",
                        "quantity": 1,
                        "option_ids": ["spice-mild", "rice-white", "rice-white", "rice-brown"],
                    }
                ]
            },
            "lines[0].option_ids",
        ),  # rice is max 2
        ({"type": "DRONE"}, "type"),
        ({"address": None}, "address"),
        ({"customer_phone": " "}, "customer_phone"),
        ({"customer_phone": ""}, "customer_phone"),
        ({"customer_name": " "}, "customer_name"),
        ({"note": "辣" * 501}, "note"),
        ({"lines": [{"item_id": "rice", "quantity": 1, "note": "x" * 201}]}, "lines[0].note"),
    ],
)
def test_bad_orders_name_the_field(shared_platform: RunningPlatform, change: dict, field: str) -> None:
    # an unknown item, or an option not offered with the item: 409 item_unavailable (tests/test_server_menu_order.py)
    seed = shared_platform.seed
    assert seed is not None
    response = api(shared_platform, "customer").post("/v1/orders", order_body(seed.store_id, **change))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field


def test_options_within_limits_are_priced(shared_platform: RunningPlatform) -> None:
    seed = shared_platform.seed
    assert seed is not None
    lines = [{"item_id": "mapo-tofu", "quantity": 1, "option_ids": ["spice-hot", "rice-white", "rice-brown"]}]
    order = api(shared_platform, "customer").post(
        "/v1/orders", order_body(seed.store_id, "TAKEOUT", lines=lines)
    )
    assert order.status_code == 201, order.text
    assert order.json()["totals"]["total"]["amount"] == 2600 + 300 + 400


def test_bad_query_parameters_are_422(shared_platform: RunningPlatform) -> None:
    merchant = api(shared_platform, "merchant")
    for params, field in (
        ({"limit": "many"}, "limit"),
        ({"status": "COOKING"}, "status"),
        ({"cursor": "%%%"}, "cursor"),
    ):
        response = merchant.get("/v1/orders", **params)
        assert response.status_code == 422, (params, response.text)
        assert response.json()["error"]["field"] == field
    response = merchant.get("/v1/events", after="yesterday")
    assert response.status_code == 422 and response.json()["error"]["field"] == "after"
    for wait in ("nan", "-1", "soon"):
        response = merchant.get("/v1/events", after="latest", wait=wait)
        assert response.status_code == 422 and response.json()["error"]["field"] == "wait", wait


def test_auth_and_unknown_routes_use_the_envelope(shared_platform: RunningPlatform) -> None:
    import httpx

    anonymous = httpx.get(f"{shared_platform.url}/v1/me")
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "unauthorized"
    bad = httpx.get(f"{shared_platform.url}/v1/me", headers={"Authorization": "Bearer o2o_nope"})
    assert bad.status_code == 401
    unknown = api(shared_platform, "admin").get("/v1/nothing-here")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    bad_time = api(shared_platform, "merchant").post(
        "/v1/orders/x/preparing", headers={"X-Occurred-At": "teatime"}
    )
    assert bad_time.status_code == 422 and bad_time.json()["error"]["field"] == "X-Occurred-At"
    # present but empty is not a time either (the OpenAPI says date-time; only an absent header means "now")
    empty_time = api(shared_platform, "merchant").post("/v1/orders/x/preparing", headers={"X-Occurred-At": ""})
    assert empty_time.status_code == 422 and empty_time.json()["error"]["field"] == "X-Occurred-At"


def test_openapi_is_served(shared_platform: RunningPlatform) -> None:
    import httpx

    schema = httpx.get(f"{shared_platform.url}/openapi.json").json()
    assert "/v1/orders/{order_id}/confirm" in schema["paths"]
    assert "/v1/events" in schema["paths"]
    body = schema["paths"]["/v1/orders"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/CreateOrderBody"}
    assert "lines" in schema["components"]["schemas"]["CreateOrderBody"]["properties"]
    # bounds the handlers enforce are stated, so a schema-valid request is not refused for them
    event_params = {p["name"]: p["schema"] for p in schema["paths"]["/v1/events"]["get"]["parameters"]}
    assert event_params["wait"]["minimum"] == 0
    assert event_params["limit"]["minimum"] == 1
    # ... and what may not be empty says so: an order needs a line, a name and a phone; a refusal needs its reason
    components = schema["components"]["schemas"]
    order_fields = components["CreateOrderBody"]["properties"]
    assert order_fields["lines"]["minItems"] == 1
    assert order_fields["customer_name"]["minLength"] == order_fields["customer_phone"]["minLength"] == 1
    assert components["ReasonBody"]["properties"]["reason_code"]["minLength"] == 1
    assert components["ReasonBody"]["properties"]["reason_code"]["pattern"] == REASON_CODE_PATTERN


def test_menu_publish_is_conditional_on_the_version(platform: RunningPlatform) -> None:
    seed = platform.seed
    assert seed is not None
    merchant = api(platform, "merchant")
    got = merchant.get(f"/v1/stores/{seed.store_id}/menu")
    menu = got.json()
    assert got.headers["ETag"] == f'"{menu["version"]}"'
    base = menu["version"]
    menu["categories"][0]["items"][0]["price"]["amount"] = 4200
    published = merchant.put(f"/v1/stores/{seed.store_id}/menu", menu, headers={"If-Match": str(base)})
    assert published.status_code == 200, published.text
    assert published.json()["version"] == base + 1
    menu["categories"][0]["items"][1]["price"]["amount"] = 2900
    stale = merchant.put(f"/v1/stores/{seed.store_id}/menu", menu, headers={"If-Match": str(base)})
    assert stale.status_code == 412
    assert stale.json()["error"] == {
        "code": "stale_version",
        "message": f"the menu is at version {base + 1}",
        "current_version": base + 1,
    }
    missing = merchant.put(f"/v1/stores/{seed.store_id}/menu", menu)
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "If-Match"
    menu["categories"][0]["items"][0]["option_group_ids"] = ["nope"]
    broken = merchant.put(f"/v1/stores/{seed.store_id}/menu", menu, headers={"If-Match": str(base + 1)})
    assert broken.status_code == 422
    assert broken.json()["error"]["field"] == "categories[0].items[0].option_group_ids"
    # the new price is what new orders pay
    order = api(platform, "customer").post("/v1/orders", order_body(seed.store_id, "TAKEOUT")).json()
    assert order["lines"][0]["unit_price"]["amount"] == 4200


def test_snoozed_or_hidden_items_cannot_be_ordered(platform: RunningPlatform) -> None:
    seed = platform.seed
    assert seed is not None
    merchant, customer = api(platform, "merchant"), api(platform, "customer")
    item = f"/v1/stores/{seed.store_id}/menu/items/kung-pao-chicken"
    snoozed = merchant.patch(item, {"snooze_until": "2099-01-01T00:00:00Z"})
    assert snoozed.status_code == 200
    refused = customer.post("/v1/orders", order_body(seed.store_id))
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "item_unavailable"
    merchant.patch(item, {"clear_snooze": True})
    assert customer.post("/v1/orders", order_body(seed.store_id)).status_code == 201
    merchant.patch(item, {"hidden": True})
    assert (
        customer.post("/v1/orders", order_body(seed.store_id)).json()["error"]["code"] == "item_unavailable"
    )
    merchant.patch(item, {"hidden": False, "status": "UNAVAILABLE"})
    assert (
        customer.post("/v1/orders", order_body(seed.store_id)).json()["error"]["code"] == "item_unavailable"
    )
    assert merchant.patch(f"/v1/stores/{seed.store_id}/menu/items/ghost", {"hidden": True}).status_code == 404


def test_paused_store_takes_no_orders_and_busy_adds_minutes(platform: RunningPlatform) -> None:
    seed = platform.seed
    assert seed is not None
    merchant, customer = api(platform, "merchant"), api(platform, "customer")
    status = f"/v1/stores/{seed.store_id}/status"
    paused = merchant.put(status, {"state": "PAUSED", "reason": "kitchen fire drill"})
    assert paused.json()["status"]["state"] == "PAUSED"
    refused = customer.post("/v1/orders", order_body(seed.store_id))
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "store_unavailable"
    busy = merchant.put(status, {"state": "BUSY", "extra_minutes": 15})
    assert busy.json()["status"] == {
        "state": "BUSY",
        "until": None,
        "reason": "",
        "extra_minutes": 15,
        "auto": False,
    }
    order = customer.post("/v1/orders", order_body(seed.store_id)).json()
    confirmed = merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 10}).json()
    from datetime import datetime

    promised = datetime.fromisoformat(confirmed["promised_ready_at"]) - datetime.fromisoformat(
        confirmed["confirmed_at"]
    )
    assert promised.total_seconds() == 25 * 60
    bad = merchant.put(status, {"state": "BUSY"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "extra_minutes"
    expired_pause = merchant.put(status, {"state": "PAUSED", "until": "2000-01-01T00:00:00Z"})
    assert expired_pause.status_code == 200
    assert customer.post("/v1/orders", order_body(seed.store_id)).status_code == 201  # the pause is over

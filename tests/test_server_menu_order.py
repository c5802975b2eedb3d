"""A new order naming an item or option a customer cannot order now is refused 409 `item_unavailable`, naming
the item (and the option) and the line, against the real server."""

from __future__ import annotations

from tests.support.platform import RunningPlatform, api, order_body

_LINE = {"item_id": "kung-pao-chicken", "quantity": 1, "option_ids": ["spice-mild", "rice-brown"]}


def _refusal(response: object) -> dict:
    assert getattr(response, "status_code", None) == 409, getattr(response, "text", response)
    error = response.json()["error"]  # type: ignore[attr-defined]
    assert error["code"] == "item_unavailable"
    return {k: error.get(k) for k in ("field", "item_id", "option_id")}


def test_unorderable_items_and_options_are_named(platform: RunningPlatform) -> None:
    seed = platform.seed
    assert seed is not None
    merchant, customer = api(platform, "merchant"), api(platform, "customer")
    menu = f"/v1/stores/{seed.store_id}/menu"

    def order(*lines: dict) -> object:
        return customer.post("/v1/orders", order_body(seed.store_id, "TAKEOUT", lines=list(lines)))

    assert getattr(order(_LINE), "status_code", None) == 201
    rice_line = {"item_id": "rice", "quantity": 1}
    # unknown item, on the second line
    assert _refusal(order(rice_line, {"item_id": "no-such-dish", "quantity": 1})) == {
        "field": "lines[1].item_id",
        "item_id": "no-such-dish",
        "option_id": None,
    }
    # an option the item does not offer
    assert _refusal(order({**rice_line, "option_ids": ["spice-mild"]})) == {
        "field": "lines[0].option_ids",
        "item_id": "rice",
        "option_id": "spice-mild",
    }
    # an option sold out (snoozed), unavailable or hidden
    named = {"field": "lines[0].option_ids", "item_id": "kung-pao-chicken", "option_id": "rice-brown"}
    for change, undo in (
        ({"snooze_until": "2099-01-01T00:00:00+08:00"}, {"clear_snooze": True}),
        ({"status": "UNAVAILABLE"}, {"status": "AVAILABLE"}),
        ({"hidden": True}, {"hidden": False}),
    ):
        assert merchant.patch(f"{menu}/options/rice-brown", change).status_code == 200
        assert _refusal(order(_LINE)) == named, change
        assert merchant.patch(f"{menu}/options/rice-brown", undo).status_code == 200
    # a snooze that has ended is no obstacle
    assert (
        merchant.patch(f"{menu}/options/rice-brown", {"snooze_until": "2001-01-01T00:00:00Z"}).status_code
        == 200
    )
    assert getattr(order(_LINE), "status_code", None) == 201
    # the item itself, sold out
    assert (
        merchant.patch(f"{menu}/items/kung-pao-chicken", {"snooze_until": "2099-01-01T00:00:00Z"}).status_code
        == 200
    )
    assert _refusal(order(rice_line, _LINE)) == {
        "field": "lines[1].item_id",
        "item_id": "kung-pao-chicken",
        "option_id": None,
    }

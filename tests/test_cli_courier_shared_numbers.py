"""A platform courier's command line with orders of several stores, whose day numbers collide, against the real
platform on loopback: `deliveries show` suggests commands by delivery id when the number names two deliveries in
hand; `conflicts list` says a delivery's refusal on its store's clock and names the store when the number is
shared, as does the command's own "Refused by the platform" line; a reject queued offline for an offer given to
another courier meanwhile is confirmed on reconnect, never a conflict."""

from __future__ import annotations

import sqlite3
from typing import Any

from o2o_tui.cli.exits import Exit
from tests.support.platform import RunningPlatform, api, order_body
from tests.test_cli_orders import Cli


def _offer(running: RunningPlatform, courier_index: int = 0) -> dict[str, Any]:
    seed = running.seed
    assert seed is not None
    merchant, customer = api(running, "merchant"), api(running, "customer")
    order = customer.post("/v1/orders", order_body(seed.store_id)).json()
    assert merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 15}).status_code == 200
    assigned = merchant.post(f"/v1/orders/{order['id']}/assign", {"courier_id": seed.courier_ids[courier_index]})
    assert assigned.status_code == 200, assigned.text
    return {**order, "delivery_id": assigned.json()["id"], "ref": f"#{order['number']:04d}"}


def _as_other_store(running: RunningPlatform, delivery_id: str, number: int, store_name: str) -> None:
    """The delivery as a second store's order with the same day number would be."""
    path = running.db_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        conn.execute(
            "UPDATE deliveries SET doc = CAST(json_set(CAST(doc AS TEXT), '$.order_number', ?, '$.store_name', ?)"
            " AS BLOB) WHERE id = ?",
            (number, store_name, delivery_id),
        )


def _two_sevens(running: RunningPlatform, courier: Cli) -> tuple[dict[str, Any], dict[str, Any]]:
    first, second = _offer(running), _offer(running)
    _as_other_store(running, second["delivery_id"], first["number"], "Golden Dumplings")
    courier("sync", "--once")
    return first, second


def test_show_suggests_the_delivery_id_when_the_number_is_shared(running: RunningPlatform, courier: Cli) -> None:
    first, second = _two_sevens(running, courier)
    shown = courier("deliveries", "show", second["delivery_id"]).stdout
    next_line = next(line for line in shown.splitlines() if line.startswith("Next:"))
    assert f"o2o deliveries accept {second['delivery_id']}" in next_line
    assert first["ref"] not in next_line
    # the suggestion runs as it is (the number would be refused: it names 2 deliveries)
    courier("deliveries", "accept", first["ref"], code=Exit.USAGE)
    courier(*next_line.removeprefix("Next: o2o ").split(",")[0].split())
    assert api(running, "dispatcher").get(f"/v1/deliveries/{second['delivery_id']}").json()["status"] == "ACCEPTED"

    alone = _offer(running)  # a number no other delivery has: suggested by number, as before
    courier("sync", "--once")
    assert f"o2o deliveries accept {alone['ref']}" in courier("deliveries", "show", alone["ref"]).stdout


def test_a_refusal_names_the_store_and_says_its_clock(running: RunningPlatform, courier: Cli) -> None:
    first, second = _two_sevens(running, courier)
    wrong = courier("deliveries", "pickup", second["delivery_id"], "--code", "0000", code=Exit.REJECTED)
    said = f"Refused by the platform: Golden Dumplings {first['ref']}: the code for your pickup did not match"
    assert said in wrong.stderr
    [row] = courier.json("conflicts", "list")
    assert row["store"] == "Golden Dumplings" and row["name"] is None
    assert row["explanation"].startswith(f"Golden Dumplings {first['ref']}: the code")
    listed = courier("conflicts", "list").stdout
    assert "Asia/Shanghai" in listed and "UTC+00:00" not in listed  # the store's clock, not the machine's
    assert f"Golden Dumplings {first['ref']}" in listed
    chinese = courier("--lang", "zh", "conflicts", "list").stdout
    assert f"Golden Dumplings 订单 {first['ref']}" in chinese and "Asia/Shanghai" in chinese

    alone = _offer(running)  # a number of its own: "order #0009", as before (its clock still the store's)
    courier("sync", "--once")
    refused = courier("deliveries", "pickup", alone["ref"], "--code", "0000", code=Exit.REJECTED)
    assert f"Refused by the platform: order {alone['ref']}: the code" in refused.stderr


def test_a_reject_queued_offline_for_an_offer_given_to_another_is_done(
    running: RunningPlatform, courier: Cli
) -> None:
    seed = running.seed
    assert seed is not None
    order = _offer(running)
    courier("sync", "--once")
    running.stop()
    assert "Queued" in courier("deliveries", "reject", order["ref"]).stdout
    running.restart()
    moved = api(running, "merchant").post(f"/v1/orders/{order['id']}/assign", {"courier_id": seed.courier_ids[1]})
    assert moved.status_code == 200, moved.text

    courier("login", "--url", running.url, "--token", courier.token)  # the port may have changed
    report = courier.json("sync", "--once")  # exit 0: nothing refused
    assert report["rejected"] == 0 and report["conflicts"] == 0 and report["pending"] == 0
    assert courier.json("conflicts", "list") == []
    assert courier.json("deliveries", "list") == []  # the offer is gone
    [ended] = courier.json("deliveries", "list", "--all")
    assert ended["status"] == "CANCELLED" and ended["end_reason"] == "REASSIGNED" and not ended["is_pending"]


def test_a_reject_sent_after_the_offer_went_to_another_is_done(running: RunningPlatform, courier: Cli) -> None:
    seed = running.seed
    assert seed is not None
    order = _offer(running)
    courier("sync", "--once")  # cached as PENDING; given to another before the courier's reject is sent
    moved = api(running, "merchant").post(f"/v1/orders/{order['id']}/assign", {"courier_id": seed.courier_ids[1]})
    assert moved.status_code == 200, moved.text
    result = courier.json("deliveries", "reject", order["delivery_id"])
    assert result["outcome"] == "done" and courier.json("conflicts", "list") == []

"""`o2o deliveries` and `o2o duty` end to end: a courier profile in tmp_path against the real platform on
loopback walks a whole delivery by command line, works offline (queued, replayed exactly once), gets a refusal
explained in plain words, and every command tells a courier (or a merchant running the courier's commands) what
it is and what to use."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from o2o_tui.cli.exits import Exit
from tests.support.platform import RunningPlatform, api, order_body
from tests.test_cli_orders import Cli


def _offer(running: RunningPlatform) -> dict[str, Any]:
    """A DELIVERY order, accepted by the merchant and offered to the first courier; with both codes."""
    seed = running.seed
    assert seed is not None
    merchant, customer = api(running, "merchant"), api(running, "customer")
    order = customer.post("/v1/orders", order_body(seed.store_id)).json()
    assert merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 15}).status_code == 200
    assigned = merchant.post(f"/v1/orders/{order['id']}/assign", {"courier_id": seed.courier_ids[0]})
    assert assigned.status_code == 200, assigned.text
    return {**order, "delivery_id": assigned.json()["id"], "ref": f"#{order['number']:04d}"}


def _order_status(running: RunningPlatform, order_id: str) -> str:
    return api(running, "merchant").get(f"/v1/orders/{order_id}").json()["status"]


def _delivery(running: RunningPlatform, delivery_id: str) -> dict[str, Any]:
    return api(running, "dispatcher").get(f"/v1/deliveries/{delivery_id}").json()


def _logged(running: RunningPlatform, delivery_id: str) -> list[str]:
    """The platform's action log for one delivery: every action it applied, once each."""
    path = running.db_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT action FROM action_log WHERE entity = 'delivery' AND entity_id = ? ORDER BY id",
            (delivery_id,),
        ).fetchall()
    return [row[0] for row in rows]


def test_a_courier_walks_a_whole_delivery_by_command_line(
    running: RunningPlatform, courier: Cli, tmp_path: Path
) -> None:
    seed = running.seed
    assert seed is not None
    order = _offer(running)
    ref = order["ref"]

    [row] = courier.json("deliveries", "list")  # a profile that never synced pulls first
    assert row["id"] == order["delivery_id"] and row["status"] == "PENDING"
    assert row["store_name"] and row["ready_at"] and row["next_commands"] == ["accept", "reject"]
    assert row["customer_phone"] == "138****5678"
    listed = courier("deliveries", "list").stdout
    assert ref in listed and row["store_name"] in listed and "OFFER" in listed
    # the ready time on the store's clock, whatever this machine's zone (Shanghai is never UTC's HH:MM)
    store_clock = datetime.fromisoformat(row["ready_at"]).astimezone(ZoneInfo(row["store_timezone"]))
    assert row["store_timezone"] == "Asia/Shanghai" and store_clock.strftime("%H:%M") in listed

    assert "accepted" in courier("deliveries", "accept", ref).stdout
    arrived = courier.json("deliveries", "arrived", str(order["number"]))
    assert arrived["outcome"] == "done" and arrived["delivery"]["status"] == "ARRIVED_AT_MERCHANT"

    wrong = "0000" if order["pickup_code"] != "0000" else "1111"
    refused = courier("deliveries", "pickup", ref, "--code", wrong, code=Exit.REJECTED)
    assert f"order {ref}: the code for your pickup did not match" in refused.stderr
    [conflict] = courier.json("conflicts", "list")
    assert (
        conflict["action"] == "delivery.picked_up" and conflict["reason"]["order_number"] == order["number"]
    )
    assert _delivery(running, order["delivery_id"])["status"] == "ARRIVED_AT_MERCHANT"

    courier("deliveries", "pickup", order["delivery_id"][:10], "--code", order["pickup_code"])
    assert _order_status(running, order["id"]) == "DISPATCHED"
    courier("deliveries", "problem", ref, "--reason", "nobody-to-receive", "--note", "gate locked")
    courier("deliveries", "problem", ref, "--reason", "bored", code=Exit.USAGE)
    shown = courier("deliveries", "show", ref).stdout
    assert "nobody to receive" in shown and "gate locked" in shown and "138****5678" in shown
    assert f"o2o deliveries arrived-customer {ref}, o2o deliveries deliver {ref} --code CODE" in shown

    courier("deliveries", "arrived-customer", ref)
    delivery_code = api(running, "customer").get(f"/v1/orders/{order['id']}").json()["delivery_code"]
    done = courier.json("deliveries", "deliver", ref, "--code", delivery_code)
    assert done["outcome"] == "done" and done["delivery"]["status"] == "DELIVERED"
    assert _order_status(running, order["id"]) == "DELIVERED"  # what the merchant's console shows

    assert courier.json("deliveries", "list") == []  # only active ones by default
    [ended] = courier.json("deliveries", "list", "--all")
    assert ended["status"] == "DELIVERED" and ended["next_commands"] == []
    assert _logged(running, order["delivery_id"]) == [
        "accept", "arrived-at-merchant", "picked-up", "problem:NOBODY_TO_RECEIVE", "arrived-at-customer", "delivered",
    ]  # fmt: skip
    courier("deliveries", "show", "#9999", code=Exit.NOT_FOUND)

    # the dispatch side sees where the courier is and since when (it followed the courier's actions)
    merchant = Cli(tmp_path / "merchant-home", seed.tokens["merchant"])
    merchant("login", "--url", running.url, "--token", merchant.token)
    listed_couriers = {c["courier_id"]: c for c in merchant.json("couriers", "list")}
    mine = listed_couriers[seed.courier_ids[0]]
    assert mine["position"] == order_body(seed.store_id)["address"]["position"] and mine["position_at"]
    assert "position 0 min ago" in merchant("couriers", "list").stdout


def test_offline_actions_queue_and_replay_exactly_once(running: RunningPlatform, courier: Cli) -> None:
    order = _offer(running)
    ref = order["ref"]
    courier("deliveries", "accept", ref)  # not cached yet: the command pulls first
    running.stop()

    assert "Queued" in courier("deliveries", "arrived", ref).stdout
    courier("deliveries", "pickup", ref, "--code", order["pickup_code"], "--online", code=Exit.OFFLINE)
    queued = courier.json("deliveries", "pickup", ref, "--code", order["pickup_code"])
    assert queued["outcome"] == "queued" and queued["delivery"]["status"] == "PICKED_UP"
    [row] = courier.json("deliveries", "list")
    assert row["is_pending"] and row["pending_actions"] == [
        "delivery.arrived_at_merchant",
        "delivery.picked_up",
    ]
    assert "queued: arrival at the store, pickup" in courier("deliveries", "list").stdout
    courier("sync", "--once", code=Exit.OFFLINE)

    running.restart()
    courier("login", "--url", running.url, "--token", courier.token)  # the port may have changed
    report = courier.json("sync", "--once")
    assert report["pushed"] == 2 and report["pending"] == 0 and report["rejected"] == 0
    assert courier.json("sync", "--once")["pushed"] == 0
    assert _order_status(running, order["id"]) == "DISPATCHED"
    assert _logged(running, order["delivery_id"]) == ["accept", "arrived-at-merchant", "picked-up"]
    [row] = courier.json("deliveries", "list")
    assert row["status"] == "PICKED_UP" and row["is_pending"] is False

    courier("deliveries", "arrived-customer", ref)
    courier("deliveries", "return", ref)
    assert courier.json("deliveries", "returned", ref)["delivery"]["status"] == "RETURNED"
    assert _logged(running, order["delivery_id"])[-2:] == ["return", "returned"]


def test_a_pickup_queued_while_the_order_was_cancelled_is_explained(
    running: RunningPlatform, courier: Cli
) -> None:
    order = _offer(running)
    ref = order["ref"]
    courier("deliveries", "accept", ref)
    running.stop()
    courier("deliveries", "pickup", ref, "--code", order["pickup_code"])  # queued offline
    running.restart()
    api(running, "merchant").post(f"/v1/orders/{order['id']}/cancel", {"reason_code": "OUT_OF_STOCK"})

    courier("login", "--url", running.url, "--token", courier.token)
    courier("sync", "--once", code=Exit.REJECTED)
    [conflict] = courier.json("conflicts", "list")
    assert conflict["reason"]["current_status"] == "CANCELLED"
    assert conflict["explanation"] == (
        f"order {ref} was cancelled (Items sold out) before your pickup reached the platform"
    )
    [ended] = courier.json("deliveries", "list", "--all")
    assert ended["status"] == "CANCELLED" and ended["is_pending"] is False  # the server's truth


def test_duty_on_and_off(running: RunningPlatform, courier: Cli) -> None:
    seed = running.seed
    assert seed is not None
    dispatcher = api(running, "dispatcher")

    def status() -> str:
        return dispatcher.get(f"/v1/couriers/{seed.courier_ids[0]}").json()["status"]

    off = courier.json("duty", "off")
    assert off["outcome"] == "done" and off["courier"]["status"] == "OFFLINE" and status() == "OFFLINE"
    assert "You are on duty." in courier("duty", "on").stdout and status() == "IDLE"
    courier("duty", "sideways", code=Exit.USAGE)
    running.stop()
    assert "Queued" in courier("duty", "off").stdout
    courier("duty", "on", "--online", code=Exit.OFFLINE)


def test_every_command_tells_a_courier_what_to_use(
    running: RunningPlatform, courier: Cli, tmp_path: Path
) -> None:
    assert running.seed is not None
    courier("sync", "--once")
    console = courier("console", code=Exit.USAGE)
    assert "courier" in console.stderr and "o2o courier" in console.stderr
    orders = courier("orders", "list", code=Exit.USAGE)
    assert "o2o deliveries list" in orders.stderr
    store = courier("store", "status", code=Exit.USAGE)
    assert "o2o duty on|off" in store.stderr and "o2o deliveries list" in store.stderr
    courier("store", "pause", code=Exit.USAGE)
    chinese = courier("--lang", "zh", "orders", "list", code=Exit.USAGE)
    assert "骑手" in chinese.stderr and "o2o deliveries list" in chinese.stderr

    merchant = Cli(tmp_path / "merchant-home", running.seed.tokens["merchant"])
    merchant("login", "--url", running.url, "--token", merchant.token)
    refused = merchant("deliveries", "list", code=Exit.USAGE)
    assert "merchant profile" in refused.stderr and "o2o console" in refused.stderr
    merchant("duty", "on", code=Exit.USAGE)


def test_a_number_two_deliveries_in_hand_share_is_refused_with_both(running: RunningPlatform, courier: Cli) -> None:
    """Order numbers are per store and per day: a platform courier may carry two #0012 (two stores). Which one a
    number means is asked, never guessed."""
    first, second = _offer(running), _offer(running)
    path = running.db_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:  # as a second store's order with the same number would be
        conn.execute(
            "UPDATE deliveries SET doc = CAST(json_set(CAST(doc AS TEXT), '$.order_number', ?) AS BLOB) WHERE id = ?",
            (first["number"], second["delivery_id"]),
        )
    courier("sync", "--once")
    refused = courier("deliveries", "accept", first["ref"], code=Exit.USAGE)
    assert "names 2 deliveries in hand" in refused.stderr
    assert first["delivery_id"] in refused.stderr and second["delivery_id"] in refused.stderr
    assert _delivery(running, first["delivery_id"])["status"] == "PENDING"  # nothing was sent
    courier("deliveries", "accept", first["delivery_id"])  # the id says which
    assert _delivery(running, first["delivery_id"])["status"] == "ACCEPTED"


def test_a_couriers_list_from_an_old_cache_says_as_of_when(
    running: RunningPlatform, courier: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`o2o deliveries list` on a cache nothing refreshed for minutes (the handheld closed, no sync running) says
    as of when, as `o2o orders list` does; just synced, it says nothing of it."""
    from datetime import UTC, datetime, timedelta

    from o2o_tui.sync import tables
    from o2o_tui.sync.session import profile_cache

    courier("sync", "--once")
    assert "Read from the cache" not in courier("deliveries", "list").stderr
    monkeypatch.setenv("O2O_HOME", str(courier.home))
    then = (datetime.now(UTC) - timedelta(hours=3)).isoformat()
    with profile_cache(None) as (_, cache):
        cache.meta_set_many({tables.META_LAST_SYNC_AT: then, tables.META_ANSWERED_AT: then})
    said = " ".join(courier("deliveries", "list").stderr.split())
    assert "Read from the cache as it was at" in said and "(3 h ago)" in said, said

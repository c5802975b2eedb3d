"""The courier's "bring the food back" task in the CLI and the cache: a pickup refused because the order was
cancelled under the courier leaves the food in their hands; `o2o deliveries list` and `show` say so (the store, not
the purged customer), `o2o deliveries food-back` ends it (online or queued offline), the cache keeps the ended
delivery past its pruning age while the task stands (its personal data still goes), and `GET /v1/me` names a store
fleet courier's store. Real server on loopback, real profile cache in tmp_path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from o2o_tui.cli.exits import Exit
from o2o_tui.domain.identity import Role
from o2o_tui.platform import db, seed
from o2o_tui.sync import tables
from o2o_tui.sync.retention import RetentionPolicy, apply_retention
from offline_cache import open_profile_cache
from tests.support.platform import Api, RunningPlatform, api
from tests.test_cli_deliveries import _offer
from tests.test_cli_orders import Cli


def _food_in_hand(running: RunningPlatform, courier: Cli) -> dict[str, Any]:
    """An order whose pickup (queued offline, the right code) reached the platform after the store cancelled it."""
    order = _offer(running)
    courier("deliveries", "accept", order["ref"])
    running.stop()
    courier("deliveries", "pickup", order["ref"], "--code", order["pickup_code"])  # queued offline
    running.restart()
    api(running, "merchant").post(f"/v1/orders/{order['id']}/cancel", {"reason_code": "OUT_OF_STOCK"})
    courier("login", "--url", running.url, "--token", courier.token)  # the port may have changed
    courier("sync", "--once", code=Exit.REJECTED)
    return order


def _food_with_courier(running: RunningPlatform, order_id: str) -> Any:
    return api(running, "merchant").get(f"/v1/orders/{order_id}").json().get("food_with_courier")


def _store_name(running: RunningPlatform) -> str:
    assert running.seed is not None
    return str(api(running, "merchant").get(f"/v1/stores/{running.seed.store_id}").json()["name"])


def _cache_dir(courier: Cli) -> Path:
    found = courier.home / "cache" / "profiles" / "default"  # the profile `o2o login` saved
    assert (found / "cache-v1.json").is_file(), found
    return found


def test_the_bring_back_task_is_listed_shown_and_confirmed(running: RunningPlatform, courier: Cli) -> None:
    order = _food_in_hand(running, courier)
    ref, store = order["ref"], _store_name(running)
    assert _food_with_courier(running, order["id"])["courier_id"] == running.seed.courier_ids[0]  # type: ignore[union-attr]

    [row] = courier.json("deliveries", "list")  # ended, yet a task: listed without --all
    assert row["id"] == order["delivery_id"] and row["status"] == "CANCELLED"
    assert row["bring_back"] is True and row["next_commands"] == ["food-back"]
    listed = courier("deliveries", "list").stdout
    assert f"{ref}  Bring the food back to {store}" in listed
    assert "->" not in listed  # no empty drop-off arrow: the customer is gone

    shown = courier("deliveries", "show", ref).stdout
    assert f"bring it back to the counter of {store}" in shown
    assert f"Next: o2o deliveries food-back {ref}" in shown
    # the platform blanked the customer once the delivery ended: said once, no empty lines
    assert "Drop-off and customer: removed after the delivery ended." in shown
    assert "Drop off at:" not in shown and "Customer:" not in shown
    assert courier.json("deliveries", "show", ref)["bring_back"] is True

    done = courier.json("deliveries", "food-back", ref)
    assert done["outcome"] == "done" and done["delivery"]["bring_back"] is False
    assert _food_with_courier(running, order["id"]) is None  # the store hears it
    assert courier.json("deliveries", "list") == []
    assert courier.json("conflicts", "list") == []  # the refused pickup went with the task
    [ended] = courier.json("deliveries", "list", "--all")
    assert ended["bring_back"] is False and ended["next_commands"] == []
    assert "Next:" not in courier("deliveries", "show", ref).stdout


def test_food_back_queued_offline_and_refused_on_an_active_delivery(
    running: RunningPlatform, courier: Cli
) -> None:
    order = _food_in_hand(running, courier)
    ref = order["ref"]
    running.stop()
    courier("deliveries", "food-back", ref, "--online", code=Exit.OFFLINE)  # --online: nothing queued
    assert courier.json("deliveries", "list")[0]["bring_back"] is True
    queued = courier.json("deliveries", "food-back", ref)
    assert queued["outcome"] == "queued"
    assert courier.json("deliveries", "list") == []  # the task is done here; the platform hears it later
    running.restart()
    courier("login", "--url", running.url, "--token", courier.token)
    assert courier.json("sync", "--once")["pushed"] == 1
    assert _food_with_courier(running, order["id"]) is None

    other = _offer(running)  # an offer, not ended: `return`/`returned` are its steps, not food-back
    refused = courier("deliveries", "food-back", other["ref"], code=Exit.USAGE)
    assert "food-back" in refused.stderr + refused.stdout


def test_the_cache_keeps_the_task_past_pruning_but_not_the_customer(
    running: RunningPlatform, courier: Cli
) -> None:
    order = _food_in_hand(running, courier)
    later = datetime.now(UTC) + timedelta(days=4)  # past the 3 days ended deliveries are kept
    with open_profile_cache(_cache_dir(courier)) as cache:
        deliveries = cache.table(tables.DELIVERIES)

        def old_copy(doc: dict[str, Any]) -> dict[str, Any]:  # a copy cached before the platform blanked it
            doc["customer_name"], doc["customer_phone"] = "Canary Keepfix", "13900000418"
            doc["dropoff"]["text"] = "CANARYADDR 1 Road"
            return doc

        assert deliveries.transform(lambda doc: doc["id"] == order["delivery_id"], old_copy) == 1
        apply_retention(cache, RetentionPolicy(), later)
        kept = deliveries.get(order["delivery_id"])
        assert kept is not None, "pruned while the food is still with the courier"
        assert (kept["customer_name"], kept["customer_phone"], kept["dropoff"]["text"]) == ("", "", "")
        assert kept["store_name"]  # what the task needs
    assert courier.json("deliveries", "list")[0]["bring_back"] is True

    courier("deliveries", "food-back", order["ref"])
    with open_profile_cache(_cache_dir(courier)) as cache:
        _, pruned = apply_retention(cache, RetentionPolicy(), later)
        assert pruned == 1 and cache.table(tables.DELIVERIES).get(order["delivery_id"]) is None


def test_me_names_the_store_of_a_store_fleet_courier(running: RunningPlatform, tmp_path: Path) -> None:
    assert running.seed is not None
    me = api(running, "courier").get("/v1/me").json()
    assert me["role"] == "courier" and me["courier_id"] == running.seed.courier_ids[0]
    assert me["store_id"] == running.seed.store_id

    engine = db.open_database(running.db_url)
    try:
        with db.writing(engine) as conn:
            free = seed.create_user(conn, role=Role.COURIER, name="Free rider", store_id=None)
    finally:
        engine.dispose()
    free_me = Api(running.url, free.token).get("/v1/me").json()
    assert free_me["courier_id"] == free.courier_id and free_me["store_id"] is None  # a platform courier

    runner = Cli(tmp_path / "home", running.seed.tokens["courier"])
    said = runner("login", "--url", running.url, "--token", runner.token).stdout
    assert f"(courier) at {running.url} store {running.seed.store_id} courier {me['courier_id']}" in said
    assert runner.json("deliveries", "list") == []  # a profile with a store still works as a courier's
    runner("store", "status", code=Exit.USAGE)  # and is still told the store commands are not for couriers

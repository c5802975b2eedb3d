"""A courier's ending step queued offline, and a cancellation that overtakes queued steps (h3).

`o2o deliveries list` keeps a delivery whose "delivered" is queued, marked queued and not yet confirmed, until the
platform confirms it (plain and --json); a refusal because the customer cancelled while the courier had the food
says the order was cancelled, why, and that the food goes back, never a raw status word; every delivery status a
refusal names reads as a courier says it. Real server on loopback (stopped and started for the offline part), real
profile cache in tmp_path."""

from __future__ import annotations

from typing import Any

import pytest

from o2o_tui.cli.exits import Exit
from o2o_tui.domain.transitions import DeliveryStatus
from o2o_tui.i18n import set_language, t
from o2o_tui.sync.explain import explain
from tests.support.platform import RunningPlatform, api
from tests.test_cli_deliveries import _delivery, _offer
from tests.test_cli_orders import Cli


def _at_the_door_offline(running: RunningPlatform, courier: Cli) -> dict[str, Any]:
    """A delivery picked up online, then (the platform stopped) its arrival at the customer and its delivery
    queued, with the right code."""
    order = _offer(running)
    ref = order["ref"]
    courier("deliveries", "accept", ref)
    courier("deliveries", "arrived", ref)
    courier("deliveries", "pickup", ref, "--code", order["pickup_code"])
    code = api(running, "customer").get(f"/v1/orders/{order['id']}").json()["delivery_code"]
    running.stop()
    assert "Queued" in courier("deliveries", "arrived-customer", ref).stdout
    assert "Queued" in courier("deliveries", "deliver", ref, "--code", code).stdout
    return order


def test_a_queued_delivery_stays_listed_until_the_platform_confirms_it(
    running: RunningPlatform, courier: Cli
) -> None:
    order = _at_the_door_offline(running, courier)
    ref = order["ref"]
    [row] = courier.json("deliveries", "list")
    assert row["id"] == order["delivery_id"] and row["status"] == "DELIVERED"  # as assumed here
    assert row["is_pending"] is True
    assert row["pending_actions"] == ["delivery.arrived_at_customer", "delivery.delivered"]
    listed = courier("deliveries", "list").stdout
    assert f"{ref}  DELIVERED (not yet confirmed)" in listed
    assert "queued: arrival at the customer, delivery" in listed
    assert "(not yet confirmed)" in courier("deliveries", "show", ref).stdout

    running.restart()
    courier("login", "--url", running.url, "--token", courier.token)  # the port may have changed
    assert courier.json("sync", "--once")["pushed"] == 2
    assert courier.json("deliveries", "list") == []  # confirmed: ended, no longer listed
    [ended] = courier.json("deliveries", "list", "--all")
    assert ended["status"] == "DELIVERED" and ended["is_pending"] is False
    assert "not yet confirmed" not in courier("deliveries", "list", "--all").stdout


def test_a_cancellation_that_overtakes_queued_steps_says_cancelled_and_bring_it_back(
    running: RunningPlatform, courier: Cli
) -> None:
    order = _at_the_door_offline(running, courier)
    ref = order["ref"]
    running.restart()
    asked = api(running, "customer").post(
        f"/v1/orders/{order['id']}/cancellation", {"reason_code": "CUSTOMER_CHANGED_MIND"}
    )
    assert asked.status_code == 200, asked.text
    accepted = api(running, "merchant").post(f"/v1/orders/{order['id']}/cancellation/accept", {})
    assert accepted.status_code == 200, accepted.text
    assert _delivery(running, order["delivery_id"])["status"] == "RETURNING"

    courier("login", "--url", running.url, "--token", courier.token)
    synced = courier("sync", "--once", code=Exit.REJECTED)
    said = synced.stdout + synced.stderr
    conflicts = courier.json("conflicts", "list")
    assert [c["action"] for c in conflicts] == ["delivery.arrived_at_customer", "delivery.delivered"]
    for conflict, what in zip(conflicts, ("arrival at the customer", "delivery"), strict=True):
        assert conflict["reason"]["order_cancelled"] is True
        assert conflict["explanation"] == (
            f"order {ref} was cancelled (Customer changed their mind) before your {what} reached the platform,"
            " so it was not applied: bring the food back to the store, then mark it returned"
        )
    assert "BACK TO STORE" not in said and "BACK TO STORE" not in str(conflicts)
    # the task now says the same: back to the store, `returned` when it is there
    [row] = courier.json("deliveries", "list")
    assert row["status"] == "RETURNING" and row["next_commands"][0] == "returned"


_TO = {  # an action refused in each status, and the status it aimed at
    DeliveryStatus.PENDING: ("delivery.picked_up", "PICKED_UP"),
    DeliveryStatus.ACCEPTED: ("delivery.delivered", "DELIVERED"),
    DeliveryStatus.ARRIVED_AT_MERCHANT: ("delivery.delivered", "DELIVERED"),
    DeliveryStatus.PICKED_UP: ("delivery.arrived_at_merchant", "ARRIVED_AT_MERCHANT"),
    DeliveryStatus.ARRIVED_AT_CUSTOMER: ("delivery.picked_up", "PICKED_UP"),
    DeliveryStatus.DELIVERED: ("delivery.arrived_at_customer", "ARRIVED_AT_CUSTOMER"),
    DeliveryStatus.RETURNING: ("delivery.delivered", "DELIVERED"),
    DeliveryStatus.RETURNED: ("delivery.delivered", "DELIVERED"),
    DeliveryStatus.REJECTED: ("delivery.accept", "ACCEPTED"),
}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("status", list(_TO))
def test_every_delivery_status_in_a_refusal_reads_in_words(status: DeliveryStatus, lang: str) -> None:
    action, to = _TO[status]
    reason = {"code": "illegal_transition", "current_status": status.value, "to": to, "order_number": 7}
    set_language(lang)
    try:
        said = explain(reason, action=action, target="dl_x")
        label = t(f"deliveries.status.{status.value.lower()}")  # the list's column word, not a sentence's
        words = t(f"sync.explain.delivery_status.{status.value}")
    finally:
        set_language("en")
    assert "#0007" in said and status.value not in said
    assert label in words or label not in said  # zh's list words may be sentence words too ("已送达")
    if status is DeliveryStatus.RETURNING:  # the courier's own return: the food goes back
        assert ("bring the food back" if lang == "en" else "送回门店") in said
    else:
        assert words in said

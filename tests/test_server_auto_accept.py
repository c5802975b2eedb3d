"""Auto-accept on the real platform: the setting round trip and its event, the printing station's check-in, the daily
cap counted on the server from the orders (a person's accept never counts), strict bodies."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.platform import Api, RunningPlatform, api, order_body


@pytest.fixture
def merchant(shared_platform: RunningPlatform) -> Iterator[Api]:
    client = api(shared_platform, "merchant")
    yield client
    assert shared_platform.seed is not None  # put the store back: auto-accept off, no station
    path = f"/v1/stores/{shared_platform.seed.store_id}/auto-accept"
    client.put(path, {"enabled": False, "station": "", "daily_cap": 50})
    client.close()


def _order(platform: RunningPlatform) -> str:
    assert platform.seed is not None
    customer = api(platform, "customer")
    try:
        created = customer.post("/v1/orders", order_body(platform.seed.store_id, "TAKEOUT"))
        assert created.status_code == 201, created.text
        return str(created.json()["id"])
    finally:
        customer.close()


def test_setting_round_trip_reaches_other_consoles_as_an_event(
    shared_platform: RunningPlatform, merchant: Api
) -> None:
    assert shared_platform.seed is not None
    store = shared_platform.seed.store_id
    cursor = merchant.get("/v1/events", after="latest").json()["cursor"]
    changed = merchant.put(
        f"/v1/stores/{store}/auto-accept", {"enabled": True, "daily_cap": 30, "station": "back"}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["auto_accept"] == {
        "enabled": True,
        "daily_cap": 30,
        "station": "back",
        "station_online": False,
        "station_printer_held": False,
    }
    other = api(shared_platform, "dispatcher")  # another device of the store
    try:
        page = other.get("/v1/events", after=cursor).json()
        assert ("store.updated", store) in {(e["type"], e["entity_id"]) for e in page["events"]}
        assert other.get(f"/v1/stores/{store}").json()["auto_accept"]["station"] == "back"
        state = other.get(f"/v1/stores/{store}/auto-accept").json()
        assert (state["enabled"], state["daily_cap"], state["station_online"]) == (True, 30, False)
    finally:
        other.close()
    # fields left out stay; the same setting again changes nothing (no new version)
    version = changed.json()["version"]
    again = merchant.put(f"/v1/stores/{store}/auto-accept", {"daily_cap": 30})
    assert again.json()["version"] == version


def test_station_check_in_marks_it_online_for_everyone(
    shared_platform: RunningPlatform, merchant: Api
) -> None:
    assert shared_platform.seed is not None
    store = shared_platform.seed.store_id
    merchant.put(f"/v1/stores/{store}/auto-accept", {"enabled": True, "station": "counter-1"})
    assert merchant.get(f"/v1/stores/{store}/auto-accept", device="till-2").json()["station_online"] is False
    cursor = merchant.get("/v1/events", after="latest").json()["cursor"]
    state = merchant.get(f"/v1/stores/{store}/auto-accept", device="counter-1").json()
    assert state["station_online"] is True and state["station_seen_at"]
    assert merchant.get(f"/v1/stores/{store}").json()["auto_accept"]["station_online"] is True
    page = merchant.get("/v1/events", after=cursor).json()
    assert [e["type"] for e in page["events"]] == ["store.updated"]
    # choosing another station: the new one is offline until it checks in
    moved = merchant.put(f"/v1/stores/{store}/auto-accept", {"station": "counter-2"}).json()
    assert moved["auto_accept"]["station_online"] is False


def test_the_stations_printer_holding_auto_accept_reaches_every_console(
    shared_platform: RunningPlatform, merchant: Api
) -> None:
    """The station says in its check-in that its printer cannot print (it holds auto-accept): the platform mirrors
    it onto the store (one store.updated event), so every console can say why orders wait for a person; another
    console's ask changes nothing of it; the station's next check-in with its printer back clears it."""
    assert shared_platform.seed is not None
    store = shared_platform.seed.store_id
    merchant.put(f"/v1/stores/{store}/auto-accept", {"enabled": True, "station": "kitchen-held"})
    merchant.get(f"/v1/stores/{store}/auto-accept", device="kitchen-held")  # online, printing
    cursor = merchant.get("/v1/events", after="latest").json()["cursor"]
    held = merchant.get(f"/v1/stores/{store}/auto-accept", device="kitchen-held", printer_held="true").json()
    assert held["station_online"] is True and held["station_printer_held"] is True
    assert merchant.get(f"/v1/stores/{store}").json()["auto_accept"]["station_printer_held"] is True
    assert [e["type"] for e in merchant.get("/v1/events", after=cursor).json()["events"]] == ["store.updated"]
    other = merchant.get(f"/v1/stores/{store}/auto-accept", device="till-2").json()
    assert other["station_printer_held"] is True  # the station's word, not the asker's
    back = merchant.get(f"/v1/stores/{store}/auto-accept", device="kitchen-held").json()
    assert back["station_printer_held"] is False
    assert merchant.get(f"/v1/stores/{store}").json()["auto_accept"]["station_printer_held"] is False
    # a station chosen anew says nothing of its printer until it checks in
    merchant.get(f"/v1/stores/{store}/auto-accept", device="kitchen-held", printer_held="true")
    moved = merchant.put(f"/v1/stores/{store}/auto-accept", {"station": "kitchen-2"}).json()
    assert moved["auto_accept"]["station_printer_held"] is False


def test_the_daily_cap_is_counted_on_the_platform(shared_platform: RunningPlatform, merchant: Api) -> None:
    assert shared_platform.seed is not None
    store = shared_platform.seed.store_id
    base = merchant.get(f"/v1/stores/{store}/auto-accept").json()["accepted_today"]
    merchant.put(f"/v1/stores/{store}/auto-accept", {"enabled": True, "daily_cap": base + 2, "station": "s"})
    first, second, third = (_order(shared_platform) for _ in range(3))
    for order_id in (first, second):
        done = merchant.post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 15, "auto": True})
        assert done.status_code == 200, done.text
        assert done.json()["auto_accepted"] is True
    over = merchant.post(f"/v1/orders/{third}/confirm", {"preparation_minutes": 15, "auto": True})
    assert over.status_code == 409 and over.json()["error"]["code"] == "auto_accept_cap"
    assert merchant.get(f"/v1/stores/{store}/auto-accept").json()["accepted_today"] == base + 2
    by_hand = merchant.post(f"/v1/orders/{third}/confirm", {"preparation_minutes": 15})  # a person still can
    assert by_hand.status_code == 200 and by_hand.json()["auto_accepted"] is False
    assert merchant.get(f"/v1/stores/{store}/auto-accept").json()["accepted_today"] == base + 2
    # an auto accept repeated on an order already accepted is a success, not a second count
    assert (
        merchant.post(f"/v1/orders/{first}/confirm", {"preparation_minutes": 15, "auto": True}).status_code
        == 200
    )
    merchant.put(f"/v1/stores/{store}/auto-accept", {"enabled": False})
    off = merchant.post(
        f"/v1/orders/{_order(shared_platform)}/confirm", {"preparation_minutes": 15, "auto": True}
    )
    assert off.status_code == 409 and off.json()["error"]["code"] == "auto_accept_off"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"enabled": True, "colour": "red"}, "colour"),
        ({"daily_cap": -1}, "daily_cap"),
        ({"station": "x" * 65}, "station"),
    ],
)
def test_bodies_are_strict(shared_platform: RunningPlatform, merchant: Api, body: dict, field: str) -> None:
    assert shared_platform.seed is not None
    refused = merchant.put(f"/v1/stores/{shared_platform.seed.store_id}/auto-accept", body)
    assert refused.status_code == 422 and field in refused.json()["error"]["field"]

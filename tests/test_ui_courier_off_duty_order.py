"""An order whose courier went off duty holding it, or cannot go on (a stopping problem), reads as such at the
counter: the queue row's type column, the order's detail (naming the courier) and `o2o orders show`. Before, all
three said the courier was coming ("Coming", "accepted, on the way to the store") and the text named nobody.
Real platform on loopback, real cache in tmp_path; the courier acts through the API with its own token."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.detail_screen import DetailScreen
from screens.launch import open_source
from screens.widgets.order_detail import OrderDetail
from screens.widgets.order_list import RowView
from tests.support.platform import Api, RunningPlatform
from tests.test_cli_orders import Cli
from tests.test_ui_courier import call, offer, server_delivery
from tests.test_ui_live import wait_until


def _courier(platform: RunningPlatform) -> tuple[str, str]:
    """A courier of the store's own fleet (its id and name, as the merchant reads it)."""
    seed = platform.seed
    assert seed is not None
    couriers = call(platform, "merchant", "GET", f"/v1/couriers?store_id={seed.store_id}")
    items = couriers["couriers"] if isinstance(couriers, dict) else couriers
    fleet = {c["id"]: c for c in items if c.get("store_id") == seed.store_id}
    courier_id = next(c for c in seed.courier_ids if c in fleet)
    return courier_id, fleet[courier_id]["name"]


def _as_courier(
    platform: RunningPlatform, courier_id: str, method: str, path: str, body: object = None
) -> dict:
    assert platform.seed is not None
    client = Api(platform.url, platform.seed.courier_tokens[courier_id])
    try:
        answer = client.send(method, path, body)
    finally:
        client.close()
    assert answer.status_code < 300, answer.text
    return answer.json()


def _accepted(platform: RunningPlatform, courier_id: str) -> tuple[dict, str]:
    """A delivery order accepted by the merchant, assigned to the courier (on duty) and accepted by it."""
    _as_courier(platform, courier_id, "PUT", f"/v1/couriers/{courier_id}/state", {"status": "IDLE"})
    order = offer(platform, courier_id)
    delivery_id = server_delivery(platform, order["id"])["id"]
    _as_courier(platform, courier_id, "POST", f"/v1/deliveries/{delivery_id}/accept")
    return order, delivery_id


def _off_duty(platform: RunningPlatform, courier_id: str) -> None:
    _as_courier(platform, courier_id, "PUT", f"/v1/couriers/{courier_id}/state", {"status": "OFFLINE"})


def _picked_up(platform: RunningPlatform, courier_id: str, order: dict, delivery_id: str) -> None:
    """The food in the courier's hands: going off duty then keeps the order with it (one not picked up goes back
    to dispatch: tests/test_g3_off_duty_give_back.py)."""
    body = {"code": order["pickup_code"]}
    _as_courier(platform, courier_id, "POST", f"/v1/deliveries/{delivery_id}/picked-up", body)


@pytest.fixture
def profile(platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Profile]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    set_language("en")
    seed = platform.seed
    assert seed is not None
    yield save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )
    set_language(None)


def _row_text(app: MerchantApp, order_id: str) -> str:
    row: RowView | None = next(
        (r for r in app.orders_screen.queue.row_views() if r.entry.order.id == order_id), None
    )
    return str(row.render()) if row is not None else ""


async def test_the_console_says_the_courier_went_off_duty_with_the_order_and_names_it(
    platform: RunningPlatform, profile: Profile
) -> None:
    courier_id, name = _courier(platform)
    app = MerchantApp(open_source(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.source.link().state.value == "ONLINE")
        order, delivery_id = await asyncio.to_thread(_accepted, platform, courier_id)
        await asyncio.to_thread(_picked_up, platform, courier_id, order, delivery_id)
        await wait_until(pilot, lambda: "On way" in _row_text(app, order["id"]))
        await asyncio.to_thread(_off_duty, platform, courier_id)
        await wait_until(pilot, lambda: "Off duty" in _row_text(app, order["id"]))
        assert "On way" not in _row_text(app, order["id"])
        app.orders_screen.queue.select(order["id"])
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        shown = str(app.screen.query_one(OrderDetail).render())
        assert f"Courier: {name} · off duty with the order: nobody is coming" in shown, shown
        assert "(last: picked it up, on the way)" in shown
        # back on duty: coming again (a courier note that changes repaints the order without an order change)
        await asyncio.to_thread(
            _as_courier, platform, courier_id, "PUT", f"/v1/couriers/{courier_id}/state", {"status": "IDLE"}
        )
        await wait_until(pilot, lambda: "off duty" not in str(app.screen.query_one(OrderDetail).render()))
        assert f"Courier: {name} · picked it up, on the way" in str(app.screen.query_one(OrderDetail).render())


async def test_a_courier_stopped_by_a_problem_is_named_in_the_row_and_stuck_in_the_detail(
    platform: RunningPlatform, profile: Profile
) -> None:
    courier_id, name = _courier(platform)
    app = MerchantApp(open_source(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.source.link().state.value == "ONLINE")
        order, delivery_id = await asyncio.to_thread(_accepted, platform, courier_id)
        await asyncio.to_thread(
            _as_courier,
            platform,
            courier_id,
            "POST",
            f"/v1/deliveries/{delivery_id}/problem",
            {"reason": "VEHICLE_PROBLEM", "note": ""},
        )
        await wait_until(pilot, lambda: "vehicle" in _row_text(app, order["id"]))  # why, in the row
        app.orders_screen.queue.select(order["id"])
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        shown = str(app.screen.query_one(OrderDetail).render())
        assert f"Courier: {name} · stuck, cannot go on" in shown, shown
        assert "on the way to the store\n" not in shown


def test_orders_show_names_the_courier_and_says_it_went_off_duty(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    assert platform.seed is not None
    courier_id, name = _courier(platform)
    cli = Cli(tmp_path / "home", platform.seed.tokens["merchant"])
    cli("login", "--url", platform.url, "--token", cli.token)
    order, delivery_id = _accepted(platform, courier_id)
    _picked_up(platform, courier_id, order, delivery_id)
    cli("sync", "--once")
    text = cli("orders", "show", order["id"]).stdout
    assert f"Courier: {name} · picked it up, on the way" in text, text
    before = cli.json("orders", "show", order["id"])
    _off_duty(platform, courier_id)
    cli("sync", "--once")
    text = cli("orders", "show", order["id"]).stdout
    assert f"Courier: {name} · off duty with the order: nobody is coming" in text, text
    shown = cli.json("orders", "show", order["id"])
    assert shown["courier"] == {"name": name, "off_duty": True}
    assert set(before) <= set(shown)  # fields are added, never taken away
    assert json.dumps(shown["courier_id"]) == json.dumps(courier_id)

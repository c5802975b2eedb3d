"""The handheld tells the platform when the food of a refused pickup is back at the store: the order (which the
store reads) says the courier has its food once the refused pickup arrives, and stops saying it once the courier
confirms on the handheld, also when the confirmation was queued offline. Real server, real cache, a fault proxy
for the dropped link."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui.i18n import set_language
from o2o_tui.ssh_gate import GATE_ENV
from screens.courier_screens import ConfirmScreen, TaskListScreen
from tests.support.faultproxy import FaultProxy
from tests.support.platform import RunningPlatform
from tests.test_handheld_food_in_hand import numbered
from tests.test_ui_courier import (
    CountingApp,
    call,
    courier_profile,
    offer,
    open_first_task,
    open_source,
    screen_text,
    server_delivery,
    server_order,
    settled,
    status_line,
    wait_until,
)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    monkeypatch.delenv(GATE_ENV, raising=False)
    set_language("en")
    yield tmp_path / "home"
    set_language(None)


async def test_food_back_queued_offline_clears_the_stores_food_with_courier(
    platform: RunningPlatform, home: Path
) -> None:
    assert platform.seed is not None
    courier_id = platform.seed.courier_ids[0]
    order = offer(platform, courier_id)
    pickup_code = server_order(platform, order["id"])["pickup_code"]
    number = f"#{order['number']:04d}"
    with FaultProxy(platform.port) as proxy:
        profile = courier_profile(platform, courier_id, url=f"http://127.0.0.1:{proxy.port}")
        app = CountingApp(open_source(profile))
        async with app.run_test(size=(40, 16)) as pilot:
            await open_first_task(pilot, app, number)
            for keys in (["1"], ["1"]):  # accept, arrived at the store
                await pilot.press(*keys)
                await settled(pilot)
            await wait_until(
                pilot, lambda: server_delivery(platform, order["id"])["status"] == "ARRIVED_AT_MERCHANT"
            )
            await wait_until(pilot, lambda: numbered(app)[:1] == ["1 Picked up (code)"])
            proxy.drop()
            await wait_until(pilot, lambda: status_line(app).startswith("OFFLINE"))
            await settled(pilot)
            await pilot.press("1", *pickup_code, "enter")
            await wait_until(pilot, lambda: "(queued)" in screen_text(app))
            call(platform, "merchant", "POST", f"/v1/orders/{order['id']}/cancel", {"reason_code": "OTHER"})
            assert server_order(platform, order["id"]).get("food_with_courier") is None
            proxy.pass_through()
            await wait_until(pilot, lambda: "Food is back at the store" in screen_text(app), 30)
            food = server_order(platform, order["id"])["food_with_courier"]
            assert food["courier_id"] == courier_id  # the store knows who has the bag
            await settled(pilot)

            proxy.drop()  # confirmed offline: queued, sent when the link is back
            await wait_until(pilot, lambda: status_line(app).startswith("OFFLINE"))
            await settled(pilot)
            await pilot.press("1")
            assert isinstance(app.screen, ConfirmScreen)
            await settled(pilot)
            await pilot.press("1")  # yes, it is back
            await wait_until(pilot, lambda: isinstance(app.screen, TaskListScreen))
            assert server_order(platform, order["id"])["food_with_courier"] is not None
            proxy.pass_through()
            await wait_until(
                pilot, lambda: server_order(platform, order["id"]).get("food_with_courier") is None, 30
            )

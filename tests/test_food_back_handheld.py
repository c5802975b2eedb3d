"""The handheld tells the platform when the food of a refused pickup is back at the store: the order (which the
store reads) says the courier has its food once the refused pickup arrives, and stops saying it once the courier
confirms on the handheld, also when the confirmation was queued offline. Real server, real cache, a fault proxy
for the dropped link."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from screens.courier_screens import ConfirmScreen, TaskListScreen
from tests.support.faultproxy import FaultProxy
from tests.support.handheld import (
    drop_link,
    first_courier_id,
    handheld_home,
    offer_with_code,
    pick_up_offline,
    proxied_profile,
)
from tests.support.platform import RunningPlatform
from tests.test_ui_courier import (
    CountingApp,
    call,
    open_source,
    screen_text,
    server_order,
    settled,
    wait_until,
)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield from handheld_home(tmp_path, monkeypatch, clear_ssh_gate=True)


async def test_food_back_queued_offline_clears_the_stores_food_with_courier(
    platform: RunningPlatform, home: Path
) -> None:
    courier_id = first_courier_id(platform)
    order, number, pickup_code = offer_with_code(platform, courier_id)
    with FaultProxy(platform.port) as proxy:
        app = CountingApp(open_source(proxied_profile(platform, courier_id, proxy)))
        async with app.run_test(size=(40, 16)) as pilot:
            await pick_up_offline(pilot, app, platform, proxy, order["id"], number, pickup_code)
            call(platform, "merchant", "POST", f"/v1/orders/{order['id']}/cancel", {"reason_code": "OTHER"})
            assert server_order(platform, order["id"]).get("food_with_courier") is None
            proxy.pass_through()
            await wait_until(pilot, lambda: "Food is back at the store" in screen_text(app), 30)
            food = server_order(platform, order["id"])["food_with_courier"]
            assert food["courier_id"] == courier_id  # the store knows who has the bag
            await settled(pilot)

            await drop_link(pilot, app, proxy)  # confirmed offline: queued, sent when the link is back
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

"""The console's `r` on a new order and `h` on an order only accepted are refused before anything is queued, with
the step to do first, in the words `o2o orders ready` / `o2o orders handoff` say (`sync.explain.too_early`): no
code dialog, nothing in the outbox, no conflict, the platform's order unchanged. The simple screen's 2 says the
same. Real server, real cache, the console's own sync engine."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.launch import open_source
from screens.orders_screen import OrdersScreen
from screens.simple_screen import SimpleScreen
from tests.support.platform import RunningPlatform, api, order_body
from tests.test_ui_live import wait_until


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


class SayingApp(MerchantApp):
    def bell(self) -> None:
        pass

    def say(self, message: str, *, severity: str = "information", timeout: float = 5) -> None:
        self.said = [*getattr(self, "said", []), message]
        super().say(message, severity=severity, timeout=timeout)


def _order(platform: RunningPlatform, order_type: str, *, accept: bool) -> dict[str, Any]:
    assert platform.seed is not None
    customer, merchant = api(platform, "customer"), api(platform, "merchant")
    order: dict[str, Any] = customer.post("/v1/orders", order_body(platform.seed.store_id, order_type)).json()
    if accept:
        answer = merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 5})
        assert answer.status_code == 200, answer.text
    return order


def _status(platform: RunningPlatform, order_id: str) -> str:
    return str(api(platform, "merchant").get(f"/v1/orders/{order_id}").json()["status"])


async def test_r_on_a_new_order_and_h_on_an_accepted_one_say_the_step_first_and_queue_nothing(
    platform: RunningPlatform, profile: Profile
) -> None:
    new = await asyncio.to_thread(_order, platform, "DELIVERY", accept=False)
    takeout = await asyncio.to_thread(_order, platform, "TAKEOUT", accept=True)
    app = SayingApp(open_source(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        queue = app.orders_screen.queue
        await wait_until(
            pilot, lambda: queue.entry(new["id"]) is not None and queue.entry(takeout["id"]) is not None
        )
        await wait_until(pilot, lambda: app.source.link().state.value == "ONLINE")

        queue.select(new["id"])
        await pilot.press("r")
        await wait_until(pilot, lambda: bool(getattr(app, "said", [])))
        ready_said = (
            f"Order #{new['number']:04d} is still NEW: accept it first, then mark ready. Nothing was sent."
        )
        assert app.said == [ready_said]

        queue.select(takeout["id"])
        await pilot.press("h")
        await wait_until(pilot, lambda: len(app.said) == 2)
        assert app.said[-1] == (
            f"Order #{takeout['number']:04d} is still ACCEPTED: mark it ready first, then hand it over. "
            "Nothing was sent."
        )
        assert isinstance(app.screen, OrdersScreen)  # no pickup-code dialog for an order not ready
        await pilot.pause(0.3)
        assert app.source.link().pending == 0
        assert app.source.conflicts() == []
    statuses = [await asyncio.to_thread(_status, platform, o["id"]) for o in (new, takeout)]
    assert statuses == ["CREATED", "CONFIRMED"]


async def test_the_simple_screens_two_on_a_new_order_says_the_same(
    platform: RunningPlatform, profile: Profile
) -> None:
    new = await asyncio.to_thread(_order, platform, "TAKEOUT", accept=False)
    app = SayingApp(open_source(profile), simple=True)
    async with app.run_test(size=(40, 15)) as pilot:
        screen = app.screen
        assert isinstance(screen, SimpleScreen)
        await wait_until(pilot, lambda: any(e.order.id == new["id"] for e in screen.live()))
        screen.cursor_id = new["id"]
        await pilot.press("2")
        await wait_until(pilot, lambda: bool(getattr(app, "said", [])))
        assert app.said[-1] == (
            f"Order #{new['number']:04d} is still NEW: accept it first, then mark ready. Nothing was sent."
        )
        await pilot.pause(0.3)
        assert app.source.link().pending == 0
    assert await asyncio.to_thread(_status, platform, new["id"]) == "CREATED"

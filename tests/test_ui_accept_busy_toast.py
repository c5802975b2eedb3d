"""The console's accept (`a`, Enter) while the store is busy says the minutes the promise really is away, and that
busy added its own: "Ready in 25 min: 15 to prepare + 10 because the store is busy." (the platform adds the
store's extra minutes to the minutes typed). The real platform on loopback, the console's own cache."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.launch import open_source
from tests.support.deep_variants import ENGLISH_HERE_CHINESE_DEEP
from tests.support.platform import RunningPlatform, api, order_body, start_platform
from tests.test_ui_live import wait_until


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[RunningPlatform]:
    running = start_platform(tmp_path / "platform")
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(params=ENGLISH_HERE_CHINESE_DEEP)
def profile(
    request: pytest.FixtureRequest, platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Profile]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    set_language(request.param)
    seed = platform.seed
    assert seed is not None
    yield save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )
    set_language(None)


def _as_merchant(platform: RunningPlatform, method: str, path: str, body: Any = None) -> Any:
    merchant = api(platform, "merchant")
    try:
        answer = getattr(merchant, method)(path, body) if body is not None else getattr(merchant, method)(path)
        assert answer.status_code in (200, 201), answer.text
        return answer.json()
    finally:
        merchant.close()


def _place(platform: RunningPlatform) -> Any:
    assert platform.seed is not None
    customer = api(platform, "customer")
    try:
        answer = customer.post("/v1/orders", order_body(platform.seed.store_id, "TAKEOUT"))
        assert answer.status_code == 201, answer.text
        return answer.json()
    finally:
        customer.close()


async def test_accept_while_busy_says_the_whole_promise(platform: RunningPlatform, profile: Profile) -> None:
    assert platform.seed is not None
    store = f"/v1/stores/{platform.seed.store_id}"
    _as_merchant(platform, "put", f"{store}/status", {"state": "BUSY", "extra_minutes": 10})
    app = MerchantApp(open_source(profile))
    said: list[str] = []
    shown = app.say

    def say(message: str, **kwargs: Any) -> None:
        said.append(message)
        shown(message, **kwargs)

    app.say = say  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.source.link().state.value == "ONLINE" and app.source.store() is not None)
        placed = await asyncio.to_thread(_place, platform)
        await wait_until(pilot, lambda: app.source.order(placed["id"]) is not None)
        prep = app.source.store().default_prep_minutes
        app.orders_screen.queue.select(placed["id"])
        await pilot.press("a", "enter")
        busy = (
            f"Ready in {prep + 10} min: {prep} to prepare + 10 because the store is busy."
            if _english()
            else f"{prep + 10} 分钟后出餐：备餐 {prep} 分钟 + 门店繁忙加 10 分钟。"
        )
        await wait_until(pilot, lambda: any(busy in message for message in said))
        order = await asyncio.to_thread(_as_merchant, platform, "get", f"/v1/orders/{placed['id']}")
        from datetime import datetime

        away = datetime.fromisoformat(order["promised_ready_at"]) - datetime.fromisoformat(order["confirmed_at"])
        assert away == timedelta(minutes=prep + 10)  # what the toast says is the promise


def _english() -> bool:
    from o2o_tui.i18n import current_language

    return current_language() == "en"

"""`v` on the real platform: a refusal the field answers in large text is not listed again under `!`, and a
takeout's pickup code whose order the cache knows is still accepted is refused at once with the fix (mark it
ready first), nothing queued, rather than by the platform later as "it comes later" under `!`."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Label

from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.launch import open_source
from screens.redeem_screen import RedeemScreen
from tests.support.platform import RunningPlatform, api, order_body
from tests.test_ui_live import wait_until


@pytest.fixture
def profile(
    shared_platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Profile]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    set_language("en")
    seed = shared_platform.seed
    assert seed is not None
    yield save_profile(
        "counter", url=shared_platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )
    set_language(None)


def _accepted_takeout(platform: RunningPlatform) -> dict[str, Any]:
    assert platform.seed is not None
    customer, merchant = api(platform, "customer"), api(platform, "merchant")
    order: dict[str, Any] = customer.post("/v1/orders", order_body(platform.seed.store_id, "TAKEOUT")).json()
    merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 5})
    return order


def _result(app: MerchantApp) -> str:
    return str(app.screen.query_one("#redeem-result", Label).render())


async def test_an_answered_refusal_is_not_listed_and_an_unready_pickup_is_refused_first(
    shared_platform: RunningPlatform, profile: Profile
) -> None:
    order = await asyncio.to_thread(_accepted_takeout, shared_platform)
    app = MerchantApp(open_source(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.source.link().state.value == "ONLINE")
        await wait_until(pilot, lambda: app.source.order(order["id"]) is not None)
        cached = app.source.order(order["id"])
        assert cached is not None and cached.order.status.value == "CONFIRMED"

        await pilot.press("v", *"ZZZZ9999QQQQ", "enter")  # no such voucher: answered in the field
        await wait_until(pilot, lambda: isinstance(app.screen, RedeemScreen) and "UNKNOWN" in _result(app).upper())
        await pilot.pause(0.3)
        assert app.source.conflicts() == []  # answered where it was typed: not again under `!`
        assert app.source.link().conflicts == 0

        await pilot.press(*order["pickup_code"], "enter")
        number = f"#{order['number']:04d}"
        await wait_until(pilot, lambda: "mark it ready first" in _result(app))
        assert _result(app).startswith(f"Order {number} is still ACCEPTED"), _result(app)
        assert app.screen.query_one("#redeem-result", Label).has_class("-refused")
        await pilot.pause(0.5)
        assert await app.source.queued_entries() == []  # type: ignore[attr-defined]  # nothing queued
        assert app.source.conflicts() == []
    merchant = api(shared_platform, "merchant")
    assert merchant.get(f"/v1/orders/{order['id']}").json()["status"] == "CONFIRMED"

"""The simple screen acts only on the keys it names: a stray key (a letter, a space, a digit it does not name) does
not silence a new order, it only says which keys to use (once for a run of them); moving to another order and back
leaves it ringing too; 1 accepts it, which stops the ring. Real server, real cache, the console's own sync engine."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Digits

from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.launch import open_source
from screens.simple_screen import SimpleScreen
from tests.support.platform import RunningPlatform, api, order_body
from tests.test_ui_live import wait_until

HINT = "Use the keys shown: 1, 2, 3 or ↑/↓"


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


class SimpleApp(MerchantApp):
    bells = 0

    def bell(self) -> None:
        self.bells += 1

    def say(self, message: str, *, severity: str = "information", timeout: float = 5) -> None:
        self.said = [*getattr(self, "said", []), message]
        super().say(message, severity=severity, timeout=timeout)


def _place(platform: RunningPlatform) -> dict[str, Any]:
    assert platform.seed is not None
    answer = api(platform, "customer").post("/v1/orders", order_body(platform.seed.store_id, "TAKEOUT"))
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def _status(platform: RunningPlatform, order_id: str) -> str:
    return str(api(platform, "merchant").get(f"/v1/orders/{order_id}").json()["status"])


async def test_stray_keys_leave_a_new_order_ringing_and_one_answers_it(
    platform: RunningPlatform, profile: Profile
) -> None:
    first = await asyncio.to_thread(_place, platform)
    second = await asyncio.to_thread(_place, platform)
    app = SimpleApp(open_source(profile), simple=True)
    async with app.run_test(size=(40, 15)) as pilot:
        screen = app.screen
        assert isinstance(screen, SimpleScreen)
        await wait_until(pilot, lambda: {first["id"], second["id"]} <= {e.order.id for e in screen.live()})
        # new orders first, the oldest on top
        await wait_until(pilot, lambda: screen.cursor_id == first["id"])
        number = screen.query_one("#simple-number", Digits)

        def ringing() -> bool:
            return first["id"] in screen.alerts.alerting and number.has_class("-alerting")

        assert ringing() and app.bells >= 1

        await pilot.press("x", "a", "space", "5", "s", "enter", "f5")  # none of them is named on the screen
        await pilot.pause()
        assert ringing(), "a stray key silenced a new order"
        assert getattr(app, "said", []) == [HINT]  # one hint for the run of stray keys
        assert screen.cursor_id == first["id"]

        await pilot.press("down", "up")  # moving to another order and back does not answer this one
        await pilot.pause()
        assert screen.cursor_id == first["id"] and ringing()
        assert second["id"] in screen.alerts.alerting

        await pilot.press("1")  # named: accepts it with the store's default, and the ring stops
        await wait_until(pilot, lambda: first["id"] not in screen.alerts.alerting)
        assert not number.has_class("-alerting") or screen.cursor_id != first["id"]
        await wait_until(pilot, lambda: _status(platform, first["id"]) == "CONFIRMED")
        assert second["id"] in screen.alerts.alerting  # the other new order still rings
    assert await asyncio.to_thread(_status, platform, second["id"]) == "CREATED"

"""Against the real platform with a 2-second accept timeout: an order nobody answers is not lost from view. It
moves under Done with "No answer in time", and the counter gets a toast."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.launch import open_source
from tests.support.platform import RunningPlatform, api, order_body, start_platform
from tests.test_ui_live import wait_until


@pytest.fixture
def quick_timeout(tmp_path: Path) -> Iterator[RunningPlatform]:
    running = start_platform(
        tmp_path, env={"O2O_ACCEPT_TIMEOUT_SECONDS": "2", "O2O_JOB_INTERVAL_SECONDS": "0.2"}
    )
    try:
        yield running
    finally:
        running.stop()


class SayingApp(MerchantApp):
    said: list[str]

    def say(self, message: str, *, severity: str = "information", timeout: float = 5) -> None:
        self.said = [*getattr(self, "said", []), message]
        super().say(message, severity=severity, timeout=timeout)

    def bell(self) -> None:
        pass


def _screen_text(app: MerchantApp) -> str:
    return "\n".join("".join(s.text for s in strip) for strip in app.screen._compositor.render_strips())


async def test_a_timed_out_order_stays_under_done_with_the_reason_and_a_toast(
    quick_timeout: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    set_language("en")
    seed = quick_timeout.seed
    assert seed is not None
    profile: Profile = save_profile(
        "counter",
        url=quick_timeout.url,
        token=seed.tokens["merchant"],
        role="merchant",
        store_id=seed.store_id,
    )
    app = SayingApp(open_source(profile))
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: app.source.link().state.value == "ONLINE")
            customer = api(quick_timeout, "customer")
            try:
                placed = (
                    await asyncio.to_thread(customer.post, "/v1/orders", order_body(seed.store_id))
                ).json()
            finally:
                customer.close()
            queue = app.orders_screen.queue
            await wait_until(pilot, lambda: placed["id"] in queue.order_ids)  # live first
            await wait_until(pilot, lambda: placed["id"] not in queue.order_ids)  # then it times out ...
            assert queue.entry(placed["id"]) is not None  # ... and stays, under Done
            line = next(line for line in _screen_text(app).splitlines() if f"#{placed['number']:04d}" in line)
            assert "No answer in time" in line
            # the toast is a message posted up to the app: it may land a moment after the rows
            await wait_until(
                pilot, lambda: any("no answer in time" in message for message in getattr(app, "said", []))
            )
    finally:
        set_language(None)

"""The counter's and the handheld's code fields and the chase dialog's minutes, typed with a Chinese input method
(full-width digits, one key each, as a terminal reads an IME's text), against the real platform (the sync engine,
a real cache in tmp_path, loopback HTTP), in Chinese: the `v` field, simple mode's code field and the handheld's
pickup code field show and send "1234" for "１２３４" (a plain field with an ASCII restrict dropped them), the
chase dialog's "１５" is 15 on screen and on the platform; and a pickup code scanned again at `v` after its takeout
was handed over is said as done, sent nowhere (as a voucher it was a wrong code, counted toward the lock)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from textual.widgets import Input, Label

from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language
from o2o_tui.platform import db
from screens.app import MerchantApp
from screens.chase_dialog import ChaseReplyDialog
from screens.courier_screens import CodeScreen, TaskScreen
from screens.launch import open_source
from screens.redeem_screen import RedeemScreen
from screens.simple_screen import SimpleScreen
from tests import test_ui_courier as handheld
from tests.support.platform import RunningPlatform, api, order_body
from tests.test_ui_ime_fields import _key_in
from tests.test_ui_live import wait_until


@pytest.fixture
def profile(platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Profile]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    set_language("zh")
    seed = platform.seed
    assert seed is not None
    yield save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )
    set_language(None)


def full_width(text: str) -> str:
    """"1234" as a Chinese input method in Chinese mode types it: "１２３４"."""
    return "".join(chr(ord(character) + 0xFEE0) for character in text)


def _post(platform: RunningPlatform, role: str, path: str, body: object) -> dict[str, Any]:
    client = api(platform, role)
    try:
        answer = client.post(path, body)
        assert answer.status_code < 300, answer.text
        return dict(answer.json())
    finally:
        client.close()


def _order(platform: RunningPlatform, order_id: str) -> dict[str, Any]:
    client = api(platform, "merchant")
    try:
        return dict(client.get(f"/v1/orders/{order_id}").json())
    finally:
        client.close()


def _ready_takeout(platform: RunningPlatform) -> dict[str, Any]:
    assert platform.seed is not None
    order = _post(platform, "customer", "/v1/orders", order_body(platform.seed.store_id, "TAKEOUT"))
    _post(platform, "merchant", f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 5})
    _post(platform, "merchant", f"/v1/orders/{order['id']}/ready", {})
    return order


def _wrong_tries(platform: RunningPlatform) -> list[tuple[str, str, int]]:
    """Every code's wrong tries the platform counted: (subject, whose, how many)."""
    engine = db.open_database(platform.db_url)
    try:
        with engine.connect() as conn:
            table = db.code_attempts
            rows = conn.execute(select(table.c.subject, table.c.subject_id, table.c.failures)).all()
    finally:
        engine.dispose()
    return [(str(subject), str(whose), int(failures)) for subject, whose, failures in rows]


def _result(app: MerchantApp) -> str:
    return str(app.screen.query_one("#redeem-result", Label).render())


async def test_v_takes_a_full_width_pickup_code_and_a_second_scan_is_said_as_handed_over(
    platform: RunningPlatform, profile: Profile
) -> None:
    order = await asyncio.to_thread(_ready_takeout, platform)
    code, number = order["pickup_code"], f"#{order['number']:04d}"
    app = MerchantApp(open_source(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.source.link().state.value == "ONLINE")
        await wait_until(pilot, lambda: app.source.order(order["id"]) is not None)
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, RedeemScreen))
        field = app.screen.query_one("#answer", Input)
        await _key_in(pilot, field, full_width(code))
        assert field.value == code  # shown as the ASCII it stands for, none dropped
        await pilot.press("enter")
        await wait_until(pilot, lambda: f"{number} 已交付" in _result(app))
        await wait_until(pilot, lambda: _order(platform, order["id"])["status"] == "DELIVERED")
        await wait_until(pilot, lambda: app.source.link().pending == 0)

        # the customer shows the code again: said as done at the store's clock, nothing sent
        await _key_in(pilot, field, full_width(code))
        await pilot.press("enter")
        await wait_until(pilot, lambda: "交付，未重复发送" in _result(app))
        shanghai = datetime.now(ZoneInfo("Asia/Shanghai"))  # handed over moments ago, on the store's clock
        said = {f"{number} 已于 {(shanghai - timedelta(minutes=back)):%H:%M} 交付，未重复发送。" for back in (0, 1)}
        assert _result(app) in said, _result(app)
        assert app.screen.query_one("#redeem-result", Label).has_class("-refused")
        assert field.value == ""  # ready for the next code
        await pilot.pause(0.5)
        assert app.source.link().pending == 0 and app.source.conflicts() == []
    assert await asyncio.to_thread(_wrong_tries, platform) == []  # not a wrong voucher code for the lock


async def test_simple_mode_code_field_takes_a_full_width_pickup_code(
    platform: RunningPlatform, profile: Profile
) -> None:
    order = await asyncio.to_thread(_ready_takeout, platform)
    app = MerchantApp(open_source(profile), simple=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, SimpleScreen)
        await wait_until(pilot, lambda: any(e.order.id == order["id"] for e in screen.live()))
        screen.cursor_id = order["id"]
        await pilot.press("3")
        field = screen.query_one("#simple-code-field", Input)
        await wait_until(pilot, lambda: app.focused is field)
        await _key_in(pilot, field, full_width(order["pickup_code"]))
        assert field.value == order["pickup_code"]
        await pilot.press("enter")
        await wait_until(pilot, lambda: _order(platform, order["id"])["status"] == "DELIVERED")


async def test_chase_minutes_typed_full_width_are_shown_and_sent_as_ascii(
    platform: RunningPlatform, profile: Profile
) -> None:
    assert platform.seed is not None
    order = await asyncio.to_thread(
        _post, platform, "customer", "/v1/orders", order_body(platform.seed.store_id, "TAKEOUT")
    )
    path = f"/v1/orders/{order['id']}"
    await asyncio.to_thread(_post, platform, "merchant", path + "/confirm", {"preparation_minutes": 30})
    await asyncio.to_thread(_post, platform, "customer", path + "/chase", {"note": "好了吗"})
    app = MerchantApp(open_source(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        queue = app.orders_screen.queue
        await wait_until(
            pilot,
            lambda: any(r.entry.order.id == order["id"] and r.entry.order.chases for r in queue.row_views()),
        )
        queue.select(order["id"])
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, ChaseReplyDialog))
        await pilot.press("1")  # being prepared: the minutes field
        minutes = app.screen.query_one("#minutes", Input)
        await wait_until(pilot, lambda: app.focused is minutes)
        await _key_in(pilot, minutes, "１５")
        assert minutes.value == "15"
        await pilot.press("enter")

        def answered() -> dict[str, Any]:
            return dict(_order(platform, order["id"])["chases"][0])

        await wait_until(pilot, lambda: answered().get("reply") == "PREPARING")
        assert answered()["minutes"] == 15


async def test_handheld_pickup_code_typed_full_width(platform: RunningPlatform, home: Path) -> None:
    assert platform.seed is not None
    courier_id = platform.seed.courier_ids[0]
    set_language("zh")
    order = handheld.offer(platform, courier_id)
    pickup_code = handheld.server_order(platform, order["id"])["pickup_code"]
    number = f"#{order['number']:04d}"
    app = handheld.CountingApp(handheld.open_source(handheld.courier_profile(platform, courier_id)))
    async with app.run_test(size=(40, 16)) as pilot:
        await wait_until(pilot, lambda: number in handheld.screen_text(app))
        await pilot.press("1")  # the offer
        assert isinstance(app.screen, TaskScreen)
        await handheld.settled(pilot)
        await pilot.press("1")  # accept
        await wait_until(pilot, lambda: handheld.server_delivery(platform, order["id"])["status"] == "ACCEPTED")
        await handheld.settled(pilot)
        await pilot.press("1")  # arrived at the store
        await wait_until(
            pilot, lambda: handheld.server_delivery(platform, order["id"])["status"] == "ARRIVED_AT_MERCHANT"
        )
        await handheld.settled(pilot)
        await pilot.press("1")  # picked up: the code
        assert isinstance(app.screen, CodeScreen)
        field = app.screen.query_one("#code", Input)
        await _key_in(pilot, field, full_width(pickup_code))
        assert field.value == pickup_code
        await pilot.press("enter")
        await wait_until(
            pilot, lambda: handheld.server_delivery(platform, order["id"])["status"] == "PICKED_UP"
        )


home = handheld.home  # the handheld's O2O_HOME fixture

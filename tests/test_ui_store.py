"""The store screen (`s`) and the queue's sold-out line against the real platform: the sync engine, a real cache in
tmp_path, loopback HTTP. Keys are pressed as a person would; the server is asked what it now holds."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language
from o2o_tui.store_effect import at_text
from screens.app import MerchantApp
from screens.launch import open_source
from screens.store_screen import StoreScreen, TextPrompt
from screens.widgets.queue_header import QueueHeader
from tests.support.platform import RunningPlatform, api, order_body, start_platform
from tests.test_ui_live import wait_until


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    """One server for the module (each test puts the store back as it found it: see `profile`)."""
    running = start_platform(tmp_path_factory.mktemp("platform"))
    try:
        yield running
    finally:
        running.stop()


def _put_back(platform: RunningPlatform) -> None:
    """The seeded store again: open, no opening hours, its dish on sale."""
    assert platform.seed is not None
    store = f"/v1/stores/{platform.seed.store_id}"
    merchant = api(platform, "merchant")
    try:
        assert merchant.put(f"{store}/status", {"state": "ONLINE"}).status_code == 200
        assert merchant.put(f"{store}/hours", {}).status_code == 200
        item = {"status": "AVAILABLE", "clear_snooze": True}
        assert merchant.patch(f"{store}/menu/items/kung-pao-chicken", item).status_code == 200
    finally:
        merchant.close()


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
    _put_back(platform)


def _get(platform: RunningPlatform, path: str) -> Any:
    merchant = api(platform, "merchant")
    try:
        answer = merchant.get(path)
        assert answer.status_code == 200, answer.text
        return answer.json()
    finally:
        merchant.close()


def _server_store(platform: RunningPlatform) -> Any:
    assert platform.seed is not None
    return _get(platform, f"/v1/stores/{platform.seed.store_id}")


def _text(app: MerchantApp, selector: str) -> str:
    widget = app.screen.query_one(selector, Static)
    content = widget.visual
    return content.plain if isinstance(content, Content) else str(content)


async def _type(pilot: Pilot, text: str) -> None:
    """Into the open prompt: what is in its field is replaced by `text`, then Enter."""
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, TextPrompt))
    pilot.app.screen.query_one("#answer").value = ""
    await pilot.press(*text, "enter")


async def _open_store_screen(pilot: Pilot, app: MerchantApp) -> None:
    await wait_until(
        pilot, lambda: app.source.link().state.value == "ONLINE" and app.source.store() is not None
    )
    await pilot.press("s")
    await wait_until(pilot, lambda: isinstance(app.screen, StoreScreen))


async def test_pause_for_30_minutes_with_a_reason_then_open_again(
    platform: RunningPlatform, profile: Profile
) -> None:
    app = MerchantApp(open_source(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_store_screen(pilot, app)
        assert _text(app, "#store-effect") == "Open, taking orders"
        asked_at = datetime.now(UTC)
        await pilot.press("p")
        await _type(pilot, "30")
        await _type(pilot, "restocking")

        def paused() -> bool:
            return _server_store(platform)["status"]["state"] == "PAUSED"

        await wait_until(pilot, paused)
        status = _server_store(platform)["status"]
        until = datetime.fromisoformat(status["until"])
        assert abs(until - (asked_at + timedelta(minutes=30))) < timedelta(minutes=1)
        assert status["reason"] == "restocking"
        zone = ZoneInfo(_server_store(platform)["timezone"])
        # "until 14:30" today, "until tomorrow 00:10" when the half hour crosses the store's midnight
        await wait_until(pilot, lambda: _text(app, "#store-effect") == (
            f"Closed until {at_text(until, zone, datetime.now(UTC))} (paused), orders refused (restocking)"
        ))

        await pilot.press("o")
        await wait_until(pilot, lambda: _server_store(platform)["status"]["state"] == "ONLINE")
        await wait_until(pilot, lambda: _text(app, "#store-effect") == "Open, taking orders")
        await pilot.press("escape")
        assert app.screen is app.orders_screen


async def test_hours_set_on_the_screen_refuse_a_new_order_outside_them(
    platform: RunningPlatform, profile: Profile
) -> None:
    assert platform.seed is not None
    app = MerchantApp(open_source(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_store_screen(pilot, app)
        zone = ZoneInfo(_server_store(platform)["timezone"])
        local = datetime.now(UTC).astimezone(zone)
        hours = app.screen.query_one("#hours", OptionList)
        hours.highlighted = local.weekday()  # today's row
        start = (local.hour + 12) % 24  # a range half a day away: closed now
        await pilot.press("enter")
        await _type(pilot, f"{start:02d}:00-{start:02d}:30")
        today = {"weekday": local.weekday(), "opens": f"{start:02d}:00", "closes": f"{start:02d}:30"}
        whole_days = [{"weekday": d, "opens": "00:00", "closes": "00:00"} for d in range(7)]  # the rest stay open
        expected = [today if d["weekday"] == today["weekday"] else d for d in whole_days]
        await wait_until(pilot, lambda: _server_store(platform)["opening_hours"] == expected)
        await wait_until(pilot, lambda: "(opening hours), orders refused" in _text(app, "#store-effect"))

        customer = api(platform, "customer")
        try:
            refused = await asyncio.to_thread(customer.post, "/v1/orders", order_body(platform.seed.store_id))
        finally:
            customer.close()
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "store_unavailable"

        # a holiday on the screen: `n`, the date, no hours (closed all day), a note; then `x` removes it
        await pilot.press("n")
        holiday_date = (local + timedelta(days=30)).date().isoformat()  # always ahead: a past date is refused
        await _type(pilot, holiday_date)
        await _type(pilot, "")
        await _type(pilot, "Christmas")
        holiday = [{"date": holiday_date, "hours": [], "note": "Christmas"}]
        await wait_until(pilot, lambda: _server_store(platform)["hours_exceptions"] == holiday)
        await wait_until(pilot, lambda: hours.option_count == 8)
        hours.highlighted = 7
        await pilot.press("x")
        await wait_until(pilot, lambda: _server_store(platform)["hours_exceptions"] == [])


async def test_the_queue_shows_an_item_sold_out_elsewhere(
    platform: RunningPlatform, profile: Profile
) -> None:
    """Another device snoozes an item: the queue's header names it, with its end in store time."""
    assert platform.seed is not None
    app = MerchantApp(open_source(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(
            pilot, lambda: app.source.link().state.value == "ONLINE" and app.source.menu() is not None
        )
        header = app.orders_screen.query_one(QueueHeader)
        assert not header.has_class("-sold-out")
        until = (datetime.now(UTC) + timedelta(hours=1)).replace(second=0, microsecond=0)
        merchant = api(platform, "merchant")
        try:
            path = f"/v1/stores/{platform.seed.store_id}/menu/items/kung-pao-chicken"
            answer = await asyncio.to_thread(merchant.patch, path, {"snooze_until": until.isoformat()})
            assert answer.status_code == 200, answer.text
        finally:
            merchant.close()
        await wait_until(pilot, lambda: header.has_class("-sold-out"))
        zone = ZoneInfo(_server_store(platform)["timezone"])
        before = datetime.now(UTC)
        line = header.render().plain.splitlines()[0]
        # "until 14:30" today, "until tomorrow 00:30" when the hour ahead crosses the store's midnight
        shown = {f"until {at_text(until, zone, moment)}" for moment in (before, datetime.now(UTC))}
        assert line.startswith("Sold out (1): ") and any(text in line for text in shown), line


async def test_without_the_offline_cache_busy_is_sent_and_the_menu_is_read(
    platform: RunningPlatform, profile: Profile
) -> None:
    """The client-backed source (no sync engine): a store change goes through it; its menu feeds the sold-out line."""
    assert platform.seed is not None
    merchant = api(platform, "merchant")
    try:
        path = f"/v1/stores/{platform.seed.store_id}/menu/items/kung-pao-chicken"
        assert merchant.patch(path, {"status": "UNAVAILABLE"}).status_code == 200
    finally:
        merchant.close()
    app = MerchantApp(open_source(profile, offline_cache=False))
    async with app.run_test(size=(40, 15)) as pilot:
        header = app.orders_screen.query_one(QueueHeader)
        await wait_until(pilot, lambda: header.has_class("-sold-out"))
        assert header.render().plain.startswith("Unavailable (1): ")  # off until put back: not "sold out"
        await _open_store_screen(pilot, app)
        await pilot.press("b")
        await pilot.press("enter")  # the default: 15 minutes
        await wait_until(pilot, lambda: _text(app, "#store-effect") == "Busy: +15 min on every order")
        status = _server_store(platform)["status"]
        assert (status["state"], status["extra_minutes"]) == ("BUSY", 15)


async def test_a_change_of_the_source_while_the_store_screen_is_pushed_waits_for_its_widgets(
    platform: RunningPlatform, profile: Profile
) -> None:
    """Every change of the source makes the auto-accept station show the store screen anew when it is in front; one
    that came between `s` pushing the screen and its widgets being there crashed the console (CI, 40x15: "No nodes
    match StatusBar"). Now that refresh waits for the screen's own first showing."""
    app = MerchantApp(open_source(profile))
    async with app.run_test(size=(40, 15)) as pilot:
        await wait_until(
            pilot, lambda: app.source.link().state.value == "ONLINE" and app.source.store() is not None
        )
        screen = StoreScreen()
        mounted = app.push_screen(screen)
        assert app.screen is screen and not screen.query("StatusBar")  # in front, its widgets not there yet
        screen.refresh_store()  # as the station's `follow` does on a change of the source now
        await mounted
        await wait_until(pilot, lambda: _text(app, "#store-effect") == "Open, taking orders")
        from screens.detail_screen import DetailScreen

        detail = DetailScreen("ord_not_cached")  # the order's screen, refreshed by the app the same way
        shown = app.push_screen(detail)
        detail.refresh_order()
        await shown
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))

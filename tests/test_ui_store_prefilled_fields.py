"""The store screen's fields that start with something in them, typed into as a person does (no clearing first):
a holiday's date starts empty with today as its placeholder (Enter alone takes today), so "2099-12-25" typed is
the date saved, and the next step names it in words ("Fri 25 Dec") before anything is saved; a day's hours start
selected, so what is typed replaces them. Against the real platform: loopback HTTP, a real cache in tmp_path."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Input, Label, OptionList

from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.launch import open_source
from screens.store_screen import StoreScreen, TextPrompt
from tests.support.deep_variants import ENGLISH_HERE_CHINESE_DEEP
from tests.support.platform import RunningPlatform, api, start_platform
from tests.test_ui_live import wait_until


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    running = start_platform(tmp_path_factory.mktemp("platform"))
    try:
        yield running
    finally:
        running.stop()


def _store_path(platform: RunningPlatform) -> str:
    assert platform.seed is not None
    return f"/v1/stores/{platform.seed.store_id}"


def _server_store(platform: RunningPlatform) -> Any:
    merchant = api(platform, "merchant")
    try:
        answer = merchant.get(_store_path(platform))
        assert answer.status_code == 200, answer.text
        return answer.json()
    finally:
        merchant.close()


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
    merchant = api(platform, "merchant")
    try:
        assert merchant.put(f"{_store_path(platform)}/hours", {}).status_code == 200
    finally:
        merchant.close()


async def _open_store_screen(pilot: Pilot, app: MerchantApp) -> None:
    await wait_until(pilot, lambda: app.source.link().state.value == "ONLINE" and app.source.store() is not None)
    await pilot.press("s")
    await wait_until(pilot, lambda: isinstance(app.screen, StoreScreen))


async def _prompt(pilot: Pilot, app: MerchantApp, after: object = None) -> TextPrompt:
    await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt) and app.screen is not after)
    assert isinstance(app.screen, TextPrompt)
    return app.screen


def _title(prompt: TextPrompt) -> str:
    visual = prompt.query_one(".title", Label).visual
    return visual.plain if isinstance(visual, Content) else str(visual)


def _store_today(platform: RunningPlatform) -> date:
    return datetime.now(UTC).astimezone(ZoneInfo(_server_store(platform)["timezone"])).date()


async def test_a_typed_holiday_date_is_the_one_saved_and_is_named_in_words(
    platform: RunningPlatform, profile: Profile
) -> None:
    christmas = date(2099, 12, 25)  # a Friday
    app = MerchantApp(open_source(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_store_screen(pilot, app)
        await pilot.press("n")
        prompt = await _prompt(pilot, app)
        field = prompt.query_one("#answer", Input)
        assert field.value == ""  # today is the placeholder, not a value the typing lands behind
        assert field.placeholder == _store_today(platform).isoformat()
        await pilot.press(*christmas.isoformat())
        assert field.value == "2099-12-25"
        await pilot.press("enter")
        hours_prompt = await _prompt(pilot, app, after=prompt)
        words = "Fri 25 Dec (2099-12-25)" if app_language() == "en" else "12月25日 周五（2099-12-25）"
        assert _title(hours_prompt).startswith(words)
        await pilot.press("enter")  # no hours: closed all day
        note_prompt = await _prompt(pilot, app, after=hours_prompt)
        assert _title(note_prompt).startswith(words)
        await pilot.press("enter")
        holiday = [{"date": "2099-12-25", "hours": [], "note": ""}]
        await wait_until(pilot, lambda: _server_store(platform)["hours_exceptions"] == holiday)


async def test_enter_alone_on_the_date_takes_today_and_says_so(platform: RunningPlatform, profile: Profile) -> None:
    app = MerchantApp(open_source(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_store_screen(pilot, app)
        today = _store_today(platform)
        await pilot.press("n")
        prompt = await _prompt(pilot, app)
        await pilot.press("enter")
        hours_prompt = await _prompt(pilot, app, after=prompt)
        said = "today, " if app_language() == "en" else "今天，"
        assert _title(hours_prompt).startswith(said)
        assert today.isoformat() in _title(hours_prompt)
        await pilot.press(*"10:00-12:00", "enter")
        note_prompt = await _prompt(pilot, app, after=hours_prompt)
        await pilot.press("enter")
        assert note_prompt is not None
        holiday = [{"date": today.isoformat(), "hours": [{"opens": "10:00", "closes": "12:00"}], "note": ""}]
        await wait_until(pilot, lambda: _server_store(platform)["hours_exceptions"] == holiday)


async def test_typed_hours_replace_the_shown_ones(platform: RunningPlatform, profile: Profile) -> None:
    app = MerchantApp(open_source(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_store_screen(pilot, app)
        app.screen.query_one("#hours", OptionList).highlighted = 0  # Monday: open all day, shown filled in
        await pilot.press("enter")
        prompt = await _prompt(pilot, app)
        assert prompt.query_one("#answer", Input).value  # the current hours, to keep with Enter
        await pilot.press(*"10:00-14:00", "enter")
        monday = [{"weekday": 0, "opens": "10:00", "closes": "14:00"}]

        def set_monday() -> bool:
            return [h for h in _server_store(platform)["opening_hours"] if h["weekday"] == 0] == monday

        await wait_until(pilot, set_monday)
        await wait_until(pilot, lambda: isinstance(app.screen, StoreScreen))
        # an existing holiday's hours the same way
        await pilot.press("n")
        date_prompt = await _prompt(pilot, app)
        await pilot.press(*(_store_today(platform) + timedelta(days=3)).isoformat(), "enter")
        hours_prompt = await _prompt(pilot, app, after=date_prompt)
        await pilot.press(*"09:00-10:00", "enter")
        note_prompt = await _prompt(pilot, app, after=hours_prompt)
        await pilot.press("enter")
        assert note_prompt is not None
        await wait_until(pilot, lambda: len(_server_store(platform)["hours_exceptions"]) == 1)
        await wait_until(pilot, lambda: app.screen.query_one("#hours", OptionList).option_count == 8)
        app.screen.query_one("#hours", OptionList).highlighted = 7
        await pilot.press("enter")
        again = await _prompt(pilot, app)
        assert again.query_one("#answer", Input).value == "09:00-10:00"
        await pilot.press(*"11:00-12:00", "enter")

        def changed() -> bool:
            found = _server_store(platform)["hours_exceptions"]
            return bool(found) and found[0]["hours"] == [{"opens": "11:00", "closes": "12:00"}]

        await wait_until(pilot, changed)


def app_language() -> str:
    from o2o_tui.i18n import current_language

    return current_language()

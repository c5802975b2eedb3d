"""Fields typed with a Chinese input method, against the real platform (the sync engine, a real cache in tmp_path,
loopback HTTP), in Chinese: full-width digits, "：", "．", "～" and "至" are keyed into the store screen's hours, pause
and busy fields and the menu editor's price and sold-out-until fields, show as ASCII, and reach the platform as
the times and amounts they stand for. An emptied price is asked for, never quoted empty ("不是有效价格：。")."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from textual import events
from textual.content import Content
from textual.keys import KEY_NAME_REPLACEMENTS, _character_to_key
from textual.pilot import Pilot
from textual.widgets import Input, Label, OptionList

from o2o_tui import menu_edits
from o2o_tui.config import Profile, save_profile
from o2o_tui.domain.limits import EXTRA_MINUTES_MAX
from o2o_tui.domain.menu import Item
from o2o_tui.i18n import set_language, t
from screens.app import MerchantApp
from screens.dialogs import NumberPrompt
from screens.launch import open_source
from screens.menu_editor import MenuEditorApp, MenuEditorScreen, TimePrompt
from screens.menu_form import MenuForm
from screens.menu_source import source_for_profile
from screens.menu_tree import NodeRef
from screens.store_screen import StoreScreen, TextPrompt
from tests.support.platform import RunningPlatform, api
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


def _server_item(platform: RunningPlatform, item_id: str) -> Any:
    assert platform.seed is not None
    menu = _get(platform, f"/v1/stores/{platform.seed.store_id}/menu")
    return next(i for c in menu["categories"] for i in c["items"] if i["id"] == item_id)


def _shown(label: Label) -> str:
    visual = label.visual
    return visual.plain if isinstance(visual, Content) else str(visual)


async def _key_in(pilot: Pilot[Any], field: Input, typed: str) -> None:
    """An emptied `field`, then `typed` one key at a time as Textual reads an IME's text from the terminal: each
    character its own key, named as its parser names it and carrying the character (`pilot.press("：")` would send
    "fullwidth_colon" without the character, which no terminal does)."""
    field.value = ""
    for character in typed:
        name = character if character.isalnum() else _character_to_key(character)
        pilot.app.post_message(events.Key(KEY_NAME_REPLACEMENTS.get(name, name), character))
        await pilot.pause()


async def test_store_hours_pause_and_busy_typed_with_an_ime(
    platform: RunningPlatform, profile: Profile
) -> None:
    app = MerchantApp(open_source(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(
            pilot, lambda: app.source.link().state.value == "ONLINE" and app.source.store() is not None
        )
        await pilot.press("s")
        await wait_until(pilot, lambda: isinstance(app.screen, StoreScreen))

        # Thursday's hours: full-width times, "～" and "至" between them, "，" between the ranges
        app.screen.query_one("#hours", OptionList).highlighted = 3
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt))
        field = app.screen.query_one("#answer", Input)
        await _key_in(pilot, field, "１０：００至１４：００，１７：００～２１：３０")
        assert field.value == "10:00至14:00,17:00~21:30"  # shown as the ASCII it stands for
        await pilot.press("enter")
        thursday = [
            {"weekday": 3, "opens": "10:00", "closes": "14:00"},
            {"weekday": 3, "opens": "17:00", "closes": "21:30"},
        ]

        def thursday_set() -> bool:
            return [h for h in _server_store(platform)["opening_hours"] if h["weekday"] == 3] == thursday

        await wait_until(pilot, thursday_set)

        # busy: a lone "-" is refused in words that name the lengths taken, "１５" is 15 minutes
        await wait_until(pilot, lambda: isinstance(app.screen, StoreScreen))
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, NumberPrompt))
        number = app.screen.query_one("#answer", Input)
        await _key_in(pilot, number, "-")
        await pilot.press("enter")
        assert isinstance(app.screen, NumberPrompt)
        refused = t("store.duration.error", text="-", maximum=EXTRA_MINUTES_MAX)
        assert _shown(app.screen.query_one("#error", Label)) == refused
        await _key_in(pilot, number, "１５")
        assert number.value == "15"
        await pilot.press("enter")
        await wait_until(pilot, lambda: _server_store(platform)["status"].get("extra_minutes") == 15)

        # pause for "３０" minutes, no reason
        await wait_until(pilot, lambda: isinstance(app.screen, StoreScreen))
        asked_at = datetime.now(UTC)
        await pilot.press("p")
        await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt))
        field = app.screen.query_one("#answer", Input)
        await _key_in(pilot, field, "３０")
        assert field.value == "30"
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: (
                isinstance(app.screen, TextPrompt) and app.screen.query_one("#answer", Input) is not field
            ),
        )
        await pilot.press("enter")
        await wait_until(pilot, lambda: _server_store(platform)["status"]["state"] == "PAUSED")
        until = datetime.fromisoformat(_server_store(platform)["status"]["until"])
        assert abs(until - (asked_at + timedelta(minutes=30))) < timedelta(minutes=1)


async def _editor(pilot: Pilot[Any], app: MenuEditorApp, item_id: str) -> MenuEditorScreen:
    await wait_until(pilot, lambda: isinstance(app.screen, MenuEditorScreen) and app.screen.draft is not None)
    screen = app.screen
    assert isinstance(screen, MenuEditorScreen)
    assert screen.menu_tree.select_ref(NodeRef("item", item_id, "hot-dishes"))
    await wait_until(
        pilot, lambda: screen.menu_tree.cursor_ref is not None and screen.menu_tree.cursor_ref.id == item_id
    )
    return screen


async def test_a_price_typed_in_full_width_is_kept_and_an_emptied_one_is_asked_for(
    platform: RunningPlatform, profile: Profile
) -> None:
    app = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _editor(pilot, app, "mapo-tofu")
        await pilot.press("enter")
        await pilot.pause()
        form = screen.query_one(MenuForm)
        form.focus_field("price")
        await pilot.pause()
        price = screen.query_one("#field-price", Input)
        await _key_in(pilot, price, "３９．５")
        assert price.value == "39.5"
        await pilot.press("enter")

        def draft_price() -> int | None:
            item = menu_edits.find(screen.draft.menu, "item", "mapo-tofu") if screen.draft else None
            return item.price.amount if isinstance(item, Item) else None

        await wait_until(pilot, lambda: draft_price() == 3950)

        await _key_in(pilot, price, "")
        await pilot.press("enter")
        error = screen.query_one("#error-price", Label)
        await wait_until(pilot, lambda: bool(error.display))
        assert _shown(error) == "请输入价格，例如 12.50。"
        assert draft_price() == 3950  # nothing applied


async def test_sold_out_until_a_time_typed_with_a_full_width_colon(
    platform: RunningPlatform, profile: Profile
) -> None:
    app = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        await _editor(pilot, app, "kung-pao-chicken")
        await pilot.press("o")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ChoicePrompt")
        await pilot.press("3")  # sold out until a time
        await wait_until(pilot, lambda: isinstance(app.screen, TimePrompt))
        field = app.screen.query_one("#answer", Input)
        await _key_in(pilot, field, "１４：３０")
        assert field.value == "14:30"
        asked_at = datetime.now(UTC)
        await pilot.press("enter")
        await wait_until(
            pilot, lambda: _server_item(platform, "kung-pao-chicken").get("snooze_until") is not None
        )

        local = asked_at.astimezone(ZoneInfo(_server_store(platform)["timezone"]))
        wanted = local.replace(hour=14, minute=30, second=0, microsecond=0)
        if wanted <= local:
            wanted += timedelta(days=1)
        until = datetime.fromisoformat(_server_item(platform, "kung-pao-chicken")["snooze_until"])
        assert until == wanted

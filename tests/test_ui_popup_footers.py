"""The pop-ups that are not the queue's dialogs have their own key footer too, and a click on an entry acts.

- The dispatch board's help (`?`) and courier picker (`m`, `r`) showed the board's keys under them (`a Accept
  m Assign ...`), which did nothing there: now `esc Close`, and `⏎ Choose esc Cancel`.
- The store screen's prompts (the pause's until and reason) and the menu editor's "sold out until" time showed
  only `esc Cancel`, Enter being their field's: now `⏎ OK esc Cancel`, and a click on `⏎ OK` is the field's Enter,
  also when the field has not the focus.

Against the real platform (loopback HTTP, a real cache in tmp_path) where something is sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Label, OptionList
from textual.widgets._footer import FooterKey

from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language, t
from screens.app import MerchantApp
from screens.dispatch_board import CourierPicker, DispatchApp, DispatchBoard
from screens.dispatch_help import BoardHelp
from screens.launch import open_source
from screens.menu_editor import MenuEditorApp, MenuEditorScreen, TimePrompt, source_for_profile
from screens.menu_tree import NodeRef
from screens.store_screen import StoreScreen, TextPrompt
from screens.widgets.footer import KeyFooter
from tests.support.deep_variants import ENGLISH_HERE_CHINESE_DEEP
from tests.support.platform import RunningPlatform, api
from tests.test_cli_dispatch import place_ready_orders
from tests.test_dispatch_live_samples import NOW, board_snapshot
from tests.test_ui_dispatch import MemoryFleet, courier_of, live_app
from tests.test_ui_live import wait_until

BOARD_KEYS = {"dispatch.accept", "dispatch.accept_all", "dispatch.assign", "dispatch.reassign"}


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


@pytest.fixture(params=ENGLISH_HERE_CHINESE_DEEP)
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


def _shown(app: object) -> list[str]:
    """The binding ids of the footer drawn at the bottom now: the one of the screen in front."""
    screen = app.screen  # type: ignore[attr-defined]
    footers = list(screen.query(KeyFooter))
    assert len(footers) == 1, footers
    footer = footers[0]
    assert footer.region.bottom == app.size.height, footer.region  # type: ignore[attr-defined]
    return [entry.binding_id or "" for entry in footer.layout_for()[1]]


def _drawn(app: object) -> list[str]:
    return [key.description for key in app.screen.query_one(KeyFooter).query(FooterKey)]  # type: ignore[attr-defined]


async def _settle(pilot: Pilot[Any]) -> None:
    for _ in range(3):
        await pilot.pause()


def _server_store(platform: RunningPlatform) -> dict[str, Any]:
    assert platform.seed is not None
    merchant = api(platform, "merchant")
    try:
        store: dict[str, Any] = merchant.get(f"/v1/stores/{platform.seed.store_id}").json()
        return store
    finally:
        merchant.close()


def _server_item(platform: RunningPlatform, item_id: str) -> dict[str, Any]:
    assert platform.seed is not None
    admin = api(platform, "admin")
    try:
        menu = admin.get(f"/v1/stores/{platform.seed.store_id}/menu").json()
    finally:
        admin.close()
    item: dict[str, Any] = next(i for c in menu["categories"] for i in c["items"] if i["id"] == item_id)
    return item


# -- the dispatch board ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24), (40, 15)])
async def test_the_board_help_shows_close_only_and_a_click_on_it_closes(lang: str, size: tuple[int, int]) -> None:
    app = DispatchApp(MemoryFleet(board_snapshot()), clock=lambda: NOW, poll_seconds=60)
    async with app.run_test(size=size) as pilot:
        board = app.screen
        assert isinstance(board, DispatchBoard)
        await wait_until(pilot, lambda: board.rounds >= 1)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, BoardHelp))
        await _settle(pilot)
        assert _shown(app) == ["dispatch.help.close"]
        assert _drawn(app) == [t("dispatch.board.key.close")]
        await pilot.click(FooterKey)
        await _settle(pilot)
        assert app.screen is board
        assert "dispatch.help" in _shown(app)  # the board's keys again


async def test_the_courier_picker_shows_choose_and_cancel_and_a_click_chooses(platform: RunningPlatform) -> None:
    assert platform.seed is not None
    set_language("en")
    try:
        orders = place_ready_orders(platform, [(900.0, 200.0)])
        target, chosen = orders[0], platform.seed.courier_ids[0]
        app = live_app(platform)
        async with app.run_test(size=(80, 24)) as pilot:
            board = app.screen
            assert isinstance(board, DispatchBoard)
            await wait_until(pilot, lambda: board.rounds >= 1 and not board.busy)
            board.orders_list.move_cursor(target.id)
            await pilot.press("m")
            await wait_until(pilot, lambda: isinstance(app.screen, CourierPicker))
            await _settle(pilot)
            picker = app.screen
            assert _shown(app) == ["dispatch.picker.choose", "dispatch.picker.cancel"]
            assert _drawn(app) == [t("dispatch.board.key.choose"), t("dispatch.board.key.cancel")]
            choices = picker.query_one(OptionList)
            choices.highlighted = choices.get_option_index(chosen)
            picker.set_focus(None)  # the list has not the focus: the picker's own Enter chooses
            await _settle(pilot)
            rounds = board.rounds
            await pilot.click(FooterKey)  # ⏎ Choose
            await wait_until(pilot, lambda: app.screen is board)
            await wait_until(pilot, lambda: board.rounds > rounds and not board.busy)
            assert courier_of(platform, target.id) == chosen
    finally:
        set_language(None)


async def test_the_courier_picker_s_cancel_click_closes_and_the_board_s_keys_come_back() -> None:
    set_language("en")
    try:
        app = DispatchApp(MemoryFleet(board_snapshot()), clock=lambda: NOW, poll_seconds=60)
        async with app.run_test(size=(40, 15)) as pilot:
            board = app.screen
            assert isinstance(board, DispatchBoard)
            await wait_until(pilot, lambda: board.rounds >= 1)
            board.orders_list.move_cursor("ord-0044")
            await pilot.press("m")
            await wait_until(pilot, lambda: isinstance(app.screen, CourierPicker))
            await _settle(pilot)
            shown = _shown(app)
            assert shown == ["dispatch.picker.choose", "dispatch.picker.cancel"]
            assert not BOARD_KEYS & set(shown)
            await pilot.click(app.screen.query(FooterKey)[1])  # esc Cancel
            await _settle(pilot)
            assert app.screen is board
    finally:
        set_language(None)


# -- the store screen's pause prompts --------------------------------------------------------------------------


async def test_the_pause_prompts_show_ok_and_a_click_on_it_is_the_field_s_enter(
    platform: RunningPlatform, profile: Profile
) -> None:
    app = MerchantApp(open_source(profile))
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(
                pilot, lambda: app.source.link().state.value == "ONLINE" and app.source.store() is not None
            )
            await pilot.press("s")
            await wait_until(pilot, lambda: isinstance(app.screen, StoreScreen))
            await pilot.press("p")
            await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt))
            await _settle(pilot)
            until_prompt = app.screen
            assert _shown(app) == ["dialog.ok", "dialog.cancel"]
            assert _drawn(app) == [t("ui.key.ok"), t("ui.key.cancel")]
            await pilot.press("x", "y")
            await pilot.click(FooterKey)  # ⏎ OK on a wrong time: the error, the prompt stays
            await _settle(pilot)
            assert app.screen is until_prompt
            assert str(until_prompt.query_one("#error", Label).content)
            until_prompt.query_one("#answer", Input).value = "30"
            await pilot.click(FooterKey)  # ⏎ OK: on to the reason
            await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt) and app.screen is not until_prompt)
            await _settle(pilot)
            reason_prompt = app.screen
            assert _shown(app) == ["dialog.ok", "dialog.cancel"]
            await pilot.press(*"restocking")
            reason_prompt.set_focus(None)  # the field has not the focus: the prompt's own Enter submits it
            await _settle(pilot)
            await pilot.click(FooterKey)
            await wait_until(pilot, lambda: isinstance(app.screen, StoreScreen))
            await wait_until(pilot, lambda: _server_store(platform)["status"]["state"] == "PAUSED")
            assert _server_store(platform)["status"]["reason"] == "restocking"
    finally:
        assert platform.seed is not None
        merchant = api(platform, "merchant")
        try:
            merchant.put(f"/v1/stores/{platform.seed.store_id}/status", {"state": "ONLINE"})
        finally:
            merchant.close()


# -- the menu editor's time prompt -----------------------------------------------------------------------------


async def test_the_sold_out_until_time_shows_ok_and_a_click_on_it_sends(
    platform: RunningPlatform, profile: Profile
) -> None:
    app = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, MenuEditorScreen) and app.screen.draft is not None)
        screen = app.screen
        assert isinstance(screen, MenuEditorScreen)
        ref = NodeRef("item", "kung-pao-chicken", "hot-dishes")
        assert screen.menu_tree.select_ref(ref)
        await wait_until(
            pilot, lambda: screen.menu_tree.cursor_ref is not None and screen.menu_tree.cursor_ref.id == ref.id
        )
        await pilot.press("o")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ChoicePrompt")
        await pilot.press("3")  # sold out until a time
        await wait_until(pilot, lambda: isinstance(app.screen, TimePrompt))
        await _settle(pilot)
        prompt = app.screen
        assert _shown(app) == ["menu.time.ok", "menu.time.cancel"]
        assert _drawn(app) == [t("ui.key.ok"), t("ui.key.cancel")]
        await pilot.press("9", "9")
        await pilot.click(FooterKey)  # ⏎ OK on "99": the error, the prompt stays
        await _settle(pilot)
        assert app.screen is prompt
        assert str(prompt.query_one("#error", Label).content) == t("menu_editor.error.time")
        prompt.query_one("#answer", Input).value = "23:59"
        prompt.set_focus(None)  # the field has not the focus: the prompt's own Enter
        await _settle(pilot)
        await pilot.click(FooterKey)
        await wait_until(pilot, lambda: app.screen is screen)
        await wait_until(pilot, lambda: _server_item(platform, "kung-pao-chicken").get("snooze_until") is not None)

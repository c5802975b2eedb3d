"""A toast up when the terminal is resized (a counter's window made smaller, 80 -> 40 columns) is broken into lines
again for its new width, in the merchant console (also one taken down behind a dialog meanwhile) and in the
standalone dispatch board, which breaks its toasts' lines as the console does (`o2o_tui.text_fold`). Textual's own
toasts (real widgets) show the lines."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rich.cells import cell_len
from textual.app import App
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets._toast import Toast

from o2o_tui.client import AsyncPlatformClient, PlatformClient
from o2o_tui.domain.requests import ReasonBody
from o2o_tui.i18n import set_language, t
from o2o_tui.text_fold import CLOSING, fold
from screens.app import MerchantApp
from screens.dispatch_board import ClientFleet, DispatchApp
from screens.memory_source import MemoryOrderSource
from screens.redeem_screen import RedeemScreen
from screens.source import LinkState, LinkStatus
from screens.widgets.folded_text import toast_width
from tests.support.platform import RunningPlatform
from tests.test_cli_dispatch import place_ready_orders
from tests.test_dispatch_live_samples import NOW, board_snapshot
from tests.test_ui_dispatch import MemoryFleet, board_of, next_round
from tests.test_ui_live import wait_until
from tests.test_ui_samples import sample_store

LANGUAGES = ["en", "zh"]


@pytest.fixture(autouse=True)
def no_language() -> Iterator[None]:
    yield
    set_language(None)


def _sentence(language: str) -> str:
    """A refusal quoting the platform: a time that must stay whole, no line may start with "，"."""
    set_language(language)
    reason = {
        "en": "the store is paused until 08:39, it opens again by itself, try again in a few minutes",
        "zh": "门店已暂停到08:39，之后自动恢复营业，请稍后再试",
    }[language]
    return t("store_screen.refused", action=t("store_screen.action.pause"), reason=reason)


def _shown(toast: Toast) -> list[str]:
    """The lines a toast shows, inside its border and padding (none above and below below 60 columns)."""
    strips = toast.render_lines(Region(0, 0, toast.outer_size.width, toast.outer_size.height))
    top, bottom = toast.styles.padding.top, toast.styles.padding.bottom
    return [strip.text[2:].rstrip() for strip in strips[top : len(strips) - bottom]]


def _check(toast: Toast, message: str, screen_width: int) -> None:
    width = toast_width(screen_width)
    assert toast.size.width == width
    lines = _shown(toast)
    assert lines == fold(message, width)  # as the console breaks it for this width, and no line cut by Textual
    assert all(cell_len(line) <= width for line in lines), lines
    assert not any(line[:1] in CLOSING for line in lines[1:]), lines
    if "08:39" in message:
        assert any("08:39" in line for line in lines), lines


async def _resize(pilot: Pilot[None], app: App[None], size: tuple[int, int]) -> None:
    await pilot.resize_terminal(*size)
    await wait_until(pilot, lambda: app.screen.size == size)
    await pilot.pause()
    toasts = list(app.screen.query(Toast))
    await wait_until(pilot, lambda: all(toast.size.width == toast_width(size[0]) for toast in toasts))
    await pilot.pause()


def _merchant_app() -> MerchantApp:
    return MerchantApp(MemoryOrderSource(store=sample_store(), link=LinkStatus(LinkState.ONLINE)))


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_toast_up_is_broken_again_when_the_terminal_narrows_and_widens(language: str) -> None:
    message = _sentence(language)
    app = _merchant_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        app.say(message, severity="error", timeout=60)
        await wait_until(pilot, lambda: len(app.screen.query(Toast)) == 1)
        await pilot.pause()
        _check(app.screen.query_one(Toast), message, 80)
        await _resize(pilot, app, (40, 15))
        _check(app.screen.query_one(Toast), message, 40)
        await _resize(pilot, app, (80, 24))
        _check(app.screen.query_one(Toast), message, 80)


async def test_a_toast_taken_down_by_a_dialog_comes_back_broken_for_the_width_then() -> None:
    message = _sentence("zh")
    app = _merchant_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        app.say(message, severity="error", timeout=60)
        await wait_until(pilot, lambda: len(app.screen.query(Toast)) == 1)
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, RedeemScreen))
        await pilot.resize_terminal(40, 15)
        await wait_until(pilot, lambda: app.screen.size == (40, 15))
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, RedeemScreen) and bool(app.screen.query(Toast)))
        await pilot.pause()
        _check(app.screen.query_one(Toast), message, 40)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_standalone_board_breaks_its_toasts_as_the_console_does(language: str) -> None:
    message = _sentence(language)
    app = DispatchApp(MemoryFleet(board_snapshot()), clock=lambda: NOW, poll_seconds=60)
    async with app.run_test(size=(40, 15), notifications=True) as pilot:
        app.notify(message, severity="error", timeout=60, markup=False)
        await wait_until(pilot, lambda: len(app.screen.query(Toast)) == 1)
        await pilot.pause()
        _check(app.screen.query_one(Toast), message, 40)
        await _resize(pilot, app, (80, 24))
        _check(app.screen.query_one(Toast), message, 80)


async def test_the_boards_refusal_from_the_platform_is_broken_for_40_columns(platform: RunningPlatform) -> None:
    set_language("zh")
    assert platform.seed is not None
    [ready] = place_ready_orders(platform, [(500.0, 500.0)])
    client = AsyncPlatformClient(platform.url, platform.seed.tokens["dispatcher"])
    app = DispatchApp(ClientFleet(client, platform.seed.store_id), poll_seconds=60)
    async with app.run_test(size=(40, 15), notifications=True) as pilot:
        board = board_of(app)
        await next_round(pilot, board, 0)
        with PlatformClient(platform.url, platform.seed.tokens["merchant"]) as merchant:
            merchant.act("order.cancel", ready.id, ReasonBody(reason_code="OUT_OF_STOCK"))
        board.orders_list.move_cursor(ready.id)
        await pilot.press("a")
        await next_round(pilot, board, 1)
        await wait_until(pilot, lambda: len(app.screen.query(Toast)) == 1)
        await pilot.pause()
        toast = app.screen.query_one(Toast)
        [notification] = list(app._notifications)
        given = notification.message.replace("\n", "")  # Chinese: the breaks are all the toast added
        assert "被拒绝" in given
        _check(toast, given, 40)

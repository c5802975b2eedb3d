"""Toasts with a command in them (a catalog sentence's `o2o login`, shown bold without its backticks):

- the dispatch board's own toasts go the console's way (`screens.command_toasts.say_in`): a refusal of the board's
  action quoting the client's "Log in again with `o2o login`" (a dispatcher token revoked while the board is up,
  on the real platform) shows the command bold, the order's number plain, in the standalone board (`o2o
  dispatch`) and on the board the merchant console pushes (`d`), in English and Chinese; they used to show the
  backticks;
- a command's toast up when the terminal is resized (80x24 -> 40x15 -> 80x24) is cut again for the new size from
  its whole text (it kept the cut made for 80x24: 53 rows on a 15-row screen), the command still bold, in the
  console and in the standalone board (which did not cut its toasts at all: `ToastHoldingApp`); and one
  taken down behind a dialog while the terminal shrank comes back cut for the size then.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from textual.app import App
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets._toast import Toast

from o2o_tui.client import AsyncPlatformClient
from o2o_tui.command_marks import plain_text
from o2o_tui.i18n import set_language, t
from screens.app import MerchantApp
from screens.command_toasts import COMMAND_STYLE, say_in
from screens.dispatch_board import ClientFleet, DispatchApp, DispatchBoard
from screens.memory_source import MemoryOrderSource
from screens.redeem_screen import RedeemScreen
from screens.source import LinkState, LinkStatus
from tests.support.deep_variants import ENGLISH_HERE_CHINESE_DEEP
from tests.support.platform import RunningPlatform
from tests.test_cli_dispatch import place_ready_orders
from tests.test_simulate_revoked_token import revoke
from tests.test_ui_dispatch import board_of, next_round
from tests.test_ui_live import wait_until
from tests.test_ui_samples import sample_store


@pytest.fixture(params=ENGLISH_HERE_CHINESE_DEEP)
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


def _bold(content: Content) -> list[str]:
    return [
        content.plain[span.start : span.end] for span in content.spans if str(span.style) == COMMAND_STYLE
    ]


def _flat(text: str) -> str:
    """`text` without the line breaks and spaces a toast's folding may put in or take out."""
    return text.replace("\n", "").replace(" ", "")


async def _settle(pilot: Pilot[Any]) -> None:
    for _ in range(3):
        await pilot.pause()


# the board's refusal of a revoked token


@pytest.mark.parametrize("host", ["standalone", "console"])
async def test_the_boards_refusal_of_a_revoked_token_shows_the_command_bold(
    platform: RunningPlatform, lang: str, host: str
) -> None:
    seed = platform.seed
    assert seed is not None
    [ready] = place_ready_orders(platform, [(500.0, 500.0)])
    client = AsyncPlatformClient(platform.url, seed.tokens["dispatcher"])
    fleet = ClientFleet(client, seed.store_id)
    app: App[None]
    if host == "standalone":
        app = DispatchApp(fleet, poll_seconds=60)
    else:
        app = MerchantApp(MemoryOrderSource(store=sample_store(), link=LinkStatus(LinkState.ONLINE)))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        if host == "console":
            await pilot.pause()
            app.push_screen(DispatchBoard(fleet, poll_seconds=60))
            await pilot.pause()
        board = board_of(app)  # type: ignore[arg-type]
        await next_round(pilot, board, 0)
        assert board.plan is not None and board.plan.suggestion_for(ready.id) is not None
        revoke(platform, "dispatcher")
        time.sleep(0.7)  # past the platform's token cache (`auth.CACHE_SECONDS`)
        board.orders_list.move_cursor(ready.id)
        await pilot.press("a")  # accept the suggestion: refused, the token is not accepted
        await wait_until(pilot, lambda: any("o2o login" in str(n.message) for n in app._notifications))
        await _settle(pilot)
        said = [toast.render() for toast in app.screen.query(Toast)]
        [shown] = [content for content in said if "o2o" in content.plain]
        number = f"#{ready.number:04d}"
        assert "`" not in shown.plain, shown.plain
        assert " ".join(_bold(shown)) == "o2o login"  # maybe broken over two lines
        whole = plain_text(t("client.error.unauthorized"))
        assert _flat(whole) in _flat(shown.plain), shown.plain
        assert number in shown.plain and all(number not in part for part in _bold(shown))  # plain


# a command's toast cut again when the terminal is resized


def _long_said() -> str:
    return t("sync.unauthorized") + " " + "Lorem ipsum dolor sit amet. " * 30  # too long for any screen


def _console() -> MerchantApp:
    return MerchantApp(MemoryOrderSource(store=sample_store(), link=LinkStatus(LinkState.ONLINE)))


async def _resize(pilot: Pilot[Any], app: App[None], size: tuple[int, int]) -> None:
    await pilot.resize_terminal(*size)
    await wait_until(pilot, lambda: app.screen.size == size)
    await _settle(pilot)


def _check_cut(app: App[None], size: tuple[int, int]) -> Content:
    toast = app.screen.query_one(Toast)
    shown = toast.render()
    assert "`" not in shown.plain and shown.plain.endswith("…"), shown.plain
    assert " ".join(_bold(shown)) == "o2o login"  # broken over two lines, maybe
    assert _flat(plain_text(t("sync.unauthorized"))).startswith(_flat(shown.plain)[:20])
    assert toast.outer_size.height <= size[1] - 4, (
        toast.outer_size.height,
        shown.plain,
    )  # the queue in sight
    return shown


def _board() -> DispatchApp:
    from tests.test_ui_dispatch import MemoryFleet
    from tests.test_ui_dispatch_board_fit import ten_couriers

    return DispatchApp(MemoryFleet(ten_couriers()), poll_seconds=3600)


@pytest.mark.parametrize("host", ["console", "standalone board"])
async def test_a_command_toast_up_is_cut_again_when_the_terminal_shrinks_and_grows(lang: str, host: str) -> None:
    """The standalone board (`o2o dispatch`) cuts its toasts as the console does: it showed one whole, over the
    board's every row at 80x24 and 40x15."""
    app: MerchantApp | DispatchApp = _console() if host == "console" else _board()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        say_in(app, _long_said(), severity="error", timeout=60)  # as the board's screens say things
        await wait_until(pilot, lambda: len(app.screen.query(Toast)) == 1)
        await _settle(pilot)
        wide = _check_cut(app, (80, 24)).plain
        await _resize(pilot, app, (40, 15))
        narrow = _check_cut(app, (40, 15)).plain
        assert len(_flat(narrow)) < len(_flat(wide))
        await _resize(pilot, app, (80, 24))
        assert _check_cut(app, (80, 24)).plain == wide  # as much as it showed at first again


async def test_a_command_toast_behind_a_dialog_comes_back_cut_for_the_size_then(lang: str) -> None:
    app = _console()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        app.say(_long_said(), severity="error", timeout=60)
        await wait_until(pilot, lambda: len(app.screen.query(Toast)) == 1)
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, RedeemScreen))
        await _resize(pilot, app, (40, 15))
        await pilot.press("escape")
        await wait_until(
            pilot, lambda: not isinstance(app.screen, RedeemScreen) and bool(app.screen.query(Toast))
        )
        await _settle(pilot)
        _check_cut(app, (40, 15))

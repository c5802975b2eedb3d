"""The queue's search field (`/`), on the real console against the real platform (loopback server, the console's own
cache and sync engine):

- the footer shows the queue's keys from its first frame: it showed the hidden search field's (Enter "Keep
  results", Esc "Clear"), as that field took the focus while the screen was built, until `on_mount` moved it;
- what is typed in it is on screen at every size, with the offline banner up too: both were docked at the top,
  and where the field is one row high (below 60 columns) the banner covered it whole (at 80x24 its border showed);
- Esc clears it, hides it, and the footer has the queue's keys again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.app import ComposeResult
from textual.widgets import Input, Static
from textual.widgets._footer import FooterKey
from typer.testing import CliRunner

from o2o_tui.cli import app as cli_app
from o2o_tui.config import load_profile
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.launch import open_source
from screens.source import LinkState
from screens.widgets.footer import KeyFooter
from tests.support.platform import RunningPlatform, api, order_body
from tests.test_ui_live import wait_until

SEARCH_ACTIONS = {"search.keep", "search.clear"}


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


class QuietApp(MerchantApp):
    def bell(self) -> None:
        pass


def _new_order(running: RunningPlatform) -> int:
    """A new order placed by a customer: its day number."""
    assert running.seed is not None
    customer = api(running, "customer")
    try:
        answer = customer.post("/v1/orders", order_body(running.seed.store_id, "TAKEOUT"))
        assert answer.status_code in (200, 201), answer.text
        number: int = answer.json()["number"]
        return number
    finally:
        customer.close()


def _synced_home(running: RunningPlatform, home: Path) -> None:
    """A merchant profile logged in under `home`, its cache synced once (`o2o login`, `o2o sync --once`)."""
    assert running.seed is not None
    env = {"O2O_HOME": str(home), "O2O_LANG": "en", "O2O_PROFILE": None, "O2O_TOKEN": None}
    for args in (
        ["login", "--url", running.url, "--token", running.seed.tokens["merchant"]],
        ["sync", "--once"],
    ):
        result = CliRunner().invoke(cli_app, args, env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.stdout + result.stderr


def _screen_lines(app: MerchantApp) -> list[str]:
    """What the terminal shows, as plain text lines."""
    return ["".join(segment.text for segment in strip) for strip in app.screen._compositor.render_strips()]


def _footer_actions(app: MerchantApp) -> set[str]:
    return {key.action for key in app.screen.query(FooterKey)}


@pytest.fixture
def footers(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The actions of every footer composed (what the footer shows until its next compose), in order."""
    composed: list[list[str]] = []
    compose = KeyFooter.compose

    def recording(self: KeyFooter) -> ComposeResult:
        keys = list(compose(self))
        composed.append([key.action for key in keys if isinstance(key, FooterKey)])
        return iter(keys)

    monkeypatch.setattr(KeyFooter, "compose", recording)
    return composed


@pytest.mark.parametrize("size", [(40, 15), (80, 24)], ids=["40x15", "80x24"])
async def test_the_footer_shows_the_queues_keys_from_the_first_frame_until_slash(
    platform: RunningPlatform,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    footers: list[list[str]],
    size: tuple[int, int],
) -> None:
    number = await asyncio.to_thread(_new_order, platform)
    home = tmp_path / "home"
    await asyncio.to_thread(_synced_home, platform, home)
    monkeypatch.setenv("O2O_HOME", str(home))
    app = QuietApp(open_source(load_profile()))
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: f"#{number:04d}" in "\n".join(_screen_lines(app)))
        await wait_until(pilot, lambda: "accept" in _footer_actions(app))
        shown = [actions for actions in footers if actions]
        assert shown, footers
        first = shown[0]
        # the queue's own keys, from the first footer on: help, and quit unless a row with a cancellation request
        # is selected (the seed has one; its answer, `c`, takes the narrow footer's room first)
        assert "help" in first and {"quit", "cancellation"} & set(first), first
        assert not [actions for actions in shown if SEARCH_ACTIONS & set(actions)], shown
        assert not app.screen.query_one("#search", Input).display

        await pilot.press("slash")
        await wait_until(pilot, lambda: _footer_actions(app) == SEARCH_ACTIONS)
        await pilot.press("z", "q")
        await wait_until(pilot, lambda: "zq" in "\n".join(_screen_lines(app)))
        await pilot.press("escape")  # clears the search and hides the field: the queue's keys again
        await wait_until(pilot, lambda: "accept" in _footer_actions(app))
        search = app.screen.query_one("#search", Input)
        assert not search.display and search.value == ""
        assert not SEARCH_ACTIONS & _footer_actions(app)
        assert f"#{number:04d}" in "\n".join(_screen_lines(app))


@pytest.mark.parametrize("offline", [False, True], ids=["online", "offline-banner"])
@pytest.mark.parametrize("size", [(40, 15), (80, 24), (20, 10)], ids=["40x15", "80x24", "20x10"])
async def test_what_is_typed_in_the_search_is_on_screen(
    platform: RunningPlatform,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    size: tuple[int, int],
    offline: bool,
) -> None:
    number = await asyncio.to_thread(_new_order, platform)
    home = tmp_path / "home"
    await asyncio.to_thread(_synced_home, platform, home)
    monkeypatch.setenv("O2O_HOME", str(home))
    if offline:  # the cached order, and the offline banner at the top
        platform.stop()
    app = QuietApp(open_source(load_profile()))
    async with app.run_test(size=size) as pilot:
        screen = app.orders_screen
        banner = screen.query_one("#banner", Static)
        await wait_until(pilot, lambda: f"#{number:04d}" in "\n".join(_screen_lines(app)))
        banner_up = offline and size[0] >= 40  # at 20 columns not even its short form fits: no banner
        if offline:
            await wait_until(pilot, lambda: app.source.link().state is LinkState.OFFLINE)
            await wait_until(pilot, lambda: banner.display is banner_up)
        else:
            await wait_until(pilot, lambda: app.source.link().state is LinkState.ONLINE)
        await pilot.press("slash", *f"{number:04d}")
        search = screen.query_one("#search", Input)
        await wait_until(pilot, lambda: search.value == f"{number:04d}")
        await pilot.pause()
        lines = _screen_lines(app)
        typed = [index for index, line in enumerate(lines) if f"{number:04d}" in line and "#" not in line]
        assert typed, "\n".join(lines)  # the field's line (the row shows `#0001`)
        assert any(f"#{number:04d}" in line for line in lines), "\n".join(lines)  # the order found, below it
        assert banner.display is banner_up
        if banner_up:
            assert not banner.region.overlaps(search.region), (banner.region, search.region)
            assert lines[banner.region.y].strip().startswith("OFFLINE"), "\n".join(lines)
        assert search.region.y + search.region.height <= screen.queue.region.y  # the queue made room for it

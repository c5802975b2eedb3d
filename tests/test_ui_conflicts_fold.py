"""The refused list `!` breaks its rows as the console breaks any text (`o2o_tui.text_fold`: in Chinese between two
characters, never before "，" or "：", a number or a name kept with its words), and every row shows whole at the
size the terminal has now: after a resize (80x24 -> 40x15 and back) and when the list grows past the screen (the
scroll bar shows up), as when the console starts at that size. Against the real platform on loopback and a real
cache: a menu import queued offline and refused when the console sends it (the publish and the cola's sold-out
change held with it, "菜品 可乐：您的…"), and an accept of an order this device does not have, named by its id's
start, not "no order"."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import OptionList

from o2o_tui.config import load_profile
from o2o_tui.domain.menu import Names
from o2o_tui.domain.requests import ConfirmBody
from o2o_tui.i18n import set_language, t
from o2o_tui.sync.explain import action_label, explain
from o2o_tui.text_fold import CLOSING, fold
from screens.app import MerchantApp
from screens.conflicts_screen import ConflictsScreen
from screens.engine_source import EngineOrderSource
from screens.launch import open_source
from screens.memory_source import MemoryOrderSource
from screens.source import ConflictView, LinkState, LinkStatus
from tests.support.faultproxy import FaultProxy
from tests.support.platform import RunningPlatform
from tests.test_cli_menu import Cli
from tests.test_ui_conflicts import Host
from tests.test_ui_conflicts_subject import _cola_names, _stale_import
from tests.test_ui_live import wait_until
from tests.test_ui_samples import FROZEN_NOW, sample_store


@pytest.fixture(autouse=True)
def no_language() -> Iterator[None]:
    yield
    set_language(None)


@pytest.fixture
def proxy(platform: RunningPlatform) -> Iterator[FaultProxy]:
    with FaultProxy(platform.port) as running:
        yield running


@pytest.fixture
def cli(
    platform: RunningPlatform, proxy: FaultProxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Cli:
    """A merchant logged in through the proxy (so the link can be taken away from the profile's processes)."""
    assert platform.seed is not None
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    runner = Cli(tmp_path / "home", platform.seed.tokens["merchant"])
    runner("login", "--url", f"http://127.0.0.1:{proxy.port}", "--token", runner.token)
    return runner


def _text_width(listing: OptionList) -> int:
    """The cells a row's text gets: the list's content less an option's own padding."""
    return listing.scrollable_content_region.width - listing.get_component_styles("option-list--option").padding.width


def _shown(listing: OptionList) -> list[str]:
    """The lines the list shows now (its viewport, scrolled as it is)."""
    strips = listing.render_lines(Region(0, 0, listing.size.width, listing.size.height))
    return [strip.text.strip() for strip in strips]


def _check(listing: OptionList) -> list[str]:
    """The list shows each row as `fold` breaks it for the width its text has now, every line of it, the rows one
    after the other: no row keeps the height it had at another width. Returns every row's lines."""
    width = _text_width(listing)
    rows = [fold(str(listing.get_option_at_index(index).prompt), width) for index in range(listing.option_count)]
    every = [line for row in rows for line in row]
    top, height = listing.scroll_offset.y, listing.size.height
    seen = every[top : top + height]
    assert _shown(listing) == seen + [""] * (height - len(seen))
    assert listing.virtual_size.height == len(every)  # nothing below the last line is lost, nothing left blank
    for line in every:
        assert line[:1] not in CLOSING, every
    return every


async def _resize(pilot: Pilot[Any], app: App[Any], size: tuple[int, int]) -> None:
    await pilot.resize_terminal(*size)
    await wait_until(pilot, lambda: app.screen.size == size)
    await pilot.pause()
    await pilot.pause()


def _refused(key: str, action: str, target: str, reason: dict[str, Any], name: str = "") -> ConflictView:
    """A refusal as the engine's source lists it (the explanation from `o2o_tui.sync.explain`)."""
    return ConflictView(
        key=key,
        action=action,
        action_label=action_label(action),
        order_id=None,
        order_number=None,
        explanation=explain(reason, action=action, target=target, name=name),
        tapped_at=FROZEN_NOW - timedelta(minutes=3),
        scripted=True,
        menu_name=name,
    )


def _import_refused() -> list[ConflictView]:
    """A menu import's publish refused as stale, and the cola's sold-out change held with it."""
    return [
        _refused("publish", "menu.publish", "store-1", {"code": "stale_version", "status": 412}),
        _refused("cola", "menu.item.patch", "store-1/cola", {"code": "import_publish_refused"}, "可乐"),
    ]


@pytest.mark.parametrize("language", ["en", "zh"])
async def test_the_rows_are_laid_out_again_when_the_terminal_is_resized(language: str) -> None:
    set_language(language)
    app = Host(MemoryOrderSource(store=sample_store(), link=LinkStatus(LinkState.ONLINE), conflicts=_import_refused()))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        listing = app.screen.query_one(OptionList)
        wide = _check(listing)
        await _resize(pilot, app, (40, 15))
        narrow = _check(listing)
        assert len(narrow) > listing.size.height  # the list now runs past the screen: the scroll bar is up
        await pilot.press("end")  # the last row's last line is there too
        await wait_until(pilot, lambda: listing.scroll_offset.y > 0)
        await pilot.pause()
        assert _check(listing) == narrow
        await _resize(pilot, app, (80, 24))
        assert _check(listing) == wide
    async with Host(
        MemoryOrderSource(store=sample_store(), link=LinkStatus(LinkState.ONLINE), conflicts=_import_refused())
    ).run_test(size=(40, 15)) as pilot:  # started at that size: the same lines
        await pilot.pause()
        assert _check(pilot.app.screen.query_one(OptionList)) == narrow


async def test_rows_stay_whole_when_a_refusal_makes_the_list_run_past_the_screen() -> None:
    set_language("zh")
    first, second = _import_refused()
    source = MemoryOrderSource(store=sample_store(), link=LinkStatus(LinkState.ONLINE), conflicts=[first])
    app = Host(source)
    async with app.run_test(size=(40, 15)) as pilot:
        await pilot.pause()
        listing = app.screen.query_one(OptionList)
        assert len(_check(listing)) < listing.size.height
        source.add_conflict(second)
        await wait_until(pilot, lambda: listing.option_count == 2)
        await pilot.pause()
        assert len(_check(listing)) > listing.size.height


async def test_a_refused_import_in_chinese_breaks_as_chinese_is_set_and_fits_after_a_resize(
    platform: RunningPlatform, proxy: FaultProxy, cli: Cli, tmp_path: Path
) -> None:
    """The console's `!` on the real refusals: "菜品 可乐：您的…" is not broken at its one space ("菜品" alone on a
    line); at 40x15 after 80x24 each row is whole."""
    await _stale_import(platform, proxy, cli, tmp_path)
    set_language("zh")
    app = MerchantApp(open_source(load_profile()))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: len(app.source.conflicts()) == 2)
        await wait_until(pilot, lambda: _cola_names(app.source.menu()) == Names(zh="可乐", en="Coke"))
        await pilot.press("exclamation_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, ConflictsScreen))
        listing = app.screen.query_one(OptionList)
        await wait_until(pilot, lambda: listing.option_count == 2)
        await pilot.pause()
        lines = _check(listing)
        assert "菜品" not in lines
        assert [line for line in lines if line.startswith("菜品 可乐：您的“菜品修改”未发送")], lines
        await _resize(pilot, app, (40, 15))
        assert len(_check(listing)) > listing.size.height
        await pilot.press("end")
        await wait_until(pilot, lambda: listing.scroll_offset.y > 0)
        await pilot.pause()
        assert _check(listing)[-1].endswith("（o2o conflicts dismiss）")  # the sentence's end is on screen


@pytest.mark.parametrize(("language", "head"), [("en", "order ord_gone · accept · tapped "), ("zh", "订单 ord_gone · 接单 · 操作于 ")])
async def test_an_accept_of_an_order_not_in_the_cache_names_the_order_by_its_id(
    shared_platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, language: str, head: str
) -> None:
    """An accept the platform refused for an order this device has not cached (it knows no day number): the row
    and its reason name the order by its id's first characters."""
    assert shared_platform.seed is not None
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    runner = Cli(tmp_path / "home", shared_platform.seed.tokens["merchant"])
    runner("login", "--url", shared_platform.url, "--token", runner.token)
    set_language(language)
    source = open_source(load_profile())
    assert isinstance(source, EngineOrderSource)
    app = Host(source, run_source=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await source.submit("order.confirm", "ord_gone_c1a2b3", ConfirmBody(preparation_minutes=12))
        listing = app.screen.query_one(OptionList)
        await wait_until(pilot, lambda: listing.option_count == 1)
        await pilot.pause()
        head_line, reason = _check(listing)[:2]
        assert head_line.startswith(head), head_line
        assert reason.startswith(t("sync.subject.order", number="ord_gone")), reason
        assert t("conflicts.no_order") not in head_line

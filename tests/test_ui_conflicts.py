"""Item 4 of issue 11, conflicts on screen: the `!` screen on a memory source (Pilot, snapshot), the same screen on
the sync engine against the real platform (a refused accept listed with the platform's reason, dismissed, gone
from the outbox), and `o2o conflicts dismiss --all`."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import OptionList
from typer.testing import CliRunner

from o2o_tui.cli import app as cli_app
from o2o_tui.cli.exits import Exit
from o2o_tui.client import PlatformClient
from o2o_tui.config import Profile, save_profile
from o2o_tui.domain.requests import ConfirmBody, ReasonBody
from o2o_tui.i18n import set_language
from screens.conflicts_screen import ConfirmAll, ConflictsScreen
from screens.engine_source import EngineOrderSource
from screens.launch import open_source
from screens.memory_source import MemoryOrderSource
from screens.source import ConflictView, LinkState, LinkStatus, OrderSource
from tests.support.platform import RunningPlatform
from tests.test_sync_engine import place_orders
from tests.test_ui_samples import FROZEN_NOW, sample_store


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def refused(number: int, key: str, why: str = "order #{n} was cancelled by the customer") -> ConflictView:
    return ConflictView(
        key=key,
        action="order.confirm",
        action_label="accept",
        order_id=f"ord-{number:04d}",
        order_number=number,
        explanation=why.format(n=f"{number:04d}"),
        tapped_at=FROZEN_NOW - timedelta(minutes=number),
    )


class Host(App[None]):
    """Just the conflicts screen over a source (the queue pushes it on `!`)."""

    def __init__(self, source: OrderSource, *, run_source: bool = False) -> None:
        super().__init__()
        self.source = source
        self._run_source = run_source

    def on_mount(self) -> None:
        if self._run_source:
            self.run_worker(self.source.run(), name="source", exit_on_error=False)
        self.push_screen(ConflictsScreen(self.source))


def memory_source() -> MemoryOrderSource:
    hostile = "platform says [/] [@click=app.quit]no[/] \x1b]0;x\x07"
    conflicts = [refused(42, "k42"), refused(41, "k41", hostile), refused(40, "k40")]
    return MemoryOrderSource(store=sample_store(), link=LinkStatus(LinkState.ONLINE), conflicts=conflicts)


async def wait_until(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "condition not reached"
        await pilot.pause(0.05)


async def test_list_dismiss_one_then_all_after_a_yes() -> None:
    source = memory_source()
    assert source.link().conflicts == 3
    app = Host(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConflictsScreen)
        listing = screen.query_one(OptionList)
        assert listing.option_count == 3
        first = str(listing.get_option_at_index(0).prompt)
        assert "#0042 · accept · tapped 11:48" in first and "cancelled by the customer" in first
        assert "[@click=app.quit]" in str(listing.get_option_at_index(1).prompt)  # plain text, never markup
        assert "\x1b" not in str(listing.get_option_at_index(1).prompt)
        await pilot.press("x")  # the one under the cursor
        await wait_until(pilot, lambda: listing.option_count == 2)
        assert [c.key for c in source.conflicts()] == ["k41", "k40"] and source.link().conflicts == 2
        await pilot.press("X")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmAll)
        await pilot.press("n")  # changed their mind: nothing goes
        await pilot.pause()
        assert len(source.conflicts()) == 2
        await pilot.press("X", "y")
        await wait_until(pilot, lambda: not source.conflicts())
        assert source.link().conflicts == 0
        assert screen.query_one("#conflicts-empty").display
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ConflictsScreen)


def test_snapshot(snap_compare) -> None:
    assert snap_compare(Host(memory_source()), terminal_size=(80, 24))


def test_snapshot_narrow(snap_compare) -> None:
    assert snap_compare(Host(memory_source()), terminal_size=(40, 15))


@pytest.fixture
def profile(shared_platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Profile:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    seed = shared_platform.seed
    assert seed is not None
    return save_profile(
        "counter",
        url=shared_platform.url,
        token=seed.tokens["merchant"],
        role="merchant",
        store_id=seed.store_id,
    )


def cancel_as_customer(running: RunningPlatform, order_id: str) -> None:
    assert running.seed is not None
    with PlatformClient(running.url, running.seed.tokens["customer"]) as customer:
        customer.act("order.cancel", order_id, ReasonBody(reason_code="CUSTOMER_CHANGED_MIND"))


async def test_a_refused_accept_on_the_real_platform_is_listed_then_dismissed(
    shared_platform: RunningPlatform, profile: Profile
) -> None:
    [order_id] = await asyncio.to_thread(place_orders, shared_platform.url, shared_platform.seed, 1)
    source = open_source(profile)
    assert isinstance(source, EngineOrderSource)
    app = Host(source, run_source=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: source.order(order_id) is not None)
        number = source.order(order_id).order.number  # type: ignore[union-attr]
        await asyncio.to_thread(cancel_as_customer, shared_platform, order_id)
        await source.submit("order.confirm", order_id, ConfirmBody(preparation_minutes=12))
        await wait_until(pilot, lambda: len(source.conflicts()) == 1)
        await wait_until(pilot, lambda: source.link().conflicts == 1)
        listing = app.screen.query_one(OptionList)
        await wait_until(pilot, lambda: listing.option_count == 1)
        prompt = str(listing.get_option_at_index(0).prompt)
        assert f"#{number:04d} · accept" in prompt
        assert "cancelled by the customer before your accept reached the platform" in prompt
        await pilot.press("enter")
        await wait_until(pilot, lambda: not source.conflicts())
        await wait_until(pilot, lambda: source.link().conflicts == 0)  # the status line's badge goes
        cache: Any = source._cache  # the outbox itself, read on the cache's thread
        assert await cache.call(lambda: cache.outbox.conflicts()) == []


def cli(home: Path, *args: str, code: int = 0) -> Any:
    env = {"O2O_HOME": str(home), "O2O_LANG": "en", "NO_COLOR": "1", "COLUMNS": "200", "O2O_PROFILE": None}
    result = CliRunner().invoke(cli_app, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
    return result


def test_cli_dismiss_all(shared_platform: RunningPlatform, tmp_path: Path) -> None:
    seed = shared_platform.seed
    assert seed is not None
    home = tmp_path / "cli"
    cli(home, "login", "--url", shared_platform.url, "--token", seed.tokens["merchant"])
    ids = place_orders(shared_platform.url, seed, 2)
    cli(home, "sync", "--once")
    for order_id in ids:
        cancel_as_customer(shared_platform, order_id)
        cli(home, "orders", "accept", order_id, code=Exit.REJECTED)
    assert len(json.loads(cli(home, "conflicts", "list", "--json").stdout)) == 2
    cli(home, "conflicts", "dismiss", code=Exit.USAGE)  # neither a key nor --all
    cli(home, "conflicts", "dismiss", "abc", "--all", code=Exit.USAGE)  # both
    answer = json.loads(cli(home, "conflicts", "dismiss", "--all", "--json").stdout)
    assert len(answer["dismissed"]) == 2
    assert json.loads(cli(home, "conflicts", "list", "--json").stdout) == []
    assert "0 conflicts dismissed" in cli(home, "conflicts", "dismiss", "--all").stdout

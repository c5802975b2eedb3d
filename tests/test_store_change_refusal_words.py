"""A refused store status change (`stale_store_change`: another device's change was tapped later) says what this
device asked and what stands now, as an order's refusal does: "your status change to a 10-minute pause until 12:50
("kitchen full") was refused: another device changed the status at 12:41 ...; it is now busy, +7 min on every
order". The list of refused actions (`o2o conflicts list`, `!`) does not point at itself; the toast does, and at
40x15 the toast is cut to a few lines with "! for details" instead of covering the queue. `--json` carries what was
asked and what stood as fields. Conflict sentences about an order call its status what the queue calls it, for
its type ("Picked up" for a handed-over takeout). Two devices (two profiles of the store's merchant) on the real
server, a real cache."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from o2o_tui.cli.exits import Exit
from o2o_tui.config import load_profile
from o2o_tui.domain.clock import stored_clock
from o2o_tui.domain.requests import StoreStatusBody
from o2o_tui.domain.store import StoreState
from o2o_tui.i18n import set_language
from o2o_tui.sync.explain import explain
from screens.app import MerchantApp
from screens.conflicts_screen import conflict_prompt
from screens.engine_source import EngineOrderSource
from screens.launch import open_source
from screens.memory_source import MemoryOrderSource
from screens.source import LinkState, LinkStatus
from screens.widgets.folded_text import toast_width
from tests.support.platform import RunningPlatform
from tests.test_cli_orders import Cli
from tests.test_ui_live import wait_until
from tests.test_ui_samples import sample_store

POINTER = "kept among the refused actions"


@pytest.fixture(autouse=True)
def no_language() -> Iterator[None]:
    yield
    set_language(None)


def _device(platform: RunningPlatform, home: Path) -> Cli:
    assert platform.seed is not None
    device = Cli(home, platform.seed.tokens["merchant"])
    device("login", "--url", platform.url, "--token", device.token)
    device("sync", "--once")
    return device


async def _pause_as_a_console(store_id: str, minutes: int, reason: str) -> None:
    """A pause tapped on a console while the platform is out of reach: queued in the profile's outbox."""
    source = open_source(load_profile())
    assert isinstance(source, EngineOrderSource)
    until = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=minutes)
    body = StoreStatusBody(state=StoreState.PAUSED, until=until, reason=reason)
    try:
        await source.submit("store.status", store_id, body)
    finally:
        await source.close()


@pytest.fixture
def refused(platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Device A's pause ("kitchen full", 10 min) queued offline; device B's busy +7, tapped after it, applied first.
    A's pause is refused when A sends it."""
    a, b = _device(platform, tmp_path / "a"), _device(platform, tmp_path / "b")
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "a"))
    platform.stop()
    assert platform.seed is not None
    asyncio.run(_pause_as_a_console(platform.seed.store_id, 10, "kitchen full"))
    platform.restart()
    b("store", "busy", "--extra", "7")
    return a


def test_the_list_says_what_was_asked_and_what_stands_without_pointing_at_itself(refused: Cli) -> None:
    refused("sync", "--once", code=int(Exit.REJECTED))
    [kept] = refused.json("conflicts", "list")
    assert kept["action"] == "store.status" and kept["reason"]["code"] == "stale_store_change"
    asked, standing = kept["asked"], kept["standing"]
    assert (asked["state"], asked["minutes"], asked["reason"]) == ("PAUSED", 10, "kitchen full")
    assert (standing["state"], standing["extra_minutes"], standing["auto"]) == ("BUSY", 7, False)
    at = stored_clock(standing["set_at"], kept["reason"]["timezone"])
    until = stored_clock(asked["until"], kept["reason"]["timezone"])
    said = kept["explanation"]
    assert f'your status change to a 10-minute pause until {until} ("kitchen full") was refused' in said, said
    assert f"another device changed the status at {at}, after your tap" in said, said
    assert "it is now busy, +7 min on every order" in said, said
    assert POINTER not in said  # read in the list: not pointed at
    assert POINTER not in refused("conflicts", "list").stdout
    assert POINTER in kept["reason"]["explanation"]  # as the toast first said it


async def test_the_toast_at_40x15_is_a_few_lines_and_points_at_the_list(refused: Cli) -> None:
    set_language("en")
    app = MerchantApp(open_source(load_profile()))
    async with app.run_test(size=(40, 15)) as pilot:
        source = app.source
        await wait_until(pilot, lambda: len(source.conflicts()) == 1)
        await wait_until(pilot, lambda: bool(app._notifications))
        [toast] = [str(n.message) for n in app._notifications]
        lines = toast.split("\n")
        assert len(lines) <= 15 // 2 - 2, lines  # its frame too: at most about half the screen
        assert lines[-1] == "! for details" and lines[-2].endswith("…"), lines
        assert lines[0].startswith("the store"), lines
        assert all(len(line) <= toast_width(40) for line in lines), lines
        [view] = source.conflicts()
        listed = str(conflict_prompt(view, None))
        assert "a 10-minute pause" in listed and "busy, +7 min" in listed and POINTER not in listed


async def test_the_toast_on_a_roomy_terminal_says_it_whole(refused: Cli) -> None:
    set_language("en")
    app = MerchantApp(open_source(load_profile()))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_until(pilot, lambda: bool(app._notifications))
        [toast] = [" ".join(str(n.message).split()) for n in app._notifications]
        assert "a 10-minute pause" in toast and "busy, +7 min on every order" in toast, toast
        assert POINTER in toast and "! for details" not in toast  # the toast points at the list


async def test_a_toast_up_when_the_terminal_gets_small_is_cut_again_and_whole_again_when_it_grows(
    refused: Cli,
) -> None:
    set_language("en")
    app = MerchantApp(open_source(load_profile()))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_until(pilot, lambda: bool(app._notifications))
        await pilot.resize_terminal(40, 15)
        await pilot.pause()
        [toast] = [str(n.message) for n in app._notifications]
        lines = toast.split("\n")
        assert len(lines) <= 15 // 2 - 2 and lines[-1] == "! for details", lines
        await pilot.resize_terminal(100, 40)
        await pilot.pause()
        [toast] = [" ".join(str(n.message).split()) for n in app._notifications]
        assert "it is now busy, +7 min on every order" in toast and POINTER in toast, toast


async def test_a_long_toast_said_nowhere_else_keeps_all_it_can_and_leaves_the_keys_in_sight() -> None:
    """Not a refused action (nothing under `!` to point at): cut only where it would hide the status and keys."""
    set_language("en")
    app = MerchantApp(MemoryOrderSource(store=sample_store(), link=LinkStatus(LinkState.ONLINE)))
    async with app.run_test(size=(40, 15), notifications=True) as pilot:
        app.say("the printer stopped answering: " * 12, severity="error", timeout=60)
        await wait_until(pilot, lambda: bool(app._notifications))
        [toast] = [str(n.message) for n in app._notifications]
        lines = toast.split("\n")
        # below 60 columns a toast spans the width, a third of the rows at most (5 lines of 37 cells: more of it
        # than the 9 lines of 17 cells it had at half the width, over the queue up to its header)
        assert len(lines) == 15 // 3 and lines[-1].endswith("…"), lines
        assert "! for details" not in toast


def test_chinese_says_it_with_the_consoles_words() -> None:
    reason = {
        "code": "stale_store_change",
        "timezone": "Asia/Shanghai",
        "asked": {"state": "PAUSED", "until": "2026-12-06T04:50:00+00:00", "minutes": 10, "reason": "后厨忙"},
        "standing": {"state": "BUSY", "extra_minutes": 7, "auto": False, "set_at": "2026-12-06T04:41:00+00:00"},
    }
    set_language("zh")
    said = explain(reason, action="store.status", target="st_1", listed=True)
    assert said == (
        "门店状态：您的“状态更改”（改为暂停营业 10 分钟，至 12:50，原因：后厨忙）被拒绝：另一台设备在 12:41"
        " 修改了门店状态，晚于您的操作（以最后一次操作为准），门店现为繁忙，每单 +7 分钟。请重新查看门店，如仍需要请再操作一次"
    )
    assert explain(reason, action="store.status", target="st_1").endswith("（o2o conflicts list，商家工作台按 ! 键）")


@pytest.mark.parametrize(
    ("order_type", "english", "chinese"),
    [
        ("TAKEOUT", "was already Picked up when", "订单 #0004 已处于已取餐状态"),
        ("INDOOR", "was already Served when", "订单 #0004 已处于已上餐状态"),
        ("DELIVERY", "was already Delivered when", "订单 #0004 已处于已送达状态"),
    ],
)
def test_an_order_refusal_calls_its_status_what_the_queue_does(order_type: str, english: str, chinese: str) -> None:
    moved = {"code": "illegal_transition", "current_status": "DELIVERED", "order_number": 4, "order_type": order_type}
    set_language("en")
    assert english in explain(moved, action="order.confirm", target="ord_4")
    early = {**moved, "current_status": "CONFIRMED", "to": "READY_FOR_PICKUP"}
    assert "was still Accepted when" in explain(early, action="order.ready", target="ord_4")
    set_language("zh")
    said = explain(moved, action="order.confirm", target="ord_4")
    assert chinese in said and "“已" not in said, said

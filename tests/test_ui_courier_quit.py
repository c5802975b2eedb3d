"""Leaving the handheld from a keypad (real server, real cache, a proxy that drops the link, Pilot): 0 on the task
list asks, the list says how, a stray 0 or Enter never quits, `2` does; what was queued is said to be kept, and the
next start sends it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui.i18n import set_language
from screens.courier_screens import QuitScreen, TaskListScreen
from screens.courier_widgets import Line
from tests.support.faultproxy import FaultProxy
from tests.support.handheld import drop_link, first_courier_id, handheld_home, proxied_profile
from tests.support.platform import RunningPlatform
from tests.test_ui_courier import (
    CountingApp,
    offer,
    open_source,
    product_settle,
    screen_text,
    server_delivery,
    settled,
    wait_until,
)


@pytest.fixture
def courier_id(platform: RunningPlatform) -> str:
    return first_courier_id(platform)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield from handheld_home(tmp_path, monkeypatch)


def on_screen(app: CountingApp, line: Line) -> bool:
    """Whether `line` is drawn inside the terminal (not scrolled or laid out off it)."""
    region = line.region
    return line.display and region.height > 0 and region.bottom <= app.size.height


@pytest.mark.parametrize(
    "size", [pytest.param((40, 16), id="40x16", marks=pytest.mark.deep), pytest.param((20, 10), id="20x10")]
)
async def test_a_keypad_quits_after_asking_and_the_queue_is_kept(
    platform: RunningPlatform, courier_id: str, home: Path, size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    product_settle(monkeypatch)  # the 2 right behind the 0 must land inside the settle
    order = offer(platform, courier_id)
    number = f"#{order['number']:04d}"
    with FaultProxy(platform.port) as proxy:
        profile = proxied_profile(platform, courier_id, proxy)
        app = CountingApp(open_source(profile))
        async with app.run_test(size=size) as pilot:
            await wait_until(pilot, lambda: number in screen_text(app) and app.source.on_duty() is True)
            hint = app.screen.query_one("#quit-hint", Line)
            assert hint.shown == "0 Quit" and on_screen(app, hint)
            await drop_link(pilot, app, proxy)
            await pilot.press("1")  # the offer
            await settled(pilot)
            await pilot.press("1")  # accept: queued
            await wait_until(pilot, lambda: app.source.link().pending == 1)
            await pilot.press("0")  # back to the list
            assert isinstance(app.screen, TaskListScreen)

            await pilot.press("0", "2")  # 0 asks; a 2 right behind it (a key repeated on a laggy link) is dropped
            assert isinstance(app.screen, QuitScreen)
            text = " ".join(screen_text(app).split("\n"))
            assert "Quit the handheld?" in text
            assert "1 queued action is kept here and sent when you open it next." in text
            assert "You stay on duty." in text
            assert [line.shown for line in app.screen.query(".choice").results(Line)] == [
                "1 Back to tasks",
                "2 Quit",
            ]
            assert all(on_screen(app, line) for line in app.screen.query(".choice").results(Line))
            await settled(pilot)
            await pilot.press("enter")  # Enter starts on "Back to tasks": a stray Enter stays
            assert isinstance(app.screen, TaskListScreen) and app.return_code is None
            await pilot.press("0")
            assert isinstance(app.screen, QuitScreen)
            await pilot.press("0")  # 0 again: back, not out
            assert isinstance(app.screen, TaskListScreen) and app.return_code is None
            await pilot.press("escape")  # Esc and F1 are the keypad's back too
            assert isinstance(app.screen, QuitScreen)
            await settled(pilot)
            await pilot.press("2")
            await wait_until(pilot, lambda: app.return_code is not None)
        assert app.exit_note() == "1 queued action kept: it is sent when the handheld opens next."
        assert server_delivery(platform, order["id"])["status"] == "PENDING"  # not sent: the link was down

        proxy.pass_through()
        app = CountingApp(open_source(profile))  # next time: the kept accept is sent
        async with app.run_test(size=size) as pilot:
            await wait_until(pilot, lambda: server_delivery(platform, order["id"])["status"] == "ACCEPTED", 30)
            await wait_until(pilot, lambda: app.source.link().pending == 0)
            await pilot.press("0")
            assert isinstance(app.screen, QuitScreen)
            await pilot.pause()
            assert "queued" not in screen_text(app)  # nothing queued: nothing said of it
            await settled(pilot)
            await pilot.press("2")
            await wait_until(pilot, lambda: app.return_code is not None)
        assert app.exit_note() == ""


async def test_the_quit_question_in_chinese(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    product_settle(monkeypatch)  # a 1 at once must land inside the settle
    from screens.courier_memory_source import MemoryCourierSource
    from screens.source import LinkState, LinkStatus
    from tests.test_ui_courier_snapshots import courier

    set_language("zh")
    link = LinkStatus(LinkState.OFFLINE, pending=2)
    app = CountingApp(MemoryCourierSource(courier=courier(), link=link))  # type: ignore[arg-type]
    async with app.run_test(size=(20, 10)) as pilot:
        await pilot.press("0")
        assert isinstance(app.screen, QuitScreen)
        text = "".join(screen_text(app).split("\n"))
        assert "退出手持机？2 条待发操作保留在本机，下次打开时发送。您仍在上班。" in text
        assert "2 退出" in text
        await pilot.press("1")  # at once: dropped
        assert isinstance(app.screen, QuitScreen)
        await settled(pilot)
        await pilot.press("1")
        assert isinstance(app.screen, TaskListScreen)
        assert app.return_code is None

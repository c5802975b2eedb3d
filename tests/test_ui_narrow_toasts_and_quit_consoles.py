"""The merchant console at 40x15 and its quit dialog (an outside tester's findings):

- a toast released as one dialog closes, while the next one opens at once (the menu editor: `o`, `3` opens the
  time prompt as the choice closes), waited behind the next dialog too: it had landed over its field;
- below 60 columns a toast spans the width at the bottom, a few rows, not half the width over the rows;
- quitting one of two consoles on a profile says the other keeps ringing its orders and sending its actions,
  not that nobody hears them; a killed console's presence no longer counts.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets._toast import Toast

from o2o_tui.config import Profile, save_profile
from o2o_tui.console_presence import CONSOLES_DIR
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.dialogs import ChoicePrompt, NumberPrompt
from screens.launch import open_source
from screens.memory_source import MemoryOrderSource
from screens.source import LinkState, LinkStatus
from tests.support.platform import RunningPlatform, api, order_body
from tests.test_ui_live import wait_until
from tests.test_ui_samples import sample_store

ROOT = Path(__file__).resolve().parent.parent
TIMED_OUT = "Order #0103 was cancelled: no answer in time"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _app() -> MerchantApp:
    return MerchantApp(MemoryOrderSource(store=sample_store(), link=LinkStatus(LinkState.ONLINE)))


def _toasts_up(app: MerchantApp) -> int:
    return sum(len(screen.query(Toast)) for screen in app.screen_stack)


def _screen_text(app: MerchantApp) -> str:
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


async def test_a_toast_released_as_a_dialog_closes_waits_behind_the_next_one_at_40x15() -> None:
    app = _app()
    async with app.run_test(size=(40, 15), notifications=True) as pilot:

        def chosen(choice: str | None) -> None:  # as the menu editor's availability: `3` asks for the time at once
            app.push_screen(NumberPrompt("Sold out until", 5))

        app.push_screen(ChoicePrompt("Availability", [("1", "Available"), ("3", "Sold out until a time")]), chosen)
        await pilot.pause()
        app.say(TIMED_OUT, severity="warning")  # held behind the choice
        await pilot.pause()
        await pilot.press("2")
        await wait_until(pilot, lambda: isinstance(app.screen, NumberPrompt))
        await pilot.pause()
        await pilot.pause()
        assert not list(app._notifications) and _toasts_up(app) == 0  # not over the time prompt's field
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, NumberPrompt))
        await wait_until(pilot, lambda: len(app.screen.query(Toast)) == 1)
        assert TIMED_OUT.split(":")[0] in str(app.screen.query_one(Toast)._notification.message).replace("\n", " ")


async def test_below_60_columns_a_toast_spans_the_width_at_the_bottom_a_few_rows() -> None:
    long = "the platform says: " + " ".join(["the store is paused until 08:39, it opens again by itself"] * 4)
    app = _app()
    async with app.run_test(size=(40, 15), notifications=True) as pilot:
        await pilot.pause()
        app.say("#0008: accept sent.")
        app.say("#0009: accept sent.")
        app.say("#0010: accept sent.")
        await wait_until(pilot, lambda: len(app.screen.query(Toast)) == 3)  # short ones: all of them up
        await pilot.pause()
        for toast in app.screen.query(Toast):
            assert toast.outer_size == (40, 1)  # the screen's width (not 19), one row each
        app.say(long, severity="error")
        await wait_until(pilot, lambda: any("08:39" in str(t._notification.message) for t in app.screen.query(Toast)))
        await pilot.pause()
        toasts = list(app.screen.query(Toast))
        shown = [str(toast._notification.message).replace("\n", " ") for toast in toasts]
        assert len(shown) == 1 and shown[0].endswith("…")  # the older ones made room (5 rows and 2 > 15 // 2)
        assert toasts[0].outer_size == (40, 5)  # a third of the rows at most: said nowhere else
        rows = _screen_text(app).split("\n")
        assert rows[9].startswith("▌ the platform says") and rows[13].startswith("▌ ")  # the bottom, over the status
        assert "#0010" not in _screen_text(app)
        app.say("#0011: accept sent.")  # 2 rows more: 8 > 7, the long one makes room
        await wait_until(pilot, lambda: len(app.screen.query(Toast)) == 1 and "#0011" in _screen_text(app))
    app = _app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:  # 80 columns: as before
        await pilot.pause()
        app.say(long, severity="error")
        await wait_until(pilot, lambda: len(app.screen.query(Toast)) == 1)
        await pilot.pause()
        toast = app.screen.query_one(Toast)
        assert toast.outer_size.width == 39 and toast.styles.padding.top == 1


@pytest.fixture
def profile(platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Profile]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    seed = platform.seed
    assert seed is not None
    yield save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )


def _other_console(directory: Path) -> subprocess.Popen[str]:
    """Another process holding a console's presence on the profile, as a second `o2o console` does."""
    code = (
        "import sys, time; from pathlib import Path; from o2o_tui.console_presence import ConsolePresence; "
        "held = ConsolePresence.open(Path(sys.argv[1])); print('held' if held else 'none', flush=True); "
        "time.sleep(120)"
    )
    other = subprocess.Popen(
        [sys.executable, "-c", code, str(directory)], cwd=ROOT, stdout=subprocess.PIPE, text=True, env=os.environ
    )
    assert other.stdout is not None and other.stdout.readline().strip() == "held"
    return other


async def _quit_dialog(app: MerchantApp, pilot: object) -> str:
    await pilot.press("q")  # type: ignore[attr-defined]
    await wait_until(pilot, lambda: isinstance(app.screen, ChoicePrompt))  # type: ignore[arg-type]
    await pilot.pause()  # type: ignore[attr-defined]
    text = " ".join(_screen_text(app).replace("│", " ").split())  # the dialog's lines, out of their box
    await pilot.press("escape")  # type: ignore[attr-defined]
    await wait_until(pilot, lambda: app.screen is app.orders_screen)  # type: ignore[arg-type]
    return text


async def test_quitting_one_of_two_consoles_says_the_other_keeps_ringing_and_sending(
    platform: RunningPlatform, profile: Profile
) -> None:
    assert platform.seed is not None
    customer = api(platform, "customer")
    for _ in range(2):
        answer = await asyncio.to_thread(customer.post, "/v1/orders", order_body(platform.seed.store_id, "TAKEOUT"))
        assert answer.status_code == 201, answer.text
    app = MerchantApp(open_source(profile), profile=profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.source.link().state is LinkState.ONLINE)
        await wait_until(pilot, lambda: len(app.source.orders()) == 2)
        await wait_until(pilot, lambda: app._presence is not None)  # this console's own, once its first frame is out
        directory = app._cache_directory()
        assert directory is not None
        own = app._presence.path if app._presence else None
        assert own is not None and own.parent == directory / CONSOLES_DIR and own.exists()
        platform.stop()  # an accept now waits in the outbox
        await wait_until(pilot, lambda: app.source.link().state is not LinkState.ONLINE)
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, NumberPrompt))
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.source.link().pending == 1)
        await wait_until(pilot, lambda: app.screen is app.orders_screen)

        alone = await _quit_dialog(app, pilot)  # the only console on the profile: as before
        assert "1 order waits for an answer: with the console closed, nobody hears it." in alone
        assert "1 action is not sent yet: it goes out when the console runs again." in alone

        other = await asyncio.to_thread(_other_console, directory)
        try:
            beside = await _quit_dialog(app, pilot)
            assert "another console on this profile keeps ringing it." in beside
            assert "another console on this profile keeps sending it." in beside
            assert "nobody hears" not in beside and "runs again" not in beside
        finally:
            other.kill()
            other.wait()
        gone = await _quit_dialog(app, pilot)  # killed: its lock went with it, and its file is removed
        assert "nobody hears it" in gone and "runs again" in gone
        assert [p.name for p in (directory / CONSOLES_DIR).iterdir()] == [own.name]
    assert not own.exists()  # this console's presence ends with it

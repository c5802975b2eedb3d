"""The store screen (`s`) names the console's kitchen printer for as long as one is set: its target as the settings
name it, its paper (58 / 80 mm), how it prints Chinese, and its state (ready, down since HH:MM with the jobs
waiting), in English and Chinese, at 80x24 and 40x15; and a change of `printer_cjk` or `printer_paper` alone in
settings.json is said as that change, never as "Printer changed: now <the same printer>".

Real parts: the reference platform on loopback (the console's own cache and sync engine), a fake network printer on
loopback (switched off and on), settings.json written while the console runs.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Static

from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language
from o2o_tui.printing import PrinterConfig, parse_target
from screens import printing
from screens.console_messages import PrintRequested
from screens.launch import open_source
from screens.store_screen import PrinterLines, StoreScreen
from tests.support.fake_printer import FakePrinter
from tests.support.platform import RunningPlatform
from tests.test_ui_ended_order_keys import SayingApp
from tests.test_ui_live import wait_until
from tests.test_ui_printer_set_live import _accepted
from tests.test_ui_settings_followed import _write_settings


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


@pytest.fixture
def profile(platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Profile]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    for name in ("O2O_PRINTER", "O2O_PRINTER_PAPER", "O2O_PRINTER_CJK"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(printing, "RETRY_S", 0.2)  # the console looks at settings.json every 5 s; here sooner
    seed = platform.seed
    assert seed is not None
    yield save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )


def _line(app: SayingApp) -> str:
    """The printer line as shown (folded for its width), "" while it is hidden."""
    widget = app.screen.query_one("#printer", Static)
    if not widget.display:
        return ""
    shown = widget.visual
    assert isinstance(shown, PrinterLines)
    return shown.at(widget.content_region.width or widget.size.width).plain


def _said(app: SayingApp) -> list[str]:
    return list(getattr(app, "said", []))


async def test_the_store_screen_names_the_printer_and_its_state_and_says_what_changed(
    platform: RunningPlatform, profile: Profile
) -> None:
    order_id = await asyncio.to_thread(_accepted, platform)
    with FakePrinter() as fake:
        fake.power_off()
        _write_settings({"printer": fake.target, "printer_paper": 58})
        app = SayingApp(open_source(profile), profile=profile)
        async with app.run_test(size=(80, 24)) as pilot:
            queue = app.orders_screen.queue
            await wait_until(pilot, lambda: queue.entry(order_id) is not None)
            await wait_until(pilot, lambda: app.printing is not None)
            await pilot.press("s")
            await wait_until(pilot, lambda: isinstance(app.screen, StoreScreen) and app.source.store() is not None)
            await wait_until(pilot, lambda: "Ready: nothing waiting" in _line(app))
            named = f"Printer: {fake.target}, 58 mm paper, Chinese: native"
            assert _line(app).splitlines()[0] == named

            app.post_message(PrintRequested(order_id, reprint=True))  # the printer is off: it waits
            await wait_until(pilot, lambda: "waiting" in _line(app) and "since" in _line(app))
            state = _line(app).splitlines()[1]
            assert re.fullmatch(r"Printer offline since \d\d:\d\d, 1 waiting", state), state
            assert app.screen.query_one("#printer").has_class("-down")

            fake.power_on()  # the retry prints it
            await wait_until(pilot, lambda: fake.printed.cuts >= 1)
            await wait_until(pilot, lambda: "last printed" in _line(app))
            assert re.fullmatch(r"Ready: nothing waiting \(last printed \d\d:\d\d\)", _line(app).splitlines()[1])
            assert not app.screen.query_one("#printer").has_class("-down")

            # how it prints Chinese, alone: said as such, not as a new printer
            _write_settings({"printer": fake.target, "printer_paper": 58, "printer_cjk": "image"})
            await wait_until(pilot, lambda: "Chinese: as images" in _line(app))
            changed = [text for text in _said(app) if "settings.json" in text]
            cjk = f"Chinese printing changed in settings.json: {fake.target} now prints Chinese as images (image)."
            assert changed == [cjk], changed

            # the paper alone: said as such
            _write_settings({"printer": fake.target, "printer_paper": 80, "printer_cjk": "image"})
            await wait_until(pilot, lambda: "80 mm paper" in _line(app))
            changed = [text for text in _said(app) if "settings.json" in text]
            paper = f"Printer paper changed in settings.json: tickets on {fake.target} now print for 80 mm paper."
            assert changed == [cjk, paper], changed

            _write_settings({})  # no printer: nothing about one
            await wait_until(pilot, lambda: _line(app) == "")


async def test_on_a_small_screen_the_printer_takes_three_lines_and_the_store_stays_in_view(
    platform: RunningPlatform, profile: Profile
) -> None:
    """40x15, in Chinese and in English, the printer off with a ticket waiting: the line folds to three rows at
    most (the state in its shorter words when the longer do not fit), the screen does not scroll (the store's name
    stays on the first row) and the opening hours keep rows."""
    order_id = await asyncio.to_thread(_accepted, platform)
    with FakePrinter() as fake:
        fake.condition = "paper_out"
        _write_settings({"printer": fake.target, "printer_paper": 58})
        set_language("zh")
        await _small_screen(profile, order_id, r"打印机缺纸，自 \d\d:\d\d 起，1 张待打印")
        set_language("en")  # the queue is the profile's: it kept the first; the long words take 44 cells of 38
        await _small_screen(profile, order_id, r"Printer out of paper, 2 waiting")


async def _small_screen(profile: Profile, order_id: str, waiting: str) -> None:
    app = SayingApp(open_source(profile), profile=profile)
    async with app.run_test(size=(40, 15)) as pilot:
        await wait_until(pilot, lambda: app.orders_screen.queue.entry(order_id) is not None)
        await wait_until(pilot, lambda: app.printing is not None)
        app.post_message(PrintRequested(order_id, reprint=True))
        await pilot.press("s")
        await wait_until(pilot, lambda: isinstance(app.screen, StoreScreen))
        await wait_until(pilot, lambda: re.search(waiting, _line(app)) is not None)
        rows = _line(app).splitlines()
        assert len(rows) <= 3, rows
        assert re.fullmatch(waiting, rows[-1]), rows
        assert app.screen.query_one("#printer").size.height == len(rows)
        assert app.screen.scroll_offset.y == 0
        assert app.screen.query_one("#store-name").region.y == 0
        assert app.screen.query_one("#hours").size.height >= 2


def test_the_printer_is_named_without_a_password() -> None:
    config = PrinterConfig(parse_target("tcp://user:secret@10.0.0.9:9100"), "native", 58)
    assert "secret" not in printing.shown_target(config)
    assert printing.unsecret("tcp://user:secret@10.0.0.9") == "tcp://…@10.0.0.9"
    assert printing.shown_target(PrinterConfig(parse_target("tcp://10.0.0.9"), "native")) == "tcp://10.0.0.9:9100"
    assert printing.unsecret("file:/var/tickets.bin") == "file:/var/tickets.bin"


async def test_a_printer_setting_the_console_cannot_use_is_named_with_nothing_printing(
    platform: RunningPlatform, profile: Profile
) -> None:
    """Said once in a toast at start; the store screen keeps saying it (nothing prints) until it is mended."""
    _write_settings({"printer": "lpt1"})
    app = SayingApp(open_source(profile), profile=profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.printing is not None)
        await pilot.press("s")
        await wait_until(pilot, lambda: isinstance(app.screen, StoreScreen) and _line(app) != "")
        rows = _line(app).splitlines()
        assert rows[0].startswith("Printer: the setting lpt1 is not tcp://HOST[:PORT]"), rows
        assert rows[-1] == "Nothing prints here until the setting is mended", rows
        assert app.screen.query_one("#printer").has_class("-down")
        with FakePrinter() as fake:
            _write_settings({"printer": fake.target})  # mended: named, and it prints
            await wait_until(pilot, lambda: _line(app).startswith(f"Printer: {fake.target}, 80 mm paper"))

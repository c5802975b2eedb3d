"""A running console follows settings.json (no restart): a new `printer` takes the next ticket (the old one prints no
more), a printer removed prints nothing more, and `voice` turned on in the file is heard at the next new order.
Pilot on an in-memory source, fake network printers on loopback, a fake speech engine (a real subprocess)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

import pytest

from o2o_tui.domain.order import OrderStatus, OrderType
from o2o_tui.i18n import set_language
from o2o_tui.paths import config_dir
from screens import printing
from tests.support.fake_printer import FakePrinter
from tests.test_ui_live import wait_until
from tests.test_ui_printing import _app
from tests.test_ui_samples import FROZEN_NOW, sample_order
from tests.test_ui_simple import SimpleApp, _source
from tests.test_voice import fake_engine, spoken


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _write_settings(values: dict[str, object]) -> None:
    path = config_dir() / "settings.json"
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(json.dumps(values), encoding="utf-8")
    if path.stat().st_mtime_ns <= before:  # a file system with a coarse clock: the change must show in the stamp
        os.utime(path, ns=(before + 10_000_000, before + 10_000_000))


async def test_a_new_printer_in_settings_takes_the_next_ticket_without_a_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("O2O_PRINTER", raising=False)
    monkeypatch.setattr(printing, "RETRY_S", 0.2)
    with FakePrinter() as old, FakePrinter() as new:
        _write_settings({"printer": old.target})
        app = _app()
        said: list[str] = []
        real_say = app.say
        monkeypatch.setattr(app, "say", lambda text, **kw: (said.append(text), real_say(text, **kw))[1])
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("down", "k")  # #0041, accepted: a reprint
            assert "#0041" in old.wait_for_cuts(1).tickets()[0]

            _write_settings({"printer": new.target})
            await wait_until(pilot, lambda: app.printing is not None and str(app.printing.config.target) in new.target)
            assert any("Printer changed in settings.json: now tcp://127.0.0.1" in text for text in said), said
            await pilot.press("k")
            assert "#0041" in new.wait_for_cuts(1).tickets()[0]
            assert old.printed.cuts == 1  # the old printer got nothing more

            _write_settings({})  # no printer any more
            await wait_until(pilot, lambda: app.printing is not None and app.printing.config is None)
            assert not app.orders_screen.check_action("reprint", ())  # no printer: `k` is not offered
            await pilot.press("k")
            await pilot.pause(0.5)
            assert old.printed.cuts == 1 and new.printed.cuts == 1
            assert any("No printer in settings.json now" in text for text in said), said


class _DoneAtOnce(ThreadPoolExecutor):
    """A printer thread that finishes each job before `submit` returns: what a busy machine does now and then (the
    thread runs the job while the loop's thread waits for the CPU), here every time."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:  # type: ignore[override]
        future = super().submit(fn, *args, **kwargs)
        wait([future])
        return future


async def test_a_print_job_done_before_the_console_looks_still_lets_the_settings_be_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A job that ended before its done-callback was attached had that callback run on the loop's own thread, where
    Textual's `call_from_thread` refuses: the console stayed "busy", never retried, never looked at settings again."""
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("O2O_PRINTER", raising=False)
    monkeypatch.setattr(printing, "RETRY_S", 0.2)
    monkeypatch.setattr(printing, "ThreadPoolExecutor", _DoneAtOnce)
    with FakePrinter() as fake:
        _write_settings({"printer": fake.target})
        app = _app()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("down", "k")  # #0041, accepted: a reprint
            assert "#0041" in fake.wait_for_cuts(1).tickets()[0]
            _write_settings({})
            await wait_until(pilot, lambda: app.printing is not None and app.printing.config is None, timeout=10)


async def test_voice_turned_on_in_settings_is_heard_at_the_next_new_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    program, log = fake_engine(tmp_path)
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("O2O_VOICE", raising=False)
    monkeypatch.setenv("O2O_VOICE_ENGINE", str(program))
    _write_settings({"voice": False})
    source = _source([])
    app = SimpleApp(source, clock=lambda: FROZEN_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        source.put(sample_order(43, OrderStatus.CREATED, minutes_ago=0, order_type=OrderType.TAKEOUT))
        await wait_until(pilot, lambda: app.bells >= 1, timeout=5)
        await pilot.pause(0.5)
        assert spoken(log) == []  # voice off: the bell alone
        _write_settings({"voice": True})
        source.put(sample_order(44, OrderStatus.CREATED, minutes_ago=0, order_type=OrderType.TAKEOUT))
        await wait_until(pilot, lambda: any("New order 44" in line for line in spoken(log)), timeout=5)
        _write_settings({"voice": False})
        source.put(sample_order(45, OrderStatus.CREATED, minutes_ago=0, order_type=OrderType.TAKEOUT))
        await wait_until(pilot, lambda: app.bells >= 3, timeout=5)
        await pilot.pause(0.5)
        assert not any("New order 45" in line for line in spoken(log))

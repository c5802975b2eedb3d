"""The print queue follows the personal-data purge: a ticket waiting for a broken printer carries the order's notes
and the customer's name, so the jobs of orders that ended longer than the cache's window ago (O2O_PURGE_PERSONAL_HOURS)
are dropped unprinted, and `o2o print status` says so. The CLI against the real platform on loopback (its own
profile, a fake network printer); the console's purge, on the cache's retention schedule, in Pilot.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest
from typer.testing import CliRunner

from o2o_tui.cli import app
from o2o_tui.config import Profile, profile_cache_dir
from o2o_tui.domain.order import Order, OrderStatus
from o2o_tui.i18n import set_language
from o2o_tui.printing.layout import JobKind, kitchen_ticket
from o2o_tui.printing.spool import QUEUE_FILE, PrintQueue
from o2o_tui.sync.engine import SyncSettings
from screens import printing
from screens.app import MerchantApp
from screens.memory_source import MemoryOrderSource
from screens.source import QueueEntry
from screens.widgets.status_bar import StatusBar
from tests.support.fake_printer import FakePrinter
from tests.support.platform import RunningPlatform, api, order_body
from tests.test_ui_samples import sample_order, sample_store

WINDOW_S = 2.0
GONE_NOTE, LIVE_NOTE = "CANARYGONE gate code 4711", "CANARYLIVE 不要香菜"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _o2o(home: Path, *args: str, printer: str, hours: float | None = None, as_json: bool = True) -> Any:
    env = {
        "O2O_HOME": str(home),
        "O2O_LANG": "en",
        "O2O_PRINTER": printer,
        "O2O_PROFILE": None,
        "O2O_PURGE_PERSONAL_HOURS": None if hours is None else str(hours),
        "COLUMNS": "200",
    }
    result = CliRunner().invoke(
        app, [*args, *(["--json"] if as_json else [])], env=env, catch_exceptions=False
    )
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return json.loads(result.stdout) if as_json else result.stdout


def _queue_text(home: Path) -> str:
    [path] = home.rglob(QUEUE_FILE)
    return path.read_text(encoding="utf-8")


def test_o2o_print_drops_the_waiting_tickets_of_orders_ended_longer_than_the_window(
    shared_platform: RunningPlatform, tmp_path: Path
) -> None:
    seeded = shared_platform.seed
    assert seeded is not None
    home = tmp_path / "home"
    customer, merchant = api(shared_platform, "customer"), api(shared_platform, "merchant")
    orders = []
    for note in (GONE_NOTE, LIVE_NOTE):
        created = customer.post("/v1/orders", order_body(seeded.store_id, "TAKEOUT", note=note))
        assert created.status_code == 201, created.text
        order = created.json()
        accepted = merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 5})
        assert accepted.status_code == 200, accepted.text
        orders.append(accepted.json())
    gone, live = orders
    gone_number, live_number = (f"#{order['number']:04d}" for order in orders)
    with FakePrinter() as printer:
        _o2o(
            home,
            "login",
            "--url",
            shared_platform.url,
            "--token",
            seeded.tokens["merchant"],
            printer=printer.target,
        )
        _o2o(home, "sync", "--once", printer=printer.target)
        printer.power_off()  # the printer breaks: both tickets wait
        for order in (gone, live):
            assert _o2o(home, "print", "ticket", order["id"], printer=printer.target)["queued"] is True
        assert GONE_NOTE in _queue_text(home) and LIVE_NOTE in _queue_text(home)

        cancelled = merchant.post(f"/v1/orders/{gone['id']}/cancel", {"reason_code": "OUT_OF_STOCK"})
        assert cancelled.status_code == 200, cancelled.text
        _o2o(home, "sync", "--once", printer=printer.target)
        kept = _o2o(home, "print", "status", printer=printer.target)  # the default window: 6 hours
        assert kept["waiting"] == 2 and kept["purged"] == 0

        time.sleep(WINDOW_S + 0.5)  # the cancelled order ended longer than the window ago
        hours = WINDOW_S / 3600
        status = _o2o(home, "print", "status", printer=printer.target, hours=hours)
        assert status["waiting"] == 1
        assert [job["display_number"] for job in status["jobs"]] == [live_number]
        assert status["purged"] == 1 and status["purged_numbers"] == [gone["number"]]
        assert status["purged_display_numbers"] == [gone_number]
        assert GONE_NOTE not in _queue_text(home) and LIVE_NOTE in _queue_text(home)
        said = _o2o(home, "print", "status", printer=printer.target, hours=hours, as_json=False)
        assert "1 job was dropped unprinted: its order had ended more than" in str(said), said
        assert f": {gone_number}." in str(said), said

        printer.power_on()
        _o2o(
            home, "print", "ticket", live["id"], printer=printer.target, hours=hours
        )  # the waiting one first
        tickets = printer.wait_for_cuts(2).tickets()
        assert all(gone_number not in "\n".join(ticket) for ticket in tickets)
        assert all(live_number in "\n".join(ticket) for ticket in tickets)
        time.sleep(0.5)
        assert printer.printed.cuts == 2  # the dropped ticket never prints
    customer.close()
    merchant.close()


def _placed_at(order: Order, moment: datetime) -> Order:
    """`order` with its times moved by as much as places it at `moment`."""
    shift = moment - order.created_at
    moved = {
        name: value + shift
        for name in order.__struct_fields__
        if isinstance(value := getattr(order, name), datetime)
    }
    return msgspec.structs.replace(order, **moved)


def _status(app: MerchantApp) -> str:
    return str(app.screen.query_one(StatusBar).render())


async def _until(condition: object, seconds: float = 8.0) -> None:
    import asyncio

    for _ in range(int(seconds / 0.05)):
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met")


def test_the_console_purges_on_the_schedule_of_the_caches_retention() -> None:
    assert SyncSettings().retention_every == printing.PURGE_EVERY_S


async def test_the_console_drops_the_waiting_tickets_of_orders_long_gone_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A console that kept running (its clock 7 hours on): the ticket of an order that ended, and one of an order
    its cache no longer holds (queued as long ago), go; so does that of an order left open 80 hours past its
    promise (`O2O_PURGE_OPEN_HOURS`: 72), said apart; the open order's ticket waits, and prints."""
    now = datetime.now(UTC)
    ended = msgspec.structs.replace(
        sample_order(41, OrderStatus.CANCELLED, minutes_ago=30, note=GONE_NOTE), ended_at=now
    )
    live = _placed_at(sample_order(42, OrderStatus.PREPARING, minutes_ago=20), now - timedelta(minutes=20))
    left_open = _placed_at(
        sample_order(43, OrderStatus.PREPARING, minutes_ago=0, note=GONE_NOTE), now - timedelta(hours=73)
    )
    profile = Profile(
        name="counter", url="http://127.0.0.1:9", token="t", role="merchant", store_id="store-1"
    )
    with FakePrinter() as printer:
        monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
        monkeypatch.setenv("O2O_PRINTER", printer.target)
        monkeypatch.delenv("O2O_PURGE_PERSONAL_HOURS", raising=False)  # the default window, 6 hours
        monkeypatch.setattr(printing, "RETRY_S", 0.2)
        printer.power_off()
        queue = PrintQueue(profile_cache_dir(profile))
        for order in (ended, live, left_open):
            queue.add(
                JobKind.TICKET,
                kitchen_ticket(order, None, now),
                order_id=order.id,
                number=order.display_number,
            )
        queue.add(JobKind.TICKET, kitchen_ticket(ended, None, now), order_id="ord-pruned", number="#0040")
        queue.close()

        entries = [QueueEntry(ended), QueueEntry(live), QueueEntry(left_open)]
        source = MemoryOrderSource(entries, store=sample_store())
        app = MerchantApp(source, clock=lambda: datetime.now(UTC) + timedelta(hours=7), profile=profile)
        said: list[str] = []
        app.say = lambda text, **_: said.append(text)  # type: ignore[method-assign]
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await _until(lambda: "Printer offline: 1 to print" in _status(app))
            # said on the app's loop after the status is shown: waited for (a loaded machine saw it one turn later)
            await _until(lambda: "2 unprinted tickets dropped: their orders ended more than 6 h ago." in said)
            assert "1 unprinted ticket dropped: its order stayed open more than 72 h past its promised time." in said
            printer.power_on()
            await _until(lambda: "Printer" not in _status(app))
            await pilot.pause(0.5)
        [ticket] = printer.printed.tickets()
        assert "#0042" in "\n".join(ticket)
        after = PrintQueue(profile_cache_dir(profile))
        state = after.state()
        assert (state.purged, sorted(state.purged_numbers)) == (3, ["#0040", "#0041", "#0043"])
        assert GONE_NOTE not in (profile_cache_dir(profile) / QUEUE_FILE).read_text(encoding="utf-8")
        after.close()

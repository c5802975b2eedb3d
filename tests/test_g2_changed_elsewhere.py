"""The handheld when a task changes under the courier (the courier's other handheld, dispatch, the platform): the
first digit after it only says what changed, and message lines the new state makes untrue go. An in-memory
source stands for the other device: `put` is a change no key on this handheld made."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot

from o2o_tui.domain.transitions import DeliveryStatus
from screens import courier_screens
from screens.courier_app import CourierApp
from screens.courier_memory_source import MemoryCourierSource
from screens.courier_screens import ConfirmScreen, TaskListScreen, TaskScreen
from screens.courier_source import TaskView
from tests.support.handheld import handheld_home, message
from tests.test_ui_courier_snapshots import courier, delivery

SETTLE = 0.1  # the settle and burst times, shortened so the test runs quickly (their order kept: CHANGED_S longest)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(courier_screens, "SETTLE_S", SETTLE)
    monkeypatch.setattr(courier_screens, "BURST_S", SETTLE)
    monkeypatch.setattr(courier_screens, "CHANGED_S", 0.6)
    yield from handheld_home(tmp_path, monkeypatch)


def _app(*views: TaskView) -> tuple[CourierApp, MemoryCourierSource]:
    source = MemoryCourierSource(views, courier=courier())
    return CourierApp(source, ascii_only=False), source  # type: ignore[arg-type]


def _steps(source: MemoryCourierSource) -> list[str]:
    return [action for action, _target, _body in source.submitted]


async def _open_task(pilot: Pilot[None], app: CourierApp) -> None:
    await pilot.press("1")
    assert isinstance(app.screen, TaskScreen)
    await pilot.pause(SETTLE + 0.1)


async def test_accepted_on_the_other_handheld_the_next_keys_take_no_step(home: Path) -> None:
    """#0005 accepted on the other phone while this one shows the offer: "4, 1" (reject, yes) must not send
    "Arrived at store"; the first key says what changed, the keys right after it pick nothing, later ones work."""
    app, source = _app(TaskView(delivery(5, DeliveryStatus.PENDING)))
    async with app.run_test(size=(40, 16)) as pilot:
        await _open_task(pilot, app)
        source.put(TaskView(delivery(5, DeliveryStatus.ACCEPTED)))  # the accept from the other handheld arrives
        await pilot.pause(SETTLE + 0.2)  # past the settle time: the bug took the next key then
        await pilot.press("4")
        assert message(app) == "#0005 changed elsewhere, now To store: look, then press again"
        await pilot.pause(SETTLE + 0.2)  # past a burst's time: "1" came 1.2 s after "No line 4" in the report
        await pilot.press("1")
        assert _steps(source) == []
        await pilot.pause(0.7)  # the look taken: keys work again
        await pilot.press("1")
        assert _steps(source) == ["delivery.arrived_at_merchant"]


async def test_the_reject_question_closed_by_the_other_handheld_takes_no_step(home: Path) -> None:
    """The reject question open when the accept arrives: it closes, and its "1" takes nothing on the task."""
    app, source = _app(TaskView(delivery(5, DeliveryStatus.PENDING)))
    async with app.run_test(size=(40, 16)) as pilot:
        await _open_task(pilot, app)
        await pilot.press("4")
        assert isinstance(app.screen, ConfirmScreen)
        source.put(TaskView(delivery(5, DeliveryStatus.ACCEPTED)))
        await pilot.pause(SETTLE + 0.2)
        assert isinstance(app.screen, TaskScreen)
        await pilot.press("1")
        assert _steps(source) == []
        assert message(app).startswith("#0005 changed elsewhere")


async def test_a_step_taken_here_is_not_slowed(home: Path) -> None:
    """The task moving on as this handheld's own step leads: the next step is taken with the first key."""
    app, source = _app(TaskView(delivery(5, DeliveryStatus.PENDING)))
    async with app.run_test(size=(40, 16)) as pilot:
        await _open_task(pilot, app)
        await pilot.press("1")
        await pilot.pause(SETTLE + 0.1)
        source.put(TaskView(delivery(5, DeliveryStatus.ACCEPTED)))  # the platform confirms this device's accept
        await pilot.pause(SETTLE + 0.2)
        await pilot.press("1")
        assert _steps(source) == ["delivery.accept", "delivery.arrived_at_merchant"]


async def test_a_step_said_done_goes_once_the_task_moved_on_elsewhere(home: Path) -> None:
    """"#0005: at the store" stays while it is true, and goes once the other handheld took it to the customer."""
    app, source = _app(TaskView(delivery(5, DeliveryStatus.ACCEPTED)))
    async with app.run_test(size=(40, 16)) as pilot:
        await _open_task(pilot, app)
        await pilot.press("1")
        assert message(app) == "#0005: at the store"
        source.put(TaskView(delivery(5, DeliveryStatus.ARRIVED_AT_MERCHANT)))  # confirmed: still true
        await pilot.pause()
        assert message(app) == "#0005: at the store"
        source.put(TaskView(delivery(5, DeliveryStatus.ARRIVED_AT_CUSTOMER)))  # the other handheld went on
        await pilot.pause()
        assert message(app) == ""


async def test_new_offers_taken_elsewhere_leave_the_line(home: Path) -> None:
    """"New offer #0006, #0007": #0006 rejected on the other handheld leaves #0007; #0007 accepted there too
    leaves nothing."""
    app, source = _app()
    async with app.run_test(size=(40, 16)) as pilot:
        now = datetime.now(UTC)
        for number in (6, 7):
            source.put(TaskView(delivery(number, DeliveryStatus.PENDING, created_at=now)))
            await pilot.pause()
        assert isinstance(app.screen, TaskListScreen)
        assert message(app) == "New offer #0006, #0007"
        source.put(TaskView(delivery(6, DeliveryStatus.REJECTED, created_at=now)))
        await pilot.pause()
        assert message(app) == "New offer #0007"
        source.put(TaskView(delivery(8, DeliveryStatus.PENDING, created_at=now)))  # joins the line still shown
        await pilot.pause()
        assert message(app) == "New offer #0007, #0008"
        for number in (7, 8):
            source.put(TaskView(delivery(number, DeliveryStatus.ACCEPTED, created_at=now)))
        await pilot.pause()
        assert message(app) == ""

"""Snapshots of the courier handheld at the sizes a handheld has (40x16, 40x8 with a soft keyboard up, 20x16), in
both languages and in ASCII, with fixed tasks.

Update after an intended change with `pytest tests/test_ui_courier_snapshots.py --snapshot-update` and look at the
SVGs.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from o2o_tui.domain.fleet import Courier, CourierStatus, Delivery, DeliveryProblem, ProblemReason
from o2o_tui.domain.geo import Address, Position
from o2o_tui.domain.transitions import DeliveryStatus
from o2o_tui.i18n import set_language
from screens.courier_app import CourierApp
from screens.courier_memory_source import MemoryCourierSource
from screens.courier_source import TaskView
from screens.source import LinkState, LinkStatus
from screens.terminal import ANSI_THEME, DEFAULT_THEME

NOW = datetime(2026, 11, 25, 4, 30, 0, tzinfo=UTC)
STORE = Address("上海市黄浦区南京东路 100 号 100 Nanjing East Rd", Position(31.2304, 121.4737))


def delivery(number: int, status: DeliveryStatus, **changes: object) -> Delivery:
    base = Delivery(
        id=f"dl_{number:04d}",
        order_id=f"ord_{number}",
        order_number=number,
        store_id="st_1",
        courier_id="cr_1",
        status=status,
        pickup=STORE,
        dropoff=Address(f"人民广场 {number} 号 People's Square {number}, building 3, east gate, 12th floor"),
        customer_name="[b]Li Na[/b]",
        customer_phone="138****1111",
        version=2,
        created_at=NOW - timedelta(minutes=30 - number),
        updated_at=NOW - timedelta(minutes=10 - number),
        ready_at=NOW + timedelta(minutes=number),
        note="Call before arriving; the dog at the door is friendly.\x1b]0;x\x07",
        store_name="老王川菜馆 Lao Wang Sichuan Kitchen",
        store_timezone="Asia/Shanghai",
    )
    return Delivery(**{**{f: getattr(base, f) for f in base.__struct_fields__}, **changes})


def sample_tasks() -> list[TaskView]:
    return [
        TaskView(delivery(42, DeliveryStatus.PENDING)),
        TaskView(delivery(43, DeliveryStatus.ARRIVED_AT_MERCHANT), pending=("delivery.arrived_at_merchant",)),
        TaskView(
            delivery(
                44,
                DeliveryStatus.PICKED_UP,
                problems=[DeliveryProblem(reason=ProblemReason.NOBODY_TO_RECEIVE, occurred_at=NOW)],
            ),
            refusal="order #0044: the delivery code was wrong",
        ),
    ]


def courier(status: CourierStatus = CourierStatus.TO_MERCHANT) -> Courier:
    return Courier(id="cr_1", name="张伟 Zhang Wei", status=status, capacity=3, version=4)


def _app(
    *, link: LinkState = LinkState.ONLINE, ascii_only: bool = False, theme: str = DEFAULT_THEME
) -> CourierApp:
    status = LinkStatus(link, pending=1 if link is LinkState.OFFLINE else 0)
    source = MemoryCourierSource(sample_tasks(), courier=courier(), link=status)
    return CourierApp(source, ascii_only=ascii_only, theme=theme)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def shanghai_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    monkeypatch.setattr("screens.courier_format.clock_now", lambda: NOW)  # the day the tasks' times fall on
    yield
    monkeypatch.delenv("TZ")
    time.tzset()


@pytest.fixture(autouse=True)
def keys_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pictures are of what the keys lead to: no settle time between the keys pressed."""
    monkeypatch.setattr("screens.courier_screens.SETTLE_S", 0.0)


@pytest.fixture
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


@pytest.fixture
def chinese() -> Iterator[None]:
    set_language("zh")
    yield
    set_language(None)


SIZES = [(40, 16), (40, 8), (20, 16)]
IDS = ["40x16", "40x8", "20x16"]


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_task_list(snap_compare, english: None, size: tuple[int, int]) -> None:
    assert snap_compare(_app(), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_task(snap_compare, english: None, size: tuple[int, int]) -> None:
    assert snap_compare(_app(), press=["3"], terminal_size=size)


def test_offer_chinese(snap_compare, chinese: None) -> None:
    assert snap_compare(_app(), press=["1"], terminal_size=(40, 16))


def test_code_field(snap_compare, english: None) -> None:
    assert snap_compare(_app(), press=["2", "1", "4", "2"], terminal_size=(40, 16))


def test_problem_reasons(snap_compare, english: None) -> None:
    assert snap_compare(_app(), press=["3", "3"], terminal_size=(40, 16))


def test_offline_ascii_sixteen_colours(snap_compare, english: None) -> None:
    assert snap_compare(
        _app(link=LinkState.OFFLINE, ascii_only=True, theme=ANSI_THEME), terminal_size=(40, 16)
    )


def test_too_small(snap_compare, english: None) -> None:
    async def settle(pilot) -> None:  # the size check runs after the first paint
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(_app(), terminal_size=(19, 7), run_before=settle)

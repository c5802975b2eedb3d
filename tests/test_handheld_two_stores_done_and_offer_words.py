"""A platform courier holding two stores' #0014: "accepted/delivered" (done), "queued" and "New offer" name the
store, as the other news does; one order of that number keeps the short form. A "queued" line turns "done" only
for the delivery it was about, even when two queued lines read alike (two branches of one store name).
On the memory source (the key tests of tests/test_handheld_two_stores_same_number.py do the same)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from o2o_tui.domain.transitions import DeliveryStatus
from o2o_tui.i18n import set_language
from o2o_tui.ssh_gate import GATE_ENV
from screens.courier_memory_source import MemoryCourierSource
from screens.courier_screens import TaskListScreen, TaskScreen
from screens.courier_source import TaskView
from screens.courier_widgets import Line
from screens.source import LinkState, LinkStatus
from tests.test_ui_courier import CountingApp, settled, wait_until
from tests.test_ui_courier_snapshots import courier, delivery

GOLDEN = "Golden Dumplings"
OURS = "老王川菜馆 Lao …"  # "老王川菜馆 Lao Wang Sichuan Kitchen" as news tags it (NEWS_STORE_CELLS)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    monkeypatch.delenv(GATE_ENV, raising=False)
    set_language("en")
    yield tmp_path / "home"
    set_language(None)


def _message(app: CountingApp) -> str:
    return app.screen.query_one("#message", Line).shown


def _golden(status: DeliveryStatus, **changes: object) -> TaskView:
    fields = {"id": "dl_golden", "order_id": "ord_golden", "store_id": "st_2", "store_name": GOLDEN, **changes}
    return TaskView(delivery(14, status, **fields))


def _moved(view: TaskView, status: DeliveryStatus) -> TaskView:
    return TaskView(delivery(14, status, **{f: getattr(view.delivery, f) for f in ("id", "order_id", "store_id",
                                                                               "store_name")}))  # fmt: skip


async def _step_one(app: CountingApp, pilot: object, delivery_id: str) -> None:
    """Open the task and take its first line (an accepted task: "Arrived at store")."""
    app.push_screen(TaskScreen(delivery_id))
    await settled(pilot)  # type: ignore[arg-type]
    await pilot.press("1")  # type: ignore[attr-defined]
    await settled(pilot)  # type: ignore[arg-type]


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_done_words_name_the_store_while_two_share_the_number(home: Path, lang: str) -> None:
    set_language(lang)
    source = MemoryCourierSource(
        [TaskView(delivery(14, DeliveryStatus.ACCEPTED)), _golden(DeliveryStatus.ACCEPTED)], courier=courier()
    )
    app = CountingApp(source)  # type: ignore[arg-type]
    async with app.run_test(size=(40, 16)) as pilot:
        await _step_one(app, pilot, "dl_golden")
        said = {"en": f"{GOLDEN} #0014: at the store", "zh": f"{GOLDEN} #0014：已到店"}[lang]
        assert source.submitted[-1][:2] == ("delivery.arrived_at_merchant", "dl_golden")
        assert _message(app) == said
    # one of that number: the short form
    alone = MemoryCourierSource([_golden(DeliveryStatus.ACCEPTED)], courier=courier())
    app = CountingApp(alone)  # type: ignore[arg-type]
    async with app.run_test(size=(40, 16)) as pilot:
        await _step_one(app, pilot, "dl_golden")
        assert _message(app) == {"en": "#0014: at the store", "zh": "#0014：已到店"}[lang]


async def test_queued_names_the_store_and_turns_done_only_for_its_own_delivery(home: Path) -> None:
    # two branches of one store name: both queued lines read "Golden Dumplings #0014: queued, not yet confirmed"
    ours = _golden(DeliveryStatus.ACCEPTED, id="dl_a", order_id="ord_a", store_id="st_a")
    theirs = _golden(DeliveryStatus.ACCEPTED, id="dl_b", order_id="ord_b", store_id="st_b")
    source = MemoryCourierSource([ours, theirs], courier=courier(), link=LinkStatus(LinkState.OFFLINE, pending=1))
    app = CountingApp(source)  # type: ignore[arg-type]
    queued = f"{GOLDEN} #0014: queued, not yet confirmed"
    async with app.run_test(size=(40, 16)) as pilot:
        await _step_one(app, pilot, "dl_a")
        assert _message(app) == queued
        app.pop_screen()
        await settled(pilot)
        await _step_one(app, pilot, "dl_b")  # the line on B's task now: about B
        assert _message(app) == queued
        b_screen = app.screen
        source.put(_moved(ours, DeliveryStatus.ARRIVED_AT_MERCHANT))  # A confirmed first
        await pilot.pause()
        assert _message(app) == queued  # still B's: A's "done" does not land on it
        source.put(_moved(theirs, DeliveryStatus.ARRIVED_AT_MERCHANT))  # then B
        await wait_until(pilot, lambda: _message(app) != queued)
        assert app.screen is b_screen and _message(app) == f"{GOLDEN} #0014: at the store"


async def test_a_new_offer_names_its_store_when_another_of_its_number_is_held(home: Path) -> None:
    source = MemoryCourierSource([TaskView(delivery(14, DeliveryStatus.ACCEPTED))], courier=courier())
    app = CountingApp(source)  # type: ignore[arg-type]
    async with app.run_test(size=(40, 16)) as pilot:
        await settled(pilot)
        assert isinstance(app.screen, TaskListScreen)
        now = datetime.now(UTC) + timedelta(seconds=1)
        source.put(_golden(DeliveryStatus.PENDING, created_at=now))
        await wait_until(pilot, lambda: _message(app).startswith("New offer"))
        assert _message(app) == f"New offer {GOLDEN} #0014"
        bells = app.bells
        app.screen.say("")  # read: a new offer while the line still says the last joins it (test_j1_handheld_link_drop)
        source.put(TaskView(delivery(3, DeliveryStatus.PENDING, created_at=now)))  # no other #0003: the number
        await wait_until(pilot, lambda: app.bells > bells)
        assert _message(app) == "New offer #0003"
        # and the order held meanwhile, named the same way in the other language
        set_language("zh")
        app.screen.say("")
        source.put(TaskView(delivery(14, DeliveryStatus.PENDING, id="dl_c", store_id="st_3", created_at=now)))
        await wait_until(pilot, lambda: _message(app).startswith("新派单"))
        assert _message(app) == f"新派单 {OURS} #0014"

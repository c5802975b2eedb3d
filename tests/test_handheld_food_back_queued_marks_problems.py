"""Three things the courier handheld said wrong:

- "Food back at the store" confirmed offline said it was done ("#0008：餐品已送回门店") while the status line said
  "1 queued": it says "queued, not yet confirmed" as every other step taken offline does, and "food back at the
  store" once the platform has it (real server, real cache, a fault proxy for the dropped link);
- the queued mark was "…", the cut mark too: "1…#0004 CUST 老王川菜馆 Lao Wang Sichua…" read as two cuts; it is
  "~" in every glyph set (one cell, every font), never the cut mark;
- a problem reported at the store ("Order not ready") still read as a current problem after the next step, while
  the platform clears the store's open problem at that step (docs/api.md): it reads as what was reported, with
  its time ("Reported: Order not ready (12:41)").
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.cells import cell_len

from o2o_tui.domain.fleet import DeliveryProblem, ProblemReason
from o2o_tui.domain.transitions import DeliveryStatus
from o2o_tui.i18n import set_language, t
from screens.courier_format import ASCII, CONSOLE, UNICODE, detail_fields, row_text
from screens.courier_memory_source import MemoryCourierSource
from screens.courier_screens import ConfirmScreen, TaskListScreen, TaskScreen
from screens.courier_source import TaskView
from screens.courier_widgets import Line
from screens.source import LinkState, LinkStatus
from tests.support.faultproxy import FaultProxy
from tests.support.handheld import (
    drop_link,
    first_courier_id,
    handheld_home,
    message,
    offer_with_code,
    pick_up_offline,
    proxied_profile,
)
from tests.support.platform import RunningPlatform
from tests.test_ui_courier import (
    CountingApp,
    call,
    open_source,
    screen_text,
    server_order,
    settled,
    status_line,
    wait_until,
)
from tests.test_ui_courier_snapshots import courier, delivery


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield from handheld_home(tmp_path, monkeypatch, clear_ssh_gate=True)


# 1. food back at the store, confirmed offline: queued, not done ----------------------------------------------


@pytest.mark.parametrize("lang", ["en", pytest.param("zh", marks=pytest.mark.deep)])
async def test_food_back_confirmed_offline_says_queued_then_done(
    platform: RunningPlatform, home: Path, lang: str
) -> None:
    courier_id = first_courier_id(platform)
    order, number, pickup_code = offer_with_code(platform, courier_id)
    with FaultProxy(platform.port) as proxy:
        app = CountingApp(open_source(proxied_profile(platform, courier_id, proxy)))
        async with app.run_test(size=(40, 16)) as pilot:
            await pick_up_offline(pilot, app, platform, proxy, order["id"], number, pickup_code)
            call(platform, "merchant", "POST", f"/v1/orders/{order['id']}/cancel", {"reason_code": "OTHER"})
            proxy.pass_through()
            await wait_until(pilot, lambda: "Food is back at the store" in screen_text(app), 30)
            await settled(pilot)
            await drop_link(pilot, app, proxy)
            set_language(lang)
            queued = t("handheld.done_queued", number=number[1:])
            done = t("handheld.bring_back.done", number=number[1:])
            await pilot.press("1")
            assert isinstance(app.screen, ConfirmScreen)
            await settled(pilot)
            bells = app.bells
            await pilot.press("1")  # yes, it is back: queued, the link is down
            await wait_until(pilot, lambda: isinstance(app.screen, TaskListScreen))
            await wait_until(pilot, lambda: message(app) != "")
            assert message(app) == queued, message(app)  # "#0001: queued, not yet confirmed"
            assert done not in screen_text(app)
            assert status_line(app).startswith(t("ui.link.state.OFFLINE"))
            assert t("handheld.link.queued", count=1) in status_line(app)
            assert app.bells == bells + 1  # one beep, as a step queued offline
            proxy.pass_through()
            await wait_until(pilot, lambda: message(app) == done, 30)  # the platform has it: now it is done
            assert server_order(platform, order["id"]).get("food_with_courier") is None
            assert app.bells == bells + 1  # no second beep: it rang as queued


# 2. the queued mark is not the cut mark -----------------------------------------------------------------------


def test_the_queued_mark_is_one_cell_and_never_the_cut_mark() -> None:
    for glyphs in (UNICODE, ASCII, CONSOLE):
        assert glyphs.queued != glyphs.cut and glyphs.queued not in glyphs.cut, glyphs
        assert cell_len(glyphs.queued) == 1 and glyphs.queued.isascii(), glyphs
        assert glyphs.queued not in (glyphs.refused, glyphs.separator.strip(), glyphs.down, glyphs.up), glyphs


async def test_a_queued_row_cut_short_shows_both_marks_apart(home: Path) -> None:
    view = TaskView(delivery(4, DeliveryStatus.PICKED_UP), pending=("delivery.picked_up",))
    source = MemoryCourierSource([view], courier=courier(), link=LinkStatus(LinkState.OFFLINE, pending=1))
    app = CountingApp(source)  # type: ignore[arg-type]
    async with app.run_test(size=(40, 16)) as pilot:
        await settled(pilot)
        line = next(iter(app.screen.query(".task").results(Line)))
        row = "".join(line.fitted(line.content_size.width))  # as drawn, 40 cells
        assert row.startswith("1~#0004 "), row  # queued: "~" where the line's number ends
        assert row.endswith(UNICODE.cut) and row.count(UNICODE.cut) == 1, row  # cut once, at its end
    assert row_text(1, view.delivery, queued=True, refused=False, glyphs=UNICODE).startswith("1~#0004")


# 3. a problem reported reads as reported, with its time --------------------------------------------------------

AT = datetime(2026, 11, 25, 4, 41, tzinfo=UTC)  # 12:41 in Shanghai, the store's time zone


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "Reported: Order not ready (12:41)"), ("zh", "已报告：餐未备好（12:41）")],
)
@pytest.mark.parametrize("status", [DeliveryStatus.ARRIVED_AT_MERCHANT, DeliveryStatus.PICKED_UP])
def test_a_problem_reads_as_reported_at_its_time(lang: str, expected: str, status: DeliveryStatus) -> None:
    set_language(lang)
    try:
        problem = DeliveryProblem(reason=ProblemReason.ORDER_NOT_READY, occurred_at=AT)
        fields = detail_fields(delivery(12, status, problems=[problem]), ended=False, glyphs=UNICODE)
        assert fields["problems"] == expected
        two = [problem, DeliveryProblem(reason=ProblemReason.OTHER)]  # a problem with no time: its reason alone
        fields = detail_fields(delivery(12, status, problems=two), ended=False, glyphs=ASCII)
        assert fields["problems"] == expected + ASCII.separator + t("handheld.problem.OTHER")
    finally:
        set_language(None)


async def test_after_the_next_step_the_problem_shows_as_reported_on_the_task(
    platform: RunningPlatform, home: Path
) -> None:
    courier_id = first_courier_id(platform)
    order, number, pickup_code = offer_with_code(platform, courier_id)
    app = CountingApp(open_source(proxied_profile(platform, courier_id, _Direct(platform))))  # type: ignore[arg-type]
    async with app.run_test(size=(40, 24)) as pilot:
        await wait_until(pilot, lambda: number in screen_text(app))
        await settled(pilot)
        await pilot.press("1")  # open the offer
        for key in ("1", "1"):  # accept, at the store
            await settled(pilot)
            await pilot.press(key)
            await wait_until(pilot, lambda: t("handheld.done_queued", number=number[1:]) not in message(app))
        await wait_until(pilot, lambda: "Picked up" in screen_text(app))
        await settled(pilot)
        await pilot.press("3")  # a problem: "order not ready", asked once more
        await settled(pilot)
        await pilot.press("4")
        await settled(pilot)
        await pilot.press("1")
        await wait_until(pilot, lambda: len(_server_problems(platform, order["id"])) == 1)
        assert server_order(platform, order["id"])["delivery_problem"] is not None  # open at the store
        await wait_until(pilot, lambda: "Reported: Order not ready (" in screen_text(app))
        await settled(pilot)
        await pilot.press("1", *pickup_code, "enter")  # picked up: the platform clears the store's problem
        await wait_until(pilot, lambda: server_order(platform, order["id"])["delivery_status"] == "PICKED_UP")
        assert server_order(platform, order["id"])["delivery_problem"] is None
        await wait_until(pilot, lambda: isinstance(app.screen, TaskScreen) and "Deliver to" in screen_text(app))
        shown = screen_text(app)
        assert "Reported: Order not ready (" in shown and "Problems" not in shown, shown


class _Direct:
    """No proxy: the platform's own port (for `proxied_profile`)."""

    def __init__(self, platform: RunningPlatform) -> None:
        self.port = platform.port


def _server_problems(platform: RunningPlatform, order_id: str) -> list[dict]:
    order = call(platform, "dispatcher", "GET", f"/v1/orders/{order_id}")
    return call(platform, "dispatcher", "GET", f"/v1/deliveries/{order['delivery_id']}")["problems"]

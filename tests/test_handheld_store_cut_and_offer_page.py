"""The handheld naming an order by store (two stores' #0014 held): "food back at the store" names the store as
the other news does; on a message line too narrow for the whole message (20x10: one line of 20 cells) the store's
name is cut, never the order number after it; and a new offer that lands on a page of the task list not shown is
said with its page (the list does not turn under the courier's finger), and the page line says a new offer waits
until that page is shown. The food-back test on the real server (loopback) and the handheld's real source and
cache, the rest on the memory source."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from o2o_tui.config import save_profile
from o2o_tui.domain.transitions import DeliveryStatus
from o2o_tui.i18n import set_language, t
from o2o_tui.ssh_gate import GATE_ENV
from screens.courier_memory_source import MemoryCourierSource
from screens.courier_screens import CodeScreen, ConfirmScreen, TaskListScreen, TaskScreen
from screens.courier_source import CourierChange, TaskView
from screens.courier_widgets import Line
from screens.source import LinkState, LinkStatus
from tests.support.faultproxy import FaultProxy
from tests.support.platform import Api, RunningPlatform
from tests.test_handheld_two_stores_same_number import GOLDEN, Town
from tests.test_ui_courier import CountingApp, open_source, screen_text, settled, status_line, wait_until
from tests.test_ui_courier_snapshots import courier, delivery


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    monkeypatch.delenv(GATE_ENV, raising=False)
    set_language("en")
    yield tmp_path / "home"
    set_language(None)


def _message(app: CountingApp) -> Line:
    return app.screen.query_one("#message", Line)


def _seen(line: Line) -> list[str]:
    """What a line shows on screen (its lines at its width)."""
    return line.fitted(line.content_size.width)


def _golden(status: DeliveryStatus, number: int = 14, **changes: object) -> TaskView:
    fields = {"id": "dl_golden", "order_id": "ord_golden", "store_id": "st_2", "store_name": GOLDEN, **changes}
    return TaskView(delivery(number, status, **fields))


# 1. food back at the store ----------------------------------------------------------------------------------


async def test_food_back_names_the_store_while_two_share_the_number(platform: RunningPlatform, home: Path) -> None:
    town = Town(platform)
    first, golden = town.order("first"), town.order("golden")
    assert first["number"] == golden["number"]
    number = f"#{first['number']:04d}"
    town.accept(first)
    golden_id = town.accept(golden)
    merchant = town.merchant("golden")
    rider = Api(town.url, town.courier_token)
    assert rider.post(f"/v1/deliveries/{golden_id}/arrived-at-merchant").status_code == 200
    pickup_code = merchant.get(f"/v1/orders/{golden['id']}").json()["pickup_code"]
    with FaultProxy(int(town.url.rsplit(":", 1)[1])) as proxy:
        profile = save_profile(
            "courier", url=f"http://127.0.0.1:{proxy.port}", token=town.courier_token, role="courier",
            courier_id=town.courier_id,
        )  # fmt: skip
        source = open_source(profile)
        app = CountingApp(source)
        async with app.run_test(size=(40, 16)) as pilot:
            await wait_until(pilot, lambda: source.task(golden_id) is not None)
            await wait_until(pilot, lambda: status_line(app).startswith("ONLINE"))
            proxy.drop()
            await wait_until(pilot, lambda: status_line(app).startswith("OFFLINE"))
            app.push_screen(TaskScreen(golden_id))
            await settled(pilot)
            await pilot.press("1", *pickup_code, "enter")  # picked up offline: queued
            await wait_until(pilot, lambda: "(queued)" in screen_text(app))
            cancelled = merchant.post(f"/v1/orders/{golden['id']}/cancel", {"reason_code": "OTHER"})
            assert cancelled.status_code == 200, cancelled.text
            proxy.pass_through()
            await wait_until(pilot, lambda: "Food is back at the store" in screen_text(app), 30)
            await settled(pilot)
            await pilot.press("1")
            assert isinstance(app.screen, ConfirmScreen)
            await settled(pilot)
            await pilot.press("1")  # yes, it is back
            await wait_until(pilot, lambda: isinstance(app.screen, TaskListScreen))
            await wait_until(pilot, lambda: "food back" in _message(app).shown)
            assert _message(app).shown == f"{GOLDEN} {number}: food back at the store"


# 2. a message cut on a narrow screen cuts the store's name, never the number -------------------------------


def _two_of_14(**link: object) -> MemoryCourierSource:
    ours = TaskView(delivery(14, DeliveryStatus.ACCEPTED))
    return MemoryCourierSource(
        [ours, _golden(DeliveryStatus.ACCEPTED)], courier=courier(), link=LinkStatus(**link)  # type: ignore[arg-type]
    )


def _one_line_keeps_the_number(app: CountingApp, start: str) -> str:
    shown = _seen(_message(app))
    assert len(shown) == 1, shown
    line = shown[0]
    assert line.startswith(start) and "#0014" in line, line  # a tag of the store, then the whole number
    return line


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_at_20x10_done_queued_and_news_cut_the_store_not_the_number(home: Path, lang: str) -> None:
    set_language(lang)
    source = _two_of_14(state=LinkState.ONLINE)
    app = CountingApp(source)  # type: ignore[arg-type]
    async with app.run_test(size=(20, 10)) as pilot:
        app.push_screen(TaskScreen("dl_golden"))
        await settled(pilot)
        await pilot.press("1")  # arrived at the store: "Golden Dumplings #0014: at the store"
        await wait_until(pilot, lambda: _message(app).shown.startswith(f"{GOLDEN} #0014"))
        _one_line_keeps_the_number(app, "Go")
        # a key too soon after it (the next step's line is fresh): "Too soon" added; on one line of 20 columns
        # there is no room for both, and the news is the key ignored: it alone, whole (the line was seen before)
        await pilot.press("1")
        assert t("handheld.keys_ignored") in _message(app).shown
        assert _seen(_message(app)) == [t("handheld.keys_ignored.short")]
        await settled(pilot)
        # news the platform brings (an alert about the task): the same
        alert = f"{GOLDEN} #0014 " + ("taken off you: given to another courier" if lang == "en" else "已撤回")
        source._emit(CourierChange(alerts=(("dl_golden", alert),)))
        await wait_until(pilot, lambda: _message(app).shown == alert)
        _one_line_keeps_the_number(app, "Go")
    # offline: "queued"
    offline = _two_of_14(state=LinkState.OFFLINE, pending=1)
    app = CountingApp(offline)  # type: ignore[arg-type]
    async with app.run_test(size=(20, 10)) as pilot:
        app.push_screen(TaskScreen("dl_golden"))
        await settled(pilot)
        await pilot.press("1")
        await settled(pilot)
        line = _one_line_keeps_the_number(app, "Go")
        assert line.endswith(("queued", "已排队")), line
        # confirmed: the line turns "done", cut as narrowly
        offline.put(_golden(DeliveryStatus.ARRIVED_AT_MERCHANT))
        await wait_until(pilot, lambda: "queued" not in _message(app).shown and "排队" not in _message(app).shown)
        assert _message(app).shown.startswith(f"{GOLDEN} #0014")
        _one_line_keeps_the_number(app, "Go")
    # a new offer of a store whose number is held: "New offer Go… #0014"
    source = MemoryCourierSource([TaskView(delivery(14, DeliveryStatus.ACCEPTED))], courier=courier())
    app = CountingApp(source)  # type: ignore[arg-type]
    async with app.run_test(size=(20, 10)) as pilot:
        await settled(pilot)
        source.put(_golden(DeliveryStatus.PENDING, created_at=datetime.now(UTC) + timedelta(seconds=1)))
        await wait_until(pilot, lambda: GOLDEN in _message(app).shown)
        _one_line_keeps_the_number(app, t("handheld.new_offer.orders", orders="Go"))


async def test_the_code_field_closed_under_the_courier_keeps_the_number(home: Path) -> None:
    source = _two_of_14(state=LinkState.ONLINE)
    app = CountingApp(source)  # type: ignore[arg-type]
    async with app.run_test(size=(20, 10)) as pilot:
        app.push_screen(TaskScreen("dl_golden"))
        await settled(pilot)
        await pilot.press("2")  # the pickup code
        await pilot.pause()
        assert isinstance(app.screen, CodeScreen)
        source.put(_golden(DeliveryStatus.CANCELLED))  # cancelled under the field
        await wait_until(pilot, lambda: "code not sent" in _message(app).shown)
        assert _message(app).shown == f"{GOLDEN} #0014 ended: code not sent"
        _one_line_keeps_the_number(app, "Go")


# 4. a new offer on a page of the list not shown ------------------------------------------------------------


def _full_page() -> MemoryCourierSource:
    tasks = [TaskView(delivery(number, DeliveryStatus.ACCEPTED)) for number in range(1, 8)]  # page 1: 7 tasks
    return MemoryCourierSource(tasks, courier=courier())


def _more(app: CountingApp) -> str:
    return " ".join(_seen(app.screen.query_one("#more", Line)))


@pytest.mark.parametrize(
    ("lang", "size"),
    [
        ("en", (40, 16)),
        pytest.param("zh", (40, 16), marks=pytest.mark.deep),
        pytest.param("en", (20, 10), marks=pytest.mark.deep),
        ("zh", (20, 10)),
    ],
)
async def test_a_new_offer_on_another_page_says_where_and_the_list_stays(
    home: Path, lang: str, size: tuple[int, int]
) -> None:
    set_language(lang)
    source = _full_page()
    app = CountingApp(source)  # type: ignore[arg-type]
    async with app.run_test(size=size) as pilot:
        await settled(pilot)
        await pilot.press("down", "down")  # the courier's highlight on the third task
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, TaskListScreen) and screen.page == 0
        source.put(TaskView(delivery(20, DeliveryStatus.PENDING, created_at=datetime.now(UTC) + timedelta(seconds=1))))
        offer = t("handheld.new_offer.orders", orders="#0020")
        await wait_until(pilot, lambda: _message(app).shown.startswith(offer))
        assert _message(app).shown == t("handheld.new_offer.on_page", offers=offer, page=2)
        shown = " ".join(_seen(_message(app)))
        assert "#0020" in shown and "2" in shown.split("#0020", 1)[1], shown  # the page, on a narrow screen too
        # the list did not move under the finger; its page line says a new offer waits over the page
        assert screen.page == 0 and screen.cursor == 2
        assert _more(app).endswith(("new offer: 8", "新派单：8")) and "1/2" in _more(app), _more(app)
        await pilot.press("8")  # its page
        await settled(pilot)
        assert screen.page == 1 and any("#0020" in line.shown for line in screen.choice_lines())
        assert "#0020" not in _more(app) and _more(app).replace(" ", "").endswith(("first:8", "首页：8")), _more(app)
        await pilot.press("8")  # back to the first page: seen, the page line says "more" again
        await settled(pilot)
        assert _more(app).replace(" ", "").endswith(("more:8", "下页：8")), _more(app)


async def test_a_new_offer_on_the_page_shown_says_no_page(home: Path) -> None:
    source = MemoryCourierSource([TaskView(delivery(1, DeliveryStatus.ACCEPTED))], courier=courier())
    app = CountingApp(source)  # type: ignore[arg-type]
    async with app.run_test(size=(40, 16)) as pilot:
        await settled(pilot)
        source.put(TaskView(delivery(20, DeliveryStatus.PENDING, created_at=datetime.now(UTC) + timedelta(seconds=1))))
        await wait_until(pilot, lambda: _message(app).shown.startswith("New offer"))
        assert _message(app).shown == "New offer #0020"
        assert _more(app) == ""


def test_the_bare_new_offer_key_is_gone() -> None:
    for lang in ("en", "zh"):
        set_language(lang)
        assert t("handheld.new_offer") == "handheld.new_offer"
    set_language(None)

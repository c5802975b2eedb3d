"""A platform courier (no store) carrying orders of two stores whose day numbers collide (#0001 at each): news,
questions and the code prompt about one name its store, and news about one never reads as news about the other
task of that number; on an offer `2` (the code step elsewhere) is no line, so "2, then the code" cannot reject it
(Reject is `4`); a bring-back after a reassign says the task was taken off the courier, not "cancelled".
Real server on loopback, the handheld on its real source and cache (the key tests on the memory source)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from o2o_tui.config import save_profile
from o2o_tui.domain.geo import Address, Position
from o2o_tui.domain.identity import Role
from o2o_tui.domain.transitions import DeliveryStatus
from o2o_tui.i18n import set_language
from o2o_tui.platform import db, seed
from o2o_tui.ssh_gate import GATE_ENV
from screens.courier_format import clip
from screens.courier_memory_source import MemoryCourierSource
from screens.courier_screens import CodeScreen, ConfirmScreen, TaskScreen
from screens.courier_source import NEWS_STORE_CELLS, TaskView, bring_back_news
from screens.courier_widgets import Line
from tests.support.platform import Api, RunningPlatform, order_body
from tests.test_ui_courier import CountingApp, open_source, screen_text, settled, status_line, wait_until
from tests.test_ui_courier_snapshots import courier, delivery

GOLDEN = "Golden Dumplings"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    monkeypatch.delenv(GATE_ENV, raising=False)
    set_language("en")
    yield tmp_path / "home"
    set_language(None)


def _ok(response: object) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text  # type: ignore[attr-defined]
    return response.json()  # type: ignore[attr-defined, no-any-return]


class Town:
    """The seeded store and Golden Dumplings, each with its merchant and dispatcher, and a platform courier."""

    def __init__(self, platform: RunningPlatform) -> None:
        assert platform.seed is not None
        engine = db.open_database(platform.db_url)
        try:
            with db.writing(engine) as conn:
                golden = seed.create_store(
                    conn,
                    name=GOLDEN,
                    address=Address(text="2 Road", position=Position(lat=31.232, lon=121.471)),
                    menu=seed.demo_menu(),
                )
                merchant = seed.create_user(conn, role=Role.MERCHANT, name="Golden counter", store_id=golden.id)
                dispatcher = seed.create_user(conn, role=Role.DISPATCHER, name="Golden desk", store_id=golden.id)
                rider = seed.create_user(conn, role=Role.COURIER, name="Free rider", store_id=None)
        finally:
            engine.dispose()
        assert rider.courier_id is not None
        self.url = platform.url
        self.courier_id, self.courier_token = rider.courier_id, rider.token
        self.customer = Api(platform.url, platform.seed.tokens["customer"])
        self.stores = {
            "first": (platform.seed.store_id, platform.seed.tokens["merchant"], platform.seed.tokens["dispatcher"]),
            "golden": (golden.id, merchant.token, dispatcher.token),
        }

    def order(self, store: str) -> dict[str, Any]:
        """An order of `store` confirmed and offered to the platform courier."""
        store_id, merchant, dispatcher = self.stores[store]
        order = _ok(self.customer.post("/v1/orders", order_body(store_id)))
        _ok(Api(self.url, merchant).post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 10}))
        assigned = Api(self.url, dispatcher).post(f"/v1/orders/{order['id']}/assign", {"courier_id": self.courier_id})
        order["delivery_id"] = _ok(assigned)["id"]
        return order

    def accept(self, order: dict[str, Any]) -> str:
        rider = Api(self.url, self.courier_token)
        delivery_id: str = order["delivery_id"]
        _ok(rider.post(f"/v1/deliveries/{delivery_id}/accept"))
        return delivery_id

    def dispatcher(self, store: str) -> Api:
        return Api(self.url, self.stores[store][2])

    def merchant(self, store: str) -> Api:
        return Api(self.url, self.stores[store][1])


def _message(app: CountingApp) -> str:
    return app.screen.query_one("#message", Line).shown


async def test_news_about_one_stores_order_names_it_and_stays_off_the_other_task(
    platform: RunningPlatform, home: Path
) -> None:
    town = Town(platform)
    first, golden = town.order("first"), town.order("golden")
    assert first["number"] == golden["number"]  # each store's first order of the day
    number = f"#{first['number']:04d}"
    first_id, golden_id = town.accept(first), town.accept(golden)
    profile = save_profile("courier", url=town.url, token=town.courier_token, role="courier", courier_id=town.courier_id)
    source = open_source(profile)
    app = CountingApp(source)
    async with app.run_test(size=(40, 16)) as pilot:
        await wait_until(pilot, lambda: source.task(first_id) is not None and source.task(golden_id) is not None)
        await wait_until(pilot, lambda: status_line(app).startswith("ONLINE"))
        first_store = source.task(first_id).delivery.store_name  # type: ignore[union-attr]
        assert first_store and first_store != GOLDEN
        app.push_screen(TaskScreen(first_id))  # the first store's task open
        await settled(pilot)
        _ok(town.dispatcher("golden").post(f"/v1/orders/{golden['id']}/unassign"))
        await wait_until(pilot, lambda: "taken off you" in _message(app))
        # the message names Golden's order; the open task (the other #0001) carries no alert of it
        assert _message(app) == f"{GOLDEN} {number} taken off you: back to the store's dispatcher"
        assert isinstance(app.screen, TaskScreen) and app.screen.delivery_id == first_id
        assert app.screen.query_one("#alert", Line).shown == ""
        assert source.task(first_id).alert is None  # type: ignore[union-attr]
        assert source.task(golden_id).alert == _message(app)  # type: ignore[union-attr]

        # one of that number left: the short form again
        _ok(town.merchant("first").post(f"/v1/orders/{first['id']}/cancel", {"reason_code": "OTHER"}))
        await wait_until(pilot, lambda: "order cancelled" in _message(app))
        assert _message(app).startswith(f"{number}: order cancelled")


async def test_a_cancel_of_one_names_its_store_while_both_are_held(platform: RunningPlatform, home: Path) -> None:
    town = Town(platform)
    first, golden = town.order("first"), town.order("golden")
    assert first["number"] == golden["number"]
    number = f"#{first['number']:04d}"
    first_id, golden_id = town.accept(first), town.accept(golden)
    profile = save_profile("courier", url=town.url, token=town.courier_token, role="courier", courier_id=town.courier_id)
    source = open_source(profile)
    app = CountingApp(source)
    async with app.run_test(size=(40, 16)) as pilot:
        await wait_until(pilot, lambda: source.task(first_id) is not None and source.task(golden_id) is not None)
        await wait_until(pilot, lambda: status_line(app).startswith("ONLINE"))
        first_store = source.task(first_id).delivery.store_name  # type: ignore[union-attr]
        app.push_screen(TaskScreen(golden_id))  # Golden's task open
        await settled(pilot)
        _ok(town.merchant("first").post(f"/v1/orders/{first['id']}/cancel", {"reason_code": "OTHER"}))
        await wait_until(pilot, lambda: "order cancelled" in _message(app))
        # the name cut to a tag in news (the message line), between words: "老王川菜馆 Lao … #0001"
        tag = clip(first_store or "", NEWS_STORE_CELLS)
        assert tag.startswith("老王川菜馆") and _message(app).startswith(f"{tag} {number}: order cancelled")
        assert app.screen.query_one("#alert", Line).shown == ""  # Golden's task: nothing happened to it


def _two_of_a_number(status: DeliveryStatus) -> MemoryCourierSource:
    ours = delivery(14, status)
    theirs = delivery(14, status, id="dl_golden", order_id="ord_golden", store_id="st_2", store_name=GOLDEN,
                      created_at=ours.created_at + timedelta(minutes=1))  # fmt: skip
    return MemoryCourierSource([TaskView(ours), TaskView(theirs)], courier=courier())


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_the_code_prompt_names_the_store_when_two_share_the_number(home: Path, lang: str) -> None:
    set_language(lang)
    source = _two_of_a_number(DeliveryStatus.ACCEPTED)
    for size in ((40, 16), (20, 10)):
        app = CountingApp(source)  # type: ignore[arg-type]
        async with app.run_test(size=size) as pilot:
            app.push_screen(TaskScreen("dl_golden"))
            await settled(pilot)
            await pilot.press("2")  # the pickup code straight away
            await pilot.pause()
            assert isinstance(app.screen, CodeScreen)
            prompt = app.screen.query_one("#prompt", Line)
            shown = " ".join(prompt.fitted(prompt.content_size.width))
            # the whole name, or at 20x10 where it takes too many lines a short tag of it; the prompt never cut
            named = GOLDEN if size == (40, 16) or lang == "zh" else "Golden …"
            assert f"{named} #0014" in shown and shown.endswith((":", "：")), shown
    # one order of that number: the short form
    set_language("en")
    alone = MemoryCourierSource([TaskView(delivery(14, DeliveryStatus.ACCEPTED))], courier=courier())
    app = CountingApp(alone)  # type: ignore[arg-type]
    async with app.run_test(size=(40, 16)) as pilot:
        app.push_screen(TaskScreen("dl_0014"))
        await settled(pilot)
        await pilot.press("2")
        await pilot.pause()
        assert app.screen.query_one("#prompt", Line).shown == "Pickup code for #0014 (from the store):"


async def test_two_then_a_code_on_an_offer_rejects_nothing(home: Path) -> None:
    source = MemoryCourierSource([TaskView(delivery(7, DeliveryStatus.PENDING))], courier=courier())
    app = CountingApp(source)  # type: ignore[arg-type]
    async with app.run_test(size=(40, 16)) as pilot:
        await pilot.press("1")  # the offer (opened by mistake: the courier meant a pickup)
        await settled(pilot)
        slots = [line.shown for line in app.screen.query(".slot").results(Line) if line.display]
        assert slots == ["1 Accept", "4 Reject"]
        await pilot.press("2")  # "2, the code step straight away"
        assert isinstance(app.screen, TaskScreen) and "No line 2" in _message(app)
        await settled(pilot)  # reading the code off the store's screen
        await pilot.press("1", "2", "3", "4", "enter")
        await settled(pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert "delivery.reject" not in [action for action, _, _ in source.submitted]
    # rejecting on purpose: 4, then 1 yes
    source2 = MemoryCourierSource([TaskView(delivery(7, DeliveryStatus.PENDING))], courier=courier())
    app = CountingApp(source2)  # type: ignore[arg-type]
    async with app.run_test(size=(40, 16)) as pilot:
        await pilot.press("1")
        await settled(pilot)
        await pilot.press("4")
        assert isinstance(app.screen, ConfirmScreen) and "Reject offer #0007?" in screen_text(app)
        await settled(pilot)
        await pilot.press("1")
        await pilot.pause()
        assert [action for action, _, _ in source2.submitted] == ["delivery.reject"]


async def test_the_reject_question_names_the_store_when_two_offers_share_the_number(home: Path) -> None:
    source = _two_of_a_number(DeliveryStatus.PENDING)
    app = CountingApp(source)  # type: ignore[arg-type]
    async with app.run_test(size=(40, 16)) as pilot:
        app.push_screen(TaskScreen("dl_golden"))
        await settled(pilot)
        await pilot.press("4")
        assert isinstance(app.screen, ConfirmScreen)
        assert f"Reject offer {GOLDEN} #0014?" in screen_text(app)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_bring_back_says_why_the_task_ended(home: Path, lang: str) -> None:
    set_language(lang)
    says = {
        "en": {"REASSIGNED": "#0013 reassigned", "UNASSIGNED": "#0013 taken off you",
               "ORDER_CANCELLED": "#0013 cancelled:", None: "#0013 cancelled or reassigned"},
        "zh": {"REASSIGNED": "#0013 已改派", "UNASSIGNED": "#0013 已撤回",
               "ORDER_CANCELLED": "#0013 已取消：", None: "#0013 已取消或已改派"},
    }[lang]  # fmt: skip
    for reason, start in says.items():
        ended = delivery(13, DeliveryStatus.CANCELLED, end_reason=reason)
        assert bring_back_news(ended).startswith(start), (reason, bring_back_news(ended))
        assert bring_back_news(ended, GOLDEN).startswith(f"{GOLDEN} {start}")
    assert "cancelled" not in bring_back_news(delivery(13, DeliveryStatus.CANCELLED, end_reason="REASSIGNED"))

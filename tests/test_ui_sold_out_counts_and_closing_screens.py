"""Three small fixes seen by outside testers.

1. The queue's sold-out line and the menu editor's status line count the same things and name them the same way:
   sold out (snoozed until a time) apart from unavailable (off until put back), items and options, hidden ones left
   out. A memory source holds one menu for both, a frozen clock.
2. The publish screen, once done, offers no "Cancel" in its footer; Esc still closes it (through `finish`).
3. The courier's problem-reasons screen closes when its task is taken off the courier, and says why, as its yes/no
   question does. Real server on loopback and real cache for the handheld.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import msgspec
import pytest

from o2o_tui.domain.menu import Availability, Menu
from o2o_tui.i18n import set_language, t
from o2o_tui.menu_edits import update_item, update_option
from o2o_tui.platform.seed import demo_menu
from screens.app import MerchantApp
from screens.courier_screens import ProblemScreen, TaskScreen
from screens.memory_source import MemoryOrderSource
from screens.menu_editor import MenuEditorApp
from screens.menu_publish import MenuPublishScreen, PublishAnswer
from screens.menu_source import MemoryMenuSource
from screens.widgets.queue_header import QueueHeader
from tests.support.handheld import first_courier_id, handheld_home
from tests.support.platform import RunningPlatform
from tests.test_handheld_keypad_bursts import act
from tests.test_ui_courier import (
    CountingApp,
    call,
    courier_profile,
    offer,
    open_first_task,
    open_source,
    screen_text,
    server_delivery,
    settled,
    wait_until,
)
from tests.test_ui_menu_publish import MARKUP, FixedPublisher, Host, edited_draft, sample_menu
from tests.test_ui_samples import FROZEN_NOW, sample_store

SNOOZED_ITEMS = [
    "kung-pao-chicken",
    "mapo-tofu",
    "yuxiang-pork",
    "twice-cooked-pork",
    "boiled-fish",
    "dry-fried-beans",
    "hot-sour-soup",
    "rice",
]


@pytest.fixture(params=["en", "zh"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


def _testers_menu() -> Menu:
    """As the testers had it: 8 items sold out, 1 item unavailable, 1 option sold out, 1 option unavailable; and a
    hidden item sold out, which customers do not see (counted nowhere)."""
    until = FROZEN_NOW + timedelta(hours=2)
    menu = msgspec.structs.replace(demo_menu(), store_id="store-1", version=3)
    for item_id in SNOOZED_ITEMS:
        menu = update_item(menu, item_id, snooze_until=until)
    menu = update_item(menu, "dan-dan-noodles", status=Availability.UNAVAILABLE)
    menu = update_item(menu, "cola", hidden=True, snooze_until=until)
    menu = update_option(menu, "spice-hot", snooze_until=until)
    return update_option(menu, "ice-cold", status=Availability.UNAVAILABLE)


def _status_text(app: MenuEditorApp) -> str:
    status = app.screen.query_one("#menu-status")
    strips = app.screen._compositor.render_strips()
    lines = ["".join(segment.text for segment in strip) for strip in strips]
    return " ".join(line.strip() for line in lines[status.region.y : status.region.y + status.region.height])


async def test_the_queue_and_the_editor_count_sold_out_and_unavailable_alike(lang: str) -> None:
    menu = _testers_menu()
    queue = MerchantApp(MemoryOrderSource([], store=sample_store(), menu=menu), clock=lambda: FROZEN_NOW)
    async with queue.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        line = queue.orders_screen.query_one(QueueHeader).render().plain.splitlines()[0]
    head = t("store.sold_out.and_unavailable", sold_out=9, unavailable=2, names="")
    assert line.startswith(head), line  # "Sold out (9), unavailable (2): "
    editor = MenuEditorApp(MemoryMenuSource(menu, store=sample_store()), clock=lambda: FROZEN_NOW)
    async with editor.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        status = _status_text(editor)
    said = (t("menu_editor.status.sold_out", count=9), t("menu_editor.status.unavailable", count=2))
    assert all(part in status for part in said), status


async def test_the_queue_names_unavailable_alone_when_nothing_is_snoozed(lang: str) -> None:
    menu = update_item(demo_menu(), "rice", status=Availability.UNAVAILABLE)
    queue = MerchantApp(MemoryOrderSource([], store=sample_store(), menu=menu), clock=lambda: FROZEN_NOW)
    async with queue.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        line = queue.orders_screen.query_one(QueueHeader).render().plain.splitlines()[0]
    assert line.startswith(t("store.unavailable.line", count=1, names="")), line
    assert not line.startswith(t("store.sold_out.line", count=1, names="")[:3]), line


def _footer_text(app: Host) -> str:
    strips = app.screen._compositor.render_strips()
    return "".join(segment.text for segment in strips[-1])


async def test_a_done_publish_offers_close_only_and_escape_finishes() -> None:
    set_language("en")
    try:
        draft = edited_draft(sample_menu(), MARKUP)
        app = Host(lambda: MenuPublishScreen(draft), FixedPublisher(PublishAnswer("published", version=4)))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert t("menu_publish.key.cancel") in _footer_text(app)  # asking: Esc cancels
            await pilot.press("enter")
            await wait_until(pilot, lambda: app.screen.state == "done")  # type: ignore[attr-defined]
            await pilot.pause()
            footer = _footer_text(app)
            assert t("menu_publish.key.close") in footer and t("menu_publish.key.cancel") not in footer, footer
            assert app.screen.active_bindings["escape"].binding.action == "finish"
            await pilot.press("escape")
            await pilot.pause()
            assert app.results == ["published"]
    finally:
        set_language(None)


@pytest.fixture
def courier_id(platform: RunningPlatform) -> str:
    return first_courier_id(platform)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield from handheld_home(tmp_path, monkeypatch, clear_ssh_gate=True)


async def test_the_problem_reasons_close_when_the_task_is_taken_off(
    platform: RunningPlatform, courier_id: str, home: Path
) -> None:
    order = offer(platform, courier_id)
    act(platform, courier_id, order["id"], "accept")
    number = f"#{order['number']:04d}"
    app = CountingApp(open_source(courier_profile(platform, courier_id)))
    async with app.run_test(size=(40, 16)) as pilot:
        await open_first_task(pilot, app, number)
        await settled(pilot)
        await pilot.press("3")  # report a problem: the reasons
        assert isinstance(app.screen, ProblemScreen), screen_text(app)
        delivery_id = server_delivery(platform, order["id"])["id"]
        call(platform, "dispatcher", "POST", f"/v1/orders/{order['id']}/unassign")
        await wait_until(pilot, lambda: not isinstance(app.screen, ProblemScreen))
        assert isinstance(app.screen, TaskScreen)
        assert "question closed" in screen_text(app) or "taken off you" in screen_text(app), screen_text(app)
        await settled(pilot)
        await pilot.press("2")  # a reason typed on: no list takes it, nothing is reported
        await pilot.pause(0.5)
        assert call(platform, "dispatcher", "GET", f"/v1/deliveries/{delivery_id}")["problems"] == []

"""Going off duty on the handheld, against the real platform (real server, real cache, Pilot): the offers the
platform releases are what the courier did, said once, not one "cancelled or reassigned" alarm each."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui.domain.transitions import DeliveryStatus
from o2o_tui.i18n import set_language
from screens.courier_screens import ConfirmScreen, TaskListScreen
from screens.courier_source import TaskView
from tests.support.handheld import first_courier_id, handheld_home, message
from tests.support.platform import RunningPlatform
from tests.test_ui_courier import (
    CountingApp,
    call,
    courier_profile,
    offer,
    open_source,
    screen_text,
    server_delivery,
    settled,
    wait_until,
)


@pytest.fixture
def courier_id(platform: RunningPlatform) -> str:
    return first_courier_id(platform)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield from handheld_home(tmp_path, monkeypatch)


class SayingApp(CountingApp):
    """Counts beeps and keeps every message line it said."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.said: list[str] = []

    def _say(self, text: str, style: str = "") -> None:
        self.said.append(text)
        super()._say(text, style)


async def test_going_off_duty_gives_back_the_offers_and_says_so_once(
    platform: RunningPlatform, courier_id: str, home: Path
) -> None:
    offers = [server_delivery(platform, offer(platform, courier_id)["id"])["id"] for _ in range(2)]
    kept = offer(platform, courier_id)
    kept_delivery = server_delivery(platform, kept["id"])["id"]
    call(platform, "courier", "POST", f"/v1/deliveries/{kept_delivery}/accept")
    app = SayingApp(open_source(courier_profile(platform, courier_id)))
    async with app.run_test(size=(40, 16)) as pilot:
        await wait_until(pilot, lambda: len(app.screen.query(".task")) == 3 and app.source.on_duty() is True)
        await settled(pilot)
        await pilot.press("4")  # the duty line, after the three tasks
        assert isinstance(app.screen, ConfirmScreen)
        prompt = screen_text(app)
        assert "2 offers not yet accepted will be given back." in prompt
        assert f"1 delivery goes back to dispatch: #{kept['number']:04d} not picked up." in " ".join(prompt.split())
        assert "in hand" not in prompt  # accepted, its food still at the counter: nothing stays with the courier
        await settled(pilot)
        bells = app.bells
        await pilot.press("enter")

        def released() -> bool:
            return all(
                call(platform, "dispatcher", "GET", f"/v1/deliveries/{delivery_id}")["status"] == "CANCELLED"
                for delivery_id in offers
            )

        await wait_until(pilot, released)
        await wait_until(pilot, lambda: message(app) == "Off duty: 3 deliveries back to dispatch")
        await pilot.pause(1.0)  # a later poll brings nothing more to say
        assert isinstance(app.screen, TaskListScreen)
        assert app.said.count("Off duty: 3 deliveries back to dispatch") == 1
        assert not [text for text in app.said if "cancelled" in text or "taken off" in text], app.said
        assert app.bells == bells + 1  # the tap's one beep; nothing went wrong
        ended = call(platform, "dispatcher", "GET", f"/v1/deliveries/{kept_delivery}")
        assert ended["status"] == "CANCELLED"  # back to dispatch: not picked up
        assert call(platform, "dispatcher", "GET", f"/v1/orders/{kept['id']}")["courier_id"] is None
        assert not app.screen.query(".task")


async def test_an_offer_taken_away_on_duty_is_still_an_alarm(
    platform: RunningPlatform, courier_id: str, home: Path
) -> None:
    """On duty, the platform taking an offer back (reassigned by the dispatcher) is news: said with two beeps.
    Going off duty with no offer left asks nothing about giving offers back."""
    order = offer(platform, courier_id)
    number = f"#{order['number']:04d}"
    app = SayingApp(open_source(courier_profile(platform, courier_id)))
    async with app.run_test(size=(40, 16)) as pilot:
        await wait_until(pilot, lambda: number in screen_text(app) and app.source.on_duty() is True)
        bells = app.bells
        call(platform, "dispatcher", "POST", f"/v1/orders/{order['id']}/unassign")
        await wait_until(pilot, lambda: not app.screen.query(".task"))
        await wait_until(pilot, lambda: message(app) == f"{number} taken off you: back to the store's dispatcher")
        assert app.bells == bells + 2
        assert not [text for text in app.said if text.startswith("Off duty")]
        await settled(pilot)
        await pilot.press("1")  # the duty line
        assert isinstance(app.screen, ConfirmScreen)
        assert "given back" not in screen_text(app)


async def test_off_duty_from_another_device_is_said_in_chinese_once(
    platform: RunningPlatform, courier_id: str, home: Path
) -> None:
    """The courier's record says off duty (set elsewhere: `o2o courier-state`, another handheld): the offers
    released with it are said together, not as cancellations."""
    set_language("zh")
    order = offer(platform, courier_id)
    number = f"#{order['number']:04d}"
    app = SayingApp(open_source(courier_profile(platform, courier_id)))
    async with app.run_test(size=(40, 16)) as pilot:
        await wait_until(pilot, lambda: number in screen_text(app) and app.source.on_duty() is True)
        bells = app.bells
        call(platform, "courier", "PUT", f"/v1/couriers/{courier_id}/state", {"status": "OFFLINE"})
        await wait_until(pilot, lambda: message(app) == "已下班：1 个派单已退回平台")
        await pilot.pause(0.5)
        assert app.bells == bells
        assert not [text for text in app.said if "取消" in text], app.said
        assert app.source.on_duty() is False


async def test_the_off_duty_question_counts_the_offers_in_both_languages(home: Path) -> None:
    from screens.courier_memory_source import MemoryCourierSource
    from tests.test_ui_courier_snapshots import courier, delivery

    tasks = [
        TaskView(delivery(7, DeliveryStatus.PENDING)),
        TaskView(delivery(8, DeliveryStatus.PENDING), pending=("delivery.accept",)),  # its accept goes first
        TaskView(delivery(9, DeliveryStatus.PENDING), pending=("delivery.reject",)),
        TaskView(delivery(10, DeliveryStatus.PICKED_UP)),
    ]
    for lang, offers, in_hand in (
        # #0008's queued accept lands first, then going off duty gives it back: only #0010's food stays in hand
        ("en", "1 offer not yet accepted will be given back.", "You still have 1 delivery in hand"),
        ("zh", "尚未接受的 1 个派单将退回平台。", "您手上还有 1 单配送"),
    ):
        set_language(lang)
        source = MemoryCourierSource(tasks, courier=courier())
        app = CountingApp(source)  # type: ignore[arg-type]
        async with app.run_test(size=(40, 16)) as pilot:
            await pilot.press("5")  # the duty line
            assert isinstance(app.screen, ConfirmScreen)
            text = "".join(screen_text(app).split("\n"))
            assert offers.replace(" ", "") in text.replace(" ", "")
            assert in_hand.replace(" ", "") in text.replace(" ", "")

"""Off duty and back on duty while the link is down (real server, real cache, a proxy that drops the link, Pilot):
the offer the queued off duty gives back is still known as given back, so the task offers no Accept, also after
the handheld is started again before the link returns; once the link is back the platform has taken it back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui.courier_tasks import OFF_DUTY, offers_given_back
from o2o_tui.domain.fleet import CourierStatus
from o2o_tui.domain.requests import CourierStateBody
from o2o_tui.domain.transitions import DeliveryStatus
from screens.courier_screens import ConfirmScreen, TaskListScreen, TaskScreen
from screens.courier_source import CourierChange, CourierSource
from tests.support.faultproxy import FaultProxy
from tests.support.handheld import (
    drop_link,
    engine_by_hand,
    first_courier_id,
    handheld_home,
    message,
    numbered,
    proxied_profile,
)
from tests.support.platform import RunningPlatform
from tests.test_ui_courier import (
    CountingApp,
    call,
    offer,
    open_source,
    screen_text,
    server_delivery,
    settled,
    status_line,
    wait_until,
)


@pytest.fixture
def courier_id(platform: RunningPlatform) -> str:
    return first_courier_id(platform)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield from handheld_home(tmp_path, monkeypatch)


def test_only_an_answer_queued_before_the_off_duty_keeps_an_offer() -> None:
    accept, reject = "delivery.accept", "delivery.reject"
    queue = [("d1", accept), ("me", OFF_DUTY), ("d3", accept), ("me", "courier.state")]
    assert offers_given_back(["d1", "d2", "d3"], queue) == {"d2", "d3"}  # d3's accept arrives too late
    assert offers_given_back(["d1", "d2"], [("d2", reject), ("me", OFF_DUTY)]) == {"d1"}
    assert offers_given_back(["d1"], [("me", "courier.state")]) == set()  # going on duty gives nothing back
    assert offers_given_back(["d1"], []) == set()


async def test_off_and_on_duty_offline_keeps_the_offer_given_back(
    platform: RunningPlatform, courier_id: str, home: Path
) -> None:
    order = offer(platform, courier_id)
    number = f"#{order['number']:04d}"
    delivery_id = server_delivery(platform, order["id"])["id"]
    with FaultProxy(platform.port) as proxy:
        profile = proxied_profile(platform, courier_id, proxy)
        app = CountingApp(open_source(profile))
        async with app.run_test(size=(40, 16)) as pilot:
            await wait_until(pilot, lambda: number in screen_text(app) and app.source.on_duty() is True)
            await drop_link(pilot, app, proxy)
            await pilot.press("2")  # the duty line: go off duty, asked once more
            assert isinstance(app.screen, ConfirmScreen)
            await settled(pilot)
            await pilot.press("1")
            await wait_until(pilot, lambda: message(app) == "Off duty: queued, not yet confirmed")
            await settled(pilot)
            await pilot.press("2")  # back on duty: one key, queued behind the off duty
            await wait_until(pilot, lambda: message(app) == "On duty: queued, not yet confirmed")
            assert app.source.on_duty() is True and "2 queued" in status_line(app)
            await settled(pilot)
            await pilot.press("1")  # the offer
            assert isinstance(app.screen, TaskScreen)
            await pilot.pause()
            assert "Given back when you went off duty" in screen_text(app)
            assert numbered(app) == ["1 Back to tasks"] and "Accept" not in screen_text(app)

        app = CountingApp(open_source(profile))  # started again, the link still down
        async with app.run_test(size=(40, 16)) as pilot:
            await wait_until(pilot, lambda: number in screen_text(app))
            await wait_until(pilot, lambda: status_line(app).startswith("OFFLINE"))
            await settled(pilot)
            await pilot.press("1")
            assert isinstance(app.screen, TaskScreen)
            await pilot.pause()
            assert numbered(app) == ["1 Back to tasks"] and "Accept" not in screen_text(app)
            await settled(pilot)
            await pilot.press("1")
            assert isinstance(app.screen, TaskListScreen)
            bells = app.bells
            proxy.pass_through()
            await wait_until(
                pilot,
                lambda: call(platform, "dispatcher", "GET", f"/v1/deliveries/{delivery_id}")["status"]
                == "CANCELLED",
                30,
            )
            await wait_until(
                pilot, lambda: call(platform, "admin", "GET", f"/v1/couriers/{courier_id}")["status"] == "IDLE"
            )
            await wait_until(pilot, lambda: not app.screen.query(".task"))
            # what the courier did, said as such (not a "cancelled or reassigned" alarm with two beeps)
            await wait_until(pilot, lambda: message(app) == "Off duty: 1 offer given back")
            assert app.bells == bells


async def test_an_offer_stays_given_back_until_its_cancellation_is_fetched(
    platform: RunningPlatform, courier_id: str, home: Path
) -> None:
    """The queued off duty leaves the outbox when it is sent, a moment before the offer's cancellation is fetched:
    in between the offer is still given back (no Accept), and once fetched it is said as given back, no alarm.
    The engine is stepped by hand (push, then pull) so that moment is held still."""
    order = offer(platform, courier_id)
    delivery_id = server_delivery(platform, order["id"])["id"]
    async with engine_by_hand(platform, courier_id) as (cache, client, engine):
        await engine.pull_once()  # the offer and the courier's record, cached
        for status in (CourierStatus.OFFLINE, CourierStatus.IDLE):  # off and on again, both queued
            await engine.submit("courier.state", courier_id, CourierStateBody(status=status))
        source = CourierSource(cache, courier_id, lambda: (engine, client))
        source.prime()
        said: list[CourierChange] = []
        source.subscribe(said.append)
        assert [view.given_back for view in source.tasks()] == [True]

        await engine.push_pending()  # both sent; the platform took the offer back, not yet fetched
        assert call(platform, "dispatcher", "GET", f"/v1/deliveries/{delivery_id}")["status"] == "CANCELLED"
        await source._refresh()
        [view] = source.tasks()
        assert view.delivery.status is DeliveryStatus.PENDING and view.pending == ()
        assert view.given_back  # was lost here: the queue no longer says so, and the screen offered Accept

        await engine.pull_once()
        await source._refresh()
        assert [view.delivery.status for view in source.tasks()] == [DeliveryStatus.CANCELLED]
        assert sum(change.given_back for change in said) == 1
        assert not [change.alerts for change in said if change.alerts]  # not "cancelled or reassigned"


async def test_a_handheld_started_after_its_off_duty_was_sent_offers_no_accept(
    platform: RunningPlatform, courier_id: str, home: Path
) -> None:
    """The off duty was sent (it left the outbox) and the handheld started again before the offer's cancellation
    was fetched: the offer still in the cache is given back (no Accept) from the first frame, because the
    courier's record says off duty and an off-duty courier holds no offers."""
    order = offer(platform, courier_id)
    delivery_id = server_delivery(platform, order["id"])["id"]
    async with engine_by_hand(platform, courier_id) as (cache, client, engine):
        await engine.pull_once()  # the offer and the courier's record, cached
        await engine.submit("courier.state", courier_id, CourierStateBody(status=CourierStatus.OFFLINE))
        await engine.push_pending()  # sent; the platform took the offer back, not yet fetched
        assert call(platform, "dispatcher", "GET", f"/v1/deliveries/{delivery_id}")["status"] == "CANCELLED"
        restarted = CourierSource(cache, courier_id, lambda: (engine, client))  # nothing of the first run kept
        restarted.prime()
        [view] = restarted.tasks()
        assert view.delivery.status is DeliveryStatus.PENDING and view.pending == ()
        assert view.given_back

"""The queue's alert rules (`screens/alerts.py`) on a fake clock: no Textual, no terminal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import msgspec
import pytest

from o2o_tui.domain.order import Cancellation, OrderStatus, Party
from o2o_tui.i18n import set_language
from o2o_tui.settings import load_settings
from screens.alerts import Alerts, Sound, bell_pattern, urgent_window_s
from screens.source import LinkState, LinkStatus, QueueEntry
from tests.test_ui_samples import FROZEN_NOW, sample_order

T0 = FROZEN_NOW


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def new(number: int, *, minutes_ago: int = 0, window_min: int = 5) -> QueueEntry:
    order = sample_order(number, OrderStatus.CREATED, minutes_ago=minutes_ago)
    order = msgspec.structs.replace(order, accept_deadline=order.created_at + timedelta(minutes=window_min))
    return QueueEntry(order)


def accepted(entry: QueueEntry) -> QueueEntry:
    return QueueEntry(msgspec.structs.replace(entry.order, status=OrderStatus.CONFIRMED))


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_every_sound_has_its_own_bell_pattern() -> None:
    patterns = [bell_pattern(sound) for sound in Sound]
    assert len(set(patterns)) == len(patterns)
    assert bell_pattern(Sound.NEW_ORDER) == (0.0,)
    assert bell_pattern(Sound.OFFLINE) != bell_pattern(Sound.NEW_ORDER)


def test_a_new_order_rings_until_opened() -> None:
    alerts = Alerts(ring_every_s=20)
    one = new(1)
    assert alerts.orders_changed([one], T0) == [Sound.NEW_ORDER]
    assert alerts.alerting == {one.order.id}
    assert alerts.orders_changed([one], at(1)) == []  # the same order again: no second ring
    assert alerts.tick(at(19)) == []
    assert alerts.tick(at(20)) == [Sound.NEW_ORDER]  # rings again every interval
    assert alerts.tick(at(21)) == []
    alerts.acknowledge(one.order.id)
    assert alerts.alerting == frozenset()
    assert alerts.tick(at(60)) == []  # opened: quiet (not urgent yet: 4 min to go)


def test_accepting_stops_the_ring_and_a_second_order_rings_again() -> None:
    alerts = Alerts(ring_every_s=20)
    one, two = new(1), new(2)
    alerts.orders_changed([one], T0)
    assert alerts.orders_changed([accepted(one)], at(5)) == []
    assert alerts.alerting == frozenset()
    assert alerts.tick(at(40)) == []
    assert alerts.orders_changed([accepted(one), two], at(41)) == [Sound.NEW_ORDER]


def test_a_cancellation_request_rings_like_a_new_order() -> None:
    alerts = Alerts()
    order = sample_order(
        3,
        OrderStatus.PREPARING,
        minutes_ago=10,
        cancellation=Cancellation(requested_by=Party.CUSTOMER, reason_code="CHANGED_MIND"),
    )
    assert alerts.orders_changed([QueueEntry(order)], T0) == [Sound.NEW_ORDER]
    assert alerts.urgent == frozenset()  # no accept deadline to miss


def test_close_to_the_deadline_it_turns_red_and_rings_faster_even_when_opened() -> None:
    alerts = Alerts(ring_every_s=20)
    one = new(1, window_min=5)  # urgent in the last 100 s (a third of 5 minutes)
    alerts.orders_changed([one], T0)
    alerts.acknowledge(one.order.id)
    assert alerts.tick(at(199)) == [] and alerts.urgent == frozenset()
    assert alerts.tick(at(200)) == [Sound.URGENT]
    assert alerts.urgent == {one.order.id}
    assert alerts.tick(at(201)) == []
    assert alerts.tick(at(205)) == [Sound.URGENT]  # every 5 s (a quarter of 20 s)
    assert alerts.orders_changed([accepted(one)], at(206)) == []
    assert alerts.urgent == frozenset()
    assert alerts.tick(at(215)) == []


def test_the_urgent_window_is_clamped() -> None:
    assert urgent_window_s(T0, T0 + timedelta(minutes=1)) == 60  # at least the last minute
    assert urgent_window_s(T0, T0 + timedelta(minutes=6)) == 120
    assert urgent_window_s(T0, T0 + timedelta(hours=24)) == 180  # a day-long window: the last 3 minutes
    alerts = Alerts()
    late = new(4, minutes_ago=4, window_min=5)  # 60 s left on arrival
    assert alerts.orders_changed([late], T0) == [Sound.URGENT]  # the louder pattern, once
    assert alerts.urgent == {late.order.id}


def test_offline_has_its_own_sound_banner_and_toast_once_per_outage() -> None:
    alerts = Alerts()
    assert alerts.link_changed(LinkStatus(LinkState.CONNECTING), T0) == ([], None)
    assert alerts.link_changed(LinkStatus(LinkState.OFFLINE), T0) == ([], None)  # never tried: no outage
    assert alerts.link_changed(LinkStatus(LinkState.ONLINE), T0) == ([], None)
    sounds, toast = alerts.link_changed(LinkStatus(LinkState.OFFLINE, error="refused"), at(1))
    assert sounds == [Sound.OFFLINE] and toast is not None and "Offline" in toast
    assert alerts.offline_banner is not None and "OFFLINE" in alerts.offline_banner
    assert alerts.link_changed(LinkStatus(LinkState.OFFLINE, error="refused"), at(2)) == ([], None)
    sounds, toast = alerts.link_changed(LinkStatus(LinkState.ONLINE), at(3))
    assert sounds == [Sound.BACK_ONLINE] and toast == "Back online."
    assert alerts.offline_banner is None
    sounds, _ = alerts.link_changed(LinkStatus(LinkState.UNAUTHORIZED), at(4))
    assert sounds == [Sound.OFFLINE] and alerts.offline_banner is not None


def test_muted_is_silent_but_still_shows_until_it_ends() -> None:
    alerts = Alerts(ring_every_s=20)
    alerts.mute(2, T0)
    assert alerts.muted_until == at(120)
    one = new(1)
    assert alerts.orders_changed([one], at(1)) == []
    assert alerts.alerting == {one.order.id}  # the row still flashes
    sounds, toast = alerts.link_changed(LinkStatus(LinkState.OFFLINE, error="x"), at(2))
    assert sounds == [] and toast is not None and alerts.offline_banner is not None
    assert alerts.tick(at(119)) == []
    assert alerts.tick(at(121)) == [Sound.NEW_ORDER]  # the mute ran out
    assert alerts.muted_until is None
    alerts.mute(10, at(122))
    alerts.unmute()
    assert alerts.tick(at(150)) == [Sound.NEW_ORDER]


def test_the_ring_interval_is_a_setting(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("O2O_HOME", str(tmp_path))
    monkeypatch.delenv("O2O_RING_EVERY", raising=False)
    assert load_settings().ring_every_s == 20
    from o2o_tui.paths import config_dir

    config_dir().mkdir(parents=True, exist_ok=True)
    (config_dir() / "settings.json").write_text('{"ring_every_s": 45, "mute_minutes": 30}')
    assert (load_settings().ring_every_s, load_settings().mute_minutes) == (45, 30)
    monkeypatch.setenv("O2O_RING_EVERY", "8")
    assert load_settings().ring_every_s == 8
    monkeypatch.setenv("O2O_RING_EVERY", "0")  # never a busy loop of bells
    assert load_settings().ring_every_s == 1
    monkeypatch.setenv("O2O_RING_EVERY", "soon")  # a typo keeps the file's value
    assert load_settings().ring_every_s == 45


def test_the_banner_fits_the_width() -> None:
    alerts = Alerts()
    assert alerts.banner(80) is None
    alerts.link_changed(LinkStatus(LinkState.OFFLINE, error="refused"), T0)
    assert alerts.banner(80) == "OFFLINE: new orders cannot arrive until the link is back"
    assert alerts.banner(40) == "OFFLINE: no new orders"  # the short form, not a cut sentence
    assert alerts.banner(10) is None


def test_past_its_accept_deadline_an_order_stays_red_but_rings_no_more() -> None:
    alerts = Alerts(ring_every_s=20)
    one = new(1, window_min=5)
    alerts.orders_changed([one], T0)
    assert alerts.tick(at(200)) == [Sound.URGENT]
    assert alerts.tick(at(299)) == [Sound.URGENT]
    for second in range(300, 400):  # the deadline passed: the platform cancels it; opened or not, silence
        assert alerts.tick(at(second)) == []
    assert alerts.urgent == {one.order.id} and alerts.alerting == {one.order.id}  # still red, still marked
    later = Alerts(ring_every_s=20)  # a console opened after the deadline: no ring at all
    assert later.orders_changed([one], at(301)) == []
    assert [later.tick(at(301 + second)) for second in range(60)] == [[]] * 60
    assert later.urgent == {one.order.id}
    two = new(2, window_min=30)  # a new order beside an expired one still rings
    assert later.orders_changed([one, two], at(400)) == [Sound.NEW_ORDER]

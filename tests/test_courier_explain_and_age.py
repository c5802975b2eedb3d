"""Small pure pieces of the courier side: a refused courier action explained in both languages, and the age of a
courier's position as the dispatch board's one-line row shows it (repainting at most once a minute for it)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from o2o_tui.domain.fleet import CourierStatus
from o2o_tui.domain.geo import Position
from o2o_tui.i18n import set_language
from o2o_tui.live_dispatch import CourierState
from o2o_tui.sync.explain import explain
from screens.widgets.dispatch_rows import courier_view

NOW = datetime(2026, 12, 2, 12, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def test_a_courier_action_is_explained_with_the_order_number() -> None:
    cancelled = {"code": "illegal_transition", "current_status": "CANCELLED", "order_number": 42}
    assert explain(cancelled, action="delivery.picked_up", target="dl_1") == (
        "order #0042 was cancelled (or given to another courier) before your pickup reached the platform"
    )
    moved = {"code": "illegal_transition", "current_status": "RETURNING", "order_number": 42}
    assert explain(moved, action="delivery.delivered", target="dl_1") == (
        "order #0042 was already on its way back to the store when your delivery reached the platform, so it was"
        " not applied: bring the food back to the store, then mark it returned"
    )
    unknown = explain({"code": "not_found"}, action="delivery.accept", target="dl_abcdefghij")
    assert unknown.startswith("delivery dl_abcde no longer exists")
    assert explain({"code": "validation", "field": "status"}, action="courier.state", target="c1").startswith(
        "your duty status:"
    )
    set_language("zh")
    assert explain(cancelled, action="delivery.picked_up", target="dl_1") == (
        "在您的“取餐”送达平台之前，订单 #0042 已被取消（或改派给其他骑手）"
    )


def _state(position_at: datetime | None, position: Position | None = Position(31.2, 121.4)) -> CourierState:
    return CourierState(
        courier_id="c1",
        name="王芳 Wang Fang",
        status=CourierStatus.IDLE,
        capacity=3,
        load=0,
        position=position,
        free_at=NOW,
        free_position=position,
        order_numbers=[],
        position_at=position_at,
    )


def test_the_board_row_shows_how_old_a_position_is() -> None:
    assert courier_view(0, _state(None), NOW, None).position_age == ""
    assert courier_view(0, _state(NOW, None), NOW, None).position_age == ""
    fresh = courier_view(0, _state(NOW - timedelta(minutes=3, seconds=20)), NOW, None)
    assert fresh.position_age == "pos 3m" and not fresh.position_stale
    later = courier_view(0, _state(NOW - timedelta(minutes=3, seconds=20)), NOW + timedelta(seconds=30), None)
    assert later == fresh  # same minute: equal views, so the row is not repainted
    stale = courier_view(0, _state(NOW - timedelta(minutes=40)), NOW, None)
    assert stale.position_age == "pos 40m" and stale.position_stale
    assert courier_view(0, _state(NOW - timedelta(hours=3)), NOW, None).position_age == "pos 3h"
    assert courier_view(0, _state(NOW - timedelta(days=2)), NOW, None).position_age == "pos >1d"
    set_language("zh")
    assert courier_view(0, _state(NOW - timedelta(minutes=3)), NOW, None).position_age == "位置3分钟前"


def test_clock_times_are_read_on_the_pickup_stores_clock() -> None:
    """A handheld served over SSH runs on the platform's machine: its zone is not the courier's. A delivery
    that carries its store's zone shows that wall clock; without one (older servers), or with a name no zone
    database knows, the machine's own."""
    from datetime import timezone

    from o2o_tui.domain.fleet import store_clock
    from o2o_tui.domain.transitions import DeliveryStatus
    from tests.test_ui_courier_snapshots import delivery

    ready = datetime(2026, 12, 5, 1, 37, tzinfo=UTC)
    shanghai = delivery(42, DeliveryStatus.PENDING)
    assert shanghai.store_timezone == "Asia/Shanghai"
    assert store_clock(shanghai, ready) == "09:37"
    assert store_clock(shanghai, ready.astimezone(timezone(timedelta(hours=-5)))) == "09:37"  # any offset in
    for zone in ("", "Mars/Olympus_Mons", "../etc"):
        other = msgspec.structs.replace(shanghai, store_timezone=zone)
        assert store_clock(other, ready) == ready.astimezone().strftime("%H:%M")
    assert store_clock(shanghai, None) == ""


def test_the_handheld_shows_the_stores_clock_on_a_machine_in_another_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from o2o_tui.domain.transitions import DeliveryStatus
    from screens.courier_format import UNICODE, detail_fields, row_text
    from tests.test_ui_courier_snapshots import delivery

    monkeypatch.setenv("TZ", "UTC")  # the platform's machine, serving the handheld over SSH
    time.tzset()
    try:
        from zoneinfo import ZoneInfo

        # today at the store (a row says the day of another day's time: "5 Dec"), 09:37 there, 01:37 UTC
        today_there = datetime.now(ZoneInfo("Asia/Shanghai")).replace(hour=9, minute=37, second=0, microsecond=0)
        offer = msgspec.structs.replace(delivery(42, DeliveryStatus.PENDING), ready_at=today_there.astimezone(UTC))
        assert "09:37" in row_text(1, offer, queued=False, refused=False, glyphs=UNICODE)
        assert detail_fields(offer, ended=False, glyphs=UNICODE)["ready"].endswith("09:37")
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_an_address_the_platform_does_not_have_is_left_out_not_an_empty_label() -> None:
    from o2o_tui.domain.geo import Address
    from o2o_tui.domain.transitions import DeliveryStatus
    from screens.courier_format import UNICODE, detail_fields
    from tests.test_ui_courier_snapshots import delivery

    offer = delivery(7, DeliveryStatus.PENDING)
    assert detail_fields(offer, ended=False, glyphs=UNICODE)["pickup"].startswith("Pick up: ")
    no_address = msgspec.structs.replace(offer, pickup=Address(text=""))  # a store created without --address
    assert detail_fields(no_address, ended=False, glyphs=UNICODE)["pickup"] == ""
    # a customer blanked by the purge (or on a delivery that ended without this courier): no bare "Customer:"
    blanked = msgspec.structs.replace(offer, customer_name="", customer_phone="")
    assert detail_fields(blanked, ended=True, glyphs=UNICODE)["customer"] == ""
    assert detail_fields(offer, ended=False, glyphs=UNICODE)["customer"].startswith("Customer: ")

"""Times a store's zone cannot hold, or that came without a zone, are shown, never raised on: menus keep the snooze
time that was stored, and converting year 9999 to UTC+8 overflows (`OverflowError`)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from o2o_tui.cli.store import until_text
from o2o_tui.domain.clock import zone_clock
from o2o_tui.domain.menu import Availability, Item
from o2o_tui.domain.money import Money
from o2o_tui.i18n import set_language
from screens.menu_tree import availability_badge

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
END_OF_TIME = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)


def test_a_time_the_zone_cannot_hold_is_shown_in_utc() -> None:
    assert zone_clock(END_OF_TIME, SHANGHAI) == "9999-12-31 23:59 UTC"
    assert until_text(END_OF_TIME, SHANGHAI, NOW) == "9999-12-31 23:59 UTC"
    assert zone_clock(datetime(2026, 3, 2, 4, 30, tzinfo=UTC), SHANGHAI) == "12:30"


def test_a_naive_time_is_read_as_utc() -> None:
    naive = datetime(2026, 3, 2, 4, 30)
    assert zone_clock(naive, SHANGHAI) == "12:30"
    assert until_text(naive, SHANGHAI, NOW) == "12:30"


def test_the_menu_tree_badge_shows_a_snooze_at_the_edge_of_time() -> None:
    set_language("en")
    try:
        item = Item(id="tofu", name="Tofu", price=Money(2600, "CNY"), snooze_until=END_OF_TIME)
        badge = availability_badge(item, NOW, SHANGHAI)
        assert badge is not None and "9999-12-31 23:59 UTC" in badge[0]
        naive = Item(id="tofu", name="Tofu", price=Money(2600, "CNY"), snooze_until=datetime(2026, 3, 2, 5, 0))
        badge = availability_badge(naive, NOW, SHANGHAI)  # stored by an older server: read as UTC
        assert badge is not None and "13:00" in badge[0]
    finally:
        set_language(None)
    assert availability_badge(
        Item(id="tofu", name="Tofu", price=Money(2600, "CNY"), status=Availability.AVAILABLE), NOW, SHANGHAI
    ) is None

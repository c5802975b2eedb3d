"""The menu editor's tree says the day of a sold-out that does not end today ("tomorrow 10:00", "20 Mar 12:00",
"1 Jan 2099": the month in words), on the store's clock, and keeps it at 40x15 (short words rather than dropping the tag)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from rich.style import Style

from o2o_tui.config import Profile, save_profile
from o2o_tui.domain.menu import Item
from o2o_tui.domain.money import Money
from o2o_tui.i18n import set_language
from screens.menu_editor import MenuEditorApp, source_for_profile
from screens.menu_tree import NodeRef, availability_badge, until_text
from tests.support.platform import RunningPlatform, api
from tests.test_ui_live import wait_until
from tests.test_ui_menu_editor import _opened

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai


def _at(day: int, hour: int, month: int = 3, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=SHANGHAI).astimezone(UTC)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_day_is_said_unless_it_is_today(lang: str) -> None:
    set_language(lang)
    try:
        assert until_text(_at(2, 18), SHANGHAI, NOW) == "18:00"
        tomorrow = "tomorrow 10:00" if lang == "en" else "明天 10:00"
        assert until_text(_at(3, 10), SHANGHAI, NOW) == tomorrow
        assert until_text(_at(3, 10), SHANGHAI, NOW, compact=True) == (
            "tmrw 10:00" if lang == "en" else "明天 10:00"
        )
        # tomorrow on the store's clock, though still today in UTC (00:30 in Shanghai is 16:30 UTC the day before)
        assert until_text(_at(3, 0) + timedelta(minutes=30), SHANGHAI, NOW) == tomorrow.replace(
            "10:00", "00:30"
        )
        assert until_text(_at(20, 12), SHANGHAI, NOW) == ("20 Mar 12:00" if lang == "en" else "3月20日 12:00")
        assert until_text(_at(20, 12), SHANGHAI, NOW, compact=True) == ("20 Mar" if lang == "en" else "3月20日")
        another_year = "1 Jan 2099" if lang == "en" else "2099年1月1日"
        assert until_text(_at(1, 10, month=1, year=2099), SHANGHAI, NOW) == another_year
        item = Item(id="fish", name="Fish", price=Money(6800, "CNY"), snooze_until=_at(3, 10))
        badge = availability_badge(item, NOW, SHANGHAI)
        assert badge is not None and tomorrow in badge[0]
    finally:
        set_language(None)


@pytest.fixture
def profile(platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Profile]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    seed = platform.seed
    assert seed is not None
    yield save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )
    set_language(None)


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_a_narrow_tree_keeps_the_day(platform: RunningPlatform, profile: Profile, lang: str) -> None:
    set_language(lang)
    assert platform.seed is not None
    store = platform.seed.store_id
    local_now = datetime.now(UTC).astimezone(SHANGHAI)
    tomorrow = datetime.combine(local_now.date() + timedelta(days=1), datetime.min.time(), SHANGHAI)
    moments = {
        "boiled-fish": tomorrow + timedelta(hours=10),
        "mapo-tofu": datetime(2099, 1, 1, 10, tzinfo=SHANGHAI),
    }
    merchant = api(platform, "merchant")
    try:
        for number, (item_id, moment) in enumerate(moments.items()):
            body = {"status": "AVAILABLE", "snooze_until": moment.astimezone(UTC).isoformat()}
            answer = merchant.patch(
                f"/v1/stores/{store}/menu/items/{item_id}", body, headers={"Idempotency-Key": f"h22-{number}"}
            )
            assert answer.status_code == 200, answer.text
    finally:
        merchant.close()
    app = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(40, 15)) as pilot:
        screen = await _opened(pilot, app)
        tree = screen.menu_tree

        def line(item_id: str) -> str:
            node = tree._by_ref[NodeRef("item", item_id, "hot-dishes")]
            return tree.render_label(node, Style(), Style()).plain

        await wait_until(pilot, lambda: ("1 Jan 2099" if lang == "en" else "2099年1月1日") in line("mapo-tofu"))
        fish = line("boiled-fish")
        assert ("tmrw 10:00" if lang == "en" else "明天 10:00") in fish, fish
        assert "水煮鱼" in fish
        assert tree.scrollable_content_region.width <= 40

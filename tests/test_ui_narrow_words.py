"""At 40x15, in English and Chinese, the day's totals on the figures screen (`f`) and the store screen's time zone
read whole: the totals go on a second line between whole figures instead of being cut ("进…", "退款 …"), and the
hours' title breaks before "(Asia/Shanghai)", not inside it ("（Asia/Sha" / "nghai）")."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.geometry import Region
from textual.widgets import Static

from o2o_tui.figures_text import cells, wrap
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.figures_screen import FiguresScreen
from screens.memory_source import MemoryOrderSource
from screens.store_screen import StoreScreen
from screens.terminal import DEFAULT_THEME
from tests.test_ui_figures import fixed
from tests.test_ui_samples import FROZEN_NOW, sample_store


@pytest.fixture(params=["en", "zh"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


def _lines(widget: Static) -> list[str]:
    return str(widget.render()).splitlines()


async def test_the_days_totals_read_whole_at_40x15(lang: str) -> None:
    app = MerchantApp(MemoryOrderSource(store=sample_store()), clock=lambda: FROZEN_NOW, theme=DEFAULT_THEME)
    async with app.run_test(size=(40, 15)) as pilot:
        await app.push_screen(FiguresScreen(lambda day: fixed(), figures=fixed(), store_name="老王小馆"))
        await pilot.pause()
        chart = _lines(app.screen.query_one("#figures-chart", Static))
        totals = "\n".join(chart[:4])
        assert "…" not in totals
        for whole in {"en": ("open 4", "refunds ¥76.00)"), "zh": ("进行中 4", "退款 ¥76.00）")}[lang]:
            assert whole in totals, totals
        assert all(cells(line) <= 35 for line in chart[:4])


async def test_the_store_screens_time_zone_is_never_split(lang: str) -> None:
    app = MerchantApp(MemoryOrderSource(store=sample_store()), clock=lambda: FROZEN_NOW, theme=DEFAULT_THEME)
    async with app.run_test(size=(40, 15)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, StoreScreen)
        title = app.screen.query_one("#hours-title", Static)
        shown = [strip.text.strip() for strip in title.render_lines(Region(0, 0, *title.size))]
        assert any(line.endswith(("(Asia/Shanghai)", "（Asia/Shanghai）")) for line in shown), shown
        assert all(cells(line) <= 38 for line in shown)


def test_wrap_breaks_between_fields_and_before_brackets() -> None:
    assert wrap("订单 4  完成 0  取消 0  拒单 1  进行中 3", 30) == ["订单 4  完成 0  取消 0  拒单 1", "进行中 3"]
    assert wrap("营业额 ¥123.00（商品 ¥164.00，退款 ¥41.00）", 35) == ["营业额 ¥123.00", "（商品 ¥164.00，退款 ¥41.00）"]
    assert wrap("Revenue ¥12,269.00  (items ¥12,345.00, refunds ¥76.00)", 20) == [
        "Revenue ¥12,269.00",
        "(items ¥12,345.00,",
        "refunds ¥76.00)",
    ]  # never inside "¥12,345.00"

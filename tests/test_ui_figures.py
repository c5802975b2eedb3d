"""The figures screen (`f`): snapshots at 40x15 and 80x24, English and Chinese, of a fixed report; Pilot tests
of f on the queue against the real server, the day keys, and the kept copy shown offline ("as of")."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from o2o_tui.domain.money import Money
from o2o_tui.domain.report import (
    CancelFigures,
    DayReport,
    Durations,
    HourFigures,
    ItemFigures,
    RefusalFigures,
)
from o2o_tui.figures import Figures
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.figures_screen import FiguresScreen
from screens.memory_source import MemoryOrderSource
from screens.terminal import DEFAULT_THEME
from tests.test_ui_samples import FROZEN_NOW, sample_store

PER_HOUR = [0, 0, 0, 0, 0, 0, 0, 2, 5, 9, 14, 31, 42, 27, 11, 6, 8, 15, 29, 24, 12, 5, 1, 0]


def fixed_report(day: str = "2026-12-02") -> DayReport:
    cny = "CNY"
    return DayReport(
        store_id="store-1",
        date=day,
        timezone="Asia/Shanghai",
        currency=cny,
        generated_at=FROZEN_NOW,
        placed=sum(PER_HOUR),
        completed=230,
        cancelled=4,
        refused=3,
        open=4,
        hours=[HourFigures(h, n, max(0, n - 2)) for h, n in enumerate(PER_HOUR)],
        accept_time=Durations(234, 48.0, 131.0),
        prep_time=Durations(230, 754.5, 1260.0),
        cancellations=[CancelFigures("CHANGED_MIND", "CUSTOMER", 3), CancelFigures("ACCEPT_TIMEOUT", "PLATFORM", 1)],
        refusals=[RefusalFigures("STORE_BUSY", 2), RefusalFigures("OUT_OF_STOCK", 1)],
        gross=Money(1_234_500, cny),
        refunds=Money(7_600, cny),
        revenue=Money(1_226_900, cny),
        top_items=[
            ItemFigures("kung-pao", "宫保鸡丁 Kung Pao Chicken", 96, Money(364_800, cny)),
            ItemFigures("mapo", "麻婆豆腐 Mapo Tofu", 71, Money(198_800, cny)),
            ItemFigures("rice", "米饭 Rice [b]", 180, Money(36_000, cny)),
        ],
    )


def fixed(day: str = "2026-12-02", cached: bool = False) -> Figures:
    return Figures(fixed_report(day), FROZEN_NOW, cached=cached)


@pytest.fixture(params=["en", "zh"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


def _app(now: datetime = FROZEN_NOW) -> MerchantApp:
    return MerchantApp(MemoryOrderSource(store=sample_store()), clock=lambda: now, theme=DEFAULT_THEME)


FIXED_DAY_NOON = datetime(2026, 12, 2, 4, 30, tzinfo=UTC)  # 12:30 in Shanghai on the fixed report's day


@pytest.mark.parametrize("size", [(40, 15), (80, 24)], ids=["40x15", "80x24"])
def test_figures_screen(snap_compare, lang: str, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async def show(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.app.push_screen(FiguresScreen(lambda day: fixed(day or "2026-12-02"), figures=fixed(),
                                                  store_name="老王小馆"))
        await pilot.pause()

    assert snap_compare(_app(), terminal_size=size, run_before=show)


async def until(pilot, check, seconds: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    """Pause until `check()` holds (the figures load on a worker thread)."""
    for _ in range(int(seconds / 0.02)):
        if check():
            return
        await pilot.pause(0.02)
    raise AssertionError("timed out")


async def test_day_keys_and_the_kept_copy_offline() -> None:
    asked: list[str | None] = []

    def load(day: str | None) -> Figures:
        asked.append(day)
        return fixed(day or "2026-12-02", cached=True)

    app = _app(FIXED_DAY_NOON)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = FiguresScreen(load, figures=fixed())
        await app.push_screen(screen)
        await pilot.press("left")
        await until(pilot, lambda: "as of" in str(screen.query_one("#figures-status").render()))
        assert asked == ["2026-12-01"]
        shown = str(screen.query_one("#figures-status").render())
        assert "as of" in shown and screen.query_one("#figures-status").has_class("-stale")
        await pilot.press("right_square_bracket", "r")
        await until(pilot, lambda: len(asked) == 3)
        assert asked == ["2026-12-01", "2026-12-02", "2026-12-02"]
        # the store's today (Shanghai) is the last day: no paging into days of zeros
        await pilot.press("right", "right_square_bracket")
        await pilot.pause(0.2)
        assert asked == ["2026-12-01", "2026-12-02", "2026-12-02"]
        assert "2026-12-02" in str(screen.query_one("#figures-title").render())
        await pilot.press("escape")
        assert app.screen is app.orders_screen


async def test_f_on_the_queue_shows_the_servers_figures(shared_platform, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from o2o_tui.config import Profile
    from tests.support.platform import api, order_body

    seed = shared_platform.seed
    monkeypatch.setenv("O2O_HOME", str(tmp_path))
    api(shared_platform, "customer").post("/v1/orders", order_body(seed.store_id, "TAKEOUT"))
    profile = Profile("m", shared_platform.url, seed.tokens["merchant"], "merchant", store_id=seed.store_id)
    app = MerchantApp(MemoryOrderSource(store=sample_store()), theme=DEFAULT_THEME, profile=profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, FiguresScreen)
        await until(pilot, lambda: "█" in str(screen.query_one("#figures-chart").render()))
        chart = str(screen.query_one("#figures-chart").render())
        assert "█" in chart and "Orders 1 " in chart.replace("  ", " ")
        assert "updated" in str(screen.query_one("#figures-status").render())
    assert next(tmp_path.rglob("reports-v1.json")).stat().st_size > 0
    assert datetime.now(UTC) > FROZEN_NOW


def test_reasons_are_said_in_the_language_and_unknown_codes_stay_safe(lang: str) -> None:
    from o2o_tui.figures_text import reason_lines

    text = "\n".join(reason_lines(fixed_report()))
    if lang == "zh":
        assert "ACCEPT_TIMEOUT" not in text and "STORE_BUSY" not in text and "OUT_OF_STOCK" not in text
    else:
        assert "No answer in time" in text and "Too busy" in text and "Items sold out" in text
    assert "CHANGED_MIND" in text  # a code nobody named: shown as it is

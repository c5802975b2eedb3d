"""Three console/CLI words (f2):

- `o2o dispatch suggest` (and `dispatch auto`'s "assigned" lines) say the day of a pickup or drop-off after
  midnight on the store's clock ("pickup tomorrow 00:10"), not a bare "00:10"; the dispatch board's times column
  says it in its cells ("tmrw→00:35", "23:55→tmrw") and its status line says the day of a problem reported before
  today ("yest 23:50");
- a console without the cache (`o2o console --no-cache`) refused by the platform does not say queued actions are
  kept (nothing is queued there): the toast and the status line say what is true; the cached console still does;
- the day's figures (`f`) at 40 columns keep the store's name whole: the title folds (the day on its line, the
  name on the next), and where one line almost fits the day shortens to its date first.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec
import pytest
from rich.cells import cell_len

from o2o_tui.client import AsyncPlatformClient
from o2o_tui.domain.order import OrderStatus
from o2o_tui.figures import Figures
from o2o_tui.i18n import set_language, t
from o2o_tui.live_dispatch import OrderState, Suggestion
from screens.alerts import Alerts
from screens.source import LinkState
from tests.support.platform import RunningPlatform
from tests.test_ui_figures import fixed_report
from tests.test_ui_samples import FROZEN_NOW, sample_store

SHANGHAI = ZoneInfo("Asia/Shanghai")
NIGHT = datetime(2026, 12, 7, 23, 50, tzinfo=SHANGHAI).astimezone(UTC)  # 23:50 on the store's clock


def local(day: int, hour: int, minute: int) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


@pytest.fixture(params=["en", "zh"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


def _suggestion(pickup: datetime, dropoff: datetime) -> Suggestion:
    return Suggestion(
        order_id="ord-0003", order_number=3, courier_id="c1", courier_name="Wang", depart_at=NIGHT,
        pickup_at=pickup, dropoff_at=dropoff, commit=True, stop=1, route_size=1,
    )  # fmt: skip


# --- 1. the day of a pickup or drop-off after midnight ----------------------------------------------------------


def test_suggest_says_the_day_of_a_pickup_after_midnight(lang: str) -> None:
    from o2o_tui.cli.dispatch import _suggestion_line

    after = _suggestion_line(_suggestion(local(8, 0, 10), local(8, 0, 35)), SHANGHAI, NIGHT)
    pickup, dropoff = t("store.at.tomorrow", time="00:10"), t("store.at.tomorrow", time="00:35")
    assert f" {pickup} " in after and f" {dropoff} " in after, after
    tonight = _suggestion_line(_suggestion(local(7, 23, 55), local(8, 0, 20)), SHANGHAI, NIGHT)
    assert " 23:55 " in tonight and f" {t('store.at.tomorrow', time='00:20')} " in tonight, tonight


def test_the_board_row_says_the_day_of_its_times(lang: str) -> None:
    from screens.widgets.dispatch_rows import order_line, order_view

    state = OrderState(
        order_id="ord-0003", order_number=3, status=OrderStatus.CONFIRMED, ready_at=local(8, 0, 5),
        customer_name="Li Na", address="People's Square", dropoff=None, courier_id=None, why="planned",
    )  # fmt: skip
    tomorrow = t("store.at.tomorrow.narrow")
    after = order_view(
        state, _suggestion(local(8, 0, 10), local(8, 0, 35)), {"c1": (0, "Wang")}, SHANGHAI, NIGHT
    )
    assert (after.pickup, after.dropoff) == (tomorrow, "00:35")  # the drop-off's day is the pickup's
    tonight = order_view(
        state, _suggestion(local(7, 23, 55), local(8, 0, 20)), {"c1": (0, "Wang")}, SHANGHAI, NIGHT
    )
    assert (tonight.pickup, tonight.dropoff) == ("23:55", tomorrow)
    for width in (40, 80):
        line = order_line(after, width).plain
        assert cell_len(line) <= width and tomorrow in line, line
    assert f"{tomorrow}→00:35" in order_line(after, 80).plain


def test_the_boards_status_line_says_the_day_of_an_earlier_time() -> None:
    from screens.dispatch_board import ClientFleet, DispatchBoard

    set_language("en")
    try:
        fleet = ClientFleet(AsyncPlatformClient("http://127.0.0.1:9", "t"), "store-1")
        board = DispatchBoard(fleet, clock=lambda: local(8, 0, 10))
        assert board._at(datetime(2026, 12, 7, 23, 50, tzinfo=SHANGHAI)) == "yest 23:50"
        assert board._at(datetime(2026, 12, 8, 0, 5, tzinfo=SHANGHAI)) == "00:05"
    finally:
        set_language(None)


# --- 2. a console without the cache keeps no queue -------------------------------------------------------------


async def test_a_console_without_the_cache_does_not_say_a_queue_is_kept(
    shared_platform: RunningPlatform, lang: str
) -> None:
    """The `--no-cache` source, refused by the real platform: its link as the banner, the toast and the status line
    take it."""
    from screens.client_source import ClientOrderSource
    from screens.widgets.status_bar import link_line_parts

    seed = shared_platform.seed
    assert seed is not None
    source = ClientOrderSource(AsyncPlatformClient(shared_platform.url, "revoked"), seed.store_id)
    task = asyncio.create_task(source.run())
    try:
        deadline = asyncio.get_running_loop().time() + 10
        while source.link().state is not LinkState.UNAUTHORIZED:
            assert not task.done() and asyncio.get_running_loop().time() < deadline, source.link()
            await asyncio.sleep(0.05)
        link = source.link()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await source.close()
    kept = ("queued actions are kept", "Queued actions are kept") if lang == "en" else ("待发送的操作会保留",)
    cached = msgspec.structs.replace(link, queues=True)  # the sync engine's console: its outbox is kept
    for status, keeps in ((link, False), (cached, True)):
        alerts = Alerts()
        _, toast = alerts.link_changed(status, FROZEN_NOW)
        [hint] = [
            p.variants[0] for p in link_line_parts(status, sample_store(), FROZEN_NOW) if p.priority == 5
        ]
        for said in (toast or "", hint, status.error or ""):
            assert any(words in said for words in kept) is (keeps and said != status.error), said
        assert "o2o login" in (toast or "") and "o2o login" in hint
    _, toast = Alerts().link_changed(
        msgspec.structs.replace(link, error=t("client.error.user_disabled")), FROZEN_NOW
    )
    assert toast == t("alerts.disabled_toast_no_cache") and not any(words in toast for words in kept), toast


# --- 3. the figures' title keeps the store's name -----------------------------------------------------------------


def test_the_title_folds_before_the_name_is_cut(lang: str) -> None:
    from screens.figures_screen import title_text
    from screens.terminal import FULL

    name = sample_store().name  # 35 cells
    long_day = "Wed 2 Dec, until 03:00 Thu"
    one = title_text(long_day, "2026-12-02", name, 78, FULL)
    assert "\n" not in one and long_day in one and one.endswith(name)
    shorter = title_text(long_day, "2026-12-02", name, 58, FULL)  # the day shortens first
    assert "\n" not in shorter and "2026-12-02" in shorter and shorter.endswith(name), shorter
    day, store = title_text(long_day, "2026-12-02", name, 38, FULL).split("\n")
    assert long_day in day and store == name
    lines = title_text("2026-12-02", "2026-12-02", name, 30, FULL).split(
        "\n"
    )  # narrower still: the name folds
    assert len(lines) == 3 and " ".join(lines[1:]) == name and all(cell_len(x) <= 30 for x in lines), lines


async def test_the_figures_screen_at_40_columns_shows_the_whole_name(lang: str) -> None:
    from screens.app import MerchantApp
    from screens.figures_screen import FiguresScreen
    from screens.memory_source import MemoryOrderSource
    from screens.terminal import DEFAULT_THEME

    name = sample_store().name
    report = msgspec.structs.replace(
        fixed_report(),
        ends_at=datetime(2026, 12, 3, 3, 0, tzinfo=SHANGHAI),  # a trading day past midnight
    )
    figures = Figures(report, FROZEN_NOW)
    app = MerchantApp(MemoryOrderSource(store=sample_store()), clock=lambda: FROZEN_NOW + timedelta(days=7),
                      theme=DEFAULT_THEME)  # fmt: skip
    async with app.run_test(size=(40, 15)) as pilot:
        await app.push_screen(FiguresScreen(lambda day: figures, figures=figures, store_name=name))
        await pilot.pause()
        title = app.screen.query_one("#figures-title")
        lines = str(title.render()).split("\n")
        assert lines[-1] == name and len(lines) == 2, lines  # the day on its line, the name whole on the next
        assert title.region.height == 2, title.region

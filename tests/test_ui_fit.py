"""Item 2 of issue 11, fit every terminal: the key footer and the status line stay on one line at 40, 80 and 120
columns (whole entries left out by priority, never cut mid-word), help lists every key, times read m:ss / h:mm /
Nd. A small harness screen with the queue's keys, so the footer and status line are tested on their own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import msgspec
import pytest
from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from o2o_tui.domain.order import OrderStatus
from o2o_tui.domain.store import StoreState, StoreStatus
from o2o_tui.i18n import set_language
from screens import order_format as fmt
from screens.help_screen import HelpScreen
from screens.keys import localize_bindings
from screens.source import LinkState
from screens.terminal import ANSI_THEME, DEFAULT_THEME, theme_for
from screens.widgets.footer import KeyFooter
from screens.widgets.status_bar import StatusBar, link_parts
from tests.test_ui_samples import FROZEN_NOW, sample_link, sample_order, sample_store

SIZES = [(40, 15), (80, 24), (120, 40)]
SIZE_IDS = ["40x15", "80x24", "120x40"]


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


class QueueKeys(Screen[None]):
    """The queue's keys (as issue 11 has them, with `!` and `M`), a status line and the footer."""

    BINDINGS = [
        Binding("enter", "noop", "ui.key.open", id="queue.open"),
        Binding("question_mark", "help", "ui.key.help", id="queue.help"),
        Binding("a", "noop", "ui.key.accept", id="queue.accept"),
        Binding("x", "noop", "ui.key.reject", id="queue.reject"),
        Binding("p", "noop", "ui.key.preparing", id="queue.preparing"),
        Binding("r", "noop", "ui.key.ready", id="queue.ready"),
        Binding("h", "noop", "ui.key.handoff", id="queue.handoff"),
        Binding("c", "noop", "ui.key.cancellation", id="queue.cancellation"),
        Binding("d", "noop", "ui.key.dispatch", id="queue.dispatch"),
        Binding("exclamation_mark", "noop", "conflicts.key.open", id="queue.conflicts"),
        Binding("M", "noop", "conflicts.key.mute", id="queue.mute"),
        Binding("slash", "noop", "ui.key.search", id="queue.search"),
        Binding("escape", "noop", "ui.key.clear", show=False, id="queue.clear_search"),
        Binding("q", "noop", "ui.key.quit", id="queue.quit"),
    ]
    FOOTER_PRIORITY = ("queue.accept", "queue.open", "queue.ready", "queue.conflicts", "queue.quit")

    def __init__(self, conflicts: int, state: LinkState) -> None:
        super().__init__()
        localize_bindings(self)
        self._link = msgspec.structs.replace(sample_link(state), conflicts=conflicts)

    def compose(self) -> ComposeResult:
        yield Static("body", id="body")
        yield StatusBar(id="status")
        yield KeyFooter()

    def on_mount(self) -> None:
        store = msgspec.structs.replace(sample_store(), status=StoreStatus(state=StoreState.PAUSED))
        self.query_one(StatusBar).show(self._link, store, FROZEN_NOW, muted=True)

    def action_noop(self) -> None:
        return None

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen())


class FitApp(App[None]):
    CSS = "#body { height: 1fr; }"

    def __init__(
        self, *, conflicts: int = 2, state: LinkState = LinkState.OFFLINE, theme: str = DEFAULT_THEME
    ):
        super().__init__()
        self._screen_args = (conflicts, state)
        self.theme = theme

    def on_mount(self) -> None:
        self.push_screen(QueueKeys(*self._screen_args))


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_status_line_and_footer_snapshot(snap_compare, size: tuple[int, int]) -> None:
    assert snap_compare(FitApp(), terminal_size=size)


def test_status_line_and_footer_snapshot_ansi_no_color(snap_compare) -> None:
    assert theme_for({"TERM": "linux"}) == ANSI_THEME  # a 16-colour console: the terminal's own colours
    assert theme_for({"NO_COLOR": "1", "TERM": "linux"}) == DEFAULT_THEME  # not black on black under NO_COLOR
    assert snap_compare(FitApp(theme=ANSI_THEME), terminal_size=(80, 24))


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_one_line_each_whole_entries_help_and_conflicts_always(size: tuple[int, int]) -> None:
    app = FitApp()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        for _ in range(100):  # the footer composes its keys after the screen's first frame (a loaded machine: later)
            footer = app.screen.query_one(KeyFooter)
            keys = list(footer.query(FooterKey))
            if keys and all(key.region.width == cell_len(key.render().plain) for key in keys):  # laid out, whole
                break
            await pilot.pause(0.05)
        assert footer.size.height == 1
        right = max(key.region.right for key in keys)
        assert right <= size[0], "a footer entry runs off the screen"
        assert all(key.region.width == cell_len(key.render().plain) for key in keys), "an entry is cut"
        shown = [key.key for key in keys]
        assert "question_mark" in shown and "a" in shown  # help and the first of FOOTER_PRIORITY: every width
        status = app.screen.query_one(StatusBar)
        assert status.size.height == 1
        line = status.render().plain
        assert cell_len(line) <= size[0]
        assert "!2" in line or "2 refused" in line  # the conflicts badge at every width
        if size[0] >= 120:
            assert len(shown) == len([b for b in QueueKeys.BINDINGS if b.show])  # room for all


async def test_help_lists_every_key_of_the_screen_even_those_left_out_of_the_footer() -> None:
    app = FitApp()
    async with app.run_test(size=(40, 15)) as pilot:
        await pilot.pause()
        shown = {key.key for key in app.screen.query(FooterKey)}
        assert "d" not in shown  # no room at 40 columns...
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        ids = {binding_id for row in help_screen.rows for binding_id in row.binding_ids}
        assert {b.id for b in QueueKeys.BINDINGS} <= ids  # ...but help has it, and ! and M, and hidden Esc
        texts = {row.keys: row.text for row in help_screen.rows}
        assert texts["d"] == "the dispatch board (stores with their own couriers)"


async def test_help_in_chinese() -> None:
    set_language("zh")
    app = FitApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        texts = {row.keys: row.text for row in app.screen.rows}  # type: ignore[attr-defined]
        assert texts["d"] == "调度面板（自有骑手的门店）"
        assert texts["!"].startswith("被拒的操作")


def test_status_line_shortens_by_priority() -> None:
    link = msgspec.structs.replace(sample_link(LinkState.OFFLINE), conflicts=2)
    store = msgspec.structs.replace(sample_store(), status=StoreStatus(state=StoreState.PAUSED))
    wide = "".join(text for text, _ in link_parts(link, store, FROZEN_NOW, 200, muted=True))
    assert wide == (
        " OFFLINE  ! 2 refused · muted · 1 queued · PAUSED · last sync 3 min ago · 老王川菜馆 Lao Wang Sichuan"
        " Kitchen · new orders cannot arrive until the link is back"
    )
    narrow = "".join(text for text, _ in link_parts(link, store, FROZEN_NOW, 40, muted=True))
    assert narrow == " OFFLINE  !2 muted ~1 PAUSED"  # shortened first, then the least important left out
    plain = msgspec.structs.replace(sample_link(LinkState.OFFLINE))
    at_40 = "".join(text for text, _ in link_parts(plain, sample_store(), FROZEN_NOW, 40))
    assert at_40 == " OFFLINE  ~1 3 min ago no new orders"  # the outage said even at 40 columns
    for width in range(12, 130):
        assert cell_len("".join(text for text, _ in link_parts(link, store, FROZEN_NOW, width))) <= width


def test_times_read_m_ss_then_hours_then_days() -> None:
    order = sample_order(1, OrderStatus.CREATED, minutes_ago=0)
    for left, shown in [
        (timedelta(minutes=4, seconds=59), "4:59"),
        (timedelta(minutes=59, seconds=59), "59:59"),
        (timedelta(hours=1), "1h00"),
        (timedelta(minutes=1439, seconds=30), "23h59"),  # the "1439:…"; "23:59" read as a clock time
        (timedelta(days=2, hours=3), "2d"),
        (timedelta(seconds=-5), "0:00"),
    ]:
        deadline_order = msgspec.structs.replace(order, accept_deadline=FROZEN_NOW + left)
        assert fmt.clock_text(deadline_order, FROZEN_NOW) == shown
        assert cell_len(shown) <= fmt.columns_for(40).clock
    old = sample_order(2, OrderStatus.DISPATCHED, minutes_ago=3 * 24 * 60 + 5)
    assert fmt.clock_text(old, FROZEN_NOW) == "3d"
    late = sample_order(3, OrderStatus.PREPARING, minutes_ago=16 + 75)  # promised 75 min ago
    assert fmt.clock_text(late, FROZEN_NOW) == "-1h15"


def test_fit_cuts_between_words() -> None:
    assert fmt.fit("Kung Pao Chicken×2, Rice×2", 12) == "Kung Pao…   "
    assert fmt.fit("宫保鸡丁 Kung Pao Chicken", 15) == "宫保鸡丁 Kung… "
    assert fmt.fit("Supercalifragilistic", 8) == "Superca…"  # one long word: cut where it must
    assert fmt.fit("宫保鸡丁宫保鸡丁", 7) == "宫保鸡…"  # no spaces (Chinese): by character
    assert fmt.fit("Alice Chen", 10) == "Alice Chen"
    assert fmt.fit("Alice Chen", 8, align="right") == "  Alice…"


def test_queue_snapshot_no_color(snap_compare, monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole queue with NO_COLOR set: the ansi theme and Textual's monochrome filter (state in reverse)."""
    from screens.app import MerchantApp
    from screens.memory_source import MemoryOrderSource
    from tests.test_ui_samples import sample_entries

    monkeypatch.setenv("NO_COLOR", "1")
    link = msgspec.structs.replace(sample_link(LinkState.ONLINE), conflicts=2)
    source = MemoryOrderSource(sample_entries(), store=sample_store(), link=link)
    app = MerchantApp(source, clock=lambda: FROZEN_NOW)
    assert app.theme == DEFAULT_THEME and app.no_color  # greys on black: the ANSI theme would be black on black
    assert snap_compare(app, terminal_size=(80, 24))

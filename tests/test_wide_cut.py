"""A double-width character on top of another widget's edge is drawn whole (screens/textual_fixes.py).

Textual 8.2.8 cuts each line at the edges of every widget on it, hidden ones included, and a Chinese character
cut in two became two spaces: a toast over the menu editor's tree|form divider read "有可撤销的操作" ("there is
something to undo") for "没有可撤销的操作". What the terminal is sent (every frame, full or partial, fed to a
terminal emulator) is checked: a toast across a divider, the pane under it repainted, the toast gone; a widget in
front of the toast still hides the half it covers; a screen with no such overlap gets exactly Textual's own chops.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyte
import pytest
from textual._compositor import ChopsUpdate, CompositorUpdate
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.geometry import Region
from textual.screen import Screen
from textual.strip import Strip
from textual.widgets import Static
from textual.widgets._toast import Toast
from wcwidth import wcwidth

from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language, t
from screens import textual_fixes
from screens.menu_editor import MenuEditorApp, MenuEditorScreen
from screens.menu_source import source_for_profile
from tests.support.platform import RunningPlatform
from tests.test_ui_live import wait_until

UNDO = "没有可撤销的操作。"  # zh menu_editor.nothing_to_undo
EVEN = "x没有可撤销的操"  # one line whose characters start at 22, 24, ...: none crosses the divider


def test_the_textual_code_copied_is_unchanged() -> None:
    """The fix copies Textual 8.2.8's chops and partial update, and relies on how a partial update is written
    out; after an upgrade, compare the new code with the copies before changing these fingerprints."""
    fingerprints = {
        function.__qualname__: hashlib.sha256(inspect.getsource(function).encode()).hexdigest()[:16]
        for function in (
            textual_fixes._TEXTUAL_RENDER_CHOPS,
            textual_fixes._TEXTUAL_RENDER_PARTIAL_UPDATE,
            ChopsUpdate.render_segments,
        )
    }
    assert fingerprints == {
        "Compositor._render_chops": "ca8c3359d7afd017",
        "Compositor.render_partial_update": "888dccc892d8ecc2",
        "ChopsUpdate.render_segments": "4c1cdb567e0b8354",
    }


class _Terminal:
    """What a terminal shows after every frame the app sent (pyte)."""

    def __init__(self, width: int, height: int) -> None:
        self.screen = pyte.Screen(width, height)
        self.stream = pyte.Stream(self.screen)

    def feed(self, app: App[Any], renderable: object) -> None:
        if isinstance(renderable, CompositorUpdate):
            self.stream.feed(renderable.render_segments(app.console))

    def lines(self) -> list[str]:
        """The rows as shown. A wide character written over in either half is blank in both (as xterm shows it;
        pyte keeps the other half)."""
        rows = []
        for y in range(self.screen.lines):
            cells = [self.screen.buffer[y][x].data for x in range(self.screen.columns)]
            row, x = "", 0
            while x < len(cells):
                if cells[x] and wcwidth(cells[x][0]) == 2:
                    whole = x + 1 < len(cells) and cells[x + 1] == ""
                    row += cells[x] if whole else "  "
                    x += 2
                    continue
                row += cells[x] or " "
                x += 1
            rows.append(row.rstrip())
        return rows


class SplitApp(App[None]):
    """Two panes side by side, the divider at column 22, where a toast's first character starts at column 21;
    with `bar`, a one-column widget between them (22), the right pane from 23."""

    CSS = """
    #left { width: 22; height: 1fr; }
    #right { width: 1fr; height: 1fr; }
    #bar { width: 1; height: 1fr; }
    Screen { layers: panes card cover; }
    #card { layer: card; offset: 21 3; width: 17; height: 1; }
    #cover { layer: cover; offset: 28 3; width: 6; height: 1; }
    """

    def __init__(self, *, cover: bool = False, bar: bool = False) -> None:
        textual_fixes.install()
        super().__init__()
        self.cover = cover
        self.bar = bar
        self.terminal = _Terminal(40, 12)

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Static("left 左边", id="left")
            if self.bar:
                yield Static("|" * 12, id="bar")
            yield Static("right 右边", id="right")
        if self.cover:  # a card across the divider, and in front of it a cover whose edges cut "撤" and "操"
            yield Static(UNDO, id="card")
            yield Static("COVER!", id="cover")

    def _display(self, screen: Screen[Any], renderable: Any) -> None:
        self.terminal.feed(self, renderable)
        super()._display(screen, renderable)


def _toast_lines(lines: list[str]) -> list[str]:
    return [line.split("▌", 1)[1].strip() for line in lines if "▌" in line and line.split("▌", 1)[1].strip()]


@pytest.mark.parametrize("bar", [False, True], ids=["two-panes", "one-column-bar"])
async def test_a_toast_across_a_divider_keeps_its_first_character(bar: bool) -> None:
    app = SplitApp(bar=bar)
    first_row = "left 边 again         |right 边 again" if bar else "left 边 again         right 边 again"
    async with app.run_test(size=(40, 12), notifications=True) as pilot:
        await pilot.pause()
        app.notify(UNDO, timeout=30)
        app.notify("x" + UNDO, timeout=30)  # "作" across the divider on its first line, "。" on its second
        await wait_until(pilot, lambda: len(app.screen.query(Toast)) == 2)
        await pilot.pause(0.2)
        toast_col = app.screen.query(Toast).first().region.x + 2  # inside its "▌" and padding
        assert toast_col == 21 and app.query_one("#left").region.right == 22  # the divider cuts "没"
        assert _toast_lines(app.terminal.lines()) == ["没有可撤销的操作", "。", "x没有可撤销的操", "作。"]

        for pane in ("#right", "#left"):  # a pane under the toast repaints alone, its edge under a character
            app.query_one(pane, Static).update(f"{pane[1:]} 边 again")
            await pilot.pause(0.2)
            assert _toast_lines(app.terminal.lines()) == ["没有可撤销的操作", "。", "x没有可撤销的操", "作。"]
        assert app.terminal.lines()[0] == first_row

        app.clear_notifications()
        await wait_until(pilot, lambda: not app.screen.query(Toast))
        await pilot.pause(0.2)
        assert not _toast_lines(app.terminal.lines())
        assert app.terminal.lines()[:4] == [first_row, *([" " * 22 + "|"] * 3 if bar else [""] * 3)]


async def test_a_widget_in_front_still_hides_the_half_it_covers() -> None:
    app = SplitApp(cover=True)
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause(0.2)
        assert app.query_one("#card").region.x == 21 and app.query_one("#cover").region.x == 28
        # "没" (21-22) whole across the divider; "撤" (27-28) and "操" (33-34) half hidden by the cover: blank
        assert app.terminal.lines()[3][21:] == "没有可 COVER! 作"


def _chops(app: App[Any], render_chops: Any) -> Sequence[Mapping[int, Strip]]:
    compositor = app.screen._compositor
    chops: Sequence[Mapping[int, Strip]] = render_chops(compositor, compositor.size.region, lambda y: True)
    return chops


@pytest.mark.parametrize("message", ["Nothing to undo.", EVEN, None], ids=["en", "zh-even", "no-toast"])
async def test_with_no_character_across_an_edge_the_chops_are_textuals_own(message: str | None) -> None:
    app = SplitApp()
    async with app.run_test(size=(40, 12), notifications=True) as pilot:
        await pilot.pause()
        if message is not None:
            app.notify(message, timeout=30)
            await wait_until(pilot, lambda: bool(app.screen.query(Toast)))
            await pilot.pause(0.2)
        mine = _chops(app, textual_fixes._render_chops)
        textuals = _chops(app, textual_fixes._TEXTUAL_RENDER_CHOPS)
        assert [list(line) for line in mine] == [list(line) for line in textuals]
        assert [[strip.text for strip in line.values()] for line in mine] == [
            [strip.text for strip in line.values()] for line in textuals
        ]


# --- the real menu editor, against the real platform --------------------------------------------------------------


class _CapturedMenuEditor(MenuEditorApp):
    """The menu editor; what it sends to the terminal is also fed to a terminal emulator."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.terminal = _Terminal(80, 24)

    def _display(self, screen: Screen[Any], renderable: Any) -> None:
        self.terminal.feed(self, renderable)
        super()._display(screen, renderable)


@pytest.fixture
def chinese_profile(
    platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Profile]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    set_language("zh")
    seed = platform.seed
    assert seed is not None
    yield save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )
    set_language(None)


async def test_the_menu_editors_nothing_to_undo_reads_whole_in_chinese(chinese_profile: Profile) -> None:
    assert t("menu_editor.nothing_to_undo") == UNDO
    app = _CapturedMenuEditor(source_for_profile(chinese_profile))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, MenuEditorScreen) and bool(app.screen.draft))
        await pilot.press("u")
        await wait_until(pilot, lambda: bool(app.screen.query(Toast)))
        await pilot.pause(0.1)
        toast = app.screen.query(Toast).first()
        form = app.screen.query_one("#menu-form")
        rows = range(toast.region.y, toast.region.bottom)
        row = next(y for y in rows if UNDO[1:] in app.terminal.lines()[y])
        assert toast.region.x < form.region.x < toast.region.right  # the tree|form divider is under it
        assert UNDO in app.terminal.lines()[row], "\n".join(app.terminal.lines())
        assert Region(form.region.x - 1, row, 2, 1).overlaps(toast.region)

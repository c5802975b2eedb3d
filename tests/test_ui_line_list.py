"""The generic line-API list (`screens/widgets/line_list.py`): renders only visible lines, keyed diffs, the cursor
by key, typed messages. Counted through `LineList.renders` (lines actually rendered), not timing."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import App, ComposeResult
from textual.content import Content

from screens.widgets.line_list import LineList, RowState


@dataclass(frozen=True)
class Row:
    key: str
    text: str
    heading: bool = False


def _render(row: Row, width: int, state: RowState) -> Content:
    return Content(("> " if state.cursor else "  ") + row.text)


class Headed(LineList[Row]):
    def can_select(self, row: Row) -> bool:
        return not row.heading


class ListApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, object]] = []

    def compose(self) -> ComposeResult:
        yield Headed(
            key_of=lambda row: row.key, render_row=_render, header=lambda width: Content("KEY  TEXT")
        )

    def on_line_list_highlighted(self, event: LineList.Highlighted) -> None:
        self.events.append(("highlighted", event.key))

    def on_line_list_selected(self, event: LineList.Selected) -> None:
        self.events.append(("selected", event.key))


def _rows(count: int, prefix: str = "row") -> list[Row]:
    return [Row(f"k{i}", f"{prefix} {i}") for i in range(count)]


def _text(app: App[None]) -> list[str]:
    strips = app.screen._compositor.render_strips()
    return ["".join(segment.text for segment in strip).rstrip() for strip in strips]


async def test_only_visible_lines_render_and_a_changed_row_repaints_alone() -> None:
    app = ListApp()
    async with app.run_test(size=(40, 10)) as pilot:
        lines = app.query_one(Headed)
        lines.focus()
        lines.set_rows(_rows(2000))
        await pilot.pause()
        assert _text(app)[0] == "KEY  TEXT" and _text(app)[1] == "> row 0"
        assert lines.renders <= 10  # 9 rows on screen under the header, never 2,000
        before = lines.renders
        rows = _rows(2000)
        rows[3] = Row("k3", "changed")
        lines.set_rows(rows)
        await pilot.pause()
        assert lines.renders - before == 1
        assert "  changed" in _text(app)
        before = lines.renders
        lines.refresh_cells("k2", 2, 3)  # one cell range of one line
        await pilot.pause()
        assert lines.renders - before == 1


async def test_cursor_stays_on_its_key_and_goes_to_the_nearest_row() -> None:
    app = ListApp()
    async with app.run_test(size=(40, 10)) as pilot:
        lines = app.query_one(Headed)
        lines.focus()
        lines.set_rows(_rows(5))
        await pilot.press("down", "down")
        assert lines.cursor_key == "k2" and lines.cursor_row == 2
        lines.set_rows([Row("new", "new"), *_rows(5)])  # inserted above
        await pilot.pause()
        assert lines.cursor_key == "k2" and lines.cursor_row == 3
        lines.set_rows([row for row in _rows(5) if row.key != "k2"])  # its row is gone
        await pilot.pause()
        assert lines.cursor_key == "k3"
        lines.set_rows(_rows(2))
        await pilot.pause()
        assert lines.cursor_key == "k1"
        lines.set_rows([])
        await pilot.pause()
        assert lines.cursor_key is None and lines.cursor_row == -1
        assert ("highlighted", None) in app.events


async def test_keys_skip_headings_and_enter_selects() -> None:
    app = ListApp()
    async with app.run_test(size=(40, 10)) as pilot:
        lines = app.query_one(Headed)
        lines.focus()
        lines.set_rows([Row("a", "a"), Row("h", "Done", heading=True), Row("b", "b")])
        await pilot.pause()
        await pilot.press("down")
        assert lines.cursor_key == "b"
        await pilot.press("enter")
        await pilot.pause()
        assert app.events[-1] == ("selected", "b")
        lines.cursor_row = 0
        assert lines.cursor_key == "a"
        await pilot.press("end", "home")
        assert lines.cursor_key == "a"


async def test_the_cursor_scrolls_into_view() -> None:
    app = ListApp()
    async with app.run_test(size=(40, 10)) as pilot:
        lines = app.query_one(Headed)
        lines.focus()
        lines.set_rows(_rows(100))
        await pilot.pause()
        await pilot.press("end")
        await pilot.pause()
        assert _text(app)[-1] == "> row 99"
        assert lines.visible_keys()[-1] == "k99"
        await pilot.press("pageup")
        await pilot.pause()
        assert lines.cursor_row < 99 and lines.cursor_key in lines.visible_keys()

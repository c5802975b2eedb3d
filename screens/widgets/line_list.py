"""`LineList`: one keyed, cursor-driven list on Textual's line API, for the queue and the dispatch board.

It renders only the lines on screen (`render_line(y)`, as Textual's `DataTable` and `Log` do), so 2,000 rows cost
what 20 do. Rows are any Python objects; each has a hashable key (`key_of(row)`) that names it across updates.

The contract (callers rely on nothing else)
-------------------------------------------
Construct::

    LineList(key_of=lambda row: row.id, render_row=my_render, header=my_header, id="orders")

or subclass and override `render_row` (and `render_header`, `row_classes`, `line_token`, `can_select`).

- `render_row(row, width, state) -> Content | Strip`: one row fitted to `width` cells. `state` is a
  `RowState` (`cursor`, `focused`). Return `Content` (styles may use theme variables, e.g. `"$text-error"` or
  `"bold"`) or a ready `Strip`. Untrusted text must already be plain (`safe_text`), never markup.
- `row_classes(row, state) -> tuple[str, ...]`: extra *component classes* (declared in the subclass's
  `COMPONENT_CLASSES`, styled in TCSS as `MyList > .my-list--late { color: $text-error; }`) that give the whole
  line its base style. The cursor line also gets `line-list--cursor` (`line-list--cursor-blurred` when the
  list has no focus). Default: none.
- `line_token(key, row) -> Hashable`: anything else the rendered line depends on besides the row itself (e.g. a
  clock text computed from `now`). Default `None`. A line is re-rendered only when its row (by `==`), its
  token, its classes, the width or the theme changed: repainting an unchanged line costs a dict lookup.
- `render_header(width) -> Content | None` (or `header=` callable): an optional fixed first line that does not
  scroll. `refresh_header()` repaints it.
- `can_select(row) -> bool`: False for rows the cursor skips (e.g. a section heading). Default True.

Data:

- `set_rows(rows)`: replace all rows in one batch by key (a keyed diff). Only lines whose row changed, or that
  moved to another line, are repainted. Keys must be unique. The cursor stays on its key; when its row is gone
  it moves to the next of its old neighbours still there (the row that took its line), else the one before.
- `rows` (the rows in order, read-only), `keys`, `row(key)`, `index_of(key)`, `__len__`.
- `refresh_key(key)`: repaint that row's line (after state the list cannot see changed, e.g. a flash phase).
- `refresh_cells(key, x, width)`: repaint only cells `x .. x+width` of that row's line (a ticking clock).
- `visible_keys()`: the keys of the rows on screen now (for once-a-second work proportional to the screen).

Cursor (reactive attributes; watch them with `self.watch(list, "cursor_key", callback)`):

- `cursor_key`: the key under the cursor, or None when the list is empty. Assign it (or call
  `move_cursor(key)`) to move the cursor; an unknown key is ignored.
- `cursor_row`: the cursor's index in `rows` (-1 when none). Assigning it moves the cursor to that row.
- Keys: up/k, down/j, pageup, pagedown, home, end move it; enter posts `Selected`; a click moves it.

Messages (bubble up; `event.line_list` is the sender, `event.key` the row key):

- `LineList.Highlighted(line_list, key)`: the cursor moved to another key (or to None).
- `LineList.Selected(line_list, key)`: Enter (or a click on the cursor row).

Handler names are `on_line_list_highlighted` / `on_line_list_selected` for every subclass.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import ClassVar, Generic, TypeVar

import msgspec
from rich.segment import Segment
from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.geometry import Region, Size, Spacing
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style as VisualStyle
from textual.visual import Visual

RowT = TypeVar("RowT")


class RowState(msgspec.Struct, frozen=True):
    """What the list knows about a line when it asks for its render."""

    cursor: bool = False
    focused: bool = False


RenderRow = Callable[[RowT, int, RowState], "Content | Strip"]


class LineList(ScrollView, Generic[RowT], can_focus=True):
    """A keyed list rendering only its visible lines. See the module docstring: it is the contract."""

    DEFAULT_CSS = """
    LineList { height: 1fr; width: 1fr; overflow-x: hidden; text-wrap: nowrap; text-overflow: clip; }
    LineList > .line-list--header { text-style: bold; color: $text-muted; }
    LineList > .line-list--cursor { background: $primary 50%; }
    LineList > .line-list--cursor-blurred { background: $primary 30%; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "line-list--header",
        "line-list--cursor",
        "line-list--cursor-blurred",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "move(-1)", show=False, id="list.up"),
        Binding("down,j", "move(1)", show=False, id="list.down"),
        Binding("pageup", "page(-1)", show=False, id="list.page_up"),
        Binding("pagedown", "page(1)", show=False, id="list.page_down"),
        Binding("home", "jump(0)", show=False, id="list.first"),
        Binding("end", "jump(-1)", show=False, id="list.last"),
        Binding("enter", "select_cursor", show=False, id="list.select"),
    ]

    cursor_key: reactive[Hashable | None] = reactive(None, init=False, always_update=False)
    cursor_row: reactive[int] = reactive(-1, init=False, always_update=False)

    class Highlighted(Message):
        """The cursor moved to another row (`key`), or to none."""

        def __init__(self, line_list: LineList[object], key: Hashable | None) -> None:
            super().__init__()
            self.line_list = line_list
            self.key = key

        @property
        def control(self) -> LineList[object]:
            return self.line_list

    class Selected(Message):
        """Enter on the cursor row (`key`)."""

        def __init__(self, line_list: LineList[object], key: Hashable) -> None:
            super().__init__()
            self.line_list = line_list
            self.key = key

        @property
        def control(self) -> LineList[object]:
            return self.line_list

    def __init__(
        self,
        *,
        key_of: Callable[[RowT], Hashable],
        render_row: RenderRow[RowT] | None = None,
        header: Callable[[int], Content | None] | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._key_of = key_of
        self._render_row_fn = render_row
        self._header_fn = header
        self._rows: list[RowT] = []
        self._index: dict[Hashable, int] = {}
        # key -> (cache token, strip): a line re-renders only when its token changes
        self._line_cache: dict[Hashable, tuple[tuple[object, ...], Strip]] = {}
        self._style_epoch = 0
        self._terminal_size: Size | None = None  # the app's size at the last resize (`on_resize`)
        self._rows_seen: int | None = None  # how many rows were in sight then
        self._scrolled_away = False  # the person scrolled (wheel, scrollbar) since the list last showed the cursor
        self.renders = 0  # lines actually rendered (not served from the cache): for tests and the bench

    # ------------------------------------------------------------------ overridable parts
    def render_row(self, row: RowT, width: int, state: RowState) -> Content | Strip:
        if self._render_row_fn is None:
            return Content(str(row))
        return self._render_row_fn(row, width, state)

    def render_header(self, width: int) -> Content | None:
        return self._header_fn(width) if self._header_fn is not None else None

    def row_classes(self, row: RowT, state: RowState) -> tuple[str, ...]:
        return ()

    def line_token(self, key: Hashable, row: RowT) -> Hashable:
        return None

    def can_select(self, row: RowT) -> bool:
        return True

    # ------------------------------------------------------------------ data
    @property
    def rows(self) -> Sequence[RowT]:
        return tuple(self._rows)

    @property
    def keys(self) -> list[Hashable]:
        key_of = self._key_of
        return [key_of(row) for row in self._rows]

    def __len__(self) -> int:
        return len(self._rows)

    def row(self, key: Hashable) -> RowT | None:
        index = self._index.get(key)
        return self._rows[index] if index is not None else None

    def index_of(self, key: Hashable) -> int | None:
        return self._index.get(key)

    @property
    def cursor_value(self) -> RowT | None:
        """The row under the cursor."""
        return self.row(self.cursor_key) if self.cursor_key is not None else None

    @property
    def header_lines(self) -> int:
        return 1 if self._has_header() else 0

    def _has_header(self) -> bool:
        return self._header_fn is not None or type(self).render_header is not LineList.render_header

    def set_rows(self, rows: Iterable[RowT]) -> None:
        """Replace the rows by key, in one batch; repaint only lines whose row changed or moved."""
        new_rows = list(rows)
        key_of = self._key_of
        new_index: dict[Hashable, int] = {}
        for position, row in enumerate(new_rows):
            key = key_of(row)
            if key in new_index:
                raise ValueError(f"duplicate row key {key!r}")
            new_index[key] = position
        old_rows, old_index = self._rows, self._index
        old_cursor = self.cursor_key
        old_cursor_index = old_index.get(old_cursor, 0) if old_cursor is not None else 0
        dirty: list[int] = []
        for position, row in enumerate(new_rows):
            key = key_of(row)
            before = old_index.get(key)
            if before != position or old_rows[before] != row:
                dirty.append(position)
                if before is not None and old_rows[before] != row:
                    self._line_cache.pop(key, None)
        for key in old_index.keys() - new_index.keys():
            self._line_cache.pop(key, None)
        self._rows, self._index = new_rows, new_index
        shrunk = len(new_rows) < len(old_rows)
        self.virtual_size = Size(self.size.width, len(new_rows) + self.header_lines)
        # the cursor: same key, else the row now nearest its old line
        if old_cursor is not None and old_cursor in new_index:
            new_cursor: Hashable | None = old_cursor
        else:
            new_cursor = self._successor(old_rows, old_cursor_index, new_index)
        if new_cursor != old_cursor:
            self.cursor_key = new_cursor
        else:
            index = new_index[new_cursor] if new_cursor is not None else -1
            if index != self.cursor_row:
                self.cursor_row = index
                self._scroll_to_cursor()  # the same order, pushed down by new ones: keep it on screen
        if shrunk:
            dirty.extend(range(len(new_rows), len(old_rows)))  # the lines that are blank now
        self._refresh_positions(dirty)

    def _refresh_positions(self, positions: list[int]) -> None:
        """Repaint the lines of these row positions that are on screen (one region per run of lines)."""
        if not positions:
            return
        top, height = int(self.scroll_offset.y), self.size.height - self.header_lines
        visible = sorted(p for p in set(positions) if top <= p < top + height)
        start = prev = None
        for position in visible + [None]:
            if start is not None and (position is None or position != prev + 1):  # type: ignore[operator]
                self.refresh_lines(start + self.header_lines, prev - start + 1)  # type: ignore[operator]
                start = None
            if position is not None and start is None:
                start = position
            prev = position

    def refresh_lines(self, y_start: int, line_count: int = 1) -> None:
        """Repaint lines by their y in the virtual space (header included)."""
        width = self.scrollable_content_region.width  # not the scrollbar: it did not change
        self.refresh(Region(0, y_start - int(self.scroll_offset.y), width, line_count))

    def refresh_key(self, key: Hashable) -> None:
        """Repaint the line of `key` (when it is on screen)."""
        self._line_cache.pop(key, None)
        index = self._index.get(key)
        if index is not None:
            self._refresh_positions([index])

    def refresh_cells(self, key: Hashable, x: int, width: int) -> None:
        """Repaint only cells `x .. x+width` of the line of `key`: the rest of the line is not sent again."""
        self._line_cache.pop(key, None)
        index = self._index.get(key)
        if index is None:
            return
        y = index - int(self.scroll_offset.y)
        if 0 <= y < self.size.height - self.header_lines:
            self.refresh(Region(x, y + self.header_lines, width, 1))

    def refresh_header(self) -> None:
        if self._has_header():
            self.refresh(Region(0, 0, self.scrollable_content_region.width, 1))

    def visible_keys(self) -> list[Hashable]:
        top = int(self.scroll_offset.y)
        height = max(0, self.size.height - self.header_lines)
        key_of = self._key_of
        return [key_of(row) for row in self._rows[top : top + height]]

    # ------------------------------------------------------------------ cursor
    def move_cursor(self, key: Hashable | None) -> None:
        if key is None or key in self._index:
            self.cursor_key = key

    def _successor(
        self, old_rows: list[RowT], old_position: int, new_index: dict[Hashable, int]
    ) -> Hashable | None:
        """Where a cursor whose row is gone goes: the next old row still here, else the one before it."""
        key_of = self._key_of
        for positions in (range(old_position, len(old_rows)), range(old_position - 1, -1, -1)):
            for position in positions:
                key = key_of(old_rows[position])
                if key in new_index and self.can_select(self._rows[new_index[key]]):
                    return key
        return self._selectable_near(0, 1)

    def _selectable_near(self, index: int, step: int) -> Hashable | None:
        """The first selectable row from `index` going `step`, else going the other way."""
        rows = self._rows
        if not rows:
            return None
        index = max(0, min(len(rows) - 1, index))
        for direction in (step, -step):
            position = index
            while 0 <= position < len(rows):
                if self.can_select(rows[position]):
                    return self._key_of(rows[position])
                position += direction
        return None

    def validate_cursor_row(self, value: int) -> int:
        return max(-1, min(len(self._rows) - 1, value))

    def watch_cursor_row(self, value: int) -> None:
        key = self._key_of(self._rows[value]) if 0 <= value < len(self._rows) else None
        if key != self.cursor_key:
            self.cursor_key = key

    def validate_cursor_key(self, key: Hashable | None) -> Hashable | None:
        return key if key is None or key in self._index else self.cursor_key

    def watch_cursor_key(self, old: Hashable | None, new: Hashable | None) -> None:
        for key in (old, new):
            if key is not None:
                self.refresh_key(key)
        index = self._index[new] if new is not None else -1
        self.cursor_row = index
        if index >= 0:
            self._scroll_to_index(index)
        self.post_message(self.Highlighted(self, new))  # type: ignore[arg-type]

    def _scroll_to_index(self, index: int) -> None:
        self._scrolled_away = False
        if not self.size.height:
            self.call_after_refresh(lambda: self._scroll_to_cursor())
            return
        region = Region(0, index + self.header_lines, 1, 1)
        self.scroll_to_region(
            region, spacing=Spacing(top=self.header_lines), animate=False, immediate=True, x_axis=False
        )

    def _scroll_to_cursor(self) -> None:
        index = self.cursor_row
        if index >= 0 and self.size.height:
            self._scroll_to_index(index)

    def action_move(self, delta: int) -> None:
        if not self._rows:
            return
        index = self.cursor_row if self.cursor_row >= 0 else 0
        target = max(0, min(len(self._rows) - 1, index + delta))
        step = 1 if delta >= 0 else -1
        key = self._selectable_near(target, step)
        if key is not None:
            self.cursor_key = key

    def action_page(self, direction: int) -> None:
        self.action_move(direction * max(1, self.size.height - self.header_lines - 1))

    def action_jump(self, index: int) -> None:
        if self._rows:
            position = index if index >= 0 else len(self._rows) + index
            key = self._selectable_near(position, 1 if index >= 0 else -1)
            if key is not None:
                self.cursor_key = key

    def action_select_cursor(self) -> None:
        if self.cursor_key is not None:
            self.post_message(self.Selected(self, self.cursor_key))  # type: ignore[arg-type]

    def on_click(self, event: events.Click) -> None:
        y = event.y - self.header_lines
        if y < 0:
            return
        index = int(self.scroll_offset.y) + y
        if 0 <= index < len(self._rows) and self.can_select(self._rows[index]):
            key = self._key_of(self._rows[index])
            if key == self.cursor_key and event.chain >= 2:
                self.post_message(self.Selected(self, key))  # type: ignore[arg-type]
            self.cursor_key = key

    def on_focus(self) -> None:
        self._repaint_cursor()

    def on_blur(self) -> None:
        self._repaint_cursor()

    def _repaint_cursor(self) -> None:
        if self.cursor_key is not None:
            self.refresh_key(self.cursor_key)

    def on_resize(self) -> None:
        """Bring the cursor into view, unless the person scrolled it out of sight (the mouse wheel, the scrollbar)
        and the list changed size because the screen around it did (a line above or below it came or went, the
        terminal the same size): then the scroll stays where they put it. A terminal resized brings it back."""
        self.virtual_size = Size(self.size.width, len(self._rows) + self.header_lines)
        terminal = self.app.size
        resized, self._terminal_size = terminal != self._terminal_size, terminal
        rows_before, self._rows_seen = self._rows_seen, max(0, self.size.height - self.header_lines)
        top, index = int(self.scroll_offset.y), self.cursor_row
        out_of_sight = bool(rows_before) and index >= 0 and not top <= index < top + (rows_before or 0)
        if resized or not (self._scrolled_away and out_of_sight):
            self._scroll_to_cursor()

    # the person scrolls without moving the cursor: a resize not of the terminal keeps that scroll (`on_resize`)
    def on_mouse_scroll_down(self) -> None:
        self._scrolled_away = True

    def on_mouse_scroll_up(self) -> None:
        self._scrolled_away = True

    def on_scroll_to(self) -> None:  # the scrollbar dragged
        self._scrolled_away = True

    def on_scroll_up(self) -> None:  # the scrollbar clicked
        self._scrolled_away = True

    def on_scroll_down(self) -> None:
        self._scrolled_away = True

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._style_epoch += 1
        self._line_cache.clear()

    # ------------------------------------------------------------------ rendering
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if self.header_lines:
            if y == 0:
                return self._render_header(width)
            y -= 1
        index = int(self.scroll_offset.y) + y
        if not 0 <= index < len(self._rows):
            return Strip.blank(width, self.rich_style)
        row = self._rows[index]
        key = self._key_of(row)
        state = RowState(cursor=key == self.cursor_key, focused=self.has_focus)
        classes = self.row_classes(row, state)
        if state.cursor:
            classes += ("line-list--cursor" if state.focused else "line-list--cursor-blurred",)
        token = (width, classes, self._style_epoch, self.line_token(key, row))
        cached = self._line_cache.get(key)
        if cached is not None and cached[0] == token:
            return cached[1]
        strip = self._to_strip(self.render_row(row, width, state), width, classes)
        self._line_cache[key] = (token, strip)
        self.renders += 1
        return strip

    def _render_header(self, width: int) -> Strip:
        content = self.render_header(width)
        if content is None:
            return Strip.blank(width, self.rich_style)
        return self._to_strip(content, width, ("line-list--header",))

    def _to_strip(self, rendered: Content | Strip, width: int, classes: tuple[str, ...]) -> Strip:
        style = self.get_visual_style(*classes)
        if "line-list--cursor" in classes and (self.app.no_color or self.app.native_ansi_color):
            # Without colour (`:nocolor`, `:ansi`) a background may not show: the cursor line is reversed. Not in
            # the stylesheet: Textual 8 drops `reverse` from a component class's style (`get_visual_style`).
            style += VisualStyle(reverse=True)
        if isinstance(rendered, Strip):
            return rendered.crop_extend(0, width, style.rich_style)
        strips = Visual.to_strips(self, rendered, width, 1, style)
        strip = strips[0] if strips else Strip([Segment("", style.rich_style)], 0)
        return strip.crop_extend(0, width, style.rich_style)

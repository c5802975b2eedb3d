"""Small one-line widgets for the handheld: a line that repaints only when its text or highlight changes."""

from __future__ import annotations

import time
from collections.abc import Sequence

from rich.cells import cell_len
from rich.text import Text
from textual.app import RenderResult
from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.timer import Timer
from textual.widgets import Static

from screens.courier_format import UNICODE, clip, day_only, fit, fold, names_day

TALL_ROWS = 12  # below this many rows a soft keyboard is up: the screen is short (the app's "-short" class)
STORE_KEPT = 4  # a task row stays on one line while this many cells of the store's name show
DAY_CHECK_S = 15 * 60  # a row naming another day looks again at each quarter hour (every zone's midnight is one)


class Scroll(VerticalScroll, can_focus=False):
    """A scrolling part of a handheld screen that never takes focus: the arrow keys stay the screen's (they move
    the highlight between numbered lines); PgUp/PgDn scroll it through the screen's own bindings.

    A new scroll position repaints the whole part on the terminal. Textual 8.2.8 sends the rows a scroll moved
    only when the frame after it is a scroll alone: when a line on the screen also changed its text in that frame
    (the "more: 8" line turning "top: 8" on the last page), its full layout compares the new positions with a map
    that a look-up in between had already rebuilt at the new position, finds nothing moved, and sends that line
    alone: the last page (a task's customer and note on a screen under 12 rows) never reached the terminal, while
    a headless run, which paints every frame whole, showed it."""

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if round(old_value) != round(new_value):
            self.refresh()


class Line(Static):
    """Plain text (never parsed as markup); `set` repaints only when something changed.

    A `Line` fits its text to its width itself (`courier_format.fit`), breaking between words and clauses (never
    "）" first on a line): a one-line `Line` may fold onto `lines` lines (`short_lines` on a short screen, where a
    soft keyboard is up), says it a shorter way when one is given and the text does not fit, and cuts what still
    does not with "…" (a cut never leaves half a wide character); any other takes the lines it needs.
    """

    DEFAULT_CSS = """
    Line { height: auto; width: 1fr; text-wrap: nowrap; }
    Line.-hl { text-style: reverse; }
    """

    def __init__(
        self,
        text: str = "",
        *,
        one_line: bool = True,
        lines: int = 1,
        short_lines: int | None = None,
        separator: str = "",
        id: str | None = None,
        classes: str = "",
    ) -> None:
        super().__init__(Text(text), id=id, classes=(classes + (" -one" if one_line else "")).strip())
        self._ways: tuple[str, ...] = (text,)
        self._style = ""
        self._lines = lines if one_line else None
        self._short_lines = self._lines if short_lines is None else short_lines
        self._separator = separator  # parts joined by it fold between parts, never inside one
        self._keep_last = 0

    def _for_terminal(self, text: str) -> str:
        """The app may narrow what reaches the terminal (ASCII only when the locale is not UTF-8)."""
        narrow = getattr(self.app, "for_terminal", None)
        return narrow(text) if narrow is not None else text

    @property
    def shown(self) -> str:
        return self._ways[0]

    def set(self, text: str, style: str = "", *, shorter: Sequence[str] = (), keep_last: int = 0) -> None:
        """Show `text`; `shorter` are ways to say it in fewer cells, tried in order when it does not fit. With
        `keep_last`, `text` stays on one line cut short while its last part shows that many cells."""
        ways = (text, *shorter)
        if ways == self._ways and style == self._style and keep_last == self._keep_last:
            return
        self._ways, self._style, self._keep_last = ways, style, keep_last
        self.refresh(layout=True)

    def set_highlight(self, on: bool) -> None:
        self.set_class(on, "-hl")

    # fitting the text to the width ---------------------------------------------------------------------------
    def fitted(self, width: int) -> list[str]:
        """The lines shown at `width` cells."""
        short = self.is_mounted and self.app.size.height < TALL_ROWS  # as the breakpoint, known before layout
        glyphs = getattr(self.app, "glyphs", UNICODE) if self.is_mounted else UNICODE
        ways = [self._for_terminal(way) for way in self._ways]
        separator = self._for_terminal(self._separator)
        room = self._short_lines if short else self._lines
        if room is None:
            return [line for piece in ways[0].split("\n") for line in fold(piece, width)]
        return fit(ways, width, room, cut=glyphs.cut, separator=separator, keep_last=self._keep_last)

    def render(self) -> RenderResult:
        return Text("\n".join(self.fitted(self.content_size.width)), style=self._style)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.fitted(width)) if width else 1


class TaskRow(Line):
    """A task on the list: `1 #0042 OFFER 12:30 Store name` on one line, cut short at the end. Where that leaves
    (next to) nothing of the store's name (20 columns: an offer's or a to-store task's ready time fills the line),
    the name goes on a second line of its own, cut short; not on a short screen, where every row counts."""

    def __init__(
        self, head: str, store: str, *, narrow: str = "", id: str | None = None, classes: str = ""
    ) -> None:
        super().__init__(f"{head} {store}" if store else head, id=id, classes=classes)
        self._parts = (head, store)
        self._narrow = narrow  # the head with its day as "+2d": where a date ("19 Dec", "12月19日") would be cut
        self._day_check: Timer | None = None

    def on_mount(self) -> None:
        self._check_day()

    def set_row(self, head: str, store: str, narrow: str = "") -> None:
        self._parts = (head, store)
        self._narrow = narrow
        self.set(f"{head} {store}" if store else head)
        self._check_day()

    def _check_day(self) -> None:
        """A row that names another day ("tmrw 01:00") is worked out again at each quarter hour (a store's
        midnight, in any zone) while it does, so that it says "01:00" once that day came, even with no news; the
        lines repaint only when their text changed (an idle screen sends nothing)."""
        head = self._parts[0]
        if self._day_check is None and self.is_mounted and names_day(head):
            self._day_check = self.set_timer(DAY_CHECK_S - time.time() % DAY_CHECK_S + 1, self._day_may_change)

    def _day_may_change(self) -> None:
        self._day_check = None
        refresh_data = getattr(self.screen, "refresh_data", None)
        if refresh_data is not None:
            refresh_data()
        self._check_day()

    def fitted(self, width: int) -> list[str]:
        head, store = self._parts
        short = self.is_mounted and self.app.size.height < TALL_ROWS
        cut = getattr(self.app, "glyphs", UNICODE).cut if self.is_mounted else UNICODE.cut
        narrowed = cell_len(head) > width and day_only(head) != head  # 20 columns: "OFFER tmrw", not "OFFER tmrw 1…"
        if narrowed:
            head = day_only(head)
        elif (
            self._narrow
            and self._narrow != head
            and names_day(head)
            and cell_len(head) + (cell_len(cut) if short and store else 0) > width
        ):  # a date that would be cut ("12月1…" for 12月19日): its day as "+12d" instead, never half a date
            head, narrowed = self._narrow, True
        head, store = (self._for_terminal(part) for part in (head, store))
        room = width - cell_len(head) - 1 - cell_len(cut)  # cells of the name before the cut mark
        one_line = not store or short or room >= STORE_KEPT or cell_len(f"{head} {store}") <= width
        if one_line and narrowed:  # the set text says the time: this row says it without
            return fit((f"{head} {store}" if store else head,), width, 1, cut=cut)
        if one_line:
            return super().fitted(width)
        return [clip(head, width, cut), clip("  " + store, width, cut)]  # the name under the order number


class MessageLine(Line):
    """The message line at the bottom of a handheld screen. On a short screen (a soft keyboard up) a blank one
    gives its row to the "0 Back" line: the screen is told whenever what it says changes (`place_back`)."""

    def on_mount(self) -> None:
        self._place_back()  # composed last: the screen's other lines are there

    def set(self, text: str, style: str = "", *, shorter: Sequence[str] = (), keep_last: int = 0) -> None:
        super().set(text, style, shorter=shorter, keep_last=keep_last)
        if self.is_mounted:
            self._place_back()

    def _place_back(self) -> None:
        place_back = getattr(self.screen, "place_back", None)
        if place_back is not None:
            place_back()

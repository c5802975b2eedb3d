"""Small one-line widgets for the handheld: a line that repaints only when its text or highlight changes."""

from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static


class Scroll(VerticalScroll, can_focus=False):
    """A scrolling part of a handheld screen that never takes focus: the arrow keys stay the screen's (they move
    the highlight between numbered lines); PgUp/PgDn scroll it through the screen's own bindings."""


class Line(Static):
    """One line of plain text (never parsed as markup); `set` repaints only when something changed."""

    DEFAULT_CSS = """
    Line { height: auto; width: 1fr; }
    Line.-one { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    Line.-hl { text-style: reverse; }
    """

    def __init__(
        self, text: str = "", *, one_line: bool = True, id: str | None = None, classes: str = ""
    ) -> None:
        super().__init__(Text(text), id=id, classes=(classes + (" -one" if one_line else "")).strip())
        self._shown = text
        self._style = ""

    def on_mount(self) -> None:
        if self._for_terminal(self._shown) != self._shown:
            self.update(Text(self._for_terminal(self._shown), style=self._style))

    def _for_terminal(self, text: str) -> str:
        """The app may narrow what reaches the terminal (ASCII only when the locale is not UTF-8)."""
        narrow = getattr(self.app, "for_terminal", None)
        return narrow(text) if narrow is not None else text

    @property
    def shown(self) -> str:
        return self._shown

    def set(self, text: str, style: str = "") -> None:
        if text == self._shown and style == self._style:
            return
        self._shown, self._style = text, style
        self.update(Text(self._for_terminal(text), style=style))

    def set_highlight(self, on: bool) -> None:
        self.set_class(on, "-hl")

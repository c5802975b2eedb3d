"""`FoldedText`: a `Content` whose lines break as Chinese is set (`o2o_tui.text_fold`), for sentences of help
screens and dialogs: Textual breaks only at spaces and folds a run of Chinese at the column's edge, so a line
could start with "，" or leave "13" alone above "个订单". The breaks are made at the width Textual gives (for the
height as for the drawing), and every line then fits, so Textual's own wrapping never breaks it again.

Show it in a `Static` or `Label` as any visual: `Static(FoldedText(Content(text)))`. English text breaks at its
spaces as before. A toast's text cannot be a visual (Textual makes the `Toast` from a string): `folded_toast` breaks
it with hard line breaks for the toast's width instead, and `FoldedToasts` keeps each toast's text as given while it
is up, to break it again for the new width when the terminal is resized.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
from textual.app import App
from textual.content import Content
from textual.css.styles import RulesMap
from textual.notifications import Notification, Notify, SeverityLevel
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widgets import Label
from textual.widgets._toast import Toast

from o2o_tui.text_fold import break_offsets


class FoldedText(Visual):
    """`hang(line)`: the cell where the lines a line folds into start (their first `hang` cells blank), so an
    item's or a note's next lines stay indented under its first (`order_detail.detail_hang`); 0 (flush left) by
    default. A line hangs only when at least half the width is left to it."""

    def __init__(self, content: Content | str, *, hang: Callable[[str], int] | None = None) -> None:
        self.content = content if isinstance(content, Content) else Content(content)
        self._hang = hang
        self._folded: tuple[int, Content] | None = None  # the last width asked for and the text broken for it

    def __str__(self) -> str:
        return self.content.plain

    def at(self, width: int) -> Content:
        """The content with its lines broken to fit `width` cells."""
        if self._folded is None or self._folded[0] != width:
            lines: list[Content] = []
            for line in self.content.split("\n", allow_blank=True):
                lines += self._fold_line(line, width)
            self._folded = (width, Content("\n").join(lines))
        return self._folded[1]

    def _fold_line(self, line: Content, width: int) -> list[Content]:
        if width <= 0:
            return [line.rstrip()]
        hang = self._hang(line.plain) if self._hang is not None else 0
        if hang <= 0 or hang * 2 > width:  # no room to hang it: folded as it is
            return [piece.rstrip() for piece in line.divide(break_offsets(line.plain, width))]
        first = break_offsets(line.plain, width)[:1]  # the first line is as wide as the column
        if not first:
            return [line.rstrip()]
        head, rest = line.divide(first)
        pad = Content(" " * hang)
        rest = rest[len(rest.plain) - len(rest.plain.lstrip(" ")) :]  # a space the break left at its start
        pieces = rest.divide(break_offsets(rest.plain, width - hang))
        return [head.rstrip(), *(pad + piece.rstrip() for piece in pieces)]

    def render_strips(self, width: int, height: int | None, style: Style, options: RenderOptions) -> list[Strip]:
        pad = int(options.rules.get("line_pad", 0) or 0)
        return self.at(width - 2 * pad).render_strips(width, height, style, options)

    def get_height(self, rules: RulesMap, width: int) -> int:
        pad = int(rules.get("line_pad", 0) or 0)
        return self.at(width - 2 * pad).get_height(rules, width)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.content.get_optimal_width(rules, container_width)

    def get_minimal_width(self, rules: RulesMap) -> int:
        return self.content.get_minimal_width(rules)


class FoldedLabel(Label):
    """A `Label` whose text breaks as Chinese is set (`FoldedText`), given and updated as a `Label`'s is (a `str`
    is markup, so untrusted text goes in as `Content`): a dialog's title, hint or error at 40 columns never starts
    a line with "。" nor ends one with "（"."""

    def __init__(self, *args: Any, hang: Callable[[str], int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._hang = hang
        self._folded: tuple[Visual, FoldedText] | None = None  # the visual last shown and it broken into lines

    def render(self) -> Visual:
        visual = self.visual
        if not isinstance(visual, Content):
            return visual
        if self._folded is None or self._folded[0] is not visual:
            self._folded = (visual, FoldedText(visual, hang=self._hang))
        return self._folded[1]


# Textual's `Toast` (textual/widgets/_toast.py): `width: 60; max-width: 50%` of its rack, whose `overflow-y: scroll`
# keeps a scroll bar of 2 cells; its `padding: 1 1` and `border-left: outer` (3 cells in all) are inside that width.
# Below `TOAST_NARROW` columns (the apps' `-narrow` screens) it spans the rack, whose bar takes no cell there
# (merchant.tcss, dispatch_board.tcss)
TOAST_WIDTH, TOAST_RACK_BAR, TOAST_FRAME, TOAST_NARROW = 60, 2, 3, 60


def toast_width(screen_width: int) -> int:
    """The cells of a line of a toast on a screen `screen_width` cells wide."""
    if screen_width < TOAST_NARROW:
        return screen_width - TOAST_FRAME
    return min(TOAST_WIDTH, (screen_width - TOAST_RACK_BAR) // 2) - TOAST_FRAME


def folded_toast(message: str, screen_width: int, *, markup: bool) -> str:
    """`message` with a line break wherever a line of its toast ends, in the same form (markup stays markup)."""
    content = Content.from_markup(message) if markup else Content(message)
    folded = FoldedText(content).at(toast_width(screen_width))
    return folded.markup if markup else folded.plain


class _Given(msgspec.Struct, frozen=True):
    notification: Notification  # the one the toast shows (its text broken for the width it was last given)
    message: str
    title: str


class FoldedToasts:
    """An app's toasts, each broken for the width of the terminal (`folded_toast`) when it shows and again when the
    terminal is resized while it is up (a counter's window made smaller: 80 -> 40 columns)."""

    def __init__(self, app: App[Any]) -> None:
        self._app = app
        self._given: dict[str, _Given] = {}  # by the notification's identity, while it may be up

    def show(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """`App.notify`'s toast (posted, so it may be called from any thread), its lines broken for the width now."""
        width = self._app.size.width
        notification = Notification(
            folded_toast(message, width, markup=markup),
            folded_toast(title, width, markup=False),  # a toast's title is plain text
            severity,
            self._app.NOTIFICATION_TIMEOUT if timeout is None else timeout,
            markup=markup,
        )
        self._forget_expired()
        self._given[notification.identity] = _Given(notification, message, title)
        self._app.post_message(Notify(notification))

    def given(self, notification: Notification) -> tuple[str, str]:
        """The message and title of a toast as they were given, before any line break was put in."""
        given = self._given.get(notification.identity)
        return (given.message, given.title) if given else (notification.message, notification.title)

    def refold(self, screen_width: int) -> None:
        """Break the toasts up again for a terminal now `screen_width` cells wide."""
        self._forget_expired()
        for given in list(self._given.values()):  # `show` may add one from another thread meanwhile
            # the toast keeps its notification (and its timer): its text is replaced in place
            given.notification.message = folded_toast(given.message, screen_width, markup=given.notification.markup)
            given.notification.title = folded_toast(given.title, screen_width, markup=False)
        for screen in self._app.screen_stack:
            for toast in screen.query(Toast):
                toast.refresh(layout=True)

    def _forget_expired(self) -> None:
        for identity, given in list(self._given.items()):
            if given.notification.has_expired:
                self._given.pop(identity, None)

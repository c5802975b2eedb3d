"""`FoldedText`: a `Content` whose lines break as Chinese is set (`o2o_tui.text_fold`), for sentences of help
screens and dialogs: Textual breaks only at spaces and folds a run of Chinese at the column's edge, so a line
could start with "，" or leave "13" alone above "个订单". The breaks are made at the width Textual gives (for the
height as for the drawing), and every line then fits, so Textual's own wrapping never breaks it again.

Show it in a `Static` or `Label` as any visual: `Static(FoldedText(Content(text)))`. English text breaks at its
spaces as before. A toast's text cannot be a visual (Textual makes the `Toast` from a string): `folded_toast` breaks
it with hard line breaks for the toast's width instead.
"""

from __future__ import annotations

from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual

from o2o_tui.text_fold import break_offsets


class FoldedText(Visual):
    def __init__(self, content: Content | str) -> None:
        self.content = content if isinstance(content, Content) else Content(content)
        self._folded: tuple[int, Content] | None = None  # the last width asked for and the text broken for it

    def __str__(self) -> str:
        return self.content.plain

    def at(self, width: int) -> Content:
        """The content with its lines broken to fit `width` cells."""
        if self._folded is None or self._folded[0] != width:
            lines: list[Content] = []
            for line in self.content.split("\n", allow_blank=True):
                pieces = line.divide(break_offsets(line.plain, width)) if width > 0 else [line]
                lines += [piece.rstrip() for piece in pieces]
            self._folded = (width, Content("\n").join(lines))
        return self._folded[1]

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


# Textual's `Toast` (textual/widgets/_toast.py): `width: 60; max-width: 50%` of its rack, whose `overflow-y: scroll`
# keeps a scroll bar of 2 cells; its `padding: 1 1` and `border-left: outer` (3 cells in all) are inside that width
TOAST_WIDTH, TOAST_RACK_BAR, TOAST_FRAME = 60, 2, 3


def toast_width(screen_width: int) -> int:
    """The cells of a line of a toast on a screen `screen_width` cells wide."""
    return min(TOAST_WIDTH, (screen_width - TOAST_RACK_BAR) // 2) - TOAST_FRAME


def folded_toast(message: str, screen_width: int, *, markup: bool) -> str:
    """`message` with a line break wherever a line of its toast ends, in the same form (markup stays markup)."""
    content = Content.from_markup(message) if markup else Content(message)
    folded = FoldedText(content).at(toast_width(screen_width))
    return folded.markup if markup else folded.plain

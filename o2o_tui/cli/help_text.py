"""`FoldedText`: Rich text for `--help` whose lines break as Chinese is set (`o2o_tui.text_fold`): between
Chinese characters, never with closing punctuation first, a number kept with its unit. Rich itself breaks only at
spaces and, in a table cell, cuts a longer run with "…" (imported only for a help page, with Rich itself)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.containers import Lines
from rich.text import Text

from o2o_tui.text_fold import break_offsets

if TYPE_CHECKING:
    from rich.console import Console, JustifyMethod, OverflowMethod


class FoldedText(Text):
    __slots__ = ()

    @classmethod
    def of(cls, text: Text) -> FoldedText:
        return cls(
            text.plain,
            text.style,
            justify=text.justify,
            overflow=text.overflow,
            no_wrap=text.no_wrap,
            end=text.end,
            tab_size=text.tab_size,
            spans=list(text.spans),
        )

    def wrap(
        self,
        console: Console,
        width: int,
        *,
        justify: JustifyMethod | None = None,
        overflow: OverflowMethod | None = None,
        tab_size: int = 8,
        no_wrap: bool | None = None,
    ) -> Lines:
        if no_wrap or self.no_wrap:
            return super().wrap(console, width, justify=justify, overflow=overflow, tab_size=tab_size, no_wrap=no_wrap)
        lines = Lines()
        for line in self.split(allow_blank=True):
            if "\t" in line:
                line.expand_tabs(tab_size)
            for piece in line.divide(break_offsets(line.plain, width)):
                piece.rstrip()
                piece.truncate(width, overflow="fold")
                lines.append(piece)
        return lines

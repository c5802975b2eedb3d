"""`FoldedText`: Rich text for `--help` whose lines break as Chinese is set (`o2o_tui.text_fold`): between
Chinese characters, never with closing punctuation first, a number kept with its unit. Rich itself breaks only at
spaces and, in a table cell, cuts a longer run with "…" (imported only for a help page, with Rich itself).
`print_options_panel`: in a narrow terminal the options are listed one under another, so that their names, types
and help break only between words."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.console import Group
from rich.containers import Lines
from rich.measure import Measurement
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from o2o_tui.text_fold import break_offsets

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, JustifyMethod, OverflowMethod


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


# a help column narrower than this (in cells) is too narrow to read: the options are listed one under another
HELP_COLUMN_MIN = 24
_PANEL_EDGES = 4  # a panel's border and padding, both sides
_CELL_PADDING = 2  # the options table's padding around each column
# Typer's columns: the required marker (when an option is required), long and short names, long and short
# negative names, type, help
_COLUMNS_WITH_MARKER = 7


class _Kept:
    """A stand-in console that keeps what Typer would print (its options panel), to be laid out again."""

    def __init__(self) -> None:
        self.printed: list[Any] = []

    def print(self, *objects: Any, **_: Any) -> None:
        self.printed.extend(objects)


def print_options_panel(print_panel: Callable[..., None], **kwargs: Any) -> None:
    """Typer's options (or arguments) panel, or in a narrow terminal the same rows one under another: each
    option's names and type on a line, its help below, indented, breaking only between words. Typer's table
    leaves the help column what its other columns do not take, and at 40 columns it cuts names ("--na…"),
    folds types and defaults inside a token ("<floa|t>", "[default: 30|0]") and words ("addres|s."); at 60 a
    default or env var longer than the help column was cut ("[env var: O2O_PROFIL…")."""
    console = kwargs["console"]
    kept = _Kept()
    print_panel(**{**kwargs, "console": kept})
    for panel in kept.printed:
        table = getattr(panel, "renderable", None)
        if isinstance(panel, Panel) and isinstance(table, Table) and _too_narrow(table, console.width):
            panel.renderable = _stacked(table)
        console.print(panel)


def _cells_of(cell: Any) -> int:
    return cell_len(cell.plain) if isinstance(cell, Text) else 0


def _help_room(table: Table, width: int) -> int:
    """The cells the last (help) column gets at `width`: what the other columns leave of the panel. Every column
    is padded, an empty one too (Typer's short-name columns usually are), but not at the table's edges."""
    taken = 0
    for column in table.columns[:-1]:
        taken += max((_cells_of(cell) for cell in column._cells), default=0) + _CELL_PADDING
    return width - _PANEL_EDGES - taken


def _notes(cell: Any) -> list[Text]:
    """What Typer sets after an option's help, each kept whole: its env var, default and [required]."""
    items = list(getattr(cell, "renderables", [cell]))
    if items and isinstance(items[0], FoldedText):  # the help itself, which folds between words
        items = items[1:]
    return [item for item in items if isinstance(item, Text)]


def _too_narrow(table: Table, width: int) -> bool:
    """Whether the help column is too narrow to read, or narrower than a note it has to show whole (Typer's
    table cuts "[env var: O2O_PROFILE]" with "…" where it does not fit)."""
    room = _help_room(table, width)
    widest_note = max((note.cell_len for cell in table.columns[-1]._cells for note in _notes(cell)), default=0)
    return room < max(HELP_COLUMN_MIN, widest_note)


def _stacked(table: Table) -> Group:
    """The table's rows as a name line (marker, options, type: what is not blank, a space apart) and the help
    text under it, each folded between words (`FoldedText`)."""
    lines: list[Any] = []
    columns = [column._cells for column in table.columns]
    marked = len(columns) == _COLUMNS_WITH_MARKER  # a required option's "*" column: the others keep its place
    for row in zip(*columns, strict=True):
        *names, help_cell = row
        shown = [cell for cell in names if isinstance(cell, Text) and cell.plain.strip()]
        if marked and not (isinstance(names[0], Text) and names[0].plain.strip()):
            shown.insert(0, Text(" " * max(_cells_of(cell) for cell in columns[0])))
        lines.append(FoldedText.of(Text(" ").join(shown)))
        lines.append(Padding(_help_text(help_cell), (0, 0, 0, 4)))
    return Group(*lines)


def _help_text(cell: Any) -> Any:
    """An option's help, its env var, default and [required] (Typer gives them as `Columns`): the help folded
    between words, each note after it kept whole on one line where it fits."""
    items = list(getattr(cell, "renderables", [cell]))
    if not all(isinstance(item, Text) for item in items):
        return cell  # Markdown help: left as Typer lays it out
    notes = _notes(cell)
    return _HelpWithNotes(items[: len(items) - len(notes)], notes)


class _HelpWithNotes:
    """An option's help text (folded between words) and its notes ("[default: Asia/Shanghai]"), each note on
    the help's last line when it fits there, else on a line of its own: never broken inside unless it is wider
    than the whole line."""

    def __init__(self, help_items: list[Text], notes: list[Text]) -> None:
        self.help = FoldedText.of(Text(" ").join(help_items)) if help_items else None
        self.notes = notes

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Text]:
        width = max(1, options.max_width)
        lines = self.help.wrap(console, width) if self.help is not None and self.help.plain else Lines()
        for note in self.notes:
            last = lines[-1] if len(lines) else None
            if last is not None and last.cell_len + 1 + note.cell_len <= width:
                last.append(" ")
                last.append_text(note)
            else:
                lines.extend(FoldedText.of(note).wrap(console, width))
        for line in lines:
            line.end = "\n"
            yield line

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = max((note.cell_len for note in self.notes), default=1)
        full = (self.help.cell_len if self.help is not None else 0) + sum(note.cell_len + 1 for note in self.notes)
        return Measurement(min(widest, options.max_width), min(max(full, widest), options.max_width))

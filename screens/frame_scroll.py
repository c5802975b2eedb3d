"""Rows that only moved are scrolled on the terminal, not sent again; rows that did not change are not resent.

Textual repaints a widget whole when its layout changes: a new order sorted to the top of a 2,000-order queue
changes the list's virtual height, so every visible line is written again although each of them only moved down
one row (~150 bytes a line). `FrameScroller` keeps a model of what the terminal shows (every cell's text and
style, as far as the frames written so far tell) and rewrites each frame before it is sent:

- a row the frame writes with exactly what the terminal already shows is left out;
- when a block of whole rows shows what the rows `k` above (or below) it showed, the terminal moves that block
  itself: a scroll region on those rows (DECSTBM), then insert (IL) or delete (DL) `k` lines, then the region is
  reset; only the rows that are new (and any row of the block that did not just move) are sent.

It is safe by construction, whatever is on screen: a row counts as moved or unchanged only when every cell of it
(text and style, the scroll bar, a toast or a dialog over it) equals what the model holds; the block is made of
rows the frame writes whole, so nothing half-written is moved; anything the model does not understand (an erase,
the alternate screen, a write past the margin, a line feed on the last row) makes it forget what it knew and send
frames as they are until a full repaint teaches it the screen again. A frame that writes every cell (start-up, a
resize, another screen) is always sent as is. Textual ends every styled run with a reset, so leaving out a row's
writes never changes the style of the next ones (a row whose writes do not end in the style they began with is
always sent). No Textual import: the frames are plain strings.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from rich.cells import get_character_cell_size

Cell = tuple[str, str] | None  # (text, style); "" text: the right half of a wide character; None: not known
Row = list[Cell]

_TOKEN = re.compile(
    r"(?P<move>\x1b\[(?P<y>\d+);(?P<x>\d+)H)"
    r"|(?P<sgr>\x1b\[(?P<params>[0-9;]*)m)"
    r"|(?P<mode>\x1b\[\?(?P<modes>[0-9;]+)[hl])"
    r"|(?P<ctl>[\r\n\x07])"
    r"|(?P<osc>\x1b\][^\x07\x1b]*(?:\x07|\x1b\\))"  # OSC (e.g. 22: the mouse pointer's shape): paints no cell
    r"|(?P<esc>\x1b[^\x1b]*?[@-~]|\x1b)"
    r"|(?P<text>[^\x1b\r\n\x07]+)"
)
# private modes that do not change what a cell shows: cursor shown/hidden, mouse reporting, focus events,
# bracketed paste, synchronized output
_HARMLESS_MODES = frozenset({"25", "1000", "1002", "1003", "1004", "1006", "1015", "2004", "2026"})
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
SCROLL_COST = 20  # about what the scroll region, the move, IL/DL and the reset cost


@lru_cache(maxsize=4096)
def _width(char: str) -> int:
    return get_character_cell_size(char)


class _Bad(Exception):
    """The frame does something the model does not follow."""


class _Chunk:
    """The writes that follow one absolute cursor move (Textual starts every line, or part of one, with one)."""

    __slots__ = ("row", "start", "end", "pure", "style_in", "style_out")

    def __init__(self, row: int, start: int, style_in: str) -> None:
        self.row = row
        self.start = start  # token indices [start, end)
        self.end = start
        self.pure = True  # only moves, styles, text and line feeds: it can be left out
        self.style_in = style_in
        self.style_out = style_in


class FrameScroller:
    """What the terminal shows, and the rewrite of each frame against it. `size()` gives (columns, lines)."""

    def __init__(self, size: Callable[[], tuple[int, int]]) -> None:
        self._size = size
        self.width = 0
        self.height = 0
        self._rows: list[Row] = []
        self._style: str | None = ""  # the SGR parameters in force since the last reset; None: not known
        self.scrolls = 0  # frames rewritten with a scroll (for tests and the bench)
        self.saved = 0  # characters left out (for tests and the bench)

    # ------------------------------------------------------------------ the model
    def forget(self) -> None:
        """Know nothing of the screen (until a frame writes every cell)."""
        self._rows = [[None] * self.width for _ in range(self.height)]

    def _check_size(self) -> None:
        width, height = self._size()
        if (width, height) != (self.width, self.height):
            self.width, self.height = width, height
            self.forget()

    def rows(self) -> list[Row]:
        """A copy of the model (tests)."""
        return [list(row) for row in self._rows]

    # ------------------------------------------------------------------ one frame
    def rewrite(self, frame: str) -> str:
        """The frame to send instead of `frame`: the same screen at the end, with fewer bytes when it can."""
        self._check_size()
        if not self.width or not self.height:
            return frame
        try:
            tokens, chunks, new, covered = self._apply(frame)
        except _Bad:
            self.forget()
            self._style = _style_after(frame)
            return frame
        old = self._rows
        self._rows = new
        width = self.width
        if all(count == width for count in covered):  # a full repaint: it teaches the model, it is sent as is
            return frame
        rewritten = self._plan(tokens, chunks, old, new, covered)
        if rewritten is None:
            return frame
        self.saved += len(frame) - len(rewritten)
        return rewritten

    def _apply(self, frame: str) -> tuple[list[str], list[_Chunk], list[Row], list[int]]:
        """Play the frame on a copy of the model: its tokens, its chunks, the rows after it, cells written per
        row."""
        width, height = self.width, self.height
        old = self._rows
        new: list[Row] = list(old)
        copied = [False] * height
        covered_cells: list[bytearray | None] = [None] * height
        tokens: list[str] = []
        odd = False
        chunks: list[_Chunk] = []
        chunk: _Chunk | None = None
        y: int | None = None
        x = 0
        style = self._style
        for match in _TOKEN.finditer(frame):
            token = match.group()
            kind = match.lastgroup
            index = len(tokens)
            tokens.append(token)
            if kind == "move":
                y, x = int(match.group("y")) - 1, int(match.group("x")) - 1
                if not (0 <= y < height and 0 <= x < width):
                    raise _Bad
                if chunk is not None:
                    chunk.end = index
                    chunk.style_out = style if style is not None else "?"
                chunk = _Chunk(y, index, style if style is not None else "?")
                chunks.append(chunk)
                continue
            if kind == "sgr":
                params = match.group("params")
                if params in ("", "0"):
                    style = ""
                elif params.startswith("0;"):
                    style = params[2:]
                elif style is not None:
                    style = f"{style};{params}" if style else params
                continue
            if kind == "text":
                if y is None or style is None or _CONTROL_CHARS.search(token):
                    raise _Bad
                if chunk is None or y != chunk.row:  # text after a line feed, not after a move: sent as is
                    odd = True
                if not copied[y]:
                    new[y] = list(old[y])
                    copied[y] = True
                row = new[y]
                cover = covered_cells[y]
                if cover is None:
                    cover = covered_cells[y] = bytearray(width)
                for char in token:
                    cells = _width(char)
                    if cells == 0:  # a combining mark joins the character before it
                        if x == 0 or row[x - 1] is None:
                            raise _Bad
                        previous = row[x - 1]
                        assert previous is not None
                        row[x - 1] = (previous[0] + char, previous[1])
                        continue
                    if x + cells > width:
                        raise _Bad  # past the margin: the terminal's wrap is not modelled
                    old_cell = row[x]
                    if old_cell is not None and old_cell[0] == "" and x > 0:
                        row[x - 1] = None  # half of a wide character overwritten: the other half is unknown
                    end = x + cells
                    if end < width:
                        after = row[end]
                        if after is not None and after[0] == "":
                            row[end] = None
                    row[x] = (char, style)
                    cover[x] = 1
                    if cells == 2:
                        row[x + 1] = ("", style)
                        cover[x + 1] = 1
                    x = end
                continue
            if kind == "ctl":
                if token == "\n":
                    if y is None or y + 1 >= height:
                        raise _Bad  # a line feed on the last row scrolls the screen
                    y += 1
                elif token == "\r":
                    x = 0
                continue  # a bell paints nothing
            if kind == "osc":  # sent as written, never left out (the pointer's shape, a title): no cell changes
                if chunk is not None:
                    chunk.pure = False
                continue
            if kind == "mode" and all(mode in _HARMLESS_MODES for mode in match.group("modes").split(";")):
                if chunk is not None:
                    chunk.pure = False
                continue
            raise _Bad
        if chunk is not None:
            chunk.end = len(tokens)
            chunk.style_out = style if style is not None else "?"
        self._style = style
        covered = [0 if cover is None else sum(cover) for cover in covered_cells]
        return tokens, [] if odd else chunks, new, covered

    def _plan(
        self,
        tokens: list[str],
        chunks: list[_Chunk],
        old: list[Row],
        new: list[Row],
        covered: list[int],
    ) -> str | None:
        """The rewritten frame, or None when it would save nothing."""
        height, width = self.height, self.width
        if not chunks:
            return None
        cost = [0] * height  # characters of each row's writes
        pure = [True] * height
        for chunk in chunks:
            cost[chunk.row] += sum(len(token) for token in tokens[chunk.start : chunk.end])
            if not chunk.pure or chunk.style_in != chunk.style_out or chunk.style_in == "?":
                pure[chunk.row] = False
        whole = [count == width for count in covered]
        known_old = [None not in row for row in old]
        known_new = [None not in row for row in new]

        def same(y: int, source: int) -> bool:
            return (
                pure[y] and known_new[y] and new[y] == old[source]
            )  # (an unknown cell equals nothing known)

        # each row as it is: left out when unchanged
        kept = [0 if cost[y] and same(y, y) else cost[y] for y in range(height)]
        best_gain, best = 0, None
        for shift in self._shifts(old, new, whole, known_old, known_new):
            gain, region = self._best_region(shift, kept, cost, whole, same)
            if gain > best_gain:
                best_gain, best = gain, (shift, region)
        send = [kept[y] != 0 for y in range(height)]
        prefix = ""
        if best is not None:
            shift, (top, bottom) = best
            for y in range(top, bottom + 1):
                source = y - shift
                send[y] = not (top <= source <= bottom and same(y, source))
            verb = "L" if shift > 0 else "M"  # insert lines (rows move down) or delete lines (rows move up)
            prefix = f"\x1b[{top + 1};{bottom + 1}r\x1b[{top + 1};1H\x1b[{abs(shift)}{verb}\x1b[r"
            self.scrolls += 1
        elif all(send[chunk.row] for chunk in chunks if _has_text(tokens, chunk)):
            return None
        out: list[str] = list(tokens[: chunks[0].start])
        out.append(prefix)
        last = chunks[-1]
        for chunk in chunks:
            if (send[chunk.row] and _has_text(tokens, chunk)) or not chunk.pure or chunk is last:
                out.extend(tokens[chunk.start : chunk.end])  # (the frame's last move places the cursor)
        return "".join(out)

    def _shifts(
        self,
        old: list[Row],
        new: list[Row],
        whole: list[bool],
        known_old: list[bool],
        known_new: list[bool],
    ) -> list[int]:
        """The likeliest moves (rows down: positive), by how many whole rows of the frame each would explain."""
        if sum(whole) < 3:
            return []
        where: dict[tuple[Cell, ...], list[int]] = {}
        for y, row in enumerate(old):
            if known_old[y]:
                where.setdefault(tuple(row), []).append(y)
        votes: dict[int, int] = {}
        for y, row in enumerate(new):
            if whole[y] and known_new[y]:
                for source in where.get(tuple(row), ()):
                    if source != y:
                        votes[y - source] = votes.get(y - source, 0) + 1
        ranked = sorted(votes, key=lambda shift: (-votes[shift], abs(shift)))
        return [shift for shift in ranked[:3] if votes[shift] >= 2]

    def _best_region(
        self,
        shift: int,
        kept: list[int],
        cost: list[int],
        whole: list[bool],
        same: Callable[[int, int], bool],
    ) -> tuple[int, tuple[int, int]]:
        """The scroll region (top, bottom) that saves the most with this shift, and what it saves.

        In the region, row y shows old row y - shift after the scroll when that row was in the region too, else
        a blank line (the first `shift` rows on insert, the last ones on delete), which is sent whole."""
        height = self.height
        lines = abs(shift)
        moved = [0] * (height + 1)  # prefix sums of what a row saves when it arrives moved
        blank = [0] * (height + 1)  # ... and when it arrives blank
        for y in range(height):
            source = y - shift
            arrives = 0 if 0 <= source < height and same(y, source) else cost[y]
            moved[y + 1] = moved[y] + kept[y] - arrives
            blank[y + 1] = blank[y] + kept[y] - cost[y]
        best_gain, best = 0, (0, 0)
        for top in range(height):
            for bottom in range(top, height):
                if not whole[bottom]:  # a row the frame does not write whole cannot be in the region
                    break
                if bottom - top + 1 <= lines:
                    continue
                if shift > 0:
                    split = top + lines  # rows top .. split-1 arrive blank
                    gain = blank[split] - blank[top] + moved[bottom + 1] - moved[split]
                else:
                    split = bottom + 1 - lines  # rows split .. bottom arrive blank
                    gain = moved[split] - moved[top] + blank[bottom + 1] - blank[split]
                gain -= SCROLL_COST
                if gain > best_gain:
                    best_gain, best = gain, (top, bottom)
        return best_gain, best


def _has_text(tokens: list[str], chunk: _Chunk) -> bool:
    return any(
        not token.startswith("\x1b") and token not in ("\r", "\n", "\x07")
        for token in tokens[chunk.start : chunk.end]
    )


def _style_after(frame: str) -> str | None:
    """The style in force after a frame the model could not follow: the default if its last style was a reset."""
    styles = re.findall(r"\x1b\[([0-9;]*)m", frame)
    return "" if styles and styles[-1] in ("", "0") else None

"""Fewer bytes per frame: drop a style reset that the next piece of text would only undo.

Textual writes every styled run as `ESC[<style>m text ESC[0m`, and a frame that touches many short runs in the
same style (twenty ticking clocks in one column, say) repeats the same style after every cursor move. Moving the
cursor does not change the current style, so `ESC[0m` + cursor moves + the *same* `ESC[<style>m` is the cursor
moves alone. `compact_frame` applies exactly that rewrite and nothing else; the terminal ends each frame in the
default style, as before. `install(app)` wraps the app's driver so every frame goes through it (no Textual import
here: the driver is any object with a `write(str)` method).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from screens.frame_scroll import FrameScroller

RESET = "\x1b[0m"
_TOKEN = re.compile(r"\x1b\[[0-9;]*m|\x1b\[\d+;\d+H|[\r\n]|\x1b[^\x1b]*?[@-~]|[^\x1b\r\n]+")
_SGR = re.compile(r"\x1b\[[0-9;]*m")
# Textual ends each line of a frame with a line feed, then moves the cursor to the next line's start: the
# absolute move makes the line feed (two bytes through a tty) redundant. Textual never ends a frame's last line
# with one, so dropping it never holds back a scroll.
_LINE_FEED_BEFORE_MOVE = re.compile(r"[\r\n]+(?=\x1b\[\d+;\d+H)")
_ABSOLUTE = re.compile(r"\x1b\[(\d+);(\d+)H")
_MOVE = re.compile(r"\x1b\[\d+;\d+H|[\r\n]")  # moves that paint nothing (no erase, no scroll inside a frame)


def compact_frame(frame: str) -> str:
    """`frame` with every `reset, moves, same style` replaced by the moves alone."""
    if RESET not in frame:
        return frame
    out: list[str] = []
    style: str | None = None  # the one style in force on top of the default, when known
    default = False  # the default style is in force (a reset was written)
    held: list[str] | None = None  # a held-back reset: the moves that followed it
    for token in _TOKEN.findall(frame):
        if token == RESET:
            if held is None:
                held = []
            continue
        is_style = _SGR.fullmatch(token) is not None
        if held is not None:
            if _MOVE.fullmatch(token):
                held.append(token)
                continue
            if is_style and token == style:  # the same style again: the reset and this style cancel out
                out.extend(held)
                held = None
                continue
            out.append(RESET)
            out.extend(held)
            held = None
            default, style = True, None
        if is_style:
            style = token if default else None  # on top of another style: the sum is not known here
            default = False
        out.append(token)
    if held is not None:
        out.append(RESET)
        out.extend(held)
    return _next_line_moves(_LINE_FEED_BEFORE_MOVE.sub("", "".join(out)))


def _next_line_moves(frame: str) -> str:
    """A move to the start of the line below the cursor's, `ESC[<y+1>;1H`, becomes `CR ESC[B` (4 bytes, not 7;
    both are VT100). The cursor's line is known from the last absolute move; any other control makes it unknown."""
    out: list[str] = []
    row: int | None = None
    for token in _TOKEN.findall(frame):
        move = _ABSOLUTE.fullmatch(token)
        if move is not None:
            target, column = int(move.group(1)), int(move.group(2))
            if column == 1 and row is not None and target == row + 1:
                token = "\r\x1b[B"
            row = target
        elif token.startswith("\x1b") and not _SGR.fullmatch(token):
            row = None
        elif token in ("\r", "\n"):
            row = None if token == "\n" else row
        out.append(token)
    return "".join(out)


def compacting(write: Callable[[str], None]) -> Callable[[str], None]:
    def write_compact(data: str) -> None:
        write(compact_frame(data))

    return write_compact


def install(app: object) -> bool:
    """Route the app's terminal output through `FrameScroller.rewrite` (rows that only moved are scrolled by the
    terminal, unchanged rows are not resent: `screens.frame_scroll`), then `compact_frame`; False when there is
    no driver to wrap. `O2O_FRAME_SCROLL=0` leaves the scrolling out (to compare)."""
    driver = getattr(app, "_driver", None)
    if driver is None or getattr(driver, "_o2o_compact", False) or not hasattr(driver, "write"):
        return False
    write = driver.write
    if os.environ.get("O2O_FRAME_SCROLL", "1") != "0":
        scroller = FrameScroller(lambda: _size_of(app))
        driver._o2o_scroller = scroller

        def write_frame(data: str) -> None:
            write(compact_frame(scroller.rewrite(data)))

        driver.write = write_frame
    else:
        driver.write = compacting(write)
    driver._o2o_compact = True
    return True


def _size_of(app: object) -> tuple[int, int]:
    size = getattr(app, "size", None)
    return (int(getattr(size, "width", 0)), int(getattr(size, "height", 0)))

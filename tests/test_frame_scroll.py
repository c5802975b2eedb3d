"""`screens.frame_scroll`: rows that only moved are scrolled by the terminal, unchanged rows are not resent, and the
terminal ends up showing exactly what the frames as written would show (checked with pyte, on random frames)."""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

import pyte

from bench.pty_screen import PtyScreen
from screens.frame_scroll import FrameScroller

W, H = 40, 12
LIST_TOP, LIST_BOTTOM = 1, 9  # rows 1..9 are the "list"; 0 a header, 10 a status line, 11 a footer
STYLES = ["", "1;38;5;222;48;5;58", "38;5;253;48;5;16", "7;38;5;23;48;5;233", "3;38;5;174"]
WORDS = ["宫保鸡丁", "Kung", "Pao", "×2", "¥87.00", "#1001", "New", "Ready", "é", "a"]


def _run(text: str, style: str) -> str:
    """A styled run as Textual writes it: the style, the text, a reset (plain text has neither)."""
    return f"\x1b[{style}m{text}\x1b[0m" if style else text


def _fit(text: str, width: int) -> str:
    out, used = "", 0
    for char in text:
        cells = 2 if "\u4e00" <= char <= "\u9fff" else 1
        if used + cells > width:
            break
        out, used = out + char, used + cells
    return out + " " * (width - used)


class Model:
    """A screen of styled rows and the frames Textual would write for it: whole rows, or a few cells."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.items = [self.item(n) for n in range(30)]
        self.top = 0
        self.toast: int | None = None  # a row covered on its right half

    def item(self, n: int) -> tuple[str, str]:
        words = " ".join(self.rng.choice(WORDS) for _ in range(4))
        return (f"{n % 60:2d}:0{n % 10} {words}", self.rng.choice(STYLES))

    def row(self, y: int) -> list[tuple[str, str]]:
        """One screen row as styled runs covering the full width."""
        if y == 0:
            return [(_fit("Time No. Items", W), "1")]
        if y > LIST_BOTTOM:
            return [(_fit("ONLINE 老王川菜馆" if y == 10 else "⏎ Open ? Help", W), "38;5;250;48;5;236")]
        index = self.top + y - LIST_TOP
        text, style = self.items[index] if index < len(self.items) else ("", "")
        thumb = "7;38;5;23" if y == LIST_TOP + (self.top * 9 // max(1, len(self.items))) else "38;5;16"
        runs = [(_fit(text, W - 1), style), (" ", thumb)]
        if self.toast == y:
            runs = [(_fit(text, 20), style), (_fit("Order #0042 timed out", 20), "48;5;52")]
        return runs

    def frame(self, rows: list[int]) -> str:
        """Rows written whole, as a ChopsUpdate does: a move, the runs, a line feed between rows, the cursor."""
        lines = [f"\x1b[{y + 1};1H" + "".join(_run(t, s) for t, s in self.row(y)) for y in rows]
        return "\n".join(lines) + f"\x1b[{H};{W}H"

    def full(self) -> str:
        return self.frame(list(range(H)))

    def clock_cells(self) -> str:
        """A ticking clock: two cells of a few list rows (the row's own style)."""
        parts = []
        for y in self.rng.sample(range(LIST_TOP, LIST_BOTTOM + 1), 3):
            runs = self.row(y)
            text, style = runs[0]
            parts.append(f"\x1b[{y + 1};4H" + _run(text[3:5], style))
        return "".join(parts) + f"\x1b[{H};{W}H"

    def step(self) -> str:
        rng = self.rng
        choice = rng.random()
        list_rows = list(range(LIST_TOP, LIST_BOTTOM + 1))
        if choice < 0.3:  # new orders sort in somewhere: the list is repainted whole (its layout changed)
            at = rng.randrange(0, len(self.items) + 1)
            for _ in range(rng.choice([1, 1, 1, 2, 3])):
                same = at > 0 and rng.random() < 0.3  # one that reads like its neighbour
                self.items.insert(at, self.items[at - 1] if same else self.item(rng.randrange(1000)))
            return self.frame(list_rows)
        if choice < 0.45 and len(self.items) > 3:  # orders leave
            del self.items[rng.randrange(len(self.items))]
            return self.frame(list_rows)
        if choice < 0.55:  # the list scrolls (the cursor went past its edge)
            self.top = max(0, min(len(self.items) - 1, self.top + rng.choice([-3, -1, 1, 1, 2])))
            return self.frame(list_rows)
        if choice < 0.65:  # one order changed
            index = rng.randrange(len(self.items))
            self.items[index] = self.item(rng.randrange(1000))
            return self.frame(list_rows)
        if choice < 0.72:  # a toast comes or goes over one row (the rows under it are repainted)
            before = self.toast
            self.toast = None if self.toast is not None else rng.choice(list_rows)
            return self.frame(sorted({y for y in (before, self.toast) if y is not None}))
        if choice < 0.8:  # a toast over a row while the list moves under it
            self.toast = rng.choice(list_rows)
            self.items.insert(0, self.item(rng.randrange(1000)))
            return self.frame(list_rows)
        if choice < 0.85:
            return self.clock_cells()
        if choice < 0.9:  # the list moves and a clock ticks in the same frame
            self.items.insert(0, self.item(rng.randrange(1000)))
            return self.frame(list_rows[:-2]) + self.clock_cells()
        if choice < 0.95:  # the status line
            return self.frame([10])
        return self.full()


def _screen() -> tuple[pyte.Screen, pyte.Stream]:
    screen = pyte.Screen(W, H)
    return screen, pyte.Stream(screen)


def _cells(screen: pyte.Screen) -> list[list[tuple[str, str, str, bool, bool, bool]]]:
    return [
        [
            (c.data, c.fg, c.bg, c.bold, c.italics, c.reverse)
            for c in (screen.buffer[y][x] for x in range(screen.columns))
        ]
        for y in range(screen.lines)
    ]


def test_random_frames_leave_the_terminal_as_the_frames_as_written_would() -> None:
    written = rewritten = scrolls = 0
    for seed in range(25):
        rng = random.Random(seed)
        model = Model(rng)
        scroller = FrameScroller(lambda: (W, H))
        plain, plain_stream = _screen()
        fewer, fewer_stream = _screen()
        for step in range(60):
            frame = model.full() if step == 0 else model.step()
            out = scroller.rewrite(frame)
            plain_stream.feed(frame)
            fewer_stream.feed(out)
            assert _cells(fewer) == _cells(plain), (seed, step, frame, out)
            written += len(frame)
            rewritten += len(out)
        scrolls += scroller.scrolls
    assert scrolls > 150  # the terminal scrolled often
    assert rewritten < written * 0.6, (written, rewritten)


def test_a_row_inserted_at_the_top_sends_one_row_and_a_scroll() -> None:
    model = Model(random.Random(1))
    scroller = FrameScroller(lambda: (W, H))
    first = model.full()
    scroller.rewrite(first)
    model.items.insert(0, ("0:00 #0002 New order", "1;38;5;222;48;5;58"))
    frame = model.frame(list(range(LIST_TOP, LIST_BOTTOM + 1)))
    out = scroller.rewrite(frame)
    assert "\x1b[1L" in out and "\x1b[2;10r" in out  # rows 2..10 (1-based) scroll down one
    assert out.count("H") <= 4 and "#0002" in out  # the new row (and the one whose scroll bar cell moved)
    assert len(out) < len(frame) / 3
    plain, plain_stream = _screen()
    fewer, fewer_stream = _screen()
    plain_stream.feed(first)
    fewer_stream.feed(first)
    plain_stream.feed(frame)
    fewer_stream.feed(out)
    assert _cells(fewer) == _cells(plain)


def test_an_osc_write_between_frames_is_passed_on_and_forgets_nothing() -> None:
    """Textual sets the mouse pointer's shape (OSC 22) on its own writes: it paints no cell, so the model stays
    (it made the scroller forget, and a new order at the top of an idle console was sent whole, 3.3 KB)."""
    model = Model(random.Random(1))
    scroller = FrameScroller(lambda: (W, H))
    scroller.rewrite(model.full())
    pointer = "\x1b]22;default\x07"
    assert scroller.rewrite(pointer) == pointer
    assert all(None not in row for row in scroller.rows())
    model.items.insert(0, ("0:00 #0002 New order", "1;38;5;222;48;5;58"))
    frame = pointer + model.frame(list(range(LIST_TOP, LIST_BOTTOM + 1)))
    out = scroller.rewrite(frame)
    assert "\x1b[1L" in out and out.startswith(pointer) and len(out) < len(frame) / 3


def test_unknown_cells_are_never_taken_as_unchanged() -> None:
    model = Model(random.Random(2))
    scroller = FrameScroller(lambda: (W, H))
    list_rows = list(range(LIST_TOP, LIST_BOTTOM + 1))
    assert scroller.rewrite(model.frame(list_rows)) == model.frame(list_rows)  # nothing known yet: as is
    assert scroller.rewrite(model.frame(list_rows)) != model.frame(list_rows)  # now those rows are known
    scroller.rewrite("\x1b[2J")  # an erase the model does not follow: it forgets
    assert scroller.rewrite(model.frame(list_rows)) == model.frame(list_rows)
    scroller.rewrite(model.full())
    assert scroller.rewrite("\x1b[?1049h") == "\x1b[?1049h"  # the alternate screen: forgets again
    assert scroller.rewrite(model.frame(list_rows)) == model.frame(list_rows)


def test_a_resize_forgets_the_screen_and_a_full_repaint_is_sent_as_is() -> None:
    size = [W, H]
    model = Model(random.Random(3))
    scroller = FrameScroller(lambda: (size[0], size[1]))
    assert scroller.rewrite(model.full()) == model.full()
    assert scroller.rewrite(model.full()) == model.full()  # a full repaint is never trimmed
    size[1] = H - 1
    rows = list(range(LIST_TOP, LIST_BOTTOM + 1))
    assert scroller.rewrite(model.frame(rows)) == model.frame(rows)


ROOT = Path(__file__).resolve().parent.parent


def _pty_cells(screen: PtyScreen) -> list[tuple[str, str, str, bool, bool, bool]]:
    return [
        (c.data, c.fg, c.bg, c.bold, c.italics, c.reverse)
        for y in range(screen.lines)
        for c in (screen.screen.buffer[y][x] for x in range(screen.columns))
    ]


def test_a_real_line_list_through_a_pty_shows_what_a_full_repaint_shows() -> None:
    """Textual's own frames, rewritten, on a pty read by pyte: after random inserts, removals, cursor moves and
    toasts the screen equals what a full repaint then paints; a row sorting in at the top costs a few hundred
    bytes, not the whole list."""
    with PtyScreen.spawn(
        [sys.executable, "-m", "tests.support.line_list_app", "7"], size=(80, 24), cwd=str(ROOT)
    ) as screen:
        screen.wait_for("#5001", timeout=30)
        screen.wait_quiet(0.3, timeout=30)
        screen.mark()
        screen.send(b"i")
        screen.wait_for("#7001", timeout=10)
        inserted = screen.wait_quiet(0.2, timeout=10)
        assert 0 < inserted < 700, bytes(screen.captured)
        for _ in range(40):
            screen.mark()
            screen.send(b"s")
            screen.wait_first_byte(timeout=0.3)  # a step may change nothing on screen
            screen.wait_quiet(0.05, timeout=10)
        time.sleep(0.6)  # the last toast goes
        screen.wait_quiet(0.3, timeout=10)
        before = _pty_cells(screen)
        screen.mark()
        screen.send(b"f")
        screen.wait_first_byte(timeout=5)
        screen.wait_quiet(0.3, timeout=10)
        assert screen.counted > 3000  # the full repaint was sent whole
        assert _pty_cells(screen) == before


def test_a_row_whose_writes_leave_a_style_open_is_always_sent() -> None:
    """Leaving out an unchanged row must not change the style the rows after it are written in."""
    scroller = FrameScroller(lambda: (4, 3))
    frame = (
        "\x1b[1;1H\x1b[1mabcd\x1b[2;1Hefgh\x1b[0m\x1b[3;1Hijkl"  # row 1 opens bold, row 2 is written in it
    )
    scroller.rewrite(frame)
    again = "\x1b[1;1H\x1b[1mabcd\x1b[2;1Hefgh\x1b[0m"
    out = scroller.rewrite(again)
    plain, fewer = pyte.Screen(4, 3), pyte.Screen(4, 3)
    pyte.Stream(plain).feed(frame + again)
    pyte.Stream(fewer).feed(frame + out)
    assert _cells(fewer) == _cells(plain)
    assert "\x1b[1m" in out  # the row that opens bold is sent (the one after it relies on it)

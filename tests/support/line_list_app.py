"""A `LineList` of 2,000 rows with the console's output filter (`screens.compact_output.install`), driven by keys,
for tests that look at it through a pty: `python -m tests.support.line_list_app SEED` from the repository root.

Keys: `i` one row sorts in at the top, `s` one random step (rows in or out anywhere, a changed row, the cursor
moves a page or a line, a toast), `f` a full repaint (what the terminal should show, sent whole), `q` quit.
"""

from __future__ import annotations

import random
import sys

from textual.app import App, ComposeResult
from textual.content import Content
from textual.widgets import Footer, Static

from screens import compact_output
from screens.widgets.line_list import LineList, RowState

WORDS = ["宫保鸡丁", "Kung", "Pao", "×2", "¥87.00", "New", "Ready", "Pickup", "é", "Delivery"]
STYLES = ["", "bold $text-warning", "$text-success", "italic", "$text-error"]


class Rows(LineList[tuple[int, str, str]]):
    def render_row(self, row: tuple[int, str, str], width: int, state: RowState) -> Content:
        number, text, style = row
        return Content.assemble((f"{number % 60:>2}:{number % 7:02d} #{number:04d} {text}", style))


class ListApp(App[None]):
    CSS = "Rows { scrollbar-size-vertical: 1; scrollbar-gutter: stable; }"

    def __init__(self, seed: int) -> None:
        super().__init__()
        self.rng = random.Random(seed)
        self.next_number = 5000

    def row(self) -> tuple[int, str, str]:
        self.next_number += 1
        words = " ".join(self.rng.choice(WORDS) for _ in range(5))
        return (self.next_number, words, self.rng.choice(STYLES))

    def compose(self) -> ComposeResult:
        yield Static("Time No. Items", id="title")
        yield Rows(key_of=lambda row: row[0], header=lambda width: Content("Time   No.   Items"))
        yield Static("ONLINE  老王川菜馆 Lao Wang", id="status")
        yield Footer()

    def on_mount(self) -> None:
        compact_output.install(self)
        self.query_one(Rows).set_rows([self.row() for _ in range(2000)])
        self.query_one(Rows).focus()

    def on_key(self, event: object) -> None:
        key = getattr(event, "key", "")
        rows = self.query_one(Rows)
        current = list(rows.rows)
        if key == "i":
            rows.set_rows([self.row(), *current])
        elif key == "s":
            self.step(rows, current)
        elif key == "f":  # every cell, as Textual paints a screen after a resize
            self._display(self.screen, self.screen._compositor.render_update(full=True))
        elif key == "q":
            self.exit()

    def step(self, rows: Rows, current: list[tuple[int, str, str]]) -> None:
        rng = self.rng
        choice = rng.random()
        top = int(rows.scroll_offset.y)
        at = rng.randrange(max(0, top - 2), min(len(current), top + 25))
        if choice < 0.3:
            rows.set_rows(current[:at] + [self.row() for _ in range(rng.choice([1, 1, 2, 3]))] + current[at:])
        elif choice < 0.5:
            del current[at : at + rng.choice([1, 1, 2])]
            rows.set_rows(current)
        elif choice < 0.6:
            current[at] = (current[at][0], self.row()[1], rng.choice(STYLES))
            rows.set_rows(current)
        elif choice < 0.85:
            rows.action_move(rng.choice([-1, 1, 1, 3, -3, 20, -20]))
        else:
            self.notify(f"Order #{current[at][0]:04d} timed out", timeout=0.3)


if __name__ == "__main__":
    ListApp(int(sys.argv[1]) if len(sys.argv) > 1 else 0).run()

"""The bare Textual app of issue #11, the baseline of `python -m bench console`: a Header, a 20-row DataTable
and a Footer, nothing else (it paints once and then sends nothing).

    python bench/bare_app.py
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header

ROWS = 20


class Bare(App[None]):
    BINDINGS = [Binding("q", "quit", "Quit"), Binding("enter", "open", "Open")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[str] = self.query_one(DataTable)
        table.add_columns("No.", "Status", "Type", "Items", "Time")
        table.add_rows(
            (f"Bench row {i + 1:04d}", "Preparing", "Delivery", "Kung Pao Chicken×2, Rice", f"{20 + i}m")
            for i in range(ROWS)
        )
        table.focus()

    def action_open(self) -> None:
        pass


if __name__ == "__main__":
    Bare().run()

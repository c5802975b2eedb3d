"""The key footer, compact below 120 columns so more bindings fit."""

from __future__ import annotations

from textual import events
from textual.widgets import Footer


class KeyFooter(Footer):
    def on_resize(self, event: events.Resize) -> None:
        self.compact = self.app.size.width < 120

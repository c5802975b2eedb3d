"""A line under the queue's offline banner: "Auto-accept is on but the printing station is offline: accept by
hand" on the consoles that are not the station (the text: `screens/auto_accept_station.py`)."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


class AutoAcceptBanner(Static):
    DEFAULT_CSS = """
    AutoAcceptBanner {
        display: none;
        height: 1;
        padding: 0 1;
        background: $warning-muted;
        color: $text-warning;
    }
    """

    def __init__(self) -> None:
        super().__init__("", markup=False, id="auto-accept-banner")
        self._text: str | None = None

    def show(self, text: str | None) -> None:
        if text == self._text:
            return
        self._text = text
        self.display = text is not None
        if text is not None:
            self.update(Content(text))

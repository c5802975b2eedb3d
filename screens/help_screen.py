"""`?`: every key of the queue with what it does, in the current language."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from o2o_tui.i18n import t
from screens.keys import localize_bindings
from screens.order_format import fit

HELP_KEYS = (
    ("↑ ↓", "ui.help.move"),
    ("Enter", "ui.help.open"),
    ("a", "ui.help.accept"),
    ("x", "ui.help.reject"),
    ("p", "ui.help.preparing"),
    ("r", "ui.help.ready"),
    ("h", "ui.help.handoff"),
    ("c", "ui.help.cancellation"),
    ("d", "ui.help.dispatch"),
    ("m", "ui.help.menu"),
    ("s", "ui.help.store"),
    ("/", "ui.help.search"),
    ("Esc", "ui.help.back"),
    ("?", "ui.help.help"),
    ("q", "ui.help.quit"),
)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark", "close", "ui.key.close", id="help.close"),
    ]

    def __init__(self) -> None:
        super().__init__()
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        lines: list[str | tuple[str, str]] = [(t("ui.help.title") + "\n\n", "bold")]
        for key, text_key in HELP_KEYS:
            lines += [(fit(key, 7), "bold"), t(text_key), "\n"]
        lines += ["\n", t("ui.help.time"), "\n\n", t("ui.help.alerts")]
        with VerticalScroll(classes="dialog help"):
            yield Static(Content.assemble(*lines))

    def action_close(self) -> None:
        self.dismiss(None)

"""`?` on the dispatch board: every key the board answers to, as the keymap has it now, and what it does.

The list is read from the board's live bindings (its own and its order list's), not written out by hand, so a
new binding or a remapped key shows up here by itself.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Static

from o2o_tui.i18n import t
from screens.help_screen import KeyRow, help_note
from screens.keys import declared_actions, localize_bindings
from screens.widgets.city_map import COURIER_MARKS
from screens.widgets.footer import KeyFooter

# list movement keys carry no footer text: what they do, by action
_ACTION_HELP = {
    "move(-1)": "dispatch.board.help.up",
    "move(1)": "dispatch.board.help.down",
    "page(-1)": "dispatch.board.help.page_up",
    "page(1)": "dispatch.board.help.page_down",
    "jump(0)": "dispatch.board.help.first",
    "jump(-1)": "dispatch.board.help.last",
    "select_cursor": "dispatch.board.help.select",
}
# keys whose footer word says too little: what the help says instead, by action
_LONGER_HELP = {"quit": "dispatch.board.help.quit"}  # q, on the board alone: it may ask first
KEY_WIDTH = 9
# the app's quit keys (Ctrl+C, Ctrl+Q), by binding id: what they do on the board alone, and in the console
_APP_QUIT_HELP = {
    "app.quit": ("dispatch.board.help.quit_now", "dispatch.board.help.quit_now"),
    "app.ask_quit": ("dispatch.board.help.quit", "dispatch.board.help.console_quit"),
}


def help_entries(board: DOMNode, order_list: DOMNode) -> list[tuple[str, str]]:
    """(keys, what they do) for each binding of `board` and `order_list`, keys of one action joined. The keys
    are the live ones (after a user keymap), the bindings those the classes declare."""
    entries: dict[tuple[int, str], tuple[list[str], str]] = {}
    for node in (order_list, board):
        wanted = declared_actions(node)
        for bindings in node._bindings.key_to_bindings.values():
            for binding in bindings:
                if binding.action not in wanted or node.check_action(binding.action, ()) is False:
                    continue  # not ours, or not here (q quits the board alone only)
                if binding.action in _LONGER_HELP:  # more than the footer's word
                    text = t(_LONGER_HELP[binding.action])
                else:
                    text = binding.description or t(_ACTION_HELP.get(binding.action, "")) or binding.action
                keys, _ = entries.setdefault((id(node), binding.action), ([], text))
                shown = board.app.get_key_display(binding)
                if shown not in keys:
                    keys.append(shown)
    rows = [(keys, text) for keys, text in entries.values()]
    alone = bool(getattr(board, "_root", False))  # `o2o dispatch`: the board's q quits, Ctrl+Q asks as it does
    for bindings in board.app._bindings.key_to_bindings.values():  # Ctrl+C, Ctrl+Q: as the queue's help
        for binding in bindings:
            if binding.id not in _APP_QUIT_HELP:
                continue
            text = t(_APP_QUIT_HELP[binding.id][0 if alone else 1])
            shown = board.app.get_key_display(binding)
            same = [keys for keys, said in rows if said == text]  # q's row: Ctrl+Q does the same
            if not same:
                rows.append(([shown], text))
            elif shown not in same[0]:
                same[0].append(shown)
    return [(" ".join(keys), text) for keys, text in rows]


class BoardHelp(ModalScreen[None]):
    """Its own key footer (`esc Close`) over the board's, whose keys do nothing while it is open."""

    FOOTER_OWN_KEYS = True
    BINDINGS = [
        Binding("escape,q,question_mark", "close", "dispatch.board.key.close", id="dispatch.help.close"),
    ]
    DEFAULT_CSS = """
    BoardHelp { align: center middle; }
    BoardHelp > VerticalScroll {
        width: 64; max-width: 100%; height: auto; max-height: 100%;
        padding: 0 1; border: round $primary; background: $surface;
    }
    BoardHelp .help-title { margin-bottom: 1; }
    BoardHelp .help-note { margin-top: 1; }
    """

    def __init__(self, entries: list[tuple[str, str]]) -> None:
        super().__init__()
        localize_bindings(self)
        self.entries = entries

    def compose(self) -> ComposeResult:
        marks = f"{COURIER_MARKS[0]}-{COURIER_MARKS[8]}, {', '.join(COURIER_MARKS[9:12])}…"
        with VerticalScroll():
            yield Static(Content.styled(t("dispatch.board.help.title"), "bold"), classes="help-title")
            for keys, text in self.entries:  # the words hang beside the keys, never under them
                yield KeyRow(keys, text, KEY_WIDTH + 1)
            yield help_note(t("dispatch.board.help.labels", marks=marks))
            yield help_note(t("dispatch.board.help.tags"))
            yield help_note(t("dispatch.board.help.refused"))  # A leaves such an order out; a sends it anyway
            yield help_note(t("dispatch.board.help.picked_up"))
            yield help_note(t("dispatch.board.help.cached"))  # the tag of an order read from the cache
        yield KeyFooter()

    def action_close(self) -> None:
        self.dismiss(None)

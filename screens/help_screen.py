"""`?`: every key of the screen it is opened from, with what it does, in the current language.

The list is derived from that screen's live bindings (its own, the focused widget's and the app's, as
`Screen.active_bindings` has them), so a key added to a screen's BINDINGS can never be missing here, including
the ones the footer had to leave out for room. Each key reads `help.<binding id>` from the catalog when there is
one (a longer sentence), else `ui.help.<action>`, else the binding's own description.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from o2o_tui.command_marks import split_commands
from o2o_tui.demo_notes import note_lines, note_parts, running
from o2o_tui.i18n import t
from screens.dialogs import Dialog
from screens.keys import declared_actions, localize_bindings
from screens.order_format import fit
from screens.order_keys import REFUSED_ACTION
from screens.widgets.folded_text import FoldedText

KEY_COLUMN = 10
# catalog keys of the notes under the keys; a screen names its own in `HELP_NOTES`. These are the queue's (its
# time column, its rings and marks); another screen without notes of its own has none.
QUEUE_NOTES = ("ui.help.time", "help.alerts")


@dataclass(frozen=True, slots=True)
class HelpRow:
    keys: str  # as shown: `a`, `↑ k`, `q ^c`
    text: str
    binding_ids: tuple[str, ...]


def _lookup(key: str) -> str | None:
    text = t(key)
    return None if text == key else text


def _helped_action(binding: Binding) -> str:
    """The action a binding's sentence is about: an order key's hidden twin (`refused_key('ready')`, bound where
    the order under the cursor is not offered the key) is about the key's own action, so `?` lists every order key
    whatever the order under the cursor."""
    action = binding.action.removeprefix("app.").removeprefix("screen.")
    name, _, argument = action.partition("(")
    if name == REFUSED_ACTION:
        return argument.rstrip(")").strip("'\"")
    return action


def help_text(binding: Binding, ours: bool = True) -> str | None:
    """What a binding does, in words: the catalog's sentence for its id or action, else its description. None
    for Textual's own keys (`ours` False: Tab's "Focus Next", a scroll view's "Scroll Up") without a sentence:
    their descriptions are English whatever the language, so they are left out rather than shown untranslated."""
    if binding.system:
        return None
    if binding.id and (text := _lookup(f"help.{binding.id}")):
        return text
    action = _helped_action(binding)
    if "(" not in action and (text := _lookup(f"ui.help.{action}")):
        return text
    if not ours:
        return None
    return t(binding.description) if binding.description else None


def help_rows(screen: Screen[Any]) -> list[HelpRow]:
    """One row per thing a key does on `screen` (keys that do the same thing share a row): the footer's keys
    first, in binding order, then the ones it never shows (moving, Esc, Ctrl+C). Textual's own keys (Tab's,
    a scroll view's) come in only where the catalog has a sentence for them; its system keys never."""
    app = screen.app
    rows: dict[tuple[str, str], tuple[list[str], list[str], list[bool]]] = {}
    declared: dict[int, set[str]] = {}  # per node: the actions its classes outside Textual bind
    for node, binding, _enabled, _tooltip in screen.active_bindings.values():
        if id(node) not in declared:
            declared[id(node)] = declared_actions(node)
        text = help_text(binding, binding.action in declared[id(node)])
        if text is None:
            continue
        keys, ids, shown = rows.setdefault((_helped_action(binding), text), ([], [], []))
        display = app.get_key_display(binding)
        if display not in keys:
            keys.append(display)
        if binding.id and binding.id not in ids:
            ids.append(binding.id)
        shown.append(binding.show or binding.action.startswith(REFUSED_ACTION))  # a twin: its key's own place
    ordered = sorted(rows.items(), key=lambda item: not any(item[1][2]))  # stable: binding order kept
    return [HelpRow(" ".join(keys), text, tuple(ids)) for (_, text), (keys, ids, _) in ordered]


COMMAND_STYLE = "bold"  # a command in a sentence ("run o2o login"): the CLI's backticks would show as they are


def parts_shown(parts: list[tuple[str, bool]]) -> Content:
    """(text, is_command) parts (`o2o_tui.command_marks`) as one `Content`: the commands in `COMMAND_STYLE`, the
    rest plain; every part is text, never markup."""
    return Content.assemble(*((text, COMMAND_STYLE) if command else text for text, command in parts))


def commands_shown(text: str) -> Content:
    """A catalog sentence with its `commands` in `COMMAND_STYLE`, the backticks dropped (`split_commands`). For the
    catalog's own sentences and values the app made (glyphs, keys); a sentence with a value from outside goes
    through `command_parts`, which finds the marks before the value is in."""
    return parts_shown(split_commands(text))


class KeyRow(Horizontal):
    """One key of a help list: the keys in a column of `key_width` cells, what they do beside them. The words wrap
    under themselves (a hanging indent, never back under the keys), broken as Chinese is set (`FoldedText`)."""

    DEFAULT_CSS = """
    KeyRow { height: auto; }
    KeyRow > .what { width: 1fr; }
    """

    def __init__(self, keys: str, text: str, key_width: int) -> None:
        super().__init__(classes="help-row")
        self._keys, self._text, self._key_width = keys, text, key_width

    def compose(self) -> ComposeResult:
        keys = Static(Content.styled(fit(self._keys, self._key_width - 1, words=False), "bold"), classes="keys")
        keys.styles.width = self._key_width
        yield keys
        yield Static(FoldedText(commands_shown(self._text)), classes="what")


def help_note(text: str) -> Static:
    """A paragraph under a help list (plain text but its `commands`, broken as Chinese is set)."""
    return Static(FoldedText(commands_shown(text)), classes="help-note")


class HelpPages(VerticalScroll):
    """The help's scroll view, paged the way a reader pages: from where the last page key left it (two keys in one
    burst page twice; Textual's animated page started from the half-scrolled position), at once, and one line
    short of the visible area, so the last line of a page is the first of the next and no line is ever skipped."""

    def _step(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def action_page_down(self) -> None:
        self.scroll_to(y=self.scroll_target_y + self._step(), animate=False)

    def action_page_up(self) -> None:
        self.scroll_to(y=self.scroll_target_y - self._step(), animate=False)

    # Home and End at once, after the layout in progress (the rows fold as they are laid out: an End taken before
    # stopped short of the last row), in the order pressed. Textual's own animate for a second: a Home pressed
    # while End's animation ran left the first lines hidden.
    def action_scroll_home(self) -> None:
        self.scroll_home(animate=False, x_axis=False)

    def action_scroll_end(self) -> None:
        self.scroll_end(animate=False, x_axis=False)


class HelpScreen(Dialog[None]):
    DEFAULT_CSS = f"""
    HelpScreen {{ align: center middle; }}
    HelpScreen .help-title {{ margin-bottom: 1; }}
    HelpScreen .help-row {{ height: auto; }}
    HelpScreen .help-row .keys {{ width: {KEY_COLUMN}; }}
    HelpScreen .help-row .what {{ width: 1fr; }}
    HelpScreen .help-note {{ margin-top: 1; }}
    HelpScreen .demo-note {{ margin-bottom: 1; }}
    """
    BINDINGS = [
        Binding("escape,q,question_mark", "close", "ui.key.close", id="help.close"),
    ]

    def __init__(self, screen: Screen[Any] | None = None) -> None:
        """`screen`: whose keys to list; by default the screen showing when help was asked for."""
        super().__init__()
        localize_bindings(self)
        opener = screen if screen is not None else self.app.screen
        self.rows = help_rows(opener)
        notes: tuple[str, ...] | None = getattr(opener, "HELP_NOTES", None)
        on_queue = opener is getattr(self.app, "orders_screen", None)
        if notes is None:
            notes = QUEUE_NOTES if on_queue else ()
        self.notes = notes
        # under `o2o demo`, the queue's help first says again what the demo printed before the console opened
        demo = running() if on_queue else None
        self.demo_notes = note_lines(demo) if demo is not None else []  # the words, plain
        self._demo_parts = note_parts(demo) if demo is not None else []  # as shown: the commands bold

    def compose(self) -> ComposeResult:
        with HelpPages(classes="dialog help"):
            if self._demo_parts:
                yield Static(Content.styled(t("demo.notes.title"), "bold"), classes="help-title")
                for parts in self._demo_parts:
                    yield Static(FoldedText(parts_shown(parts)), classes="demo-note")
            yield Static(Content.styled(t("ui.help.title"), "bold"), classes="help-title")
            for row in self.rows:
                yield KeyRow(row.keys, row.text, KEY_COLUMN)
            for note in self.notes:
                yield help_note(t(note))

    def action_close(self) -> None:
        self.dismiss(None)
